use chrono::NaiveDate;
use proptest::prelude::*;

use super::score::*;
use super::*;
use crate::model::{GeoPoint, Hours, SsykCode, SwedishLevel};

const STOCKHOLM: GeoPoint = GeoPoint {
    lat: 59.33258,
    lon: 18.0649,
};
const SOLNA: GeoPoint = GeoPoint {
    lat: 59.36004,
    lon: 18.00086,
};
const GOTEBORG: GeoPoint = GeoPoint {
    lat: 57.70716,
    lon: 11.96679,
};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ssyk(code: u16) -> SsykCode {
    SsykCode::new(code).unwrap()
}

fn curves() -> Curves {
    Curves::default()
}

fn ctx<'a>(profile: &'a WeightProfile, weights: &'a SkillWeights) -> Context<'a> {
    Context {
        profile,
        skill_weights: weights,
        today: day("2026-11-23"),
    }
}

fn opening(id: i64) -> OpeningFeatures {
    OpeningFeatures {
        id,
        must: vec![1, 2],
        merit: vec![3],
        occupation: Some(ssyk(4322)),
        swedish_min: Some(SwedishLevel::A2),
        swedish_strict: false,
        licences: vec![],
        location: Some(STOCKHOLM),
        start_date: Some(day("2026-12-01")),
        deadline: Some(day("2026-12-15")),
        hours: Hours::Full,
    }
}

fn participant(id: i64) -> ParticipantFeatures {
    ParticipantFeatures {
        id,
        skills: vec![1, 2, 3],
        occupations: vec![(ssyk(4322), 3.0)],
        swedish: Some(SwedishLevel::B1),
        location: Some(STOCKHOLM),
        max_travel_km: Some(30.0),
        licences: vec![],
        available_from: Some(day("2026-11-01")),
        hours: Hours::Any,
    }
}

#[test]
fn coverage_weighs_rarer_skills_more() {
    let mut w = SkillWeights::new();
    w.set(1, 1.0);
    w.set(2, 3.0);
    assert_eq!(coverage(&[], &[1], &w), None);
    assert_eq!(coverage(&[1, 2], &[1, 2], &w), Some(1.0));
    assert_eq!(coverage(&[1, 2], &[], &w), Some(0.0));
    assert_eq!(coverage(&[1, 2], &[1], &w), Some(0.25));
    assert_eq!(coverage(&[1, 2], &[2], &w), Some(0.75));
    // Held keys the opening does not ask for change nothing.
    assert_eq!(coverage(&[1, 2], &[0, 2, 7, 9], &w), Some(0.75));
}

#[test]
fn occupation_scores_same_group_best_and_parents_partly() {
    let c = curves();
    let opening = Some(ssyk(5321));
    assert_eq!(
        occupation_score(&[(ssyk(5321), 0.0)], opening, &c),
        Some(1.0)
    );
    assert_eq!(
        occupation_score(&[(ssyk(5323), 0.0)], opening, &c),
        Some(0.6)
    );
    assert_eq!(
        occupation_score(&[(ssyk(5311), 0.0)], opening, &c),
        Some(0.3)
    );
    assert_eq!(
        occupation_score(&[(ssyk(5120), 0.0)], opening, &c),
        Some(0.1)
    );
    assert_eq!(
        occupation_score(&[(ssyk(9111), 0.0)], opening, &c),
        Some(0.0)
    );
    assert_eq!(occupation_score(&[], opening, &c), Some(0.0));
    assert_eq!(occupation_score(&[(ssyk(5321), 1.0)], None, &c), None);
    // The best of several occupations counts.
    assert_eq!(
        occupation_score(&[(ssyk(9111), 5.0), (ssyk(5323), 1.0)], opening, &c),
        Some(0.6)
    );
    // Leading-zero codes keep their hierarchy (0110 and 0210 share only the first digit).
    assert_eq!(ssyk(110).shared_digits(ssyk(210)), 1);
    assert_eq!(ssyk(110).shared_digits(ssyk(120)), 2);
    assert_eq!(ssyk(110).to_string(), "0110");
}

