//! The unit's figures per month: outcomes, the share who moved on, and how well the clocks
//! were kept, as a chart and a table, downloadable as CSV.

use axum::Router;
use axum::extract::Query;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, Months, Utc};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::WebState;
use super::layout::{self, head_row, page, text, urlencode};
use super::session::{Lang, Session};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/stats", get(stats))
        .route("/stats.csv", get(csv))
}

#[derive(Deserialize, Default)]
struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Period {
    /// The period asked for, or the twelve months up to today.
    fn or_last_year(self) -> (String, String) {
        let today = Utc::now().date_naive();
        let from = match self.from.trim() {
            "" => today
                .with_day(1)
                .and_then(|d| d.checked_sub_months(Months::new(11)))
                .unwrap_or(today)
                .to_string(),
            f => f.to_owned(),
        };
        let to = match self.to.trim() {
            "" => today.succ_opt().unwrap_or(today).to_string(),
            t => t.to_owned(),
        };
        (from, to)
    }

    fn query(from: &str, to: &str) -> String {
        format!(
            "group_by=month&from={}&to={}",
            urlencode(from),
            urlencode(to)
        )
    }
}

async fn stats(session: Session, Query(period): Query<Period>) -> Response {
    let l = session.lang;
    let (from, to) = period.or_last_year();
    let query = Period::query(&from, &to);
    let figures = match session.api.get(format!("/v1/stats?{query}")).await {
        Ok(f) => f,
        Err(f) => return layout::failure_page(l, &f),
    };
    let rows = figures["rows"].as_array().cloned().unwrap_or_default();
    let body = html! {
        h1 { (l.t("Statistik", "Statistics")) }
        form.inline method="get" action="/stats" {
            label for="from" { (l.t("Från", "From")) }
            input id="from" name="from" type="date" value=(from);
            label for="to" { (l.t("Till", "To")) }
            input id="to" name="to" type="date" value=(to);
            button type="submit" { (l.t("Visa", "Show")) }
        }
        p {
            strong { (figures["moved_on"].as_u64().unwrap_or(0)) } " "
            (l.t("av", "of")) " " strong { (figures["enrolled"].as_u64().unwrap_or(0)) } " "
            (l.t("inskrivna gick vidare till arbete, praktik eller studier", "enrolled moved on to a job, an internship or studies"))
            " (" (format!("{:.0} %", figures["share_moved_on"].as_f64().unwrap_or(0.0) * 100.0)) ")."
        }
        p { a href={ "/stats.csv?" (query) } download="jobmatch-statistik.csv" { (l.t("Ladda ner som CSV", "Download as CSV")) } }
        (month_chart(l, &rows))
        (outcome_chart(l, &rows))
        div.table-wrap {
            table {
                caption { (l.t("Per månad", "Per month")) }
                (head_row(l, &[("Månad", "Month"), ("Inskrivna", "Enrolled"), ("Gick vidare", "Moved on"), ("Andel", "Share"), ("Placerade", "Placed"), ("Besök inom 48 h", "Visit within 48 h"), ("Plan inom 5 dagar", "Plan within 5 days"), ("Uppföljning i tid", "Follow-up on time"), ("Utfall", "Outcomes")]))
                tbody {
                    @for r in &rows {
                        tr {
                            th scope="row" { (text(r, "group")) }
                            td { (r["enrolled"].as_u64().unwrap_or(0)) }
                            td { (r["moved_on"].as_u64().unwrap_or(0)) }
                            td { (share(&r["share_moved_on"])) }
                            td { (r["placed"].as_u64().unwrap_or(0)) }
                            td { (share(&r["arrive_within"])) }
                            td { (share(&r["plan_within"])) }
                            td { (share(&r["follow_up_within"])) }
                            td { (outcomes(l, &r["by_outcome"])) }
                        }
                    }
                }
            }
        }
    };
    page(
        l,
        l.t("Statistik", "Statistics"),
        Some(&session),
        "/stats",
        body,
    )
    .into_response()
}

fn share(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "–".into(), |s| format!("{:.0} %", s * 100.0))
}

fn outcomes(l: Lang, by: &Value) -> String {
    by.as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, n)| n.as_u64().unwrap_or(0) > 0)
                .map(|(k, n)| format!("{} {}", outcome_name(l, k), n))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn outcome_name(l: Lang, outcome: &str) -> String {
    let (sv, en) = match outcome {
        "job" => ("arbete", "job"),
        "subsidised_job" => ("subventionerat arbete", "subsidised job"),
        "internship" => ("praktik", "internship"),
        "studies" => ("studier", "studies"),
        "other_income" => ("annan försörjning", "other income"),
        "returned_to_support" => ("tillbaka till stöd", "back on support"),
        "left" => ("avslutad", "left"),
        other => return other.to_owned(),
    };
    l.t(sv, en).to_owned()
}

