//! The projection's match path: one participant against 10k, 100k and 1M open openings (top
//! 20), pruned, beside the core's exhaustive scan of the same openings; and the cost of
//! loading the projection. Openings are the demo generator's (the real taxonomy's shapes),
//! copied with fresh ids, workplaces moved up to ~20 km and start dates spread, so copies are
//! not exact ties; participants are the demo's.

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jobmatch::model::{GeoPoint, Opening, OpeningStatus};
use jobmatch::projection::{Projection, features};
use jobmatch::rank::{Context, RankOptions, WeightProfile, rank_openings, rank_participants};
use jobmatch::taxonomy::Taxonomy;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn corpus(
    taxonomy: &Taxonomy,
    today: NaiveDate,
    n: usize,
) -> (Vec<Opening>, Vec<jobmatch::model::Profile>) {
    let demo = jobmatch::demo::generate(taxonomy, jobmatch::demo::SEED, today);
    let batch = demo.to_batch(taxonomy).expect("the demo is understood");
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let openings = (0..n)
        .map(|i| {
            let mut o = batch.openings[i % batch.openings.len()].clone();
            o.id = i as i64 + 1;
            o.status = OpeningStatus::Open;
            let at = features::point_of(&o.workplace, taxonomy).unwrap_or(GeoPoint {
                lat: 59.33,
                lon: 18.06,
            });
            o.workplace.point = Some(GeoPoint {
                lat: at.lat + rng.random_range(-0.15..0.15),
                lon: at.lon + rng.random_range(-0.3..0.3),
            });
            o.start_date = Some(today + chrono::Duration::days(rng.random_range(0..90)));
            o
        })
        .collect();
    let profiles = batch.participants.into_iter().map(|(_, p)| p).collect();
    (openings, profiles)
}

fn bench(c: &mut Criterion) {
    let taxonomy = Taxonomy::embedded().expect("taxonomy");
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let profile = WeightProfile::default();
    let options = RankOptions {
        k: 20,
        include_excluded: false,
    };
    println!("rayon threads: {}", rayon::current_num_threads());
    let mut pruned = c.benchmark_group("projection_match_top20");
    pruned.sample_size(20);
    // Groups cannot nest in criterion: the candidates group runs after this one ends.
    let mut deferred = None;
    for n in [10_000usize, 100_000, 1_000_000] {
        let (openings, profiles) = corpus(&taxonomy, today, n);
        let started = std::time::Instant::now();
        let mut p = Projection::default();
        for o in &openings {
            p.upsert_opening(o, &taxonomy);
        }
        println!(
            "projection of {n} openings loaded in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        let people: Vec<_> = profiles
            .iter()
            .enumerate()
            .map(|(i, pr)| features::participant_features_lookup(i as i64, pr, &p.keys, &taxonomy))
            .collect();
        let mut next = 0usize;
        pruned.throughput(Throughput::Elements(n as u64));
        pruned.bench_with_input(BenchmarkId::new("pruned", n), &n, |b, _| {
            b.iter(|| {
                next = (next + 1) % people.len();
                let ctx = Context {
                    profile: &profile,
                    skill_weights: &p.keys.weights,
                    today,
                };
                p.rank_openings(&people[next], None, None, ctx, options)
            })
        });
        let all = p.openings().features().to_vec();
        pruned.bench_with_input(BenchmarkId::new("exhaustive", n), &n, |b, _| {
            b.iter(|| {
                next = (next + 1) % people.len();
                let ctx = Context {
                    profile: &profile,
                    skill_weights: &p.keys.weights,
                    today,
                };
                rank_openings(&people[next], &all, None, ctx, options)
            })
        });
        if n == 100_000 {
            deferred = Some((p, profiles));
        }
    }
    pruned.finish();
    if let Some((p, profiles)) = deferred {
        candidates(c, &p, &profiles, &taxonomy, today, &profile);
    }
}

/// One open opening against 100k participants (the demo's, copied with homes moved up to
/// ~20 km), pruned and exhaustive.
fn candidates(
    c: &mut Criterion,
    openings: &Projection,
    profiles: &[jobmatch::model::Profile],
    taxonomy: &Taxonomy,
    today: NaiveDate,
    profile: &WeightProfile,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut p = Projection::default();
    p.keys = openings.keys.clone();
    for i in 0..100_000usize {
        let mut pr = profiles[i % profiles.len()].clone();
        if let Some(at) = features::point_of(&pr.home, taxonomy) {
            pr.home.point = Some(GeoPoint {
                lat: at.lat + rng.random_range(-0.15..0.15),
                lon: at.lon + rng.random_range(-0.3..0.3),
            });
        }
        p.upsert_participant(i as i64 + 1, &pr, taxonomy);
    }
    let all = p.participants().features().to_vec();
    let options = RankOptions {
        k: 20,
        include_excluded: false,
    };
    let mut group = c.benchmark_group("projection_candidates_top20");
    group.sample_size(20);
    group.throughput(Throughput::Elements(all.len() as u64));
    let mut next = 0usize;
    let some = &openings.openings().features()[..200];
    group.bench_function("pruned/100000", |b| {
        b.iter(|| {
            next = (next + 1) % some.len();
            let ctx = Context {
                profile,
                skill_weights: &p.keys.weights,
                today,
            };
            p.rank_participants(&some[next], ctx, options)
        })
    });
    group.bench_function("exhaustive/100000", |b| {
        b.iter(|| {
            next = (next + 1) % some.len();
            let ctx = Context {
                profile,
                skill_weights: &p.keys.weights,
                today,
            };
            rank_participants(&some[next], &all, None, ctx, options)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
