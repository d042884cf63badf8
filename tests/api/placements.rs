//! Placements over the API: a proposal answered by its employer under a pseudonym, the person
//! revealed only at the start (and logged), steps in order only, a full opening and a placed
//! participant leaving matching, the participant's status following the outcome, the 7-day
//! rule and an employer's monthly cap.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use jobmatch::model::Role;

async fn participant(app: &TestApp, name: &str, skills: Value) -> i64 {
    let mut body = participant_body();
    body["name"] = json!(name);
    body["personal_number"] = Value::Null;
    body["skills"] = skills;
    app.post_ok("/v1/participants", &body).await["id"]
        .as_i64()
        .unwrap()
}

async fn propose(
    app: &TestApp,
    token: &str,
    participant: i64,
    opening: i64,
) -> (StatusCode, Value) {
    let body = json!({"participant_id": participant, "opening_id": opening});
    app.call(token, Method::POST, "/v1/placements", Some(body))
        .await
}

async fn step(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        token,
        Method::PATCH,
        &format!("/v1/placements/{id}"),
        Some(body),
    )
    .await
}

fn ids_of(list: &Value, key: &str, field: &str) -> Vec<i64> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} in {list}"))
        .iter()
        .map(|x| x[field].as_i64().unwrap())
        .collect()
}

