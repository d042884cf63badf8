//! The total, the hard exclusions and the evidence of one pair.

use super::*;
use crate::rank::score::coverage;

fn cover(wanted: &[Key], held: &[Key], related: &[Related<Key>], w: &SkillWeights) -> f32 {
    coverage(wanted, held, related, w, &curves())
}

#[test]
fn coverage_weighs_rarer_skills_more() {
    let mut w = SkillWeights::new();
    w.set(1, 1.0);
    w.set(2, 3.0);
    // Specific enough that one match is full evidence: this is about the share.
    w.set_specificity(1, 1.0);
    w.set_specificity(2, 1.0);
    assert_eq!(
        cover(&[], &[1], &[], &w),
        0.0,
        "nothing wanted, no evidence"
    );
    assert_eq!(cover(&[1, 2], &[1, 2], &[], &w), 1.0);
    assert_eq!(cover(&[1, 2], &[], &[], &w), 0.0);
    assert_eq!(cover(&[1, 2], &[1], &[], &w), 0.25);
    assert_eq!(cover(&[1, 2], &[2], &[], &w), 0.75);
    // Held keys the opening does not ask for change nothing.
    assert_eq!(cover(&[1, 2], &[0, 2, 7, 9], &[], &w), 0.75);
}

#[test]
fn a_match_on_a_specific_skill_counts_more_than_one_on_a_generic_skill_even_alone() {
    // Specificities as the taxonomy gives them: Kundtjänst (asked for in 79 occupations'
    // lists) 0.14, Hemtjänst (5) 0.63.
    let mut w = SkillWeights::new();
    let (generic, specific, other) = (1, 2, 3);
    w.set_specificity(generic, 0.14);
    w.set_specificity(specific, 0.63);
    w.set_specificity(other, 0.63);
    let alone_generic = cover(&[generic], &[generic], &[], &w);
    let alone_specific = cover(&[specific], &[specific], &[], &w);
    // One generic skill fully covered is a full share but little evidence.
    assert!((alone_generic - 0.14 / 0.6).abs() < 1e-6, "{alone_generic}");
    assert_eq!(alone_specific, 1.0);
    // Several generic skills together add up to the evidence of a specific one.
    w.set_specificity(other, 0.14);
    let many: Vec<Key> = vec![generic, other, 4, 5, 6];
    for k in 4..=6 {
        w.set_specificity(k, 0.14);
    }
    assert_eq!(cover(&many, &many, &[], &w), 1.0);
    // A skill nothing is known of (free text) is neither.
    let unknown = cover(&[40], &[40], &[], &w);
    assert!((unknown - 0.5 / 0.6).abs() < 1e-6, "{unknown}");
}

#[test]
fn a_related_skill_earns_part_of_the_credit_and_is_shown() {
    let mut w = SkillWeights::new();
    w.set_specificity(5, 1.0);
    let related = [Related {
        to: 5,
        via: 1,
        similarity: 0.6,
    }];
    // related_skill_credit 0.5 × similarity 0.6 = 0.3 of the share, and full evidence.
    let got = cover(&[5], &[1], &related, &w);
    assert!((got - 0.3).abs() < 1e-6, "{got}");
    assert_eq!(cover(&[5], &[1], &[], &w), 0.0);
    // Holding the skill itself beats the relation.
    assert_eq!(cover(&[5], &[1, 5], &[], &w), 1.0);

    let profile = WeightProfile::default();
    let mut p = participant(1);
    p.related_skills = vec![Related {
        to: 9,
        via: 2,
        similarity: 0.6,
    }];
    let mut o = opening(1);
    o.must = vec![1, 9];
    let evidence = explain(Pair::new(&p, &o, None), ctx(&profile, &w));
    assert_eq!(evidence.skills_related, p.related_skills);
    assert_eq!(evidence.must_skills_missing, vec![9]);
    let with = evaluate(Pair::new(&p, &o, None), ctx(&profile, &w)).total;
    p.related_skills.clear();
    let without = evaluate(Pair::new(&p, &o, None), ctx(&profile, &w)).total;
    assert!(with > without, "{with} <= {without}");
}

#[test]
fn total_is_the_weighted_mean_of_the_categories_that_apply() {
    let profile = WeightProfile::default();
    let all_one = CategoryScores::from_fn(|_| Some(1.0));
    assert!((all_one.total(&profile) - 1.0).abs() < 1e-6);
    let mut some = CategoryScores::default();
    some[Category::MustSkills] = Some(0.5);
    some[Category::Occupation] = Some(1.0);
    some[Category::Availability] = Some(0.0);
    let w = &profile.weights;
    let expected = (0.5 * w[Category::MustSkills] + w[Category::Occupation])
        / (w[Category::MustSkills] + w[Category::Occupation] + w[Category::Availability]);
    assert!((some.total(&profile) - expected).abs() < 1e-6);
    assert_eq!(CategoryScores::default().total(&profile), 0.0);
}

