//! Tests of the storage layer against real SQLite files, one fresh temporary directory each.

use chrono::{NaiveDate, Utc};
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Row};
use tempfile::TempDir;

use super::*;
use crate::model::{
    ConceptId, EmploymentForm, Experience, GeoPoint, Hours, Occupation, OpeningKind, OpeningStatus,
    Place, PriorityGroup, SsykCode, SwedishLevel, Term,
};

async fn fresh() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_sqlite_file(&dir.path().join("jobmatch.db"))
        .await
        .expect("open store");
    (dir, store)
}

fn pool(store: &Store) -> &SqlitePool {
    match store {
        Store::Sqlite(pool) => pool,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn concept(id: &str, label: &str, input: Option<&str>) -> Term {
    Term::Concept {
        id: ConceptId(id.into()),
        label: label.into(),
        input: input.map(Into::into),
    }
}

fn occupation(code: u16, label: &str) -> Occupation {
    Occupation {
        code: SsykCode::new(code).expect("ssyk"),
        concept_id: ConceptId(format!("ssyk-{code}")),
        label: label.into(),
    }
}

/// An opening with every optional field set and every enum off its default.
fn full_opening(employer_id: Id) -> Opening {
    Opening {
        id: 0,
        employer_id,
        kind: OpeningKind::Internship,
        title: "Lagerarbetare, praktik".into(),
        description: "Plock och pack på lager i Årsta; truckkort är meriterande.".into(),
        occupation: Some(occupation(9332, "Lagerarbetare")),
        skills_required: vec![
            concept("abc_123", "Orderplock", Some("plock")),
            Term::FreeText {
                text: "noggrann".into(),
            },
        ],
        skills_merit: vec![concept("def_456", "Truckkort A", None)],
        swedish_min: Some(SwedishLevel::B1),
        swedish_required: true,
        licences: vec![concept("B_lic", "B", None)],
        workplace: Place {
            municipality_code: Some("0180".into()),
            point: Some(GeoPoint {
                lat: 59.3,
                lon: 18.05,
            }),
        },
        places: 3,
        start_date: Some(date(2025, 9, 1)),
        deadline: Some(date(2025, 8, 15)),
        hours: Hours::Part,
        employment_form: EmploymentForm::Nystartsjobb,
        supervisor: true,
        status: OpeningStatus::Open,
    }
}

fn full_identity(name: &str) -> Identity {
    Identity {
        name: name.into(),
        personal_number: Some("19900101-1234".into()),
        contact: Some("070-123 45 67, unik.kontakt@example.se".into()),
    }
}

fn full_profile() -> Profile {
    Profile {
        skills: vec![
            concept("abc_123", "Orderplock", None),
            Term::FreeText {
                text: "svetsning".into(),
            },
        ],
        occupations: vec![Experience {
            occupation: occupation(9332, "Lagerarbetare"),
            years: 2.5,
        }],
        swedish_level: Some(SwedishLevel::A2),
        languages: vec![concept("lang_ar", "Arabiska", Some("arabic"))],
        home: Place {
            municipality_code: Some("0184".into()),
            point: Some(GeoPoint {
                lat: 59.36,
                lon: 17.97,
            }),
        },
        max_travel_km: Some(25.0),
        licences: vec![concept("B_lic", "B", None)],
        available_from: Some(date(2025, 8, 1)),
        hours: Hours::Any,
        priority_groups: vec![PriorityGroup::Under25, PriorityGroup::Parent],
    }
}

async fn outbox(store: &Store) -> Vec<(Entity, Id, Op)> {
    store
        .outbox_after(0, 1000)
        .await
        .expect("outbox")
        .into_iter()
        .map(|e| (e.entity, e.entity_id, e.op))
        .collect()
}

#[tokio::test]
async fn round_trips_every_field() {
    let (_dir, store) = fresh().await;
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
        store.all_openings().await.expect("all"),
        vec![created, bare]
    );

    let participant = store
        .create_participant(&full_identity("Amina Exempel"), &full_profile())
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
        .create_participant(&minimal, &Profile::default())
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

#[tokio::test]
async fn update_replaces_fields_but_not_status() {
    let (_dir, store) = fresh().await;
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

    let p = store
        .create_participant(&full_identity("Cecilia"), &Profile::default())
        .await
        .expect("participant");
    let identity = Identity {
        name: "Cecilia Ny".into(),
        personal_number: None,
        contact: Some("cecilia@example.se".into()),
    };
    let updated = store
        .update_participant(p.id, &identity, &full_profile())
        .await
        .expect("update")
        .expect("exists");
    assert_eq!(updated.identity, identity);
    assert_eq!(store.participant(p.id).await.expect("read"), Some(updated));
    assert_eq!(
        store
            .update_participant(9999, &identity, &full_profile())
            .await
            .expect("missing"),
        None
    );
}

#[tokio::test]
async fn close_keeps_the_row() {
    let (_dir, store) = fresh().await;
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
    assert_eq!(store.all_openings().await.expect("all"), vec![closed]);
    let counts = store.counts().await.expect("counts");
    assert_eq!((counts.openings, counts.open_openings), (1, 0));
    assert_eq!(store.close_opening(9999).await.expect("missing"), None);
}

#[tokio::test]
async fn unknown_employer_writes_nothing() {
    let (_dir, store) = fresh().await;
    let err = store
        .create_opening(&full_opening(42))
        .await
        .expect_err("no employer 42");
    assert!(matches!(err, StoreError::UnknownEmployer(42)), "{err}");
    assert!(!err.is_internal());
    assert!(store.all_openings().await.expect("all").is_empty());
    assert_eq!(store.outbox_head().await.expect("head"), 0);
    assert!(store.is_empty().await.expect("empty"));
}

#[tokio::test]
async fn outbox_follows_changes_in_order() {
    let (_dir, store) = fresh().await;
    let e = store.create_employer("A", None, None).await.expect("a");
    assert_eq!(
        store.outbox_head().await.expect("head"),
        0,
        "employers are not indexed"
    );
    let o = store.create_opening(&full_opening(e.id)).await.expect("o");
    let p = store
        .create_participant(&full_identity("D"), &full_profile())
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
        .create_participant(&full_identity("E"), &bad_profile)
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
        .update_participant(p.id, &full_identity("D"), &Profile::default())
        .await
        .expect("update")
        .expect("exists");
    assert!(store.delete_participant(p.id).await.expect("delete"));

    use Entity::{Opening as O, Participant as P};
    assert_eq!(
        outbox(&store).await,
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

#[tokio::test]
async fn delete_participant_erases_personal_data() {
    let (_dir, store) = fresh().await;
    let name = "Zorba Raderasson";
    let identity = full_identity(name);
    let kept_identity = Identity {
        name: "Kvar Kvarsson".into(),
        personal_number: Some("19800202-2222".into()),
        contact: Some("kvar@example.se".into()),
    };
    let keep = store
        .create_participant(&kept_identity, &Profile::default())
        .await
        .expect("kept");
    let p = store
        .create_participant(&identity, &full_profile())
        .await
        .expect("p");
    store
        .log_participant_read(p.id, "coach:7", "view")
        .await
        .expect("log");

    assert!(store.delete_participant(p.id).await.expect("delete"));
    assert!(!store.delete_participant(p.id).await.expect("again"));
    assert_eq!(store.participant(p.id).await.expect("read"), None);
    assert_eq!(
        store.all_profiles().await.expect("profiles"),
        vec![(keep.id, Profile::default())]
    );
    assert_eq!(store.counts().await.expect("counts").participants, 1);

    // No table holds the name, personal number or contact any more.
    let pool = pool(&store);
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    assert!(tables.contains(&"participant_identities".to_string()));
    let needles = [
        name,
        "19900101-1234",
        "unik.kontakt@example.se",
        "Raderasson",
    ];
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
            for needle in needles {
                let hits: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?) > 0"
                )))
                .bind(needle)
                .fetch_one(pool)
                .await
                .expect("scan");
                assert_eq!(hits, 0, "{needle:?} remains in {table}.{column}");
            }
        }
    }

    // The access log survives, with ids and actors only.
    let reads = store.participant_reads(p.id).await.expect("reads");
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

