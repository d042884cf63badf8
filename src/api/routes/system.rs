//! Health, status and the OpenAPI document.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, OpenApiJson};
use crate::api::dto::{Health, StatusView};
use crate::service::Caller;

/// Routes outside `/v1`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

pub fn v1_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(openapi))
}

/// Liveness: answers while the process serves requests.
#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    responses((status = 200, description = "The server is up", body = Health))
)]
async fn health() -> impl IntoResponse {
    Json(Health { status: "ok" })
}

/// Counts of stored objects and how far the search index has caught up.
#[utoipa::path(
    get,
    path = "/status",
    tag = "system",
    responses((status = 200, description = "Counts, index progress and the weight profile in use", body = StatusView))
)]
async fn status(State(engine): State<AppState>, caller: Caller) -> ApiResult<impl IntoResponse> {
    Ok(Json(StatusView::from(engine.status(&caller).await?)))
}

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "system",
    responses((status = 200, description = "The OpenAPI document of this API", body = Object))
)]
async fn openapi(_caller: Caller, Extension(doc): Extension<OpenApiJson>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], doc.0.to_vec())
}
