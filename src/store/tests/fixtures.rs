//! Test data shared by the store tests: an opening, an identity and a profile with every field
//! set and every enum off its default, so a round trip that drops or mangles anything shows.
//!
//! What this module must not do: touch a backend directly; these are plain domain values and
//! reads through [`Store`].

use chrono::NaiveDate;

use crate::model::{
    ConceptId, EmploymentForm, Experience, GeoPoint, Hours, Id, Identity, Occupation, Opening,
    OpeningKind, OpeningStatus, Place, PriorityGroup, Profile, SsykCode, SwedishLevel, Term,
};
use crate::store::{Entity, Op, Store};

pub(in crate::store) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub(in crate::store) fn concept(id: &str, label: &str, input: Option<&str>) -> Term {
    Term::Concept {
        id: ConceptId(id.into()),
        label: label.into(),
        input: input.map(Into::into),
    }
}

pub(in crate::store) fn occupation(code: u16, label: &str) -> Occupation {
    Occupation {
        code: SsykCode::new(code).expect("ssyk"),
        concept_id: ConceptId(format!("ssyk-{code}")),
        label: label.into(),
    }
}

/// An opening with every optional field set and every enum off its default.
pub(in crate::store) fn full_opening(employer_id: Id) -> Opening {
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
        source: None,
    }
}

pub(in crate::store) fn full_identity(name: &str) -> Identity {
    Identity {
        name: name.into(),
        personal_number: Some("19900101-1234".into()),
        contact: Some("070-123 45 67, unik.kontakt@example.se".into()),
    }
}

pub(in crate::store) fn full_profile() -> Profile {
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
        gender: Some(crate::model::Gender::Woman),
    }
}

pub(in crate::store) async fn outbox(store: &Store) -> Vec<(Entity, Id, Op)> {
    store
        .outbox_after(0, 1000)
        .await
        .expect("outbox")
        .into_iter()
        .map(|e| (e.entity, e.entity_id, e.op))
        .collect()
}
