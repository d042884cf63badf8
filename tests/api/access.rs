//! Who may see what: sign-in, the role × route matrix over every route the router serves,
//! employers' pseudonymised candidates with no personal data in any answer, the access log
//! and erasure down to the bytes on disk.

use std::collections::{BTreeMap, BTreeSet};

use jobmatch::model::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// Two employers, two coaches with a participant each, a matcher and an admin, plus an
/// opening of each employer.
struct World {
    app: TestApp,
    employer_a: i64,
    employer_b: i64,
    opening_a: i64,
    opening_b: i64,
    coach_a: (i64, String),
    coach_b: (i64, String),
    participant_a: i64,
    /// An allocation coach A made of their own caseload.
    allocation_a: i64,
    matcher: String,
    employer_user_a: String,
    employer_user_b: String,
    revoked: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let employer_a = app.employer("Alfa Lager AB").await;
    let employer_b = app.employer("Beta Städ AB").await;
    let opening_a = app
        .post_ok("/v1/openings", &warehouse_opening(employer_a))
        .await["id"]
        .as_i64()
        .unwrap();
    let opening_b = app
        .post_ok("/v1/openings", &warehouse_opening(employer_b))
        .await["id"]
        .as_i64()
        .unwrap();
    let coach_a = app.token(Role::Coach, None).await;
    let coach_b = app.token(Role::Coach, None).await;
    let mut body = participant_body();
    body["coach_id"] = json!(coach_a.0);
    let participant_a = app.post_as(&app.admin, "/v1/participants", &body).await["id"]
        .as_i64()
        .unwrap();
    let allocation_a = app
        .post_as(&coach_a.1, "/v1/allocations", &json!({"caseload": true}))
        .await["id"]
        .as_i64()
        .unwrap();
    let (_, matcher) = app.token(Role::Matcher, None).await;
    let (_, employer_user_a) = app.token(Role::Employer, Some(employer_a)).await;
    let (_, employer_user_b) = app.token(Role::Employer, Some(employer_b)).await;
    let (_, revoked) = app.token(Role::Matcher, None).await;
    assert!(
        jobmatch::service::Accounts::new(app.engine.store().clone())
            .revoke(&revoked)
            .await
            .unwrap()
    );
    World {
        app,
        employer_a,
        employer_b,
        opening_a,
        opening_b,
        coach_a,
        coach_b,
        participant_a,
        allocation_a,
        matcher,
        employer_user_a,
        employer_user_b,
        revoked,
    }
}

async fn every_v1_route_asks_for_a_token_and_health_does_not() {
    let w = world().await;
    let app = &w.app;
    assert_eq!(
        app.send(Method::GET, "/health", None, None).await.status(),
        StatusCode::OK
    );
    for token in [
        None,
        Some("not-a-token"),
        Some("jm_00_11"),
        Some(w.revoked.as_str()),
    ] {
        let r = app.send(Method::GET, "/v1/status", token, None).await;
        let challenge = r
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            challenge.as_deref(),
            Some("Bearer realm=\"jobmatch\""),
            "{token:?}"
        );
        assert_eq!(
            error_code(r, StatusCode::UNAUTHORIZED).await,
            "unauthorized"
        );
    }
    // A well-formed token nobody issued.
    let forged = format!("jm_{}_{}", "0".repeat(16), "0".repeat(64));
    let r = app
        .send(Method::GET, "/v1/status", Some(&forged), None)
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    // The scheme's name is case-insensitive.
    let r = app
        .client
        .get(app.url("/v1/status"))
        .header("authorization", format!("bearer {}", app.matcher))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A scheme other than Bearer is no sign-in either.
    let r = app
        .client
        .get(app.url("/v1/status"))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn an_address_that_keeps_failing_to_sign_in_must_wait_and_valid_tokens_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(dir.path(), |s| s.sign_in_failures_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let r = app
            .send(Method::GET, "/v1/status", Some("jm_wrong"), None)
            .await;
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(wait >= 1);
        }
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    assert_eq!(app.get("/v1/status").await.status(), StatusCode::OK);
    app.stop().await;
}

