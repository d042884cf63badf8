//! The store tests: the [`Backend`](super::Backend) contract, checked on every backend this run
//! can reach, each test on a fresh, empty database per backend.
//!
//! Tests are written against [`Store`], the handle callers hold, and take their stores from
//! [`stores`]; a new backend joins every test by joining that function. Tests of one backend's
//! own mechanics (SQLite's WAL mode, its URL forms) live beside that backend instead.
//!
//! What this module must not do: hold SQL of its own (a raw look at the database, as the erasure
//! test needs, is asked of the backend's test helpers), or loosen an assertion per backend.

use tempfile::TempDir;

use super::{ScratchDatabase, Store};

mod ads;
mod allocations;
pub(super) mod fixtures;
mod import;
mod openings;
mod outbox;
mod participants;
mod placements;
mod taxonomy;
mod users;

/// A fresh store on one backend, and what keeps its database alive until the test ends.
pub(super) struct TestStore {
    /// The backend's name, printed when a test fails on it.
    pub backend: &'static str,
    pub store: Store,
    _database: TestDatabase,
}

/// What must outlive a test store and be cleaned up after it.
enum TestDatabase {
    /// A SQLite file in its own temporary directory, removed on drop.
    SqliteDir { _dir: TempDir },
    /// A database of its own on the test server, dropped on drop.
    Postgres { _database: Box<ScratchDatabase> },
}

impl Drop for TestStore {
    fn drop(&mut self) {
        // The loop over backends in each test does not say which one failed; this does.
        if std::thread::panicking() {
            eprintln!("store test failed on the {} backend", self.backend);
        }
    }
}

/// One fresh, empty, migrated store per backend available to this run: SQLite always, and
/// PostgreSQL when `JOBMATCH_TEST_POSTGRES` names a server (CI sets it; a run without it says
/// so once per test on stderr, so a skipped backend is never silent).
pub(super) async fn stores() -> Vec<TestStore> {
    let mut stores = vec![sqlite().await];
    match std::env::var("JOBMATCH_TEST_POSTGRES") {
        Ok(server) => stores.push(postgres(&server).await),
        Err(_) => {
            eprintln!("JOBMATCH_TEST_POSTGRES is not set: this store test ran on SQLite only")
        }
    }
    stores
}

async fn postgres(server: &str) -> TestStore {
    let database = ScratchDatabase::create(server)
        .await
        .expect("create a scratch database on JOBMATCH_TEST_POSTGRES");
    let store = Store::open(database.url()).await.expect("open store");
    TestStore {
        backend: "postgres",
        store,
        _database: TestDatabase::Postgres {
            _database: Box::new(database),
        },
    }
}

async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_file(&dir.path().join("jobmatch.db"))
        .await
        .expect("open store");
    TestStore {
        backend: "sqlite",
        store,
        _database: TestDatabase::SqliteDir { _dir: dir },
    }
}

/// Runs one raw statement on the backend's database: what the append-only rules must refuse.
pub(super) async fn raw_execute(store: &Store, sql: &str) -> Result<u64, super::StoreError> {
    match store {
        Store::Sqlite(sqlite) => sqlite.raw_execute(sql).await,
        Store::Postgres(postgres) => postgres.raw_execute(sql).await,
    }
}

/// Logs one read by `actor` for `action`, as a coach in the tests.
pub(super) async fn log_read(
    store: &Store,
    participant_id: crate::model::Id,
    actor: &str,
    action: &str,
) {
    store
        .log_reads(&[super::AccessEntry {
            participant_id,
            user_id: None,
            role: crate::model::Role::Coach,
            actor: actor.to_owned(),
            action: action.to_owned(),
        }])
        .await
        .expect("log");
}

/// The access log of one participant as `(actor, action, at)`, oldest first.
pub(super) async fn reads_of(
    store: &Store,
    participant_id: crate::model::Id,
) -> Vec<(String, String, chrono::DateTime<chrono::Utc>)> {
    store
        .access_log(Some(participant_id), 0, 1000)
        .await
        .expect("reads")
        .into_iter()
        .map(|r| (r.actor, r.action, r.at))
        .collect()
}

/// Every `table.column` whose stored text contains `needle`, read straight from the database
/// (below the store's own queries), and the tables that were searched, so the erasure test can
/// prove personal data is gone from every table, not just from what the store reads.
pub(super) async fn raw_cells_containing(
    store: &Store,
    needle: &str,
) -> (Vec<String>, Vec<String>) {
    match store {
        Store::Sqlite(sqlite) => sqlite.raw_cells_containing(needle).await,
        Store::Postgres(postgres) => postgres.raw_cells_containing(needle).await,
    }
}
