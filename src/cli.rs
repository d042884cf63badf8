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
            let taxonomy = data.taxonomy()?;
            let store = data.store().await?;
            let importing = || format!("importing {}", file.display());
            let batch = parsed.to_batch(&taxonomy).with_context(importing)?;
            let report = crate::service::import_into(&store, &batch)
                .await
                .with_context(importing)?;
            println!("{}", serde_json::to_string(&report)?);
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

fn read_import(path: &Path) -> anyhow::Result<ImportFile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
