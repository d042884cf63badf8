//! Subscriptions to new matches, and the alerts found for them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::alerts::{
    AlertList, AlertParams, SubscriptionInput, SubscriptionList, SubscriptionView,
};
use crate::api::dto::bounded;
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::service::Caller;
use crate::service::alerts::MAX_ALERTS;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subscribe, list_subscriptions))
        .routes(routes!(unsubscribe))
        .routes(routes!(alerts))
}

/// Follows a participant (their coach), the coach's whole caseload, or a saved search: new
/// and changed openings that reach the threshold become alerts, optionally posted to a
/// webhook too.
#[utoipa::path(
    post,
    path = "/subscriptions",
    tag = "alerts",
    request_body = SubscriptionInput,
    responses(
        BodyErrors,
        (status = 201, description = "The subscription", body = SubscriptionView),
        (status = 404, description = "No such participant on the caller's caseload", body = ErrorBody),
    )
)]
async fn subscribe(
    State(engine): State<AppState>,
    caller: Caller,
    AppJson(input): AppJson<SubscriptionInput>,
) -> ApiResult<impl IntoResponse> {
    let followed = engine
        .subscribe(
            &caller,
            input.follow()?,
            input.threshold,
            input.webhook_url.clone(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(SubscriptionView::from(followed))))
}

/// The caller's subscriptions.
#[utoipa::path(
    get,
    path = "/subscriptions",
    tag = "alerts",
    responses((status = 200, description = "The caller's subscriptions", body = SubscriptionList))
)]
async fn list_subscriptions(
    State(engine): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let subscriptions = engine.subscriptions(&caller).await?;
    Ok(Json(SubscriptionList {
        subscriptions: subscriptions.into_iter().map(Into::into).collect(),
    }))
}

/// Stops following; the subscription's alerts go with it.
#[utoipa::path(
    delete,
    path = "/subscriptions/{id}",
    tag = "alerts",
    params(("id" = i64, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such subscription of the caller's", body = ErrorBody),
    )
)]
async fn unsubscribe(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    engine.unsubscribe(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// New matches for the caller's subscriptions since they last looked, oldest first; once
/// answered they count as looked at.
#[utoipa::path(
    get,
    path = "/alerts",
    tag = "alerts",
    params(AlertParams),
    responses(
        (status = 200, description = "What is new", body = AlertList),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 422, description = "A limit larger than the server gives", body = ErrorBody),
    )
)]
async fn alerts(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<AlertParams>,
) -> ApiResult<impl IntoResponse> {
    let limit = bounded("limit", params.limit, 100, MAX_ALERTS)?;
    let alerts = engine.alerts(&caller, limit).await?;
    Ok(Json(AlertList {
        alerts: alerts.into_iter().map(Into::into).collect(),
    }))
}
