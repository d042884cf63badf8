//! `GET /v1/participants/{id}/gaps`: the single changes that would open the most doors, each
//! measured against every open opening, most doors first.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn gap<'a>(gaps: &'a Value, kind: &str) -> &'a Value {
    gaps["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["change"]["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {gaps}"))
}

async fn the_change_that_opens_most_doors_comes_first() {
    let app = spawn_app().await;
    let employer = app.employer("Centrallagret AB").await;
    // Three warehouse openings need a truck licence, one needs B2 Swedish strictly, one needs
    // neither.
    for i in 0..3 {
        let mut o = warehouse_opening(employer);
        o["title"] = json!(format!("Truckförare {i}"));
        o["licences"] = json!(["truckkort"]);
        app.post_ok("/v1/openings", &o).await;
    }
    let mut strict = warehouse_opening(employer);
    strict["swedish_min"] = json!("B2");
    strict["swedish_required"] = json!(true);
    app.post_ok("/v1/openings", &strict).await;
    app.post_ok("/v1/openings", &warehouse_opening(employer))
        .await;

    let mut body = participant_body();
    body["skills"] = json!(["lagerarbete"]);
    body["licences"] = json!([]);
    body["swedish_level"] = json!("B1");
    body["hours"] = json!("part");
    let id = app.post_ok("/v1/participants", &body).await["id"]
        .as_i64()
        .unwrap();

    let gaps = app.get_json(&format!("/v1/participants/{id}/gaps")).await;
    assert_eq!(gaps["passing"], 1, "{gaps}");
    let licence = gap(&gaps, "licence");
    assert_eq!(licence["more_openings"], 3, "{gaps}");
    assert_eq!(licence["asked_by"], 3);
    // Named as the licence, not by the certificate's longer skill label.
    assert_eq!(licence["change"]["id"], "CiMi_7ax_tXs", "{licence}");
    assert_eq!(
        licence["sentence"]["sv"], "ta Truckkort (TLP 10)",
        "{licence}"
    );
    // The suggestions' evidence names the missing certificate the same way.
    let suggested = app
        .get_json(&format!(
            "/v1/participants/{id}/suggestions?include_excluded=true"
        ))
        .await;
    let missing: Vec<&Value> = suggested["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["evidence"]["excluded"]["reason"] == "missing_licence")
        .map(|s| &s["evidence"]["licences_missing"][0]["label"])
        .collect();
    assert_eq!(missing.len(), 3, "{suggested}");
    assert!(
        missing.iter().all(|l| *l == "Truckkort (TLP 10)"),
        "{missing:?}"
    );
    let swedish = gap(&gaps, "swedish");
    assert_eq!(
        (&swedish["change"]["from"], &swedish["change"]["to"]),
        (&json!("B1"), &json!("B2"))
    );
    assert_eq!(swedish["more_openings"], 1);
    assert!(
        swedish["best_five_after"].as_f64().unwrap()
            > swedish["best_five_before"].as_f64().unwrap()
    );
    gap(&gaps, "travel");
    gap(&gaps, "full_time");
    // Most doors first, and the first is the plan.
    let doors: Vec<i64> = gaps["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["more_openings"].as_i64().unwrap())
        .collect();
    assert!(doors.windows(2).all(|w| w[0] >= w[1]), "{doors:?}");
    assert_eq!(gaps["plan"], gaps["gaps"][0]);
    assert_eq!(gaps["plan"]["change"]["type"], "licence");

    // A truck certificate listed among the skills is held as the hard rule holds it: the
    // openings asking for it pass, and it is not offered again.
    body["skills"] = json!(["lagerarbete", "Truckkörkort"]);
    let holder = app.post_ok("/v1/participants", &body).await["id"]
        .as_i64()
        .unwrap();
    let theirs = app
        .get_json(&format!("/v1/participants/{holder}/gaps"))
        .await;
    assert_eq!(theirs["passing"], 4, "{theirs}");
    assert!(
        theirs["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["change"]["id"] != "CiMi_7ax_tXs"),
        "{theirs}"
    );

    // Another coach's participant does not exist for this one.
    let (_, other) = app.token(jobmatch::model::Role::Coach, None).await;
    let r = app
        .send(
            reqwest::Method::GET,
            &format!("/v1/participants/{id}/gaps"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The stored profile is unchanged.
    let after = app.get_json(&format!("/v1/participants/{id}")).await;
    assert_eq!(after["swedish_level"], "B1");
    app.stop().await;
}

on_both_backends!(the_change_that_opens_most_doors_comes_first);