#[test]
fn experience_saturates_and_counts_related_groups_partly() {
    let c = curves();
    let o = Some(ssyk(9111));
    assert_eq!(experience_score(&[(ssyk(9111), 0.0)], o, &c), Some(0.0));
    assert_eq!(experience_score(&[(ssyk(9111), 1.5)], o, &c), Some(0.5));
    assert_eq!(experience_score(&[(ssyk(9111), 3.0)], o, &c), Some(1.0));
    assert_eq!(experience_score(&[(ssyk(9111), 20.0)], o, &c), Some(1.0));
    assert_eq!(experience_score(&[(ssyk(9119), 3.0)], o, &c), Some(0.6));
    assert_eq!(experience_score(&[(ssyk(9111), -2.0)], o, &c), Some(0.0));
    assert_eq!(experience_score(&[(ssyk(9111), 2.0)], None, &c), None);
}

#[test]
fn swedish_loses_a_quarter_per_step_below_the_minimum() {
    let c = curves();
    use SwedishLevel::*;
    assert_eq!(swedish_score(Some(B1), Some(B1), &c), Some(1.0));
    assert_eq!(swedish_score(Some(C2), Some(A1), &c), Some(1.0));
    assert_eq!(swedish_score(Some(A2), Some(B1), &c), Some(0.75));
    assert_eq!(swedish_score(Some(A1), Some(B1), &c), Some(0.5));
    assert_eq!(swedish_score(None, Some(B1), &c), Some(0.25));
    assert_eq!(swedish_score(None, Some(C2), &c), Some(0.0));
    assert_eq!(swedish_score(Some(A1), None, &c), None);
    assert_eq!(swedish_gap(None, A1), 1);
    assert_eq!(swedish_gap(Some(A2), B2), 2);
}

#[test]
fn distance_halves_every_ten_km() {
    let c = curves();
    assert_eq!(distance_score(0.0, &c), 1.0);
    assert!((distance_score(10.0, &c) - 0.5).abs() < 1e-6);
    assert!((distance_score(20.0, &c) - 0.25).abs() < 1e-6);
    assert_eq!(distance_score(f64::NAN, &c), 0.0);
    let km = STOCKHOLM.distance_km(GOTEBORG);
    assert!((390.0..400.0).contains(&km), "{km}");
}

#[test]
fn availability_decays_with_late_start_and_mismatched_hours() {
    let c = curves();
    let start = Some(day("2026-12-01"));
    let early = Some(day("2026-11-01"));
    let late30 = Some(day("2026-12-31"));
    let late90 = Some(day("2027-03-01"));
    assert_eq!(
        availability_score(early, start, Hours::Full, Hours::Full, &c),
        1.0
    );
    assert_eq!(
        availability_score(None, start, Hours::Full, Hours::Any, &c),
        1.0
    );
    assert_eq!(
        availability_score(late30, start, Hours::Full, Hours::Full, &c),
        0.5
    );
    assert_eq!(
        availability_score(late90, start, Hours::Full, Hours::Full, &c),
        0.0
    );
    assert_eq!(
        availability_score(early, start, Hours::Full, Hours::Part, &c),
        0.5
    );
    assert_eq!(
        availability_score(early, start, Hours::Part, Hours::Full, &c),
        0.8
    );
    assert_eq!(
        availability_score(late30, start, Hours::Full, Hours::Part, &c),
        0.25
    );
}

#[test]
fn total_is_the_weighted_mean_of_the_categories_that_apply() {
    let profile = WeightProfile::default();
    let all_one = CategoryScores {
        must_skills: Some(1.0),
        merit_skills: Some(1.0),
        occupation: Some(1.0),
        experience: Some(1.0),
        swedish: Some(1.0),
        distance: Some(1.0),
        licences: Some(1.0),
        availability: Some(1.0),
        text: Some(1.0),
    };
    assert!((all_one.total(&profile) - 1.0).abs() < 1e-6);
    let some = CategoryScores {
        must_skills: Some(0.5),
        occupation: Some(1.0),
        availability: Some(0.0),
        ..CategoryScores::default()
    };
    let w = &profile.weights;
    let expected =
        (0.5 * w.must_skills + w.occupation) / (w.must_skills + w.occupation + w.availability);
    assert!((some.total(&profile) - expected).abs() < 1e-6);
    assert_eq!(CategoryScores::default().total(&profile), 0.0);
}

