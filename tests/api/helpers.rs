use std::net::SocketAddr;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use jobmatch::api::dto::ImportFile;
use jobmatch::config::{DataSettings, Settings};
use jobmatch::model::Role;
use jobmatch::service::{Accounts, Engine};
use jobmatch::startup::Application;
use jobmatch::store::ScratchDatabase;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server on its own temporary data directory.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: Client,
    /// An admin's token, for what only an admin may do (the access log).
    pub admin: String,
    /// The coach whose caseload the participants these tests register land on.
    pub coach_id: i64,
    pub coach: String,
    /// A job matcher's token: openings, employers, candidates, search and status.
    pub matcher: String,
    pub engine: Arc<Engine>,
    pub data_dir: std::path::PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<anyhow::Result<()>>,
    _dir: Option<TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Starts the graceful stop; `stop()` is the way to wait for it.
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
    }
}

/// The database backend a test runs on. Every integration test runs once per backend
/// ([`on_both_backends!`]): on SQLite in its data directory, and on PostgreSQL in a scratch
/// database of its own on the server `JOBMATCH_TEST_POSTGRES` names, dropped after the test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pseudonym key every instance of a PostgreSQL test shares, as a shared deployment must.
pub const SHARED_SECRET: &str = "jobmatch-test-shared-pseudonym-key";

thread_local! {
    /// The scratch database of the PostgreSQL test running on this thread, if any. libtest
    /// runs each test on a thread of its own, so this is the test's; every server and command
    /// the test starts uses it, whichever data directory it is given.
    static DATABASE: std::cell::RefCell<Option<Rc<ScratchDatabase>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs a test body on `backend`; on PostgreSQL, in a new scratch database dropped after it
/// (also when the test fails: the thread's end drops it). Without `JOBMATCH_TEST_POSTGRES`
/// the PostgreSQL run says it skips; CI always sets it.
pub async fn on(backend: Backend, test: impl std::future::Future<Output = ()>) {
    if backend == Backend::Postgres {
        let Ok(server) = std::env::var("JOBMATCH_TEST_POSTGRES") else {
            eprintln!("JOBMATCH_TEST_POSTGRES is not set: skipping this test's PostgreSQL run");
            return;
        };
        let database = ScratchDatabase::create(&server)
            .await
            .expect("a scratch database on JOBMATCH_TEST_POSTGRES");
        DATABASE.with(|d| *d.borrow_mut() = Some(Rc::new(database)));
    }
    test.await;
    DATABASE.with(|d| d.borrow_mut().take());
}

/// The backend of the test running on this thread.
pub fn backend() -> Backend {
    if database_url().is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The backend of the test running on this thread, as `/v1/status` names it.
pub fn backend_name() -> &'static str {
    match backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The URL of this test's PostgreSQL database, `None` on SQLite.
pub fn database_url() -> Option<String> {
    DATABASE.with(|d| d.borrow().as_ref().map(|db| db.url().to_owned()))
}

/// The environment a `jobmatch` command needs to use this test's database: none on SQLite
/// (the file in its data directory); on PostgreSQL, the database URL and the shared key.
pub fn backend_env() -> Vec<(&'static str, String)> {
    match database_url() {
        Some(url) => vec![
            ("JOBMATCH_DATABASE_URL", url),
            ("JOBMATCH_SECRET", SHARED_SECRET.to_owned()),
        ],
        None => Vec::new(),
    }
}

/// Writes each listed test (an `async fn` without arguments, in the invoking module) as two
/// `#[tokio::test]`s, `sqlite::name` and `postgres::name`, each running it through [`on`].
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::helpers::on(crate::helpers::Backend::Sqlite, super::$name()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    crate::helpers::on(crate::helpers::Backend::Postgres, super::$name()).await
                }
            )*
        }
    };
}

/// The data settings of a command over `dir`, on this test's backend.
pub fn data_args(dir: &Path) -> DataSettings {
    let mut data = DataSettings::in_dir(dir);
    if let Some(url) = database_url() {
        data.database_url = Some(url);
        data.secret = Some(SHARED_SECRET.to_owned());
    }
    data
}

