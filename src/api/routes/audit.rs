//! The access log, for admins.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState};
use crate::api::dto::audit::{AuditPage, AuditParams};
use crate::api::dto::bounded;
use crate::api::error::ErrorBody;
use crate::api::extract::AppQuery;
use crate::service::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit))
}

/// Who read which participant, oldest first. Admins only.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "system",
    params(AuditParams),
    responses(
        (status = 200, description = "One page of the access log", body = AuditPage),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 422, description = "A page larger than the server gives", body = ErrorBody),
    )
)]
async fn audit(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<AuditParams>,
) -> ApiResult<impl IntoResponse> {
    let page = bounded("page", params.page, 1, usize::MAX)?;
    let per_page = bounded("per_page", params.per_page, 50, engine.limits.max_per_page)?;
    let records = engine
        .audit(&caller, params.participant, page, per_page)
        .await?;
    Ok(Json(AuditPage::new(page, per_page, records)))
}
