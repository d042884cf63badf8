//! The Rust side of the comparison suite (`benches/compare/`): loads an engine once, then runs
//! measurement passes when `run.py` asks for them on standard input, so the script can
//! interleave passes of every engine without reloading any of them.
//!
//! Modes (first argument):
//! - `engine DATA_DIR PROFILES_JSON QUERIES_JSON [CASELOAD_JSON]`: jobmatch in-process
//!   (`Engine::match_profile`, the public API `suggest.rs` uses), the brute-force scan of the core
//!   (`rank_openings` over every open opening's features, built once), jobmatch's own search
//!   (`Engine::search`, a page of 20 with the rows) and every participant of a caseload at once
//!   (`Engine::rank_profiles`). Commands: `match LOOPS`, `scan LOOPS`, `search LOOPS`,
//!   `caseload K` (one pass, top K each, its wall clock).
//! - `tantivy OPENINGS_JSONL N QUERIES_JSON INDEX_DIR`: tantivy alone, title and description with
//!   a Swedish stemmer, a two-word AND query, top 20 by BM25. Command: `search LOOPS`.
//!
//! A command is `NAME LOOPS BUDGET_S`: LOOPS times over the profiles or queries, stopping early
//! once BUDGET_S seconds have passed and at least [`MIN_SAMPLES`] calls were measured (at 1M a
//! pass would otherwise take minutes). Every answer is one JSON line with the latency of each
//! call in microseconds; the script computes percentiles. Not a criterion bench: the script owns repetitions and interleaving.

use std::io::BufRead;
use std::time::Instant;

use anyhow::{Context as _, bail};
use jobmatch::api::dto::ProfileInput;
use jobmatch::config::Settings;
use jobmatch::model::Profile;
use jobmatch::rank::{Context, RankOptions, SkillWeights, WeightProfile, rank_openings};
use jobmatch::service::{Caller, Engine, RankQuery, SearchRequest};
use jobmatch::startup::Application;
use serde_json::json;

use feature_building::ScanData;

const TOP_K: usize = 20;
/// A pass measures at least this many calls, whatever its time budget.
const MIN_SAMPLES: usize = 20;

/// When a pass stops: its time budget spent and enough samples taken.
struct Budget {
    started: Instant,
    seconds: f64,
}

impl Budget {
    fn spent(&self, samples: usize) -> bool {
        samples >= MIN_SAMPLES && self.started.elapsed().as_secs_f64() > self.seconds
    }
}

// The server's allocator (src/main.rs), so the in-process figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; the script calls the binary directly.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--bench")
        .collect();
    match args.as_slice() {
        ["engine", data_dir, profiles, queries] => engine_mode(data_dir, profiles, queries, None),
        ["engine", data_dir, profiles, queries, caseload] => {
            engine_mode(data_dir, profiles, queries, Some(caseload))
        }
        ["tantivy", openings, n, queries, index_dir] => {
            tantivy_mode(openings, n.parse()?, queries, index_dir)
        }
        [] => {
            println!("compare: run by benches/compare/run.py; see its README");
            Ok(())
        }
        other => bail!("unknown arguments {other:?}; see benches/compare/README.md"),
    }
}

/// p50, p95 and p99 (nearest rank) of a pass, for reading a runner's answer by hand; the
/// script computes its own from the raw latencies, the same way for every engine.
fn percentiles(latencies: &[f64]) -> serde_json::Value {
    let mut sorted = latencies.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let rank = (q * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied()
    };
    json!({ "p50_us": at(0.50), "p95_us": at(0.95), "p99_us": at(0.99) })
}

/// Peak resident set of this process (VmHWM), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Reads `COMMAND LOOPS BUDGET_S` lines until `quit` or end of input, answering each with one line.
fn serve_commands(mut run: impl FnMut(&str, usize, &Budget) -> anyhow::Result<serde_json::Value>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let mut words = line.split_whitespace();
        let (Some(cmd), loops, budget) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if cmd == "quit" {
            break;
        }
        let loops = loops.and_then(|l| l.parse().ok()).unwrap_or(1);
        let budget = Budget {
            started: Instant::now(),
            seconds: budget.and_then(|b| b.parse().ok()).unwrap_or(f64::INFINITY),
        };
        let answer =
            run(cmd, loops, &budget).unwrap_or_else(|e| json!({ "error": format!("{e:#}") }));
        println!("{answer}");
    }
}

/// The only place that knows where feature building lives (`projection::features`):
/// its paths may move while the match path is rewritten, and then only this module changes.
mod feature_building {
    use anyhow::Context as _;
    use jobmatch::model::{OpeningStatus, Profile};
    use jobmatch::projection::features::{Keys, opening_features, participant_features_lookup};
    use jobmatch::rank::{OpeningFeatures, ParticipantFeatures, SkillWeights};
    use jobmatch::service::Engine;

