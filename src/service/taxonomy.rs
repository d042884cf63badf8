//! The taxonomy in force: the newest version imported into the database (`jobmatch
//! import-taxonomy`), else the one the instance was started with (built-in or
//! `--taxonomy-dir`). Importing stores a whole new version with an outbox row; every instance
//! following the outbox builds it, swaps it in without a restart and recomputes the in-memory
//! features from it. Stored openings and profiles are never rewritten: they keep their concept
//! ids, which mean the same in every version.
//!
//! What this module must not do: derive taxonomy files (that is `taxonomy::jobtech`) or speak
//! SQL (that is `store`).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::store::{NewTaxonomy, Store, StoreError, StoredTaxonomy, TaxonomyVersion};
use crate::taxonomy::jobtech::{self, DeriveSummary, ImportMode, JobTechFiles};
use crate::taxonomy::{Taxonomy, TaxonomyData, TaxonomyError};

use super::Engine;
use super::error::{InternalError, Result, ServiceError};

/// Which taxonomy is in force, as status shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaxonomyStamp {
    /// The stored version; 0 when none was imported and the instance's own is in force.
    pub version: i64,
    /// What the version was imported from; `None` for the instance's own.
    pub source: Option<String>,
    pub mode: Option<String>,
    pub imported_at: Option<DateTime<Utc>>,
}

impl From<&TaxonomyVersion> for TaxonomyStamp {
    fn from(v: &TaxonomyVersion) -> Self {
        TaxonomyStamp {
            version: v.version,
            source: Some(v.source.clone()),
            mode: Some(v.mode.clone()),
            imported_at: Some(v.imported_at),
        }
    }
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyImportError {
    /// The files could not be read, or what they give would not load.
    #[error(transparent)]
    Taxonomy(#[from] TaxonomyError),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("the import task failed: {0}")]
    Task(String),
}

impl From<TaxonomyImportError> for ServiceError {
    fn from(e: TaxonomyImportError) -> Self {
        match e {
            TaxonomyImportError::Store(e) => e.into(),
            TaxonomyImportError::Taxonomy(e) => InternalError::Taxonomy(e).into(),
            TaxonomyImportError::Task(e) => InternalError::Task(e).into(),
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, PartialEq)]
pub enum TaxonomyImport {
    /// A new version was stored and is in force; running instances swap it in.
    Stored {
        version: TaxonomyVersion,
        summary: DeriveSummary,
    },
    /// The files give exactly the taxonomy in force; nothing was stored.
    Unchanged {
        version: i64,
        summary: DeriveSummary,
    },
}

/// The files of the taxonomy in force: the newest stored version's, else `own`'s.
pub async fn data_in_force(
    store: &Store,
    own: TaxonomyData,
) -> Result<(TaxonomyData, Option<TaxonomyVersion>), TaxonomyImportError> {
    match store.current_taxonomy().await? {
        Some(stored) => Ok((stored_data(&stored)?, Some(stored.version))),
        None => Ok((own, None)),
    }
}

fn stored_data(stored: &StoredTaxonomy) -> Result<TaxonomyData, TaxonomyError> {
    TaxonomyData::from_json(
        &format!("taxonomy version {}", stored.version.version),
        &stored.files,
    )
}

/// Derives a taxonomy from JobTech's files over the one in force (`own` when none was
/// imported) and stores it as a new version, unless it is the one in force already. Work
/// beside a running server: it picks the version up from the outbox.
pub async fn import_taxonomy(
    store: &Store,
    files: JobTechFiles,
    own: TaxonomyData,
    mode: ImportMode,
) -> Result<TaxonomyImport, TaxonomyImportError> {
    let (base, current) = data_in_force(store, own).await?;
    let in_force = base.checksum();
    let (data, summary, files) = tokio::task::spawn_blocking(move || {
        jobtech::derive(&files, &base, mode).map(|(data, summary)| (data, summary, files))
    })
    .await
    .map_err(|e| TaxonomyImportError::Task(e.to_string()))??;
    let checksum = data.checksum();
    if checksum == in_force {
        return Ok(TaxonomyImport::Unchanged {
            version: current.map_or(0, |c| c.version),
            summary,
        });
    }
    let version = store
        .save_taxonomy(&NewTaxonomy {
            source: files.dir.display().to_string(),
            mode: mode.as_str().to_owned(),
            checksum,
            summary: serde_json::to_string(&summary).unwrap_or_else(|_| "{}".to_owned()),
            files: data.to_json(),
        })
        .await?;
    Ok(TaxonomyImport::Stored { version, summary })
}

/// The taxonomy in force for a process that is not serving (an import command): the newest
/// stored version, else `own`.
pub async fn taxonomy_in_force(
    store: &Store,
    own: Arc<Taxonomy>,
) -> Result<(Arc<Taxonomy>, TaxonomyStamp), TaxonomyImportError> {
    match store.current_taxonomy().await? {
        None => Ok((own, TaxonomyStamp::default())),
        Some(stored) => {
            let stamp = TaxonomyStamp::from(&stored.version);
            let taxonomy = tokio::task::spawn_blocking(move || stored_data(&stored)?.build())
                .await
                .map_err(|e| TaxonomyImportError::Task(e.to_string()))??;
            Ok((Arc::new(taxonomy), stamp))
        }
    }
}

impl Engine {
    /// The taxonomy in force, as a handle that stays valid while a newer one is swapped in:
    /// take it once per request, so one request never sees two taxonomies.
    pub fn taxonomy(&self) -> Arc<Taxonomy> {
        self.taxonomy.load_full()
    }

    /// Which taxonomy is in force.
    pub fn taxonomy_stamp(&self) -> TaxonomyStamp {
        self.taxonomy_stamp.read().clone()
    }

    /// Swaps in the newest stored taxonomy when it is newer than the one in force, and
    /// recomputes the projection's features from it. Called by the follower under the indexer
    /// lock when the outbox announces a version. Returns whether it swapped.
    pub(super) async fn reload_taxonomy(&self) -> Result<bool> {
        let Some(stored) = self.store.current_taxonomy().await? else {
            return Ok(false);
        };
        if stored.version.version <= self.taxonomy_stamp.read().version {
            return Ok(false);
        }
        let stamp = TaxonomyStamp::from(&stored.version);
        let taxonomy = tokio::task::spawn_blocking(move || stored_data(&stored)?.build())
            .await
            .map_err(|e| InternalError::Task(e.to_string()))?
            .map_err(InternalError::Taxonomy)?;
        self.taxonomy.store(Arc::new(taxonomy));
        *self.taxonomy_stamp.write() = stamp.clone();
        self.project_all().await?;
        tracing::info!(
            version = stamp.version,
            source = stamp.source.as_deref().unwrap_or(""),
            "taxonomy version in force"
        );
        Ok(true)
    }
}
