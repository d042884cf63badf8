//! The SQLite backend: [`SqliteStore`] and every SQL statement it runs, one file per resource
//! (`employers`, `openings`, `participants`, `access_log`, `outbox` with the status counts,
//! `import`). This file opens the database and maps the [`Backend`](super::Backend) contract onto those files.
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

use super::backend::resource_backend;
use super::{
    AccessEntry, AccessRecord, Counts, ImportReport, OutboxEntry, StoreError, TokenRecord,
};
use crate::model::{Employer, Id, Identity, Opening, Participant, Profile, Role, User};

mod access_log;
mod alerts;
mod allocations;
mod employers;
mod import;
mod openings;
mod outbox;
mod participants;
mod placements;
mod programme;
mod taxonomy;
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

// The contract is documented on `Backend`; the macro maps each method to its resource file.
resource_backend!(SqliteStore);
