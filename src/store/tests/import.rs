//! Import: a batch is written all or nothing, with employer references rewritten to the new
//! ids and an outbox row for every opening and participant.
//!
//! What this module must not do: reach below [`Store`](crate::store::Store) (a raw look at
//! the database is asked of the backend, see `raw_cells_containing`) or test one backend only.

use super::fixtures::{full_identity, full_opening, full_profile, outbox};
use super::stores;
use crate::model::{Employer, GeoPoint, Id, Opening, Place, Profile};
use crate::store::{Counts, Entity, Op, StoreError};

#[tokio::test]
async fn import_is_all_or_nothing() {
    for t in stores().await {
        let store = &t.store;
        let existing = store
            .create_employer("Före", None, None)
            .await
            .expect("pre");
        let employers = vec![
            Employer {
                id: 10,
                name: "Tio AB".into(),
                org_number: Some("556010-1010".into()),
                municipality_code: Some("0180".into()),
            },
            Employer {
                id: 20,
                name: "Tjugo kommun".into(),
                org_number: None,
                municipality_code: None,
            },
        ];
        let openings = vec![full_opening(20), full_opening(10), full_opening(20)];
        let participants = vec![
            (full_identity("H"), full_profile()),
            (full_identity("I"), Profile::default()),
        ];
        let before = store.counts().await.expect("counts");

        // A reference to an employer outside the import (even one in the database) fails.
        let mut bad = openings.clone();
        bad.push(full_opening(existing.id));
        let err = store
            .import(&employers, &bad, &participants, None)
            .await
            .expect_err("bad reference");
        assert!(
            matches!(err, StoreError::UnknownEmployer(id) if id == existing.id),
            "{err}"
        );

        // A failure after employers and openings were written rolls them back too.
        let mut late = participants.clone();
        late.push((
            full_identity("J"),
            Profile {
                home: Place {
                    municipality_code: None,
                    point: Some(GeoPoint {
                        lat: f64::NAN,
                        lon: 0.0,
                    }),
                },
                ..Profile::default()
            },
        ));
        let err = store
            .import(&employers, &openings, &late, None)
            .await
            .expect_err("bad last participant");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");

        let dup = vec![employers[0].clone(), employers[0].clone()];
        let err = store
            .import(&dup, &[], &[], None)
            .await
            .expect_err("duplicate employer id");
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");

        assert_eq!(store.counts().await.expect("counts"), before);
        assert_eq!(store.outbox_head().await.expect("head"), 0);

        let report = store
            .import(&employers, &openings, &participants, None)
            .await
            .expect("import");
        assert_eq!(
            (report.employers, report.openings, report.participants),
            (2, 3, 2)
        );
        let tio = report.employer_ids[0];
        let tjugo = report.employer_ids[1];
        assert_eq!(
            store.employer(tio).await.expect("read"),
            Some(Employer {
                id: tio,
                ..employers[0].clone()
            })
        );
        let stored = store.openings(&report.opening_ids).await.expect("openings");
        let employer_of: Vec<Id> = stored.iter().map(|o| o.employer_id).collect();
        assert_eq!(employer_of, vec![tjugo, tio, tjugo]);
        assert_eq!(
            stored[0],
            Opening {
                id: report.opening_ids[0],
                employer_id: tjugo,
                ..full_opening(20)
            }
        );
        let p = store
            .participant(report.participant_ids[0])
            .await
            .expect("read")
            .expect("imported");
        assert_eq!((p.identity, p.profile), participants[0].clone());

        let counts = store.counts().await.expect("counts");
        assert_eq!(
            counts,
            Counts {
                employers: 3,
                openings: 3,
                open_openings: 3,
                participants: 2
            }
        );
        let entries = outbox(store).await;
        assert_eq!(entries.len(), 5);
        assert!(
            entries[..3]
                .iter()
                .all(|(e, _, op)| *e == Entity::Opening && *op == Op::Upsert)
        );
        assert!(
            entries[3..]
                .iter()
                .all(|(e, _, op)| *e == Entity::Participant && *op == Op::Upsert)
        );
    }
}

#[tokio::test]
async fn a_large_import_answers_each_opening_s_id_in_file_order() {
    for t in stores().await {
        let store = &t.store;
        let employers: Vec<Employer> = (1..=3)
            .map(|id| Employer {
                id,
                name: format!("Arbetsgivare {id}"),
                org_number: None,
                municipality_code: None,
            })
            .collect();
        // More than one multi-row statement's worth, so the ids cross statements.
        let openings: Vec<Opening> = (0..700)
            .map(|i| Opening {
                title: format!("Plats {i}"),
                ..full_opening(i % 3 + 1)
            })
            .collect();
        let report = store
            .import(&employers, &openings, &[], None)
            .await
            .expect("import");
        assert_eq!(report.opening_ids.len(), 700);
        let stored = store.openings(&report.opening_ids).await.expect("openings");
        for (i, (o, &id)) in stored.iter().zip(&report.opening_ids).enumerate() {
            assert_eq!(o.id, id);
            assert_eq!(o.title, format!("Plats {i}"), "{}", t.backend);
            assert_eq!(o.employer_id, report.employer_ids[i % 3]);
        }
        let queued: Vec<Id> = outbox(store)
            .await
            .into_iter()
            .filter(|(e, _, op)| *e == Entity::Opening && *op == Op::Upsert)
            .map(|(_, id, _)| id)
            .collect();
        assert_eq!(
            queued, report.opening_ids,
            "one outbox row per opening, in order"
        );
    }
}
