//! Allocations over the API: scarce places go where the total weighted score is highest,
//! each outcome is explained by pseudonym, the scores are the suggestions' own, a priority
//! policy set by an admin tips a contested place and the fairness figures show what it cost
//! whom, and bad requests are refused by name.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// A participant like `participant_body`, with its own name, years and priority groups.
fn person(name: &str, years: f64, groups: &[&str]) -> Value {
    let mut body = participant_body();
    body["name"] = json!(name);
    body["personal_number"] = Value::Null;
    body["occupations"] = json!([{"code": "4322", "years": years}]);
    body["priority_groups"] = json!(groups);
    body
}

async fn create(app: &TestApp, body: &Value) -> i64 {
    app.post_ok("/v1/participants", body).await["id"]
        .as_i64()
        .unwrap()
}

fn assigned(allocation: &Value) -> Vec<(i64, i64)> {
    allocation["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["participant_id"].as_i64().unwrap(),
                a["opening_id"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn group<'a>(figures: &'a Value, name: &str) -> &'a Value {
    figures
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("no group {name} in {figures}"))
}

async fn scarce_places_go_to_the_best_total_and_every_outcome_is_explained() {
    let app = spawn_app().await;
    let employer = app.employer("Centrallagret AB").await;
    let mut one_place = warehouse_opening(employer);
    one_place["places"] = json!(1);
    let warehouse = app.post_ok("/v1/openings", &one_place).await["id"]
        .as_i64()
        .unwrap();
    let mut other = warehouse_opening(employer);
    other["title"] = json!("Lagerarbetare, kvällsskift");
    other["places"] = json!(1);
    other["skills_merit"] = json!([]);
    other["hours"] = json!("part");
    let evening = app.post_ok("/v1/openings", &other).await["id"]
        .as_i64()
        .unwrap();
    let mut amina = person("Amina Hassan", 4.0, &["parent"]);
    amina["gender"] = json!("woman");
    let first = create(&app, &amina).await;
    // Gender is the coach's to see, for statistics; a job matcher's view has none.
    assert_eq!(
        app.get_json(&format!("/v1/participants/{first}")).await["gender"],
        "woman"
    );
    let seen = app
        .send(
            reqwest::Method::GET,
            &format!("/v1/participants/{first}/profile"),
            Some(&app.matcher),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !seen.contains("gender") && !seen.contains("woman"),
        "{seen}"
    );
    let ids = [
        first,
        create(&app, &person("Bashir Omar", 2.0, &[])).await,
        create(&app, &person("Carmen Ruiz", 1.0, &["long_term_recipient"])).await,
    ];

    let r = app
        .send(
            reqwest::Method::POST,
            "/v1/allocations",
            Some(&app.matcher),
            Some(&json!({"all": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let text = r.text().await.unwrap();
    for name in ["Amina", "Bashir", "Carmen"] {
        assert!(!text.contains(name), "an allocation names no one: {text}");
    }
    let allocation: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(allocation["policy"]["name"], "equal");
    assert_eq!(allocation["policy"]["version"], 0);
    let pairs = assigned(&allocation);
    assert_eq!(pairs.len(), 2, "two places in all: {allocation}");
    for opening in [warehouse, evening] {
        assert_eq!(pairs.iter().filter(|(_, o)| *o == opening).count(), 1);
    }
    let unassigned = allocation["unassigned"].as_array().unwrap();
    assert_eq!(unassigned.len(), 1);
    assert_eq!(unassigned[0]["reason"]["code"], "all_taken");
    assert!(
        !unassigned[0]["reason"]["taken_by"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Whoever did not get their first choice is told who did.
    let holders = |opening: &Value| -> Value {
        allocation["openings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["opening_id"] == *opening)
            .map_or(json!([]), |o| o["proposed"].clone())
    };
    for a in allocation["assignments"].as_array().unwrap() {
        let pid = a["participant_id"].as_i64().unwrap();
        let suggestions = app
            .get_json(&format!("/v1/participants/{pid}/suggestions"))
            .await;
        let list = suggestions["suggestions"].as_array().unwrap();
        let first = &list[0]["opening_id"];
        if a["own_rank"] == 1 {
            assert_eq!(a["opening_id"], *first);
            assert_eq!(a["reason"], Value::Null, "{a}");
        } else {
            assert_eq!(a["reason"]["code"], "first_choice_taken", "{a}");
            assert_eq!(a["reason"]["opening_id"], *first);
            assert_eq!(a["reason"]["taken_by"], holders(first));
        }
        // The score and the rank are the suggestions' own.
        let rank = a["own_rank"].as_u64().unwrap() as usize;
        assert_eq!(list[rank - 1]["opening_id"], a["opening_id"]);
        assert_eq!(list[rank - 1]["score"], a["score"]);
    }
    let proposed: usize = allocation["openings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let n = o["proposed"].as_array().unwrap().len();
            assert!(n as u64 <= o["places"].as_u64().unwrap());
            n
        })
        .sum();
    assert_eq!(proposed, 2);
    let women = group(&allocation["fairness"]["with_policy"], "gender:woman");
    assert_eq!(women["participants"], 1);
    assert_eq!(
        group(&allocation["fairness"]["without_policy"], "gender:unknown")["participants"],
        2
    );
    let all = group(&allocation["fairness"]["with_policy"], "all");
    assert_eq!(
        (all["participants"].as_u64(), all["placed"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(allocation["inputs"]["participants"], json!(ids));
    assert_eq!(allocation["inputs"]["top_n"], 30);

    // Stored as answered.
    let id = allocation["id"].as_i64().unwrap();
    let again = app.get_json(&format!("/v1/allocations/{id}")).await;
    assert_eq!(again, allocation);
    app.stop().await;
}

async fn a_priority_policy_tips_a_contested_place_and_the_figures_show_its_cost() {
    let app = spawn_app().await;
    let employer = app.employer("Centrallagret AB").await;
    let mut one_place = warehouse_opening(employer);
    one_place["places"] = json!(1);
    let opening = app.post_ok("/v1/openings", &one_place).await["id"]
        .as_i64()
        .unwrap();
    let seasoned = create(&app, &person("Dana Berg", 3.0, &[])).await;
    let parent = create(&app, &person("Elif Kaya", 1.0, &["parent"])).await;
    let body = json!({"participants": [seasoned, parent]});

    let equal = app.post_ok("/v1/allocations", &body).await;
    assert_eq!(assigned(&equal), [(seasoned, opening)], "{equal}");

    let r = app
        .send(
            reqwest::Method::PUT,
            "/v1/policies/stockholm",
            Some(&app.admin),
            Some(&json!({"weights": {"parent": 1.1}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let set: Value = app
        .send(
            reqwest::Method::PUT,
            "/v1/policies/stockholm",
            Some(&app.admin),
            Some(&json!({"weights": {"parent": 1.5, "under_25": 1.2}})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(set["version"], 2, "{set}");
    let listed = app.get_json("/v1/policies").await;
    assert_eq!(listed[0]["name"], "stockholm");
    assert_eq!(listed[0]["version"], 2);

    let weighted = app.post_ok("/v1/allocations", &body).await;
    assert_eq!(weighted["policy"]["name"], "stockholm");
    assert_eq!(weighted["policy"]["version"], 2);
    assert_eq!(assigned(&weighted), [(parent, opening)], "{weighted}");
    let with = group(&weighted["fairness"]["with_policy"], "priority:parent");
    let without = group(&weighted["fairness"]["without_policy"], "priority:parent");
    assert_eq!(
        (with["placed"].as_u64(), without["placed"].as_u64()),
        (Some(1), Some(0))
    );
    let none = group(&weighted["fairness"]["with_policy"], "priority:none");
    assert_eq!(none["placed"], 0);
    let lost = &weighted["unassigned"][0]["reason"];
    assert_eq!(lost["opening_id"], opening);
    assert!(
        lost["message"]
            .as_str()
            .unwrap()
            .contains("higher score or priority")
    );

    // The policy can be left out, and still echoed.
    let mut plain = body.clone();
    plain["apply_policy"] = json!(false);
    let unweighted = app.post_ok("/v1/allocations", &plain).await;
    assert_eq!(unweighted["policy"]["name"], "stockholm");
    assert_eq!(assigned(&unweighted), [(seasoned, opening)]);
    // Two proposals each, when asked: the opening still has one place.
    let mut two = body.clone();
    two["per_participant"] = json!(2);
    assert_eq!(
        assigned(&app.post_ok("/v1/allocations", &two).await).len(),
        1
    );
    app.stop().await;
}

async fn bad_allocation_requests_are_refused_by_name() {
    let app = spawn_app().await;
    let id = create(&app, &person("Fatima Ali", 1.0, &[])).await;
    for (body, field) in [
        (json!({"participants": [id], "all": true}), "participants"),
        (json!({}), "participants"),
        (
            json!({"all": true, "per_participant": 0}),
            "per_participant",
        ),
        (
            json!({"all": true, "per_participant": 11}),
            "per_participant",
        ),
        (json!({"all": true, "policy": "nowhere"}), "policy"),
        (json!({"caseload": true}), "caseload"),
    ] {
        let r = app
            .send(
                reqwest::Method::POST,
                "/v1/allocations",
                Some(&app.matcher),
                Some(&body),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    let r = app
        .send(
            reqwest::Method::POST,
            "/v1/allocations",
            Some(&app.matcher),
            Some(&json!({"participants": [id + 1000]})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .send(
            reqwest::Method::POST,
            "/v1/allocations",
            Some(&app.coach),
            Some(&json!({"all": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for (path, body) in [
        ("/v1/policies/stockholm", json!({"weights": {"parent": 50}})),
        (
            "/v1/policies/Bad%20Name",
            json!({"weights": {"parent": 1.2}}),
        ),
        ("/v1/policies/equal", json!({"weights": {"parent": 1.2}})),
        (
            "/v1/policies/stockholm",
            json!({"weights": {"pensioner": 1.2}}),
        ),
    ] {
        let r = app
            .send(reqwest::Method::PUT, path, Some(&app.admin), Some(&body))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}"
        );
    }
    assert_eq!(app.get_json("/v1/policies").await[0]["name"], "equal");
    app.stop().await;
}

/// `jobmatch allocate` over the demo data: everyone, then two by id without the policy.
async fn the_command_line_allocates_the_demo_caseloads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("demo.json");
    let out = crate::cli::jobmatch().args(["demo"]).output().unwrap();
    std::fs::write(&file, &out.stdout).unwrap();
    let run = |args: &[&str]| crate::cli::run_ok(&data, args).into_bytes();
    run(&["import", file.to_str().unwrap()]);
    let all: Value = serde_json::from_slice(&run(&["allocate", "--all"])).unwrap();
    let participants = all["inputs"]["participants"].as_array().unwrap().len();
    assert!(participants >= 200, "{participants}");
    let placed = all["assignments"].as_array().unwrap().len();
    assert_eq!(
        placed + all["unassigned"].as_array().unwrap().len(),
        participants
    );
    assert!(placed > participants / 2, "{placed} of {participants}");
    let two: Value =
        serde_json::from_slice(&run(&["allocate", "--participants", "1,2", "--no-policy"]))
            .unwrap();
    assert_eq!(two["inputs"]["participants"], json!([1, 2]));
    assert_eq!(two["inputs"]["apply_policy"], false);
    assert!(two["id"].as_i64().unwrap() > all["id"].as_i64().unwrap());
    let gaps: Value = serde_json::from_slice(&run(&["gaps", "1"])).unwrap();
    assert_eq!(gaps["participant_id"], 1);
    assert_eq!(gaps["plan"], gaps["gaps"][0]);
    let exposure: Value = serde_json::from_slice(&run(&["fairness"])).unwrap();
    assert_eq!(exposure["allocations"], 2, "{exposure}");
    let all = exposure["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "all")
        .unwrap();
    assert_eq!(all["participants"].as_u64().unwrap() as usize, participants);
}

/// Exposure by group over a period: suggestions shown, candidate lists, allocations.
async fn exposure_is_counted_by_group_over_a_period() {
    let app = spawn_app().await;
    let employer = app.employer("Centrallagret AB").await;
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let mut parent = person("Gul Demir", 2.0, &["parent"]);
    parent["gender"] = json!("woman");
    let parent = create(&app, &parent).await;
    let other = create(&app, &person("Hassan Nur", 2.0, &[])).await;
    for _ in 0..2 {
        app.get_json(&format!("/v1/participants/{parent}/suggestions"))
            .await;
    }
    app.get_json(&format!("/v1/participants/{other}/suggestions"))
        .await;
    let r = app
        .send(
            reqwest::Method::GET,
            &format!("/v1/openings/{opening}/candidates"),
            Some(&app.matcher),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let allocation = app
        .post_as(
            &app.matcher,
            "/v1/allocations",
            &json!({"participants": [parent]}),
        )
        .await;
    assert_eq!(assigned(&allocation).len(), 1);

    let today = chrono::Utc::now().date_naive();
    let path = format!("/v1/fairness?from={today}&to={today}");
    let r = app
        .send(reqwest::Method::GET, &path, Some(&app.matcher), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let exposure: Value = r.json().await.unwrap();
    assert_eq!(exposure["allocations"], 1, "{exposure}");
    let all = group(&exposure["groups"], "all");
    assert_eq!(all["participants"], 2);
    assert_eq!(all["suggestion_views"], 3);
    assert_eq!(all["candidate_appearances"], 2);
    let parents = group(&exposure["groups"], "priority:parent");
    assert_eq!(parents["suggestion_views"], 2);
    assert_eq!(parents["suggestion_views_per_participant"], 2.0);
    assert_eq!(
        (
            parents["allocations_included"].as_i64(),
            parents["proposals"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(parents["share_proposed"], 1.0);
    assert_eq!(
        group(&exposure["groups"], "priority:none")["share_proposed"],
        0.0
    );
    assert_eq!(
        group(&exposure["groups"], "gender:woman")["participants"],
        1
    );

    // A period before any of it saw nothing.
    let before = app
        .get_json("/v1/fairness?from=2020-01-01&to=2020-12-31")
        .await;
    assert_eq!(before["allocations"], 0);
    assert_eq!(group(&before["groups"], "all")["suggestion_views"], 0);
    for bad in [
        "/v1/fairness?from=2026-12-31&to=2026-01-01",
        "/v1/fairness?from=yesterday",
        "/v1/fairness?since=2026-01-01",
    ] {
        let r = app
            .send(reqwest::Method::GET, bad, Some(&app.matcher), None)
            .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    app.stop().await;
}

on_both_backends!(
    exposure_is_counted_by_group_over_a_period,
    the_command_line_allocates_the_demo_caseloads,
    scarce_places_go_to_the_best_total_and_every_outcome_is_explained,
    a_priority_policy_tips_a_contested_place_and_the_figures_show_its_cost,
    bad_allocation_requests_are_refused_by_name,
);
