//! Settings of every command, read by clap: a flag wins over its `JOBMATCH_*` environment
//! variable, which wins over the default. Owns where data lives and how it is opened; knows
//! nothing of HTTP or of what the commands do with it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;

use crate::api::Limits;
use crate::rank::WeightProfile;
use crate::service::Secret;
use crate::store::Store;
use crate::taxonomy::{Taxonomy, TaxonomyData};

/// Where the data lives and which taxonomy and weights to use: what every command opens.
#[derive(Args, Debug, Clone)]
pub struct DataSettings {
    /// Directory holding the SQLite file and the index.
    #[arg(long, env = "JOBMATCH_DATA_DIR", default_value = ".")]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite:PATH`, or `postgres://USER@HOST/DATABASE` for a database several
    /// instances share. Also read from `DATABASE_URL`; without either, the SQLite file
    /// `jobmatch.db` in the data directory.
    #[arg(long, env = "JOBMATCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// A directory in the layout of `fixtures/` to load the taxonomy from instead of the built-in one.
    #[arg(long, env = "JOBMATCH_TAXONOMY_DIR")]
    pub taxonomy_dir: Option<PathBuf>,
    /// A JSON weight profile replacing the built-in `default` profile.
    #[arg(long, env = "JOBMATCH_WEIGHT_PROFILE")]
    pub weight_profile: Option<PathBuf>,
    /// The key of participants' pseudonyms, at least 16 characters; without it, the key in
    /// `secret.key` in the data directory (created on first start).
    #[arg(long, env = "JOBMATCH_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
}

/// Everything `serve` needs: the data, the address, and whether to seed the demo data.
#[derive(Args, Debug, Clone)]
pub struct Settings {
    #[command(flatten)]
    pub data: DataSettings,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "JOBMATCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Fill an empty database with the demo data set first, and print a token per role.
    #[arg(long)]
    pub demo: bool,
    /// Largest request body in KiB; larger bodies answer 413.
    #[arg(long, env = "JOBMATCH_MAX_BODY_KIB", default_value_t = 256)]
    pub max_body_kib: usize,
    /// Largest file an import route reads, in MiB; it streams, so this bounds time, not memory.
    #[arg(long, env = "JOBMATCH_MAX_IMPORT_MIB", default_value_t = 2048)]
    pub max_import_mib: usize,
    /// Seconds a request may take before it answers 408.
    #[arg(long, env = "JOBMATCH_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Requests served at once; more are refused at once with 503 and Retry-After.
    #[arg(long, env = "JOBMATCH_MAX_IN_FLIGHT", default_value_t = 64)]
    pub max_in_flight: usize,
    /// Largest page of search results.
    #[arg(long, env = "JOBMATCH_MAX_PER_PAGE", default_value_t = 100)]
    pub max_per_page: usize,
    /// Most suggestions or candidates in one answer.
    #[arg(long, env = "JOBMATCH_MAX_RESULTS", default_value_t = 200)]
    pub max_results: usize,
    /// Failed sign-ins per client address and minute before it must wait (429).
    #[arg(
        long,
        env = "JOBMATCH_SIGN_IN_FAILURES_PER_MINUTE",
        default_value_t = 20
    )]
    pub sign_in_failures_per_minute: u32,
}

