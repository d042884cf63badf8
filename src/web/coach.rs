//! The coach's pages: the caseload with the programme clocks, and a participant's page with
//! their profile (editable), the openings that fit with a bar per category and the evidence
//! in words, the one change that opens most doors, and a proposal button per opening.

use std::collections::BTreeMap;

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::{day_over, number, optional, term_field, terms, unchanged_terms};
use super::layout::{
    self, category_bars, day, explanation, head_row, kind_name, notice, page, status_name, text,
};
use super::session::Session;
use super::{WebState, refuse_form};
use crate::model::{Id, ProgrammeStatus, SwedishLevel};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/caseload", get(caseload))
        .route("/participants/new", get(new_participant).post(register))
        .route("/participants/{id}", get(participant).post(save_profile))
        .route("/participants/{id}/propose", post(propose))
        .route("/participants/{id}/programme", post(save_programme))
}

/// A clock's name in words.
fn clock_name(session: &Session, clock: &str) -> String {
    let l = session.lang;
    match clock {
        "referral_48h" => l.t("Besök inom 48 timmar", "Visit within 48 hours"),
        "plan_5d" => l.t("Planering inom 5 dagar", "Plan within 5 days"),
        "follow_up_3m" => l.t("Uppföljning efter 3 månader", "Follow-up after 3 months"),
        other => other,
    }
    .to_owned()
}

