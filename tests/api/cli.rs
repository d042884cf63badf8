//! The binary itself: `demo`, `import` and `reindex` as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

use crate::helpers::*;

fn jobmatch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jobmatch"))
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

#[tokio::test]
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
        String::from_utf8_lossy(&out.stdout).contains(&format!("reindexed {openings} openings")),
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

#[tokio::test]
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

#[tokio::test]
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
