//! The SQLite backend: [`SqliteStore`] and every SQL statement it runs, one file per resource
//! (`employers`, `openings`, `participants`, `access_log`, `outbox` with the status counts,
//! `import`). This file opens the database and maps the [`Backend`](super::Backend) contract onto those files.
//!
//! Writes go through one connection of their own ([`Pools::write`]) and run in `BEGIN
//! IMMEDIATE` transactions. SQLite allows one writer; writers queued on the pool take turns
//! in order the moment the lock is free, where writers on several connections would poll for
//! it through the busy handler, asleep up to 100 ms at a time while the lock sits free (8
//! clients creating openings: p99 450-790 ms). Taking the lock up front also means a write
//! from elsewhere (`jobmatch import` beside a server) waits on the busy timeout instead of
//! failing with `SQLITE_BUSY` when a read transaction tries to upgrade.
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

use std::ops::Deref;
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
/// Cheap to clone: it wraps connection pools.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: Pools,
}

/// The readers' connections and the writer's. Reads take `&SqlitePool` and get the readers'
/// through `Deref`; a function that writes takes `&Pools` and writes through [`Pools::write`]
/// (with [`begin_write`] for a transaction).
#[derive(Clone, Debug)]
struct Pools {
    read: SqlitePool,
    /// One connection: the queue of writers (see the module docs).
    write: SqlitePool,
    /// The database lives in its one connection (`sqlite::memory:`), which must never close.
    in_memory: bool,
}

impl Deref for Pools {
    type Target = SqlitePool;

    fn deref(&self) -> &SqlitePool {
        &self.read
    }
}

impl Pools {
    async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
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
        // One connection for everything: it is the database.
        let only = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Pools {
            read: only.clone(),
            write: only,
            in_memory: true,
        }
    } else {
        let options = options.journal_mode(SqliteJournalMode::Wal);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        Pools {
            read: SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?,
            write,
            in_memory: false,
        }
    };
    MIGRATOR.run(&pool.write).await?;
    Ok(SqliteStore { pool })
}

/// A write transaction on the writer's connection, holding SQLite's write lock from the start
/// (see the module docs): the lock that makes outbox `seq` order commit order.
async fn begin_write(pools: &Pools) -> Result<Transaction<'static, Sqlite>, StoreError> {
    Ok(pools.write.begin_with("BEGIN IMMEDIATE").await?)
}

// The contract is documented on `Backend`; the macro maps each method to its resource file.
resource_backend!(SqliteStore);