async fn caseload(session: Session) -> Response {
    let l = session.lang;
    let [people, clocks] = match session
        .api
        .get_all(["/v1/participants".to_owned(), "/v1/clocks".to_owned()])
        .await
    {
        Ok(both) => both,
        Err(f) => return layout::failure_page(l, &f),
    };
    let mut by_participant: BTreeMap<i64, Vec<&Value>> = BTreeMap::new();
    for c in clocks.as_array().into_iter().flatten() {
        if let Some(id) = c["participant_id"].as_i64() {
            by_participant.entry(id).or_default().push(c);
        }
    }
    let people = people.as_array().cloned().unwrap_or_default();
    let overdue = clocks
        .as_array()
        .map_or(0, |c| c.iter().filter(|c| c["overdue"] == true).count());
    let body = html! {
        h1 { (l.t("Mina deltagare", "My caseload")) }
        p { a.button href="/participants/new" { (l.t("Registrera en deltagare", "Register a participant")) } }
        p {
            (people.len()) " " (l.t("deltagare", "participants")) ". "
            @if overdue > 0 {
                strong.overdue { (overdue) " " (l.t("klockor har passerat sin tid", "clocks are past their time")) }
            } @else {
                (l.t("Inga klockor har passerat sin tid.", "No clock is past its time."))
            }
        }
        div.table-wrap {
            table.caseload {
                caption.visually-hidden { (l.t("Deltagare och programmets klockor", "Participants and the programme clocks")) }
                (head_row(l, &[("Namn", "Name"), ("Kod", "Code"), ("Status", "Status"), ("Enhet", "Unit"), ("Svenska", "Swedish"), ("Klockor", "Clocks")]))
                tbody {
                    @for p in &people {
                        @let id = p["participant_id"].as_i64().unwrap_or_default();
                        tr {
                            th scope="row" { a href={ "/participants/" (id) } { (text(p, "name")) } }
                            td { code { (text(p, "pseudonym")) } }
                            td { (status_name(l, text(p, "status"))) }
                            td { (text(p, "unit")) }
                            td { (text(p, "swedish_level")) }
                            td {
                                @for c in by_participant.get(&id).into_iter().flatten() {
                                    @let late = c["overdue"] == true;
                                    span class=(if late { "clock late" } else { "clock" }) {
                                        (clock_name(&session, text(c, "clock"))) ": "
                                        @if late { (l.t("försenad sedan ", "overdue since ")) } @else { (l.t("senast ", "by ")) }
                                        (day(&c["due"]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(
        l,
        l.t("Mina deltagare", "My caseload"),
        Some(&session),
        "/caseload",
        body,
    )
    .into_response()
}

#[derive(Deserialize)]
struct Shown {
    done: Option<String>,
    kind: Option<String>,
}

async fn participant(session: Session, Path(id): Path<Id>, Query(shown): Query<Shown>) -> Response {
    let l = session.lang;
    let kind = match shown.kind.as_deref() {
        Some(k @ ("vacancy" | "internship")) => format!("&kind={k}"),
        _ => String::new(),
    };
    let found = session
        .api
        .get_all([
            format!("/v1/participants/{id}"),
            format!("/v1/participants/{id}/suggestions?limit=10&explain=text{kind}"),
            format!("/v1/participants/{id}/gaps"),
            format!("/v1/participants/{id}/programme"),
            format!("/v1/placements?participant_id={id}"),
        ])
        .await;
    let [p, ranked, gaps, programme, placements] = match found {
        Ok(all) => all,
        Err(f) => return layout::failure_page(l, &f),
    };
    let suggestions = ranked["suggestions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let name = text(&p, "name");
    let body = html! {
        h1 { (name) " " span.muted { "(" (text(&p, "pseudonym")) ")" } }
        (notice(l, shown.done.as_deref()))
        div.columns {
            section.main-column aria-labelledby="suggestions-heading" {
                h2 id="suggestions-heading" { (l.t("Platser som passar", "Openings that fit")) }
                form.inline method="get" action={ "/participants/" (id) } {
                    label for="kind" { (l.t("Visa", "Show")) }
                    select id="kind" name="kind" {
                        option value="" { (l.t("Alla", "All")) }
                        option value="vacancy" selected[shown.kind.as_deref() == Some("vacancy")] { (l.t("Anställningar", "Jobs")) }
                        option value="internship" selected[shown.kind.as_deref() == Some("internship")] { (l.t("Praktikplatser", "Internships")) }
                    }
                    button type="submit" { (l.t("Visa", "Show")) }
                }
                p.muted {
                    (l.t("Jämförda platser", "Openings compared")) ": " (ranked["considered"].as_u64().unwrap_or(0))
                    ", " (l.t("bortvalda av hårda krav", "left out by hard rules")) ": " (ranked["excluded_count"].as_u64().unwrap_or(0))
                }
                @if suggestions.is_empty() {
                    p { (l.t("Inga platser passar just nu.", "No opening fits right now.")) }
                }
                ol.ranked {
                    @for s in &suggestions {
                        (suggestion(&session, id, s))
                    }
                }
            }
            aside.side-column {
                (gap_section(&session, &gaps))
                (placement_section(&session, &placements))
                (programme_form(&session, id, &programme["facts"]))
                (profile_form(&session, Some(id), &p))
            }
        }
    };
    page(l, name, Some(&session), "/caseload", body).into_response()
}

fn suggestion(session: &Session, participant_id: Id, s: &Value) -> Markup {
    let l = session.lang;
    let opening_id = s["opening_id"].as_i64().unwrap_or_default();
    html! {
        li.card id={ "opening-" (opening_id) } {
            div.card-head {
                h3 { a href={ "/openings/" (opening_id) } { (text(s, "title")) } }
                span.score aria-label=(l.t("Poäng", "Score")) { (format!("{:.0}", s["score"].as_f64().unwrap_or(0.0) * 100.0)) }
            }
            p.muted {
                (kind_name(l, text(s, "kind")))
                @if let Some(m) = s["municipality"].as_str() { " · " (m) }
                " · " (s["places"].as_u64().unwrap_or(1)) " " (l.t("platser", "places"))
            }
            (category_bars(l, &s["categories"]))
            (explanation(l, s))
            form method="post" action={ "/participants/" (participant_id) "/propose" } {
                input type="hidden" name="csrf" value=(session.csrf);
                input type="hidden" name="opening_id" value=(opening_id);
                button type="submit" { (l.t("Föreslå för arbetsgivaren", "Propose to the employer")) }
            }
        }
    }
}

fn gap_section(session: &Session, gaps: &Value) -> Markup {
    let l = session.lang;
    let lang = l.code();
    let list = gaps["gaps"].as_array().cloned().unwrap_or_default();
    html! {
        section.card aria-labelledby="gaps-heading" {
            h2 id="gaps-heading" { (l.t("Ett steg som öppnar flest dörrar", "One step that opens most doors")) }
            @if let Some(plan) = gaps["plan"].as_object() {
                p.plan {
                    strong { (plan.get("sentence").and_then(|s| s[lang].as_str()).unwrap_or("")) }
                }
                p {
                    "+" (plan.get("more_openings").and_then(Value::as_i64).unwrap_or(0)) " "
                    (l.t("platser till klarar de hårda kraven", "more openings pass the hard rules"))
                    " (" (l.t("nu", "now")) " " (gaps["passing"].as_u64().unwrap_or(0)) ")"
                }
            } @else {
                p { (l.t("Ingen enskild ändring öppnar fler platser.", "No single change opens more openings.")) }
            }
            @if list.len() > 1 {
                details {
                    summary { (l.t("Fler steg", "More steps")) }
                    ol {
                        @for g in list.iter().skip(1).take(8) {
                            li { (g["sentence"][lang].as_str().unwrap_or("")) " (+" (g["more_openings"].as_i64().unwrap_or(0)) ")" }
                        }
                    }
                }
            }
        }
    }
}

/// The participant's proposals and placements, newest first, with where each stands.
fn placement_section(session: &Session, placements: &Value) -> Markup {
    let l = session.lang;
    let list = placements["placements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        section.card aria-labelledby="placements-heading" {
            h2 id="placements-heading" { (l.t("Förslag och placeringar", "Proposals and placements")) }
            @if list.is_empty() {
                p { (l.t("Inga förslag ännu.", "No proposals yet.")) }
            }
            ul.plain {
                @for x in &list {
                    li {
                        a href={ "/openings/" (x["opening_id"].as_i64().unwrap_or_default()) } {
                            (kind_name(l, text(x, "kind"))) " " (x["opening_id"].as_i64().unwrap_or_default())
                        }
                        ": " (status_name(l, text(x, "status")))
                        " (" (day(&x["created_at"])) ")"
                    }
                }
            }
        }
    }
}

/// Where the participant stands in the programme: what the clocks run from.
fn programme_form(session: &Session, id: Id, facts: &Value) -> Markup {
    let l = session.lang;
    let dates = [
        ("referred_at", l.t("Ansökan om stöd", "Applied for support")),
        ("enrolled_at", l.t("Första besöket", "First visit")),
        ("plan_at", l.t("Planering klar", "Plan made")),
        ("follow_up_at", l.t("Senaste uppföljning", "Last follow-up")),
        ("left_at", l.t("Avslutad", "Left")),
    ];
    let status = facts["status"].as_str().unwrap_or("queued");
    html! {
        section.card aria-labelledby="programme-heading" {
            h2 id="programme-heading" { (l.t("I programmet", "In the programme")) }
            form.profile method="post" action={ "/participants/" (id) "/programme" } {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="programme-status" { (l.t("Status", "Status")) }
                select id="programme-status" name="status" {
                    @for s in ProgrammeStatus::ALL.map(ProgrammeStatus::as_str) {
                        option value=(s) selected[s == status] { (status_name(l, s)) }
                    }
                }
                label for="unit" { (l.t("Enhet", "Unit")) }
                input id="unit" name="unit" type="text" value=(text(facts, "unit"));
                label for="district" { (l.t("Stadsdel", "District")) }
                input id="district" name="district" type="text" value=(text(facts, "district"));
                @for (field, label) in dates {
                    label for=(field) { (label) }
                    input id=(field) name=(field) type="date" value=(day(&facts[field]));
                }
                button type="submit" { (l.t("Spara i programmet", "Save in the programme")) }
            }
        }
    }
}

#[derive(Deserialize)]
struct ProgrammeForm {
    #[serde(default)]
    csrf: String,
    status: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    referred_at: String,
    #[serde(default)]
    enrolled_at: String,
    #[serde(default)]
    plan_at: String,
    #[serde(default)]
    follow_up_at: String,
    #[serde(default)]
    left_at: String,
}

async fn save_programme(
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<ProgrammeForm>,
) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let stored = match session
        .api
        .get(format!("/v1/participants/{id}/programme"))
        .await
    {
        Ok(p) => p["facts"].clone(),
        Err(f) => return layout::failure_page(session.lang, &f),
    };
    // Only a participant who has left has a leaving day: today, when none is given.
    let left_at = match (form.status.as_str(), form.left_at.trim()) {
        ("left", "") => json!(chrono::Utc::now().date_naive().to_string()),
        ("left", _) => day_over(&form.left_at, &stored["left_at"]),
        _ => Value::Null,
    };
    let body = json!({
        "status": form.status,
        "unit": optional(&form.unit),
        "district": optional(&form.district),
        "referred_at": day_over(&form.referred_at, &stored["referred_at"]),
        "enrolled_at": day_over(&form.enrolled_at, &stored["enrolled_at"]),
        "plan_at": day_over(&form.plan_at, &stored["plan_at"]),
        "follow_up_at": day_over(&form.follow_up_at, &stored["follow_up_at"]),
        "left_at": left_at,
    });
    match session
        .api
        .put(format!("/v1/participants/{id}/programme"), &body)
        .await
    {
        Ok(_) => Redirect::to(&format!("/participants/{id}?done=saved")).into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

/// The profile of a participant (`Some` id) or of one to register.
fn profile_form(session: &Session, id: Option<Id>, p: &Value) -> Markup {
    let l = session.lang;
    let occupation = &p["occupations"][0];
    let action = id.map_or("/participants/new".to_owned(), |id| {
        format!("/participants/{id}")
    });
    html! {
        section.card aria-labelledby="profile-heading" {
            h2 id="profile-heading" { (l.t("Profil", "Profile")) }
            @if id.is_some() {
                p.muted { (l.t("Status", "Status")) ": " (status_name(l, text(p, "status"))) }
            }
            form.profile method="post" action=(action) {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="name" { (l.t("Namn", "Name")) }
                input id="name" name="name" type="text" required value=(text(p, "name"));
                label for="contact" { (l.t("Kontakt (telefon eller e-post)", "Contact (phone or e-mail)")) }
                input id="contact" name="contact" type="text" value=(text(p, "contact"));
                label for="skills" { (l.t("Kompetenser (skilj med semikolon)", "Skills (separate with ;)")) }
                input id="skills" name="skills" type="text" value=(term_field(&p["skills"]))
                    data-suggest="skill" data-multi="true" autocomplete="off" aria-describedby="skills-hint";
                p.hint id="skills-hint" { (l.t("Förslag från taxonomin visas medan du skriver.", "Suggestions from the taxonomy appear as you type.")) }
                label for="occupation" { (l.t("Yrke (SSYK)", "Occupation (SSYK)")) }
                input id="occupation" name="occupation" type="text" value=(text(&occupation["occupation"], "code"))
                    data-suggest="occupation" autocomplete="off";
                label for="years" { (l.t("År i yrket", "Years in the occupation")) }
                input id="years" name="years" type="number" min="0" max="60" step="any"
                    value=(occupation["years"].as_f64().map(|y| y.to_string()).unwrap_or_default());
                label for="swedish_level" { (l.t("Svenska (CEFR)", "Swedish (CEFR)")) }
                select id="swedish_level" name="swedish_level" {
                    option value="" { (l.t("Okänd", "Unknown")) }
                    @for level in SwedishLevel::ALL.map(SwedishLevel::as_str) {
                        option value=(level) selected[text(p, "swedish_level") == level] { (level) }
                    }
                }
                label for="municipality_code" { (l.t("Kommun", "Municipality")) }
                input id="municipality_code" name="municipality_code" type="text"
                    value=(text(p, "municipality_code")) data-suggest="municipality" autocomplete="off";
                label for="max_travel_km" { (l.t("Längsta resväg (km)", "Longest travel (km)")) }
                input id="max_travel_km" name="max_travel_km" type="number" min="0" max="2000" step="any"
                    value=(p["max_travel_km"].as_f64().map(|k| k.to_string()).unwrap_or_default());
                label for="licences" { (l.t("Körkort och behörigheter (skilj med semikolon)", "Licences (separate with ;)")) }
                input id="licences" name="licences" type="text" value=(term_field(&p["licences"]))
                    data-suggest="licence" data-multi="true" autocomplete="off";
                label for="available_from" { (l.t("Kan börja", "Available from")) }
                input id="available_from" name="available_from" type="date" value=(text(p, "available_from"));
                button type="submit" {
                    (if id.is_some() { l.t("Spara profilen", "Save the profile") } else { l.t("Registrera", "Register") })
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct ProfileForm {
    #[serde(default)]
    csrf: String,
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    years: String,
    #[serde(default)]
    swedish_level: String,
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    max_travel_km: String,
    #[serde(default)]
    licences: String,
    #[serde(default)]
    available_from: String,
}

impl ProfileForm {
    /// The API body: the participant as stored (`null` for a new one), with the form's fields
    /// replaced and the rest (personal number, languages, hours, priority groups) kept.
    fn body(&self, current: &Value) -> Value {
        let form = self;
        // The form edits the first occupation; the others stay as they are.
        let mut occupations: Vec<Value> = match form.occupation.trim() {
            "" => Vec::new(),
            code => {
                vec![json!({"code": code, "years": number(&form.years).as_f64().unwrap_or(0.0)})]
            }
        };
        for o in current["occupations"]
            .as_array()
            .into_iter()
            .flatten()
            .skip(1)
        {
            occupations.push(json!({"code": o["occupation"]["code"], "years": o["years"]}));
        }
        // A point belongs to the municipality it was given with; a new municipality drops it.
        let municipality = optional(&form.municipality_code);
        let location = if municipality == current["municipality_code"] {
            current["location"].clone()
        } else {
            Value::Null
        };
        let mut body = json!({
            "name": form.name,
            "personal_number": current["personal_number"],
            "contact": optional(&form.contact),
            "skills": terms(&form.skills, &current["skills"]),
            "occupations": occupations,
            "swedish_level": optional(&form.swedish_level),
            "languages": unchanged_terms(&current["languages"]),
            "municipality_code": municipality,
            "location": location,
            "max_travel_km": number(&form.max_travel_km),
            "licences": terms(&form.licences, &current["licences"]),
            "available_from": optional(&form.available_from),
            "hours": current["hours"],
            "priority_groups": current["priority_groups"],
            "gender": current["gender"],
        });
        // Absent, not null: a new participant has no stored lists to keep.
        if let Value::Object(fields) = &mut body {
            fields.retain(|_, v| !v.is_null());
        }
        body
    }
}

/// Saves the profile form: the participant as stored, with the form's fields replaced and the
/// rest (contact, languages, hours, priority groups) kept as they were.
async fn save_profile(
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<ProfileForm>,
) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let l = session.lang;
    let current = match session.api.get(format!("/v1/participants/{id}")).await {
        Ok(p) => p,
        Err(f) => return layout::failure_page(l, &f),
    };
    let body = form.body(&current);
    match session
        .api
        .put(format!("/v1/participants/{id}?wait=indexed"), &body)
        .await
    {
        Ok(_) => Redirect::to(&format!("/participants/{id}?done=saved")).into_response(),
        Err(f) => layout::failure_page(l, &f),
    }
}

async fn new_participant(session: Session) -> Response {
    let l = session.lang;
    let body = html! {
        h1 { (l.t("Ny deltagare", "New participant")) }
        div.narrow { (profile_form(&session, None, &Value::Null)) }
    };
    page(
        l,
        l.t("Ny deltagare", "New participant"),
        Some(&session),
        "/caseload",
        body,
    )
    .into_response()
}

/// Registers a participant on the coach's caseload from the profile form.
async fn register(session: Session, Form(form): Form<ProfileForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    match session
        .api
        .post("/v1/participants?wait=indexed", &form.body(&Value::Null))
        .await
    {
        Ok(p) => Redirect::to(&format!(
            "/participants/{}?done=registered",
            p["id"].as_i64().unwrap_or_default()
        ))
        .into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

#[derive(Deserialize)]
struct ProposeForm {
    #[serde(default)]
    csrf: String,
    opening_id: Id,
}

async fn propose(session: Session, Path(id): Path<Id>, Form(form): Form<ProposeForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    super::propose(
        &session,
        id,
        form.opening_id,
        &format!("/participants/{id}"),
    )
    .await
}
