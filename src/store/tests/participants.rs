//! Participants: identity and profile round-trip and update together, erasure leaves no
//! personal data in any table, the access log outlives the participant, and profiles load in
//! batches.
//!
//! What this module must not do: reach below [`Store`](crate::store::Store) (a raw look at
//! the database is asked of the backend, see `raw_cells_containing`) or test one backend only.

use chrono::Utc;

use super::fixtures::{full_identity, full_profile};
use super::{log_read, raw_cells_containing, reads_of, stores};
use crate::model::{Identity, Profile};

#[tokio::test]
async fn participants_round_trip_every_field() {
    for t in stores().await {
        let store = &t.store;
        let participant = store
            .create_participant(&full_identity("Amina Exempel"), &full_profile(), None)
            .await
            .expect("participant");
        assert_eq!(participant.identity, full_identity("Amina Exempel"));
        assert_eq!(participant.profile, full_profile());
        assert_eq!(
            store.participant(participant.id).await.expect("read"),
            Some(participant.clone())
        );
        let minimal = Identity {
            name: "Bo".into(),
            personal_number: None,
            contact: None,
        };
        let other = store
            .create_participant(&minimal, &Profile::default(), None)
            .await
            .expect("minimal participant");
        assert_eq!(
            store.participant(other.id).await.expect("read"),
            Some(other.clone())
        );
        assert_eq!(
            store.all_profiles().await.expect("profiles"),
            vec![
                (participant.id, full_profile()),
                (other.id, Profile::default())
            ]
        );
        assert_eq!(store.participant(other.id + 1).await.expect("read"), None);
    }
}

#[tokio::test]
async fn update_replaces_identity_and_profile() {
    for t in stores().await {
        let store = &t.store;
        let p = store
            .create_participant(&full_identity("Cecilia"), &Profile::default(), None)
            .await
            .expect("participant");
        let identity = Identity {
            name: "Cecilia Ny".into(),
            personal_number: None,
            contact: Some("cecilia@example.se".into()),
        };
        let updated = store
            .update_participant(p.id, &identity, &full_profile(), None)
            .await
            .expect("update")
            .expect("exists");
        assert_eq!(updated.identity, identity);
        assert_eq!(store.participant(p.id).await.expect("read"), Some(updated));
        assert_eq!(
            store
                .update_participant(9999, &identity, &full_profile(), None)
                .await
                .expect("missing"),
            None
        );
    }
}

#[tokio::test]
async fn delete_participant_erases_personal_data() {
    for t in stores().await {
        let store = &t.store;
        let name = "Zorba Raderasson";
        let identity = full_identity(name);
        let kept_identity = Identity {
            name: "Kvar Kvarsson".into(),
            personal_number: Some("19800202-2222".into()),
            contact: Some("kvar@example.se".into()),
        };
        let keep = store
            .create_participant(&kept_identity, &Profile::default(), None)
            .await
            .expect("kept");
        let p = store
            .create_participant(&identity, &full_profile(), None)
            .await
            .expect("p");
        log_read(store, p.id, "coach:7", "view").await;

        assert!(store.delete_participant(p.id).await.expect("delete"));
        assert!(!store.delete_participant(p.id).await.expect("again"));
        assert_eq!(store.participant(p.id).await.expect("read"), None);
        assert_eq!(
            store.all_profiles().await.expect("profiles"),
            vec![(keep.id, Profile::default())]
        );
        assert_eq!(store.counts().await.expect("counts").participants, 1);

        // No table holds the name, personal number or contact any more.
        let needles = [
            name,
            "19900101-1234",
            "unik.kontakt@example.se",
            "Raderasson",
        ];
        for needle in needles {
            let (tables, hits) = raw_cells_containing(store, needle).await;
            assert!(tables.contains(&"participant_identities".to_string()));
            assert!(hits.is_empty(), "{needle:?} remains in {hits:?}");
        }

        // The access log survives, with ids and actors only.
        let reads = reads_of(store, p.id).await;
        assert_eq!(reads.len(), 1);
        assert_eq!(
            (reads[0].0.as_str(), reads[0].1.as_str()),
            ("coach:7", "view")
        );
        // The kept participant is untouched.
        assert_eq!(
            store
                .participant(keep.id)
                .await
                .expect("read")
                .map(|p| p.identity.name),
            Some("Kvar Kvarsson".to_string())
        );
    }
}

#[tokio::test]
async fn reads_are_logged_in_order() {
    for t in stores().await {
        let store = &t.store;
        let p = store
            .create_participant(&full_identity("F"), &full_profile(), None)
            .await
            .expect("p");
        let before = Utc::now();
        log_read(store, p.id, "coach:1", "view").await;
        log_read(store, p.id, "admin:2", "export").await;
        log_read(store, p.id + 1, "coach:1", "view").await;
        let after = Utc::now();
        let reads = reads_of(store, p.id).await;
        let pairs: Vec<(&str, &str)> = reads
            .iter()
            .map(|(actor, action, _)| (actor.as_str(), action.as_str()))
            .collect();
        assert_eq!(pairs, vec![("coach:1", "view"), ("admin:2", "export")]);
        assert!(reads.iter().all(|(_, _, at)| before <= *at && *at <= after));
        assert!(reads_of(store, 9999).await.is_empty());
    }
}

#[tokio::test]
async fn profiles_load_in_one_batch_and_skip_deleted_ids() {
    for t in stores().await {
        let store = &t.store;
        let a = store
            .create_participant(&full_identity("A"), &full_profile(), None)
            .await
            .unwrap();
        let b = store
            .create_participant(&full_identity("B"), &Profile::default(), None)
            .await
            .unwrap();
        assert!(store.delete_participant(a.id).await.unwrap());
        let got = store.profiles(&[b.id, a.id, 999]).await.unwrap();
        assert_eq!(got, vec![(b.id, Profile::default())]);
        assert!(store.profiles(&[]).await.unwrap().is_empty());
    }
}
