//! The solver against a brute-force optimum on small random instances, and the cases a job
//! matcher would check by hand.

use proptest::prelude::*;

use super::*;

/// The best total by trying every choice of pairs.
fn brute_force(seats: &[Seat], places: &[u32], edges: &[Edge]) -> i64 {
    brute_force_grouped(seats, places, &Groups::default(), edges)
}

fn brute_force_grouped(seats: &[Seat], places: &[u32], groups: &Groups, edges: &[Edge]) -> i64 {
    struct Walk<'a> {
        seats: &'a [Seat],
        places: &'a [u32],
        groups: &'a Groups,
        edges: &'a [Edge],
        used_p: Vec<u32>,
        used_o: Vec<u32>,
        used_g: Vec<u32>,
    }
    fn go(w: &mut Walk, i: usize) -> i64 {
        if i == w.edges.len() {
            return 0;
        }
        let skip = go(w, i + 1);
        let e = w.edges[i];
        let (p, o) = (e.participant as usize, e.opening as usize);
        let g = w.groups.of.get(o).copied().flatten().map(|g| g as usize);
        let v = value(e.score, w.seats[p].weight);
        let group_full = g.is_some_and(|g| w.used_g[g] >= w.groups.room[g]);
        if v <= 0 || w.used_p[p] >= w.seats[p].proposals || w.used_o[o] >= w.places[o] || group_full
        {
            return skip;
        }
        w.used_p[p] += 1;
        w.used_o[o] += 1;
        if let Some(g) = g {
            w.used_g[g] += 1;
        }
        let take = v + go(w, i + 1);
        w.used_p[p] -= 1;
        w.used_o[o] -= 1;
        if let Some(g) = g {
            w.used_g[g] -= 1;
        }
        skip.max(take)
    }
    go(
        &mut Walk {
            seats,
            places,
            groups,
            edges,
            used_p: vec![0; seats.len()],
            used_o: vec![0; places.len()],
            used_g: vec![0; groups.room.len()],
        },
        0,
    )
}

fn check(seats: &[Seat], places: &[u32], edges: &[Edge]) -> Assignment {
    check_grouped(seats, places, &Groups::default(), edges)
}

fn check_grouped(seats: &[Seat], places: &[u32], groups: &Groups, edges: &[Edge]) -> Assignment {
    let a = allocate_grouped(seats, places, groups, edges);
    let mut per_g = vec![0u32; groups.room.len()];
    for &e in &a.edges {
        if let Some(g) = groups.of.get(edges[e].opening as usize).copied().flatten() {
            per_g[g as usize] += 1;
        }
    }
    for (g, &room) in groups.room.iter().enumerate() {
        assert!(per_g[g] <= room, "group {g} over its room {room}");
    }
    let mut per_p = vec![0u32; seats.len()];
    let mut per_o = vec![0u32; places.len()];
    for &e in &a.edges {
        per_p[edges[e].participant as usize] += 1;
        per_o[edges[e].opening as usize] += 1;
    }
    for (p, s) in seats.iter().enumerate() {
        assert!(
            per_p[p] <= s.proposals,
            "participant {p} over {}",
            s.proposals
        );
    }
    for (o, &c) in places.iter().enumerate() {
        assert!(per_o[o] <= c, "opening {o} over its {c} places");
    }
    let total: i64 = a
        .edges
        .iter()
        .map(|&e| value(edges[e].score, seats[edges[e].participant as usize].weight))
        .sum();
    assert_eq!(total, a.total);
    a
}

fn instance() -> impl Strategy<Value = (Vec<Seat>, Vec<u32>, Vec<Edge>)> {
    (1usize..6, 1usize..5).prop_flat_map(|(np, no)| {
        let seats = prop::collection::vec(
            (1u32..3, prop::sample::select(vec![1.0, 1.2, 1.3]))
                .prop_map(|(proposals, weight)| Seat { proposals, weight }),
            np,
        );
        let places = prop::collection::vec(0u32..3, no);
        // Each pair at most once, some pairs absent (excluded), scores with ties.
        let pairs = prop::collection::vec(
            prop::option::of(prop::sample::select(vec![0.0f32, 0.2, 0.5, 0.5, 0.7, 1.0])),
            np * no,
        )
        .prop_map(move |cells| {
            cells
                .into_iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    s.map(|score| Edge {
                        participant: (i / no) as u32,
                        opening: (i % no) as u32,
                        score,
                    })
                })
                .collect::<Vec<_>>()
        });
        (seats, places, pairs)
    })
}

