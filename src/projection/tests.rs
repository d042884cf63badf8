use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::model::{OpeningKind, Place, Profile};
use crate::rank::tests::corpus;
use crate::rank::{SkillWeights, WeightProfile, rank_openings, rank_participants, unit};

fn ids_of(p: &Projection) -> Vec<Id> {
    let mut ids: Vec<Id> = p.participants().features().iter().map(|f| f.id).collect();
    ids.sort_unstable();
    ids
}

#[test]
fn participants_are_kept_once_each_through_upserts_and_removals() {
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
    assert_eq!(ids_of(&p), [1, 3, 5]);
    p.remove_participant(3);
    p.remove_participant(42);
    assert_eq!(ids_of(&p), [1, 5]);
    assert!(
        p.participants().get(1).unwrap().location.is_some(),
        "located by municipality"
    );
}

#[test]
fn a_closed_opening_leaves_the_open_ones() {
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
        source: None,
    };
    p.upsert_opening(&o, &taxonomy);
    assert_eq!(p.open_count(None), 1);
    assert_eq!(p.open_count(Some(OpeningKind::Internship)), 1);
    assert_eq!(p.open_count(Some(OpeningKind::Vacancy)), 0);
    o.status = OpeningStatus::Closed;
    p.upsert_opening(&o, &taxonomy);
    assert_eq!(p.open_count(None), 0);
    assert!(p.open_opening(9).is_none());
    o.status = OpeningStatus::Open;
    p.upsert_opening(&o, &taxonomy);
    assert!(p.open_opening(9).is_some());
    p.remove_opening(9);
    assert_eq!(p.open_count(None), 0);
}

/// The table against a plain map after every write: same openings, dense ordinals, counts per
/// kind, and posting lists that name exactly the openings listing each skill.
fn assert_table_matches(
    table: &OpeningTable,
    model: &BTreeMap<Id, (OpeningFeatures, OpeningKind)>,
) {
    assert_eq!(table.len(), model.len());
    for (id, (f, kind)) in model {
        assert_eq!(table.get(*id), Some(f));
        let at = table.ordinal(*id).unwrap() as usize;
        assert_eq!(table.tags()[at], *kind);
        assert_eq!(table.units()[at], f.location.map(unit));
        let facet = table.facets()[at];
        let slot = f.occupation.map_or(crate::rank::Facet::NO_OCCUPATION, |c| {
            table.occupations().iter().position(|x| *x == c).unwrap() as u16
        });
        assert_eq!(facet.occupation, slot);
        let licences = f.licences.iter().fold(0, |mask, k| {
            mask | table
                .licences()
                .iter()
                .position(|x| x == k)
                .map_or(crate::rank::Facet::OTHER_LICENCE, |bit| 1 << bit)
        });
        assert_eq!(
            facet,
            crate::rank::Facet::of(f, slot, licences, &SkillWeights::new())
        );
    }
    for kind in [OpeningKind::Vacancy, OpeningKind::Internship] {
        let n = model.values().filter(|(_, k)| *k == kind).count();
        assert_eq!(table.count(Some(kind)), n);
    }
    for key in 0..corpus::SKILLS + 2 {
        for (list, lists) in [(0, true), (1, false)] {
            let mut listed: Vec<u32> = table.posting(list, key).to_vec();
            listed.sort_unstable();
            let mut expected: Vec<u32> = model
                .values()
                .filter(|(f, _)| {
                    if lists {
                        f.must.contains(&key)
                    } else {
                        f.merit.contains(&key)
                    }
                })
                .map(|(f, _)| table.ordinal(f.id).unwrap())
                .collect();
            expected.sort_unstable();
            assert_eq!(listed, expected, "posting {list} of key {key}");
        }
    }
    // The grid: every opening within reach, or without a location, is near; none well beyond
    // the box of the circle is (a cell is a tenth of a degree, at most ~16 km across here),
    // whether the box's cells are looked up (a small box) or every cell is asked.
    let centre = crate::model::GeoPoint {
        lat: 59.33,
        lon: 18.07,
    };
    for km in [0.0, 5.0, 40.0, 300.0, 30_000.0] {
        let near = table.near(centre, km).unwrap();
        assert!(near.windows(2).all(|w| w[0] < w[1]), "ascending, each once");
        for (f, _) in model.values() {
            let at = table.ordinal(f.id).unwrap();
            let km_away = f.location.map(|p| p.distance_km(centre));
            if km_away.is_none_or(|d| d <= km) {
                assert!(near.binary_search(&at).is_ok(), "{} within {km} km", f.id);
            }
            if km_away.is_some_and(|d| d > km * 1.5 + 40.0) {
                assert!(near.binary_search(&at).is_err(), "{} beyond {km} km", f.id);
            }
        }
        if km >= 30_000.0 {
            assert_eq!(near.len(), model.len());
        }
    }
}

