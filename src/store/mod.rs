//! The storage layer: the database is the source of truth for employers, openings and
//! participants, and this module is the only code that speaks SQL.
//!
//! [`Store`] is an enum over backends. SQLite (one file, no server) is the only arm today; a
//! PostgreSQL arm slots in beside it, with its SQL in its own submodule, without changing any
//! caller. Backend-neutral encoding (enum spellings, JSON columns, row structs) lives in
//! `codec` so both backends store the same forms.
//!
//! Two promises the rest of the system leans on:
//! - **Outbox.** Every change to an opening or a participant profile writes an [`OutboxEntry`]
//!   in the same transaction, so the search index, which follows the outbox in sequence order,
//!   never misses or invents a change.
//! - **Personal data apart.** A participant's identity (name, personal number, contact) lives
//!   in its own table, apart from the matchable [`Profile`]. Bulk reads for matching
//!   ([`Store::all_profiles`]) never touch it, and reads of a participant are recorded through
//!   [`Store::log_participant_read`]. The outbox and the access log hold ids only.
//!
//! What this module must not do: ranking, taxonomy look-ups, authorisation (callers decide who
//! may read what; this module records that they did), or let sqlx rows escape.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::SqlitePool;

use crate::model::{Employer, Id, Identity, Opening, Participant, Profile};

mod codec;
mod error;
mod sqlite;
#[cfg(test)]
mod tests;

pub use error::StoreError;

/// A handle on the database; cheap to clone (it wraps a connection pool).
///
/// An enum rather than a trait object so each backend keeps plain, statically checked code and
/// adding PostgreSQL is one more arm per method.
#[derive(Clone, Debug)]
pub enum Store {
    /// A SQLite file in WAL mode: the default, single-instance deployment.
    Sqlite(SqlitePool),
}

/// Which kind of object an outbox row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Opening,
    Participant,
}

/// What happened to the object: the indexer re-reads it on `Upsert` and drops it on `Delete`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Delete,
}

/// One committed change, in commit order. Carries ids only: consumers re-read the current
/// state, so replaying an entry twice is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// Strictly increasing; the indexer stores the last one it applied.
    pub seq: i64,
    pub entity: Entity,
    pub entity_id: Id,
    pub op: Op,
}

/// Row counts for health and status endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub employers: i64,
    pub openings: i64,
    pub open_openings: i64,
    pub participants: i64,
}

/// What [`Store::import`] wrote. The id lists are in input order, so the caller can map its
/// input onto the new database ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub employers: usize,
    pub openings: usize,
    pub participants: usize,
    pub employer_ids: Vec<Id>,
    pub opening_ids: Vec<Id>,
    pub participant_ids: Vec<Id>,
}

