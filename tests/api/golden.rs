//! Golden ranking: a small hand-written data set (`fixtures/golden/import.json`) and the
//! expected top suggestions per participant (`fixtures/golden/expected.json`). A change to the
//! scoring shows up here as a readable diff; when it is intended, regenerate the file with
//! `JOBMATCH_BLESS=1 cargo test --test api golden` and review the diff before committing.

use serde_json::{Value, json};

use crate::helpers::*;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/golden/import.json");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/golden/expected.json");

async fn suggestions_match_the_golden_file() {
    let app = spawn_app().await;
    let file = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    app.import(&file).await;

    let mut actual = serde_json::Map::new();
    for pid in 1..=4 {
        let name = app.get_json(&format!("/v1/participants/{pid}")).await["name"].clone();
        let body = app
            .get_json(&format!(
                "/v1/participants/{pid}/suggestions?limit=5&include_excluded=true"
            ))
            .await;
        let line = |s: &Value| {
            let score = (s["score"].as_f64().unwrap() * 1000.0).round() / 1000.0;
            json!(format!("{score:.3}  {}", s["title"].as_str().unwrap()))
        };
        let excluded = |s: &Value| {
            json!(format!(
                "{}  ({})",
                s["title"].as_str().unwrap(),
                s["evidence"]["excluded"]["reason"].as_str().unwrap()
            ))
        };
        actual.insert(
            name.as_str().unwrap().to_owned(),
            json!({
                "top": body["suggestions"].as_array().unwrap().iter().map(line).collect::<Vec<_>>(),
                "excluded": body["excluded"].as_array().unwrap().iter().map(excluded).collect::<Vec<_>>(),
            }),
        );
    }
    let actual = serde_json::to_string_pretty(&Value::Object(actual)).unwrap() + "\n";
    if std::env::var_os("JOBMATCH_BLESS").is_some() {
        std::fs::write(EXPECTED, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(EXPECTED)
        .expect("fixtures/golden/expected.json exists; create it with JOBMATCH_BLESS=1");
    assert_eq!(actual, expected, "rankings changed; see the module docs");
}

on_both_backends!(suggestions_match_the_golden_file,);
