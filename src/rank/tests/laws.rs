//! Property tests of the laws every score obeys: within [0, 1], monotone in skills held,
//! independent of input order.

use proptest::prelude::*;

use super::*;

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
                     hours in prop::sample::select(vec![Hours::Full, Hours::Part]),
                     track_record in prop::option::of(0.0f32..=1.0)) -> OpeningFeatures {
        OpeningFeatures { id: 1, must, merit, occupation: occupation.map(ssyk), swedish_min, swedish_strict,
                          licences, location, start_date, deadline, hours, track_record }
    }
}

prop_compose! {
    fn arb_participant()(skills in arb_keys(), occupations in arb_occupations(), swedish in arb_level(),
                         location in arb_point(), max_travel_km in prop::option::of(0.0f64..500.0),
                         licences in arb_keys(), available_from in arb_date(), hours in arb_hours()) -> ParticipantFeatures {
        ParticipantFeatures { id: 2, skills, related_skills: vec![], occupations,
                              related_occupations: vec![], swedish, location, max_travel_km, licences,
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
        let e = evaluate(Pair::new(&p, &o, text), ctx(&profile, &weights));
        for (category, s) in e.categories.iter() {
            if let Some(s) = *s {
                prop_assert!((0.0..=1.0).contains(&s), "category {category} {s}");
            }
        }
        prop_assert!((0.0..=1.0).contains(&e.total), "total {}", e.total);
    }

    #[test]
    fn explaining_scores_what_evaluating_does(o in arb_opening(), p in arb_participant(),
                                              weights in arb_weights(), text in prop::option::of(-2.0f32..2.0)) {
        let profile = WeightProfile::default();
        let pair = Pair::new(&p, &o, text);
        let c = ctx(&profile, &weights);
        let e = evaluate(pair, c);
        let (scores, evidence) = explain_scores(pair, c);
        // Bit for bit: each category computes its score and its evidence in one place.
        prop_assert_eq!(scores.map(|s| s.map(f32::to_bits)), e.categories.map(|s| s.map(f32::to_bits)));
        prop_assert_eq!(evidence.excluded.is_some(), e.excluded);
    }

    #[test]
    fn adding_a_skill_the_opening_asks_for_never_lowers_the_score(
        o in arb_opening(), p in arb_participant(), weights in arb_weights(), pick in any::<prop::sample::Index>()) {
        let asked: Vec<Key> = o.must.iter().chain(&o.merit).copied().collect();
        prop_assume!(!asked.is_empty());
        let skill = asked[pick.index(asked.len())];
        let profile = WeightProfile::default();
        let c = ctx(&profile, &weights);
        let before = evaluate(Pair::new(&p, &o, None), c);
        let mut better = p.clone();
        better.skills.push(skill);
        better.skills = key_set(better.skills);
        let after = evaluate(Pair::new(&better, &o, None), c);
        prop_assert!(after.total >= before.total - 1e-6, "{} -> {}", before.total, after.total);
        prop_assert_eq!(after.excluded, before.excluded);
    }

    #[test]
    fn learning_from_outcomes_changes_only_its_own_category_and_only_when_weighed(
        o in arb_opening(), p in arb_participant(), weights in arb_weights(),
        text in prop::option::of(0.0f32..1.0), record in 0.0f32..=1.0, w in 0.01f32..0.5) {
        let off = WeightProfile::default();
        let mut on = off.clone();
        on.weights[Category::TrackRecord] = w;
        let o = OpeningFeatures { track_record: Some(record), ..o };
        let without = OpeningFeatures { track_record: None, ..o.clone() };
        let plain = evaluate(Pair::new(&p, &without, text), ctx(&off, &weights));
        // Off: the record is not looked at, whatever it says.
        let ignored = evaluate(Pair::new(&p, &o, text), ctx(&off, &weights));
        prop_assert_eq!(ignored.categories[Category::TrackRecord], None);
        prop_assert_eq!(ignored.total.to_bits(), plain.total.to_bits());
        // On: every other category as before, the total the weighted mean with the record.
        let learned = evaluate(Pair::new(&p, &o, text), ctx(&on, &weights));
        prop_assert_eq!(learned.categories[Category::TrackRecord], Some(record));
        for c in Category::ALL.into_iter().filter(|c| *c != Category::TrackRecord) {
            prop_assert_eq!(learned.categories[c], plain.categories[c], "{}", c);
        }
        prop_assert_eq!(learned.excluded, plain.excluded);
        let applied: f32 = Category::ALL.into_iter()
            .filter(|c| plain.categories[*c].is_some())
            .map(|c| off.weights[c]).sum();
        let expected = (plain.total * applied + w * record) / (applied + w);
        prop_assert!((learned.total - expected).abs() < 1e-4, "{} vs {expected}", learned.total);
        // A better record never lowers the total.
        let better = OpeningFeatures { track_record: Some((record + 0.2).min(1.0)), ..o.clone() };
        let higher = evaluate(Pair::new(&p, &better, text), ctx(&on, &weights));
        prop_assert!(higher.total >= learned.total - 1e-6);
    }

    #[test]
    fn stating_no_skills_or_occupation_never_wins_by_itself(
        o in arb_opening(), p in arb_participant(), weights in arb_weights(), text in prop::option::of(0.0f32..1.0)) {
        let profile = WeightProfile::default();
        let c = ctx(&profile, &weights);
        let stated = evaluate(Pair::new(&p, &o, text), c);
        let silent_opening = OpeningFeatures { must: vec![], merit: vec![], occupation: None, ..o.clone() };
        let silent = evaluate(Pair::new(&p, &silent_opening, text), c);
        prop_assert!(silent.total <= stated.total + 1e-6, "silent {} > stated {}", silent.total, stated.total);
        // The same categories apply either way, so the totals are means over the same weights.
        let applies = |e: &Evaluation| e.categories.map(|s| s.is_some());
        prop_assert_eq!(applies(&silent), applies(&stated));
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
