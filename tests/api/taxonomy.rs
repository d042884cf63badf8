//! `jobmatch import-taxonomy` beside a running server: the new version is in force for
//! normalisation without a restart, stored openings and profiles keep their concept ids, and
//! importing the same files again stores nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cli::{jobmatch, run_ok};
use crate::helpers::*;

fn sample_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/jobtech_sample")
}

fn import_taxonomy(data: &Path, args: &[&str]) -> String {
    let mut all: Vec<std::ffi::OsString> = vec!["import-taxonomy".into()];
    all.extend(args.iter().map(Into::into));
    all.push(sample_dir().into());
    run_ok(data, all)
}

/// The concept id of each skill of a participant or opening view, `null` for free text.
fn skill_ids(view: &Value) -> Vec<Value> {
    view["skills"]
        .as_array()
        .or_else(|| view["skills_required"].as_array())
        .expect("skills")
        .iter()
        .map(|t| t["id"].clone())
        .collect()
}

/// The server's status once it has swapped in taxonomy `version`: it follows the outbox, so
/// this is a matter of its poll, bounded here by the follower's promise.
async fn status_at_version(app: &TestApp, version: i64) -> Value {
    let started = Instant::now();
    loop {
        let status = app.status().await;
        if status["taxonomy"]["version"] == version {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "version {version} not in force after 10 s: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_imported_taxonomy_is_in_force_without_a_restart() {
    let app = spawn_app().await;
    let before = app.status().await;
    assert_eq!(before["taxonomy"]["version"], 0, "{before}");
    assert_eq!(before["taxonomy"]["source"], Value::Null);
    let skills_before = before["taxonomy"]["skills"].as_u64().unwrap();

    let mut body = participant_body();
    body["skills"] = json!(["Kylteknik", "Drönarfotografering"]);
    let old = app.post_ok("/v1/participants", &body).await;
    assert_eq!(skill_ids(&old), [json!("11L4_Q2Z_8tM"), Value::Null]);

    let out = import_taxonomy(&app.data_dir, &[]);
    assert!(out.contains("(extend) stored and in force"), "{out}");
    assert!(out.contains("2 new, 1 relabelled"), "{out}");
    let version: i64 = out
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no version in {out}"));
    assert!(version > 0);

    let status = status_at_version(&app, version).await;
    assert_eq!(status["taxonomy"]["mode"], "extend");
    assert!(
        status["taxonomy"]["source"]
            .as_str()
            .unwrap()
            .ends_with("jobtech_sample"),
        "{status}"
    );
    assert_eq!(
        status["taxonomy"]["skills"].as_u64().unwrap(),
        skills_before + 2
    );

    // Normalisation uses the new version at once.
    let new = app.post_ok("/v1/participants", &body).await;
    assert_eq!(
        skill_ids(&new),
        [json!("11L4_Q2Z_8tM"), json!("jmS1_Drn_F01")]
    );
    // What was stored before keeps its concept ids, and free text stays as it was written.
    let id = old["id"].as_i64().unwrap();
    let reread = app.get_json(&format!("/v1/participants/{id}")).await;
    assert_eq!(skill_ids(&reread), [json!("11L4_Q2Z_8tM"), Value::Null]);
    let suggestions = app.get(&format!("/v1/participants/{id}/suggestions")).await;
    assert_eq!(suggestions.status(), reqwest::StatusCode::OK);

    // The same files again give the same taxonomy: nothing is stored.
    let again = import_taxonomy(&app.data_dir, &[]);
    assert!(
        again.starts_with(&format!("taxonomy unchanged: version {version} already is")),
        "{again}"
    );
    assert_eq!(app.status().await["taxonomy"]["version"], version);
    app.stop().await;
}

async fn a_restarted_server_and_the_import_commands_use_the_version_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = spawn_app_in(&data).await;
    app.stop().await;
    let out = import_taxonomy(&data, &["--mode", "replace"]);
    assert!(out.contains("(replace) stored and in force"), "{out}");
    assert!(
        out.contains("left out: 1 occupation names with no SSYK group"),
        "{out}"
    );

    let app = spawn_app_in(&data).await;
    let status = app.status().await;
    assert_eq!(status["taxonomy"]["mode"], "replace", "{status}");
    assert_eq!(status["taxonomy"]["skills"], 5);
    assert_eq!(status["taxonomy"]["occupation_groups"], 2);
    // An occupation the replacing version no longer has is refused, as any unknown one is.
    let mut body = participant_body();
    body["occupations"] = json!([{"code": "4322", "years": 2}]);
    let r = app.post("/v1/participants", &body).await;
    assert_eq!(
        error_code(r, reqwest::StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_occupation"
    );
    body["occupations"] = json!([{"code": "Drönarfotograf", "years": 1}]);
    body["skills"] = json!(["drönarfotografering"]);
    let created = app.post_ok("/v1/participants", &body).await;
    assert_eq!(skill_ids(&created), [json!("jmS1_Drn_F01")]);
    assert_eq!(created["occupations"][0]["occupation"]["code"], "3431");
    app.stop().await;
}

async fn a_directory_that_is_not_jobtech_s_is_refused_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = jobmatch()
        .arg("import-taxonomy")
        .arg("--data-dir")
        .arg(&data)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("concept-to-taxonomy.json"), "{err}");
    let app = spawn_app_in(&data).await;
    assert_eq!(app.status().await["taxonomy"]["version"], 0);
    app.stop().await;
}

/// The real files of `../shared/reference/`, when they are there: the shipped taxonomy is
/// derived from them, so importing them changes nothing.
async fn the_real_jobtech_files_give_the_shipped_taxonomy() {
    let reference =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/jobtech_taxonomy");
    if !reference.join("concept-to-taxonomy.json").is_file() {
        eprintln!("skipped: ../shared/reference/jobtech_taxonomy/ is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = jobmatch()
        .arg("import-taxonomy")
        .arg("--data-dir")
        .arg(dir.path())
        .arg(&reference)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("taxonomy unchanged: the taxonomy in force (no version imported yet)"),
        "{stdout}"
    );
    assert!(stdout.contains("5813 skills"), "{stdout}");
}

on_both_backends!(
    the_real_jobtech_files_give_the_shipped_taxonomy,
    an_imported_taxonomy_is_in_force_without_a_restart,
    a_restarted_server_and_the_import_commands_use_the_version_in_force,
    a_directory_that_is_not_jobtech_s_is_refused_and_stores_nothing,
);
