//! The PostgreSQL backend: [`PostgresStore`] and every SQL statement it runs, one file per
//! resource, laid out as the SQLite backend is (`employers`, `openings`, `participants`,
//! `access_log`, `users`, `outbox` with the status counts, `import`). This file connects,
//! migrates and maps the [`Backend`](super::Backend) contract onto those files.
//!
//! PostgreSQL is how a deployment outgrows one SQLite file: several instances share one
//! database, each with its own index, each following the outbox. Two differences from SQLite
//! shape this module:
//! - **Concurrent writers.** Write transactions run at READ COMMITTED and do not serialise, so
//!   outbox rows are numbered after they commit, by the sequencer in `outbox.rs`; that is what
//!   keeps the follower's single cursor sound (see [`Backend::outbox_after`]).
//! - **Several instances start together.** sqlx's migrator takes a PostgreSQL advisory lock
//!   while it applies migrations, so two instances starting at once do not race; the second
//!   finds the schema applied.
//!
//! What this module must not do: let a sqlx row, pool or transaction out (the trait returns
//! domain types), define an encoding (that is `codec`'s, shared with SQLite), or hold SQL that
//! is not PostgreSQL's.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The channel outbox inserts notify on commit (see the migration), so followers wake at once.
const OUTBOX_CHANNEL: &str = "jobmatch_outbox";

/// One PostgreSQL database, shared by every instance that names it. Cheap to clone: it wraps
/// a connection pool.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `postgres://…` and applies the embedded migrations under sqlx's advisory
    /// lock. The database must exist: creating one is the operator's decision (README).
    pub(super) async fn open_url(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("jobmatch");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PostgresStore { pool })
    }

    /// A listener on [`OUTBOX_CHANNEL`], for a follower to wake on commits by any instance.
    pub(super) async fn change_listener(&self) -> Result<ChangeListener, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(OUTBOX_CHANNEL).await?;
        Ok(ChangeListener(listener))
    }
}

/// Notifications that some instance committed outbox rows: a hint to read the outbox now,
/// never the rows themselves (a notification can be lost; the follower still polls).
#[derive(Debug)]
pub struct ChangeListener(sqlx::postgres::PgListener);

impl ChangeListener {
    /// Waits for the next commit's notification. After a lost connection sqlx reconnects and
    /// listens again; notifications sent meanwhile are lost, which the follower's polling
    /// covers.
    pub async fn changed(&mut self) -> Result<(), StoreError> {
        self.0.recv().await?;
        Ok(())
    }
}

// The contract is documented on `Backend`; the macro maps each method to its resource file.
resource_backend!(PostgresStore);
