use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// Counts that bad input must leave unchanged.
async fn counts(app: &TestApp) -> (Value, Value, Value) {
    let s = app.status().await;
    (
        s["employers"].clone(),
        s["openings"].clone(),
        s["participants"].clone(),
    )
}

async fn every_bad_input_gets_a_clear_error_and_writes_nothing() {
    let app = spawn_app().await;
    let employer = app.employer("Fel AB").await;
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;
    let oid = opening["id"].as_i64().unwrap();
    let pid = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let before = counts(&app).await;
    let head_before = app.status().await["outbox_head"].clone();

    // Malformed JSON.
    let r = app
        .post_raw("/v1/openings", "{\"title\": ", "application/json")
        .await;
    assert_eq!(
        error_code(r, StatusCode::BAD_REQUEST).await,
        "malformed_json"
    );
    // Not JSON at all.
    let r = app.post_raw("/v1/openings", "title=x", "text/plain").await;
    assert_eq!(
        error_code(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await,
        "unsupported_media_type"
    );
    // Missing field.
    let r = app
        .post(
            "/v1/openings",
            &json!({"employer_id": employer, "kind": "vacancy"}),
        )
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    // Wrong type.
    let mut bad = warehouse_opening(employer);
    bad["places"] = json!("two");
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    // Unknown kind.
    let mut bad = warehouse_opening(employer);
    bad["kind"] = json!("apprenticeship");
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    // Negative places.
    let mut bad = warehouse_opening(employer);
    bad["places"] = json!(-1);
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_places"
    );
    // Unknown Swedish level, with the accepted forms in the message.
    let mut bad = warehouse_opening(employer);
    bad["swedish_min"] = json!("SFI E");
    let r = app.post("/v1/openings", &bad).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_swedish_level");
    assert_eq!(body["error"]["field"], "swedish_min");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("SFI A"),
        "{body}"
    );
    // Unknown municipality.
    let mut bad = warehouse_opening(employer);
    bad["municipality_code"] = json!("9999");
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_municipality"
    );
    // Unknown employer.
    let r = app
        .post("/v1/openings", &warehouse_opening(employer + 1000))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_employer"
    );
    // Unknown occupation and licence.
    let mut bad = warehouse_opening(employer);
    bad["occupation"] = json!("0000");
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_occupation"
    );
    let mut bad = warehouse_opening(employer);
    bad["licences"] = json!(["Z9"]);
    let r = app.post("/v1/openings", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_licence"
    );
    // Bad participant: unknown level and a negative travel limit.
    let mut bad = participant_body();
    bad["swedish_level"] = json!("fluent-ish");
    let r = app.post("/v1/participants", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_swedish_level"
    );
    let mut bad = participant_body();
    bad["max_travel_km"] = json!(-5);
    let r = app.post("/v1/participants", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_field"
    );
    // A misspelt field is refused, not silently dropped, for participants and ad-hoc profiles.
    let mut bad = participant_body();
    bad["swedish"] = json!("B1");
    let r = app.post("/v1/participants", &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    let r = app
        .post(
            "/v1/match",
            &json!({"skills": ["städning"], "swedish": "B1"}),
        )
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_body"
    );
    let r = app
        .post("/v1/match", &json!({"swedish_level": "SFI E"}))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_swedish_level"
    );
    // A bad participant update leaves the stored participant as it was.
    let mut bad = participant_body();
    bad["municipality_code"] = json!("0000");
    let r = app.put(&format!("/v1/participants/{pid}"), &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "unknown_municipality"
    );
    assert_eq!(
        app.get_json(&format!("/v1/participants/{pid}")).await["municipality_code"],
        "0180"
    );
    // Unknown query parameters are refused rather than ignored.
    let r = app.get("/v1/openings?municipality_code=0180").await;
    assert_eq!(
        error_code(r, StatusCode::BAD_REQUEST).await,
        "invalid_parameter"
    );
    // A bad update leaves the stored opening as it was.
    let mut bad = warehouse_opening(employer);
    bad["title"] = json!("");
    let r = app.put(&format!("/v1/openings/{oid}"), &bad).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_field"
    );
    assert_eq!(
        app.get_json(&format!("/v1/openings/{oid}")).await["title"],
        opening["title"]
    );
    // Unknown ids.
    for path in [
        "/v1/openings/999999".to_owned(),
        "/v1/participants/999999".to_owned(),
        "/v1/employers/999999".to_owned(),
        "/v1/participants/999999/suggestions".to_owned(),
        "/v1/openings/999999/candidates".to_owned(),
        "/v1/openings/not-a-number".to_owned(),
    ] {
        assert_eq!(
            error_code(app.get(&path).await, StatusCode::NOT_FOUND).await,
            "not_found",
            "{path}"
        );
    }
    let r = app
        .put(
            &format!("/v1/openings/{}", oid + 1000),
            &warehouse_opening(employer),
        )
        .await;
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
    assert_eq!(
        error_code(
            app.delete("/v1/participants/999999").await,
            StatusCode::NOT_FOUND
        )
        .await,
        "not_found"
    );
    // What a person types is never a 400: text the syntax cannot read is searched as words.
    for q in ["title%3A%28", "AND%20OR%20NOT", "%22unclosed"] {
        let r = app.get(&format!("/v1/openings?q={q}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{q}");
    }
    // Page sizes over the maximum.
    for path in ["/v1/openings?page=0", "/v1/openings?per_page=0"] {
        assert_eq!(
            error_code(app.get(path).await, StatusCode::BAD_REQUEST).await,
            "parameter_out_of_range",
            "{path}"
        );
    }
    let r = app
        .get(&format!("/v1/openings/{oid}/candidates?limit=0"))
        .await;
    assert_eq!(
        error_code(r, StatusCode::BAD_REQUEST).await,
        "parameter_out_of_range"
    );
    // A page larger than the server gives is a 422 (access control's limits), 0 a 400.
    let r = app.get("/v1/openings?per_page=1000").await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "page_too_large"
    );
    let r = app.get("/v1/openings?page=abc").await;
    assert_eq!(
        error_code(r, StatusCode::BAD_REQUEST).await,
        "invalid_parameter"
    );
    let r = app
        .get(&format!("/v1/participants/{pid}/suggestions?limit=100000"))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "page_too_large"
    );
    // Oversized body.
    let mut big = warehouse_opening(employer);
    big["description"] = json!("x".repeat(400 * 1024));
    let r = app.post("/v1/openings", &big).await;
    assert_eq!(
        error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    // Unknown route and wrong method answer in the same shape.
    assert_eq!(
        error_code(app.get("/v1/nowhere").await, StatusCode::NOT_FOUND).await,
        "not_found"
    );
    let r = app
        .send(
            reqwest::Method::PATCH,
            "/v1/openings",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        error_code(r, StatusCode::METHOD_NOT_ALLOWED).await,
        "method_not_allowed"
    );

    assert_eq!(counts(&app).await, before, "bad input changed nothing");
    assert_eq!(
        app.status().await["outbox_head"],
        head_before,
        "and wrote no outbox row"
    );
}

on_both_backends!(every_bad_input_gets_a_clear_error_and_writes_nothing,);
