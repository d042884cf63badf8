//! The frame every page shares (header, navigation by role, language, sign-out) and the small
//! pieces pages are built of: category bars, dates, error answers.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use super::client::Failure;
use super::session::{Lang, Session};
use crate::model::Role;

/// A whole page: the frame around `body`, for a signed-in user or, without one, the sign-in.
pub fn page(
    lang: Lang,
    title: &str,
    session: Option<&Session>,
    path: &str,
    body: Markup,
) -> Markup {
    let l = lang;
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · jobmatch" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { (l.t("Hoppa till innehållet", "Skip to content")) }
                header.top {
                    a.brand href="/" { "jobmatch" }
                    @if let Some(s) = session {
                        nav aria-label=(l.t("Huvudmeny", "Main menu")) {
                            ul {
                                @for (href, sv, en) in nav_items(s.role) {
                                    li {
                                        a href=(href) aria-current=[(path.starts_with(href)).then_some("page")] {
                                            (l.t(sv, en))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.tools {
                        @let other = match l { Lang::Sv => Lang::En, Lang::En => Lang::Sv };
                        a href={ "/lang/" (other.code()) } lang=(other.code()) {
                            (other.t("Svenska", "English"))
                        }
                        @if let Some(s) = session {
                            form method="post" action="/sign-out" {
                                input type="hidden" name="csrf" value=(s.csrf);
                                button.link type="submit" { (l.t("Logga ut", "Sign out")) }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    (body)
                }
            }
        }
    }
}

/// Where each role goes: coaches to their caseload, matchers to search, employers to their
/// openings; statistics for staff.
fn nav_items(role: Role) -> &'static [(&'static str, &'static str, &'static str)] {
    match role {
        Role::Coach => &[
            ("/caseload", "Mina deltagare", "My caseload"),
            ("/allocate", "Fördela platser", "Allocate places"),
            ("/search", "Sök platser", "Search openings"),
            ("/stats", "Statistik", "Statistics"),
        ],
        Role::Matcher => &[
            ("/search", "Sök platser", "Search openings"),
            ("/allocate", "Fördela platser", "Allocate places"),
            ("/openings/new", "Ny plats", "New opening"),
            ("/stats", "Statistik", "Statistics"),
        ],
        Role::Admin => &[
            ("/caseload", "Deltagare", "Participants"),
            ("/search", "Sök platser", "Search openings"),
            ("/allocate", "Fördela platser", "Allocate places"),
            ("/stats", "Statistik", "Statistics"),
        ],
        Role::Employer => &[
            ("/employer", "Mina platser", "My openings"),
            ("/openings/new", "Ny plats", "New opening"),
        ],
    }
}

/// The home of a role: where signing in leads.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Coach | Role::Admin => "/caseload",
        Role::Matcher => "/search",
        Role::Employer => "/employer",
    }
}

/// A score in [0, 1] as a labelled bar, with its value in words for screen readers.
pub fn bar(label: &str, value: Option<f64>) -> Markup {
    html! {
        div.bar {
            span.bar-label { (label) }
            @match value {
                Some(v) => {
                    meter min="0" max="1" low="0.34" high="0.67" optimum="1" value=(format!("{v:.2}"))
                        aria-label=(label) { (format!("{:.0} %", v * 100.0)) }
                    span.bar-value { (format!("{:.0} %", v * 100.0)) }
                }
                None => { span.bar-value.muted { "–" } }
            }
        }
    }
}

/// The page an API refusal becomes: its status, message and code, and a way back.
pub fn failure_page(lang: Lang, failure: &Failure) -> Response {
    let l = lang;
    let status = if failure.status.is_success() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        failure.status
    };
    if status == StatusCode::UNAUTHORIZED {
        return axum::response::Redirect::to("/").into_response();
    }
    let title = match status {
        StatusCode::NOT_FOUND => l.t("Finns inte", "Not found"),
        StatusCode::FORBIDDEN => l.t("Inte tillåtet", "Not allowed"),
        StatusCode::CONFLICT => l.t("Gick inte att göra", "Could not be done"),
        s if s.is_client_error() => l.t(
            "Något i formuläret stämmer inte",
            "Something in the form is wrong",
        ),
        _ => l.t("Något gick fel", "Something went wrong"),
    };
    let body = page(
        l,
        title,
        None,
        "/",
        html! {
            h1 { (title) }
            div.notice.error role="alert" {
                p { (failure.message) }
                p.muted { (l.t("Kod", "Code")) ": " code { (failure.code) } }
            }
            p { a href="/" { (l.t("Till startsidan", "To the start page")) } }
        },
    );
    (status, body).into_response()
}

/// A date or time from the API as a day (`2026-12-06`).
pub fn day(v: &Value) -> String {
    v.as_str()
        .map(|s| s.chars().take(10).collect())
        .unwrap_or_default()
}

/// A string field, or empty.
pub fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or("")
}