#[test]
fn a_full_fit_scores_high_and_explains_itself() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let p = participant(7);
    let o = opening(1);
    let e = evaluate(
        Pair {
            participant: &p,
            opening: &o,
            text: Some(0.5),
        },
        ctx(&profile, &weights),
    );
    assert!(!e.excluded);
    assert_eq!(e.categories.must_skills, Some(1.0));
    assert_eq!(e.categories.licences, None);
    assert_eq!(e.categories.text, Some(0.5));
    assert!(e.total > 0.9 && e.total < 1.0, "{}", e.total);

    let evidence = explain(
        Pair {
            participant: &p,
            opening: &o,
            text: None,
        },
        ctx(&profile, &weights),
    );
    assert_eq!(evidence.skills_found, vec![1, 2, 3]);
    assert!(evidence.must_skills_missing.is_empty());
    assert_eq!(evidence.swedish_gap_steps, Some(0));
    assert_eq!(evidence.distance_km, Some(0.0));
    assert_eq!(evidence.occupation_match, Some((ssyk(4322), 4)));
    assert_eq!(evidence.experience_years, Some(3.0));
    assert_eq!(evidence.excluded, None);
}

#[test]
fn hard_rules_exclude_and_say_why() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let c = ctx(&profile, &weights);
    let check = |p: &ParticipantFeatures, o: &OpeningFeatures| {
        let pair = Pair {
            participant: p,
            opening: o,
            text: None,
        };
        (evaluate(pair, c).excluded, explain(pair, c).excluded)
    };

    let mut strict = opening(1);
    strict.swedish_min = Some(SwedishLevel::B2);
    let p = participant(1);
    assert!(
        !check(&p, &strict).0,
        "a soft minimum only lowers the score"
    );
    strict.swedish_strict = true;
    assert_eq!(
        check(&p, &strict),
        (
            true,
            Some(Exclusion::SwedishBelowStrictMinimum {
                required: SwedishLevel::B2,
                actual: Some(SwedishLevel::B1),
                gap_steps: 1
            })
        )
    );

    let mut far = opening(2);
    far.location = Some(GOTEBORG);
    let (excluded, why) = check(&p, &far);
    assert!(excluded);
    assert!(
        matches!(why, Some(Exclusion::BeyondTravelLimit { max_travel_km, .. }) if max_travel_km == 30.0)
    );
    let mut anywhere = participant(2);
    anywhere.max_travel_km = None;
    assert!(!check(&anywhere, &far).0, "no limit set, no exclusion");
    let mut near = opening(3);
    near.location = Some(SOLNA);
    assert!(!check(&p, &near).0);

    let mut licence = opening(4);
    licence.licences = vec![50, 51];
    let mut holder = participant(3);
    holder.licences = vec![50];
    assert_eq!(
        check(&holder, &licence),
        (true, Some(Exclusion::MissingLicence { missing: 1 }))
    );
    holder.licences = vec![50, 51];
    assert_eq!(check(&holder, &licence), (false, None));

    let mut closed = opening(5);
    closed.deadline = Some(day("2026-11-22"));
    assert_eq!(
        check(&p, &closed),
        (
            true,
            Some(Exclusion::DeadlinePassed {
                deadline: day("2026-11-22")
            })
        )
    );
    closed.deadline = Some(day("2026-11-23"));
    assert!(
        !check(&p, &closed).0,
        "the deadline day itself is still open"
    );
}

#[test]
fn ranking_orders_by_score_breaks_ties_by_id_and_honours_k() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let p = participant(1);
    let mut openings: Vec<OpeningFeatures> = (0..10).map(|i| opening(100 - i)).collect();
    openings[3].must = vec![1, 9]; // half the must-have skills
    openings[5].licences = vec![42]; // excluded
    let r = rank_openings(
        &p,
        &openings,
        None,
        ctx(&profile, &weights),
        RankOptions {
            k: 5,
            include_excluded: true,
        },
    );
    let ids: Vec<i64> = r.results.iter().map(|s| s.id).collect();
    // Eight equal openings tie: lowest ids first.
    assert_eq!(ids, vec![91, 92, 93, 94, 96]);
    assert_eq!(r.considered, 10);
    assert_eq!(r.excluded_count, 1);
    assert_eq!(r.excluded.len(), 1);
    assert_eq!(r.excluded[0].id, 95);
    assert_eq!(r.excluded[0].evidence.licences_missing, vec![42]);
    assert_eq!(
        r.results[0].profile,
        ProfileStamp {
            name: "default".into(),
            version: 1
        }
    );

    let all = rank_openings(
        &p,
        &openings,
        None,
        ctx(&profile, &weights),
        RankOptions {
            k: 20,
            include_excluded: false,
        },
    );
    assert_eq!(all.results.len(), 9);
    assert_eq!(
        all.results.last().unwrap().id,
        97,
        "the half-covered opening ranks last"
    );
    assert_eq!(
        all.results.last().unwrap().evidence.must_skills_missing,
        vec![9]
    );
    assert!(all.excluded.is_empty());
}