/// What one route needs to be called: a path with the world's ids and, for writes, a body.
fn request(w: &World, method: &str, path: &str, as_employer: bool) -> (String, Option<Value>) {
    let mut opening = warehouse_opening(w.employer_a);
    if as_employer {
        opening.as_object_mut().unwrap().remove("employer_id");
    }
    let path_with = |id: i64| path.replace("{id}", &id.to_string());
    match (method, path) {
        ("post", "/v1/employers") => (path.into(), Some(json!({"name": "Ny Arbetsgivare AB"}))),
        ("get", "/v1/employers/{id}") | ("get", "/v1/employers/{id}/openings") => {
            (path_with(w.employer_a), None)
        }
        ("get", "/v1/taxonomy/suggestions") => {
            ("/v1/taxonomy/suggestions?kind=skill&q=lager".into(), None)
        }
        ("get", "/v1/participants") => (path.into(), None),
        ("post", "/v1/openings") => (path.into(), Some(opening)),
        ("post", "/v1/openings/import") => (
            path.into(),
            Some(
                json!([{"id": "matrix-1", "headline": "Lagerarbetare", "employer": {"name": "Matris AB"}}]),
            ),
        ),
        ("get", "/v1/openings") => ("/v1/openings?q=lager".into(), None),
        ("get", "/v1/openings/{id}") | ("get", "/v1/openings/{id}/candidates") => {
            (path_with(w.opening_a), None)
        }
        ("put", "/v1/openings/{id}") => (path_with(w.opening_a), Some(opening)),
        // Closing is tried on an opening of its own, so the other cases keep theirs.
        ("delete", "/v1/openings/{id}") => (path.into(), None),
        ("post", "/v1/participants") => (path.into(), Some(participant_body())),
        ("get", "/v1/participants/{id}")
        | ("get", "/v1/participants/{id}/suggestions")
        | ("get", "/v1/participants/{id}/gaps")
        | ("get", "/v1/participants/{id}/programme")
        | ("get", "/v1/participants/{id}/profile") => (path_with(w.participant_a), None),
        ("put", "/v1/participants/{id}") => (path_with(w.participant_a), Some(participant_body())),
        ("delete", "/v1/participants/{id}") => (path.into(), None),
        ("post", "/v1/match") => (path.into(), Some(json!({"skills": ["lagerarbete"]}))),
        ("get", "/v1/status") | ("get", "/v1/openapi.json") => (path.into(), None),
        ("get", "/v1/audit") => (format!("/v1/audit?participant={}", w.participant_a), None),
        ("post", "/v1/allocations") => (
            path.into(),
            Some(json!({"participants": [w.participant_a]})),
        ),
        ("get", "/v1/allocations/{id}") => (path_with(w.allocation_a), None),
        ("get", "/v1/policies") => (path.into(), None),
        ("put", "/v1/participants/{id}/programme") => (
            path_with(w.participant_a),
            Some(
                json!({"status": "active", "referred_at": "2026-11-02", "enrolled_at": "2026-11-03"}),
            ),
        ),
        ("get", "/v1/clocks") => (path.into(), None),
        ("get", "/v1/stats") => ("/v1/stats?group_by=unit".into(), None),
        ("put", "/v1/units/{unit}/limits") => (
            "/v1/units/Jobbtorg%20City/limits".into(),
            Some(json!({"arrive_hours": 48, "plan_days": 5, "follow_up_days": 90})),
        ),
        ("get", "/v1/fairness") => ("/v1/fairness?from=2026-01-01".into(), None),
        ("put", "/v1/policies/{name}") => (
            "/v1/policies/matrix".into(),
            Some(json!({"weights": {"parent": 1.2}})),
        ),
        // Placements are made fresh for each call, in the matrix's loop.
        ("post", "/v1/placements") => (path.into(), None),
        ("get", "/v1/placements") => (path.into(), None),
        ("get" | "patch", "/v1/placements/{id}") => (
            path.into(),
            (method == "patch").then(|| json!({"status": "interview"})),
        ),
        ("post", "/v1/subscriptions") => (path.into(), Some(json!({"search": {"q": "lager"}}))),
        ("get", "/v1/subscriptions") | ("get", "/v1/alerts") => (path.into(), None),
        // Made fresh for each call, of coach A's.
        ("delete", "/v1/subscriptions/{id}") => (path.into(), None),
        ("get", "/v1/employers/{id}/cap") => (path_with(w.employer_a), None),
        ("put", "/v1/employers/{id}/cap") => (
            path_with(w.employer_a),
            Some(json!({"monthly_proposals": null})),
        ),
        _ => panic!("{method} {path} is served but not in the role × route matrix; add it"),
    }
}

