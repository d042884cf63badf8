//! Tests of the PostgreSQL backend's own mechanics: the outbox sequencer under writers that
//! commit out of order, migrations applied by instances starting together; and the raw table
//! scan the shared erasure test asks of each backend. They need `JOBMATCH_TEST_POSTGRES` and say
//! so when it is absent.
//!
//! What this module must not do: test the [`Backend`](crate::store::Backend) contract itself;
//! that belongs in `store/tests/`, where every backend runs it.

use std::collections::BTreeSet;

use chrono::Utc;
use sqlx::{AssertSqlSafe, Row};

use super::PostgresStore;
use crate::store::tests::fixtures::full_opening;
use crate::store::{Entity, ScratchDatabase, Store, StoreError};

impl PostgresStore {
    /// Runs one statement straight on the database, below the store's own queries, as a
    /// careless or hostile application would.
    pub(in crate::store) async fn raw_execute(&self, sql: &str) -> Result<u64, StoreError> {
        Ok(sqlx::query(AssertSqlSafe(sql.to_owned()))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    /// Every `table.column` (over every table of the schema) whose value, cast to text,
    /// contains `needle`, and the tables searched.
    pub(in crate::store) async fn raw_cells_containing(
        &self,
        needle: &str,
    ) -> (Vec<String>, Vec<String>) {
        let pool = &self.pool;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::TEXT FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name",
        )
        .fetch_all(pool)
        .await
        .expect("tables");
        let mut found = Vec::new();
        for table in &tables {
            let columns: Vec<String> = sqlx::query_scalar(
                "SELECT column_name::TEXT FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(table)
            .fetch_all(pool)
            .await
            .expect("columns");
            for column in &columns {
                let hits: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE strpos(CAST(\"{column}\" AS TEXT), $1) > 0"
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

/// A scratch database and a store on it, or `None` (said on stderr) without a test server.
async fn scratch() -> Option<(ScratchDatabase, PostgresStore)> {
    let Ok(server) = std::env::var("JOBMATCH_TEST_POSTGRES") else {
        eprintln!("JOBMATCH_TEST_POSTGRES is not set: skipping a PostgreSQL backend test");
        return None;
    };
    let database = ScratchDatabase::create(&server)
        .await
        .expect("scratch database");
    let store = PostgresStore::open_url(database.url()).await.expect("open");
    Some((database, store))
}

#[tokio::test]
async fn a_write_that_commits_late_is_numbered_after_those_that_committed_first() {
    let Some((_database, pg)) = scratch().await else {
        return;
    };
    let store = Store::Postgres(pg.clone());
    let e = store
        .create_employer("A", None, None)
        .await
        .expect("employer");

    // A takes its outbox row first and holds its transaction open.
    let mut late = pg.pool.begin().await.expect("begin");
    let held = super::openings::insert_opening(&mut late, &full_opening(e.id), e.id, Utc::now())
        .await
        .expect("insert held open");

    // B and C commit meanwhile, and a follower reads them.
    let b = store.create_opening(&full_opening(e.id)).await.expect("b");
    let c = store.create_opening(&full_opening(e.id)).await.expect("c");
    let seen = store.outbox_after(0, 100).await.expect("read");
    let ids: Vec<_> = seen.iter().map(|e| e.entity_id).collect();
    assert_eq!(
        ids,
        vec![b.id, c.id],
        "the open transaction's row is not visible yet"
    );
    let cursor = seen.last().expect("two rows").seq;
    assert_eq!(store.outbox_head().await.expect("head"), cursor);

    late.commit().await.expect("commit the held transaction");
    // The held row was inserted first: a cursor over insertion order would have skipped it.
    let inserted_first: bool = sqlx::query_scalar(
        "SELECT (SELECT MIN(id) FROM outbox WHERE entity_id = $1) \
              < (SELECT MIN(id) FROM outbox WHERE entity_id = $2)",
    )
    .bind(held.id)
    .bind(b.id)
    .fetch_one(&pg.pool)
    .await
    .expect("compare insertion order");
    assert!(inserted_first);

    let after = store.outbox_after(cursor, 100).await.expect("read on");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].entity_id, held.id);
    assert!(after[0].seq > cursor);
}

#[tokio::test]
async fn a_follower_misses_no_row_of_concurrent_writers() {
    let Some((_database, pg)) = scratch().await else {
        return;
    };
    let store = Store::Postgres(pg);
    let e = store
        .create_employer("A", None, None)
        .await
        .expect("employer");
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for _ in 0..25 {
                    ids.push(
                        store
                            .create_opening(&full_opening(e.id))
                            .await
                            .expect("w")
                            .id,
                    );
                }
                ids
            })
        })
        .collect();
    let follower = {
        let store = store.clone();
        tokio::spawn(async move {
            let (mut cursor, mut seen) = (0, Vec::new());
            while seen.len() < 200 {
                let batch = store.outbox_after(cursor, 7).await.expect("follow");
                for entry in &batch {
                    assert!(entry.seq > cursor, "sequence order");
                    assert_eq!(entry.entity, Entity::Opening);
                    cursor = entry.seq;
                    seen.push(entry.entity_id);
                }
                tokio::task::yield_now().await;
            }
            seen
        })
    };
    let mut written = BTreeSet::new();
    for w in writers {
        written.extend(w.await.expect("writer"));
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), follower)
        .await
        .expect("the follower saw every row")
        .expect("follower");
    assert_eq!(seen.len(), 200, "each row once");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), written);
}

