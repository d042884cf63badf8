//! Caseloads, priority policies (versioned, the latest set in force) and stored allocations.

use super::fixtures::{full_identity, full_profile};
use super::stores;
use crate::model::Role;

#[tokio::test]
async fn caseloads_list_a_coach_s_participants_or_everyone() {
    for t in stores().await {
        let store = &t.store;
        let coach = store
            .create_user(Role::Coach, "C", None)
            .await
            .expect("coach");
        let mine = store
            .create_participant(&full_identity("A"), &full_profile(), Some(coach.id))
            .await
            .expect("a");
        let other = store
            .create_participant(&full_identity("B"), &full_profile(), None)
            .await
            .expect("b");
        assert_eq!(
            store.caseload(Some(coach.id)).await.expect("mine"),
            [mine.id],
            "{}",
            t.backend
        );
        assert_eq!(
            store.caseload(None).await.expect("all"),
            [mine.id, other.id]
        );
        assert!(
            store
                .caseload(Some(coach.id + 100))
                .await
                .expect("none")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn policies_are_versioned_and_the_latest_set_is_current() {
    for t in stores().await {
        let store = &t.store;
        assert_eq!(
            store.policy(None).await.expect("none"),
            None,
            "{}",
            t.backend
        );
        let a1 = store
            .set_policy("stockholm", r#"{"parent":1.2}"#, None)
            .await
            .expect("a1");
        let b1 = store
            .set_policy("youth", r#"{"under_25":1.3}"#, None)
            .await
            .expect("b1");
        let a2 = store
            .set_policy("stockholm", r#"{"parent":1.25}"#, None)
            .await
            .expect("a2");
        assert_eq!(
            (a1.version, b1.version, a2.version),
            (1, 1, 2),
            "{}",
            t.backend
        );
        assert_eq!(store.policy(None).await.expect("current"), Some(a2.clone()));
        assert_eq!(
            store.policy(Some("youth")).await.expect("named"),
            Some(b1.clone())
        );
        assert_eq!(store.policy(Some("nobody")).await.expect("unknown"), None);
        let listed: Vec<(String, i64)> = store
            .policies()
            .await
            .expect("list")
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            listed,
            [("stockholm".to_owned(), 2), ("youth".to_owned(), 1)],
            "{}",
            t.backend
        );
        store
            .set_policy("broken", "not json", None)
            .await
            .expect_err("weights must be JSON");
    }
}

#[tokio::test]
async fn allocations_are_kept_as_answered() {
    for t in stores().await {
        let store = &t.store;
        let id = store
            .save_allocation(Some(7), r#"{"assignments":[]}"#)
            .await
            .expect("save");
        let read = store.allocation(id).await.expect("read").expect("some");
        assert_eq!((read.id, read.created_by), (id, Some(7)), "{}", t.backend);
        assert_eq!(read.body, r#"{"assignments":[]}"#);
        assert_eq!(store.allocation(id + 1).await.expect("read"), None);
    }
}
