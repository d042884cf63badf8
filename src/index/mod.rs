//! The search index over openings: a tantivy projection of the database, fed from the outbox.
//!
//! This module owns the on-disk tantivy index of the open openings (its schema, the Swedish
//! analyzer, the one [`IndexWriter`] and the one [`IndexReader`]) and the queries that run on
//! it: free-text search for people ([`OpeningIndex::search`]) and the text relevance the
//! ranking core weighs ([`OpeningIndex::relevance`]). Hard requirements (deadline, Swedish,
//! licences, distance) are not its business: the projection decides them exactly.
//!
//! It must not be treated as a source of truth: the database is. Every commit records the
//! last applied outbox sequence number in its payload ([`OpeningIndex::applied_seq`]), so the
//! indexer continues from there after a restart; an index that cannot be opened is rebuilt
//! from the database by the caller ([`OpeningIndex::rebuild`]). It does not read the database
//! or the taxonomy (callers hand it [`IndexedOpening`]s), does not rank beyond BM25 (that is
//! `rank`'s job), and tantivy types never leave it.

mod analyzer;
mod compounds;
mod query;
mod schema;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::QueryParser;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Term};

use crate::model::{Id, OpeningKind};

pub use analyzer::SWEDISH;
pub use query::{SearchPage, SearchQuery};
use schema::Fields;

/// Memory the writer may use before it flushes a segment. The opening index is small; this
/// keeps a full rebuild to a few segments without competing with the rest of the process.
const WRITER_MEMORY_BUDGET: usize = 50_000_000;

/// Title matches weigh twice as much as description matches in [`OpeningIndex::search`].
const TITLE_BOOST: f32 = 2.0;

/// What can go wrong in the index. [`IndexError::Query`] is the user's; the rest are faults.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// tantivy failed while reading or writing the index.
    #[error("search index failure: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The directory holds no usable index: unreadable, corrupt, or built with another schema.
    /// The caller should rebuild it from the database.
    #[error("cannot open the search index at {}: {message}", path.display())]
    Open { path: PathBuf, message: String },
    /// The caller's query is invalid, typically user search text that does not parse.
    #[error("invalid search query: {message}")]
    Query { message: String },
    /// The index directory could not be created or read.
    #[error("search index i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// What the index needs of an open opening: the words it is found by and what people
/// filter a search by. The caller builds it from a `model::Opening`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexedOpening {
    pub id: Id,
    pub kind: OpeningKind,
    pub title: String,
    /// The description and the skills written as free text.
    pub description: String,
    pub municipality_code: Option<String>,
    /// The SSYK unit group, four digits.
    pub occupation_code: Option<String>,
}

/// One change to apply to the index, derived from an outbox row.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexChange {
    /// Add the opening, replacing any earlier version with the same id.
    Upsert(IndexedOpening),
    /// Remove the opening with this id, if present: it was closed or deleted.
    Delete(Id),
}

/// The opening index: one writer (behind a mutex) and one reader over a directory.
///
/// Writes are batched per outbox sequence number: [`apply`](Self::apply) commits each batch
/// with its sequence in the commit payload and reloads the reader, so searches see a batch
/// entirely or not at all. Every search takes a fresh searcher.
pub struct OpeningIndex {
    path: PathBuf,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    reader: IndexReader,
    parser: QueryParser,
    /// A participant's words for relevance, split as documents are: "Truckvana" meets "truck".
    analyzer: TextAnalyzer,
    /// The terms `analyzer` made of the words relevance was asked for lately (see
    /// [`OpeningIndex::relevance`]).
    analyzed: parking_lot::Mutex<query::Analyzed>,
    /// Each segment's id column, opened once (see [`OpeningIndex::relevance`]).
    id_columns: parking_lot::Mutex<query::IdColumns>,
    applied_seq: AtomicI64,
}

impl fmt::Debug for OpeningIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpeningIndex")
            .field("path", &self.path)
            .field("applied_seq", &self.applied_seq())
            .finish_non_exhaustive()
    }
}

