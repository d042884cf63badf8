//! The ranking core alone: one participant against 10k, 100k and 1M generated openings (top 20),
//! and one opening against 100k participants. Data is generated from a fixed seed in shapes like
//! the real ones: a few hundred common skills with a skewed demand, SSYK groups of the target
//! occupations, workplaces spread over Sweden.

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jobmatch::model::{GeoPoint, Hours, SsykCode, SwedishLevel};
use jobmatch::rank::{
    Category, Context, OpeningFeatures, ParticipantFeatures, RankOptions, SkillWeights,
    WeightProfile, key_set, rank_openings, rank_participants,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CODES: [u16; 12] = [
    9111, 5321, 5330, 4322, 8344, 5120, 9412, 5223, 9310, 8332, 5311, 5152,
];
const SKILLS: u32 = 400;

fn skill(rng: &mut ChaCha8Rng) -> u32 {
    // Squaring a uniform draw skews demand toward the low keys, as real skill demand is skewed.
    let u: f64 = rng.random();
    (u * u * f64::from(SKILLS)) as u32
}

fn point(rng: &mut ChaCha8Rng) -> GeoPoint {
    GeoPoint {
        lat: rng.random_range(55.5..63.0),
        lon: rng.random_range(12.0..19.0),
    }
}

fn level(rng: &mut ChaCha8Rng) -> Option<SwedishLevel> {
    let i = rng.random_range(0..7);
    SwedishLevel::ALL.get(i).copied()
}

fn day(rng: &mut ChaCha8Rng) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + chrono::Duration::days(rng.random_range(0..120))
}

fn openings(n: usize, rng: &mut ChaCha8Rng) -> Vec<OpeningFeatures> {
    (0..n)
        .map(|i| OpeningFeatures {
            id: i as i64,
            must: key_set((0..rng.random_range(1..5)).map(|_| skill(rng)).collect()),
            merit: key_set((0..rng.random_range(0..4)).map(|_| skill(rng)).collect()),
            occupation: SsykCode::new(CODES[rng.random_range(0..CODES.len())]),
            swedish_min: level(rng),
            swedish_strict: rng.random_bool(0.2),
            licences: if rng.random_bool(0.15) {
                vec![SKILLS + rng.random_range(0..3)]
            } else {
                vec![]
            },
            location: Some(point(rng)),
            start_date: Some(day(rng)),
            deadline: Some(day(rng)),
            hours: if rng.random_bool(0.7) {
                Hours::Full
            } else {
                Hours::Part
            },
            track_record: rng.random_bool(0.6).then(|| rng.random()),
        })
        .collect()
}

fn participants(n: usize, rng: &mut ChaCha8Rng) -> Vec<ParticipantFeatures> {
    (0..n)
        .map(|i| ParticipantFeatures {
            id: i as i64,
            skills: key_set((0..rng.random_range(2..10)).map(|_| skill(rng)).collect()),
            related_skills: Vec::new(),
            related_occupations: Vec::new(),
            occupations: (0..rng.random_range(0..3))
                .map(|_| {
                    (
                        SsykCode::new(CODES[rng.random_range(0..CODES.len())]).unwrap(),
                        rng.random_range(0.0..8.0),
                    )
                })
                .collect(),
            swedish: level(rng),
            location: Some(point(rng)),
            max_travel_km: Some(rng.random_range(10.0..400.0)),
            licences: if rng.random_bool(0.4) {
                vec![SKILLS]
            } else {
                vec![]
            },
            available_from: Some(day(rng)),
            hours: Hours::Any,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let profile = WeightProfile::default();
    let mut weights = SkillWeights::new();
    for k in 0..SKILLS {
        weights.set(
            k,
            1.0 + f32::from(u16::try_from(k).unwrap()) / SKILLS as f32,
        );
    }
    let ctx = Context {
        profile: &profile,
        skill_weights: &weights,
        today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    };
    let options = RankOptions {
        k: 20,
        include_excluded: false,
    };
    let mut me = participants(1, &mut rng).remove(0);
    me.max_travel_km = None;
    println!("rayon threads: {}", rayon::current_num_threads());

    let mut group = c.benchmark_group("participant_vs_openings_top20");
    group.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let data = openings(n, &mut rng);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &data, |b, data| {
            b.iter(|| rank_openings(&me, data, None, ctx, options))
        });
    }
    group.finish();

    // Learning from outcomes is off by default (weight 0): it must cost nothing then.
    let mut group = c.benchmark_group("track_record_100000_top20");
    group.sample_size(10);
    let data = openings(100_000, &mut rng);
    let mut learning = WeightProfile::default();
    learning.weights[Category::TrackRecord] = 0.05;
    for (name, profile) in [("off", &profile), ("on", &learning)] {
        let ctx = Context { profile, ..ctx };
        group.bench_function(name, |b| {
            b.iter(|| rank_openings(&me, &data, None, ctx, options))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("opening_vs_participants_top20");
    group.sample_size(10);
    let opening = openings(1, &mut rng).remove(0);
    let people = participants(100_000, &mut rng);
    group.throughput(Throughput::Elements(people.len() as u64));
    group.bench_function("100000", |b| {
        b.iter(|| rank_participants(&opening, &people, None, ctx, options))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
