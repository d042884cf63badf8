//! Platsbanken ads in through `POST /v1/openings/import` and `jobmatch import-ads` /
//! `sync-ads`: every field visible through the API, re-imports and the change feed idempotent,
//! each record reported, removed ads out of suggestions and search at once.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::Value;

use crate::cli::jobmatch;
use crate::helpers::*;

fn sample() -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ads/sample_ads.jsonl"),
    )
    .unwrap()
}

fn reference(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/jobtech_ads")
        .join(name);
    let text = std::fs::read_to_string(&path).ok();
    if text.is_none() {
        eprintln!("skipped the real ads: {} is absent", path.display());
    }
    text
}

async fn import(app: &TestApp, body: &str, query: &str) -> Value {
    let r = app
        .post_raw(
            &format!("/v1/openings/import{query}"),
            body,
            "application/x-ndjson",
        )
        .await;
    let status = r.status();
    let answer: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn counts(answer: &Value) -> [u64; 5] {
    let s = &answer["summary"];
    ["created", "updated", "closed", "unchanged", "rejected"].map(|k| s[k].as_u64().unwrap())
}

async fn ads_import_over_the_api_idempotently_with_every_field_visible() {
    let app = spawn_app().await;
    let answer = import(&app, &sample(), "?report=full").await;
    assert_eq!(counts(&answer), [2, 0, 0, 1, 2], "{answer}");
    let records = answer["records"].as_array().unwrap();
    assert_eq!(records.len(), 5);
    assert_eq!(
        records[2]["outcome"], "unchanged",
        "a removed ad never seen writes nothing"
    );
    assert_eq!(records[3]["outcome"], "rejected");
    assert_eq!(records[3]["line"], 4);
    assert_eq!(records[3]["external_id"], "90000004");
    assert!(
        records[3]["reason"]
            .as_str()
            .unwrap()
            .contains("coordinates")
    );
    assert_eq!(records[4]["code"], "missing_field");
    let lager = records[0]["opening_id"].as_i64().unwrap();

    let o = app.get_json(&format!("/v1/openings/{lager}")).await;
    assert_eq!(o["title"], "Lagerarbetare till Årsta");
    assert_eq!(o["occupation"]["code"], "4322");
    assert_eq!(o["places"], 2);
    assert_eq!(o["deadline"], "2099-12-31");
    assert_eq!(o["municipality_code"], "0180");
    assert!(
        (o["location"]["lat"].as_f64().unwrap() - 59.2986).abs() < 1e-9,
        "{o}"
    );
    assert_eq!(o["licences"][0]["label"], "B");
    assert_eq!(o["swedish_min"], "B1");
    assert_eq!(o["swedish_required"], true);
    assert_eq!(o["source"]["system"], "platsbanken");
    assert_eq!(o["source"]["external_id"], "90000001");
    assert_eq!(
        o["source"]["webpage_url"],
        "https://arbetsformedlingen.se/platsbanken/annonser/90000001"
    );
    assert_eq!(
        o["source"]["application"]["url"],
        "https://example.se/jobb/1"
    );
    assert_eq!(o["source"]["languages_merit"][0]["label"], "Engelska");
    assert_eq!(o["source"]["swedish"]["listed"], "must_have");
    assert_eq!(o["source"]["skills_inferred"], true);
    let employer = app
        .get_json(&format!("/v1/employers/{}", o["employer_id"]))
        .await;
    assert_eq!(employer["org_number"], "5566778899");

    // The same file again changes nothing; searching finds the ads once.
    let again = import(&app, &sample(), "").await;
    assert_eq!(counts(&again), [0, 0, 0, 3, 2], "{again}");
    assert_eq!(
        again["records"].as_array().unwrap().len(),
        2,
        "rejected records only"
    );
    let hits = app.get_json("/v1/openings?q=lokalv%C3%A5rdare").await;
    assert_eq!(hits["total"], 1, "{hits}");

    // A change updates in place, a removal closes and leaves search at once.
    let changed = sample()
        .replace("\"number_of_vacancies\": 2", "\"number_of_vacancies\": 3")
        .replace(
            "{\"id\": \"90000002\", \"headline\"",
            "{\"id\": \"90000002\", \"removed\": true, \"headline\"",
        );
    let third = import(&app, &changed, "").await;
    assert_eq!(counts(&third), [0, 1, 1, 1, 2], "{third}");
    assert_eq!(
        app.get_json(&format!("/v1/openings/{lager}")).await["places"],
        3
    );
    let hits = app.get_json("/v1/openings?q=lokalv%C3%A5rdare").await;
    assert_eq!(hits["total"], 0, "{hits}");
    assert_eq!(app.status().await["openings"], 2);

    // A participant the warehouse ad fits gets it first; removed, it leaves at once.
    let p = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let url = format!("/v1/participants/{p}/suggestions");
    let s = app.get_json(&url).await;
    assert_eq!(s["suggestions"][0]["opening_id"], lager, "{s}");
    // The ad listed no skills: the evidence says its skills were read from its text.
    assert_eq!(
        s["suggestions"][0]["evidence"]["opening_skills_inferred"], true,
        "{s}"
    );
    let gone = import(&app, r#"{"id": "90000001", "removed": true}"#, "").await;
    assert_eq!(counts(&gone), [0, 0, 1, 0, 0], "{gone}");
    let s = app.get_json(&url).await;
    assert!(
        s["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["opening_id"] != lager),
        "{s}"
    );
    app.stop().await;
}

async fn the_real_ads_import_in_their_elasticsearch_and_jobsearch_shapes() {
    let app = spawn_app().await;
    for (name, ids) in [
        (
            "elastic-importers_platsannonser_expected_after_conversion.json",
            vec!["22884504"],
        ),
        (
            "sokannonser_platsannons_results_eng.json",
            vec!["23174210", "23187561"],
        ),
    ] {
        let Some(text) = reference(name) else {
            return;
        };
        let answer = import(&app, &text, "?report=full").await;
        let got: Vec<&str> = answer["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert_eq!(r["outcome"], "created", "{name}: {r}");
                r["external_id"].as_str().unwrap()
            })
            .collect();
        assert_eq!(got, ids, "{name}");
    }
    let hits = app.get_json("/v1/openings?q=trafikledare").await;
    let id = hits["openings"][0]["opening_id"].as_i64().expect("found");
    let o = app.get_json(&format!("/v1/openings/{id}")).await;
    assert_eq!(o["occupation"]["code"], "4323");
    assert_eq!(o["licences"][0]["label"], "D");
    assert_eq!(
        o["source"]["occupation_name"]["label"],
        "Trafikledare, vägtrafik"
    );
    assert_eq!(o["source"]["languages_required"][0]["label"], "Engelska");
    assert_eq!(o["swedish_min"], "B2");
    assert!(
        o["source"]["swedish"]["phrase"]
            .as_str()
            .unwrap()
            .contains("Svenska")
    );

    app.stop().await;
}

async fn a_body_that_stops_being_json_is_refused_after_what_was_applied() {
    let app = spawn_app().await;
    let body =
        r#"[{"id": "1", "headline": "Lager", "employer": {"name": "E"}}, {"id": "2", "headl"#;
    let r = app
        .post_raw("/v1/openings/import", body, "application/json")
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let err = &body["error"];
    assert_eq!(err["code"], "malformed_json");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("the 1 records before it"),
        "{err}"
    );
    assert_eq!(app.status().await["openings"], 1);
    // A coach may not import.
    let r = app
        .client
        .post(app.url("/v1/openings/import"))
        .bearer_auth(&app.coach)
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

fn run(args: &[&str], data: &Path) -> (bool, String, String) {
    let out = jobmatch()
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn import_ads_and_sync_ads_report_and_remember_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("ads.jsonl");
    let report = dir.path().join("report.jsonl");
    std::fs::write(&file, sample()).unwrap();
    let f = file.to_str().unwrap();
    let (ok, out, err) = run(
        &["import-ads", f, "--report", report.to_str().unwrap()],
        &data,
    );
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 1, "one summary line: {out}");
    assert!(
        out.contains("5 records: 2 created, 0 updated, 0 closed, 1 unchanged, 2 rejected"),
        "{out}"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[3]["outcome"], "rejected");
    assert_eq!(lines[3]["position"], 4);

    // No time given and none recorded: refused, nothing applied.
    let (ok, _, err) = run(&["sync-ads", f], &data);
    assert!(!ok && err.contains("no --since"), "{err}");

    // The change feed: 90000001 removed. The recorded time is the feed's latest change.
    let feed = dir.path().join("feed.json");
    std::fs::write(
        &feed,
        r#"[{"id": "90000001", "removed": true, "timestamp": 1796083200000}]"#,
    )
    .unwrap();
    let feed = feed.to_str().unwrap();
    let (ok, out, err) = run(&["sync-ads", "--since", "2026-11-30", feed], &data);
    assert!(ok, "{err}");
    assert!(
        out.contains("1 closed") && out.contains("applied to 2026-12-01T00:00:00+00:00"),
        "{out}"
    );
    // Again, from the recorded time: idempotent.
    let (ok, out, err) = run(&["sync-ads", feed], &data);
    assert!(ok, "{err}");
    assert!(out.contains("1 unchanged"), "{out}");
    // A feed starting after the recorded time would skip changes: refused.
    let (ok, _, err) = run(
        &["sync-ads", "--since", "2026-12-24T00:00:00Z", feed],
        &data,
    );
    assert!(!ok && err.contains("would be lost"), "{err}");

    let app = spawn_app_in(&data).await;
    assert_eq!(app.status().await["open_openings"], 1);
    app.stop().await;
}

on_both_backends!(
    ads_import_over_the_api_idempotently_with_every_field_visible,
    the_real_ads_import_in_their_elasticsearch_and_jobsearch_shapes,
    a_body_that_stops_being_json_is_refused_after_what_was_applied,
    import_ads_and_sync_ads_report_and_remember_from_the_command_line,
);
