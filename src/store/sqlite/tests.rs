//! Tests of the SQLite backend's own mechanics: URL forms, files that reopen, WAL mode; and
//! the raw table scan the shared erasure test asks of each backend.
//!
//! What this module must not do: test the [`Backend`](crate::store::Backend) contract itself;
//! that belongs in `store/tests/`, where every backend runs it.

use sqlx::{AssertSqlSafe, Row};

use super::SqliteStore;
use crate::model::Employer;
use crate::store::tests::fixtures::{full_identity, full_opening, full_profile};
use crate::store::{Store, StoreError};

impl SqliteStore {
    /// Runs one statement straight on the database, below the store's own queries, as a
    /// careless or hostile application would.
    pub(in crate::store) async fn raw_execute(&self, sql: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool.write)
            .await?
            .rows_affected())
    }

    /// Every `table.column` (over every table but SQLite's own) whose value, cast to text,
    /// contains `needle`, and the tables searched.
    pub(in crate::store) async fn raw_cells_containing(
        &self,
        needle: &str,
    ) -> (Vec<String>, Vec<String>) {
        let pool = &self.pool.read;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        let mut found = Vec::new();
        for table in &tables {
            let columns: Vec<String> = sqlx::query(AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(pool)
            .await
            .expect("columns")
            .iter()
            .map(|row| row.get::<String, _>(0))
            .collect();
            for column in &columns {
                let hits: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?) > 0"
                )))
                .bind(needle)
                .fetch_one(pool)
                .await
                .expect("scan");
                if hits != 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
        (tables, found)
    }
}

/// A fresh database file, and the directory that holds it for as long as the test keeps it.
async fn file_database() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open_file(&dir.path().join("jobmatch.db"))
        .await
        .expect("open");
    (dir, sqlite)
}

#[tokio::test]
async fn file_databases_run_in_wal_mode() {
    let (_dir, sqlite) = file_database().await;
    for pool in [&sqlite.pool.read, &sqlite.pool.write] {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .expect("journal mode");
        assert_eq!(mode, "wal");
    }
}

#[tokio::test]
async fn reopening_the_file_sees_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested.db");
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url).await.expect("open by url");
    let e = store.create_employer("A", None, None).await.expect("a");
    let o = store.create_opening(&full_opening(e.id)).await.expect("o");
    let p = store
        .create_participant(&full_identity("G"), &full_profile(), None)
        .await
        .expect("p");
    let head = store.outbox_head().await.expect("head");
    store.close().await;
    drop(store);

    let store = Store::open_sqlite_file(&path).await.expect("reopen");
    assert_eq!(store.employer(e.id).await.expect("read"), Some(e));
    assert_eq!(store.opening(o.id).await.expect("read"), Some(o));
    assert_eq!(store.participant(p.id).await.expect("read"), Some(p));
    assert_eq!(store.outbox_head().await.expect("head"), head);
    assert!(!store.is_empty().await.expect("not empty"));
}

#[tokio::test]
async fn open_accepts_the_sqlite_url_forms_and_refuses_other_schemes() {
    let err = Store::open("mysql://localhost/jobmatch")
        .await
        .expect_err("no such backend");
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
    let err = Store::open("jobmatch.db").await.expect_err("no scheme");
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");

    let memory = Store::open("sqlite::memory:").await.expect("in memory");
    memory
        .create_employer("M", None, None)
        .await
        .expect("write");
    assert_eq!(memory.counts().await.expect("counts").employers, 1);

    let dir = tempfile::tempdir().expect("temp dir");
    let relative = dir.path().join("rel.db");
    let store = Store::open(&format!("sqlite:{}", relative.display()))
        .await
        .expect("sqlite:path");
    assert!(store.is_empty().await.expect("empty"));
    assert!(relative.exists(), "created if missing");
}

