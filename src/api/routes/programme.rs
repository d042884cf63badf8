//! The programme: a participant's facts, the clocks, and each unit's limits.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use chrono::Utc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::{
    ClockView, LimitsView, ProgrammeInput, ProgrammeView, StatsParams, StatsView,
};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::service::Caller;
use crate::service::stats::GroupBy;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_programme, set_programme))
        .routes(routes!(clocks))
        .routes(routes!(set_limits))
        .routes(routes!(stats))
}

/// A participant's programme facts in force and every version before.
#[utoipa::path(
    get,
    path = "/participants/{id}/programme",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 200, description = "The facts and their history", body = ProgrammeView),
        (status = 404, description = "No such participant on the caller's caseload", body = ErrorBody),
    )
)]
async fn get_programme(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(ProgrammeView::new(
        id,
        engine.programme(&caller, id).await?,
    )))
}

/// Sets a participant's programme facts (unit, district, status, referral, enrolment, plan,
/// follow-up, leaving); each step must come after the one it follows, and every version is kept.
#[utoipa::path(
    put,
    path = "/participants/{id}/programme",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    request_body = ProgrammeInput,
    responses(
        BodyErrors,
        (status = 200, description = "The facts and their history", body = ProgrammeView),
        (status = 404, description = "No such participant on the caller's caseload", body = ErrorBody),
    )
)]
async fn set_programme(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<ProgrammeInput>,
) -> ApiResult<impl IntoResponse> {
    let facts = input.to_programme()?;
    Ok(Json(ProgrammeView::new(
        id,
        engine.set_programme(&caller, id, facts).await?,
    )))
}

/// Who on the caller's caseload (everyone for an admin) is past, or within a day of, a
/// promise: at the unit within 48 hours of referral, a plan within 5 days of enrolment, a
/// follow-up within 3 months of the plan (the unit's own limits where set). Soonest first.
#[utoipa::path(
    get,
    path = "/clocks",
    tag = "participants",
    responses((status = 200, description = "The clocks, soonest first", body = [ClockView]))
)]
async fn clocks(State(engine): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    let clocks = engine.clocks(&caller, Utc::now()).await?;
    Ok(Json(
        clocks.into_iter().map(ClockView::from).collect::<Vec<_>>(),
    ))
}

/// Sets a unit's limits for its promises.
#[utoipa::path(
    put,
    path = "/units/{unit}/limits",
    tag = "participants",
    params(("unit" = String, Path, description = "The unit's name, as on its participants' facts")),
    request_body = LimitsView,
    responses(BodyErrors, (status = 200, description = "The limits in force", body = LimitsView))
)]
async fn set_limits(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(unit): AppPath<String>,
    AppJson(input): AppJson<LimitsView>,
) -> ApiResult<impl IntoResponse> {
    let limits = engine.set_unit_limits(&caller, &unit, input.into()).await?;
    Ok(Json(LimitsView::from(limits)))
}

/// The unit's figures for participants enrolled in a period (the last 365 days without one):
/// enrolled, moved on to a job, an internship or studies, the share moved on, every status,
/// and the shares of promises kept; in all or by unit, district, priority group or Swedish
/// band; JSON, or CSV with `format=csv`.
#[utoipa::path(
    get,
    path = "/stats",
    tag = "participants",
    params(StatsParams),
    responses(
        (status = 200, description = "The figures", content(
            (StatsView = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A period, grouping or format that cannot be read", body = ErrorBody),
    )
)]
async fn stats(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<StatsParams>,
) -> ApiResult<axum::response::Response> {
    let (from, to) = params.period()?;
    let csv = params.csv()?;
    let by = params.group_by()?;
    let rows = engine.stats(&caller, from, to, by).await?;
    // A participant may fall in several groups (priority groups): the totals are counted apart.
    let all = match by {
        GroupBy::None => rows.first().cloned(),
        _ => engine
            .stats(&caller, from, to, GroupBy::None)
            .await?
            .into_iter()
            .next(),
    }
    .unwrap_or_default();
    let view = StatsView {
        from,
        to,
        enrolled: all.enrolled,
        moved_on: all.moved_on,
        share_moved_on: all.share_moved_on,
        rows: rows.into_iter().map(Into::into).collect(),
    };
    Ok(if csv {
        (
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            view.csv(),
        )
            .into_response()
    } else {
        Json(view).into_response()
    })
}
