//! The outbox: every change to an opening or a profile queues one row, in order, and nothing
//! else does; concurrent writers all commit with distinct, increasing sequence numbers.
//!
//! What this module must not do: reach below [`Store`](crate::store::Store) (a raw look at
//! the database is asked of the backend, see `raw_cells_containing`) or test one backend only.

use super::fixtures::{full_identity, full_opening, full_profile, outbox};
use super::stores;
use crate::model::{GeoPoint, Opening, Place, Profile};
use crate::store::{Entity, Op, StoreError};

#[tokio::test]
async fn outbox_follows_changes_in_order() {
    for t in stores().await {
        let store = &t.store;
        let e = store.create_employer("A", None, None).await.expect("a");
        assert_eq!(
            store.outbox_head().await.expect("head"),
            0,
            "employers are not indexed"
        );
        let o = store.create_opening(&full_opening(e.id)).await.expect("o");
        let p = store
            .create_participant(&full_identity("D"), &full_profile(), None)
            .await
            .expect("p");
        store
            .update_opening(o.id, &full_opening(e.id))
            .await
            .expect("update")
            .expect("exists");

        // Failed writes add nothing.
        store
            .create_opening(&full_opening(999))
            .await
            .expect_err("unknown employer");
        let bad_profile = Profile {
            max_travel_km: Some(f64::NAN),
            ..full_profile()
        };
        let err = store
            .create_participant(&full_identity("E"), &bad_profile, None)
            .await
            .expect_err("NaN travel distance");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        let bad_opening = Opening {
            workplace: Place {
                municipality_code: None,
                point: Some(GeoPoint {
                    lat: 123.0,
                    lon: 0.0,
                }),
            },
            ..full_opening(e.id)
        };
        store
            .update_opening(o.id, &bad_opening)
            .await
            .expect_err("latitude out of range");
        assert!(!store.delete_participant(9999).await.expect("missing"));
        assert_eq!(
            store
                .update_opening(9999, &full_opening(e.id))
                .await
                .expect("missing"),
            None
        );

        store
            .close_opening(o.id)
            .await
            .expect("close")
            .expect("exists");
        store
            .update_participant(p.id, &full_identity("D"), &Profile::default(), None)
            .await
            .expect("update")
            .expect("exists");
        assert!(store.delete_participant(p.id).await.expect("delete"));

        use Entity::{Opening as O, Participant as P};
        assert_eq!(
            outbox(store).await,
            vec![
                (O, o.id, Op::Upsert),
                (P, p.id, Op::Upsert),
                (O, o.id, Op::Upsert),
                (O, o.id, Op::Upsert),
                (P, p.id, Op::Upsert),
                (P, p.id, Op::Delete),
            ]
        );
        let all = store.outbox_after(0, 100).await.expect("all");
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(store.outbox_head().await.expect("head"), all[5].seq);
        let page = store.outbox_after(all[1].seq, 2).await.expect("page");
        assert_eq!(page, all[2..4].to_vec());
        assert!(
            store
                .outbox_after(all[5].seq, 10)
                .await
                .expect("tail")
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_all_commit_with_distinct_seqs() {
    for t in stores().await {
        let store = &t.store;
        let e = store.create_employer("A", None, None).await.expect("a");
        let mut tasks = Vec::new();
        for i in 0..16 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    store
                        .create_opening(&full_opening(e.id))
                        .await
                        .map(|o| o.id)
                } else {
                    store
                        .create_participant(&full_identity("K"), &full_profile(), None)
                        .await
                        .map(|p| p.id)
                }
            }));
        }
        for task in tasks {
            task.await.expect("join").expect("write");
        }
        let entries = store.outbox_after(0, 100).await.expect("outbox");
        assert_eq!(entries.len(), 16);
        assert_eq!(store.outbox_head().await.expect("head"), entries[15].seq);
        let counts = store.counts().await.expect("counts");
        assert_eq!((counts.openings, counts.participants), (8, 8));
    }
}
