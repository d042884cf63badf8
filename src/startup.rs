//! Startup as a library: [`Application::build`] opens everything serving needs from one
//! [`Settings`], and [`serve`] runs the API on a bound listener until a shutdown future
//! resolves. `main`, the integration tests and the benches all start the product this way, so
//! a test server stops as the real one does.
//!
//! Stopping is graceful: the listener closes, in-flight requests finish, the outbox follower
//! stops, and a last catch-up commits whatever the index had not yet applied.
//!
//! What this module must not do: parse command lines (that is `cli`) or hold use-case logic.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::api::Limits;
use crate::config::{DataSettings, Settings};
use crate::model::Role;
use crate::service::{Accounts, Engine};

/// How often the server looks for outbox rows written by other processes.
const OUTBOX_POLL: Duration = Duration::from_secs(1);

/// A built, not yet serving, application: the engine and the bound listener.
pub struct Application {
    engine: Arc<Engine>,
    listener: TcpListener,
    limits: Limits,
}

impl Application {
    /// Opens taxonomy, store, index and projection, seeds the demo data when asked and the
    /// database is empty, and binds the address.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let engine = open_engine(&settings.data).await?;
        if settings.demo && engine.store().is_empty().await? {
            seed_demo(&engine, &settings.data.data_dir).await?;
        }
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("binding {}", settings.addr))?;
        Ok(Application {
            engine,
            listener,
            limits: settings.limits(),
        })
    }

    /// The bound address; with port 0 in the settings, the port the system chose.
    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Serves until `shutdown` resolves, then stops gracefully.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.address(), "serving");
        serve(self.listener, self.engine, self.limits, shutdown).await
    }
}

/// The file in the data directory that keeps the demo's tokens, one JSON line per role.
pub const DEMO_TOKENS: &str = "demo-tokens.jsonl";

/// Fills an empty database with the demo data, on a demo coach's caseload, and hands out one
/// token per role, printed and kept in `demo-tokens.jsonl` (owner-only), so the README's
/// walk-throughs can be followed.
async fn seed_demo(engine: &Arc<Engine>, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let accounts = Accounts::new(engine.store().clone());
    let coach = accounts
        .issue(Role::Coach, "Demo coach", None, None)
        .await?;
    let file = crate::demo::generate(&engine.taxonomy(), crate::demo::SEED, today());
    let mut batch = file
        .to_batch(&engine.taxonomy())
        .context("understanding the demo data")?;
    batch.coach_id = Some(coach.user.id);
    let report = engine
        .import(&batch)
        .await
        .context("importing the demo data")?;
    tracing::info!(
        employers = report.employers,
        openings = report.openings,
        participants = report.participants,
        "demo data imported"
    );
    let employer = report.employer_ids.first().copied();
    let mut issued = vec![
        accounts
            .issue(Role::Admin, "Demo admin", None, None)
            .await?,
        coach,
        accounts
            .issue(Role::Matcher, "Demo matcher", None, None)
            .await?,
    ];
    if let Some(employer) = employer {
        issued.push(
            accounts
                .issue(Role::Employer, "Demo employer", Some(employer), None)
                .await?,
        );
    }
    // Printed and kept for the demo only; tokens are never logged.
    let lines: String = issued.iter().map(|t| t.json_line() + "\n").collect();
    let path = data_dir.join(DEMO_TOKENS);
    crate::service::pseudonym::write_private(&path, lines.as_bytes(), true)
        .with_context(|| format!("writing {}", path.display()))?;
    print!("{lines}");
    Ok(())
}

/// Opens everything serving needs: taxonomy, weight profile, store, index and projection.
pub async fn open_engine(data: &DataSettings) -> anyhow::Result<Arc<Engine>> {
    let taxonomy = data.taxonomy()?;
    let profile = data.weight_profile()?;
    let secret = data.secret()?;
    let store = data.store().await?;
    Engine::open(
        store,
        &data.index_dir(),
        Arc::new(taxonomy),
        profile,
        secret,
    )
    .await
    .context("opening the index")
}

/// Serves the API on `listener` until `shutdown` resolves: the listener closes, in-flight
/// requests finish, the outbox follower stops, and the index catches up one last time.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let mut background = JoinSet::new();
    background.spawn(Arc::clone(&engine).follow_outbox(OUTBOX_POLL, stopped.clone()));
    background.spawn(Arc::clone(&engine).follow_deliveries(stopped));
    let app = crate::web::with_pages(
        crate::api::router(Arc::clone(&engine), limits),
        Arc::clone(&engine),
        limits,
    );
    let (asked, asked_rx) = watch::channel(false);
    let signal = tokio::spawn(async move {
        shutdown.await;
        asked.send_replace(true);
    });
    let mut graceful = asked_rx.clone();
    let mut bound = asked_rx;
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        graceful.wait_for(|asked| *asked).await.ok();
        tracing::info!("no new connections; finishing the requests in flight");
    });
    // In-flight requests get a bound to finish in; a request still running after it is cut
    // off, which is safe: every write either committed or rolled back.
    let served = tokio::select! {
        served = serving => served.context("serving HTTP"),
        _ = async {
            bound.wait_for(|asked| *asked).await.ok();
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!(grace_secs = SHUTDOWN_GRACE.as_secs(), "requests still in flight after the grace period were cut off");
            Ok(())
        }
    };
    signal.abort();
    stop.send_replace(true);
    while background.join_next().await.is_some() {}
    if let Err(e) = engine.catch_up().await {
        tracing::error!(error = %e, "the last index catch-up failed; the next start repeats it");
    }
    engine.store().close().await;
    tracing::info!("stopped");
    served
}

/// How long in-flight requests may take to finish once a stop is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Resolves on Ctrl-C or SIGTERM, the signals an operator or a service manager stops with.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
