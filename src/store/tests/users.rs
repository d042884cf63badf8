//! Users, tokens, caseloads and the append-only access log, on every backend.
//!
//! What this module must not do: make or check tokens (the service does); here a token is a
//! selector and an opaque hash.

use super::fixtures::{full_identity, full_profile};
use super::{log_read, raw_execute, reads_of, stores};
use crate::model::{Role, User};
use crate::store::StoreError;

#[tokio::test]
async fn users_are_created_with_a_role_and_an_employer_only_for_employers() {
    for t in stores().await {
        let store = &t.store;
        let coach = store
            .create_user(Role::Coach, "Coach A", None)
            .await
            .expect("coach");
        assert_eq!(
            store.user(coach.id).await.expect("read"),
            Some(coach.clone())
        );
        assert!(matches!(
            store.create_user(Role::Employer, "No employer", None).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.create_user(Role::Employer, "Ghost", Some(999)).await,
            Err(StoreError::UnknownEmployer(999))
        ));
        let employer = store
            .create_employer("Lager AB", None, None)
            .await
            .expect("employer");
        assert!(matches!(
            store
                .create_user(Role::Coach, "Wrong", Some(employer.id))
                .await,
            Err(StoreError::Invalid(_))
        ));
        let user = store
            .create_user(Role::Employer, "Lager AB:s rekryterare", Some(employer.id))
            .await
            .expect("employer user");
        assert_eq!(
            user,
            User {
                id: user.id,
                role: Role::Employer,
                name: "Lager AB:s rekryterare".into(),
                employer_id: Some(employer.id),
            }
        );
        assert_eq!(store.user(12345).await.expect("none"), None);
    }
}

#[tokio::test]
async fn tokens_are_found_by_selector_revoked_once_and_listed_without_verifiers() {
    for t in stores().await {
        let store = &t.store;
        let admin = store
            .create_user(Role::Admin, "Admin", None)
            .await
            .expect("admin");
        store
            .create_token(admin.id, "sel-1", &[7u8; 32])
            .await
            .expect("token");
        store
            .create_token(admin.id, "sel-2", &[8u8; 32])
            .await
            .expect("token");
        assert!(
            store
                .create_token(admin.id, "sel-1", &[9u8; 32])
                .await
                .is_err(),
            "selectors are unique"
        );

        let (record, verifier) = store.token("sel-1").await.expect("read").expect("found");
        assert_eq!(verifier, vec![7u8; 32]);
        assert_eq!(record.user, admin);
        assert_eq!(record.revoked_at, None);
        assert!(store.token("nope").await.expect("read").is_none());

        assert!(store.revoke_token("sel-1").await.expect("revoke"));
        assert!(
            !store.revoke_token("sel-1").await.expect("again"),
            "revoked once"
        );
        assert!(!store.revoke_token("nope").await.expect("unknown"));
        let (record, _) = store.token("sel-1").await.expect("read").expect("found");
        assert!(record.revoked_at.is_some());

        let listed = store.tokens().await.expect("list");
        let selectors: Vec<&str> = listed.iter().map(|r| r.selector.as_str()).collect();
        assert_eq!(selectors, ["sel-1", "sel-2"]);
        assert!(listed[0].revoked_at.is_some() && listed[1].revoked_at.is_none());
    }
}

#[tokio::test]
async fn a_participant_keeps_its_coach_unless_one_is_given() {
    for t in stores().await {
        let store = &t.store;
        let a = store.create_user(Role::Coach, "A", None).await.expect("a");
        let b = store.create_user(Role::Coach, "B", None).await.expect("b");
        let p = store
            .create_participant(&full_identity("C"), &full_profile(), Some(a.id))
            .await
            .expect("p");
        assert_eq!(p.coach_id, Some(a.id));
        assert_eq!(
            store.participant_coach(p.id).await.expect("coach"),
            Some(Some(a.id))
        );
        let kept = store
            .update_participant(p.id, &full_identity("C"), &full_profile(), None)
            .await
            .expect("update")
            .expect("found");
        assert_eq!(kept.coach_id, Some(a.id));
        let moved = store
            .update_participant(p.id, &full_identity("C"), &full_profile(), Some(b.id))
            .await
            .expect("update")
            .expect("found");
        assert_eq!(moved.coach_id, Some(b.id));
        assert_eq!(
            store
                .participant(p.id)
                .await
                .expect("read")
                .map(|p| p.coach_id),
            Some(Some(b.id))
        );
        assert_eq!(store.participant_coach(9999).await.expect("none"), None);
    }
}

#[tokio::test]
async fn the_access_log_refuses_updates_and_deletes() {
    for t in stores().await {
        let store = &t.store;
        log_read(store, 1, "user:7", "GET /v1/participants/{id}").await;
        log_read(store, 2, "user:7", "GET /v1/participants/{id}").await;
        for sql in [
            "UPDATE participant_reads SET actor = 'someone else'",
            "DELETE FROM participant_reads",
            "DELETE FROM participant_reads WHERE participant_id = 1",
        ] {
            let refused = raw_execute(store, sql).await;
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("append-only")),
                "{sql}: {refused:?}"
            );
        }
        let page = store.access_log(None, 0, 10).await.expect("log");
        assert_eq!(page.len(), 2);
        assert!(
            page.iter()
                .all(|r| r.actor == "user:7" && r.role == Some(Role::Coach))
        );
        assert_eq!(
            store.access_log(None, 1, 10).await.expect("page 2").len(),
            1
        );
        assert_eq!(reads_of(store, 1).await.len(), 1);
    }
}
