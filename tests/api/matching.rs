use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|s| {
            s["opening_id"]
                .as_i64()
                .or(s["participant_id"].as_i64())
                .expect("id")
        })
        .collect()
}

async fn suggestions_rank_the_fitting_opening_first_and_explain_it() {
    let app = spawn_app().await;
    let employer = app.employer("Lager AB").await;
    let warehouse = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;
    let cleaning = app
        .post_ok("/v1/openings", &cleaning_internship(employer))
        .await;
    // The normalised concepts are echoed: "truckkort" became the TLP 10 certificate concept.
    assert_eq!(warehouse["skills_required"][1]["id"], "CiMi_7ax_tXs");
    assert_eq!(warehouse["occupation"]["code"], "4322");
    assert_eq!(warehouse["swedish_min"], "B1");

    let participant = app.post_ok("/v1/participants", &participant_body()).await;
    assert_eq!(
        participant["skills"][1]["id"], "CiMi_7ax_tXs",
        "Truckkörkort reaches the same concept"
    );
    assert_eq!(participant["swedish_level"], "B1");
    let pid = participant["id"].as_i64().unwrap();

    let body = app
        .get_json(&format!("/v1/participants/{pid}/suggestions"))
        .await;
    let list = &body["suggestions"];
    assert_eq!(
        ids(list),
        vec![
            warehouse["id"].as_i64().unwrap(),
            cleaning["id"].as_i64().unwrap()
        ]
    );
    let top = &list[0];
    assert!(top["score"].as_f64().unwrap() > list[1]["score"].as_f64().unwrap());
    assert_eq!(top["categories"]["must_skills"], 1.0);
    assert_eq!(top["categories"]["occupation"], 1.0);
    assert_eq!(top["evidence"]["swedish_gap_steps"], 0);
    assert_eq!(top["evidence"]["distance_km"], 0.0);
    assert_eq!(
        top["evidence"]["merit_skills_missing"][0]["label"],
        "Kundtjänst"
    );
    assert_eq!(top["weight_profile"]["name"], "default");
    assert_eq!(top["weight_profile"]["version"], 2);
    let second = &list[1];
    assert_eq!(
        second["evidence"]["must_skills_missing"][0]["id"],
        "fZdk_vbt_LhP"
    );
    assert!(second["evidence"]["distance_km"].as_f64().unwrap() > 1.0);

    // kind filters.
    let only = app
        .get_json(&format!(
            "/v1/participants/{pid}/suggestions?kind=internship"
        ))
        .await;
    assert_eq!(
        ids(&only["suggestions"]),
        vec![cleaning["id"].as_i64().unwrap()]
    );

    // The same profile, not stored, answers the same way.
    let mut profile = participant_body();
    profile.as_object_mut().unwrap().remove("name");
    profile.as_object_mut().unwrap().remove("personal_number");
    let adhoc = app.post("/v1/match", &profile).await;
    assert_eq!(adhoc.status(), StatusCode::OK);
    let adhoc: Value = adhoc.json().await.unwrap();
    assert_eq!(ids(&adhoc["suggestions"]), ids(list));
}