/// Starts the server on port 0 over a fresh data directory.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().to_path_buf();
    let mut app = spawn_app_in(&path).await;
    app._dir = Some(dir);
    app
}

/// Starts the server over an existing data directory (for restart tests).
pub async fn spawn_app_in(dir: &Path) -> TestApp {
    spawn_app_with(dir, |_| {}).await
}

/// Starts the server over `dir` with settings changed by `change`.
pub async fn spawn_app_with(dir: &Path, change: impl Fn(&mut Settings)) -> TestApp {
    // A server dropped without `stop()` lets go of the index a moment later.
    let mut attempt = 0;
    let app = loop {
        let mut settings = Settings::for_tests(dir);
        settings.data = data_args(dir);
        // Tests sign in wrongly on purpose, many times a minute.
        settings.sign_in_failures_per_minute = 10_000;
        change(&mut settings);
        match Application::build(settings).await {
            Ok(app) => break app,
            Err(e) if attempt < 20 => {
                attempt += 1;
                eprintln!("application not ready yet ({e:#}); retrying");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("application builds: {e:#}"),
        }
    };
    let addr = app.address();
    let engine = Arc::clone(app.engine());
    let accounts = Accounts::new(engine.store().clone());
    let issue = |role: Role| {
        let accounts = accounts.clone();
        async move {
            accounts
                .issue(role, &format!("test {}", role.as_str()), None, None)
                .await
                .expect("token")
        }
    };
    let admin = issue(Role::Admin).await.token;
    // After a restart the same coach comes back, so their caseload is still theirs.
    let earlier_coach = accounts
        .list()
        .await
        .expect("tokens")
        .into_iter()
        .find(|t| t.user.role == Role::Coach && t.user.name == "test coach")
        .map(|t| t.user.id);
    let coach = accounts
        .issue(Role::Coach, "test coach", None, earlier_coach)
        .await
        .expect("coach token");
    let matcher = issue(Role::Matcher).await.token;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        stopped.await.ok();
    }));
    let app = TestApp {
        addr,
        client: Client::new(),
        admin,
        coach_id: coach.user.id,
        coach: coach.token,
        matcher,
        engine,
        data_dir: dir.to_path_buf(),
        shutdown: Some(shutdown),
        server,
        _dir: None,
    };
    assert_eq!(
        app.status().await["database"],
        backend_name(),
        "the test's backend"
    );
    app
}

