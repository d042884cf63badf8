//! Use cases, one file each: post and change openings ([`openings`]), register participants
//! ([`participants`]), suggest openings and rank candidates ([`matching`]), load files
//! ([`import`]). The [`Engine`] holds what they share: the store, the index, the taxonomy, the
//! weight profile and the in-memory [`projection`] that matching reads, fed from the outbox.
//!
//! Takes and returns domain values ([`crate::model`]) and its own result types; knows nothing
//! of HTTP or of the wire (that is `api`). Every use case receives the [`Caller`], so rights on
//! the object it touches are checked here, where the object is known.

pub mod access;
pub mod alerts;
pub mod allocation;
pub mod error;
pub mod fairness;
pub mod gaps;
pub mod import;
pub mod indexer;
pub mod learning;
pub mod matching;
pub mod openings;
pub mod participants;
pub mod placements;
mod presented;
pub mod programme;
pub mod pseudonym;
pub mod stats;
pub mod taxonomy;
pub mod tokens;
pub mod wording;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::{RwLock, RwLockReadGuard};

use crate::index::OpeningIndex;
use crate::model::Id;
use crate::projection::Projection;
use crate::rank::{ProfileStamp, WeightProfile};
use crate::store::{Counts, Store};
use crate::taxonomy::Taxonomy;
pub use access::Caller;
pub use error::{Code, InputError, InternalError, Result, ServiceError, UserError};
pub use import::{
    AdItem, ImportBatch, ImportSummary, Outcome, RecordReport, import_ads_into, import_into,
    reindex,
};
pub use matching::{Candidate, Explained, Explanation, RankQuery, Ranked};
pub use openings::{SearchPage, SearchRequest};
pub use pseudonym::Secret;
pub use taxonomy::{
    TaxonomyImport, TaxonomyImportError, TaxonomyStamp, import_taxonomy, taxonomy_in_force,
};
pub use tokens::{Accounts, IssuedToken, SignInError, SignInFailure};

/// Most text hits the index hands to the ranking core for one suggestion request; every open
/// opening is ranked, and those beyond the hits score 0 on text.
pub const TEXT_HIT_LIMIT: usize = 500;

/// When a write answers: once the database has committed it (the default; the indexer
/// applies it within a moment, batched with other writes), or once it is searchable too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Visibility {
    #[default]
    Committed,
    Searchable,
}

/// The application: store, index, taxonomy and the projection, shared by all requests.
pub struct Engine {
    store: Store,
    /// The search index; `None` while a missing, damaged or outdated one is rebuilt beside it,
    /// when what needs it answers [`ServiceError::IndexRebuilding`].
    index: RwLock<Option<Arc<OpeningIndex>>>,
    /// Where the index lives; a rebuild writes a sibling directory and swaps it in.
    index_dir: PathBuf,
    /// The taxonomy in force; a newer stored version is swapped in by the follower.
    taxonomy: arc_swap::ArcSwap<Taxonomy>,
    taxonomy_stamp: RwLock<TaxonomyStamp>,
    profile: WeightProfile,
    secret: Secret,
    /// Written only by the follower while it applies outbox rows; read by every ranking.
    projection: RwLock<Projection>,
    /// Serialises catch-up so outbox rows are applied once and in order.
    indexer: tokio::sync::Mutex<()>,
    /// Wakes the follower after a write, so writes made while it commits share its next commit.
    wake: Arc<tokio::sync::Notify>,
    /// The last outbox sequence number applied to the index and the projection.
    applied: tokio::sync::watch::Sender<i64>,
    /// Running followers; with none, a write applies the outbox itself before it answers.
    followers: AtomicUsize,
    /// Most text hits the index hands to the core.
    text_hit_limit: AtomicUsize,
    /// Openings applied since alerts were last looked for.
    changed_openings: parking_lot::Mutex<Vec<Id>>,
    /// Openings presented by matches and searches, forgotten as the follower applies changes.
    presented: presented::PresentedOpenings,
    /// Wakes the webhook delivery when alerts are found.
    deliveries: Arc<tokio::sync::Notify>,
    /// Turns for rankings on rayon's threads (see `on_ranking_threads`).
    ranking_turns: Arc<tokio::sync::Semaphore>,
}

/// Counts of stored objects and how far the index has caught up.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// Which instance answered: several may share one PostgreSQL database, each with its own
    /// index and lag.
    pub instance: String,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    pub counts: Counts,
    pub outbox_head: i64,
    pub index_applied: i64,
    pub indexed_openings: u64,
    /// False while the index is rebuilt; search and suggestions answer 503 until it is back.
    pub index_ready: bool,
    pub weight_profile: ProfileStamp,
    pub taxonomy: TaxonomyStamp,
    /// Sizes of the taxonomy in force: skills, occupation groups, municipalities.
    pub taxonomy_sizes: (usize, usize, usize),
}

