//! Allocations of a caseload over scarce places, and the priority policies they apply.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::{
    AllocationInput, AllocationView, ExposureView, FairnessParams, PolicyInput, PolicyView,
};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::service::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_allocation))
        .routes(routes!(get_allocation))
        .routes(routes!(list_policies))
        .routes(routes!(set_policy))
        .routes(routes!(fairness))
}

/// Allocates participants over the open openings: the proposals that maximise the total
/// match score, weighted by the priority policy, under each opening's free places; each
/// participant's outcome explained, and who is left behind per group with and without the
/// policy. Stored, and read again with `GET /v1/allocations/{id}`.
#[utoipa::path(
    post,
    path = "/allocations",
    tag = "allocations",
    request_body = AllocationInput,
    responses(
        BodyErrors,
        (status = 201, description = "The allocation as stored", body = AllocationView),
        (status = 404, description = "A listed participant is not within the caller's reach", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt", body = ErrorBody),
    )
)]
async fn create_allocation(
    State(engine): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<AllocationInput>,
) -> ApiResult<impl IntoResponse> {
    let request = input.to_request()?;
    let allocation = engine.allocate(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(AllocationView::from(allocation))))
}

/// A stored allocation, as it was answered.
#[utoipa::path(
    get,
    path = "/allocations/{id}",
    tag = "allocations",
    params(("id" = i64, Path, description = "Allocation id")),
    responses(
        (status = 200, description = "The allocation", body = AllocationView),
        (status = 404, description = "No such allocation, or a coach's who is not the caller", body = ErrorBody),
    )
)]
async fn get_allocation(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(AllocationView::from(
        engine.allocation(&caller, id).await?,
    )))
}

/// The priority policies, each at its latest version, the current one first (the built-in
/// `equal` policy when none was set).
#[utoipa::path(
    get,
    path = "/policies",
    tag = "allocations",
    responses((status = 200, description = "The policies", body = Vec<PolicyView>))
)]
async fn list_policies(
    State(engine): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let list: Vec<PolicyView> = engine
        .policies(&caller)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(list))
}

/// Sets a new version of a priority policy, which becomes the unit's current one.
#[utoipa::path(
    put,
    path = "/policies/{name}",
    tag = "allocations",
    params(("name" = String, Path, description = "Policy name: a-z, 0-9, - and _")),
    request_body = PolicyInput,
    responses(
        BodyErrors,
        (status = 201, description = "The new version", body = PolicyView),
    )
)]
async fn set_policy(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(name): AppPath<String>,
    AppJson(input): AppJson<PolicyInput>,
) -> ApiResult<impl IntoResponse> {
    let policy = engine.set_policy(&caller, &name, input.weights).await?;
    Ok((StatusCode::CREATED, Json(PolicyView::from(policy))))
}

/// Exposure over a period by group (priority group, Swedish band, gender): how often the
/// participants within the caller's reach were shown suggestions, appeared in candidate lists,
/// were included in allocations and were proposed an opening in one.
#[utoipa::path(
    get,
    path = "/fairness",
    tag = "allocations",
    params(FairnessParams),
    responses(
        (status = 200, description = "Exposure by group", body = ExposureView),
        (status = 400, description = "A period that cannot be read, or ends before it starts", body = ErrorBody),
    )
)]
async fn fairness(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<FairnessParams>,
) -> ApiResult<impl IntoResponse> {
    let (from, to) = params.period()?;
    Ok(Json(ExposureView::from(
        engine.fairness(&caller, from, to).await?,
    )))
}
