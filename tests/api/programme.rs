//! The programme: facts set by a coach with every version kept and their order checked, and
//! the clocks of the units' promises, with a unit's own limits.

use chrono::{Duration, SecondsFormat, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

fn ago(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn participant(app: &TestApp, name: &str) -> i64 {
    let mut body = participant_body();
    body["name"] = json!(name);
    body["personal_number"] = Value::Null;
    app.post_ok("/v1/participants", &body).await["id"]
        .as_i64()
        .unwrap()
}

async fn put(app: &TestApp, id: i64, facts: &Value) -> reqwest::Response {
    app.send(
        Method::PUT,
        &format!("/v1/participants/{id}/programme"),
        Some(&app.coach),
        Some(facts),
    )
    .await
}

async fn facts_are_checked_and_every_version_is_kept() {
    let app = spawn_app().await;
    let id = participant(&app, "Ida Lund").await;
    let empty = app
        .get_json(&format!("/v1/participants/{id}/programme"))
        .await;
    assert_eq!(empty["facts"], Value::Null);
    assert_eq!(empty["history"], json!([]));

    let first = json!({"unit": "Jobbcentrum Högsbo", "district": "Högsbo", "status": "queued",
                       "referred_at": "2026-11-02"});
    let r = put(&app, id, &first).await;
    assert_eq!(r.status(), StatusCode::OK);
    let second = json!({"unit": "Jobbcentrum Högsbo", "district": "Högsbo", "status": "active",
                        "referred_at": "2026-11-02", "enrolled_at": "2026-11-03T09:30:00+01:00",
                        "plan_at": "2026-11-06"});
    let view: Value = put(&app, id, &second).await.json().await.unwrap();
    assert_eq!(view["facts"]["status"], "active", "{view}");
    assert_eq!(view["facts"]["enrolled_at"], "2026-11-03T08:30:00Z");
    assert_eq!(view["history"].as_array().unwrap().len(), 2);
    assert_eq!(view["history"][0]["facts"]["status"], "queued");
    assert!(view["history"][1]["user_id"].as_i64().is_some());

    for (facts, field) in [
        (
            json!({"referred_at": "2026-11-05", "plan_at": "2026-11-02"}),
            "plan_at",
        ),
        (
            json!({"referred_at": "2026-11-02", "enrolled_at": "2026-11-01"}),
            "enrolled_at",
        ),
        (json!({"plan_at": "2026-11-02"}), "referred_at"),
        (
            json!({"referred_at": "2026-11-02", "follow_up_at": "2026-11-09"}),
            "plan_at",
        ),
        (json!({"referred_at": "2099-01-01"}), "referred_at"),
        (
            json!({"status": "left", "referred_at": "2026-11-02"}),
            "left_at",
        ),
        (json!({"referred_at": "den andra"}), "referred_at"),
        (json!({"unit": ""}), "unit"),
    ] {
        let r = put(&app, id, &facts).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{facts}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["field"], field, "{facts}: {err}");
    }
    let r = put(&app, id, &json!({"status": "employed"})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nothing refused was kept.
    let after = app
        .get_json(&format!("/v1/participants/{id}/programme"))
        .await;
    assert_eq!(after["history"].as_array().unwrap().len(), 2);

    // Another coach's participant does not exist for this one.
    let (_, other) = app.token(jobmatch::model::Role::Coach, None).await;
    let r = app
        .send(
            Method::PUT,
            &format!("/v1/participants/{id}/programme"),
            Some(&other),
            Some(&first),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Erasure takes the facts with it.
    let r = app
        .send(
            Method::DELETE,
            &format!("/v1/participants/{id}?erase=true"),
            Some(&app.admin),
            None,
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let r = app
        .send(
            Method::GET,
            &format!("/v1/participants/{id}/programme"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn the_clocks_show_who_is_past_or_near_a_promise() {
    let app = spawn_app().await;
    let unit = "Jobbtorg Söder";
    let mut ids = Vec::new();
    for (name, facts) in [
        // Referred three days ago and not yet at the unit: past 48 hours.
        ("Ali", json!({"unit": unit, "referred_at": ago(72)})),
        // Referred 30 hours ago: due within the day.
        ("Bea", json!({"unit": unit, "referred_at": ago(30)})),
        // At the unit six days ago without a plan: past 5 days.
        (
            "Cem",
            json!({"unit": unit, "status": "active", "referred_at": ago(150), "enrolled_at": ago(144)}),
        ),
        // A plan ten days ago: the follow-up is months away.
        (
            "Dan",
            json!({"unit": unit, "status": "active", "referred_at": ago(300), "enrolled_at": ago(290), "plan_at": ago(240)}),
        ),
        // Left: no clock runs.
        (
            "Eva",
            json!({"unit": unit, "status": "left", "referred_at": ago(72), "left_at": ago(1)}),
        ),
        // A unit that promises 24 hours: 30 hours is past it.
        (
            "Fia",
            json!({"unit": "Snabbenheten", "referred_at": ago(30)}),
        ),
    ] {
        let id = participant(&app, name).await;
        let r = put(&app, id, &facts).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "{name}: {}",
            r.text().await.unwrap()
        );
        ids.push(id);
    }
    let r = app
        .send(
            Method::PUT,
            "/v1/units/Snabbenheten/limits",
            Some(&app.admin),
            Some(&json!({"arrive_hours": 24, "plan_days": 3, "follow_up_days": 60})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let clocks: Value = app
        .send(Method::GET, "/v1/clocks", Some(&app.coach), None)
        .await
        .json()
        .await
        .unwrap();
    let seen: Vec<(i64, String, bool)> = clocks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["participant_id"].as_i64().unwrap(),
                c["clock"].as_str().unwrap().to_owned(),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        (ids[2], "plan_5d".to_owned(), true),
        (ids[0], "referral_48h".to_owned(), true),
        (ids[5], "referral_48h".to_owned(), true),
        (ids[1], "referral_48h".to_owned(), false),
    ];
    let mut sorted = expected.to_vec();
    sorted.sort_by_key(|(id, _, _)| *id);
    let mut got = seen.clone();
    got.sort_by_key(|(id, _, _)| *id);
    assert_eq!(got, sorted, "{clocks}");
    // Soonest deadline first.
    let deadlines: Vec<&str> = clocks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["due"].as_str().unwrap())
        .collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]), "{deadlines:?}");
    assert!(!clocks.to_string().contains("Ali"), "pseudonyms only");

    // Another coach's caseload has no clocks here; an admin sees everyone's; a matcher none.
    let (_, other) = app.token(jobmatch::model::Role::Coach, None).await;
    let theirs: Value = app
        .send(Method::GET, "/v1/clocks", Some(&other), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
    let all: Value = app
        .send(Method::GET, "/v1/clocks", Some(&app.admin), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 4);
    let r = app
        .send(Method::GET, "/v1/clocks", Some(&app.matcher), None)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .send(
            Method::PUT,
            "/v1/units/Snabbenheten/limits",
            Some(&app.admin),
            Some(&json!({"arrive_hours": 0, "plan_days": 3, "follow_up_days": 60})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.stop().await;
}

/// Jobbcentrum Högsbo's year: 157 enrolled, 91 moved on to a job, internship or studies, 58 %.
async fn the_statistics_reproduce_a_unit_s_year() {
    use jobmatch::model::{Programme, ProgrammeStatus};
    let app = spawn_app().await;
    let system = jobmatch::service::Caller::system("test");
    let days = |n: i64| Utc::now() - Duration::days(n);
    let moved = [
        ProgrammeStatus::Job,
        ProgrammeStatus::Internship,
        ProgrammeStatus::Studies,
    ];
    for i in 0..158 {
        let id = participant(&app, &format!("Deltagare {i}")).await;
        // One enrolled long before the period, which must not count.
        let enrolled = if i == 157 { days(800) } else { days(59) };
        // One in ten came to the unit three days after referral: past 48 hours.
        let referred = enrolled - Duration::hours(if i % 10 == 0 { 72 } else { 20 });
        let status = if i < 91 {
            moved[i % 3]
        } else {
            ProgrammeStatus::Active
        };
        let facts = Programme {
            unit: Some("Jobbcentrum Högsbo".to_owned()),
            district: Some("Högsbo".to_owned()),
            status,
            referred_at: Some(referred),
            enrolled_at: Some(enrolled),
            plan_at: Some(enrolled + Duration::days(3)),
            follow_up_at: None,
            left_at: None,
        };
        app.engine.set_programme(&system, id, facts).await.unwrap();
    }
    let from = days(365).date_naive();
    let path = format!("/v1/stats?from={from}");
    let stats: Value = app
        .send(Method::GET, &path, Some(&app.matcher), None)
        .await
        .json()
        .await
        .unwrap();
    // The contract's figures at the top; the same in the one row without a grouping.
    assert_eq!(
        (
            stats["enrolled"].clone(),
            stats["moved_on"].clone(),
            stats["share_moved_on"].clone()
        ),
        (json!(157), json!(91), json!(0.58)),
        "{stats}"
    );
    let all = &stats["rows"][0];
    assert_eq!(all["group"], "all", "{stats}");
    assert_eq!(all["enrolled"], 157);
    assert_eq!(all["moved_on"], 91);
    assert_eq!(all["share_moved_on"], 0.58);
    assert_eq!(all["by_status"]["job"], 31);
    assert_eq!(all["by_status"]["active"], 66);
    assert_eq!(all["arrive_within"], 0.898, "141 of 157 within 48 hours");
    assert_eq!(all["plan_within"], 1.0);
    // No follow-up yet, and 59 days is within 3 months: no clock has run out.
    assert_eq!(all["follow_up_within"], Value::Null);

    let by_unit = app.get_json(&format!("{path}&group_by=unit")).await;
    assert_eq!(by_unit["rows"][0]["group"], "Jobbcentrum Högsbo");
    assert_eq!(by_unit["rows"][0]["enrolled"], 157);
    assert_eq!(by_unit["share_moved_on"], 0.58);
    let r = app
        .get(&format!("{path}&group_by=district&format=csv"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("group,enrolled,moved_on,share_moved_on,queued,active"));
    assert!(lines[1].starts_with("Högsbo,157,91,0.58,"), "{csv}");
    for bad in [
        "/v1/stats?group_by=kommun",
        "/v1/stats?format=xls",
        "/v1/stats?from=2026-12-31&to=2026-01-01",
    ] {
        let r = app.get(bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    app.stop().await;
}

async fn a_participant_s_body_carries_the_programme_facts_checked_the_same_way() {
    let app = spawn_app().await;
    let mut body = participant_body();
    body["personal_number"] = Value::Null;
    body["status"] = json!("active");
    body["referred_at"] = json!("2026-11-02");
    body["enrolled_at"] = json!("2026-11-03T09:30:00+01:00");
    let created = app.post_ok("/v1/participants", &body).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["status"], "active", "{created}");
    assert_eq!(
        (
            created["referred_at"].clone(),
            created["enrolled_at"].clone()
        ),
        (json!("2026-11-02"), json!("2026-11-03"))
    );
    let read = app.get_json(&format!("/v1/participants/{id}")).await;
    assert_eq!(read["enrolled_at"], "2026-11-03");
    assert_eq!(read["plan_at"], Value::Null);
    // A later body with a plan and a follow-up keeps what it leaves out.
    body["plan_at"] = json!("2026-11-06");
    body["followed_up_at"] = json!("2026-11-20");
    body.as_object_mut().unwrap().remove("referred_at");
    let r = app.put(&format!("/v1/participants/{id}"), &body).await;
    let updated: Value = r.json().await.unwrap();
    assert_eq!(
        (
            updated["referred_at"].clone(),
            updated["followed_up_at"].clone()
        ),
        (json!("2026-11-02"), json!("2026-11-20")),
        "{updated}"
    );
    let history = app
        .get_json(&format!("/v1/participants/{id}/programme"))
        .await;
    assert_eq!(history["history"].as_array().unwrap().len(), 2);
    // Refused as the programme route refuses, before anything is stored.
    body["followed_up_at"] = json!("2026-11-01");
    let r = app.put(&format!("/v1/participants/{id}"), &body).await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "invalid_field"
    );
    let before = app.status().await["counts"]["participants"].clone();
    let mut bad = participant_body();
    bad["personal_number"] = Value::Null;
    bad["plan_at"] = json!("2026-11-06");
    let r = app.post("/v1/participants", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    bad["plan_at"] = Value::Null;
    bad["status"] = json!("sleeping");
    let r = app.post("/v1/participants", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.status().await["counts"]["participants"],
        before,
        "nothing stored"
    );
    app.stop().await;
}

on_both_backends!(
    a_participant_s_body_carries_the_programme_facts_checked_the_same_way,
    the_statistics_reproduce_a_unit_s_year,
    facts_are_checked_and_every_version_is_kept,
    the_clocks_show_who_is_past_or_near_a_promise,
);
