//! The job matcher's pages: search with filters, an opening's page with its ranked candidates
//! (pseudonymised for employers), and the allocation of a caseload on scarce places with the
//! fairness figures as a small chart.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::layout::{
    self, category_bars, day, explanation, head_row, kind_name, labels, notice, page, text,
    urlencode,
};
use super::session::{Lang, Session};
use super::{WebState, refuse_form};
use crate::model::{Id, Role};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/search", get(search))
        .route(
            "/openings/{id}",
            get(opening).post(super::employer::save_opening),
        )
        .route("/openings/{id}/propose", post(propose_candidate))
        .route("/openings/{id}/close", post(close_opening))
        .route("/allocate", get(allocate_form).post(allocate))
        .route("/allocations/{id}", get(allocation))
}

#[derive(Deserialize, Default)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    occupation: String,
    page: Option<usize>,
}

const PER_PAGE: usize = 20;

async fn search(session: Session, Query(f): Query<SearchForm>) -> Response {
    let l = session.lang;
    let page_no = f.page.unwrap_or(1).max(1);
    let mut uri = format!("/v1/openings?per_page={PER_PAGE}&page={page_no}");
    for (name, value) in [
        ("q", &f.q),
        ("kind", &f.kind),
        ("municipality", &f.municipality),
        ("occupation", &f.occupation),
    ] {
        if !value.trim().is_empty() {
            uri.push_str(&format!("&{name}={}", urlencode(value.trim())));
        }
    }
    let found = session.api.get(uri).await;
    if let Err(f) = &found
        && f.status == StatusCode::FORBIDDEN
    {
        return layout::failure_page(l, f);
    }
    let body = html! {
        h1 { (l.t("Sök platser", "Search openings")) }
        form.search method="get" action="/search" role="search" {
            div.field {
                label for="q" { (l.t("Sökord", "Words")) }
                input id="q" name="q" type="search" value=(f.q);
            }
            div.field {
                label for="kind" { (l.t("Typ", "Kind")) }
                select id="kind" name="kind" {
                    option value="" { (l.t("Alla", "All")) }
                    option value="vacancy" selected[f.kind == "vacancy"] { (l.t("Anställningar", "Jobs")) }
                    option value="internship" selected[f.kind == "internship"] { (l.t("Praktikplatser", "Internships")) }
                }
            }
            div.field {
                label for="municipality" { (l.t("Kommun", "Municipality")) }
                input id="municipality" name="municipality" type="text" value=(f.municipality)
                    data-suggest="municipality" autocomplete="off";
            }
            div.field {
                label for="occupation" { (l.t("Yrke (SSYK eller namn)", "Occupation (SSYK or name)")) }
                input id="occupation" name="occupation" type="text" value=(f.occupation)
                    data-suggest="occupation" autocomplete="off";
            }
            button type="submit" { (l.t("Sök", "Search")) }
        }
        @match &found {
            Err(failure) => {
                div.notice.error role="alert" { p { (failure.message) } }
            }
            Ok(found) => {
                @let hits = found["openings"].as_array().cloned().unwrap_or_default();
                @let total = found["total"].as_u64().unwrap_or(0);
                p role="status" { (total) " " (l.t("platser", "openings")) }
                ul.results {
                    @for h in &hits {
                        @let o = if h["opening"].is_object() { &h["opening"] } else { h };
                        li.card {
                            h2.h3 { a href={ "/openings/" (o["opening_id"].as_i64().unwrap_or_default()) } { (text(o, "title")) } }
                            p.muted {
                                (kind_name(l, text(o, "kind")))
                                @if let Some(m) = o["municipality"].as_str() { " · " (m) }
                                " · " (o["places"].as_u64().unwrap_or(1)) " " (l.t("platser", "places"))
                            }
                        }
                    }
                }
                @if total as usize > page_no * PER_PAGE {
                    a href={ "/search?q=" (urlencode(&f.q)) "&kind=" (urlencode(&f.kind)) "&municipality=" (urlencode(&f.municipality)) "&occupation=" (urlencode(&f.occupation)) "&page=" (page_no + 1) } {
                        (l.t("Nästa sida", "Next page"))
                    }
                }
            }
        }
    };
    // A refused search (an unknown municipality, the index being rebuilt) keeps its status.
    let status = found.as_ref().err().map_or(StatusCode::OK, |f| f.status);
    (
        status,
        page(
            l,
            l.t("Sök platser", "Search openings"),
            Some(&session),
            "/search",
            body,
        ),
    )
        .into_response()
}