#[test]
fn a_full_fit_scores_high_and_explains_itself() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let p = participant(7);
    let o = opening(1);
    let e = evaluate(Pair::new(&p, &o, Some(0.5)), ctx(&profile, &weights));
    assert!(!e.excluded);
    assert_eq!(e.categories[Category::MustSkills], Some(1.0));
    assert_eq!(
        e.categories[Category::Licences],
        Some(1.0),
        "none required: met"
    );
    assert_eq!(e.categories[Category::Text], Some(0.5));
    assert!(e.total > 0.9 && e.total < 1.0, "{}", e.total);

    let evidence = explain(Pair::new(&p, &o, None), ctx(&profile, &weights));
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
        let pair = Pair::new(p, o, None);
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
    // No limit stated: the profile's default (50 km) applies, and the reason says so.
    let mut anywhere = participant(2);
    anywhere.max_travel_km = None;
    let (excluded, why) = check(&anywhere, &far);
    assert!(excluded);
    assert!(
        matches!(why, Some(Exclusion::BeyondTravelLimit { max_travel_km, default_limit: true, .. }) if max_travel_km == 50.0),
        "{why:?}"
    );
    let mut no_default = WeightProfile::default();
    no_default.curves.default_travel_km = None;
    let pair = Pair::new(&anywhere, &far, None);
    assert!(
        !evaluate(pair, ctx(&no_default, &weights)).excluded,
        "no limit stated and no default: no exclusion"
    );
    let mut solna = opening(6);
    solna.location = Some(SOLNA);
    assert!(!check(&anywhere, &solna).0, "within the default limit");
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
fn experience_evidence_names_the_years_that_scored() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let o = opening(1);
    let mut p = participant(1);
    // Same group with no years, a related group with five: the score comes from the five.
    p.occupations = vec![(ssyk(4322), 0.0), (ssyk(4321), 5.0)];
    let pair = Pair::new(&p, &o, None);
    let e = evaluate(pair, ctx(&profile, &weights));
    assert_eq!(e.categories[Category::Experience], Some(0.6));
    let evidence = explain(pair, ctx(&profile, &weights));
    assert_eq!(evidence.experience_years, Some(5.0));
    assert_eq!(evidence.occupation_match, Some((ssyk(4322), 4)));
    p.occupations = vec![(ssyk(9111), 4.0)];
    let pair = Pair::new(&p, &o, None);
    assert_eq!(
        explain(pair, ctx(&profile, &weights)).experience_years,
        None
    );
}

#[test]
fn explaining_a_pair_gives_the_scores_evaluating_it_does() {
    let profile = WeightProfile::default();
    let weights = SkillWeights::new();
    let o = opening(1);
    let mut p = participant(1);
    p.occupations = vec![(ssyk(4321), 2.0)];
    p.available_from = Some(day("2026-12-20"));
    p.hours = Hours::Part;
    let pair = Pair::new(&p, &o, Some(0.3));
    let (scores, evidence) = explain_scores(pair, ctx(&profile, &weights));
    assert_eq!(scores, evaluate(pair, ctx(&profile, &weights)).categories);
    assert_eq!(evidence, explain(pair, ctx(&profile, &weights)));
    assert_eq!(evidence.start_delay_days, Some(19));
    assert!(evidence.hours_mismatch);
}

/// Today's categories in today's order. A new category goes after them: the names are the wire's
/// keys, and the order is the order scores are summed in.
const TODAY: [&str; 9] = [
    "must_skills",
    "merit_skills",
    "occupation",
    "experience",
    "swedish",
    "distance",
    "licences",
    "availability",
    "text",
];

#[test]
fn categories_keep_their_names_and_order() {
    let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(names[..TODAY.len()], TODAY);
    for (i, c) in Category::ALL.into_iter().enumerate() {
        // CategoryMap indexes by discriminant: it must be the position in `ALL`.
        assert_eq!(c as usize, i, "{c}");
        assert_eq!(Category::from_name(c.name()), Some(c));
    }
    assert_eq!(Category::from_name("must_skils"), None);
}

#[test]
fn category_scores_are_written_as_an_object_keyed_by_name_in_order() {
    let mut scores = CategoryScores::default();
    scores[Category::MustSkills] = Some(1.0);
    scores[Category::Distance] = Some(0.5);
    // Exactly today's object, with any category added since as a further null.
    let mut expected = r#"{"must_skills":1.0,"merit_skills":null,"occupation":null,"experience":null,"swedish":null,"distance":0.5,"licences":null,"availability":null,"text":null"#.to_owned();
    for c in &Category::ALL[TODAY.len()..] {
        expected += &format!(r#","{c}":null"#);
    }
    expected += "}";
    assert_eq!(serde_json::to_string(&scores).unwrap(), expected);
}
