//! Ranking many pairs: order, ties, k, both directions, and the parallel path.

use super::*;

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
            version: 2
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
        .map(|o| evaluate(Pair::new(&p, o, None), c))
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