impl Engine {
    /// Opens the index under `index_dir` (an index that cannot be opened is rebuilt from the
    /// database) and loads the projection. `taxonomy` is the instance's own: the newest
    /// version stored in the database, when there is one, is in force instead.
    pub async fn open(
        store: Store,
        index_dir: &Path,
        taxonomy: Arc<Taxonomy>,
        profile: WeightProfile,
        secret: Secret,
    ) -> Result<Arc<Engine>> {
        let (taxonomy, taxonomy_stamp) = taxonomy::taxonomy_in_force(&store, taxonomy).await?;
        let index = indexer::open_index(index_dir)?;
        let engine = Arc::new(Engine {
            store,
            index: RwLock::new(index.map(Arc::new)),
            index_dir: index_dir.to_path_buf(),
            taxonomy: arc_swap::ArcSwap::new(taxonomy),
            taxonomy_stamp: RwLock::new(taxonomy_stamp),
            profile,
            secret,
            projection: RwLock::new(Projection::default()),
            indexer: tokio::sync::Mutex::new(()),
            wake: Arc::new(tokio::sync::Notify::new()),
            applied: tokio::sync::watch::Sender::new(0),
            followers: AtomicUsize::new(0),
            text_hit_limit: AtomicUsize::new(TEXT_HIT_LIMIT),
            changed_openings: parking_lot::Mutex::new(Vec::new()),
            presented: presented::PresentedOpenings::new(presented::PRESENTED_OPENINGS),
            deliveries: Arc::new(tokio::sync::Notify::new()),
            ranking_turns: Arc::new(tokio::sync::Semaphore::new(
                matching::RANKINGS_PER_THREAD * rayon::current_num_threads(),
            )),
        });
        if engine.load_projection().await? {
            tokio::spawn(Arc::clone(&engine).rebuild_beside());
        }
        Ok(engine)
    }

    /// Changes how many text hits the index hands to the ranking core (tuning, and tests of
    /// the text cut-off on small data).
    pub fn set_text_hit_limit(&self, limit: usize) {
        self.text_hit_limit.store(limit.max(1), Ordering::Relaxed);
    }

    fn text_hit_limit(&self) -> usize {
        self.text_hit_limit.load(Ordering::Relaxed)
    }

    /// A read of the projection, for a ranking (see [`read_among_rayon`]).
    fn read_projection(&self) -> RwLockReadGuard<'_, Projection> {
        read_among_rayon(&self.projection)
    }

    /// The search index, or [`ServiceError::IndexRebuilding`] while it is rebuilt.
    fn index(&self) -> Result<Arc<OpeningIndex>> {
        self.index
            .read()
            .as_ref()
            .map(Arc::clone)
            .ok_or(ServiceError::IndexRebuilding)
    }

    /// The last outbox row `index` has applied; without one (while it is rebuilt), the last
    /// one the projection has.
    fn applied_by(&self, index: Option<&OpeningIndex>) -> i64 {
        match index {
            Some(index) => index.applied_seq(),
            None => *self.applied.borrow(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The code the unit's staff see for a participant instead of their id.
    pub fn staff_pseudonym(&self, participant_id: Id) -> String {
        self.secret.staff_pseudonym(participant_id)
    }

    pub async fn status(&self, caller: &Caller) -> Result<Status> {
        caller.require(openings::STAFF)?;
        let counts = self.store.counts().await?;
        let outbox_head = self.store.outbox_head().await?;
        let index = self.index().ok();
        // The stamp before the taxonomy: a swap stores the taxonomy first, so a new stamp is
        // never reported with the sizes of the taxonomy it replaced.
        let stamp = self.taxonomy_stamp();
        let taxonomy = self.taxonomy();
        Ok(Status {
            instance: instance_name(),
            database: self.store.backend_name(),
            counts,
            outbox_head,
            index_applied: self.applied_by(index.as_deref()),
            indexed_openings: index.as_ref().map_or(0, |i| i.num_docs()),
            index_ready: index.is_some(),
            weight_profile: ProfileStamp {
                name: self.profile.name.clone(),
                version: self.profile.version,
            },
            taxonomy: stamp,
            taxonomy_sizes: (
                taxonomy.skill_count(),
                taxonomy.occupations().len(),
                taxonomy.municipalities().len(),
            ),
        })
    }
}

/// This process as status reports name it: host and process id, which tell apart instances
/// behind one load balancer.
fn instance_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{host}:{}", std::process::id())
}

/// A read of `lock` that cannot wait for itself. A thread of rayon's pool that holds a read
/// (a ranking under way, waiting in its own join) runs other jobs meanwhile, such as the next
/// ranking of a gap analysis or an allocation; a fair read there would queue behind a waiting
/// writer, which waits for the first read: neither would ever go on. So on rayon's threads
/// the read is recursive (it joins the readers there are); elsewhere it is fair, so the
/// indexer's writes are not starved by a steady stream of matches.
fn read_among_rayon<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    if rayon::current_thread_index().is_some() {
        lock.read_recursive()
    } else {
        lock.read()
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_read_on_a_rayon_thread_passes_a_waiting_writer() {
        let lock = Arc::new(RwLock::new(0u32));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let (done, finished) = mpsc::channel();
        let shared = Arc::clone(&lock);
        pool.spawn(move || {
            let first = read_among_rayon(&shared);
            let writer = {
                let lock = Arc::clone(&shared);
                std::thread::spawn(move || *lock.write() += 1)
            };
            // Until the writer has claimed the lock and waits for the first read to end.
            while !shared.is_locked_exclusive() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let second = read_among_rayon(&shared);
            let seen = (*first, *second);
            drop((first, second));
            writer.join().expect("writer");
            done.send(seen).expect("send");
        });
        let seen = finished
            .recv_timeout(Duration::from_secs(20))
            .expect("the second read waited for itself");
        assert_eq!(seen, (0, 0));
        assert_eq!(*lock.read(), 1, "the writer went on after the reads");
    }
}
