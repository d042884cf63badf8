//! The page at `/`, over HTTP as a browser sends it: sign-in with a cookie, forms that must
//! carry their CSRF token and come from this site, the same rights as the API (an employer's
//! pages name nobody until a placement starts), and reads of participants logged. The flows
//! in a real browser are in `tests/browser/`.

use reqwest::header::{COOKIE, LOCATION, ORIGIN, REFERER, SET_COOKIE};
use reqwest::{Client, StatusCode, redirect};
use serde_json::{Value, json};

use crate::helpers::*;
use jobmatch::model::Role;

/// A browser-like client that does not follow redirects, so the test sees them.
fn browser() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// Signs in through the form; the session cookie as the browser would send it back.
async fn sign_in(app: &TestApp, token: &str) -> String {
    let r = browser()
        .post(app.url("/sign-in"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    set.split(';').next().unwrap().to_owned()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = browser()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The CSRF token a page's forms carry.
fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 32].to_owned()
}

async fn post_form<F: serde::Serialize + ?Sized>(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &F,
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = browser()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(form);
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    request.send().await.unwrap()
}

async fn sign_in_keeps_the_token_in_a_strict_cookie_and_forms_need_their_csrf_token() {
    let app = spawn_app().await;
    let home = browser().get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(
        home.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"sv\">") && html.contains("action=\"/sign-in\""));

    let refused = browser()
        .post(app.url("/sign-in"))
        .form(&[("token", "jm_0000000000000000_00")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().get(SET_COOKIE).is_none());

    let id = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let cookie = sign_in(&app, &app.coach).await;
    let (status, caseload) = page(&app, &cookie, "/caseload").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        caseload.contains("Amina Hassan"),
        "the coach sees their caseload"
    );
    let csrf = csrf_in(&caseload);
    let origin = format!("http://{}", app.addr);
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("name", "Amina Hassan".to_owned()),
            ("skills", "lagerarbete".to_owned()),
            ("occupation", "4322".to_owned()),
            ("years", "3".to_owned()),
            ("swedish_level", "B2".to_owned()),
            ("municipality_code", "0180".to_owned()),
            ("max_travel_km", "55".to_owned()),
            ("licences", "B".to_owned()),
            ("available_from", "2027-01-01".to_owned()),
        ]
    };
    let path = format!("/participants/{id}");
    // Without the token, or from another site, nothing changes.
    let r = post_form(&app, &cookie, &path, &form("forged"), Some(&origin)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post_form(
        &app,
        &cookie,
        &path,
        &form(&csrf),
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let unchanged = app.get_json(&format!("/v1/participants/{id}")).await;
    assert_eq!(unchanged["max_travel_km"], 30.0);

    let r = post_form(&app, &cookie, &path, &form(&csrf), Some(&origin)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()[LOCATION],
        format!("/participants/{id}?done=saved")
    );
    let changed = app.get_json(&format!("/v1/participants/{id}")).await;
    assert_eq!(changed["max_travel_km"], 55.0);
    assert_eq!(changed["swedish_level"], "B2");
    // What the form does not show is kept.
    assert_eq!(changed["personal_number"], "19900101-1234");
    assert_eq!(changed["priority_groups"], json!(["parent"]));

    // Registering from the page puts the participant on this coach's caseload.
    let r = post_form(
        &app,
        &cookie,
        "/participants/new",
        &[
            ("csrf", csrf.as_str()),
            ("name", "Nour Karim"),
            ("contact", "070-123 45 67"),
            ("skills", "Post, sorteringsvana; städning"),
            ("swedish_level", "A2"),
            ("municipality_code", "Solna"),
        ],
        Some(&origin),
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()[LOCATION].to_str().unwrap().to_owned();
    let new_id: i64 = to
        .trim_start_matches("/participants/")
        .trim_end_matches("?done=registered")
        .parse()
        .unwrap();
    let registered = app.get_json(&format!("/v1/participants/{new_id}")).await;
    assert_eq!(registered["name"], "Nour Karim");
    assert_eq!(registered["contact"], "070-123 45 67");
    assert_eq!(registered["municipality_code"], "0184");
    // A label with a comma stays one skill.
    assert_eq!(
        registered["skills"].as_array().unwrap().len(),
        2,
        "{registered}"
    );
    let caseload = app.get_json("/v1/participants").await;
    assert!(
        caseload
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["participant_id"] == new_id)
    );

    // A coach does not post openings: the form is refused as the API would refuse it.
    let (status, _) = page(&app, &cookie, "/openings/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The page's read of the participant is in the access log, as the API's route.
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Platser som passar") && html.contains("öppnar flest dörrar"));
    let log = app.get_json(&format!("/v1/audit?participant={id}")).await;
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["route"].as_str())
        .collect();
    assert!(
        actions.contains(&"GET /v1/participants/{id}/suggestions"),
        "{actions:?}"
    );

    // Signed out, the cookie is cleared and pages lead to the sign-in.
    let r = post_form(&app, &cookie, "/sign-out", &[("csrf", csrf.as_str())], None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, _) = page(
        &app,
        "__Host-jobmatch_session=jm_0000000000000000_00",
        "/caseload",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A second session cookie beside the real one (planted by another site) is trusted by no one.
    let other = sign_in(&app, &app.matcher).await;
    let (status, _) = page(&app, &format!("{cookie}; {other}"), "/search").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// An employer with its warehouse vacancy, a participant who fits it, and an employer token.
async fn employer_world(app: &TestApp) -> (i64, i64, i64, String) {
    let employer = app.employer("Lager AB").await;
    let opening = app
        .post_ok("/v1/openings", &warehouse_opening(employer))
        .await["id"]
        .as_i64()
        .unwrap();
    let participant = app.post_ok("/v1/participants", &participant_body()).await["id"]
        .as_i64()
        .unwrap();
    let (_, token) = app.token(Role::Employer, Some(employer)).await;
    (employer, opening, participant, token)
}

async fn an_employer_s_pages_show_codes_and_no_name_until_a_placement_starts() {
    let app = spawn_app().await;
    let (employer, opening, participant, token) = employer_world(&app).await;
    let cookie = sign_in(&app, &token).await;

    let (status, home) = page(&app, &cookie, "/employer").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Lagerarbetare till centrallager"));
    // How many fit, counted without listing anyone: no read of a participant is logged.
    let listed = app
        .call(
            &token,
            reqwest::Method::GET,
            &format!("/v1/employers/{employer}/openings"),
            None,
        )
        .await
        .1;
    assert_eq!(listed[0]["id"], opening);
    assert_eq!(listed[0]["suitable_candidates"], 1, "{listed}");
    let log = app
        .get_json(&format!("/v1/audit?participant={participant}"))
        .await;
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["role"] != "employer"),
        "{log}"
    );
    let (status, opening_page) = page(&app, &cookie, &format!("/openings/{opening}")).await;
    assert_eq!(status, StatusCode::OK);
    let ranked = app
        .call(
            &token,
            reqwest::Method::GET,
            &format!("/v1/openings/{opening}/candidates"),
            None,
        )
        .await
        .1;
    let code = ranked["candidates"][0]["candidate"].as_str().unwrap();
    assert!(
        opening_page.contains(code),
        "the employer's own code for the candidate"
    );
    for html in [&home, &opening_page] {
        assert!(!html.contains("Amina Hassan"));
    }
    // Staff pages answer an employer with a refusal, never the data.
    for path in [
        "/caseload".to_owned(),
        format!("/participants/{participant}"),
    ] {
        let (status, html) = page(&app, &cookie, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(!html.contains("Amina Hassan"));
    }

    let placement = app
        .post_ok(
            "/v1/placements",
            &json!({"participant_id": participant, "opening_id": opening}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let (_, home) = page(&app, &cookie, "/employer").await;
    assert!(home.contains("Kalla till intervju") && !home.contains("Amina Hassan"));
    let csrf = csrf_in(&home);
    let answer = format!("/placements/{placement}/answer");
    for step in ["interview", "started"] {
        let r = post_form(
            &app,
            &cookie,
            &answer,
            &[("csrf", csrf.as_str()), ("status", step)],
            None,
        )
        .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{step}");
        let (_, home) = page(&app, &cookie, "/employer").await;
        // The name appears once the placement has started, and not before.
        assert_eq!(home.contains("Amina Hassan"), step == "started", "{step}");
    }
    let seen: Value = app.get_json(&format!("/v1/placements/{placement}")).await;
    assert_eq!(seen["status"], "started");
}

async fn unknown_paths_answer_json_under_v1_and_a_page_elsewhere() {
    let app = spawn_app().await;
    let r = browser()
        .get(app.url("/v1/no-such-route"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(r, StatusCode::NOT_FOUND).await, "not_found");
    let r = browser()
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );

    // The language follows the page it was chosen on, and never leaves the site.
    let r = browser()
        .get(app.url("/lang/en"))
        .header(REFERER, app.url("/caseload?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/caseload?x=1");
    assert!(
        r.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("jobmatch_lang=en")
    );
    let r = browser()
        .get(app.url("/lang/en"))
        .header(REFERER, "http://evil.example/x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/");

    // Taxonomy suggestions as a field is typed, through the page's session.
    let cookie = sign_in(&app, &app.coach).await;
    // What the extractors refuse is a page too, with the right status.
    let (status, html) = page(&app, &cookie, "/participants/not-a-number").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("<html lang=\"sv\">"), "{html}");
    let (status, body) = page(&app, &cookie, "/suggest?kind=municipality&q=goteb").await;
    assert_eq!(status, StatusCode::OK);
    let found: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(found[0]["value"], "1480");
}

async fn failed_sign_ins_on_the_form_are_slowed_down_like_the_api_s() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(dir.path(), |s| s.sign_in_failures_per_minute = 2).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = browser()
            .post(app.url("/sign-in"))
            .form(&[("token", "jm_0000000000000000_00")])
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status());
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    // Guessing through the cookie counts the same.
    let (status, _) = page(
        &app,
        "__Host-jobmatch_session=jm_0000000000000000_00",
        "/caseload",
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Which role may open which page, as the API's rights decide: 200, a 403 page, or the
/// sign-in for no session.
async fn every_page_answers_each_role_as_the_api_s_rights_decide() {
    let app = spawn_app().await;
    let (_, opening, participant, employer_token) = employer_world(&app).await;
    let mut sessions = Vec::new();
    for (role, token) in [
        ('a', app.admin.clone()),
        ('c', app.coach.clone()),
        ('m', app.matcher.clone()),
        ('e', employer_token),
    ] {
        sessions.push((role, sign_in(&app, &token).await));
    }
    sessions.push(('-', "__Host-jobmatch_session=none".to_owned()));
    // a = admin, c = coach, m = matcher, e = employer: who gets the page.
    let pages = [
        ("/caseload".to_owned(), "ac"),
        (format!("/participants/{participant}"), "ac"),
        ("/search?q=lager".to_owned(), "acm"),
        (format!("/openings/{opening}"), "acme"),
        ("/openings/new".to_owned(), "ame"),
        (format!("/openings/{opening}/edit"), "ame"),
        ("/allocate".to_owned(), "acm"),
        ("/employer".to_owned(), "e"),
        ("/stats".to_owned(), "acm"),
        ("/suggest?kind=skill&q=lager".to_owned(), "acme"),
    ];
    for (path, allowed) in &pages {
        for (role, cookie) in &sessions {
            let (status, body) = page(&app, cookie, path).await;
            let want = match role {
                '-' => StatusCode::SEE_OTHER,
                r if allowed.contains(*r) => StatusCode::OK,
                _ => StatusCode::FORBIDDEN,
            };
            assert_eq!(status, want, "{role} {path}");
            if *role == 'e' {
                assert!(!body.contains("Amina Hassan"), "{path}");
            }
        }
    }
}

on_both_backends!(
    every_page_answers_each_role_as_the_api_s_rights_decide,
    failed_sign_ins_on_the_form_are_slowed_down_like_the_api_s,
    sign_in_keeps_the_token_in_a_strict_cookie_and_forms_need_their_csrf_token,
    an_employer_s_pages_show_codes_and_no_name_until_a_placement_starts,
    unknown_paths_answer_json_under_v1_and_a_page_elsewhere,
);