impl DataSettings {
    /// The defaults, over `data_dir`: the built-in taxonomy and weight profile.
    pub fn in_dir(data_dir: &Path) -> Self {
        DataSettings {
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            taxonomy_dir: None,
            weight_profile: None,
            secret: None,
        }
    }

    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }

    /// The instance's own taxonomy: the built-in one, or a replacement directory. A version
    /// imported into the database is in force over it ([`DataSettings::taxonomy_in_force`]).
    pub fn taxonomy(&self) -> anyhow::Result<Taxonomy> {
        let started = std::time::Instant::now();
        let taxonomy = self
            .taxonomy_data()?
            .build()
            .context("loading the taxonomy")?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "taxonomy loaded"
        );
        Ok(taxonomy)
    }

    /// The files of the instance's own taxonomy, which an import extends when the database
    /// holds no version yet.
    pub fn taxonomy_data(&self) -> anyhow::Result<TaxonomyData> {
        Ok(match &self.taxonomy_dir {
            Some(dir) => TaxonomyData::read_dir(dir).context("loading the taxonomy")?,
            None => TaxonomyData::embedded(),
        })
    }

    /// The taxonomy in force for a command that is not serving: the newest version imported
    /// into the database, else the instance's own.
    pub async fn taxonomy_in_force(&self, store: &Store) -> anyhow::Result<Arc<Taxonomy>> {
        let own = Arc::new(self.taxonomy()?);
        let (taxonomy, stamp) = crate::service::taxonomy_in_force(store, own)
            .await
            .context("loading the taxonomy in force")?;
        if stamp.version > 0 {
            tracing::info!(version = stamp.version, "taxonomy version in force");
        }
        Ok(taxonomy)
    }

    /// The weight profile: the built-in `default`, or the file given.
    pub fn weight_profile(&self) -> anyhow::Result<WeightProfile> {
        Ok(match &self.weight_profile {
            Some(path) => WeightProfile::from_file(path)?,
            None => WeightProfile::default(),
        })
    }

    /// The database URL in force: `--database-url` or `JOBMATCH_DATABASE_URL`, else
    /// `DATABASE_URL` (the variable sqlx and most hosting set), else none (the SQLite file).
    pub fn database_url(&self) -> Option<String> {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .filter(|url| !url.is_empty())
    }

    /// Whether the database is one several instances may share, so that what each instance
    /// keeps in its data directory must not differ between them.
    pub fn is_shared_database(&self) -> bool {
        self.database_url()
            .is_some_and(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
    }

    /// The key of pseudonyms: `--secret`, or the data directory's key file. On a shared
    /// database the key must be given: instances with keys of their own would show one
    /// participant under different pseudonyms.
    pub fn secret(&self) -> anyhow::Result<Secret> {
        match &self.secret {
            Some(text) => Secret::from_text(text).map_err(anyhow::Error::msg),
            None if self.is_shared_database() => anyhow::bail!(
                "on PostgreSQL every instance needs the same pseudonym key: set --secret or \
                 JOBMATCH_SECRET (at least 16 characters) to one value on all of them"
            ),
            None => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!("creating the data directory {}", self.data_dir.display())
                })?;
                Secret::load_or_create(&self.data_dir).context("reading the pseudonym key")
            }
        }
    }

    /// The database: `--database-url`, or the SQLite file in the data directory.
    pub async fn store(&self) -> anyhow::Result<Store> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        match &self.database_url() {
            Some(url) => Store::open(url).await,
            None => Store::open_sqlite_file(&self.data_dir.join("jobmatch.db")).await,
        }
        .context("opening the database")
    }
}

impl Settings {
    /// The defaults over `data_dir`, listening on a free port of the loopback address.
    pub fn for_tests(data_dir: &Path) -> Self {
        let limits = Limits::default();
        Settings {
            data: DataSettings::in_dir(data_dir),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo: false,
            max_body_kib: limits.max_body_bytes / 1024,
            max_import_mib: limits.max_import_bytes >> 20,
            request_timeout_secs: limits.request_timeout.as_secs(),
            max_in_flight: limits.max_in_flight,
            max_per_page: limits.max_per_page,
            max_results: limits.max_results,
            sign_in_failures_per_minute: limits.sign_in_failures_per_minute,
        }
    }

    /// The limits a request must keep.
    pub fn limits(&self) -> Limits {
        Limits {
            max_body_bytes: self.max_body_kib.saturating_mul(1024),
            max_import_bytes: self.max_import_mib.saturating_mul(1 << 20),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
            max_in_flight: self.max_in_flight,
            max_per_page: self.max_per_page,
            max_results: self.max_results,
            sign_in_failures_per_minute: self.sign_in_failures_per_minute,
        }
    }
}
