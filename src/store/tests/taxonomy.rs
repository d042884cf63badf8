//! Taxonomy versions: stored whole, numbered upwards, the newest in force, each announced on
//! the outbox in the same transaction.

use super::fixtures::{full_opening, outbox};
use super::stores;
use crate::store::{Entity, NewTaxonomy, Op};

fn version(source: &str, files: &str) -> NewTaxonomy {
    NewTaxonomy {
        source: source.to_owned(),
        mode: "extend".to_owned(),
        checksum: format!("sum of {source}"),
        summary: r#"{"skills":2}"#.to_owned(),
        files: files.to_owned(),
    }
}

#[tokio::test]
async fn versions_are_numbered_upwards_and_the_newest_is_in_force() {
    for t in stores().await {
        let store = &t.store;
        assert_eq!(
            store.current_taxonomy().await.expect("none"),
            None,
            "{}",
            t.backend
        );
        assert!(store.taxonomy_versions().await.expect("list").is_empty());

        let e = store
            .create_employer("A", None, None)
            .await
            .expect("employer");
        let o = store
            .create_opening(&full_opening(e.id))
            .await
            .expect("opening");
        let first = store
            .save_taxonomy(&version("/data/jobtech-2026-06", r#"{"a.csv":"x\n"}"#))
            .await
            .expect("first");
        let second = store
            .save_taxonomy(&version("/data/jobtech-2026-12", r#"{"a.csv":"y\n"}"#))
            .await
            .expect("second");
        assert!(second.version > first.version, "{}", t.backend);
        assert_eq!(second.source, "/data/jobtech-2026-12");
        assert_eq!(second.summary, r#"{"skills":2}"#);

        let current = store.current_taxonomy().await.expect("read").expect("some");
        assert_eq!(current.version, second, "{}", t.backend);
        assert_eq!(current.files, r#"{"a.csv":"y\n"}"#);
        let listed: Vec<i64> = store
            .taxonomy_versions()
            .await
            .expect("list")
            .iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(listed, [second.version, first.version]);

        // Each version is announced after the writes before it.
        assert_eq!(
            outbox(store).await,
            [
                (Entity::Opening, o.id, Op::Upsert),
                (Entity::Taxonomy, first.version, Op::Upsert),
                (Entity::Taxonomy, second.version, Op::Upsert),
            ],
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_version_the_database_refuses_is_not_announced() {
    for t in stores().await {
        let store = &t.store;
        let mut bad = version("/data/x", "{}");
        bad.mode = "merge".to_owned();
        store.save_taxonomy(&bad).await.expect_err("unknown mode");
        assert_eq!(
            store.current_taxonomy().await.expect("read"),
            None,
            "{}",
            t.backend
        );
        assert!(outbox(store).await.is_empty(), "{}", t.backend);
    }
}
