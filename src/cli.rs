//! Command-line settings and the commands behind them: serve, reindex, import, demo.
//! Flags win over `JOBMATCH_*` environment variables, which win over the defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::rank::WeightProfile;
use crate::service::Engine;
use crate::service::input::ImportFile;
use crate::store::Store;
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
    /// Serve the JSON API.
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on.
        #[arg(long, env = "JOBMATCH_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Fill an empty database with the demo data set first.
        #[arg(long)]
        demo: bool,
    },
    /// Rebuild the search index from the database.
    Reindex {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Import employers, openings and participants from a JSON file in the fixtures' format.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The file to import (see `jobmatch demo --help` for the format).
        file: PathBuf,
    },
    /// Write the demo data set, in the import format, to standard output.
    Demo {
        /// Seed of the generator; the default gives the README's data.
        #[arg(long, default_value_t = crate::demo::SEED)]
        seed: u64,
    },
}

#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// Directory holding the SQLite file and the index.
    #[arg(long, env = "JOBMATCH_DATA_DIR", default_value = ".")]
    pub data_dir: PathBuf,
    /// Database URL; defaults to the SQLite file `jobmatch.db` in the data directory.
    #[arg(long, env = "JOBMATCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// A directory in the layout of `fixtures/` to load the taxonomy from instead of the built-in one.
    #[arg(long, env = "JOBMATCH_TAXONOMY_DIR")]
    pub taxonomy_dir: Option<PathBuf>,
    /// A JSON weight profile replacing the built-in `default` profile.
    #[arg(long, env = "JOBMATCH_WEIGHT_PROFILE")]
    pub weight_profile: Option<PathBuf>,
}

impl DataArgs {
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// The taxonomy: the built-in one, or a replacement directory.
    pub fn taxonomy(&self) -> anyhow::Result<Taxonomy> {
        let started = std::time::Instant::now();
        let taxonomy = match &self.taxonomy_dir {
            Some(dir) => Taxonomy::load_dir(dir),
            None => Taxonomy::embedded(),
        }
        .context("loading the taxonomy")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "taxonomy loaded"
        );
        Ok(taxonomy)
    }

    /// The database: `--database-url`, or the SQLite file in the data directory.
    pub async fn store(&self) -> anyhow::Result<Store> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        match &self.database_url {
            Some(url) => Store::open(url).await,
            None => Store::open_sqlite_file(&self.data_dir.join("jobmatch.db")).await,
        }
        .context("opening the database")
    }

    /// Opens everything serving needs: taxonomy, store, index and projection.
    pub async fn engine(&self) -> anyhow::Result<Arc<Engine>> {
        let taxonomy = self.taxonomy()?;
        let profile = match &self.weight_profile {
            Some(path) => WeightProfile::from_file(path)?,
            None => WeightProfile::default(),
        };
        let store = self.store().await?;
        Engine::open(store, &self.index_dir(), Arc::new(taxonomy), profile)
            .await
            .context("opening the index")
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { data, addr, demo } => {
            let engine = data.engine().await?;
            if demo && engine.store().is_empty().await? {
                let file = crate::demo::generate(engine.taxonomy(), crate::demo::SEED, today());
                let report = engine
                    .import(&file)
                    .await
                    .context("importing the demo data")?;
                tracing::info!(
                    employers = report.employers,
                    openings = report.openings,
                    participants = report.participants,
                    "demo data imported"
                );
            }
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding {addr}"))?;
            tracing::info!(addr = %listener.local_addr()?, "serving");
            serve(listener, engine).await
        }
        Command::Reindex { data } => {
            let taxonomy = data.taxonomy()?;
            let store = data.store().await?;
            let docs = crate::service::reindex(&store, &data.index_dir(), &taxonomy).await?;
            println!(
                "reindexed {docs} openings into {}",
                data.index_dir().display()
            );
            Ok(())
        }
        Command::Import { data, file } => {
            let parsed = read_import(&file)?;
            // Store only: a running server's index is its own, and it follows the outbox.
            let taxonomy = data.taxonomy()?;
            let store = data.store().await?;
            let report = crate::service::import_into(&store, &taxonomy, &parsed)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!("{}", serde_json::to_string(&report)?);
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

fn read_import(path: &Path) -> anyhow::Result<ImportFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// How often the server looks for outbox rows written by other processes.
const OUTBOX_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves the API on a bound listener until Ctrl-C; tests call it on port 0.
pub async fn serve(listener: tokio::net::TcpListener, engine: Arc<Engine>) -> anyhow::Result<()> {
    let follower = engine.follow_outbox(OUTBOX_POLL);
    let _stop_follower = AbortOnDrop(follower);
    axum::serve(listener, crate::api::router(engine))
        .with_graceful_shutdown(async {
            tokio::signal::ctrl_c().await.ok();
        })
        .await
        .context("serving HTTP")
}

/// Stops a background task when the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
