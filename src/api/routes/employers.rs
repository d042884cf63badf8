//! Employers: register one, read one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::{EmployerInput, EmployerView};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath};
use crate::model::Id;
use crate::service::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_employer))
        .routes(routes!(get_employer))
}

/// Registers an employer.
#[utoipa::path(
    post,
    path = "/employers",
    tag = "employers",
    request_body = EmployerInput,
    responses(
        BodyErrors,
        (status = 201, description = "The employer as stored", body = EmployerView),
    )
)]
async fn create_employer(
    State(engine): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<EmployerInput>,
) -> ApiResult<impl IntoResponse> {
    let employer = input.to_employer(&engine.taxonomy())?;
    let created = engine.create_employer(&caller, &employer).await?;
    Ok((StatusCode::CREATED, Json(EmployerView::from(created))))
}

/// One employer.
#[utoipa::path(
    get,
    path = "/employers/{id}",
    tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, description = "The employer", body = EmployerView),
        (status = 404, description = "No such employer", body = ErrorBody),
    )
)]
async fn get_employer(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(EmployerView::from(
        engine.employer(&caller, id).await?,
    )))
}