#[tokio::test]
async fn instances_starting_together_migrate_once() {
    let Ok(server) = std::env::var("JOBMATCH_TEST_POSTGRES") else {
        eprintln!("JOBMATCH_TEST_POSTGRES is not set: skipping a PostgreSQL backend test");
        return;
    };
    // A database no instance has migrated yet.
    let database = ScratchDatabase::create(&server)
        .await
        .expect("scratch database");
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let url = database.url().to_owned();
            tokio::spawn(async move { PostgresStore::open_url(&url).await })
        })
        .collect();
    for open in opens {
        open.await.expect("task").expect("every instance opens");
    }
    let pg = PostgresStore::open_url(database.url()).await.expect("open");
    let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pg.pool)
        .await
        .expect("migrations")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let embedded: Vec<i64> = super::MIGRATOR.iter().map(|m| m.version).collect();
    assert!(embedded.len() >= 3, "{embedded:?}");
    assert_eq!(applied, embedded);
}

/// The bytes of one table's main file, read from the server's data directory after a
/// checkpoint; `None` (said on stderr) when the server's files are not readable from here.
async fn table_file(pg: &PostgresStore, table: &str) -> Option<(String, Vec<u8>)> {
    sqlx::query("CHECKPOINT").execute(&pg.pool).await.ok()?;
    let data_dir: String = sqlx::query_scalar("SHOW data_directory")
        .fetch_one(&pg.pool)
        .await
        .ok()?;
    let file: String = sqlx::query_scalar("SELECT pg_relation_filepath($1::regclass)")
        .bind(table)
        .fetch_one(&pg.pool)
        .await
        .ok()?;
    let path = format!("{data_dir}/{file}");
    match std::fs::read(&path) {
        Ok(bytes) => Some((path, bytes)),
        Err(e) => {
            eprintln!("cannot read {path} ({e}): skipping the byte check of erasure");
            None
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn erasure_leaves_no_byte_of_the_person_in_the_table_files() {
    let Some((_database, pg)) = scratch().await else {
        return;
    };
    let store = Store::Postgres(pg.clone());
    let name = "Zlatana Raderasdottir";
    let kept = store
        .create_participant(
            &crate::store::tests::fixtures::full_identity("Kvar Kvarsson"),
            &crate::store::tests::fixtures::full_profile(),
            None,
        )
        .await
        .expect("kept");
    let erased = store
        .create_participant(
            &crate::store::tests::fixtures::full_identity(name),
            &crate::store::tests::fixtures::full_profile(),
            None,
        )
        .await
        .expect("erased");
    let Some((before_path, before)) = table_file(&pg, "participant_identities").await else {
        return;
    };
    assert!(
        contains(&before, name),
        "the check can see the name in {before_path}"
    );

    assert!(store.erase_participant(erased.id).await.expect("erase"));
    let (after_path, after) = table_file(&pg, "participant_identities")
        .await
        .expect("readable as before");
    assert!(
        !contains(&after, name),
        "{after_path} still holds the erased name"
    );
    assert!(contains(&after, "Kvar Kvarsson"), "the others stay");
    assert!(
        !std::path::Path::new(&before_path).exists() || before_path == after_path,
        "the old file is gone"
    );
    assert_eq!(
        store
            .participant(kept.id)
            .await
            .expect("read")
            .map(|p| p.id),
        Some(kept.id)
    );
}
