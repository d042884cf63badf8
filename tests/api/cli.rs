//! The binary itself: `demo`, `import` and `reindex` as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;

use crate::helpers::*;

/// The binary, on this test's database backend.
pub(crate) fn jobmatch() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jobmatch"));
    command.envs(backend_env());
    command
}

/// Runs `jobmatch ARGS --data-dir DATA` and returns its standard output, failing the test
/// with its standard error if it fails.
pub(crate) fn run_ok<S: AsRef<std::ffi::OsStr>>(
    data: &Path,
    args: impl IntoIterator<Item = S>,
) -> String {
    let out = jobmatch()
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `jobmatch import` and returns its report, failing the test if the command fails.
fn import(data: &Path, file: &Path) -> serde_json::Value {
    let out = import_output(data, file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn import_output(data: &Path, file: &Path) -> Output {
    jobmatch()
        .arg("import")
        .arg("--data-dir")
        .arg(data)
        .arg(file)
        .output()
        .unwrap()
}

async fn demo_import_and_reindex_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("demo.json");

    let out = jobmatch().args(["demo", "--seed", "7"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&file, &out.stdout).unwrap();
    let demo: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let openings = demo["openings"].as_array().unwrap().len();
    assert!(openings >= 300);

    let report = import(&data, &file);
    assert_eq!(report["openings"].as_u64().unwrap() as usize, openings);

    assert!(
        !data.join("index").exists(),
        "import writes the database only"
    );
    let out = jobmatch()
        .arg("reindex")
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("reindexed {openings} open openings")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let app = spawn_app_in(&data).await;
    let status = app.status().await;
    assert_eq!(status["openings"].as_u64().unwrap() as usize, openings);
    assert_eq!(
        status["indexed_openings"].as_u64().unwrap() as usize,
        openings
    );
    assert_eq!(status["index_lag"], 0);
}

async fn a_bad_import_file_is_refused_whole_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("bad.json");
    let mut demo = serde_json::to_value(jobmatch::demo::generate(
        &jobmatch::taxonomy::Taxonomy::embedded().unwrap(),
        1,
        chrono::Utc::now().date_naive(),
    ))
    .unwrap();
    demo["openings"][5]["swedish_min"] = serde_json::json!("SFI E");
    std::fs::write(&file, demo.to_string()).unwrap();

    let out = import_output(&data, &file);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("openings[5]") && stderr.contains("SFI E"),
        "{stderr}"
    );

    let app = spawn_app_in(&data).await;
    let status = app.status().await;
    assert_eq!(
        (status["employers"].as_i64(), status["openings"].as_i64()),
        (Some(0), Some(0))
    );

    std::fs::write(&file, "{not json").unwrap();
    let out = import_output(&data, &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parsing"));
}

async fn import_beside_a_running_server_reaches_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("demo.json");
    let app = spawn_app_in(&data).await;
    let out = jobmatch().args(["demo", "--seed", "3"]).output().unwrap();
    std::fs::write(&file, &out.stdout).unwrap();

    let report = import(&data, &file);
    let openings = report["openings"].as_u64().unwrap();

    let mut status = app.status().await;
    for _ in 0..100 {
        if status["index_lag"] == 0 && status["indexed_openings"].as_u64() == Some(openings) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = app.status().await;
    }
    assert_eq!(status["openings"].as_u64(), Some(openings));
    assert_eq!(
        status["indexed_openings"].as_u64(),
        Some(openings),
        "{status}"
    );
    let hits = app.get_json("/v1/openings?q=praktik").await;
    assert!(hits["total"].as_u64().unwrap() > 0);
}

/// Creates an employer on a server started by [`serve_binary`] and returns its id.
pub(crate) async fn create_employer(
    client: &reqwest::Client,
    addr: &str,
    token: &str,
    name: &str,
) -> i64 {
    let created = client
        .post(format!("http://{addr}/v1/employers"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let employer: serde_json::Value = created.json().await.unwrap();
    employer["id"].as_i64().unwrap()
}

async fn sigterm_during_an_import_leaves_all_of_it_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = jobmatch().args(["demo"]).output().unwrap();
    assert!(out.status.success());
    let mut file: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let openings = file["openings"].as_array().unwrap().clone();
    for _ in 1..40 {
        file["openings"]
            .as_array_mut()
            .unwrap()
            .extend(openings.iter().cloned());
    }
    let expected = file["openings"].as_array().unwrap().len() as i64;
    let path = dir.path().join("big.json");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();

    // Terminated at several moments: before, during and (last) after the write.
    let mut outcomes = Vec::new();
    for delay_ms in [150, 400, 800, 1500, 20_000] {
        let mut child = jobmatch()
            .arg("import")
            .arg("--data-dir")
            .arg(&data)
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(delay_ms) {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // The import may have finished already; then there is nothing to signal.
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let store = data_args(&data).store().await.unwrap();
        let counts = store.counts().await.unwrap();
        store.close().await;
        outcomes.push((delay_ms, status.success(), counts.openings));
        // Each import adds all of its openings or none of them.
        assert_eq!(
            counts.openings % expected,
            0,
            "a half-written import after SIGTERM at {delay_ms} ms: {outcomes:?}"
        );
    }
    let (_, finished, stored) = outcomes.last().copied().unwrap();
    assert!(finished && stored >= expected, "{outcomes:?}");
    println!("SIGTERM during import ({expected} openings each): {outcomes:?}");
}

/// Starts `jobmatch serve` on a free port and returns the child and its address, read from
/// the log line that announces it.
pub(crate) fn serve_binary(
    data: &Path,
) -> (std::process::Child, String, std::thread::JoinHandle<String>) {
    serve_binary_with(data, &[])
}

fn serve_binary_with(
    data: &Path,
    extra: &[&str],
) -> (std::process::Child, String, std::thread::JoinHandle<String>) {
    use std::io::BufRead as _;
    let mut child = jobmatch()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .stdout(std::process::Stdio::null())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server announces its address")
            .unwrap();
        if let Some(rest) = line.split("addr=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keeps draining the log so the server never blocks on a full pipe.
    let rest =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    (child, addr, rest)
}

async fn sigterm_stops_the_server_gracefully_with_exit_code_0() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, addr, log) = serve_binary(&data);
    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    // A token made beside the running server works at once.
    let token = token_create(&data, &["--role", "matcher"]);
    let employer = create_employer(&client, &addr, &token, "Signal AB").await;
    let opening = client
        .post(format!("http://{addr}/v1/openings"))
        .bearer_auth(&token)
        .json(&warehouse_opening(employer))
        .send()
        .await
        .unwrap();
    assert_eq!(opening.status(), reqwest::StatusCode::CREATED);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let log = log.join().unwrap();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );

    // The index was committed and released: a new server opens it without a rebuild.
    let app = spawn_app_in(&data).await;
    let status = app.status().await;
    assert_eq!(status["indexed_openings"], 1);
    assert_eq!(status["index_lag"], 0);
    app.stop().await;
}

/// Runs `jobmatch token create` with `args` and returns the token it printed.
pub(crate) fn token_create(data: &Path, args: &[&str]) -> String {
    let out = jobmatch()
        .args(["token", "create", "--data-dir"])
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
    assert!(line["user_id"].as_i64().is_some(), "{line}");
    line["token"].as_str().expect("token").to_owned()
}

async fn tokens_made_and_revoked_beside_a_running_server_take_effect_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = spawn_app_in(&data).await;
    let employer = app.employer("Token AB").await;

    let coach = token_create(&data, &["--role", "coach", "--name", "Coach Ceder"]);
    assert!(coach.starts_with("jm_") && coach.len() > 32 + 3, "{coach}");
    let ok = app
        .send(reqwest::Method::GET, "/v1/status", Some(&coach), None)
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    // An employer's token needs the employer, and another token for the same user works too.
    let out = jobmatch()
        .args(["token", "create", "--role", "employer", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "an employer's token without --employer is refused"
    );
    let first = token_create(
        &data,
        &["--role", "employer", "--employer", &employer.to_string()],
    );
    let listed = jobmatch()
        .args(["token", "list", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap()
        .stdout;
    let last = listed
        .split(|b| *b == b'\n')
        .rfind(|l| !l.is_empty())
        .unwrap();
    let user: serde_json::Value = serde_json::from_slice(last).unwrap();
    assert_eq!(user["role"], "employer");
    let second = token_create(
        &data,
        &["--role", "employer", "--user", &user["user_id"].to_string()],
    );
    assert_ne!(first, second);

    // The list never prints a token.
    let list = jobmatch()
        .args(["token", "list", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success());
    for t in [&coach, &first, &second] {
        assert!(!listed.contains(t.as_str()), "a token is listed: {listed}");
    }
    assert!(listed.contains("Coach Ceder"), "{listed}");

    // Revoked beside the server: refused on the next request.
    let out = jobmatch()
        .args(["token", "revoke", "--data-dir"])
        .arg(&data)
        .arg(&coach)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refused = app
        .send(reqwest::Method::GET, "/v1/status", Some(&coach), None)
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key("www-authenticate"));
    let out = jobmatch()
        .args(["token", "revoke", "--data-dir"])
        .arg(&data)
        .arg(&coach)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a token is revoked once");
}

async fn the_demo_hands_out_one_working_token_per_role_kept_for_its_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, addr, log) = serve_binary_with(&data, &["--demo"]);
    let file = data.join(jobmatch::startup::DEMO_TOKENS);
    let text = std::fs::read_to_string(&file).expect("the demo keeps its tokens");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only: {mode:o}");
    }
    let tokens: std::collections::BTreeMap<String, String> = text
        .lines()
        .map(|l| {
            assert!(l.starts_with("{\"user_id\":"), "{l}");
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["role"].as_str().unwrap().to_owned(),
                v["token"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let roles: Vec<&str> = tokens.keys().map(String::as_str).collect();
    assert_eq!(roles, ["admin", "coach", "employer", "matcher"]);
    let client = reqwest::Client::new();
    let get = |path: &str, role: &str| {
        client
            .get(format!("http://{addr}{path}"))
            .bearer_auth(&tokens[role])
            .send()
    };
    // The demo participants are on the demo coach's caseload.
    let r = get("/v1/participants/1/suggestions?limit=3", "coach")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        get("/v1/status", "matcher").await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        get("/v1/status", "employer").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get("/v1/audit", "admin").await.unwrap().status(),
        StatusCode::OK
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let log = log.join().unwrap();
    for token in tokens.values() {
        assert!(!log.contains(token.as_str()), "a token reached the log");
    }
}

on_both_backends!(
    sigterm_during_an_import_leaves_all_of_it_or_none,
    demo_import_and_reindex_work_from_the_command_line,
    a_bad_import_file_is_refused_whole_and_names_the_problem,
    import_beside_a_running_server_reaches_its_index,
    sigterm_stops_the_server_gracefully_with_exit_code_0,
    tokens_made_and_revoked_beside_a_running_server_take_effect_at_once,
    the_demo_hands_out_one_working_token_per_role_kept_for_its_owner_only,
);

/// `jobmatch eval` needs no database: it builds its labelled set from the embedded data.
#[test]
fn eval_reports_the_shipped_tuned_profile_against_the_built_in_one_and_a_search_box() {
    let dir = tempfile::tempdir().unwrap();
    let tuned = dir.path().join("tuned.json");
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/profiles/default-tuned-v3.json"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_jobmatch"))
        .args([
            "eval",
            "--openings",
            "500",
            "--participants",
            "30",
            "--json",
        ])
        .args(["--profile", shipped, "--tune"])
        .arg(&tuned)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = report["rankers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bm25",
            "default",
            "default-tuned",
            "default-without-relations",
            "default-tuned"
        ]
    );
    let ndcg = |i: usize| report["rankers"][i]["held_out"]["ndcg10"].as_f64().unwrap();
    assert!(ndcg(1) > ndcg(0), "the product beats the search box");
    // What --tune wrote loads as a weight profile, as a unit would load it.
    let written: jobmatch::rank::WeightProfile =
        serde_json::from_str(&std::fs::read_to_string(&tuned).unwrap()).unwrap();
    written.validate().unwrap();
    assert_eq!(written.version, 3);

    let bad = Command::new(env!("CARGO_BIN_EXE_jobmatch"))
        .args(["eval", "--profile", "/nonexistent/profile.json"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("cannot read weight profile"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}
