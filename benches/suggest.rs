//! The full suggestion path: index candidate generation plus core ranking, over 10k and 100k
//! stored openings in a real SQLite file and tantivy index. Openings are the demo generator's,
//! repeated with fresh ids, so their shapes are the real taxonomy's.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jobmatch::api::dto::ImportFile;
use jobmatch::config::Settings;
use jobmatch::service::{Caller, RankQuery};
use jobmatch::startup::Application;

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("suggestions_full_path_top20");
    group.sample_size(10);
    for n in [10_000usize, 100_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let app = runtime
            .block_on(Application::build(Settings::for_tests(dir.path())))
            .expect("application");
        let engine = std::sync::Arc::clone(app.engine());
        let demo = jobmatch::demo::generate(
            &engine.taxonomy(),
            jobmatch::demo::SEED,
            chrono::Utc::now().date_naive(),
        );
        let mut file = ImportFile {
            employers: demo.employers.clone(),
            openings: Vec::with_capacity(n),
            participants: demo.participants.clone(),
        };
        while file.openings.len() < n {
            let take = (n - file.openings.len()).min(demo.openings.len());
            file.openings.extend(demo.openings[..take].iter().cloned());
        }
        let started = std::time::Instant::now();
        let batch = file.to_batch(&engine.taxonomy()).expect("understood");
        runtime.block_on(engine.import(&batch)).expect("import");
        println!(
            "imported and indexed {n} openings in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let participants: Vec<i64> = (1..=20).collect();
        let mut next = 0usize;
        let caller = Caller::system("bench");
        let query = RankQuery {
            kind: None,
            limit: 20,
            include_excluded: false,
        };
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                next = (next + 1) % participants.len();
                runtime
                    .block_on(engine.suggestions(&caller, participants[next], query))
                    .expect("suggestions")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