/// Per month: the share who moved on, and the share whose plan came within five days.
fn month_chart(l: Lang, rows: &[Value]) -> Markup {
    let (left, width, height) = (40.0, 600.0, 200.0);
    let n = rows.len().max(1) as f64;
    let slot = width / n;
    let bar = (slot / 3.0).min(28.0);
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (left + width + 10.0) " " (height + 40.0) } role="img" aria-labelledby="month-chart-title" {
                title id="month-chart-title" { (l.t("Andel som gick vidare och andel med plan inom 5 dagar, per månad", "Share moved on and share with a plan within 5 days, per month")) }
                @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                    @let y = height - tick * height + 10.0;
                    line x1=(left) x2=(left + width) y1=(y) y2=(y) class="grid" {}
                    text x="0" y=(y + 4.0) class="chart-value" { (format!("{:.0} %", tick * 100.0)) }
                }
                @for (i, r) in rows.iter().enumerate() {
                    @let x = left + i as f64 * slot + slot / 2.0 - bar;
                    @let moved = r["share_moved_on"].as_f64().unwrap_or(0.0);
                    @let plan = r["plan_within"].as_f64().unwrap_or(0.0);
                    rect x=(x) y=(height - moved * height + 10.0) width=(bar) height=(moved * height) class="series-a" {}
                    rect x=(x + bar) y=(height - plan * height + 10.0) width=(bar) height=(plan * height) class="series-b" {}
                    text x=(x) y=(height + 28.0) class="chart-label" { (text(r, "group")) }
                }
            }
            figcaption {
                span.key.series-a-key {} (l.t("gick vidare", "moved on")) " "
                span.key.series-b-key {} (l.t("plan inom 5 dagar", "plan within 5 days"))
            }
        }
    }
}

const OUTCOMES: [&str; 7] = [
    "job",
    "subsidised_job",
    "internship",
    "studies",
    "other_income",
    "returned_to_support",
    "left",
];

/// Per month: the ended placements by outcome, stacked.
fn outcome_chart(l: Lang, rows: &[Value]) -> Markup {
    let (left, width, height) = (40.0, 600.0, 160.0);
    let count = |r: &Value, o: &str| r["by_outcome"][o].as_u64().unwrap_or(0);
    let most = rows
        .iter()
        .map(|r| OUTCOMES.iter().map(|o| count(r, o)).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = width / rows.len().max(1) as f64;
    let bar = (slot / 2.0).min(36.0);
    // Each month's segments, bottom up: (outcome, top, height).
    let stacks: Vec<Vec<(usize, f64, f64)>> = rows
        .iter()
        .map(|r| {
            let mut base = height + 10.0;
            OUTCOMES
                .iter()
                .enumerate()
                .filter_map(|(k, o)| {
                    let h = count(r, o) as f64 / most * height;
                    base -= h;
                    (h > 0.0).then_some((k, base, h))
                })
                .collect()
        })
        .collect();
    html! {
        figure.chart {
            svg viewBox={ "0 0 " (left + width + 10.0) " " (height + 40.0) } role="img" aria-labelledby="outcome-chart-title" {
                title id="outcome-chart-title" { (l.t("Avslutade placeringar per utfall och månad", "Ended placements by outcome and month")) }
                line x1=(left) x2=(left + width) y1=(height + 10.0) y2=(height + 10.0) class="grid" {}
                text x="0" y="18" class="chart-value" { (most) }
                text x="0" y=(height + 10.0) class="chart-value" { "0" }
                @for (i, (r, stack)) in rows.iter().zip(&stacks).enumerate() {
                    @let x = left + i as f64 * slot + slot / 2.0 - bar / 2.0;
                    @for (k, top, h) in stack {
                        rect x=(x) y=(top) width=(bar) height=(h) class={ "outcome-" (k) } {}
                    }
                    text x=(x) y=(height + 28.0) class="chart-label" { (text(r, "group")) }
                }
            }
            figcaption {
                @for (k, o) in OUTCOMES.iter().enumerate() {
                    span class={ "key outcome-" (k) "-key" } {} (outcome_name(l, o)) " "
                }
            }
        }
    }
}

/// The same figures as CSV, for a spreadsheet.
async fn csv(session: Session, Query(period): Query<Period>) -> Response {
    let (from, to) = period.or_last_year();
    let uri = format!("/v1/stats?{}&format=csv", Period::query(&from, &to));
    let day = |t: &str| -> String {
        t.chars()
            .filter(|c| c.is_ascii_digit() || *c == '-')
            .take(10)
            .collect()
    };
    let (first, last) = (day(&from), day(&to));
    match session.api.raw(Method::GET, &uri, None).await {
        Ok(raw) => (
            [
                (header::CONTENT_TYPE, raw.content_type),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"jobmatch-statistik-{first}-{last}.csv\""),
                ),
            ],
            raw.body,
        )
            .into_response(),
        Err(f) => layout::failure_page(session.lang, &f),
    }
}