#[test]
fn text_relevance_breaks_otherwise_equal_openings() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let p = participant(1);
    let openings: Vec<OpeningFeatures> = (1..=3).map(opening).collect();
    let text = [0.1, 0.9, 0.5];
    let r = rank_openings(
        &p,
        &openings,
        Some(&text),
        ctx(&profile, &weights),
        RankOptions {
            k: 3,
            include_excluded: false,
        },
    );
    assert_eq!(
        r.results.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![2, 3, 1]
    );
}

#[test]
fn participants_rank_for_an_opening_the_same_way() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let o = opening(1);
    let mut weak = participant(1);
    weak.skills = vec![3];
    weak.occupations = vec![(ssyk(9111), 1.0)];
    let strong = participant(2);
    let mut related = participant(3);
    related.occupations = vec![(ssyk(4321), 3.0)];
    let ps = vec![weak, strong, related];
    let r = rank_participants(
        &o,
        &ps,
        None,
        ctx(&profile, &weights),
        RankOptions {
            k: 10,
            include_excluded: false,
        },
    );
    assert_eq!(
        r.results.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![2, 3, 1]
    );
}

#[test]
fn parallel_and_sequential_paths_agree() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let p = participant(1);
    let openings: Vec<OpeningFeatures> = (0..5000)
        .map(|i| {
            let mut o = opening(i);
            o.must = key_set(vec![(i % 7) as Key, (i % 11) as Key]);
            o.location = Some(GeoPoint {
                lat: 59.0 + (i % 50) as f64 * 0.01,
                lon: 18.0,
            });
            o
        })
        .collect();
    let c = ctx(&profile, &weights);
    let opts = RankOptions {
        k: 25,
        include_excluded: true,
    };
    let parallel = rank_openings(&p, &openings, None, c, opts);
    let mut sequential: Vec<(f32, i64)> = openings
        .iter()
        .map(|o| {
            evaluate(
                Pair {
                    participant: &p,
                    opening: o,
                    text: None,
                },
                c,
            )
        })
        .zip(&openings)
        .filter(|(e, _)| !e.excluded)
        .map(|(e, o)| (e.total, o.id))
        .collect();
    sequential.sort_by(|a, b| rank_order(*a, *b));
    let expected: Vec<i64> = sequential.iter().take(25).map(|s| s.1).collect();
    assert_eq!(
        parallel.results.iter().map(|s| s.id).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        parallel,
        rank_openings(&p, &openings, None, c, opts),
        "same input, same output"
    );
}

fn arb_level() -> impl Strategy<Value = Option<SwedishLevel>> {
    prop::option::of(prop::sample::select(SwedishLevel::ALL.to_vec()))
}

fn arb_hours() -> impl Strategy<Value = Hours> {
    prop::sample::select(vec![Hours::Full, Hours::Part, Hours::Any])
}

fn arb_point() -> impl Strategy<Value = Option<GeoPoint>> {
    prop::option::of((55.0f64..69.0, 11.0f64..24.0).prop_map(|(lat, lon)| GeoPoint { lat, lon }))
}

fn arb_date() -> impl Strategy<Value = Option<NaiveDate>> {
    prop::option::of((0i64..400).prop_map(|d| day("2026-06-01") + chrono::Duration::days(d)))
}

fn arb_keys() -> impl Strategy<Value = Vec<Key>> {
    prop::collection::vec(0u32..40, 0..8).prop_map(key_set)
}

fn arb_occupations() -> impl Strategy<Value = Vec<(SsykCode, f32)>> {
    prop::collection::vec((1000u16..9999, -1.0f32..30.0), 0..4)
        .prop_map(|v| v.into_iter().map(|(c, y)| (ssyk(c), y)).collect())
}

prop_compose! {
    fn arb_opening()(must in arb_keys(), merit in arb_keys(), occupation in prop::option::of(1000u16..9999),
                     swedish_min in arb_level(), swedish_strict in any::<bool>(), licences in arb_keys(),
                     location in arb_point(), start_date in arb_date(), deadline in arb_date(),
                     hours in prop::sample::select(vec![Hours::Full, Hours::Part])) -> OpeningFeatures {
        OpeningFeatures { id: 1, must, merit, occupation: occupation.map(ssyk), swedish_min, swedish_strict,
                          licences, location, start_date, deadline, hours }
    }
}