    /// Features of every open opening and their shared keys, built once for the brute-force scan.
    pub struct ScanData {
        keys: Keys,
        pub openings: Vec<OpeningFeatures>,
    }

    impl ScanData {
        pub async fn load(engine: &Engine) -> anyhow::Result<Self> {
            let mut keys = Keys::default();
            let mut openings = Vec::new();
            let taxonomy = engine.taxonomy();
            engine
                .store()
                .openings_in_pages(|page| {
                    openings.extend(
                        page.iter()
                            .filter(|o| o.status == OpeningStatus::Open)
                            .map(|o| opening_features(o, &mut keys, &taxonomy)),
                    )
                })
                .await
                .context("reading the openings")?;
            Ok(ScanData { keys, openings })
        }

        /// A profile's features in these openings' keys, as `/v1/match` builds them.
        pub fn participant(&self, profile: &Profile, engine: &Engine) -> ParticipantFeatures {
            participant_features_lookup(0, profile, &self.keys, &engine.taxonomy())
        }

        pub fn skill_weights(&self) -> &SkillWeights {
            &self.keys.weights
        }
    }
}

/// One brute-force ranking: the profile's features against every open opening.
fn scan_once(
    data: &ScanData,
    profile: &Profile,
    engine: &Engine,
    weights: &WeightProfile,
    skill_weights: &SkillWeights,
) -> usize {
    let me = data.participant(profile, engine);
    let ctx = Context {
        profile: weights,
        skill_weights,
        today: chrono::Utc::now().date_naive(),
    };
    let options = RankOptions {
        k: TOP_K,
        include_excluded: false,
    };
    rank_openings(&me, &data.openings, None, ctx, options)
        .results
        .len()
}

/// Profiles from a file of `{"body": ProfileInput}` objects, as `POST /v1/match` takes them.
fn read_profiles(path: &str, engine: &Engine) -> anyhow::Result<Vec<Profile>> {
    let bodies: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
    )?;
    bodies
        .iter()
        .map(|b| {
            let input: ProfileInput = serde_json::from_value(b["body"].clone())?;
            input
                .to_profile(&engine.taxonomy())
                .map_err(|e| anyhow::anyhow!("{e:?}"))
        })
        .collect()
}

fn engine_mode(
    data_dir: &str,
    profiles: &str,
    queries: &str,
    caseload: Option<&str>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("runtime")?;
    let started = Instant::now();
    let mut settings = Settings::for_tests(std::path::Path::new(data_dir));
    settings.max_results = TOP_K;
    let app = runtime
        .block_on(Application::build(settings))
        .context("opening the engine")?;
    let engine = std::sync::Arc::clone(app.engine());
    let open_s = started.elapsed().as_secs_f64();

    let profiles = read_profiles(profiles, &engine)?;
    // Participant ids of their own, past any stored one's: nothing is read of them.
    let caseload: Vec<(i64, Profile)> = match caseload {
        Some(path) => (1_000_000_000..)
            .zip(read_profiles(path, &engine)?)
            .collect(),
        None => Vec::new(),
    };

    let queries: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(queries).with_context(|| format!("reading {queries}"))?,
    )?;

    let started = Instant::now();
    let data = runtime.block_on(ScanData::load(&engine))?;
    let weights = WeightProfile::default();
    let skill_weights = data.skill_weights().clone();
    println!(
        "{}",
        json!({
            "ready": true,
            "open_s": open_s,
            "scan_features_s": started.elapsed().as_secs_f64(),
            "open_openings": data.openings.len(),
            "peak_rss_kib": peak_rss_kib(),
            "rayon_threads": rayon::current_num_threads(),
        })
    );

    let caller = Caller::system("compare");
    let query = RankQuery {
        kind: None,
        limit: TOP_K,
        include_excluded: false,
    };
    serve_commands(|cmd, loops, budget| {
        let mut latencies = Vec::with_capacity(loops * profiles.len());
        let mut results = 0usize;
        if cmd == "caseload" {
            let query = RankQuery {
                kind: None,
                limit: loops,
                include_excluded: false,
            };
            let t = Instant::now();
            let rankings = runtime
                .block_on(engine.rank_profiles(&caller, caseload.clone(), query))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let seconds = t.elapsed().as_secs_f64();
            let results: usize = rankings.iter().map(|(_, _, r)| r.results.len()).sum();
            return Ok(json!({
                "seconds": seconds,
                "participants": rankings.len(),
                "k": loops,
                "mean_results": results as f64 / rankings.len().max(1) as f64,
                "peak_rss_kib": peak_rss_kib(),
            }));
        }
        if cmd == "search" {
            'pass: for _ in 0..loops {
                for q in &queries {
                    let request = SearchRequest {
                        text: Some(q.clone()),
                        kind: None,
                        municipality: None,
                        occupation: None,
                        page: 1,
                        per_page: TOP_K,
                    };
                    let t = Instant::now();
                    let page = runtime
                        .block_on(engine.search(&caller, request))
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                    latencies.push(t.elapsed().as_secs_f64() * 1e6);
                    results += page.total;
                    if budget.spent(latencies.len()) {
                        break 'pass;
                    }
                }
            }
            return Ok(json!({
                "percentiles": percentiles(&latencies),
                "latencies_us": latencies,
                "mean_hits": results as f64 / latencies.len().max(1) as f64,
            }));
        }
        'pass: for _ in 0..loops {
            for p in &profiles {
                let t = Instant::now();
                results += match cmd {
                    "match" => runtime
                        .block_on(engine.match_profile(&caller, p.clone(), query))
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?
                        .results
                        .len(),
                    "scan" => scan_once(&data, p, &engine, &weights, &skill_weights),
                    _ => bail!("unknown command {cmd}; expected match or scan"),
                };
                latencies.push(t.elapsed().as_secs_f64() * 1e6);
                if budget.spent(latencies.len()) {
                    break 'pass;
                }
            }
        }
        Ok(json!({
            "percentiles": percentiles(&latencies),
                "latencies_us": latencies,
            "mean_results": results as f64 / latencies.len().max(1) as f64,
            "peak_rss_kib": peak_rss_kib(),
        }))
    });
    Ok(())
}