#[derive(Deserialize)]
struct OpeningShown {
    done: Option<String>,
}

/// An opening and, for those who may see them, its ranked candidates: pseudonyms for staff,
/// this employer's own codes for an employer.
async fn opening(
    session: Session,
    Path(id): Path<Id>,
    Query(shown): Query<OpeningShown>,
) -> Response {
    let l = session.lang;
    let o = match session.api.get(format!("/v1/openings/{id}")).await {
        Ok(o) => o,
        Err(f) => return layout::failure_page(l, &f),
    };
    let may_rank = super::may_use(&session, "get", "/v1/openings/{id}/candidates");
    let open = o["status"] == "open";
    let ranked = if may_rank && open {
        Some(
            session
                .api
                .get(format!(
                    "/v1/openings/{id}/candidates?limit=20&explain=text"
                ))
                .await,
        )
    } else {
        None
    };
    let employer = session.role == Role::Employer;
    let title = text(&o, "title");
    let body = html! {
        h1 { (title) }
        (notice(l, shown.done.as_deref()))
        (opening_facts(l, &o))
        @if session.role != Role::Coach && open {
            div.actions {
                a href={ "/openings/" (id) "/edit" } { (l.t("Ändra platsen", "Edit the opening")) }
                form method="post" action={ "/openings/" (id) "/close" } {
                    input type="hidden" name="csrf" value=(session.csrf);
                    button type="submit" { (l.t("Stäng platsen", "Close the opening")) }
                }
            }
        }
        @match &ranked {
            None => {}
            Some(Err(f)) => { div.notice.error role="alert" { p { (f.message) } } }
            Some(Ok(ranked)) => {
                @let candidates = ranked["candidates"].as_array().cloned().unwrap_or_default();
                @let suitable = ranked["considered"].as_u64().unwrap_or(0).saturating_sub(ranked["excluded_count"].as_u64().unwrap_or(0));
                section aria-labelledby="candidates-heading" {
                    h2 id="candidates-heading" { (l.t("Kandidater", "Candidates")) }
                    p.count role="status" {
                        strong { (suitable) } " " (l.t("deltagare klarar platsens krav", "participants meet the opening's requirements"))
                        @if employer {
                            ". " (l.t("Du ser dem under koder; vem de är visas först när en placering har börjat.",
                                      "You see them under codes; who they are is shown only once a placement has started."))
                        }
                    }
                    ol.ranked {
                        @for c in &candidates {
                            (candidate(&session, id, c))
                        }
                    }
                }
            }
        }
    };
    let here = if employer { "/employer" } else { "/search" };
    let status = match &ranked {
        Some(Err(f)) => f.status,
        _ => StatusCode::OK,
    };
    (status, page(l, title, Some(&session), here, body)).into_response()
}

pub fn opening_facts(l: Lang, o: &Value) -> Markup {
    html! {
        dl.facts {
            dt { (l.t("Typ", "Kind")) } dd { (kind_name(l, text(o, "kind"))) }
            dt { (l.t("Status", "Status")) } dd { (if o["status"] == "open" { l.t("Öppen", "Open") } else { l.t("Stängd", "Closed") }) }
            @if let Some(occ) = o["occupation"].as_object() {
                dt { (l.t("Yrke", "Occupation")) }
                dd { (occ.get("code").and_then(Value::as_str).unwrap_or("")) " " (occ.get("label").and_then(Value::as_str).unwrap_or("")) }
            }
            dt { (l.t("Kommun", "Municipality")) } dd { (text(o, "municipality")) }
            dt { (l.t("Platser", "Places")) } dd { (o["places"].as_u64().unwrap_or(1)) }
            dt { (l.t("Krav", "Must-have skills")) } dd { (labels(&o["skills_required"])) }
            dt { (l.t("Meriterande", "Merits")) } dd { (labels(&o["skills_merit"])) }
            dt { (l.t("Svenska minst", "Swedish at least")) } dd { (text(o, "swedish_min")) }
            dt { (l.t("Körkort och behörigheter", "Licences")) } dd { (labels(&o["licences"])) }
            dt { (l.t("Start", "Start")) } dd { (day(&o["start_date"])) }
            dt { (l.t("Sista ansökningsdag", "Deadline")) } dd { (day(&o["deadline"])) }
        }
        @if !text(o, "description").is_empty() {
            p.description { (text(o, "description")) }
        }
    }
}