impl Store {
    /// Opens (creating if missing) the database a URL names and applies the embedded
    /// migrations, so a fresh deployment needs no setup step.
    ///
    /// Accepts `sqlite:relative/path.db`, `sqlite:///absolute/path.db` and `sqlite::memory:`.
    /// Any other scheme is [`StoreError::UnsupportedUrl`].
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(sqlite::open_url(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Opens (creating if missing) a SQLite file by path, for callers that hold a path rather
    /// than a URL (tests, the default data directory).
    pub async fn open_sqlite_file(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::Sqlite(sqlite::open_file(path).await?))
    }

    /// Closes the pool, waiting for connections to finish, so the file can be reopened or
    /// removed cleanly (WAL checkpoint on close).
    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool) => pool.close().await,
        }
    }

    /// Creates an employer; openings must name an existing one.
    pub async fn create_employer(
        &self,
        name: &str,
        org_number: Option<&str>,
        municipality_code: Option<&str>,
    ) -> Result<Employer, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlite::create_employer(pool, name, org_number, municipality_code).await
            }
        }
    }

    /// The employer with this id, if any.
    pub async fn employer(&self, id: Id) -> Result<Option<Employer>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::employer(pool, id).await,
        }
    }

    /// Stores a new opening (its `id` is ignored) and queues it for indexing.
    ///
    /// Fails with [`StoreError::UnknownEmployer`] and writes nothing if the employer does not
    /// exist.
    pub async fn create_opening(&self, opening: &Opening) -> Result<Opening, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::create_opening(pool, opening).await,
        }
    }

    /// The opening with this id, open or closed.
    pub async fn opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::opening(pool, id).await,
        }
    }

    /// Replaces every field of an opening except its id and status (closing is its own
    /// operation, [`Store::close_opening`]) and queues it for re-indexing. `None` if there is
    /// no such opening.
    pub async fn update_opening(
        &self,
        id: Id,
        opening: &Opening,
    ) -> Result<Option<Opening>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::update_opening(pool, id, opening).await,
        }
    }

    /// Marks an opening closed. The row stays: placements and statistics refer to it. `None` if
    /// there is no such opening.
    pub async fn close_opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::close_opening(pool, id).await,
        }
    }

    /// The openings with these ids, in id order; ids that do not exist are skipped. Used to
    /// hydrate search hits.
    pub async fn openings(&self, ids: &[Id]) -> Result<Vec<Opening>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::openings(pool, ids).await,
        }
    }

    /// Every opening, open and closed, in id order: the input for rebuilding the index and
    /// in-memory caches.
    pub async fn all_openings(&self) -> Result<Vec<Opening>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::all_openings(pool).await,
        }
    }

    /// Stores a new participant (identity and profile) and queues the profile for indexing.
    pub async fn create_participant(
        &self,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<Participant, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::create_participant(pool, identity, profile).await,
        }
    }

    /// A participant with identity. This returns personal data: the caller must record the
    /// read with [`Store::log_participant_read`] (kept separate so the caller, which knows
    /// the actor and purpose, decides what to log).
    pub async fn participant(&self, id: Id) -> Result<Option<Participant>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::participant(pool, id).await,
        }
    }

    /// Replaces a participant's identity and profile and queues the profile for re-indexing.
    /// `None` if there is no such participant.
    pub async fn update_participant(
        &self,
        id: Id,
        identity: &Identity,
        profile: &Profile,
    ) -> Result<Option<Participant>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::update_participant(pool, id, identity, profile).await,
        }
    }

    /// Erases a participant: identity and profile rows are deleted (SQLite's `secure_delete` is
    /// on, so their bytes are overwritten in the file too) and a delete is queued for the index.
    /// The access log keeps its rows, which hold only ids, actors and actions. `false` if there
    /// was no such participant.
    pub async fn delete_participant(&self, id: Id) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::delete_participant(pool, id).await,
        }
    }

    /// One matchable profile without identity: what matching reads, so suggestions need not
    /// touch the identity table.
    pub async fn participant_profile(&self, id: Id) -> Result<Option<Profile>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::participant_profile(pool, id).await,
        }
    }

    /// The matchable profiles with these ids, in id order; deleted ids are skipped. Lets the
    /// indexer load a batch of changed participants in one query.
    pub async fn profiles(&self, ids: &[Id]) -> Result<Vec<(Id, Profile)>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::profiles(pool, ids).await,
        }
    }

    /// Every matchable profile, without identity, in id order: the input for matching and for
    /// rebuilding the index.
    pub async fn all_profiles(&self) -> Result<Vec<(Id, Profile)>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::all_profiles(pool).await,
        }
    }

    /// Records that `actor` read participant `participant_id` for `action` (e.g. `"view"`,
    /// `"export"`). The participant need not exist, so failed attempts can be logged too.
    /// `actor` and `action` must not contain personal data: the log outlives the participant.
    pub async fn log_participant_read(
        &self,
        participant_id: Id,
        actor: &str,
        action: &str,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                sqlite::log_participant_read(pool, participant_id, actor, action).await
            }
        }
    }

    /// The access log of one participant, oldest first: `(actor, action, at)`. For audits and
    /// for the participant's own right of access.
    pub async fn participant_reads(
        &self,
        participant_id: Id,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::participant_reads(pool, participant_id).await,
        }
    }

    /// Up to `limit` outbox entries with `seq > after_seq`, ascending: the indexer's feed.
    pub async fn outbox_after(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::outbox_after(pool, after_seq, limit).await,
        }
    }

    /// The highest outbox sequence number, 0 when the outbox is empty; the index lag is this
    /// minus the indexer's last applied seq.
    pub async fn outbox_head(&self) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::outbox_head(pool).await,
        }
    }

    /// Row counts, for status endpoints and the CLI.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::counts(pool).await,
        }
    }

    /// True when there are no employers, openings or participants, so demo data can be loaded
    /// without mixing into real data.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let c = self.counts().await?;
        Ok(c.employers == 0 && c.openings == 0 && c.participants == 0)
    }

    /// Loads a batch in one transaction: all of it or none of it.
    ///
    /// The employers' `id`s are input-local keys: each opening's `employer_id` must name one of
    /// them, and is rewritten to the new database id. Opening ids are ignored. A reference to
    /// an employer not in `employers` fails with [`StoreError::UnknownEmployer`] (the input id),
    /// a duplicate employer id with [`StoreError::Invalid`]; either way nothing is written.
    /// Every opening and participant gets an outbox row.
    pub async fn import(
        &self,
        employers: &[Employer],
        openings: &[Opening],
        participants: &[(Identity, Profile)],
    ) -> Result<ImportReport, StoreError> {
        match self {
            Store::Sqlite(pool) => sqlite::import(pool, employers, openings, participants).await,
        }
    }
}
