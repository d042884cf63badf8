//! Employers and openings: every field round-trips, updates replace all but status, closing
//! keeps the row, and a reference to a missing employer writes nothing.
//!
//! What this module must not do: reach below [`Store`](crate::store::Store) (a raw look at
//! the database is asked of the backend, see `raw_cells_containing`) or test one backend only.

use super::fixtures::{full_opening, occupation};
use super::stores;
use crate::model::{
    EmploymentForm, Hours, Opening, OpeningKind, OpeningStatus, Place, SwedishLevel,
};
use crate::store::{Store, StoreError};

#[tokio::test]
async fn employers_and_openings_round_trip_every_field() {
    for t in stores().await {
        let store = &t.store;
        let employer = store
            .create_employer("Lager AB", Some("556000-0000"), Some("0180"))
            .await
            .expect("employer");
        assert_eq!(
            store.employer(employer.id).await.expect("read"),
            Some(employer.clone())
        );
        assert_eq!(employer.org_number.as_deref(), Some("556000-0000"));
        assert_eq!(store.employer(employer.id + 100).await.expect("read"), None);

        let input = full_opening(employer.id);
        let created = store
            .create_opening(&Opening {
                id: 777,
                ..input.clone()
            })
            .await
            .expect("opening");
        assert_ne!(created.id, 777, "the input id is ignored");
        assert_eq!(
            created,
            Opening {
                id: created.id,
                ..input.clone()
            }
        );
        assert_eq!(
            store.opening(created.id).await.expect("read"),
            Some(created.clone())
        );

        let bare = Opening {
            occupation: None,
            skills_required: vec![],
            skills_merit: vec![],
            swedish_min: None,
            swedish_required: false,
            licences: vec![],
            workplace: Place::default(),
            places: 0,
            start_date: None,
            deadline: None,
            ..input.clone()
        };
        let bare = store.create_opening(&bare).await.expect("bare opening");
        assert_eq!(
            store.opening(bare.id).await.expect("read"),
            Some(bare.clone())
        );

        let got = store
            .openings(&[bare.id, 9999, created.id])
            .await
            .expect("openings");
        assert_eq!(
            got,
            vec![created.clone(), bare.clone()],
            "id order, missing skipped"
        );
        assert_eq!(store.openings(&[]).await.expect("none"), vec![]);
        assert_eq!(
            all_openings(store).await,
            vec![created.clone(), bare.clone()]
        );
        // A page at a time, by id: the page after the last is empty.
        assert_eq!(
            store.openings_after(0, 1).await.expect("first page"),
            vec![created.clone()]
        );
        assert_eq!(
            store
                .openings_after(created.id, 5)
                .await
                .expect("second page"),
            vec![bare.clone()]
        );
        assert_eq!(
            store
                .openings_after(bare.id, 5)
                .await
                .expect("past the last"),
            vec![]
        );
    }
}

#[tokio::test]
async fn update_replaces_opening_fields_but_not_status() {
    for t in stores().await {
        let store = &t.store;
        let a = store.create_employer("A", None, None).await.expect("a");
        let b = store.create_employer("B", None, None).await.expect("b");
        let created = store
            .create_opening(&full_opening(a.id))
            .await
            .expect("create");

        let changed = Opening {
            id: 12345,
            employer_id: b.id,
            kind: OpeningKind::Vacancy,
            title: "Truckförare".into(),
            occupation: Some(occupation(8344, "Truckförare")),
            skills_merit: vec![],
            swedish_min: Some(SwedishLevel::C1),
            workplace: Place {
                municipality_code: Some("0114".into()),
                point: None,
            },
            places: 1,
            deadline: None,
            hours: Hours::Full,
            employment_form: EmploymentForm::Lonebidrag,
            supervisor: false,
            status: OpeningStatus::Closed,
            ..full_opening(a.id)
        };
        let updated = store
            .update_opening(created.id, &changed)
            .await
            .expect("update")
            .expect("exists");
        let expected = Opening {
            id: created.id,
            status: OpeningStatus::Open,
            ..changed.clone()
        };
        assert_eq!(updated, expected);
        assert_eq!(
            store.opening(created.id).await.expect("read"),
            Some(expected)
        );
        assert_eq!(
            store.update_opening(9999, &changed).await.expect("missing"),
            None
        );

        let head = store.outbox_head().await.expect("head");
        let err = store
            .update_opening(
                created.id,
                &Opening {
                    employer_id: 9999,
                    ..changed
                },
            )
            .await
            .expect_err("unknown employer");
        assert!(matches!(err, StoreError::UnknownEmployer(9999)), "{err}");
        assert_eq!(store.outbox_head().await.expect("head"), head);
    }
}

#[tokio::test]
async fn close_keeps_the_row() {
    for t in stores().await {
        let store = &t.store;
        let e = store.create_employer("A", None, None).await.expect("a");
        let o = store.create_opening(&full_opening(e.id)).await.expect("o");
        let closed = store
            .close_opening(o.id)
            .await
            .expect("close")
            .expect("exists");
        assert_eq!(closed.status, OpeningStatus::Closed);
        assert_eq!(
            closed,
            Opening {
                status: OpeningStatus::Closed,
                ..o.clone()
            }
        );
        assert_eq!(
            store.opening(o.id).await.expect("read"),
            Some(closed.clone())
        );
        assert_eq!(all_openings(store).await, vec![closed]);
        let counts = store.counts().await.expect("counts");
        assert_eq!((counts.openings, counts.open_openings), (1, 0));
        assert_eq!(store.close_opening(9999).await.expect("missing"), None);
    }
}

#[tokio::test]
async fn unknown_employer_writes_nothing() {
    for t in stores().await {
        let store = &t.store;
        let err = store
            .create_opening(&full_opening(42))
            .await
            .expect_err("no employer 42");
        assert!(matches!(err, StoreError::UnknownEmployer(42)), "{err}");
        assert!(!err.is_internal());
        assert!(all_openings(store).await.is_empty());
        assert_eq!(store.outbox_head().await.expect("head"), 0);
        assert!(store.is_empty().await.expect("empty"));
    }
}

/// Every opening, through the pages a rebuild reads.
async fn all_openings(store: &Store) -> Vec<Opening> {
    let mut all = Vec::new();
    store
        .openings_in_pages(|page| all.extend(page))
        .await
        .expect("all openings");
    all
}