fn tantivy_mode(openings: &str, n: usize, queries: &str, index_dir: &str) -> anyhow::Result<()> {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::QueryParser;
    use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };
    use tantivy::{Index, TantivyDocument, doc};

    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("sv")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let mut builder = Schema::builder();
    let id = builder.add_i64_field("id", STORED);
    let title = builder.add_text_field("title", text.clone());
    let description = builder.add_text_field("description", text);
    let schema = builder.build();
    std::fs::create_dir_all(index_dir)?;
    let index = Index::create_in_dir(index_dir, schema).context("creating the tantivy index")?;
    // The stock Swedish pipeline, without jobmatch's own suffix rules: tantivy as it ships.
    index.tokenizers().register(
        "sv",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Swedish))
            .build(),
    );

    let started = Instant::now();
    let mut writer = index.writer::<TantivyDocument>(200_000_000)?;
    let file = std::io::BufReader::new(std::fs::File::open(openings)?);
    let mut docs = 0usize;
    for line in file.lines().take(n) {
        let o: serde_json::Value = serde_json::from_str(&line?)?;
        docs += 1;
        writer.add_document(doc!(
            id => docs as i64,
            title => o["title"].as_str().unwrap_or_default(),
            description => o["description"].as_str().unwrap_or_default(),
        ))?;
    }
    writer.commit()?;
    let build_s = started.elapsed().as_secs_f64();
    let reader = index.reader()?;
    let mut parser = QueryParser::for_index(&index, vec![title, description]);
    parser.set_conjunction_by_default();
    let queries: Vec<String> = serde_json::from_str(&std::fs::read_to_string(queries)?)?;
    let parsed: Vec<_> = queries
        .iter()
        .map(|q| parser.parse_query(q))
        .collect::<Result<_, _>>()?;
    println!(
        "{}",
        json!({ "ready": true, "docs": docs, "build_s": build_s, "peak_rss_kib": peak_rss_kib() })
    );

    serve_commands(|cmd, loops, budget| {
        if cmd != "search" {
            bail!("unknown command {cmd}; expected search");
        }
        let mut latencies = Vec::with_capacity(loops * parsed.len());
        'pass: for _ in 0..loops {
            for q in &parsed {
                let t = Instant::now();
                // A fresh searcher per query, as a server would take one per request; top 20
                // only, so BM25's block-max pruning applies as it would in a search page.
                let searcher = reader.searcher();
                let top = searcher.search(q, &TopDocs::with_limit(TOP_K).order_by_score())?;
                latencies.push(t.elapsed().as_secs_f64() * 1e6);
                std::hint::black_box(top);
                if budget.spent(latencies.len()) {
                    break 'pass;
                }
            }
        }
        // Hits are counted apart from the timing, as a check that the engines agree.
        let searcher = reader.searcher();
        let mut hits = 0usize;
        for q in &parsed {
            hits += searcher.search(q, &Count)?;
        }
        Ok(json!({
            "percentiles": percentiles(&latencies),
                "latencies_us": latencies,
            "mean_hits": hits as f64 / parsed.len().max(1) as f64,
        }))
    });
    Ok(())
}