impl OpeningIndex {
    /// Opens the index in `dir`, or creates an empty one (creating `dir` too) if it holds none.
    ///
    /// An existing index must have been written with this version's schema and be readable;
    /// otherwise this returns [`IndexError::Open`] and the caller should delete the directory
    /// and [`rebuild`](Self::rebuild) from the database. Only one `OpeningIndex` may be open
    /// on a directory at a time: the writer holds a lock on it.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir)?;
        let open_error = |message: String| IndexError::Open {
            path: dir.to_path_buf(),
            message,
        };
        let (schema, fields) = schema::build();
        let directory = MmapDirectory::open(dir).map_err(|e| open_error(e.to_string()))?;
        let exists = Index::exists(&directory).map_err(|e| open_error(e.to_string()))?;
        let index = if exists {
            Index::open(directory).map_err(|e| open_error(e.to_string()))?
        } else {
            Index::create(directory, schema.clone(), IndexSettings::default())?
        };
        if index.schema() != schema {
            return Err(open_error(
                "it was built with a different schema; rebuild it from the database".into(),
            ));
        }
        index
            .tokenizers()
            .register(SWEDISH, analyzer::swedish_indexing());

        let applied_seq = match index.load_metas()?.payload {
            None => 0,
            Some(payload) => payload.trim().parse::<i64>().map_err(|_| {
                open_error(format!(
                    "its commit payload {payload:?} is not an outbox sequence number"
                ))
            })?,
        };
        // tantivy panics on some truncated files instead of returning an error; a broken
        // projection must reach the caller as an error so it can rebuild.
        let reader = panic::catch_unwind(AssertUnwindSafe(|| open_reader(&index)))
            .unwrap_or_else(|panic| Err(format!("reading it panicked: {}", panic_text(&*panic))))
            .map_err(open_error)?;
        let writer = index.writer(WRITER_MEMORY_BUDGET)?;
        // Queries are read without splitting compounds (see `analyzer`).
        let queries = tantivy::tokenizer::TokenizerManager::default();
        queries.register(SWEDISH, analyzer::swedish());
        let mut parser = QueryParser::new(
            index.schema(),
            vec![fields.title, fields.description],
            queries,
        );
        parser.set_field_boost(fields.title, TITLE_BOOST);

