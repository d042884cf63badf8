use super::*;
use crate::model::{OpeningKind, Place, Profile};
use crate::store::Op;

fn entry(seq: i64, entity: Entity, entity_id: Id) -> OutboxEntry {
    OutboxEntry {
        seq,
        entity,
        entity_id,
        op: Op::Upsert,
    }
}

#[test]
fn changed_names_each_id_of_one_entity_once_ascending() {
    let entries = [
        entry(1, Entity::Opening, 7),
        entry(2, Entity::Participant, 7),
        entry(3, Entity::Opening, 3),
        entry(4, Entity::Opening, 7),
    ];
    assert_eq!(changed(&entries, Entity::Opening), [3, 7]);
    assert_eq!(changed(&entries, Entity::Participant), [7]);
}

#[test]
fn participants_stay_sorted_by_id_through_upserts_and_removals() {
    let taxonomy = Taxonomy::embedded().unwrap();
    let mut p = Projection::default();
    let profile = Profile {
        home: Place {
            municipality_code: Some("0180".into()),
            point: None,
        },
        ..Profile::default()
    };
    for id in [5, 1, 3, 1] {
        p.upsert_participant(id, &profile, &taxonomy);
    }
    let ids: Vec<Id> = p.participants.iter().map(|f| f.id).collect();
    assert_eq!(ids, [1, 3, 5]);
    p.remove_participant(3);
    p.remove_participant(42);
    let ids: Vec<Id> = p.participants.iter().map(|f| f.id).collect();
    assert_eq!(ids, [1, 5]);
    assert!(
        p.participants[0].location.is_some(),
        "located by municipality"
    );
}

#[test]
fn closing_an_opening_keeps_its_features_but_not_its_place_among_the_open() {
    let taxonomy = Taxonomy::embedded().unwrap();
    let mut p = Projection::default();
    let mut o = Opening {
        id: 9,
        employer_id: 1,
        kind: OpeningKind::Internship,
        title: "Praktik".into(),
        description: String::new(),
        occupation: None,
        skills_required: Vec::new(),
        skills_merit: Vec::new(),
        swedish_min: None,
        swedish_required: false,
        licences: Vec::new(),
        workplace: Place::default(),
        places: 1,
        start_date: None,
        deadline: None,
        hours: Default::default(),
        employment_form: Default::default(),
        supervisor: false,
        status: OpeningStatus::Open,
    };
    p.upsert_opening(&o, &taxonomy);
    assert_eq!(p.open_count(None), 1);
    assert_eq!(p.open_count(Some(OpeningKind::Internship)), 1);
    assert_eq!(p.open_count(Some(OpeningKind::Vacancy)), 0);
    o.status = OpeningStatus::Closed;
    p.upsert_opening(&o, &taxonomy);
    assert_eq!(p.open_count(None), 0);
    assert!(p.openings.contains_key(&9));
}