#[tokio::test]
async fn reads_are_logged_in_order() {
    let (_dir, store) = fresh().await;
    let p = store
        .create_participant(&full_identity("F"), &full_profile())
        .await
        .expect("p");
    let before = Utc::now();
    store
        .log_participant_read(p.id, "coach:1", "view")
        .await
        .expect("log");
    store
        .log_participant_read(p.id, "admin:2", "export")
        .await
        .expect("log");
    store
        .log_participant_read(p.id + 1, "coach:1", "view")
        .await
        .expect("log");
    let after = Utc::now();
    let reads = store.participant_reads(p.id).await.expect("reads");
    let pairs: Vec<(&str, &str)> = reads
        .iter()
        .map(|(actor, action, _)| (actor.as_str(), action.as_str()))
        .collect();
    assert_eq!(pairs, vec![("coach:1", "view"), ("admin:2", "export")]);
    assert!(reads.iter().all(|(_, _, at)| before <= *at && *at <= after));
    assert!(
        store
            .participant_reads(9999)
            .await
            .expect("none")
            .is_empty()
    );
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
        .create_participant(&full_identity("G"), &full_profile())
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
async fn open_accepts_sqlite_urls_only() {
    let err = Store::open("postgres://localhost/jobmatch")
        .await
        .expect_err("not yet");
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
async fn import_is_all_or_nothing() {
    let (_dir, store) = fresh().await;
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
        .import(&employers, &bad, &participants)
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
        .import(&employers, &openings, &late)
        .await
        .expect_err("bad last participant");
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");

    let dup = vec![employers[0].clone(), employers[0].clone()];
    let err = store
        .import(&dup, &[], &[])
        .await
        .expect_err("duplicate employer id");
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");

    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(store.outbox_head().await.expect("head"), 0);

    let report = store
        .import(&employers, &openings, &participants)
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
    let entries = outbox(&store).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_all_commit_with_distinct_seqs() {
    let (_dir, store) = fresh().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool(&store))
        .await
        .expect("journal mode");
    assert_eq!(mode, "wal");
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
                    .create_participant(&full_identity("K"), &full_profile())
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

#[tokio::test]
async fn profiles_load_in_one_batch_and_skip_deleted_ids() {
    let (_dir, store) = fresh().await;
    let a = store
        .create_participant(&full_identity("A"), &full_profile())
        .await
        .unwrap();
    let b = store
        .create_participant(&full_identity("B"), &Profile::default())
        .await
        .unwrap();
    assert!(store.delete_participant(a.id).await.unwrap());
    let got = store.profiles(&[b.id, a.id, 999]).await.unwrap();
    assert_eq!(got, vec![(b.id, Profile::default())]);
    assert!(store.profiles(&[]).await.unwrap().is_empty());
}
