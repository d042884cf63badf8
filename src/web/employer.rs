//! The employer's pages: its openings with how many participants meet each one's
//! requirements, a form to post or edit an opening or an internship slot, and the proposals
//! to answer. Candidates appear under the employer's own codes only; a name shows once a
//! placement has started, as the API decides.

use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::{optional, term_field, terms};
use super::layout::{self, day, head_row, kind_name, notice, page, status_name, text};
use super::session::Session;
use super::{WebState, refuse_form};
use crate::model::{Id, Role, SwedishLevel};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/employer", get(home))
        .route("/openings/new", get(new_opening).post(create_opening))
        .route("/openings/{id}/edit", get(edit_opening))
        .route("/placements/{id}/answer", post(answer))
}

#[derive(Deserialize)]
struct Shown {
    done: Option<String>,
}

async fn home(session: Session, Query(shown): Query<Shown>) -> Response {
    let l = session.lang;
    let Some(employer_id) = session.employer_id else {
        return layout::failure_page(
            l,
            &super::client::Failure::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                l.t("Sidan är för arbetsgivare.", "This page is for employers."),
            ),
        );
    };
    // What is open for an answer, and what has started (where the name now shows).
    let found = session
        .api
        .get_all([
            format!("/v1/employers/{employer_id}/openings"),
            "/v1/placements?status=proposed&per_page=100".to_owned(),
            "/v1/placements?status=interview&per_page=100".to_owned(),
            "/v1/placements?status=started&per_page=100".to_owned(),
        ])
        .await;
    let [openings, proposed, interview, started] = match found {
        Ok(all) => all,
        Err(f) => return layout::failure_page(l, &f),
    };
    let openings = openings.as_array().cloned().unwrap_or_default();
    let mut placements: Vec<Value> = [proposed, interview, started]
        .iter()
        .flat_map(|page| page["placements"].as_array().cloned().unwrap_or_default())
        .collect();
    placements.sort_by_key(|p| std::cmp::Reverse(p["id"].as_i64()));
    let body = html! {
        h1 { (l.t("Mina platser", "My openings")) }
        (notice(l, shown.done.as_deref()))
        p { a.button href="/openings/new" { (l.t("Lägg upp en plats", "Post an opening")) } }
        section aria-labelledby="proposals-heading" {
            h2 id="proposals-heading" { (l.t("Förslag och placeringar", "Proposals and placements")) }
            @if placements.is_empty() {
                p { (l.t("Inga förslag ännu.", "No proposals yet.")) }
            }
            ul.results {
                @for p in &placements {
                    (proposal(&session, p, &openings))
                }
            }
        }
        section aria-labelledby="openings-heading" {
            h2 id="openings-heading" { (l.t("Platser", "Openings")) }
            div.table-wrap {
                table {
                    (head_row(l, &[("Plats", "Opening"), ("Typ", "Kind"), ("Status", "Status"), ("Deltagare som klarar kraven", "Participants who meet the requirements")]))
                    tbody {
                        @for o in &openings {
                            @let id = o["id"].as_i64().unwrap_or_default();
                            tr {
                                th scope="row" { a href={ "/openings/" (id) } { (text(o, "title")) } }
                                td { (kind_name(l, text(o, "kind"))) }
                                td { (if o["status"] == "open" { l.t("Öppen", "Open") } else { l.t("Stängd", "Closed") }) }
                                td {
                                    @match o["suitable_candidates"].as_u64() {
                                        Some(n) => { (n) }
                                        None => { "–" }
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
        l.t("Mina platser", "My openings"),
        Some(&session),
        "/employer",
        body,
    )
    .into_response()
}

fn proposal(session: &Session, p: &Value, openings: &[Value]) -> Markup {
    let l = session.lang;
    let id = p["id"].as_i64().unwrap_or_default();
    let opening_id = p["opening_id"].as_i64().unwrap_or_default();
    let title = openings
        .iter()
        .find(|o| o["id"].as_i64() == Some(opening_id))
        .map_or("", |o| text(o, "title"));
    let status = text(p, "status");
    let answers: &[(&str, &str, &str)] = match status {
        "proposed" => &[
            ("interview", "Kalla till intervju", "Invite to an interview"),
            ("started", "Börja", "Start"),
            ("declined", "Tacka nej", "Decline"),
        ],
        "interview" => &[
            ("started", "Börja", "Start"),
            ("declined", "Tacka nej", "Decline"),
        ],
        _ => &[],
    };
    html! {
        li.card {
            h3 { (l.t("Kandidat", "Candidate")) " " code { (text(p, "candidate")) } " · " a href={ "/openings/" (opening_id) } { (title) } }
            p.muted { (status_name(l, status)) " · " (l.t("föreslagen", "proposed")) " " (day(&p["proposed_at"])) }
            @if let Some(who) = p["participant"].as_object() {
                p { (l.t("Placeringen har börjat", "The placement has started")) ": "
                    strong { (who.get("name").and_then(Value::as_str).unwrap_or("")) } }
            }
            @if !answers.is_empty() {
                form.inline method="post" action={ "/placements/" (id) "/answer" } {
                    input type="hidden" name="csrf" value=(session.csrf);
                    @for (to, sv, en) in answers {
                        button type="submit" name="status" value=(to) { (l.t(sv, en)) }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    csrf: String,
    status: String,
}

async fn answer(session: Session, Path(id): Path<Id>, Form(form): Form<AnswerForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    match session
        .api
        .patch(
            format!("/v1/placements/{id}?wait=indexed"),
            &json!({"status": form.status}),
        )
        .await
    {
        Ok(_) => Redirect::to("/employer?done=answered").into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

/// The refusal of the opening form to a role the API does not let post or change
/// openings, from the one table of rights.
fn refuse_publishing(session: &Session, method: &str, path: &str) -> Option<Response> {
    (!super::may_use(session, method, path)).then(|| {
        let l = session.lang;
        layout::failure_page(
            l,
            &super::client::Failure::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                l.t(
                    "Din roll får inte lägga upp eller ändra platser.",
                    "Your role may not post or change openings.",
                ),
            ),
        )
    })
}

async fn new_opening(session: Session) -> Response {
    let l = session.lang;
    if let Some(r) = refuse_publishing(&session, "post", "/v1/openings") {
        return r;
    }
    let body = html! {
        h1 { (l.t("Lägg upp en plats", "Post an opening")) }
        (opening_form(&session, None, &Value::Null))
    };
    page(
        l,
        l.t("Lägg upp en plats", "Post an opening"),
        Some(&session),
        "/openings/new",
        body,
    )
    .into_response()
}

async fn edit_opening(session: Session, Path(id): Path<Id>) -> Response {
    let l = session.lang;
    if let Some(r) = refuse_publishing(&session, "put", "/v1/openings/{id}") {
        return r;
    }
    let o = match session.api.get(format!("/v1/openings/{id}")).await {
        Ok(o) => o,
        Err(f) => return layout::failure_page(l, &f),
    };
    let body = html! {
        h1 { (l.t("Ändra platsen", "Edit the opening")) }
        (opening_form(&session, Some(id), &o))
    };
    page(
        l,
        l.t("Ändra platsen", "Edit the opening"),
        Some(&session),
        "/employer",
        body,
    )
    .into_response()
}

fn opening_form(session: &Session, id: Option<Id>, o: &Value) -> Markup {
    let l = session.lang;
    let action = id.map_or("/openings".to_owned(), |id| format!("/openings/{id}"));
    let kind = o["kind"].as_str().unwrap_or("vacancy");
    html! {
        form.stacked method="post" action=(if id.is_some() { action } else { "/openings/new".into() }) {
            input type="hidden" name="csrf" value=(session.csrf);
            @if session.role != Role::Employer && id.is_none() {
                label for="employer_id" { (l.t("Arbetsgivare (id)", "Employer (id)")) }
                input id="employer_id" name="employer_id" type="number" min="1" required;
            }
            fieldset {
                legend { (l.t("Typ", "Kind")) }
                div.choice {
                    input type="radio" id="kind-vacancy" name="kind" value="vacancy" checked[kind == "vacancy"];
                    label for="kind-vacancy" { (l.t("Anställning", "Job")) }
                }
                div.choice {
                    input type="radio" id="kind-internship" name="kind" value="internship" checked[kind == "internship"];
                    label for="kind-internship" { (l.t("Praktikplats", "Internship")) }
                }
            }
            label for="title" { (l.t("Rubrik", "Title")) }
            input id="title" name="title" type="text" required value=(text(o, "title"));
            label for="description" { (l.t("Beskrivning", "Description")) }
            textarea id="description" name="description" rows="5" { (text(o, "description")) }
            label for="occupation" { (l.t("Yrke (SSYK eller namn)", "Occupation (SSYK or name)")) }
            input id="occupation" name="occupation" type="text" value=(text(&o["occupation"], "code"))
                data-suggest="occupation" autocomplete="off";
            label for="skills_required" { (l.t("Krav (skilj med semikolon)", "Must-have skills (separate with ;)")) }
            input id="skills_required" name="skills_required" type="text" value=(term_field(&o["skills_required"]))
                data-suggest="skill" data-multi="true" autocomplete="off";
            label for="skills_merit" { (l.t("Meriterande (skilj med semikolon)", "Merits (separate with ;)")) }
            input id="skills_merit" name="skills_merit" type="text" value=(term_field(&o["skills_merit"]))
                data-suggest="skill" data-multi="true" autocomplete="off";
            label for="swedish_min" { (l.t("Svenska minst", "Swedish at least")) }
            select id="swedish_min" name="swedish_min" {
                option value="" { (l.t("Inget krav", "No requirement")) }
                @for level in SwedishLevel::ALL.map(SwedishLevel::as_str) {
                    option value=(level) selected[text(o, "swedish_min") == level] { (level) }
                }
            }
            div.choice {
                input type="checkbox" id="swedish_required" name="swedish_required" value="true" checked[o["swedish_required"] == true];
                label for="swedish_required" { (l.t("Svenskan är ett skarpt krav", "The Swedish level is a strict requirement")) }
            }
            label for="licences" { (l.t("Körkort och behörigheter (skilj med semikolon)", "Licences (separate with ;)")) }
            input id="licences" name="licences" type="text" value=(term_field(&o["licences"]))
                data-suggest="licence" data-multi="true" autocomplete="off";
            label for="municipality_code" { (l.t("Kommun", "Municipality")) }
            input id="municipality_code" name="municipality_code" type="text" value=(text(o, "municipality_code"))
                data-suggest="municipality" autocomplete="off";
            label for="places" { (l.t("Antal platser", "Places")) }
            input id="places" name="places" type="number" min="1" value=(o["places"].as_u64().unwrap_or(1));
            label for="start_date" { (l.t("Start", "Start")) }
            input id="start_date" name="start_date" type="date" value=(day(&o["start_date"]));
            label for="deadline" { (l.t("Sista ansökningsdag", "Deadline")) }
            input id="deadline" name="deadline" type="date" value=(day(&o["deadline"]));
            div.choice {
                input type="checkbox" id="supervisor" name="supervisor" value="true" checked[o["supervisor"] == true];
                label for="supervisor" { (l.t("Handledare finns (praktik)", "A supervisor is assigned (internship)")) }
            }
            button type="submit" { (if id.is_some() { l.t("Spara", "Save") } else { l.t("Publicera", "Publish") }) }
        }
    }
}

#[derive(Deserialize)]
pub(super) struct OpeningForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    employer_id: String,
    #[serde(default)]
    kind: String,
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    occupation: String,
    #[serde(default)]
    skills_required: String,
    #[serde(default)]
    skills_merit: String,
    #[serde(default)]
    swedish_min: String,
    #[serde(default)]
    swedish_required: Option<String>,
    #[serde(default)]
    licences: String,
    #[serde(default)]
    municipality_code: String,
    #[serde(default)]
    places: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    supervisor: Option<String>,
}

impl OpeningForm {
    /// The API body, over what the opening holds that the form does not show.
    fn body(&self, current: &Value) -> Value {
        let mut body = json!({
            "kind": if self.kind == "internship" { "internship" } else { "vacancy" },
            "title": self.title,
            "description": self.description,
            "occupation": optional(&self.occupation),
            "skills_required": terms(&self.skills_required, &current["skills_required"]),
            "skills_merit": terms(&self.skills_merit, &current["skills_merit"]),
            "swedish_min": optional(&self.swedish_min),
            "swedish_required": self.swedish_required.is_some(),
            "licences": terms(&self.licences, &current["licences"]),
            "municipality_code": optional(&self.municipality_code),
            "places": self.places.trim().parse::<i64>().unwrap_or(1),
            "start_date": optional(&self.start_date),
            "deadline": optional(&self.deadline),
            "supervisor": self.supervisor.is_some(),
        });
        // A point belongs to the municipality it was given with; a new municipality drops it.
        if body["municipality_code"] == current["municipality_code"]
            && !current["location"].is_null()
        {
            body["location"] = current["location"].clone();
        }
        for kept in ["hours", "employment_form"] {
            if !current[kept].is_null() {
                body[kept] = current[kept].clone();
            }
        }
        body
    }
}

async fn create_opening(session: Session, Form(form): Form<OpeningForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let mut body = form.body(&Value::Null);
    if session.role != Role::Employer {
        match form.employer_id.trim().parse::<i64>() {
            Ok(id) => body["employer_id"] = json!(id),
            Err(_) => {
                return layout::failure_page(
                    session.lang,
                    &super::client::Failure::new(
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_employer_id",
                        session
                            .lang
                            .t("Ange arbetsgivarens id.", "Give the employer's id."),
                    ),
                );
            }
        }
    }
    match session.api.post("/v1/openings?wait=indexed", &body).await {
        Ok(o) => Redirect::to(&format!(
            "/openings/{}?done=created",
            o["id"].as_i64().unwrap_or_default()
        ))
        .into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

/// Saves the edit form of an opening.
pub(super) async fn save_opening(
    session: Session,
    Path(id): Path<Id>,
    Form(form): Form<OpeningForm>,
) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let current = match session.api.get(format!("/v1/openings/{id}")).await {
        Ok(o) => o,
        Err(f) => return layout::failure_page(session.lang, &f),
    };
    let mut body = form.body(&current);
    if session.role != Role::Employer {
        body["employer_id"] = current["employer_id"].clone();
    }
    match session
        .api
        .put(format!("/v1/openings/{id}?wait=indexed"), &body)
        .await
    {
        Ok(_) => Redirect::to(&format!("/openings/{id}?done=saved")).into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}
