//! Published ads: applied one savepoint each, found again by their source id, idempotent, and
//! closed when removed; employers found again by organisation number.
//!
//! What this module must not do: reach below [`Store`](crate::store::Store) or test one
//! backend only.

use super::fixtures::{full_opening, outbox};
use super::stores;
use crate::model::{AdSource, Employer, GeoPoint, Opening, OpeningStatus, PLATSBANKEN, Place};
use crate::store::{AdApplied, AdWrite, Entity, Op};

fn ad(external_id: &str, org: Option<&str>, title: &str) -> AdWrite {
    AdWrite {
        employer: Employer {
            id: 0,
            name: "Lagerbolaget AB".into(),
            org_number: org.map(str::to_owned),
            municipality_code: Some("0180".into()),
        },
        opening: Opening {
            title: title.into(),
            source: Some(AdSource {
                system: PLATSBANKEN.into(),
                external_id: external_id.into(),
                webpage_url: Some(format!(
                    "https://arbetsformedlingen.se/platsbanken/annonser/{external_id}"
                )),
                ..AdSource::default()
            }),
            ..full_opening(0)
        },
        removed: false,
    }
}

fn removed(external_id: &str) -> AdWrite {
    AdWrite {
        removed: true,
        ..ad(external_id, None, "")
    }
}

#[tokio::test]
async fn ads_are_created_updated_closed_and_idempotent() {
    for t in stores().await {
        let store = &t.store;
        let first = vec![
            ad("1001", Some("5560101010"), "Lagerarbetare"),
            ad("1002", Some("5560101010"), "Truckförare"),
            ad("1003", None, "Städare"),
        ];
        let applied = store.apply_ads(&first).await.expect("apply");
        let ids: Vec<_> = applied
            .iter()
            .map(|a| match a {
                AdApplied::Created(id) => *id,
                other => panic!("expected created, got {other:?}"),
            })
            .collect();
        let stored = store.openings(&ids).await.expect("read");
        assert_eq!(
            stored[0].employer_id, stored[1].employer_id,
            "one org number, one employer"
        );
        assert_ne!(stored[0].employer_id, stored[2].employer_id);
        assert_eq!(
            stored[0].source, first[0].opening.source,
            "the ad's details are kept"
        );
        assert_eq!(store.counts().await.expect("counts").employers, 2);

        // The same ads again: nothing written, not even an outbox row.
        let head = store.outbox_head().await.expect("head");
        let again = store.apply_ads(&first).await.expect("again");
        assert_eq!(
            again,
            ids.iter()
                .map(|&id| AdApplied::Unchanged(Some(id)))
                .collect::<Vec<_>>()
        );
        assert_eq!(store.outbox_head().await.expect("head"), head);

        // A changed ad updates its opening in place; a removed one closes it, once.
        let changed = ad("1001", Some("5560101010"), "Lagerarbetare, kväll");
        let applied = store
            .apply_ads(&[changed, removed("1002"), removed("1002"), removed("9999")])
            .await
            .expect("changes");
        assert_eq!(
            applied,
            vec![
                AdApplied::Updated(ids[0]),
                AdApplied::Closed(ids[1]),
                AdApplied::Unchanged(Some(ids[1])),
                AdApplied::Unchanged(None),
            ]
        );
        let now = store.openings(&ids).await.expect("read");
        assert_eq!(now[0].title, "Lagerarbetare, kväll");
        assert_eq!(now[1].status, OpeningStatus::Closed);
        assert_eq!(
            store.counts().await.expect("counts").openings,
            3,
            "updated in place"
        );
        let tail: Vec<_> = outbox(store).await.into_iter().skip(3).collect();
        assert_eq!(
            tail,
            vec![
                (Entity::Opening, ids[0], Op::Upsert),
                (Entity::Opening, ids[1], Op::Upsert)
            ]
        );

        // Published again, a closed ad's opening opens.
        let back = store
            .apply_ads(&[ad("1002", Some("5560101010"), "Truckförare")])
            .await
            .expect("back");
        assert_eq!(back, vec![AdApplied::Updated(ids[1])]);
        assert_eq!(
            store
                .opening(ids[1])
                .await
                .expect("read")
                .expect("exists")
                .status,
            OpeningStatus::Open
        );
    }
}

#[tokio::test]
async fn an_ad_the_database_refuses_leaves_nothing_and_stops_nothing() {
    for t in stores().await {
        let store = &t.store;
        let mut bad = ad("2002", Some("5569999999"), "Fel position");
        bad.opening.workplace = Place {
            municipality_code: None,
            point: Some(GeoPoint {
                lat: 91.0,
                lon: 18.0,
            }),
        };
        let applied = store
            .apply_ads(&[ad("2001", None, "Före"), bad, ad("2003", None, "Efter")])
            .await
            .expect("apply");
        assert!(matches!(applied[0], AdApplied::Created(_)), "{applied:?}");
        assert!(
            matches!(&applied[1], AdApplied::Failed(r) if r.contains("latitude")),
            "{applied:?}"
        );
        assert!(matches!(applied[2], AdApplied::Created(_)), "{applied:?}");
        let counts = store.counts().await.expect("counts");
        // The refused ad's employer (a new org number) was rolled back with it.
        assert_eq!((counts.openings, counts.employers), (2, 1));
    }
}

#[tokio::test]
async fn sync_state_is_remembered_per_feed() {
    for t in stores().await {
        let store = &t.store;
        assert_eq!(store.sync_state("platsbanken").await.expect("read"), None);
        store
            .set_sync_state("platsbanken", "2026-11-30T02:00:00+00:00")
            .await
            .expect("set");
        store
            .set_sync_state("platsbanken", "2026-12-01T02:00:00+00:00")
            .await
            .expect("set again");
        assert_eq!(
            store
                .sync_state("platsbanken")
                .await
                .expect("read")
                .as_deref(),
            Some("2026-12-01T02:00:00+00:00")
        );
        assert_eq!(store.sync_state("other").await.expect("read"), None);
    }
}

#[tokio::test]
async fn an_older_version_of_an_ad_never_overwrites_a_newer_one() {
    for t in stores().await {
        let store = &t.store;
        let dated = |title: &str, ms: i64, removed: bool| {
            let mut a = ad("3001", None, title);
            if let Some(s) = a.opening.source.as_mut() {
                s.changed_ms = Some(ms);
            }
            a.removed = removed;
            a
        };
        let applied = store
            .apply_ads(&[dated("Ny", 200, false)])
            .await
            .expect("apply");
        let AdApplied::Created(id) = applied[0] else {
            panic!("{applied:?}")
        };
        // A feed applied again brings the older version and an older removal: both ignored.
        let again = store
            .apply_ads(&[dated("Gammal", 100, false), dated("", 150, true)])
            .await
            .expect("again");
        assert_eq!(
            again,
            [
                AdApplied::Unchanged(Some(id)),
                AdApplied::Unchanged(Some(id))
            ]
        );
        let o = store.opening(id).await.expect("read").expect("exists");
        assert_eq!((o.title.as_str(), o.status), ("Ny", OpeningStatus::Open));
        // A newer removal closes it.
        let closed = store
            .apply_ads(&[dated("", 300, true)])
            .await
            .expect("close");
        assert_eq!(closed, [AdApplied::Closed(id)]);
    }
}
