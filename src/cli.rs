//! The command line: clap subcommands that parse their settings and call the library. No
//! wiring lives here: serving is [`crate::startup`], the rest are the service's use cases.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::api::dto::ImportFile;
use crate::config::{DataSettings, Settings};
use crate::model::{Id, Role};
use crate::service::Accounts;
use crate::startup::{Application, shutdown_signal, today};
use crate::taxonomy::Taxonomy;

#[derive(Parser, Debug)]
#[command(
    name = "jobmatch",
    version,
    about = "Explained job matching for municipal labour-market units"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the JSON API until Ctrl-C or SIGTERM.
    Serve(Settings),
    /// Rebuild the search index from the database.
    Reindex {
        #[command(flatten)]
        data: DataSettings,
    },
    /// Apply the database migrations and exit, without serving (every command also applies
    /// them when it opens the database).
    Migrate {
        #[command(flatten)]
        data: DataSettings,
    },
    /// Import employers, openings and participants from a JSON file in the fixtures' format.
    Import {
        #[command(flatten)]
        data: DataSettings,
        /// The file to import (see `jobmatch demo --help` for the format).
        file: PathBuf,
    },
    /// Import Platsbanken ads in the JobSearch / JobStream JSON shape (one ad, a list, JSON
    /// Lines, a JobSearch answer with `hits`, or an Elasticsearch answer with
    /// `hits.hits[]._source`), streamed. Re-importing an ad updates its opening; `removed: true`
    /// closes it. Prints a one-line summary; works beside a running server.
    ImportAds {
        #[command(flatten)]
        data: DataSettings,
        /// The file to read, or `-` for standard input.
        file: String,
        /// Write the per-record report here, as JSON Lines.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Apply a JobStream change feed (ads added, changed and removed since a time) and remember
    /// how far it was applied, so the next night's sync asks for the changes since then.
    SyncAds {
        #[command(flatten)]
        data: DataSettings,
        /// The time the feed's changes start from (RFC 3339, or YYYY-MM-DD). Without it, the
        /// time the last sync recorded; a time later than that is refused, since the changes
        /// between would be lost.
        #[arg(long)]
        since: Option<String>,
        /// The feed to read, or `-` for standard input.
        file: String,
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Import the JobTech taxonomy from its published files (`concept-to-taxonomy.json`,
    /// `ssyk_level4_concepts.csv`, `occupation_name_to_ssyk2012.csv`; municipality positions
    /// from `municipalities_290.csv`) as a new version in the database. Running servers swap it
    /// in without a restart; stored openings and profiles keep their concept ids.
    ImportTaxonomy {
        #[command(flatten)]
        data: DataSettings,
        /// The directory holding JobTech's files.
        dir: PathBuf,
        /// `extend` keeps every concept in force and adds or relabels the imported ones;
        /// `replace` keeps only the imported concepts (jobmatch's certificates stay).
        #[arg(long, default_value = "extend")]
        mode: crate::taxonomy::jobtech::ImportMode,
        /// The municipality file with official codes and positions; without it,
        /// `municipalities_290.csv` in DIR or in DIR/../municipalities/, else the positions in
        /// force.
        #[arg(long)]
        municipalities: Option<PathBuf>,
        /// Print what the import would give, without storing it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Allocate participants over the open openings (as `POST /v1/allocations`), store the
    /// allocation and print it as JSON. Opens the data directory's index itself, so run it
    /// where no server serves the same directory (beside one, use the API).
    Allocate {
        #[command(flatten)]
        data: DataSettings,
        /// Every participant.
        #[arg(long, conflicts_with = "participants")]
        all: bool,
        /// These participants (comma-separated ids).
        #[arg(long, value_delimiter = ',', required_unless_present = "all")]
        participants: Vec<Id>,
        /// Only `vacancy` or only `internship` openings.
        #[arg(long, value_parser = opening_kind)]
        kind: Option<crate::model::OpeningKind>,
        /// Proposals per participant, 1 to 10.
        #[arg(long, default_value_t = 1)]
        per_participant: u32,
        /// A priority policy by name; the current one without it.
        #[arg(long)]
        policy: Option<String>,
        /// Leave the policy's weights out (the answer's fairness figures show both ways).
        #[arg(long)]
        no_policy: bool,
    },
    /// What would open the most doors for a participant (as `GET /v1/participants/{id}/gaps`),
    /// printed as JSON. Opens the data directory's index itself, as `allocate` does.
    Gaps {
        #[command(flatten)]
        data: DataSettings,
        /// The participant's id.
        participant: Id,
    },
    /// Exposure by group over a period (as `GET /v1/fairness`), printed as JSON.
    Fairness {
        #[command(flatten)]
        data: DataSettings,
        /// Start of the period (a date or RFC 3339); 30 days before `--to` without it.
        #[arg(long)]
        from: Option<String>,
        /// End of the period, exclusive (a date means the end of that day); now without it.
        #[arg(long)]
        to: Option<String>,
    },
    /// Create, revoke and list bearer tokens; works beside a running server.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Measure suggestions against the project's own labelled set (built from the shipped
    /// reference data): NDCG@10, MRR, recall@20, top-10 slots of relevance 0 and the worst
    /// decile, per weight profile and for a BM25 search box, on a tuning part and a held-out part.
    Eval {
        /// Seed of the labelled set.
        #[arg(long, default_value_t = crate::eval::EvalOptions::default().seed)]
        seed: u64,
        #[arg(long, default_value_t = crate::eval::EvalOptions::default().openings)]
        openings: usize,
        #[arg(long, default_value_t = crate::eval::EvalOptions::default().participants)]
        participants: usize,
        /// A weight profile file to report too; may be given more than once.
        #[arg(long = "profile")]
        profiles: Vec<PathBuf>,
        /// Tune the built-in profile's weights on the tuning part (coordinate ascent) and
        /// write the result here.
        #[arg(long)]
        tune: Option<PathBuf>,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write the demo data set, in the import format, to standard output.
    Demo {
        /// Seed of the generator; the default gives the README's data.
        #[arg(long, default_value_t = crate::demo::SEED)]
        seed: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a user (or take one with --user) and a token; prints one JSON line with it.
    Create {
        #[command(flatten)]
        data: DataSettings,
        /// admin, coach, matcher or employer.
        #[arg(long)]
        role: Role,
        /// The user's name as lists show it.
        #[arg(long)]
        name: Option<String>,
        /// The employer an employer's user acts for.
        #[arg(long)]
        employer: Option<Id>,
        /// An existing user to give another token.
        #[arg(long)]
        user: Option<Id>,
    },
    /// Revoke a token, given whole or by its selector.
    Revoke {
        #[command(flatten)]
        data: DataSettings,
        token: String,
    },
    /// List tokens, one JSON line each, never the tokens themselves.
    List {
        #[command(flatten)]
        data: DataSettings,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(settings) => {
            Application::build(settings)
                .await?
                .run_until(shutdown_signal())
                .await
        }
        Command::Reindex { data } => {
            let store = data.store().await?;
            let docs = crate::service::reindex(&store, &data.index_dir()).await?;
            println!(
                "reindexed {docs} open openings into {}",
                data.index_dir().display()
            );
            Ok(())
        }
        Command::Migrate { data } => {
            let store = data.store().await?;
            let counts = store.counts().await?;
            store.close().await;
            println!(
                "migrations applied; {} employers, {} openings, {} participants",
                counts.employers, counts.openings, counts.participants
            );
            Ok(())
        }
        Command::Import { data, file } => {
            let parsed = read_import(&file)?;
            // Store only: a running server's index is its own, and it follows the outbox.
            let store = data.store().await?;
            let taxonomy = data.taxonomy_in_force(&store).await?;
            let importing = || format!("importing {}", file.display());
            let batch = parsed.into_batch(&taxonomy).with_context(importing)?;
            let report = crate::service::import_into(&store, &batch)
                .await
                .with_context(importing)?;
            // Counts, not ids: a file of 100,000 openings would print a line of 600 KB.
            println!(
                "{}",
                serde_json::json!({
                    "employers": report.employers,
                    "openings": report.openings,
                    "participants": report.participants,
                })
            );
            Ok(())
        }
        Command::ImportAds { data, file, report } => {
            let store = data.store().await?;
            let summary = import_ads(&data, &store, &file, report.as_deref()).await?;
            store.close().await;
            println!("{}", summary.line());
            Ok(())
        }
        Command::SyncAds {
            data,
            since,
            file,
            report,
        } => sync_ads(&data, since.as_deref(), &file, report.as_deref()).await,
        Command::ImportTaxonomy {
            data,
            dir,
            mode,
            municipalities,
            dry_run,
        } => import_taxonomy(&data, dir, mode, municipalities, dry_run).await,
        Command::Allocate {
            data,
            all,
            participants,
            kind,
            per_participant,
            policy,
            no_policy,
        } => {
            use crate::service::allocation::{AllocationRequest, Selection};
            let request = AllocationRequest {
                selection: if all {
                    Selection::All
                } else {
                    Selection::Participants(participants)
                },
                kind,
                per_participant,
                policy,
                apply_policy: !no_policy,
            };
            let engine = ready_engine(&data).await?;
            let caller = crate::service::Caller::system("allocate");
            let started = std::time::Instant::now();
            let allocation = engine
                .allocate(&caller, request)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("allocating")?;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                assigned = allocation.assignments.len(),
                "allocated"
            );
            engine.store().close().await;
            println!(
                "{}",
                serde_json::to_string(&crate::api::dto::AllocationView::from(allocation))?
            );
            Ok(())
        }
        Command::Gaps { data, participant } => {
            let engine = ready_engine(&data).await?;
            let gaps = engine
                .gaps(&crate::service::Caller::system("gaps"), participant)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("finding the gaps")?;
            engine.store().close().await;
            println!(
                "{}",
                serde_json::to_string(&crate::api::dto::GapsView::from(gaps))?
            );
            Ok(())
        }
        Command::Fairness { data, from, to } => {
            let params = crate::api::dto::FairnessParams { from, to };
            let (from, to) = params
                .period()
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let engine = crate::startup::open_engine(&data).await?;
            let exposure = engine
                .fairness(&crate::service::Caller::system("fairness"), from, to)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            engine.store().close().await;
            println!(
                "{}",
                serde_json::to_string(&crate::api::dto::ExposureView::from(exposure))?
            );
            Ok(())
        }
        Command::Token { command } => token(command).await,
        Command::Eval {
            seed,
            openings,
            participants,
            profiles,
            tune,
            json,
        } => {
            let taxonomy = Taxonomy::embedded()?;
            let options = crate::eval::EvalOptions {
                seed,
                openings,
                participants,
                profiles: profiles
                    .iter()
                    .map(|p| crate::rank::WeightProfile::from_file(p))
                    .collect::<Result<_, _>>()?,
                tune: tune.is_some(),
                ..crate::eval::EvalOptions::default()
            };
            let report = crate::eval::run(&taxonomy, &options)?;
            if let (Some(path), Some(profile)) = (&tune, &report.tuned) {
                std::fs::write(path, serde_json::to_string_pretty(profile)? + "\n")
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
            Ok(())
        }
        Command::Demo { seed } => {
            let taxonomy = Taxonomy::embedded()?;
            println!(
                "{}",
                serde_json::to_string_pretty(&crate::demo::generate(&taxonomy, seed, today()))?
            );
            Ok(())
        }
    }
}

async fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            data,
            role,
            name,
            employer,
            user,
        } => {
            let accounts = Accounts::new(data.store().await?);
            let name = name.unwrap_or_else(|| role.as_str().to_owned());
            let issued = accounts
                .issue(role, &name, employer, user)
                .await
                .context("creating the token")?;
            println!("{}", issued.json_line());
        }
        TokenCommand::Revoke { data, token } => {
            let accounts = Accounts::new(data.store().await?);
            if !accounts.revoke(&token).await? {
                anyhow::bail!("no live token matches; `jobmatch token list` shows the selectors");
            }
            println!("revoked");
        }
        TokenCommand::List { data } => {
            let accounts = Accounts::new(data.store().await?);
            for t in accounts.list().await? {
                println!(
                    "{}",
                    serde_json::json!({
                        "selector": t.selector,
                        "user_id": t.user.id,
                        "role": t.user.role.as_str(),
                        "name": t.user.name,
                        "employer_id": t.user.employer_id,
                        "created_at": t.created_at,
                        "revoked_at": t.revoked_at,
                    })
                );
            }
        }
    }
    Ok(())
}

/// The engine over a data directory, once its index is in service: a start over a missing
/// index rebuilds it first, and ranking needs it.
async fn ready_engine(
    data: &DataSettings,
) -> anyhow::Result<std::sync::Arc<crate::service::Engine>> {
    let engine = crate::startup::open_engine(data).await?;
    let caller = crate::service::Caller::system("status");
    while !engine.status(&caller).await?.index_ready {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(engine)
}

async fn import_taxonomy(
    data: &DataSettings,
    dir: PathBuf,
    mode: crate::taxonomy::jobtech::ImportMode,
    municipalities: Option<PathBuf>,
    dry_run: bool,
) -> anyhow::Result<()> {
    use crate::service::TaxonomyImport;

    let own = data.taxonomy_data()?;
    let store = data.store().await?;
    let files = crate::taxonomy::jobtech::JobTechFiles {
        dir: dir.clone(),
        municipalities,
    };
    let importing = || format!("importing the taxonomy from {}", dir.display());
    if dry_run {
        let (base, _) = crate::service::taxonomy::data_in_force(&store, own)
            .await
            .with_context(importing)?;
        let (_, summary) =
            crate::taxonomy::jobtech::derive(&files, &base, mode).with_context(importing)?;
        store.close().await;
        println!("dry run, nothing stored: {}", summary.line());
        print_left_out(&summary);
        return Ok(());
    }
    let outcome = crate::service::import_taxonomy(&store, files, own, mode)
        .await
        .with_context(importing)?;
    store.close().await;
    match outcome {
        TaxonomyImport::Stored { version, summary } => {
            println!(
                "taxonomy version {} ({mode}) stored and in force: {}",
                version.version,
                summary.line()
            );
            print_left_out(&summary);
        }
        TaxonomyImport::Unchanged { version, summary } => {
            let holder = match version {
                0 => "the taxonomy in force (no version imported yet)".to_owned(),
                v => format!("version {v}"),
            };
            println!(
                "taxonomy unchanged: {holder} already is what these files give ({})",
                summary.line()
            );
        }
    }
    Ok(())
}

fn print_left_out(summary: &crate::taxonomy::jobtech::DeriveSummary) {
    for line in &summary.left_out {
        println!("left out: {line}");
    }
}

/// Streams an ads file (or standard input) into the store, with a progress line on a terminal
/// and the per-record report written to `report` when asked.
async fn import_ads(
    data: &DataSettings,
    store: &crate::store::Store,
    file: &str,
    report: Option<&Path>,
) -> anyhow::Result<crate::service::ImportSummary> {
    use std::io::Write as _;

    let taxonomy = data.taxonomy_in_force(store).await?;
    let input: Box<dyn std::io::Read + Send> = if file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file).with_context(|| format!("opening {file}"))?)
    };
    let mut out = match report {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => None,
    };
    let progress = indicatif::ProgressBar::new_spinner().with_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} ads read, {per_sec} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let (items, reader) = crate::api::dto::spawn_ads_reader(input, taxonomy);
    let mut write_error = None;
    let summary = crate::service::import_ads_into(store, items, |record| {
        progress.inc(1);
        if let Some(out) = out.as_mut()
            && write_error.is_none()
            && let Err(e) = serde_json::to_writer(&mut *out, record)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        {
            write_error = Some(e);
        }
    })
    .await
    .with_context(|| format!("importing ads from {file}"))?;
    progress.finish_and_clear();
    if let Some(e) = write_error {
        anyhow::bail!("writing the report: {e}");
    }
    if let Some(mut out) = out {
        out.flush().context("writing the report")?;
    }
    reader
        .await
        .context("the ads reader stopped")?
        .with_context(|| format!("reading {file}; the ads before the fault were imported"))?;
    Ok(summary)
}