impl TestApp {
    /// Stops the server and waits until it has let go of the data directory.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        (&mut self.server)
            .await
            .expect("server task joins")
            .expect("server stops cleanly");
    }

    /// Imports a file in the fixtures' format straight through the engine.
    pub async fn import(&self, file: &ImportFile) -> jobmatch::store::ImportReport {
        let mut batch = file
            .to_batch(&self.engine.taxonomy())
            .expect("file understood");
        // On the test coach's caseload, so the coach's requests reach them.
        batch.coach_id = Some(self.coach_id);
        self.engine.import(&batch).await.expect("import")
    }

    /// A new user of `role` (an employer's bound to `employer`) and their token.
    pub async fn token(&self, role: Role, employer: Option<i64>) -> (i64, String) {
        let issued = Accounts::new(self.engine.store().clone())
            .issue(role, &format!("test {}", role.as_str()), employer, None)
            .await
            .expect("token");
        (issued.user.id, issued.token)
    }

    /// A request of any method, signed in with `token` (none when `None`). The shorthands
    /// below sign in as the role the route is for ([`TestApp::token_for`]).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let path = &read_your_writes(&method, path);
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    /// The token of the role a route is for: the coach for participants and `/v1/match`, the
    /// admin for the access log, the job matcher for everything else.
    pub fn token_for(&self, path: &str) -> &str {
        if path.starts_with("/v1/participants") || path.starts_with("/v1/match") {
            &self.coach
        } else if path.starts_with("/v1/audit") {
            &self.admin
        } else {
            &self.matcher
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A request as `token`, answering the status and the JSON body (`null` when there is none).
    pub async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let r = self.send(method, path, Some(token), body.as_ref()).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(reqwest::Method::GET, path, Some(self.token_for(path)), None)
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(
            reqwest::Method::POST,
            path,
            Some(self.token_for(path)),
            Some(body),
        )
        .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Response {
        self.send(
            reqwest::Method::PUT,
            path,
            Some(self.token_for(path)),
            Some(body),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.send(
            reqwest::Method::DELETE,
            path,
            Some(self.token_for(path)),
            None,
        )
        .await
    }

    pub async fn post_raw(&self, path: &str, body: &str, content_type: &str) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(self.token_for(path))
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .expect("request")
    }

    /// Posts and expects `status`, returning the JSON body.
    pub async fn post_ok(&self, path: &str, body: &Value) -> Value {
        let r = self.post(path, body).await;
        let status = r.status();
        let body: Value = r.json().await.expect("json body");
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
    }

    /// Posts as `token` and expects 201, returning the JSON body.
    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Value {
        let r = self
            .send(reqwest::Method::POST, path, Some(token), Some(body))
            .await;
        let status = r.status();
        let body: Value = r.json().await.expect("json body");
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        let status = r.status();
        let body: Value = r.json().await.expect("json body");
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    pub async fn employer(&self, name: &str) -> i64 {
        self.post_ok(
            "/v1/employers",
            &json!({"name": name, "municipality_code": "0180"}),
        )
        .await["id"]
            .as_i64()
            .expect("employer id")
    }

    /// The status once the index is in service: a start over a missing or damaged index
    /// rebuilds it in the background, answering 503 for search meanwhile.
    pub async fn ready_status(&self) -> Value {
        let started = std::time::Instant::now();
        loop {
            let status = self.status().await;
            if status["index_ready"] == true {
                return status;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the index was not rebuilt within 60 s: {status}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub async fn status(&self) -> Value {
        self.get_json("/v1/status").await
    }
}

/// Tests read their own writes at once, so their writes to what matching reads ask to answer
/// once searchable, as any such caller must; `without_wait` tests the default.
fn read_your_writes(method: &reqwest::Method, path: &str) -> String {
    let indexed = path.starts_with("/v1/openings")
        || path.starts_with("/v1/participants")
        || path.starts_with("/v1/placements");
    if *method == reqwest::Method::GET || !indexed || path.contains("wait=") {
        return path.to_owned();
    }
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}wait=indexed")
}

/// The error body's code, after checking the status.
pub async fn error_code(r: Response, status: StatusCode) -> String {
    let got = r.status();
    let body: Value = r.json().await.expect("error body is JSON");
    assert_eq!(got, status, "{body}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(!message.is_empty());
    body["error"]["code"].as_str().expect("code").to_owned()
}

/// A warehouse vacancy in Stockholm needing truck licence and warehouse skills.
pub fn warehouse_opening(employer_id: i64) -> Value {
    json!({
        "employer_id": employer_id,
        "kind": "vacancy",
        "title": "Lagerarbetare till centrallager",
        "description": "Vi söker lagerarbetare för plock och pack på vårt lager i Stockholm.",
        "occupation": "4322",
        "skills_required": ["lagerarbete", "truckkort"],
        "skills_merit": ["Kundtjänst"],
        "swedish_min": "SFI C",
        "municipality_code": "0180",
        "places": 2,
        "start_date": "2027-01-10",
        "hours": "full",
        "employment_form": "nystartsjobb"
    })
}

/// A cleaning internship in Solna.
pub fn cleaning_internship(employer_id: i64) -> Value {
    json!({
        "employer_id": employer_id,
        "kind": "internship",
        "title": "Praktik som städare",
        "description": "Praktikplats inom städning av kontor. Handledare finns.",
        "occupation": "9111",
        "skills_required": ["städning"],
        "swedish_min": "SFI B",
        "municipality_code": "0184",
        "places": 1,
        "supervisor": true
    })
}

pub fn participant_body() -> Value {
    json!({
        "name": "Amina Hassan",
        "personal_number": "19900101-1234",
        "skills": ["Lagerarbetare", "Truckkörkort"],
        "occupations": [{"code": "4322", "years": 2}],
        "swedish_level": "SFI D",
        "municipality_code": "0180",
        "max_travel_km": 30,
        "licences": ["B"],
        "available_from": "2027-01-01",
        "hours": "any",
        "priority_groups": ["parent"]
    })
}
