//! The patterns behind suggestions a coach would call unrelated, each as the ranking it must
//! give. Under the rules of weight profile "default" version 1 each of these came out the
//! other way (the figures are in the comments).

use super::*;

/// A receptionist (4226) who holds the generic "Kundtjänst" and the specific "Bokningssystem".
fn receptionist() -> ParticipantFeatures {
    ParticipantFeatures {
        skills: vec![GENERIC, SPECIFIC],
        occupations: vec![(ssyk(4226), 2.0)],
        max_travel_km: Some(60.0),
        ..participant(1)
    }
}

const GENERIC: Key = 1;
const SPECIFIC: Key = 2;
const OTHER: Key = 3;

fn weights() -> SkillWeights {
    let mut w = SkillWeights::new();
    w.set(GENERIC, 1.1);
    w.set_specificity(GENERIC, 0.14);
    for k in [SPECIFIC, OTHER] {
        w.set(k, 1.6);
        w.set_specificity(k, 0.63);
    }
    w
}

fn total(p: &ParticipantFeatures, o: &OpeningFeatures, w: &SkillWeights) -> f32 {
    let profile = WeightProfile::default();
    evaluate(Pair::new(p, o, None), ctx(&profile, w)).total
}

fn km_north(km: f64) -> GeoPoint {
    GeoPoint {
        lat: STOCKHOLM.lat + km / 111.2,
        lon: STOCKHOLM.lon,
    }
}

#[test]
fn one_generic_skill_does_not_outrank_the_own_occupation_family_further_away() {
    let w = weights();
    let me = receptionist();
    // Currency exchange (4211) near home, asking only for Kundtjänst.
    let exchange = OpeningFeatures {
        must: vec![GENERIC],
        merit: vec![],
        occupation: Some(ssyk(4211)),
        swedish_min: None,
        location: Some(km_north(2.0)),
        ..opening(1)
    };
    // A hotel receptionist (4222, the same family) 20 km away asking for booking systems and
    // something she lacks. Version 1: exchange 0.71 (a full must-skill score, and 4211 shares
    // two digits with 4226), hotel 0.52.
    let hotel = OpeningFeatures {
        must: vec![SPECIFIC, OTHER],
        merit: vec![],
        occupation: Some(ssyk(4222)),
        swedish_min: None,
        location: Some(km_north(20.0)),
        ..opening(2)
    };
    let (a, b) = (total(&me, &exchange, &w), total(&me, &hotel, &w));
    assert!(b > a, "own family {b} <= generic skill {a}");
}

#[test]
fn an_opening_that_states_nothing_does_not_outrank_one_that_states_much_and_is_partly_met() {
    let w = weights();
    let me = receptionist();
    // Next door, and says nothing of skills, occupation or Swedish. Version 1 scored it 1.0:
    // only distance and availability applied, and both were perfect.
    let silent = OpeningFeatures {
        must: vec![],
        merit: vec![],
        occupation: None,
        swedish_min: None,
        location: Some(STOCKHOLM),
        ..opening(1)
    };
    // 10 km away, her own occupation, one of two skills held, Swedish met.
    let stated = OpeningFeatures {
        must: vec![SPECIFIC, OTHER],
        merit: vec![],
        occupation: Some(ssyk(4226)),
        swedish_min: Some(SwedishLevel::A2),
        location: Some(km_north(10.0)),
        ..opening(2)
    };
    let (quiet, much) = (total(&me, &silent, &w), total(&me, &stated, &w));
    assert!(much > quiet, "stated {much} <= silent {quiet}");
    assert!(quiet < 0.5, "saying nothing is no evidence of fit: {quiet}");
}

#[test]
fn a_related_occupation_and_related_skill_lift_an_opening_over_an_unrelated_one() {
    let w = weights();
    let profile = WeightProfile::default();
    // A personal assistant (5343) whose group asks for much of what an undersköterska's does.
    let me = ParticipantFeatures {
        skills: vec![SPECIFIC],
        related_skills: vec![Related {
            to: OTHER,
            via: SPECIFIC,
            similarity: 0.67,
        }],
        occupations: vec![(ssyk(5343), 3.0)],
        related_occupations: vec![Related {
            to: ssyk(5321),
            via: ssyk(5343),
            similarity: 0.7,
        }],
        ..participant(1)
    };
    let care = OpeningFeatures {
        must: vec![OTHER],
        merit: vec![],
        occupation: Some(ssyk(5321)),
        ..opening(1)
    };
    let unrelated = OpeningFeatures {
        must: vec![OTHER],
        merit: vec![],
        occupation: Some(ssyk(5311)),
        ..opening(2)
    };
    let c = ctx(&profile, &w);
    // Version 1 tied them: both groups share two digits with 5343, and neither skill is held.
    let e = evaluate(Pair::new(&me, &care, None), c);
    // 0.85 × 0.7 beats the 0.3 that sharing two digits gives.
    assert!((e.categories[Category::Occupation].unwrap() - 0.595).abs() < 1e-6);
    assert!(e.categories[Category::MustSkills].unwrap() > 0.0);
    assert!(e.total > total(&me, &unrelated, &w));
    let evidence = explain(Pair::new(&me, &care, None), c);
    assert_eq!(
        evidence.occupation_related,
        Some(me.related_occupations[0]),
        "the evidence names the related group"
    );
    assert_eq!(evidence.skills_related, me.related_skills);
}

#[test]
fn without_a_travel_limit_a_workplace_400_km_away_is_excluded_by_the_default() {
    let w = weights();
    let profile = WeightProfile::default();
    let me = ParticipantFeatures {
        max_travel_km: None,
        ..receptionist()
    };
    let far = OpeningFeatures {
        location: Some(GOTEBORG),
        ..opening(1)
    };
    // Version 1 kept it, with a distance score of 1e-12.
    let e = evaluate(Pair::new(&me, &far, None), ctx(&profile, &w));
    assert!(e.excluded);
    let ranking = rank_openings(
        &me,
        &[far.clone(), opening(2)],
        None,
        ctx(&profile, &w),
        RankOptions {
            k: 10,
            include_excluded: true,
        },
    );
    assert_eq!(ranking.results.len(), 1);
    assert_eq!(ranking.excluded[0].id, far.id);
    assert!(matches!(
        ranking.excluded[0].evidence.excluded,
        Some(Exclusion::BeyondTravelLimit {
            default_limit: true,
            ..
        })
    ));
}