/// The matrix as this test expects it, written apart from the router's own table: which roles
/// may use each route at all.
fn expected_roles(method: &str, path: &str) -> &'static str {
    // a = admin, c = coach, m = matcher, e = employer
    match (method, path) {
        ("post", "/v1/employers") => "am",
        ("get", "/v1/employers/{id}") | ("get", "/v1/employers/{id}/openings") => "acme",
        ("get", "/v1/taxonomy/suggestions") => "acme",
        ("get", "/v1/participants") => "ac",
        ("post", "/v1/openings") => "ame",
        ("post", "/v1/openings/import") => "am",
        ("get", "/v1/openings") => "acm",
        ("get", "/v1/openings/{id}") => "acme",
        ("put", "/v1/openings/{id}") | ("delete", "/v1/openings/{id}") => "ame",
        ("get", "/v1/openings/{id}/candidates") => "ame",
        ("post", "/v1/participants") => "ac",
        ("get" | "put" | "delete", "/v1/participants/{id}") => "ac",
        ("get", "/v1/participants/{id}/suggestions") => "ac",
        ("get", "/v1/participants/{id}/gaps") => "ac",
        ("get" | "put", "/v1/participants/{id}/programme") => "ac",
        ("get", "/v1/clocks") => "ac",
        ("get", "/v1/stats") => "acm",
        ("put", "/v1/units/{unit}/limits") => "a",
        ("get", "/v1/participants/{id}/profile") => "acm",
        ("post", "/v1/match") => "acm",
        ("get", "/v1/status") => "acm",
        ("get", "/v1/openapi.json") => "acme",
        ("get", "/v1/audit") => "a",
        ("post", "/v1/allocations") | ("get", "/v1/allocations/{id}") => "acm",
        ("get", "/v1/policies") | ("get", "/v1/fairness") => "acm",
        ("put", "/v1/policies/{name}") => "a",
        ("post", "/v1/placements") => "acm",
        ("get", "/v1/placements") | ("get" | "patch", "/v1/placements/{id}") => "acme",
        ("get", "/v1/employers/{id}/cap") => "acme",
        ("put", "/v1/employers/{id}/cap") => "ae",
        ("post" | "get", "/v1/subscriptions") | ("get", "/v1/alerts") => "acm",
        ("delete", "/v1/subscriptions/{id}") => "acm",
        _ => panic!("{method} {path} is served but not in the role × route matrix; add it"),
    }
}