/// Labels of a list of terms (`[{label}]`), joined.
pub fn labels(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t["label"].as_str().or(t["text"].as_str()).or(t.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A notice after an action, from the `done` a redirect carried.
pub fn notice(lang: Lang, done: Option<&str>) -> Markup {
    let l = lang;
    let message = match done {
        Some("proposed") => l.t(
            "Förslaget är skickat till arbetsgivaren.",
            "The proposal has been sent to the employer.",
        ),
        Some("waiting") => l.t(
            "Förslaget väntar: arbetsgivaren har nått sitt tak för månaden.",
            "The proposal is waiting: the employer has reached its cap for the month.",
        ),
        Some("saved") => l.t("Ändringarna är sparade.", "The changes are saved."),
        Some("answered") => l.t("Svaret är sparat.", "The answer is saved."),
        Some("created") => l.t("Platsen är publicerad.", "The opening is published."),
        Some("registered") => l.t(
            "Deltagaren är registrerad.",
            "The participant is registered.",
        ),
        Some("closed") => l.t("Platsen är stängd.", "The opening is closed."),
        _ => return html! {},
    };
    html! { div.notice role="status" { p { (message) } } }
}

/// A ranking category's name for people.
pub fn category_name(lang: Lang, category: &str) -> String {
    let (sv, en) = match category {
        "must_skills" => ("Krav", "Must-have skills"),
        "merit_skills" => ("Meriterande", "Merits"),
        "occupation" => ("Yrke", "Occupation"),
        "experience" => ("Erfarenhet", "Experience"),
        "swedish" => ("Svenska", "Swedish"),
        "distance" => ("Avstånd", "Distance"),
        "licences" => ("Körkort och behörigheter", "Licences"),
        "availability" => ("Kan börja", "Availability"),
        "text" => ("Annonstext", "Ad text"),
        "track_record" => ("Tidigare utfall", "Track record"),
        other => return other.replace('_', " "),
    };
    lang.t(sv, en).to_owned()
}

/// The bars of a ranked item's categories, those that apply.
pub fn category_bars(lang: Lang, categories: &Value) -> Markup {
    html! {
        div.bars {
            @for category in crate::rank::Category::ALL {
                @if let Some(v) = categories[category.name()].as_f64() {
                    (bar(&category_name(lang, category.name()), Some(v)))
                }
            }
        }
    }
}

/// The evidence as the sentences the API wrote in the page's language.
pub fn explanation(lang: Lang, ranked: &Value) -> Markup {
    let sentences = ranked["explanation"][lang.code()]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        @if !sentences.is_empty() {
            ul.evidence {
                @for s in &sentences {
                    @if let Some(s) = s.as_str() { li { (s) } }
                }
            }
        }
    }
}

/// An opening's kind in words.
pub fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "internship" => lang.t("Praktikplats", "Internship"),
        _ => lang.t("Anställning", "Job"),
    }
}

/// A programme or placement status in words.
pub fn status_name(lang: Lang, status: &str) -> String {
    let (sv, en) = match status {
        "queued" => ("I kö", "Queued"),
        "active" => ("Aktiv", "Active"),
        "internship" => ("Praktik", "Internship"),
        "job" => ("Arbete", "Job"),
        "studies" => ("Studier", "Studies"),
        "other_income" => ("Annan försörjning", "Other income"),
        "left" => ("Avslutad", "Left"),
        "proposed" => ("Föreslagen", "Proposed"),
        "waiting" => ("Väntar", "Waiting"),
        "interview" => ("Intervju", "Interview"),
        "started" => ("Påbörjad", "Started"),
        "ended" => ("Avslutad", "Ended"),
        "declined" => ("Nej tack", "Declined"),
        "withdrawn" => ("Återtagen", "Withdrawn"),
        other => return other.to_owned(),
    };
    lang.t(sv, en).to_owned()
}

/// A table's header row, each column named in both languages.
pub fn head_row(lang: Lang, columns: &[(&str, &str)]) -> Markup {
    html! {
        thead { tr {
            @for (sv, en) in columns {
                th scope="col" { (lang.t(sv, en)) }
            }
        } }
    }
}