#[tokio::test]
async fn an_import_leaves_the_writer_as_it_was_and_the_data_as_its_constraints_want() {
    // The writer's pool is one connection: the import's is the one asked afterwards.
    let (_dir, sqlite) = file_database().await;
    let settings = || async {
        let mut values = Vec::new();
        for name in [
            "cache_size",
            "temp_store",
            "foreign_keys",
            "ignore_check_constraints",
        ] {
            let value: i64 = sqlx::query_scalar(AssertSqlSafe(format!("PRAGMA {name}")))
                .fetch_one(&sqlite.pool.write)
                .await
                .expect(name);
            values.push((name, value));
        }
        values
    };
    // What a writer that is not the codec could do, and the constraints refuse.
    let refused = || async {
        let bad_json = "INSERT INTO openings (employer_id, kind, title, description, skills_required, \
             skills_merit, licences, swedish_required, places, hours, employment_form, supervisor, \
             status, created_at, updated_at) VALUES ((SELECT MIN(id) FROM employers), 'vacancy', \
             't', 'd', 'not json', '[]', '[]', 0, 1, 'full_time', 'permanent', 0, 'open', 'x', 'x')";
        let no_employer = bad_json
            .replace("(SELECT MIN(id) FROM employers)", "999999")
            .replace("'not json'", "'[]'");
        (
            sqlite.raw_execute(bad_json).await.is_err(),
            sqlite.raw_execute(&no_employer).await.is_err(),
        )
    };
    let usual = settings().await;
    assert_eq!(
        usual.iter().map(|&(_, v)| v).collect::<Vec<_>>()[2..],
        [1, 0],
        "{usual:?}"
    );
    let employer = Employer {
        id: 7,
        name: "Sju AB".into(),
        org_number: None,
        municipality_code: None,
    };
    let openings: Vec<_> = (0..600).map(|_| full_opening(7)).collect();
    let report = super::import::import(
        &sqlite.pool,
        std::slice::from_ref(&employer),
        &openings,
        &[],
        None,
    )
    .await
    .expect("import");
    assert_eq!(report.opening_ids.len(), 600);
    assert_eq!(settings().await, usual);
    assert_eq!(refused().await, (true, true));
    // What the import wrote passes the checks it skipped, and every opening has its outbox row.
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&sqlite.pool.read)
        .await
        .expect("integrity check");
    assert_eq!(integrity, ["ok"]);
    let orphans = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&sqlite.pool.read)
        .await
        .expect("foreign key check");
    assert!(orphans.is_empty());
    let queued: Vec<i64> =
        sqlx::query_scalar("SELECT entity_id FROM outbox WHERE entity = 'opening' ORDER BY seq")
            .fetch_all(&sqlite.pool.read)
            .await
            .expect("outbox");
    assert_eq!(queued, report.opening_ids);

    // A batch that fails inside the transaction, at its last participant, leaves it the same
    // way.
    let nowhere = crate::model::Profile {
        home: crate::model::Place {
            municipality_code: None,
            point: Some(crate::model::GeoPoint {
                lat: f64::NAN,
                lon: 0.0,
            }),
        },
        ..crate::model::Profile::default()
    };
    super::import::import(
        &sqlite.pool,
        &[],
        &[],
        &[(full_identity("N"), nowhere)],
        None,
    )
    .await
    .expect_err("a home that is not a point");
    assert_eq!(settings().await, usual);
    assert_eq!(refused().await, (true, true));

    // So does one given up half-way, at whatever point the caller went away.
    for after_us in [0, 200, 1_000, 5_000] {
        let gave_up = tokio::time::timeout(
            std::time::Duration::from_micros(after_us),
            super::import::import(
                &sqlite.pool,
                std::slice::from_ref(&employer),
                &openings,
                &[],
                None,
            ),
        )
        .await;
        assert!(gave_up.is_err() || gave_up.is_ok_and(|r| r.is_ok()));
        assert_eq!(settings().await, usual, "given up after {after_us} µs");
        assert_eq!(
            refused().await,
            (true, true),
            "given up after {after_us} µs"
        );
    }
}

#[tokio::test]
async fn concurrent_writers_take_turns_on_the_writers_connection() {
    use crate::store::{Backend, Entity};
    let (_dir, sqlite) = file_database().await;
    let employer = sqlite
        .create_employer("Turordning AB", None, None)
        .await
        .expect("employer");
    // More writers than the readers' pool has connections: none may fail on a busy lock.
    let writes = (0..40).map(|_| {
        let (sqlite, opening) = (sqlite.clone(), full_opening(employer.id));
        tokio::spawn(async move { sqlite.create_opening(&opening).await })
    });
    let mut ids = Vec::new();
    for write in writes {
        ids.push(write.await.expect("task").expect("create").id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    // One writer at a time: outbox order is commit order, so ids rise with `seq`.
    let outbox = sqlite.outbox_after(0, 100).await.expect("outbox");
    let written: Vec<_> = outbox
        .iter()
        .filter(|e| e.entity == Entity::Opening)
        .map(|e| e.entity_id)
        .collect();
    assert_eq!(written, ids);
}