async fn hard_filters_exclude_and_say_why() {
    let app = spawn_app().await;
    let employer = app.employer("Filter AB").await;
    let mut strict = warehouse_opening(employer);
    strict["title"] = json!("Strikt svenska");
    strict["swedish_min"] = json!("B2");
    strict["swedish_required"] = json!(true);
    let strict = app.post_ok("/v1/openings", &strict).await;
    let mut licence = warehouse_opening(employer);
    licence["title"] = json!("Lastbil");
    licence["licences"] = json!(["CE"]);
    let licence = app.post_ok("/v1/openings", &licence).await;
    let mut far = warehouse_opening(employer);
    far["title"] = json!("Göteborg");
    far["municipality_code"] = json!("1480");
    let far = app.post_ok("/v1/openings", &far).await;
    let mut expired = warehouse_opening(employer);
    expired["title"] = json!("Sista ansökningsdag passerad");
    expired["deadline"] =
        json!((chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string());
    let expired = app.post_ok("/v1/openings", &expired).await;
    let fine = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;
    let pid = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();

    let body = app
        .get_json(&format!(
            "/v1/participants/{pid}/suggestions?include_excluded=true"
        ))
        .await;
    assert_eq!(
        ids(&body["suggestions"]),
        vec![fine["id"].as_i64().unwrap()]
    );
    assert_eq!(body["excluded_count"], 4);
    let reasons: Vec<(i64, String)> = body["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["opening_id"].as_i64().unwrap(),
                s["evidence"]["excluded"]["reason"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(
            strict["id"].as_i64().unwrap(),
            "swedish_below_strict_minimum".into()
        )),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(licence["id"].as_i64().unwrap(), "missing_licence".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(far["id"].as_i64().unwrap(), "beyond_travel_limit".into())),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(expired["id"].as_i64().unwrap(), "deadline_passed".into())),
        "{reasons:?}"
    );
    let licence_entry = body["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["opening_id"] == licence["id"])
        .unwrap();
    assert_eq!(
        licence_entry["evidence"]["licences_missing"][0]["label"],
        "CE"
    );

    // Without include_excluded the excluded ones are not listed.
    let plain = app
        .get_json(&format!("/v1/participants/{pid}/suggestions"))
        .await;
    assert_eq!(plain["excluded"].as_array().unwrap().len(), 0);
}

async fn candidates_rank_participants_for_an_opening_without_identity() {
    let app = spawn_app().await;
    let employer = app.employer("Kandidat AB").await;
    let mut opening = warehouse_opening(employer);
    opening["licences"] = json!(["truckkort"]);
    let opening = app.post_ok("/v1/openings", &opening).await;
    let strong = app.post_ok("/v1/participants", &participant_body()).await;
    let mut weak = participant_body();
    weak["name"] = json!("Johan Berg");
    weak["skills"] = json!(["städning"]);
    weak["occupations"] = json!([{"code": "9111", "years": 1}]);
    weak["licences"] = json!([]);
    let weak_with_truck = {
        let mut w = weak.clone();
        w["name"] = json!("Sara Ali");
        w["skills"] = json!(["städning", "truckkort"]);
        app.post_ok("/v1/participants", &w).await
    };
    let weak = app.post_ok("/v1/participants", &weak).await;

    let oid = opening["id"].as_i64().unwrap();
    let body = app
        .get_json(&format!(
            "/v1/openings/{oid}/candidates?include_excluded=true"
        ))
        .await;
    let text = body.to_string();
    assert!(
        !text.contains("Amina") && !text.contains("19900101"),
        "candidates are pseudonymised: {text}"
    );
    assert_eq!(
        ids(&body["candidates"]),
        vec![
            strong["id"].as_i64().unwrap(),
            weak_with_truck["id"].as_i64().unwrap()
        ]
    );
    assert!(
        body["candidates"][0]["pseudonym"]
            .as_str()
            .unwrap()
            .starts_with("K-")
    );
    let best = &body["candidates"][0];
    assert_eq!(best["categories"]["must_skills"], 1.0);
    assert_eq!(best["evidence"]["skills_found"][0]["id"], "ijHY_aHk_ADE");
    assert_eq!(best["evidence"]["occupation_match"]["shared_digits"], 4);
    assert_eq!(best["evidence"]["experience_years"], 2.0);
    let second = &body["candidates"][1];
    assert_eq!(
        second["evidence"]["must_skills_missing"][0]["id"],
        "ijHY_aHk_ADE"
    );
    assert_eq!(second["evidence"]["swedish_gap_steps"], 0);
    assert!(second["score"].as_f64().unwrap() < best["score"].as_f64().unwrap());
    // The one without the truck licence is excluded for it.
    assert_eq!(body["excluded"][0]["participant_id"], weak["id"]);
    assert_eq!(
        body["excluded"][0]["evidence"]["excluded"]["reason"],
        "missing_licence"
    );
}

async fn a_closed_opening_leaves_suggestions_and_search_but_stays_readable() {
    let app = spawn_app().await;
    let employer = app.employer("Stäng AB").await;
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;
    let oid = opening["id"].as_i64().unwrap();
    let pid = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let before = app
        .get_json(&format!("/v1/participants/{pid}/suggestions"))
        .await;
    assert_eq!(ids(&before["suggestions"]), vec![oid]);

    let closed = app.delete(&format!("/v1/openings/{oid}")).await;
    assert_eq!(closed.status(), StatusCode::OK);
    let after = app
        .get_json(&format!("/v1/participants/{pid}/suggestions"))
        .await;
    assert!(
        after["suggestions"].as_array().unwrap().is_empty(),
        "{after}"
    );
    let search = app.get_json("/v1/openings?q=lagerarbetare").await;
    assert_eq!(search["total"], 0);
    let read = app.get_json(&format!("/v1/openings/{oid}")).await;
    assert_eq!(read["status"], "closed");
    let r = app.get(&format!("/v1/openings/{oid}/candidates")).await;
    assert_eq!(error_code(r, StatusCode::CONFLICT).await, "opening_closed");
    assert_eq!(app.status().await["openings"], 1);
}

async fn search_uses_swedish_stemming_and_filters() {
    let app = spawn_app().await;
    let employer = app.employer("Sök AB").await;
    let cleaning = app
        .post_ok("/v1/openings", &cleaning_internship(employer))
        .await;
    let warehouse = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;

    let hits = app.get_json("/v1/openings?q=st%C3%A4dare").await;
    assert_eq!(hits["total"], 1, "{hits}");
    assert_eq!(hits["openings"][0]["opening_id"], cleaning["id"]);
    let all = app.get_json("/v1/openings").await;
    assert_eq!(all["total"], 2);
    let vacancies = app.get_json("/v1/openings?kind=vacancy").await;
    assert_eq!(vacancies["openings"][0]["opening_id"], warehouse["id"]);
    assert_eq!(vacancies["total"], 1);
    let solna = app.get_json("/v1/openings?municipality=0184").await;
    assert_eq!(solna["total"], 1);
    assert_eq!(solna["openings"][0]["opening_id"], cleaning["id"]);
    let paged = app.get_json("/v1/openings?per_page=1&page=2").await;
    assert_eq!(paged["openings"].as_array().unwrap().len(), 1);
    assert_eq!(paged["total"], 2);
}

async fn beyond_the_text_hits_every_open_opening_is_still_ranked_and_excluded_pairs_still_show() {
    let app = spawn_app().await;
    let employer = app.employer("Stor AB").await;
    let fine = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await;
    let mut strict = warehouse_opening(employer);
    strict["swedish_min"] = json!("C1");
    strict["swedish_required"] = json!(true);
    let strict = app.post_ok("/v1/openings", &strict).await;
    let cleaning = app
        .post_ok("/v1/openings", &cleaning_internship(employer))
        .await;
    let pid = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/participants/{pid}/suggestions");

    // Every open opening is ranked, the unrelated one last.
    let small = app.get_json(&path).await;
    assert_eq!(
        ids(&small["suggestions"]),
        vec![
            fine["id"].as_i64().unwrap(),
            cleaning["id"].as_i64().unwrap()
        ]
    );

    // With the index handing over fewer text hits than there are openings, the rest still
    // compete on everything but text: the ranking is over every open opening.
    app.engine.set_text_hit_limit(1);
    let cut = app.get_json(&path).await;
    assert_eq!(ids(&cut["suggestions"]), ids(&small["suggestions"]));
    assert_eq!(cut["considered"], small["considered"]);
    let with_excluded = app.get_json(&format!("{path}?include_excluded=true")).await;
    assert_eq!(ids(&with_excluded["suggestions"]), ids(&cut["suggestions"]));
    assert_eq!(with_excluded["excluded"][0]["opening_id"], strict["id"]);
    assert_eq!(
        with_excluded["excluded"][0]["evidence"]["excluded"]["reason"],
        "swedish_below_strict_minimum"
    );
    assert_eq!(
        with_excluded["suggestions"][0]["score"], cut["suggestions"][0]["score"],
        "listing excluded pairs does not change the others' scores"
    );
}

async fn related_skills_and_occupations_count_the_default_travel_limit_excludes_and_evidence_reads_as_words()
 {
    let app = spawn_app().await;
    let employer = app.employer("Omsorg AB").await;
    let care = json!({
        "employer_id": employer,
        "kind": "vacancy",
        "title": "Undersköterska till äldreboende",
        "description": "Vi söker undersköterskor.",
        "occupation": "5321",
        "skills_required": ["Äldreboende"],
        "municipality_code": "0180",
        "places": 1
    });
    let near = app.post_ok("/v1/openings", &care).await;
    let mut far = care.clone();
    far["title"] = json!("Undersköterska i Göteborg");
    far["municipality_code"] = json!("1480");
    let far = app.post_ok("/v1/openings", &far).await;
    // A boendestödjare (5342) from home care, who states no travel limit.
    let participant = app
        .post_ok(
            "/v1/participants",
            &json!({
                "name": "Sara Ali",
                "skills": ["Hemtjänst"],
                "occupations": [{"code": "5342", "years": 2}],
                "swedish_level": "B1",
                "municipality_code": "0180"
            }),
        )
        .await;
    let pid = participant["id"].as_i64().unwrap();

    let body = app
        .get_json(&format!(
            "/v1/participants/{pid}/suggestions?include_excluded=true&explain=text"
        ))
        .await;
    assert_eq!(
        ids(&body["suggestions"]),
        vec![near["id"].as_i64().unwrap()]
    );
    let top = &body["suggestions"][0];
    // Äldreboende is not held, but the related Hemtjänst earns part of its credit.
    let related = &top["evidence"]["skills_related"][0];
    assert_eq!(related["held"]["label"], "Hemtjänst");
    assert_eq!(related["wanted"]["label"], "Äldreboende");
    assert!(top["categories"]["must_skills"].as_f64().unwrap() > 0.0);
    // 5342 shares two digits with 5321 (0.3); the skills both ask for relate them more.
    assert_eq!(
        top["evidence"]["occupation_related"]["participant_code"],
        "5342"
    );
    assert!(top["categories"]["occupation"].as_f64().unwrap() > 0.3);
    let sv: Vec<&str> = top["explanation"]["sv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        sv.contains(&"närliggande: Hemtjänst → Äldreboende"),
        "{sv:?}"
    );
    assert!(sv.contains(&"har 0 av 1 krav"), "{sv:?}");
    assert_eq!(
        top["explanation"]["en"].as_array().unwrap().len(),
        sv.len(),
        "the same sentences in English"
    );

    // Göteborg is past the default 50 km, and the reason says the limit is the default.
    let excluded = &body["excluded"][0];
    assert_eq!(excluded["opening_id"], far["id"]);
    assert_eq!(
        excluded["evidence"]["excluded"]["reason"],
        "beyond_travel_limit"
    );
    assert_eq!(excluded["evidence"]["excluded"]["max_travel_km"], 50.0);
    assert_eq!(excluded["evidence"]["excluded"]["default_limit"], true);
    let last = excluded["explanation"]["sv"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(
        last.as_str()
            .unwrap()
            .ends_with("längre än 50 km (standardgränsen)"),
        "{last}"
    );

    // Sentences only when asked for, and an unknown way of explaining is refused.
    let plain = app
        .get_json(&format!("/v1/participants/{pid}/suggestions"))
        .await;
    assert!(plain["suggestions"][0].get("explanation").is_none());
    let bad = app
        .get(&format!("/v1/participants/{pid}/suggestions?explain=poem"))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

async fn an_opening_changed_after_it_was_presented_is_presented_as_it_is_now() {
    let app = spawn_app().await;
    let employer = app.employer("Byte AB").await;
    let body = warehouse_opening(employer);
    let oid = app.post_ok("/v1/openings", &body).await["id"]
        .as_i64()
        .unwrap();
    let pid = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let suggested = format!("/v1/participants/{pid}/suggestions");
    let titles = |v: &Value, list: &str| -> Vec<String> {
        v[list]
            .as_array()
            .expect("list")
            .iter()
            .map(|s| s["title"].as_str().expect("title").to_owned())
            .collect()
    };
    // Presented twice, so the second answer comes from what the first one kept.
    for _ in 0..2 {
        let before = app.get_json(&suggested).await;
        assert_eq!(
            titles(&before, "suggestions"),
            ["Lagerarbetare till centrallager"]
        );
        let found = app.get_json("/v1/openings?q=centrallager").await;
        assert_eq!(
            titles(&found, "openings"),
            ["Lagerarbetare till centrallager"]
        );
    }

    let mut changed = body.clone();
    changed["title"] = json!("Lagerarbetare till nya lagret");
    changed["places"] = json!(5);
    let r = app.put(&format!("/v1/openings/{oid}"), &changed).await;
    assert_eq!(r.status(), StatusCode::OK);

    let after = app.get_json(&suggested).await;
    assert_eq!(
        titles(&after, "suggestions"),
        ["Lagerarbetare till nya lagret"]
    );
    assert_eq!(after["suggestions"][0]["places"], 5);
    let found = app.get_json("/v1/openings?q=lagerarbetare").await;
    assert_eq!(
        titles(&found, "openings"),
        ["Lagerarbetare till nya lagret"]
    );
    assert_eq!(found["openings"][0]["places"], 5);
}

on_both_backends!(
    related_skills_and_occupations_count_the_default_travel_limit_excludes_and_evidence_reads_as_words,
    suggestions_rank_the_fitting_opening_first_and_explain_it,
    hard_filters_exclude_and_say_why,
    candidates_rank_participants_for_an_opening_without_identity,
    a_closed_opening_leaves_suggestions_and_search_but_stays_readable,
    search_uses_swedish_stemming_and_filters,
    beyond_the_text_hits_every_open_opening_is_still_ranked_and_excluded_pairs_still_show,
    an_opening_changed_after_it_was_presented_is_presented_as_it_is_now,
);