async fn the_role_by_route_matrix_holds_for_every_route_the_router_serves() {
    let w = world().await;
    let app = &w.app;
    let doc = app.get_json("/v1/openapi.json").await;
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if path.starts_with("/v1") {
                routes.push((method.clone(), path.clone()));
            }
        }
    }
    // The document is built from the router's registrations, so this is the router's list.
    assert!(routes.len() >= 17, "{routes:?}");

    let admin = app.admin.clone();
    let actors: [(&str, Option<&str>, char); 8] = [
        ("admin", Some(&admin), 'a'),
        ("coach A", Some(&w.coach_a.1), 'c'),
        ("coach B", Some(&w.coach_b.1), 'c'),
        ("matcher", Some(&w.matcher), 'm'),
        ("employer A", Some(&w.employer_user_a), 'e'),
        ("employer B", Some(&w.employer_user_b), 'e'),
        ("no token", None, '-'),
        ("revoked token", Some(&w.revoked), '-'),
    ];
    let mut cells = 0;
    for (method, path) in &routes {
        let allowed = expected_roles(method, path);
        // The document says the same, in `x-roles`.
        let documented: BTreeSet<String> = doc["paths"][path][method]["x-roles"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path} documents no roles"))
            .iter()
            .map(|r| r.as_str().unwrap()[..1].to_owned())
            .collect();
        let expected: BTreeSet<String> = allowed.chars().map(String::from).collect();
        assert_eq!(documented, expected, "{method} {path}: x-roles");
        for (who, token, role) in &actors {
            let (mut url, mut body) = request(&w, method, path, *role == 'e');
            if path.starts_with("/v1/placements") && (method != "get" || path.contains("{id}")) {
                // A fresh participant of A's for each call: a proposal is made once a week.
                let mut person = participant_body();
                person["coach_id"] = json!(w.coach_a.0);
                let pid = app.post_as(&app.admin, "/v1/participants", &person).await["id"]
                    .as_i64()
                    .unwrap();
                let proposal = json!({"participant_id": pid, "opening_id": w.opening_a});
                if method == "post" {
                    body = Some(proposal);
                } else {
                    let id = app.post_as(&app.admin, "/v1/placements", &proposal).await["id"]
                        .as_i64()
                        .unwrap();
                    url = url.replace("{id}", &id.to_string());
                }
            }
            if path == "/v1/subscriptions/{id}" {
                let sub = app
                    .post_as(
                        &w.coach_a.1,
                        "/v1/subscriptions",
                        &json!({"caseload": true}),
                    )
                    .await["id"]
                    .as_i64()
                    .unwrap();
                url = url.replace("{id}", &sub.to_string());
            }
            if url.contains("{id}") {
                // Destructive routes act on a fresh object of A's.
                let id = if path.starts_with("/v1/openings") {
                    app.post_ok("/v1/openings", &warehouse_opening(w.employer_a))
                        .await["id"]
                        .as_i64()
                        .unwrap()
                } else {
                    let mut body = participant_body();
                    body["coach_id"] = json!(w.coach_a.0);
                    app.post_as(&app.admin, "/v1/participants", &body).await["id"]
                        .as_i64()
                        .unwrap()
                };
                url = url.replace("{id}", &id.to_string());
            }
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app.send(m, &url, *token, body.as_ref()).await;
            let status = r.status();
            let text = r.text().await.unwrap();
            cells += 1;
            let not_theirs = (*who == "coach B"
                && (path.starts_with("/v1/participants/{id}")
                    || path.starts_with("/v1/allocations")
                    || path == "/v1/placements/{id}"
                    || (method == "post" && path == "/v1/placements")))
                || (path == "/v1/subscriptions/{id}"
                    && matches!(*who, "admin" | "coach B" | "matcher"))
                || (*who == "employer B"
                    && (path.starts_with("/v1/openings/{id}")
                        || path.starts_with("/v1/employers/{id}")
                        || path == "/v1/placements/{id}"));
            let expect = if *role == '-' {
                Some(StatusCode::UNAUTHORIZED)
            } else if !allowed.contains(*role) {
                Some(StatusCode::FORBIDDEN)
            } else if not_theirs {
                Some(StatusCode::NOT_FOUND)
            } else {
                None
            };
            match expect {
                Some(want) => assert_eq!(status, want, "{who} {method} {url}: {text}"),
                None => assert!(status.is_success(), "{who} {method} {url}: {status} {text}"),
            }
        }
    }
    assert_eq!(cells, routes.len() * actors.len());
    eprintln!(
        "role × route matrix: {} routes × {} actors = {cells} cells",
        routes.len(),
        actors.len()
    );
}

