//! Health and status on the wire.

use serde::Serialize;
use utoipa::ToSchema;

use super::ranking::ProfileStampView;
use crate::service::Status;

/// The answer of `GET /health`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Counts of stored objects and how far the search index has caught up.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Status)]
pub struct StatusView {
    /// The instance that answered (host:pid); instances sharing a database each have their
    /// own index, so lag is per instance.
    #[schema(example = "jobmatch-1:4242")]
    pub instance: String,
    /// The database backend: `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
    pub employers: i64,
    pub openings: i64,
    pub open_openings: i64,
    pub participants: i64,
    /// The last outbox row every instance can see: changes up to here are committed.
    pub outbox_head: i64,
    /// The last outbox row this instance's index and projection have applied.
    pub index_applied: i64,
    /// Outbox rows written but not yet in the index.
    pub index_lag: i64,
    pub indexed_openings: u64,
    /// False while this instance rebuilds its index from the database (it was missing,
    /// damaged or of an older schema); search and suggestions answer 503 until it is true.
    pub index_ready: bool,
    pub weight_profile: ProfileStampView,
    pub taxonomy: TaxonomyStampView,
}

/// The taxonomy in force on this instance.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = TaxonomyStamp)]
pub struct TaxonomyStampView {
    /// The version imported with `jobmatch import-taxonomy`; 0 when none was, and the
    /// instance's own (built-in or `--taxonomy-dir`) is in force.
    #[schema(example = 2)]
    pub version: i64,
    /// What the version was imported from; null for the instance's own.
    pub source: Option<String>,
    /// `extend` or `replace`; null for the instance's own.
    pub mode: Option<String>,
    pub imported_at: Option<chrono::DateTime<chrono::Utc>>,
    pub skills: usize,
    pub occupation_groups: usize,
    pub municipalities: usize,
}

impl From<Status> for StatusView {
    fn from(s: Status) -> Self {
        StatusView {
            instance: s.instance,
            database: s.database,
            employers: s.counts.employers,
            openings: s.counts.openings,
            open_openings: s.counts.open_openings,
            participants: s.counts.participants,
            outbox_head: s.outbox_head,
            index_applied: s.index_applied,
            index_lag: (s.outbox_head - s.index_applied).max(0),
            indexed_openings: s.indexed_openings,
            index_ready: s.index_ready,
            weight_profile: (&s.weight_profile).into(),
            taxonomy: TaxonomyStampView {
                version: s.taxonomy.version,
                source: s.taxonomy.source,
                mode: s.taxonomy.mode,
                imported_at: s.taxonomy.imported_at,
                skills: s.taxonomy_sizes.0,
                occupation_groups: s.taxonomy_sizes.1,
                municipalities: s.taxonomy_sizes.2,
            },
        }
    }
}