prop_compose! {
    fn arb_participant()(skills in arb_keys(), occupations in arb_occupations(), swedish in arb_level(),
                         location in arb_point(), max_travel_km in prop::option::of(0.0f64..500.0),
                         licences in arb_keys(), available_from in arb_date(), hours in arb_hours()) -> ParticipantFeatures {
        ParticipantFeatures { id: 2, skills, occupations, swedish, location, max_travel_km, licences,
                              available_from, hours }
    }
}

fn arb_weights() -> impl Strategy<Value = SkillWeights> {
    prop::collection::vec(0.5f32..3.0, 40).prop_map(|ws| {
        let mut w = SkillWeights::new();
        for (k, v) in ws.into_iter().enumerate() {
            w.set(k as Key, v);
        }
        w
    })
}

proptest! {
    #[test]
    fn every_score_stays_within_zero_and_one(o in arb_opening(), p in arb_participant(),
                                             weights in arb_weights(), text in prop::option::of(-2.0f32..2.0)) {
        let profile = WeightProfile::default();
        let e = evaluate(Pair { participant: &p, opening: &o, text }, ctx(&profile, &weights));
        let c = e.categories;
        for s in [c.must_skills, c.merit_skills, c.occupation, c.experience, c.swedish, c.distance,
                  c.licences, c.availability, c.text].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&s), "category {s}");
        }
        prop_assert!((0.0..=1.0).contains(&e.total), "total {}", e.total);
    }

    #[test]
    fn adding_a_skill_the_opening_asks_for_never_lowers_the_score(
        o in arb_opening(), p in arb_participant(), weights in arb_weights(), pick in any::<prop::sample::Index>()) {
        let asked: Vec<Key> = o.must.iter().chain(&o.merit).copied().collect();
        prop_assume!(!asked.is_empty());
        let skill = asked[pick.index(asked.len())];
        let profile = WeightProfile::default();
        let c = ctx(&profile, &weights);
        let before = evaluate(Pair { participant: &p, opening: &o, text: None }, c);
        let mut better = p.clone();
        better.skills.push(skill);
        better.skills = key_set(better.skills);
        let after = evaluate(Pair { participant: &better, opening: &o, text: None }, c);
        prop_assert!(after.total >= before.total - 1e-6, "{} -> {}", before.total, after.total);
        prop_assert_eq!(after.excluded, before.excluded);
    }

    #[test]
    fn same_input_gives_the_same_order(openings in prop::collection::vec(arb_opening(), 0..40), p in arb_participant()) {
        let openings: Vec<OpeningFeatures> = openings.into_iter().enumerate()
            .map(|(i, mut o)| { o.id = (i as i64 * 7919) % 97; o }).collect();
        let profile = WeightProfile::default();
        let weights = SkillWeights::new();
        let c = ctx(&profile, &weights);
        let opts = RankOptions { k: 10, include_excluded: true };
        let a = rank_openings(&p, &openings, None, c, opts);
        let mut reversed = openings.clone();
        reversed.reverse();
        let b = rank_openings(&p, &reversed, None, c, opts);
        let ids = |r: &Ranking| r.results.iter().map(|s| (s.id, s.score.to_bits())).collect::<Vec<_>>();
        prop_assert_eq!(ids(&a), ids(&b));
        for w in a.results.windows(2) {
            prop_assert!(rank_order((w[0].score, w[0].id), (w[1].score, w[1].id)) != std::cmp::Ordering::Greater);
        }
    }
}

#[test]
fn experience_evidence_names_the_years_that_scored() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let o = opening(1);
    let mut p = participant(1);
    // Same group with no years, a related group with five: the score comes from the five.
    p.occupations = vec![(ssyk(4322), 0.0), (ssyk(4321), 5.0)];
    let pair = Pair {
        participant: &p,
        opening: &o,
        text: None,
    };
    let e = evaluate(pair, ctx(&profile, &weights));
    assert_eq!(e.categories.experience, Some(0.6));
    let evidence = explain(pair, ctx(&profile, &weights));
    assert_eq!(evidence.experience_years, Some(5.0));
    assert_eq!(evidence.occupation_match, Some((ssyk(4322), 4)));
    p.occupations = vec![(ssyk(9111), 4.0)];
    let pair = Pair {
        participant: &p,
        opening: &o,
        text: None,
    };
    assert_eq!(
        explain(pair, ctx(&profile, &weights)).experience_years,
        None
    );
}
