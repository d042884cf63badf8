//! The evaluation on a small set: its rule, its determinism and what it must show.

use super::*;
use crate::model::{SsykCode, SwedishLevel};

fn taxonomy() -> Taxonomy {
    Taxonomy::embedded().expect("embedded taxonomy")
}

fn small(tune: bool) -> EvalOptions {
    EvalOptions {
        openings: 600,
        participants: 40,
        tune,
        ..EvalOptions::default()
    }
}

#[test]
fn the_relevance_rule_grades_by_group_skills_swedish_and_hard_rules() {
    let t = taxonomy();
    let corpus = EvalCorpus::generate(&t, 7, 50, 5, 0.5);
    let mut p = corpus.participants[0].clone();
    p.groups = vec![SsykCode::new(5321).unwrap()];
    p.skills.clear();
    p.profile.swedish_level = Some(SwedishLevel::B1);
    let mut o = corpus.openings[0].clone();
    o.workplace.point = p.profile.home.point;
    o.swedish_min = None;
    o.skills_required.clear();
    let grade = |o: &Opening, excluded: bool| corpus.relevance(&p, o, excluded);
    let with = |code: u16| {
        let mut o = o.clone();
        o.occupation = t.occupation_by_code(SsykCode::new(code).unwrap());
        o
    };
    assert_eq!(grade(&with(5321), false), 3, "the same group");
    assert_eq!(grade(&with(5321), true), 0, "a hard rule fails");
    assert_eq!(grade(&with(5323), false), 2, "the same three-digit group");
    assert_eq!(
        grade(&with(5330), false),
        2,
        "vårdbiträden ask for what undersköterskor do"
    );
    assert_eq!(grade(&with(5311), false), 1, "the same two-digit group");
    assert_eq!(grade(&with(9111), false), 0, "unrelated");
    // Holding half the must-have skills makes even an unrelated group plausible.
    let mut cleaning = with(9111);
    let skill = t.occupation_skills(SsykCode::new(9111).unwrap())[0].clone();
    cleaning.skills_required = vec![crate::model::Term::Concept {
        id: skill.clone(),
        label: String::new(),
        input: None,
    }];
    p.skills = vec![skill];
    assert_eq!(corpus.relevance(&p, &cleaning, false), 1);
    // In the own group, the skills held add a grade and a long way to work takes one.
    let mut skilled = with(5321);
    let care_skill = t.occupation_skills(SsykCode::new(5321).unwrap())[0].clone();
    skilled.skills_required = vec![crate::model::Term::Concept {
        id: care_skill.clone(),
        label: String::new(),
        input: None,
    }];
    assert_eq!(corpus.relevance(&p, &skilled, false), 3, "skills not held");
    p.skills.push(care_skill);
    assert_eq!(corpus.relevance(&p, &skilled, false), 4);
    let home = p.profile.home.point.unwrap();
    skilled.workplace.point = Some(crate::model::GeoPoint {
        lat: home.lat + 0.5,
        lon: home.lon,
    });
    assert_eq!(corpus.relevance(&p, &skilled, false), 3, "55 km from home");
    // Two steps below a soft minimum costs a grade.
    let mut hard = with(5321);
    hard.swedish_min = Some(SwedishLevel::C1);
    assert_eq!(corpus.relevance(&p, &hard, false), 2);
    hard.swedish_min = Some(SwedishLevel::B2);
    assert_eq!(
        corpus.relevance(&p, &hard, false),
        3,
        "one step below is still a fit"
    );
}

#[test]
fn the_set_is_the_same_for_the_same_seed_and_splits_both_ways() {
    let t = taxonomy();
    let a = EvalCorpus::generate(&t, 11, 200, 30, 0.6);
    let b = EvalCorpus::generate(&t, 11, 200, 30, 0.6);
    assert_eq!(a.openings, b.openings);
    let skills = |c: &EvalCorpus| {
        c.participants
            .iter()
            .map(|p| p.profile.skills.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(skills(&a), skills(&b));
    let tuning = a.participants.iter().filter(|p| p.tuning).count();
    assert!(tuning > 5 && tuning < 30, "{tuning}");
    // Everyday spellings: some skills were typed with a typo and still reached a concept.
    let typed: usize = a.participants.iter().map(|p| p.profile.skills.len()).sum();
    let concepts: usize = a
        .participants
        .iter()
        .map(|p| {
            p.profile
                .skills
                .iter()
                .filter(|s| s.concept_id().is_some())
                .count()
        })
        .sum();
    assert!(
        concepts * 10 >= typed * 8,
        "{concepts} of {typed} reached a concept"
    );
    // Real shapes: Stockholm and Västra Götaland only, many groups.
    assert!(a.openings.iter().all(|o| {
        let m = o.workplace.municipality_code.as_deref().unwrap_or("");
        m.starts_with("01") || m.starts_with("14")
    }));
    let groups: std::collections::HashSet<_> = a
        .openings
        .iter()
        .map(|o| o.occupation.as_ref().unwrap().code)
        .collect();
    assert!(groups.len() > 50, "{}", groups.len());
}

#[test]
fn a_small_run_reports_every_ranker_and_the_product_beats_a_search_box() {
    let t = taxonomy();
    let report = run(&t, &small(true)).unwrap();
    let names: Vec<&str> = report.rankers.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "bm25",
            "default",
            "default-tuned",
            "default-without-relations"
        ]
    );
    for r in &report.rankers {
        for f in [&r.tuning, &r.held_out] {
            for v in [
                f.ndcg10,
                f.mrr,
                f.recall20,
                f.zero_relevance_share10,
                f.ideal_zero_share10,
                f.worst_decile_ndcg10,
            ] {
                assert!((0.0..=1.0).contains(&v), "{} {v}", r.name);
            }
            assert!(f.participants > 0);
            assert!(f.worst_decile_ndcg10 <= f.ndcg10 + 1e-12);
        }
    }
    let (bm25, default, tuned) = (&report.rankers[0], &report.rankers[1], &report.rankers[2]);
    assert!(
        default.held_out.ndcg10 > bm25.held_out.ndcg10 + 0.1,
        "{report:#?}"
    );
    assert!(default.held_out.zero_relevance_share10 < bm25.held_out.zero_relevance_share10);
    assert!(default.held_out.ideal_zero_share10 <= default.held_out.zero_relevance_share10 + 1e-12);
    // Tuning never loses on the part it was tuned on.
    assert!(tuned.tuning.ndcg10 >= default.tuning.ndcg10 - 1e-9);
    let profile = report.tuned.as_ref().unwrap();
    profile.validate().unwrap();
    assert_eq!(profile.version, WeightProfile::default().version + 1);
    let sum: f32 = profile.weights.iter().map(|(_, w)| w).sum();
    assert!((sum - 1.0).abs() < 0.01, "{sum}");
    // The table shows every ranker on both parts.
    let table = report.table();
    assert_eq!(
        table.lines().filter(|l| l.contains("held-out")).count(),
        4,
        "{table}"
    );
    // The same seed gives the same figures.
    let again = run(&t, &small(false)).unwrap();
    assert_eq!(again.rankers[..2], report.rankers[..2]);
    assert_eq!(again.rankers[2], report.rankers[3]);
}