        Ok(OpeningIndex {
            path: dir.to_path_buf(),
            fields,
            writer: Mutex::new(writer),
            reader,
            parser,
            analyzer: analyzer::swedish_indexing(),
            analyzed: parking_lot::Mutex::default(),
            id_columns: parking_lot::Mutex::default(),
            applied_seq: AtomicI64::new(applied_seq),
        })
    }

    /// The outbox sequence number of the last committed batch, 0 for a new index.
    ///
    /// The indexer feeds outbox rows after this one.
    pub fn applied_seq(&self) -> i64 {
        self.applied_seq.load(Ordering::Acquire)
    }

    /// Applies a batch of changes and commits it with `seq` as the applied sequence.
    ///
    /// An upsert replaces any document with the same id. An empty batch still commits, so the
    /// sequence advances past outbox rows that do not touch openings. On error nothing of the
    /// batch is kept and [`applied_seq`](Self::applied_seq) is unchanged, except if only the
    /// reader's reload failed after the commit; re-applying a batch is harmless either way.
    pub fn apply(&self, changes: Vec<IndexChange>, seq: i64) -> Result<(), IndexError> {
        let count = changes.len();
        self.write_batch(seq, |writer, fields| {
            for change in changes {
                match change {
                    IndexChange::Upsert(opening) => {
                        writer.delete_term(id_term(fields, opening.id));
                        writer.add_document(fields.document(&opening))?;
                    }
                    IndexChange::Delete(id) => {
                        writer.delete_term(id_term(fields, id));
                    }
                }
            }
            Ok(())
        })?;
        tracing::debug!(seq, changes = count, "applied changes to the opening index");
        Ok(())
    }

    /// Replaces the whole content of the index with `openings`, committed with `seq`.
    ///
    /// Used when the index is new, missing or broken: the caller reads every open opening and
    /// the current outbox sequence from the database in one snapshot.
    pub fn rebuild(
        &self,
        openings: impl IntoIterator<Item = IndexedOpening>,
        seq: i64,
    ) -> Result<(), IndexError> {
        let mut count = 0usize;
        // No merges of its own while it writes: they would take segments from under the
        // merge into one that follows (the usual policy is back after it).
        self.lock_writer()?
            .set_merge_policy(Box::new(NoMergePolicy));
        let written = self.write_batch(seq, |writer, fields| {
            writer.delete_all_documents()?;
            for opening in openings {
                writer.add_document(fields.document(&opening))?;
                count += 1;
            }
            Ok(())
        });
        if let Err(error) = written {
            self.lock_writer()?
                .set_merge_policy(Box::new(LogMergePolicy::default()));
            return Err(error);
        }
        self.merge_into_one()?;
        tracing::info!(seq, openings = count, "rebuilt the opening index");
        Ok(())
    }

    /// Merges every segment into one, keeping the commit's sequence. A rebuild writes as many
    /// segments as the writer's threads and memory budget make, and every query then runs its
    /// top-k per segment from a threshold of zero: one segment halves the time a profile's
    /// text relevance takes over 100k openings (benches/compare).
    ///
    /// The merge is an optimisation: when it fails, the rebuild stands as written.
    fn merge_into_one(&self) -> Result<(), IndexError> {
        let mut writer = self.lock_writer()?;
        let segments = writer.index().searchable_segment_ids()?;
        let merged = if segments.len() > 1 {
            writer.merge(&segments).wait().map(drop)
        } else {
            Ok(())
        };
        writer.set_merge_policy(Box::new(LogMergePolicy::default()));
        drop(writer);
        if let Err(error) = merged {
            tracing::warn!(%error, "merging the rebuilt index into one segment failed");
        }
        self.reader.reload()?;
        Ok(())
    }

    /// How many segments a search goes through.
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Number of openings in the index as of the last commit.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs `write` on the writer, then commits with `seq` in the payload and reloads the
    /// reader. On any error the uncommitted operations are rolled back, so they cannot be
    /// committed later under another batch's sequence number.
    fn write_batch(
        &self,
        seq: i64,
        write: impl FnOnce(&mut IndexWriter, &Fields) -> Result<(), IndexError>,
    ) -> Result<(), IndexError> {
        let mut writer = self.lock_writer()?;
        let written = write(&mut writer, &self.fields).and_then(|()| {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&seq.to_string());
            prepared.commit()?;
            Ok(())
        });
        if let Err(error) = written {
            if let Err(rollback_error) = writer.rollback() {
                tracing::error!(%rollback_error, "rolling back the opening index writer failed");
            }
            return Err(error);
        }
        drop(writer);
        // The reader first, so that once the sequence says a batch is applied, searches and
        // document counts see it too (a status with no lag counts every document).
        let reloaded = self.reader.reload();
        self.applied_seq.store(seq, Ordering::Release);
        reloaded?;
        Ok(())
    }

    /// Locks the writer. If a previous holder panicked mid-batch, its uncommitted operations
    /// are rolled back first.
    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter>, IndexError> {
        match self.writer.lock() {
            Ok(writer) => Ok(writer),
            Err(poisoned) => {
                let mut writer = poisoned.into_inner();
                writer.rollback()?;
                self.writer.clear_poison();
                Ok(writer)
            }
        }
    }
}

/// Checks every file of the index against its checksum, then opens the reader.
///
/// Reading the whole index costs little next to serving wrong or missing results from a
/// damaged one: the opening index is small.
fn open_reader(index: &Index) -> Result<IndexReader, String> {
    let damaged = index.validate_checksum().map_err(|e| e.to_string())?;
    if !damaged.is_empty() {
        let mut files: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        files.sort_unstable();
        return Err(format!("damaged files: {}", files.join(", ")));
    }
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| e.to_string())
}

/// What a caught panic says, for the error that reports it.
pub(crate) fn panic_text(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown cause")
}

fn id_term(fields: &Fields, id: Id) -> Term {
    Term::from_field_i64(fields.id, id)
}