fn kind_of(i: usize) -> OpeningKind {
    if i.is_multiple_of(3) {
        OpeningKind::Internship
    } else {
        OpeningKind::Vacancy
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_table_stays_dense_and_its_postings_exact_through_any_writes(
        seed in any::<u64>(),
        writes in proptest::collection::vec((0i64..40, any::<bool>(), 0usize..200), 0..120),
        arranged_after in 0usize..120,
    ) {
        let mut rng = corpus::rng(seed);
        let pool = corpus::openings(&mut rng, 200);
        let mut table = OpeningTable::default();
        let mut model = BTreeMap::new();
        for (i, (id, keep, shape)) in writes.into_iter().enumerate() {
            if i == arranged_after {
                table.arrange();
                assert_table_matches(&table, &model);
                let cells: Vec<_> = table
                    .features()
                    .iter()
                    .map(|f| {
                        let cell = super::table::cell_of(f.location);
                        (cell.is_none(), cell)
                    })
                    .collect();
                prop_assert!(cells.is_sorted(), "rows in cell order: {cells:?}");
            }
            if keep {
                let f = OpeningFeatures { id, ..pool[shape].clone() };
                table.upsert(f.clone(), kind_of(shape), &SkillWeights::new());
                model.insert(id, (f, kind_of(shape)));
            } else {
                table.remove(id);
                model.remove(&id);
            }
            assert_table_matches(&table, &model);
        }
    }

    #[test]
    fn ranking_the_projection_equals_ranking_every_open_opening(
        seed in any::<u64>(),
        n in 0usize..300,
        removed in proptest::collection::vec(1i64..300, 0..60),
        k in 1usize..25,
        include_excluded in any::<bool>(),
        kind in proptest::option::of(prop_oneof![Just(OpeningKind::Vacancy), Just(OpeningKind::Internship)]),
        arranged in any::<bool>(),
    ) {
        let mut rng = corpus::rng(seed);
        let openings = corpus::openings(&mut rng, n);
        let mut p = Projection::default();
        for (i, f) in openings.iter().enumerate() {
            p.openings.upsert(f.clone(), kind_of(i), &SkillWeights::new());
        }
        // Arranged, then written to: removals fill places in the arranged order.
        if arranged {
            p.arrange();
        }
        let profile = WeightProfile::default();
        let weights = SkillWeights::new();
        let ctx = Context { profile: &profile, skill_weights: &weights, today: corpus::today() };
        let options = RankOptions { k, include_excluded };
        // Three participants in turn on one projection, with removals before the first two
        // rankings and none before the third: nothing one ranking leaves behind changes the next.
        let half = removed.len() / 2;
        let mut gone: Vec<Id> = Vec::new();
        for (round, removals) in [&removed[..half], &removed[half..], &[]].into_iter().enumerate() {
            for id in removals {
                p.remove_opening(*id);
                gone.push(*id);
            }
            let participant = corpus::participant(&mut rng, round as i64 + 1);
            // Text hits by id, some for openings no longer open, which must not count.
            let text: Option<Vec<(Id, f32)>> = corpus::text(&mut rng, n + 5)
                .map(|t| t.into_iter().map(|(i, s)| (i64::from(i) + 1, s)).collect());
            let ranked = p.rank_openings(&participant, kind, text.as_deref(), ctx, options);

            let open: Vec<(usize, &OpeningFeatures)> = openings
                .iter()
                .enumerate()
                .filter(|(i, f)| !gone.contains(&f.id) && kind.is_none_or(|k| kind_of(*i) == k))
                .collect();
            let candidates: Vec<OpeningFeatures> = open.iter().map(|(_, f)| (*f).clone()).collect();
            let dense: Option<Vec<f32>> = text.as_ref().map(|t| {
                open.iter()
                    .map(|(_, f)| t.iter().find(|h| h.0 == f.id).map_or(0.0, |h| h.1))
                    .collect()
            });
            let exhaustive = rank_openings(&participant, &candidates, dense.as_deref(), ctx, options);
            prop_assert_eq!(ranked, exhaustive, "round {}", round);
        }
    }

    #[test]
    fn ranking_participants_of_the_projection_equals_ranking_them_all(
        seed in any::<u64>(),
        n in 0usize..300,
        removed in proptest::collection::vec(1i64..300, 0..60),
        k in 1usize..25,
        include_excluded in any::<bool>(),
        arranged in any::<bool>(),
    ) {
        let mut rng = corpus::rng(seed);
        let people: Vec<ParticipantFeatures> =
            (1..=n as i64).map(|id| corpus::participant(&mut rng, id)).collect();
        let opening = corpus::openings(&mut rng, 1).remove(0);
        let mut p = Projection::default();
        for f in &people {
            p.participants.upsert(f.clone(), (), &SkillWeights::new());
        }
        if arranged {
            p.arrange();
        }
        for id in &removed {
            p.remove_participant(*id);
        }
        let profile = WeightProfile::default();
        let weights = SkillWeights::new();
        let ctx = Context { profile: &profile, skill_weights: &weights, today: corpus::today() };
        let options = RankOptions { k, include_excluded };
        let ranked = p.rank_participants(&opening, ctx, options);
        let kept: Vec<ParticipantFeatures> =
            people.into_iter().filter(|f| !removed.contains(&f.id)).collect();
        let exhaustive = rank_participants(&opening, &kept, None, ctx, options);
        prop_assert_eq!(ranked, exhaustive);
    }
}