/// An instance whose openings fall into up to two groups of small room.
fn grouped_instance() -> impl Strategy<Value = (Vec<Seat>, Vec<u32>, Groups, Vec<Edge>)> {
    instance().prop_flat_map(|(seats, places, edges)| {
        let no = places.len();
        (
            Just(seats),
            Just(places),
            (
                prop::collection::vec(prop::option::of(0u32..2), no),
                prop::collection::vec(0u32..3, 2),
            )
                .prop_map(|(of, room)| Groups { of, room }),
            Just(edges),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn with_groups_the_total_is_the_brute_force_optimum(
        (seats, places, groups, edges) in grouped_instance()
    ) {
        prop_assume!(edges.len() <= 14);
        let a = check_grouped(&seats, &places, &groups, &edges);
        prop_assert_eq!(a.total, brute_force_grouped(&seats, &places, &groups, &edges));
    }

    #[test]
    fn the_total_is_the_brute_force_optimum((seats, places, edges) in instance()) {
        prop_assume!(edges.len() <= 14);
        let a = check(&seats, &places, &edges);
        prop_assert_eq!(a.total, brute_force(&seats, &places, &edges));
        // Only allowed pairs, each once.
        let mut seen = a.edges.clone();
        seen.dedup();
        prop_assert_eq!(seen.len(), a.edges.len());
        prop_assert!(a.edges.iter().all(|&e| e < edges.len()));
    }

    #[test]
    fn the_same_input_gives_the_same_answer((seats, places, edges) in instance()) {
        prop_assert_eq!(allocate(&seats, &places, &edges), allocate(&seats, &places, &edges));
    }
}

fn one(proposals: u32) -> Seat {
    Seat {
        proposals,
        weight: 1.0,
    }
}

fn edge(participant: u32, opening: u32, score: f32) -> Edge {
    Edge {
        participant,
        opening,
        score,
    }
}

#[test]
fn a_later_participant_takes_a_place_when_the_first_can_go_elsewhere() {
    // Both like opening 0 best; only participant 0 has an alternative.
    let edges = [edge(0, 0, 0.9), edge(0, 1, 0.8), edge(1, 0, 0.85)];
    let a = check(&[one(1), one(1)], &[1, 1], &edges);
    assert_eq!(a.edges, [1, 2]);
    assert_eq!(a.total, 1_650_000);
}

#[test]
fn one_place_goes_to_the_higher_weighted_score() {
    let edges = [edge(0, 0, 0.8), edge(1, 0, 0.7)];
    let plain = check(&[one(1), one(1)], &[1], &edges);
    assert_eq!(plain.edges, [0]);
    let parent = Seat {
        proposals: 1,
        weight: 1.2,
    };
    let weighted = check(&[one(1), parent], &[1], &edges);
    assert_eq!(weighted.edges, [1], "0.7 × 1.2 = 0.84 beats 0.8");
}

#[test]
fn places_and_proposals_bound_the_answer() {
    let edges: Vec<Edge> = (0..4)
        .flat_map(|p| (0..2).map(move |o| edge(p, o, 0.5 + 0.1 * o as f32)))
        .collect();
    let a = check(&[one(2), one(1), one(1), one(1)], &[2, 1], &edges);
    assert_eq!(a.edges.len(), 3, "three places in all");
    let none = check(&[one(0); 4], &[2, 1], &edges);
    assert!(none.edges.is_empty());
    let zero = check(&[one(1)], &[1], &[edge(0, 0, 0.0)]);
    assert!(zero.edges.is_empty(), "a pair worth nothing is no proposal");
    let out_of_range = check(&[one(1)], &[1], &[edge(0, 5, 0.9), edge(3, 0, 0.9)]);
    assert!(out_of_range.edges.is_empty());
}

#[test]
fn an_employer_s_room_bounds_its_openings_together() {
    // Two openings of one employer with room for one proposal: the better pair wins it and
    // the other participant goes to the third opening.
    let edges = [edge(0, 0, 0.9), edge(1, 1, 0.8), edge(1, 2, 0.3)];
    let groups = Groups {
        of: vec![Some(0), Some(0), None],
        room: vec![1],
    };
    let a = check_grouped(&[one(1), one(1)], &[1, 1, 1], &groups, &edges);
    assert_eq!(a.edges, [0, 2]);
    let free = check(&[one(1), one(1)], &[1, 1, 1], &edges);
    assert_eq!(
        free.edges,
        [0, 1],
        "without the room both openings of the employer fill"
    );
}
