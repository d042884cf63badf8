//! The allocation solver alone: 1k, 10k participants over 100k openings, each with the top 30
//! openings ranking would hand it, drawn with a skew toward popular openings so that places are
//! contested as they are in a unit (a few employers draw most of the interest), 1 to 3 places
//! each, a priority weight of 1.0 to 1.3. Fixed seed.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jobmatch::rank::allocate::{Edge, Seat, allocate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const OPENINGS: usize = 100_000;
const TOP_N: usize = 30;

/// `free`: the share of openings that still have places; the rest are full.
fn instance(participants: usize, free: f64) -> (Vec<Seat>, Vec<u32>, Vec<Edge>) {
    let mut rng = ChaCha8Rng::seed_from_u64(20261204);
    let seats = (0..participants)
        .map(|_| Seat {
            proposals: 1,
            weight: [1.0, 1.0, 1.2, 1.3][rng.random_range(0..4)],
        })
        .collect();
    let places = (0..OPENINGS)
        .map(|_| {
            if rng.random_bool(free) {
                rng.random_range(1..=3)
            } else {
                0
            }
        })
        .collect();
    let mut edges = Vec::with_capacity(participants * TOP_N);
    for p in 0..participants {
        let mut chosen = Vec::with_capacity(TOP_N);
        while chosen.len() < TOP_N {
            // Cubing a uniform draw sends most interest to the low-numbered openings.
            let u: f64 = rng.random();
            let o = (u * u * u * OPENINGS as f64) as u32;
            if !chosen.contains(&o) {
                chosen.push(o);
            }
        }
        for o in chosen {
            edges.push(Edge {
                participant: p as u32,
                opening: o,
                score: rng.random_range(0.2..1.0),
            });
        }
    }
    (seats, places, edges)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocate");
    group.sample_size(10);
    for (participants, free) in [(1_000, 1.0), (10_000, 1.0), (10_000, 0.05)] {
        let (seats, places, edges) = instance(participants, free);
        let placed = allocate(&seats, &places, &edges).edges.len();
        let name = format!("{participants}/free-{free}");
        println!(
            "allocate {name}: {participants} participants, {OPENINGS} openings ({}% with places), {} pairs: {placed} placed",
            free * 100.0,
            edges.len()
        );
        group.bench_with_input(BenchmarkId::from_parameter(name), &participants, |b, _| {
            b.iter(|| allocate(&seats, &places, &edges))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