async fn a_placement_runs_from_proposal_to_outcome_and_matching_follows() {
    let app = spawn_app().await;
    let employer = app.employer("Städbolaget AB").await;
    let (_, employer_user) = app.token(Role::Employer, Some(employer)).await;
    let internship = app
        .post_ok("/v1/openings", &cleaning_internship(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let other = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let skills = json!(["städning", "Lagerarbetare", "Truckkörkort"]);
    let p = participant(&app, "Faduma Warsame", skills.clone()).await;
    let q = participant(&app, "Karin Öberg", skills).await;
    let suggested = |id: i64| {
        let app = &app;
        async move {
            let s = app
                .get_json(&format!("/v1/participants/{id}/suggestions"))
                .await;
            ids_of(&s, "suggestions", "opening_id")
        }
    };
    assert!(suggested(q).await.contains(&internship));

    let (status, proposal) = propose(&app, &app.coach, p, internship).await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    assert_eq!(proposal["status"], "proposed");
    assert_eq!(proposal["participant_id"], p);
    assert_eq!(proposal["kind"], "internship");
    let id = proposal["id"].as_i64().unwrap();
    let staff_code = proposal["candidate"].as_str().unwrap().to_owned();

    // The same person to the same employer within a week, even for another opening: 409.
    let (status, again) = propose(&app, &app.matcher, p, other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "duplicate_proposal");

    // The employer sees the proposal under its own code and nothing that names the person.
    let (status, listed) = app
        .call(&employer_user, Method::GET, "/v1/placements", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let seen = &listed["placements"][0];
    assert_eq!(seen["id"], id);
    assert!(seen.get("participant_id").is_none(), "{seen}");
    assert!(seen.get("participant").is_none(), "{seen}");
    assert_ne!(seen["candidate"], staff_code);
    let text = listed.to_string();
    assert!(
        !text.contains("Faduma") && !text.contains("Warsame"),
        "{text}"
    );
    assert!(seen["events"][0].get("user_id").is_none());
    assert_eq!(seen["events"][0]["by"], "coach");
    let (status, _) = app
        .call(
            &employer_user,
            Method::GET,
            &format!("/v1/placements?participant_id={p}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Answers: an employer may not end or withdraw; steps only go forward; the form is checked.
    let (status, _) = step(&app, &employer_user, id, json!({"status": "withdrawn"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = step(&app, &employer_user, id, json!({"status": "interview"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "interview");
    let (status, body) = step(&app, &app.coach, id, json!({"status": "interview"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "step_out_of_order");
    let (status, body) = step(
        &app,
        &app.coach,
        id,
        json!({"status": "ended", "outcome": "job"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("step_out_of_order")),
        "an end before a start: {body}"
    );
    let (status, body) = step(
        &app,
        &app.coach,
        id,
        json!({"status": "started", "outcome": "job"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = step(&app, &app.coach, id, json!({"status": "paused"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The employer accepts: the person is revealed to it, and the log says so.
    let (status, started) = step(&app, &employer_user, id, json!({"status": "started"})).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(
        started["participant"]["name"], "Faduma Warsame",
        "{started}"
    );
    assert!(started["started_at"].is_string());
    let log = app.get_json(&format!("/v1/audit?participant={p}")).await;
    // Every answer that showed the candidate is a read; the start is the one that reveals.
    let by_employer: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["role"] == "employer")
        .map(|e| e["route"].as_str().unwrap())
        .collect();
    assert!(by_employer.len() >= 3, "list, interview, start: {log}");
    let revealed: Vec<&&str> = by_employer
        .iter()
        .filter(|r| r.ends_with("(identity revealed)"))
        .collect();
    assert_eq!(revealed.len(), 1, "{log}");
    assert!(
        revealed[0].starts_with("PATCH /v1/placements/{id}"),
        "{log}"
    );

    // The participant's status follows; a full opening and a placed person leave matching.
    let facts = app
        .get_json(&format!("/v1/participants/{p}/programme"))
        .await;
    assert_eq!(facts["facts"]["status"], "internship", "{facts}");
    assert!(
        !suggested(q).await.contains(&internship),
        "a full opening is no suggestion"
    );
    let candidates = app
        .get_json(&format!("/v1/openings/{other}/candidates"))
        .await;
    let listed = ids_of(&candidates, "candidates", "participant_id");
    assert!(listed.contains(&q) && !listed.contains(&p), "{candidates}");
    let (status, body) = propose(&app, &app.coach, q, internship).await;
    assert_eq!(body["error"]["code"], "opening_full", "{status} {body}");
    let other_employer = app.employer("Annan AB").await;
    let elsewhere = app
        .post_ok("/v1/openings", &warehouse_opening(other_employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = propose(&app, &app.coach, p, elsewhere).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("participant_unavailable"))
    );

    // An end needs its outcome, and the status follows it.
    let (status, body) = step(&app, &app.coach, id, json!({"status": "ended"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = step(
        &app,
        &employer_user,
        id,
        json!({"status": "ended", "outcome": "job"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, ended) = step(
        &app,
        &app.coach,
        id,
        json!({"status": "ended", "outcome": "job"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["outcome"], "job");
    let statuses: Vec<&str> = ended["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["proposed", "interview", "started", "ended"]);
    let facts = app
        .get_json(&format!("/v1/participants/{p}/programme"))
        .await;
    assert_eq!(facts["facts"]["status"], "job");
    // In a job: still out of matching. The place is free again.
    let (_, body) = propose(&app, &app.coach, p, elsewhere).await;
    assert_eq!(body["error"]["code"], "participant_unavailable");
    assert!(suggested(q).await.contains(&internship));
    let (status, body) = propose(&app, &app.coach, q, internship).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Someone who has moved on to studies cannot be started, and the refusal names nobody.
    let r = participant(&app, "Rahel Tesfaye", json!(["städning"])).await;
    let (_, proposal) = propose(&app, &app.coach, r, internship).await;
    let facts = json!({"status": "studies"});
    let path = format!("/v1/participants/{r}/programme");
    let (status, _) = app.call(&app.coach, Method::PUT, &path, Some(facts)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = step(
        &app,
        &employer_user,
        proposal["id"].as_i64().unwrap(),
        json!({"status": "started"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("participant_unavailable"))
    );
    assert!(!body.to_string().contains("Rahel"), "{body}");

    // Who sees what: another coach and another employer see nothing.
    let (_, other_coach) = app.token(Role::Coach, None).await;
    let (status, _) = app
        .call(
            &other_coach,
            Method::GET,
            &format!("/v1/placements/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = app
        .call(&other_coach, Method::GET, "/v1/placements", None)
        .await;
    assert_eq!(
        (status, list["placements"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );
    let (_, stranger) = app.token(Role::Employer, Some(other_employer)).await;
    let (status, _) = step(&app, &stranger, id, json!({"status": "declined"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = app
        .call(
            &app.coach,
            Method::GET,
            &format!("/v1/placements?participant_id={p}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids_of(&list, "placements", "id"), [id]);
    app.stop().await;
}

async fn an_employer_s_monthly_cap_holds_proposals_back_until_it_allows() {
    let app = spawn_app().await;
    let employer = app.employer("Lagerhuset AB").await;
    let (_, employer_user) = app.token(Role::Employer, Some(employer)).await;
    let (_, other_employer_user) = app
        .token(Role::Employer, Some(app.employer("Annan AB").await))
        .await;
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let cap_path = format!("/v1/employers/{employer}/cap");
    let (status, cap) = app
        .call(
            &employer_user,
            Method::PUT,
            &cap_path,
            Some(json!({"monthly_proposals": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cap}");
    assert_eq!(
        (cap["monthly_proposals"].clone(), cap["used"].clone()),
        (json!(1), json!(0))
    );
    for (token, want) in [
        (&other_employer_user, StatusCode::NOT_FOUND),
        (&app.coach, StatusCode::FORBIDDEN),
    ] {
        let (status, _) = app
            .call(
                token,
                Method::PUT,
                &cap_path,
                Some(json!({"monthly_proposals": 9})),
            )
            .await;
        assert_eq!(status, want);
    }
    let (status, _) = app
        .call(
            &employer_user,
            Method::PUT,
            &cap_path,
            Some(json!({"monthly_proposals": -1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let a = participant(&app, "Ali Yusuf", json!(["Lagerarbetare"])).await;
    let b = participant(&app, "Bo Ek", json!(["Lagerarbetare"])).await;
    let (_, first) = propose(&app, &app.coach, a, opening).await;
    let (status, second) = propose(&app, &app.coach, b, opening).await;
    assert_eq!(first["status"], "proposed");
    assert_eq!(
        (status, second["status"].clone()),
        (StatusCode::CREATED, json!("waiting")),
        "{second}"
    );
    let second_id = second["id"].as_i64().unwrap();

    let listed = |token: String| {
        let app = &app;
        async move {
            let (_, list) = app.call(&token, Method::GET, "/v1/placements", None).await;
            ids_of(&list, "placements", "id")
        }
    };
    assert_eq!(
        listed(employer_user.clone()).await,
        [first["id"].as_i64().unwrap()]
    );
    let (status, _) = app
        .call(
            &employer_user,
            Method::GET,
            &format!("/v1/placements/{second_id}"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "held back: the employer does not know of it"
    );
    let (_, cap) = app.call(&employer_user, Method::GET, &cap_path, None).await;
    assert_eq!(
        (cap["used"].clone(), cap["waiting"].clone()),
        (json!(1), json!(1)),
        "{cap}"
    );

    // A proposal withdrawn while it waited never reaches the employer, even once there is room.
    let c = participant(&app, "Cia Berg", json!(["Lagerarbetare"])).await;
    let (_, third) = propose(&app, &app.coach, c, opening).await;
    assert_eq!(third["status"], "waiting");
    let third_id = third["id"].as_i64().unwrap();
    let (status, body) = step(&app, &app.coach, third_id, json!({"status": "withdrawn"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Room again: the waiting proposal is released, oldest first, and shown as proposed.
    let (_, cap) = app
        .call(
            &employer_user,
            Method::PUT,
            &cap_path,
            Some(json!({"monthly_proposals": 2})),
        )
        .await;
    assert_eq!(
        (cap["used"].clone(), cap["waiting"].clone()),
        (json!(2), json!(0)),
        "{cap}"
    );
    assert_eq!(listed(employer_user.clone()).await.len(), 2);
    let path = format!("/v1/placements/{third_id}");
    let (status, _) = app.call(&employer_user, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "withdrawn while held back");
    let (_, seen) = app
        .call(
            &employer_user,
            Method::GET,
            &format!("/v1/placements/{second_id}"),
            None,
        )
        .await;
    assert_eq!(seen["status"], "proposed");
    assert_eq!(
        seen["events"].as_array().unwrap().len(),
        1,
        "the wait is not the employer's: {seen}"
    );
    let (_, staff) = app
        .call(
            &app.matcher,
            Method::GET,
            &format!("/v1/placements/{second_id}"),
            None,
        )
        .await;
    let steps: Vec<(&str, &str)> = staff["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["status"].as_str().unwrap(), e["by"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("waiting", "coach"), ("proposed", "system")]);
    app.stop().await;
}

async fn allocations_count_free_places_an_employer_s_room_and_leave_out_the_placed() {
    let app = spawn_app().await;
    let first = app.employer("Första Lager AB").await;
    let capped = app.employer("Andra Lager AB").await;
    let (_, capped_user) = app.token(Role::Employer, Some(capped)).await;
    let mut opening_ids = Vec::new();
    for employer in [first, capped] {
        let id = app
            .post_ok("/v1/openings", &warehouse_opening(employer))
            .await["id"]
            .as_i64()
            .unwrap();
        opening_ids.push(id);
    }
    let mut people = Vec::new();
    for name in ["Ahmed", "Berit", "Cyrus", "Dalia", "Elin"] {
        people.push(participant(&app, name, json!(["Lagerarbetare", "Truckkörkort"])).await);
    }
    // One of the first employer's two places is taken by a started placement.
    let (_, placed) = propose(&app, &app.matcher, people[0], opening_ids[0]).await;
    let placed_id = placed["id"].as_i64().unwrap();
    let (status, body) = step(&app, &app.matcher, placed_id, json!({"status": "started"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The second takes one proposal a month, whatever its two places.
    let cap = json!({"monthly_proposals": 1});
    let path = format!("/v1/employers/{capped}/cap");
    let (status, _) = app.call(&capped_user, Method::PUT, &path, Some(cap)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, allocation) = app
        .call(
            &app.matcher,
            Method::POST,
            "/v1/allocations",
            Some(json!({"all": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{allocation}");
    let per_opening = |o: i64| {
        allocation["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["opening_id"] == o)
            .count()
    };
    assert_eq!(
        per_opening(opening_ids[0]),
        1,
        "one free place: {allocation}"
    );
    assert_eq!(
        per_opening(opening_ids[1]),
        1,
        "room for one proposal: {allocation}"
    );
    let allocated: Vec<i64> = allocation["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["participant_id"].as_i64().unwrap())
        .collect();
    assert!(!allocated.contains(&people[0]));
    let unavailable: Vec<&Value> = allocation["unassigned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["reason"]["code"] == "unavailable")
        .collect();
    assert_eq!(unavailable.len(), 1, "{allocation}");
    assert_eq!(unavailable[0]["participant_id"], people[0]);
    let first_places = allocation["openings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["opening_id"] == opening_ids[0])
        .unwrap()["places"]
        .clone();
    assert_eq!(first_places, 1, "places less started placements");
    app.stop().await;
}

async fn statistics_count_placements_their_outcomes_and_internships_that_became_jobs() {
    let app = spawn_app().await;
    let employer = app.employer("Praktikhuset AB").await;
    let mut internship = cleaning_internship(employer);
    internship["places"] = json!(3);
    let internship = app.post_ok("/v1/openings", &internship).await["id"]
        .as_i64()
        .unwrap();
    let vacancy = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let days_ago = |d: i64| {
        (chrono::Utc::now() - chrono::Duration::days(d))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut people = Vec::new();
    for name in ["Aya", "Bilal", "Cecilia", "Dawit"] {
        let id = participant(&app, name, json!(["städning", "Lagerarbetare"])).await;
        let facts = json!({"unit": "Jobbcentrum Högsbo", "status": "active",
                           "referred_at": days_ago(20), "enrolled_at": days_ago(19)});
        let (status, body) = app
            .call(
                &app.coach,
                Method::PUT,
                &format!("/v1/participants/{id}/programme"),
                Some(facts),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        people.push(id);
    }
    let run = async |who: i64, opening: i64, outcome: Option<&str>| {
        let (_, p) = propose(&app, &app.coach, who, opening).await;
        let id = p["id"].as_i64().unwrap();
        let (status, body) = step(&app, &app.coach, id, json!({"status": "started"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if let Some(outcome) = outcome {
            let (status, body) = step(
                &app,
                &app.coach,
                id,
                json!({"status": "ended", "outcome": outcome}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    run(people[0], internship, Some("job")).await;
    run(people[1], vacancy, None).await;
    run(people[2], internship, Some("returned_to_support")).await;

    let stats = app.get_json("/v1/stats").await;
    let all = &stats["rows"][0];
    assert_eq!(all["enrolled"], 4, "{stats}");
    assert_eq!(all["placed"], 3);
    assert_eq!(all["median_days_to_placement"], 20.0);
    assert_eq!(
        all["by_outcome"],
        json!({"job": 1, "returned_to_support": 1})
    );
    assert_eq!(all["internships_ended"], 2);
    assert_eq!(all["internships_to_jobs"], 0.5);
    // In a job (one ended so, one started a vacancy); the rest back in the programme.
    assert_eq!(
        (all["moved_on"].clone(), all["share_moved_on"].clone()),
        (json!(2), json!(0.5))
    );
    assert_eq!(all["by_status"]["active"], 2);
    assert_eq!(all["by_status"]["job"], 2);

    let by_kind = app.get_json("/v1/stats?group_by=kind").await;
    let rows: Vec<(String, i64)> = by_kind["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_owned(),
                r["enrolled"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("internship".to_owned(), 2),
            ("none".to_owned(), 1),
            ("vacancy".to_owned(), 1)
        ]
    );
    let by_month = app.get_json("/v1/stats?group_by=month").await;
    let months = by_month["rows"].as_array().unwrap();
    assert_eq!(
        months
            .iter()
            .map(|r| r["enrolled"].as_i64().unwrap())
            .sum::<i64>(),
        4
    );
    assert!(
        months
            .iter()
            .all(|r| r["group"].as_str().unwrap().len() == 7),
        "{by_month}"
    );
    let csv = app.get("/v1/stats?format=csv").await.text().await.unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let cell = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        (
            cell("placed"),
            cell("internships_to_jobs"),
            cell("ended_job"),
            cell("job")
        ),
        ("3", "0.5", "1", "2"),
        "{csv}"
    );
    app.stop().await;
}

/// A suggestion's categories for one opening, from a participant's suggestions.
async fn categories_for(app: &TestApp, participant: i64, opening: i64) -> Value {
    let s = app
        .get_json(&format!(
            "/v1/participants/{participant}/suggestions?limit=50"
        ))
        .await;
    let found = s["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["opening_id"] == opening)
        .unwrap_or_else(|| panic!("opening {opening} in {s}"))
        .clone();
    json!({"score": found["score"], "categories": found["categories"]})
}

async fn learning_from_outcomes_is_off_by_default_and_when_on_moves_only_its_own_category() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_in(dir.path()).await;
    let good = app.employer("Goda Lagret AB").await;
    let poor = app.employer("Tysta Lagret AB").await;
    let mut body = warehouse_opening(good);
    body["places"] = json!(10);
    let g = app.post_ok("/v1/openings", &body).await["id"]
        .as_i64()
        .unwrap();
    body["employer_id"] = json!(poor);
    let b = app.post_ok("/v1/openings", &body).await["id"]
        .as_i64()
        .unwrap();
    // Proposals to the first start and end in jobs; those to the second are declined.
    for (opening, steps) in [
        (
            g,
            vec![
                json!({"status": "started"}),
                json!({"status": "ended", "outcome": "job"}),
            ],
        ),
        (b, vec![json!({"status": "declined"})]),
    ] {
        for i in 0..4 {
            let who = participant(
                &app,
                &format!("Historik {opening} {i}"),
                json!(["Lagerarbetare"]),
            )
            .await;
            let (_, p) = propose(&app, &app.matcher, who, opening).await;
            for s in &steps {
                let (status, body) =
                    step(&app, &app.matcher, p["id"].as_i64().unwrap(), s.clone()).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
        }
    }
    let q = participant(&app, "Nu Sökande", json!(["Lagerarbetare", "Truckkörkort"])).await;
    let off = (
        categories_for(&app, q, g).await,
        categories_for(&app, q, b).await,
    );
    assert_eq!(
        off.0, off.1,
        "off: two openings alike but for their history score alike"
    );
    assert_eq!(off.0["categories"]["track_record"], Value::Null);
    app.stop().await;

    let profile = dir.path().join("learning.json");
    std::fs::write(
        &profile,
        r#"{"name": "learning", "version": 1, "weights": {"track_record": 0.3}}"#,
    )
    .unwrap();
    let path = profile.clone();
    let app = spawn_app_with(dir.path(), move |s| {
        s.data.weight_profile = Some(path.clone())
    })
    .await;
    let on = (
        categories_for(&app, q, g).await,
        categories_for(&app, q, b).await,
    );
    let (good_record, poor_record) = (
        on.0["categories"]["track_record"].as_f64().unwrap(),
        on.1["categories"]["track_record"].as_f64().unwrap(),
    );
    assert!(good_record > 0.6 && poor_record < 0.4, "{on:?}");
    assert!(on.0["score"].as_f64() > on.1["score"].as_f64(), "{on:?}");
    for (before, after) in [(&off.0, &on.0), (&off.1, &on.1)] {
        for (name, value) in before["categories"].as_object().unwrap() {
            if name != "track_record" {
                assert_eq!(&after["categories"][name], value, "{name} moved");
            }
        }
    }
    app.stop().await;
}

on_both_backends!(
    learning_from_outcomes_is_off_by_default_and_when_on_moves_only_its_own_category,
    statistics_count_placements_their_outcomes_and_internships_that_became_jobs,
    a_placement_runs_from_proposal_to_outcome_and_matching_follows,
    an_employer_s_monthly_cap_holds_proposals_back_until_it_allows,
    allocations_count_free_places_an_employer_s_room_and_leave_out_the_placed,
);
