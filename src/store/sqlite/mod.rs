//! The SQLite backend: [`SqliteStore`] and every SQL statement it runs, one file per resource
//! (`employers`, `openings`, `participants`, `access_log`, `outbox` with the status counts,
//! `import`). This file opens the database and maps the [`Backend`] contract onto those files.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions: SQLite allows one writer, and taking the
//! write lock up front means a concurrent writer waits on the busy timeout instead of failing
//! with `SQLITE_BUSY` when a read transaction tries to upgrade.
//!
//! **The outbox relies on that one writer.** Because writers are serialised, the outbox's
//! AUTOINCREMENT `seq` is also commit order: a row with a lower `seq` can never become visible
//! after one with a higher `seq`, which is what lets the index's follower keep a single cursor
//! (`seq > applied`). Nothing in the SQL enforces this; SQLite's locking does. A PostgreSQL
//! backend has concurrent writers whose sequence values can commit out of order, and must add
//! what SQLite gives for free: read only below the oldest in-flight transaction id, take a
//! transaction-scoped advisory lock around outbox inserts, or track gaps (see
//! [`Backend::outbox_after`] and `outbox.rs`).
//!
//! What this module must not do: let a sqlx row, pool or transaction out (the trait returns
//! domain types), define an encoding (that is `codec`'s, shared with the other backend), or
//! hold SQL that is not SQLite's.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Sqlite, Transaction};

use super::{
    AccessEntry, AccessRecord, Backend, Counts, ImportReport, OutboxEntry, StoreError, TokenRecord,
};
use crate::model::{Employer, Id, Identity, Opening, Participant, Profile, Role, User};

mod access_log;
mod employers;
mod import;
mod openings;
mod outbox;
mod participants;
#[cfg(test)]
mod tests;
mod users;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// One SQLite database (a file in WAL mode, or `sqlite::memory:`): the default backend.
/// Cheap to clone: it wraps a connection pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Open by URL; `sqlite::memory:` gets a single long-lived connection, since every
    /// connection to an in-memory database would otherwise see its own, and the data would
    /// vanish when the pool let its last connection go.
    pub(super) async fn open_url(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        connect(options, in_memory).await
    }

    pub(super) async fn open_file(path: &Path) -> Result<SqliteStore, StoreError> {
        connect(SqliteConnectOptions::new().filename(path), false).await
    }
}

async fn connect(
    options: SqliteConnectOptions,
    in_memory: bool,
) -> Result<SqliteStore, StoreError> {
    let options = options
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Erased personal data is overwritten in the file, not just unlinked.
        .pragma("secure_delete", "on");
    let pool = if in_memory {
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?
    } else {
        SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.journal_mode(SqliteJournalMode::Wal))
            .await?
    };
    MIGRATOR.run(&pool).await?;
    Ok(SqliteStore { pool })
}

/// A write transaction holding SQLite's write lock from the start (see the module docs): the
/// lock that makes outbox `seq` order commit order.
async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, StoreError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// The contract's documentation is on [`Backend`]; each method here only says which file's
/// statement fulfils it.
impl Backend for SqliteStore {
    async fn close(&self) {
        self.pool.close().await
    }

    async fn create_employer(
        &self,
        name: &str,
        org_number: Option<&str>,
        municipality_code: Option<&str>,
    ) -> Result<Employer, StoreError> {
        employers::create_employer(&self.pool, name, org_number, municipality_code).await
    }

    async fn employer(&self, id: Id) -> Result<Option<Employer>, StoreError> {
        employers::employer(&self.pool, id).await
    }

    async fn create_opening(&self, opening: &Opening) -> Result<Opening, StoreError> {
        openings::create_opening(&self.pool, opening).await
    }

    async fn opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
        openings::opening(&self.pool, id).await
    }

    async fn update_opening(
        &self,
        id: Id,
        opening: &Opening,
    ) -> Result<Option<Opening>, StoreError> {
        openings::update_opening(&self.pool, id, opening).await
    }

    async fn close_opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
        openings::close_opening(&self.pool, id).await
    }

    async fn openings(&self, ids: &[Id]) -> Result<Vec<Opening>, StoreError> {
        openings::openings(&self.pool, ids).await
    }

    async fn all_openings(&self) -> Result<Vec<Opening>, StoreError> {
        openings::all_openings(&self.pool).await
    }

    async fn create_participant(
        &self,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> Result<Participant, StoreError> {
        participants::create_participant(&self.pool, identity, profile, coach_id).await
    }

    async fn participant(&self, id: Id) -> Result<Option<Participant>, StoreError> {
        participants::participant(&self.pool, id).await
    }

    async fn update_participant(
        &self,
        id: Id,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> Result<Option<Participant>, StoreError> {
        participants::update_participant(&self.pool, id, identity, profile, coach_id).await
    }

    async fn erase_participant(&self, id: Id) -> Result<bool, StoreError> {
        participants::erase_participant(&self.pool, id).await
    }

    async fn participant_coach(&self, id: Id) -> Result<Option<Option<Id>>, StoreError> {
        participants::participant_coach(&self.pool, id).await
    }

    async fn delete_participant(&self, id: Id) -> Result<bool, StoreError> {
        participants::delete_participant(&self.pool, id).await
    }

    async fn participant_profile(&self, id: Id) -> Result<Option<Profile>, StoreError> {
        participants::participant_profile(&self.pool, id).await
    }

    async fn profiles(&self, ids: &[Id]) -> Result<Vec<(Id, Profile)>, StoreError> {
        participants::profiles(&self.pool, ids).await
    }

    async fn all_profiles(&self) -> Result<Vec<(Id, Profile)>, StoreError> {
        participants::all_profiles(&self.pool).await
    }

    async fn log_reads(&self, entries: &[AccessEntry]) -> Result<(), StoreError> {
        access_log::log_reads(&self.pool, entries).await
    }

    async fn access_log(
        &self,
        participant_id: Option<Id>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccessRecord>, StoreError> {
        access_log::access_log(&self.pool, participant_id, offset, limit).await
    }

    async fn create_user(
        &self,
        role: Role,
        name: &str,
        employer_id: Option<Id>,
    ) -> Result<User, StoreError> {
        users::create_user(&self.pool, role, name, employer_id).await
    }

    async fn user(&self, id: Id) -> Result<Option<User>, StoreError> {
        users::user(&self.pool, id).await
    }

    async fn create_token(
        &self,
        user_id: Id,
        selector: &str,
        verifier_hash: &[u8],
    ) -> Result<(), StoreError> {
        users::create_token(&self.pool, user_id, selector, verifier_hash).await
    }

    async fn token(&self, selector: &str) -> Result<Option<(TokenRecord, Vec<u8>)>, StoreError> {
        users::token(&self.pool, selector).await
    }

    async fn revoke_token(&self, selector: &str) -> Result<bool, StoreError> {
        users::revoke_token(&self.pool, selector).await
    }

    async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        users::tokens(&self.pool).await
    }

    async fn outbox_after(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        outbox::outbox_after(&self.pool, after_seq, limit).await
    }

    async fn outbox_head(&self) -> Result<i64, StoreError> {
        outbox::outbox_head(&self.pool).await
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        outbox::counts(&self.pool).await
    }

    async fn import(
        &self,
        employers: &[Employer],
        openings: &[Opening],
        participants: &[(Identity, Profile)],
        coach_id: Option<Id>,
    ) -> Result<ImportReport, StoreError> {
        import::import(&self.pool, employers, openings, participants, coach_id).await
    }
}
