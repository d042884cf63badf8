//! Alerts over the API: a coach following a caseload or a participant, a job matcher's saved
//! search, new openings found once above the threshold, what has been looked at not shown
//! again, and a webhook posted without personal data and retried when it fails.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use jobmatch::model::Role;

/// Looks for alerts until some come (the follower finds them just after a batch is applied).
async fn alerts_within(app: &TestApp, token: &str, want: usize) -> Vec<Value> {
    let started = Instant::now();
    let mut got = Vec::new();
    while got.len() < want && started.elapsed() < Duration::from_secs(10) {
        let (status, body) = app.call(token, Method::GET, "/v1/alerts", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        got.extend(body["alerts"].as_array().unwrap().iter().cloned());
        if got.len() < want {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    got
}

async fn a_coach_hears_of_new_openings_for_the_caseload_and_a_matcher_of_a_saved_search() {
    let app = spawn_app().await;
    let employer = app.employer("Nya Lagret AB").await;
    let participant = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let (_, other_coach) = app.token(Role::Coach, None).await;
    let (_, employer_user) = app.token(Role::Employer, Some(employer)).await;
    let subscribe = |token: String, body: Value| {
        let app = &app;
        async move {
            app.call(&token, Method::POST, "/v1/subscriptions", Some(body))
                .await
        }
    };
    let (status, caseload) = subscribe(
        app.coach.clone(),
        json!({"caseload": true, "threshold": 0.3}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{caseload}");
    assert_eq!(caseload["caseload"], true);
    let (status, strict) = subscribe(
        app.coach.clone(),
        json!({"participant_id": participant, "threshold": 0.999}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{strict}");
    let (status, search) = subscribe(
        app.matcher.clone(),
        json!({"search": {"q": "lagerarbetare", "municipality": "Stockholm"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{search}");
    assert_eq!(search["search"]["municipality_code"], "0180");

    // Refused by name, or as not theirs.
    for (token, body, want) in [
        (
            app.coach.clone(),
            json!({"caseload": true, "participant_id": participant}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.coach.clone(),
            json!({"caseload": true, "threshold": 1.5}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.coach.clone(),
            json!({"caseload": true, "webhook_url": "https://example.se/hook"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            app.matcher.clone(),
            json!({"caseload": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            other_coach.clone(),
            json!({"participant_id": participant}),
            StatusCode::NOT_FOUND,
        ),
        (
            employer_user.clone(),
            json!({"search": {"q": "lager"}}),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (status, body) = subscribe(token, body.clone()).await;
        assert_eq!(status, want, "{body}");
    }
    let (status, _) = subscribe(other_coach.clone(), json!({"caseload": true})).await;
    assert_eq!(status, StatusCode::CREATED);

    // A new opening that fits, and one beyond anyone's travel (Kiruna).
    let fits = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let mut far = warehouse_opening(employer);
    far["municipality_code"] = json!("2584");
    app.post_ok("/v1/openings", &far).await;

    let found = alerts_within(&app, &app.coach, 1).await;
    assert_eq!(found.len(), 1, "{found:?}");
    let alert = &found[0];
    assert_eq!(alert["subscription_id"], caseload["id"]);
    assert_eq!(
        (
            alert["opening_id"].as_i64(),
            alert["participant_id"].as_i64()
        ),
        (Some(fits), Some(participant))
    );
    assert_eq!(alert["opening_title"], "Lagerarbetare till centrallager");
    assert!(alert["pseudonym"].is_string());
    let score = alert["score"].as_f64().unwrap();
    assert!((0.3..0.999).contains(&score), "{alert}");
    let searched = alerts_within(&app, &app.matcher, 1).await;
    assert_eq!(searched.len(), 1, "{searched:?}");
    assert_eq!(searched[0]["opening_id"], fits);
    assert!(searched[0].get("participant_id").is_none());

    // Looked at: not again, not even when the opening changes; other coaches hear nothing.
    let mut changed = warehouse_opening(employer);
    changed["title"] = json!("Lagerarbetare, dagtid");
    let r = app.put(&format!("/v1/openings/{fits}"), &changed).await;
    assert_eq!(r.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(alerts_within(&app, &app.coach, 0).await.is_empty());
    assert!(alerts_within(&app, &other_coach, 0).await.is_empty());
    let (status, _) = app
        .call(&employer_user, Method::GET, "/v1/alerts", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The participant's read through the alert is logged.
    let log = app
        .get_json(&format!("/v1/audit?participant={participant}"))
        .await;
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["route"] == "GET /v1/alerts"),
        "{log}"
    );

    // A participant moved to another coach is that coach's to hear of.
    let other_coach_id = {
        let (id, token) = app.token(Role::Coach, None).await;
        let (status, _) = app
            .call(
                &token,
                Method::POST,
                "/v1/subscriptions",
                Some(json!({"caseload": true})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        (id, token)
    };
    // Followed by the first coach by name too, so a match for them is found for both.
    let follow = json!({"participant_id": participant, "threshold": 0.1});
    let (status, _) = app
        .call(&app.coach, Method::POST, "/v1/subscriptions", Some(follow))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut moved = participant_body();
    moved["coach_id"] = json!(other_coach_id.0);
    let r = app
        .send(
            Method::PUT,
            &format!("/v1/participants/{participant}?wait=indexed"),
            Some(&app.admin),
            Some(&moved),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut fresh = warehouse_opening(employer);
    fresh["title"] = json!("Truckförare till lager");
    app.post_ok("/v1/openings", &fresh).await;
    let theirs = alerts_within(&app, &other_coach_id.1, 1).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(
        alerts_within(&app, &app.coach, 0).await.is_empty(),
        "no longer the first coach's"
    );

    let (status, list) = app
        .call(&app.coach, Method::GET, "/v1/subscriptions", None)
        .await;
    assert_eq!(
        (status, list["subscriptions"].as_array().unwrap().len()),
        (StatusCode::OK, 3)
    );
    let path = format!("/v1/subscriptions/{}", strict["id"]);
    let (status, _) = app.call(&other_coach, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = app
        .send(Method::DELETE, &path, Some(&app.coach), None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.call(&app.coach, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// A webhook receiver that fails its first call and records every body.
async fn receiver() -> (String, Arc<Mutex<Vec<(u16, String)>>>) {
    let calls: Arc<Mutex<Vec<(u16, String)>>> = Arc::default();
    let seen = Arc::clone(&calls);
    let hook = axum::routing::post(move |body: String| {
        let seen = Arc::clone(&seen);
        async move {
            let mut calls = seen.lock().unwrap();
            let status = if calls.is_empty() { 503 } else { 200 };
            calls.push((status, body));
            axum::http::StatusCode::from_u16(status).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().route("/hook", hook))
            .await
            .ok();
    });
    (format!("http://{addr}/hook"), calls)
}

async fn a_webhook_gets_alerts_without_personal_data_and_a_failure_is_retried() {
    let app = spawn_app().await;
    let employer = app.employer("Kroklagret AB").await;
    let mut person = participant_body();
    person["name"] = json!("Hemliga Hanna");
    let participant = app.post_ok("/v1/participants", &person).await["id"]
        .as_i64()
        .unwrap();
    let (url, calls) = receiver().await;
    let (status, sub) = app
        .call(
            &app.coach,
            Method::POST,
            "/v1/subscriptions",
            Some(json!({"participant_id": participant, "threshold": 0.2, "webhook_url": url})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sub}");
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let started = Instant::now();
    while calls.lock().unwrap().len() < 2 && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = Arc::clone(&calls);
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2, "a failed post is tried again: {calls:?}");
    assert_eq!((calls[0].0, calls[1].0), (503, 200));
    assert_eq!(calls[0].1, calls[1].1, "the same alerts again");
    let body: Value = serde_json::from_str(&calls[1].1).unwrap();
    assert_eq!(body["subscription_id"], sub["id"]);
    assert_eq!(body["alerts"][0]["opening_id"], opening);
    let pseudonym = alerts_within(&app, &app.coach, 1).await[0]["pseudonym"]
        .as_str()
        .unwrap()
        .to_owned();
    for personal in ["Hemliga", "participant", &pseudonym, "19900101"] {
        assert!(
            !calls[1].1.contains(personal),
            "{personal} in {}",
            calls[1].1
        );
    }
    // Delivered: never posted again.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(received.lock().unwrap().len(), 2);
    app.stop().await;
}

on_both_backends!(
    a_coach_hears_of_new_openings_for_the_caseload_and_a_matcher_of_a_saved_search,
    a_webhook_gets_alerts_without_personal_data_and_a_failure_is_retried,
);