fn candidate(session: &Session, opening_id: Id, c: &Value) -> Markup {
    let l = session.lang;
    // Staff see the unit's pseudonym; an employer its own code. Never a name.
    let code = c["pseudonym"]
        .as_str()
        .or(c["candidate"].as_str())
        .unwrap_or("");
    html! {
        li.card {
            div.card-head {
                h3 { (l.t("Kandidat", "Candidate")) " " code { (code) } }
                span.score aria-label=(l.t("Poäng", "Score")) { (format!("{:.0}", c["score"].as_f64().unwrap_or(0.0) * 100.0)) }
            }
            (category_bars(l, &c["categories"]))
            (explanation(l, c))
            @if let (Some(pid), Role::Matcher | Role::Admin) = (c["participant_id"].as_i64(), session.role) {
                form method="post" action={ "/openings/" (opening_id) "/propose" } {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="participant_id" value=(pid);
                    button type="submit" { (l.t("Föreslå för arbetsgivaren", "Propose to the employer")) }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf: String,
}

/// Closes a filled or withdrawn opening: it leaves search and matching at once.
async fn close_opening(
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<CloseForm>,
) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    match session
        .api
        .call(
            axum::http::Method::DELETE,
            format!("/v1/openings/{id}?wait=indexed"),
            None,
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/openings/{id}?done=closed")).into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

#[derive(Deserialize)]
struct ProposeForm {
    #[serde(default)]
    csrf: String,
    participant_id: Id,
}

async fn propose_candidate(
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<ProposeForm>,
) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    super::propose(
        &session,
        form.participant_id,
        id,
        &format!("/openings/{id}"),
    )
    .await
}

async fn allocate_form(session: Session) -> Response {
    let l = session.lang;
    let policies = match session.api.get("/v1/policies").await {
        Ok(p) => p,
        Err(f) => return layout::failure_page(l, &f),
    };
    let coach = session.role == Role::Coach;
    let body = html! {
        h1 { (l.t("Fördela platser", "Allocate places")) }
        p { (l.t(
            "Varje deltagare får högst ett förslag, platserna räcker till så många som möjligt, och enhetens prioriteringar väger in. Resultatet visar vem som fick vad och varför, och hur det föll ut för olika grupper.",
            "Each participant gets at most one proposal, the places go as far as they can, and the unit's priorities weigh in. The result shows who got what and why, and how it fell out for different groups."
        )) }
        form.stacked method="post" action="/allocate" {
            input type="hidden" name="csrf" value=(session.csrf);
            fieldset {
                legend { (l.t("Vilka", "Who")) }
                div.choice {
                    input type="radio" id="scope-caseload" name="scope" value="caseload" checked[coach] disabled[!coach];
                    label for="scope-caseload" { (l.t("Mina deltagare", "My caseload")) }
                }
                div.choice {
                    input type="radio" id="scope-all" name="scope" value="all" checked[!coach] disabled[coach];
                    label for="scope-all" { (l.t("Alla deltagare", "All participants")) }
                }
            }
            label for="alloc-kind" { (l.t("Typ av plats", "Kind of opening")) }
            select id="alloc-kind" name="kind" {
                option value="" { (l.t("Alla", "All")) }
                option value="vacancy" { (l.t("Anställningar", "Jobs")) }
                option value="internship" { (l.t("Praktikplatser", "Internships")) }
            }
            label for="policy" { (l.t("Prioritering", "Priority policy")) }
            select id="policy" name="policy" {
                @for p in policies.as_array().into_iter().flatten() {
                    option value=(text(p, "name")) { (text(p, "name")) " v" (p["version"].as_i64().unwrap_or(0)) }
                }
            }
            div.choice {
                input type="checkbox" id="apply_policy" name="apply_policy" value="true" checked;
                label for="apply_policy" { (l.t("Tillämpa prioriteringen", "Apply the policy")) }
            }
            button type="submit" { (l.t("Fördela", "Allocate")) }
        }
    };
    page(
        l,
        l.t("Fördela platser", "Allocate places"),
        Some(&session),
        "/allocate",
        body,
    )
    .into_response()
}

#[derive(Deserialize)]
struct AllocateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    apply_policy: Option<String>,
}

async fn allocate(session: Session, Form(form): Form<AllocateForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let mut body = json!({
        "per_participant": 1,
        "apply_policy": form.apply_policy.is_some(),
    });
    if form.scope == "all" {
        body["all"] = json!(true);
    } else {
        body["caseload"] = json!(true);
    }
    if !form.kind.is_empty() {
        body["kind"] = json!(form.kind);
    }
    if !form.policy.is_empty() {
        body["policy"] = json!(form.policy);
    }
    match session.api.post("/v1/allocations", &body).await {
        Ok(a) => Redirect::to(&format!(
            "/allocations/{}",
            a["id"].as_i64().unwrap_or_default()
        ))
        .into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

async fn allocation(session: Session, Path(id): Path<Id>) -> Response {
    let l = session.lang;
    let a = match session.api.get(format!("/v1/allocations/{id}")).await {
        Ok(a) => a,
        Err(f) => return layout::failure_page(l, &f),
    };
    let assignments = a["assignments"].as_array().cloned().unwrap_or_default();
    let unassigned = a["unassigned"].as_array().cloned().unwrap_or_default();
    let body = html! {
        h1 { (l.t("Fördelning", "Allocation")) " " (id) }
        p {
            (assignments.len()) " " (l.t("fick ett förslag", "got a proposal")) ", "
            (unassigned.len()) " " (l.t("blev utan", "went without")) ". "
            (l.t("Prioritering", "Policy")) ": " (text(&a["policy"], "name")) " v" (a["policy"]["version"].as_i64().unwrap_or(0))
        }
        section aria-labelledby="fairness-heading" {
            h2 id="fairness-heading" { (l.t("Andel som fick förslag, per grupp", "Share placed, per group")) }
            (fairness_chart(l, &a["fairness"]))
        }
        section aria-labelledby="assignments-heading" {
            h2 id="assignments-heading" { (l.t("Förslag", "Proposals")) }
            div.table-wrap {
                table {
                    (head_row(l, &[("Deltagare", "Participant"), ("Plats", "Opening"), ("Poäng", "Score"), ("Egen rang", "Own rank"), ("Varför", "Why")]))
                    tbody {
                        @for x in &assignments {
                            tr {
                                td { code { (text(x, "pseudonym")) } }
                                td { a href={ "/openings/" (x["opening_id"].as_i64().unwrap_or_default()) } { (x["opening_id"].as_i64().unwrap_or_default()) } }
                                td { (format!("{:.0}", x["score"].as_f64().unwrap_or(0.0) * 100.0)) }
                                td { (x["own_rank"].as_u64().unwrap_or(0)) }
                                td { (reason(l, &x["reason"])) }
                            }
                        }
                    }
                }
            }
            @if !unassigned.is_empty() {
                h3 { (l.t("Utan förslag", "Without a proposal")) }
                ul {
                    @for u in &unassigned {
                        li { code { (text(u, "pseudonym")) } ": " (reason(l, &u["reason"])) }
                    }
                }
            }
        }
    };
    page(
        l,
        l.t("Fördelning", "Allocation"),
        Some(&session),
        "/allocate",
        body,
    )
    .into_response()
}

/// Why a participant did not get their first choice, or nothing: the API's reason in the
/// page's language (the API writes English; the code says which reason it is).
fn reason(l: Lang, reason: &Value) -> String {
    let taken_by = reason["taken_by"]
        .as_array()
        .map(|by| {
            by.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let opening = reason["opening_id"].as_i64();
    match (l, reason["code"].as_str(), opening) {
        (_, None, _) => String::new(),
        (Lang::En, ..) => text(reason, "message").to_owned(),
        (Lang::Sv, Some("first_choice_taken"), Some(o)) => format!(
            "förstahandsvalet, plats {o}, gick till {taken_by} med högre poäng eller prioritet"
        ),
        (Lang::Sv, Some("all_taken"), Some(o)) => {
            format!("platserna inom räckhåll gick till andra; plats {o} till {taken_by}")
        }
        (Lang::Sv, Some("all_taken"), None) => "platserna inom räckhåll gick till andra".into(),
        (Lang::Sv, Some("no_eligible_opening"), _) => {
            "ingen öppen plats klarar de hårda kraven (resväg, körkort, svenska, sista dag)".into()
        }
        (Lang::Sv, Some("unavailable"), _) => "redan placerad eller har gått vidare".into(),
        (Lang::Sv, ..) => text(reason, "message").to_owned(),
    }
}

/// A fairness group's name for people (`priority:under_25` → "Under 25 år").
fn group_name(l: Lang, group: &str) -> String {
    let (kind, value) = group.split_once(':').unwrap_or((group, ""));
    let (sv, en) = match (kind, value) {
        ("all", _) => ("Alla", "Everyone"),
        ("gender", "woman") => ("Kvinnor", "Women"),
        ("gender", "man") => ("Män", "Men"),
        ("gender", "other") => ("Annat kön", "Other gender"),
        ("gender", _) => ("Kön okänt", "Gender unknown"),
        ("priority", "none") => ("Ingen prioriterad grupp", "No priority group"),
        ("priority", "under_25") => ("Under 25 år", "Under 25"),
        ("priority", "parent") => ("Föräldrar", "Parents"),
        ("priority", "newly_unemployed") => ("Nyligen arbetslösa", "Newly unemployed"),
        ("priority", "long_term_recipient") => ("Långvarigt bistånd", "Long-term support"),
        ("swedish", "unknown") => ("Svenska okänd", "Swedish unknown"),
        ("swedish", level) => return format!("{} {level}", l.t("Svenska", "Swedish")),
        _ => return group.to_owned(),
    };
    l.t(sv, en).to_owned()
}

/// Share placed per group, with the policy and without it, as paired horizontal bars.
fn fairness_chart(l: Lang, fairness: &Value) -> Markup {
    let with = fairness["with_policy"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let without = fairness["without_policy"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let share_without = |group: &str| {
        without
            .iter()
            .find(|g| g["group"] == group)
            .and_then(|g| g["share_placed"].as_f64())
            .unwrap_or(0.0)
    };
    let rows: Vec<(String, f64, f64, u64)> = with
        .iter()
        .filter(|g| g["participants"].as_u64().unwrap_or(0) > 0)
        .map(|g| {
            let group = text(g, "group").to_owned();
            let w = g["share_placed"].as_f64().unwrap_or(0.0);
            let wo = share_without(&group);
            (group, w, wo, g["participants"].as_u64().unwrap_or(0))
        })
        .collect();
    let (label_w, bar_w, row_h) = (150.0, 300.0, 34.0);
    let height = rows.len() as f64 * row_h + 30.0;
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (label_w + bar_w + 60.0) " " (height) } role="img"
                aria-labelledby="fairness-title" preserveAspectRatio="xMinYMin meet" {
                title id="fairness-title" { (l.t("Andel som fick förslag per grupp, med och utan prioritering", "Share placed per group, with and without the policy")) }
                @for (i, (group, w, wo, _)) in rows.iter().enumerate() {
                    @let y = i as f64 * row_h;
                    text x="0" y=(y + 18.0) class="chart-label" { (group_name(l, group)) }
                    rect x=(label_w) y=(y + 4.0) width=(w * bar_w) height="12" class="series-a" {}
                    rect x=(label_w) y=(y + 17.0) width=(wo * bar_w) height="12" class="series-b" {}
                    text x=(label_w + w * bar_w + 4.0) y=(y + 15.0) class="chart-value" { (format!("{:.0} %", w * 100.0)) }
                    text x=(label_w + wo * bar_w + 4.0) y=(y + 28.0) class="chart-value" { (format!("{:.0} %", wo * 100.0)) }
                }
            }
            figcaption {
                span.key.series-a-key { } (l.t("med prioritering", "with the policy")) " "
                span.key.series-b-key { } (l.t("utan prioritering", "without the policy"))
            }
            table.visually-hidden {
                caption { (l.t("Andel som fick förslag", "Share placed")) }
                (head_row(l, &[("Grupp", "Group"), ("Deltagare", "Participants"), ("Med", "With"), ("Utan", "Without")]))
                tbody {
                    @for (group, w, wo, n) in &rows {
                        tr { th scope="row" { (group_name(l, group)) } td { (n) } td { (format!("{:.0} %", w * 100.0)) } td { (format!("{:.0} %", wo * 100.0)) } }
                    }
                }
            }
        }
    }
}