async fn fields_a_role_may_not_set_are_refused_by_name() {
    let w = world().await;
    let app = &w.app;
    // An employer's user never names the employer: it comes from the token.
    let r = app
        .send(
            Method::POST,
            "/v1/openings",
            Some(&w.employer_user_a),
            Some(&warehouse_opening(w.employer_b)),
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "field_not_allowed", "{body}");
    assert_eq!(body["error"]["field"], "employer_id");
    let mut own = warehouse_opening(w.employer_a);
    own.as_object_mut().unwrap().remove("employer_id");
    let created: Value = app
        .send(
            Method::POST,
            "/v1/openings",
            Some(&w.employer_user_b),
            Some(&own),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        created["employer_id"], w.employer_b,
        "posted for the token's employer"
    );
    // A coach never picks a caseload.
    let mut body = participant_body();
    body["coach_id"] = json!(w.coach_b.0);
    let r = app
        .send(
            Method::POST,
            "/v1/participants",
            Some(&w.coach_a.1),
            Some(&body),
        )
        .await;
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "field_not_allowed", "{answer}");
    assert_eq!(answer["error"]["field"], "coach_id");
    // Staff must name the employer.
    let r = app
        .send(Method::POST, "/v1/openings", Some(&w.matcher), Some(&own))
        .await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "missing_field"
    );
    // A coach's participant lands on that coach's caseload: the other coach cannot see it.
    let mine: Value = app
        .send(
            Method::POST,
            "/v1/participants",
            Some(&w.coach_b.1),
            Some(&participant_body()),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/v1/participants/{}", mine["id"]);
    assert_eq!(
        app.send(Method::GET, &path, Some(&w.coach_b.1), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.send(Method::GET, &path, Some(&w.coach_a.1), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// Distinctive strings in every personal field of a participant.
fn canaries(i: usize) -> [String; 4] {
    [
        format!("Kanarie{i}Fågelsdotter"),
        format!("19{:02}0101-{:04}", 50 + i, 7000 + i),
        format!("kanarie{i}@hemlig.example"),
        format!("59.{:06}", 123_457 + i),
    ]
}

async fn no_answer_an_employer_can_get_holds_personal_data() {
    let w = world().await;
    let app = &w.app;
    let mut ids = Vec::new();
    for i in 0..4 {
        let [name, personal_number, contact, lat] = canaries(i);
        let mut body = participant_body();
        body["name"] = json!(name);
        body["personal_number"] = json!(personal_number);
        body["contact"] = json!(contact);
        body["location"] = json!({"lat": lat.parse::<f64>().unwrap(), "lon": 18.0712});
        body["coach_id"] = json!(w.coach_a.0);
        ids.push(
            app.post_as(&app.admin, "/v1/participants", &body).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let all: Vec<String> = (0..4).flat_map(canaries).collect();

    // The employer's candidates carry codes of its own, never the participant id.
    let url = |o: i64| format!("/v1/openings/{o}/candidates?limit=200&include_excluded=true");
    let a: Value = app
        .send(
            Method::GET,
            &url(w.opening_a),
            Some(&w.employer_user_a),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let b: Value = app
        .send(
            Method::GET,
            &url(w.opening_b),
            Some(&w.employer_user_b),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let codes = |v: &Value| -> BTreeSet<String> {
        v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .chain(v["excluded"].as_array().unwrap())
            .map(|c| {
                assert!(
                    c.get("participant_id").is_none() && c.get("pseudonym").is_none(),
                    "{c}"
                );
                c["candidate"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let (codes_a, codes_b) = (codes(&a), codes(&b));
    assert_eq!(
        codes_a.len(),
        ids.len() + 1,
        "every participant is a candidate: {a}"
    );
    assert!(
        codes_a.is_disjoint(&codes_b),
        "two employers can link a person: {codes_a:?} {codes_b:?}"
    );
    let staff: Value = app.get_json(&url(w.opening_a)).await;
    let staff_codes: BTreeSet<String> = staff["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["pseudonym"].as_str().unwrap().to_owned())
        .collect();
    assert!(staff_codes.is_disjoint(&codes_a));
    for c in a["candidates"].as_array().unwrap() {
        if let Some(km) = c["evidence"]["distance_km"].as_f64() {
            assert_eq!(km, km.round(), "distance to the km at most: {c}");
        }
    }
    let mut answers: Vec<(String, String)> = Vec::new();
    // Proposals to the employer, answered but not started: still no one is named.
    for &pid in &ids {
        let proposal = json!({"participant_id": pid, "opening_id": w.opening_a});
        let placement = app.post_as(&app.admin, "/v1/placements", &proposal).await["id"]
            .as_i64()
            .unwrap();
        let path = format!("/v1/placements/{placement}");
        let r = app
            .send(
                Method::PATCH,
                &path,
                Some(&w.employer_user_a),
                Some(&json!({"status": "interview"})),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        answers.push((format!("PATCH {path}"), r.text().await.unwrap()));
        let r = app
            .send(Method::GET, &path, Some(&w.employer_user_a), None)
            .await;
        answers.push((format!("GET {path}"), r.text().await.unwrap()));
    }
    let r = app
        .send(
            Method::GET,
            "/v1/placements",
            Some(&w.employer_user_a),
            None,
        )
        .await;
    let listed = r.text().await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&listed).unwrap()["placements"]
            .as_array()
            .unwrap()
            .len(),
        ids.len()
    );
    answers.push(("GET /v1/placements".into(), listed));
    let doc = app.get_json("/v1/openapi.json").await;
    // Every route, as employer A: allowed ones answer, the others refuse; either way the
    // answer is swept. Plus errors: unknown ids, bad bodies, bad parameters, search.
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/v1") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let (url, body) = request(&w, method, path, true);
            for id in [w.opening_a, w.opening_b, ids[0], 99_999] {
                let concrete = url.replace("{id}", &id.to_string());
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = app
                    .send(m, &concrete, Some(&w.employer_user_a), body.as_ref())
                    .await;
                answers.push((format!("{method} {concrete}"), r.text().await.unwrap()));
            }
        }
    }
    for extra in [
        format!(
            "/v1/openings/{}/candidates?include_excluded=true&limit=200",
            w.opening_a
        ),
        format!("/v1/openings/{}/candidates?limit=0", w.opening_a),
        format!("/v1/openings/{}/candidates?bogus=1", w.opening_a),
        format!("/v1/participants/{}", ids[1]),
        format!("/v1/participants/{}/suggestions", ids[2]),
        "/v1/openings?q=Kanarie0Fågelsdotter".to_owned(),
        format!("/v1/audit?participant={}", ids[0]),
    ] {
        let r = app
            .send(Method::GET, &extra, Some(&w.employer_user_a), None)
            .await;
        answers.push((extra.clone(), r.text().await.unwrap()));
    }
    let r = app
        .send(
            Method::POST,
            "/v1/match",
            Some(&w.employer_user_a),
            Some(&json!({"skills": ["x"], "name": all[0]})),
        )
        .await;
    answers.push(("POST /v1/match".into(), r.text().await.unwrap()));
    for (what, text) in &answers {
        for canary in &all {
            assert!(
                !text.contains(canary.as_str()),
                "{what} leaks {canary}: {text}"
            );
        }
    }

    eprintln!(
        "canaries: {} strings in {} participants, {} employer answers swept",
        all.len(),
        ids.len(),
        answers.len()
    );
}

async fn every_read_of_a_participant_is_logged_once_and_the_log_cannot_change() {
    let w = world().await;
    let app = &w.app;
    let coach = &w.coach_a.1;
    let pid = w.participant_a;
    let get = |path: String, token: String| async move {
        let r = app.send(Method::GET, &path, Some(&token), None).await;
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json::<Value>().await.unwrap()
    };
    get(format!("/v1/participants/{pid}"), coach.clone()).await;
    get(format!("/v1/participants/{pid}"), coach.clone()).await;
    get(format!("/v1/participants/{pid}/suggestions"), coach.clone()).await;
    let listed = get(
        format!("/v1/openings/{}/candidates", w.opening_a),
        w.matcher.clone(),
    )
    .await;
    assert_eq!(listed["candidates"].as_array().unwrap().len(), 1);
    get(
        format!("/v1/openings/{}/candidates", w.opening_b),
        w.employer_user_b.clone(),
    )
    .await;
    // Refused reads are not reads.
    let r = app
        .send(
            Method::GET,
            &format!("/v1/participants/{pid}"),
            Some(&w.coach_b.1),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let log = app.get_json(&format!("/v1/audit?participant={pid}")).await;
    let routes: BTreeMap<String, usize> =
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .fold(BTreeMap::new(), |mut m, e| {
                *m.entry(format!(
                    "{} {}",
                    e["role"].as_str().unwrap(),
                    e["route"].as_str().unwrap()
                ))
                .or_default() += 1;
                m
            });
    let expected: BTreeMap<String, usize> = [
        // The answer to registering shows the person: it counts as a read.
        ("admin POST /v1/participants", 1),
        ("coach GET /v1/participants/{id}", 2),
        ("coach GET /v1/participants/{id}/suggestions", 1),
        // The world's allocation of coach A's caseload read the profile.
        ("coach POST /v1/allocations", 1),
        ("matcher GET /v1/openings/{id}/candidates", 1),
        ("employer GET /v1/openings/{id}/candidates", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(routes, expected, "{log}");
    for e in log["entries"].as_array().unwrap() {
        assert_eq!(e["participant_id"], pid);
        assert!(e["user_id"].as_i64().is_some());
        // Ids only: no name, no personal number.
        assert!(!e.to_string().contains("Amina"), "{e}");
    }
}

async fn erasure_leaves_no_byte_of_the_person_in_the_data_directory() {
    let w = world().await;
    let app = &w.app;
    let secrets = [
        "Raderad Hemligsdotter",
        "19770707-7777",
        "raderas.helt@example.se",
    ];
    let mut body = participant_body();
    body["name"] = json!(secrets[0]);
    body["personal_number"] = json!(secrets[1]);
    body["contact"] = json!(secrets[2]);
    let created = app
        .send(
            Method::POST,
            "/v1/participants",
            Some(&w.coach_a.1),
            Some(&body),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let pid = created["id"].as_i64().unwrap();
    // Read, ranked and changed, so the person is in the log, the projection and the WAL.
    app.send(
        Method::GET,
        &format!("/v1/participants/{pid}"),
        Some(&w.coach_a.1),
        None,
    )
    .await;
    body["contact"] = json!("raderas.helt@example.se");
    app.send(
        Method::PUT,
        &format!("/v1/participants/{pid}"),
        Some(&w.coach_a.1),
        Some(&body),
    )
    .await;
    let before = app
        .get_json(&format!("/v1/openings/{}/candidates", w.opening_a))
        .await;
    assert_eq!(before["considered"], 2);
    // Proposed and started, so the employer has seen who they are.
    let placement = app
        .post_as(
            &w.coach_a.1,
            "/v1/placements",
            &json!({"participant_id": pid, "opening_id": w.opening_a}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let started = app
        .send(
            Method::PATCH,
            &format!("/v1/placements/{placement}"),
            Some(&w.employer_user_a),
            Some(&json!({"status": "started"})),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(started["participant"]["name"], secrets[0], "{started}");

    // Another coach cannot erase them; their own coach can.
    let path = format!("/v1/participants/{pid}?erase=true");
    let r = app
        .send(Method::DELETE, &path, Some(&w.coach_b.1), None)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .send(Method::DELETE, &path, Some(&w.coach_a.1), None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let after = app
        .get_json(&format!("/v1/openings/{}/candidates", w.opening_a))
        .await;
    assert_eq!(after["considered"], 1, "gone from the projection");
    let r = app
        .send(
            Method::GET,
            &format!("/v1/placements/{placement}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "placements go with the person"
    );
    assert_eq!(
        app.send(
            Method::GET,
            &format!("/v1/participants/{pid}"),
            Some(&w.coach_a.1),
            None
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let mut files = 0;
    for entry in walk(&app.data_dir) {
        let bytes = std::fs::read(&entry).unwrap();
        files += 1;
        for secret in secrets {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret:?} is still in {}",
                entry.display()
            );
        }
    }
    assert!(files >= 2, "the database and the index were searched");
    // The access log keeps its rows: ids only.
    let log = app.get_json(&format!("/v1/audit?participant={pid}")).await;
    assert!(!log["entries"].as_array().unwrap().is_empty());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

async fn requests_beyond_the_concurrency_limit_are_shed_at_once_with_retry_after() {
    use tokio::io::AsyncWriteExt as _;
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(dir.path(), |s| s.max_in_flight = 1).await;
    // One request holds the only slot: its body is announced but never finished.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /v1/employers HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"name\":",
        app.addr, app.admin
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.flush().await.unwrap();
    let mut shed = None;
    for _ in 0..50 {
        let r = app.get("/v1/status").await;
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            shed = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let r = shed.expect("a second request is shed while the first holds the slot");
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(
        error_code(r, StatusCode::SERVICE_UNAVAILABLE).await,
        "overloaded"
    );
    drop(slow);
    let mut served = false;
    for _ in 0..50 {
        if app.get("/v1/status").await.status() == StatusCode::OK {
            served = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        served,
        "the slot is free again once the slow request is gone"
    );
}

async fn limits_are_settings_a_smaller_body_limit_answers_413() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(dir.path(), |s| {
        s.max_body_kib = 1;
        s.max_per_page = 5;
    })
    .await;
    let employer = app.employer("Liten AB").await;
    let mut big = warehouse_opening(employer);
    big["description"] = json!("x".repeat(2048));
    let r = app.post("/v1/openings", &big).await;
    assert_eq!(
        error_code(r, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    let r = app.get("/v1/openings?per_page=6").await;
    assert_eq!(
        error_code(r, StatusCode::UNPROCESSABLE_ENTITY).await,
        "page_too_large"
    );
    assert_eq!(
        app.get("/v1/openings?per_page=5").await.status(),
        StatusCode::OK
    );
}

on_both_backends!(
    every_v1_route_asks_for_a_token_and_health_does_not,
    an_address_that_keeps_failing_to_sign_in_must_wait_and_valid_tokens_still_work,
    the_role_by_route_matrix_holds_for_every_route_the_router_serves,
    fields_a_role_may_not_set_are_refused_by_name,
    no_answer_an_employer_can_get_holds_personal_data,
    every_read_of_a_participant_is_logged_once_and_the_log_cannot_change,
    erasure_leaves_no_byte_of_the_person_in_the_data_directory,
    requests_beyond_the_concurrency_limit_are_shed_at_once_with_retry_after,
    limits_are_settings_a_smaller_body_limit_answers_413,
);