/// The feed this command's progress is recorded under.
const ADS_FEED: &str = "platsbanken";

async fn sync_ads(
    data: &DataSettings,
    since: Option<&str>,
    file: &str,
    report: Option<&Path>,
) -> anyhow::Result<()> {
    let store = data.store().await?;
    let recorded = store
        .sync_state(ADS_FEED)
        .await?
        .map(|t| parse_time(&t))
        .transpose()?;
    let since = match (since.map(parse_time).transpose()?, recorded) {
        (Some(s), Some(r)) if s > r => anyhow::bail!(
            "--since {} is after the last applied change, {}; the changes between would be lost. \
             Fetch the feed from {} instead",
            s.to_rfc3339(),
            r.to_rfc3339(),
            r.to_rfc3339()
        ),
        (Some(s), _) => s,
        (None, Some(r)) => r,
        (None, None) => anyhow::bail!(
            "no --since given and no earlier sync is recorded; give the time the feed starts from"
        ),
    };
    let summary = import_ads(data, &store, file, report).await?;
    // Up to the latest change applied, and to before the first the database refused, so the
    // next sync asks for that one again.
    let latest = summary
        .latest_change_ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or(since, |t| t.max(since));
    let latest = match summary
        .first_refused_change_ms
        .and_then(|ms| chrono::DateTime::from_timestamp_millis(ms - 1))
    {
        Some(before) => latest.min(before).max(since),
        None => latest,
    };
    store.set_sync_state(ADS_FEED, &latest.to_rfc3339()).await?;
    store.close().await;
    println!("{}; applied to {}", summary.line(), latest.to_rfc3339());
    Ok(())
}

fn opening_kind(s: &str) -> Result<crate::model::OpeningKind, String> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_owned()))
        .map_err(|_| format!("unknown kind {s:?}; expected vacancy or internship"))
}

/// RFC 3339, or a date (its midnight, UTC).
fn parse_time(s: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .with_context(|| {
            format!("{s:?} is not a time; give RFC 3339 (2026-12-01T02:00:00Z) or a date")
        })
}

fn read_import(path: &Path) -> anyhow::Result<ImportFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ImportFile::parse(&text).with_context(|| format!("parsing {}", path.display()))
}
