//! Placements: proposals, their steps and outcomes, and employers' monthly caps.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::WriteParams;
use crate::api::dto::bounded;
use crate::api::dto::placements::{
    CapInput, CapView, PlacementInput, PlacementList, PlacementParams, PlacementView, StepInput,
};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::service::Caller;
use crate::service::placements::PlacementQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose, list))
        .routes(routes!(get_placement, step))
        .routes(routes!(get_cap, set_cap))
}

/// Proposes a participant for an opening (coaches from their own caseload, job matchers and
/// admins anyone). Answers `proposed`, or `waiting` when the employer's monthly cap is
/// reached; 409 when the opening is full, the participant is placed or settled, or was
/// proposed to the same employer within 7 days.
#[utoipa::path(
    post,
    path = "/placements",
    tag = "placements",
    params(WriteParams),
    request_body = PlacementInput,
    responses(
        BodyErrors,
        (status = 201, description = "The proposal", body = PlacementView),
        (status = 404, description = "No such participant within reach, or no such opening", body = ErrorBody),
        (status = 409, description = "Closed or full opening, unavailable participant, or a proposal within 7 days", body = ErrorBody),
    )
)]
async fn propose(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<WriteParams>,
    AppJson(input): AppJson<PlacementInput>,
) -> ApiResult<impl IntoResponse> {
    let seen = engine
        .propose(
            &caller,
            input.participant_id,
            input.opening_id,
            params.visibility(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(PlacementView::from(seen))))
}

/// The placements within the caller's reach, newest first: a coach's caseload's, an
/// employer's own openings' (under its own codes), everyone's for job matchers and admins.
#[utoipa::path(
    get,
    path = "/placements",
    tag = "placements",
    params(PlacementParams),
    responses(
        (status = 200, description = "One page of placements", body = PlacementList),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 422, description = "A page larger than the server gives", body = ErrorBody),
    )
)]
async fn list(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<PlacementParams>,
) -> ApiResult<impl IntoResponse> {
    let page = bounded("page", params.page, 1, 1_000_000)?;
    let per_page = bounded("per_page", params.per_page, 50, engine.limits.max_per_page)?;
    let placements = engine
        .placements(
            &caller,
            PlacementQuery {
                participant_id: params.participant_id,
                opening_id: params.opening_id,
                status: params.status,
                offset: ((page - 1) * per_page) as i64,
                limit: per_page as i64,
            },
        )
        .await?;
    Ok(Json(PlacementList {
        page,
        per_page,
        placements: placements.into_iter().map(Into::into).collect(),
    }))
}

/// One placement with its steps.
#[utoipa::path(
    get,
    path = "/placements/{id}",
    tag = "placements",
    params(("id" = i64, Path, description = "Placement id")),
    responses(
        (status = 200, description = "The placement", body = PlacementView),
        (status = 404, description = "No such placement within reach", body = ErrorBody),
    )
)]
async fn get_placement(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(PlacementView::from(
        engine.placement(&caller, id).await?,
    )))
}

/// Moves a placement on: the employer answers (`interview`, `started`, `declined`); staff may
/// also `withdrawn`, and `ended` with its outcome. A step out of order answers 409.
#[utoipa::path(
    patch,
    path = "/placements/{id}",
    tag = "placements",
    params(("id" = i64, Path, description = "Placement id"), WriteParams),
    request_body = StepInput,
    responses(
        BodyErrors,
        (status = 200, description = "The placement after the step", body = PlacementView),
        (status = 403, description = "A step the caller's role does not take", body = ErrorBody),
        (status = 404, description = "No such placement within reach", body = ErrorBody),
        (status = 409, description = "A step out of order, a full opening, or a participant started elsewhere", body = ErrorBody),
    )
)]
async fn step(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<WriteParams>,
    AppJson(input): AppJson<StepInput>,
) -> ApiResult<impl IntoResponse> {
    let seen = engine
        .step_placement(
            &caller,
            id,
            input.status,
            input.outcome,
            input.form,
            params.visibility(),
        )
        .await?;
    Ok(Json(PlacementView::from(seen)))
}

/// An employer's monthly cap on proposals and this month's use.
#[utoipa::path(
    get,
    path = "/employers/{id}/cap",
    tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, description = "The cap", body = CapView),
        (status = 404, description = "No such employer within reach", body = ErrorBody),
    )
)]
async fn get_cap(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(CapView::from(engine.employer_cap(&caller, id).await?)))
}

/// Sets how many proposals the employer takes a month (`null`: no cap); proposals past it
/// wait and are released oldest first as the cap allows. The employer itself and admins.
#[utoipa::path(
    put,
    path = "/employers/{id}/cap",
    tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    request_body = CapInput,
    responses(
        BodyErrors,
        (status = 200, description = "The cap in force", body = CapView),
        (status = 404, description = "No such employer within reach", body = ErrorBody),
    )
)]
async fn set_cap(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<CapInput>,
) -> ApiResult<impl IntoResponse> {
    let cap = engine
        .set_employer_cap(&caller, id, input.monthly_proposals)
        .await?;
    Ok(Json(CapView::from(cap)))
}
