//! The router and its OpenAPI document, built together: each route is declared once, by its
//! handler's `#[utoipa::path]`, and registered with `routes!`, so a route cannot be served
//! without being described. One file of handlers per resource.

pub mod access;
pub mod alerts;
pub mod allocations;
pub mod audit;
pub mod employers;
pub mod matching;
pub mod openings;
pub mod participants;
pub mod placements;
pub mod programme;
pub mod system;

use std::sync::Arc;

use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use super::error::{ApiError, ErrorBody};
use crate::api::Limits;
use crate::api::auth::SignInLimiter;
use crate::service::Engine;

/// What every handler can reach: the engine, the limits in force and the sign-in limiter.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub limits: Limits,
    pub sign_ins: Arc<SignInLimiter>,
}

impl std::ops::Deref for AppState {
    type Target = Arc<Engine>;

    fn deref(&self) -> &Arc<Engine> {
        &self.engine
    }
}
pub type ApiResult<T> = Result<T, ApiError>;

/// The document's frame: what the API is and how its operations are grouped. The paths come
/// from the routes themselves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "jobmatch",
        version = env!("CARGO_PKG_VERSION"),
        description = "Matches participants of Swedish municipal labour-market units with vacancies and internships, and explains every score."
    ),
    tags(
        (name = "employers", description = "Employers that post openings"),
        (name = "openings", description = "Vacancies and internships, their search and their ranked candidates"),
        (name = "participants", description = "Participants and the openings suggested for them"),
        (name = "matching", description = "Ranking for a profile that is not stored"),
        (name = "placements", description = "Participants proposed to openings, the employers' answers, and what came of it"),
        (name = "alerts", description = "Following participants, caseloads and saved searches, and the new matches found for them"),
        (name = "allocations", description = "Placing a caseload on scarce places under a priority policy, and who is left behind"),
        (name = "system", description = "Health, status and this document"),
    )
)]
pub struct ApiDoc;

/// The answers every route that takes a JSON body can give to a bad body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only describes responses; the values are built by `ApiError`.
pub enum BodyErrors {
    #[response(
        status = 400,
        description = "The body is not valid JSON, or a query parameter is not understood"
    )]
    Malformed(ErrorBody<'static>),
    #[response(status = 413, description = "The body is larger than accepted")]
    TooLarge(ErrorBody<'static>),
    #[response(status = 415, description = "The body is not sent as JSON")]
    NotJson(ErrorBody<'static>),
    #[response(
        status = 422,
        description = "A field is missing, of the wrong type or not understood"
    )]
    Invalid(ErrorBody<'static>),
}

/// The rendered OpenAPI document, served by `GET /v1/openapi.json`.
#[derive(Clone)]
pub struct OpenApiJson(pub Arc<[u8]>);

/// Routes that take whole files, such as an import of ads: served with a body limit of their
/// own and no request timeout, since they stream for as long as the file lasts.
pub fn bulk_openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().nest("/v1", openings::bulk_routes())
}

/// Every other route with its document.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(employers::routes())
        .merge(openings::routes())
        .merge(participants::routes())
        .merge(matching::routes())
        .merge(allocations::routes())
        .merge(programme::routes())
        .merge(placements::routes())
        .merge(alerts::routes())
        .merge(audit::routes())
        .merge(system::v1_routes());
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(system::routes())
        .nest("/v1", v1)
}

/// The routers of requests and of whole files ([`bulk_openapi_router`]), with the document of
/// both that the first serves at `/v1/openapi.json`.
pub fn routers() -> (Router<AppState>, Router<AppState>) {
    let (router, _) = openapi_router().split_for_parts();
    let (bulk, _) = bulk_openapi_router().split_for_parts();
    let json = serde_json::to_vec(&openapi()).expect("the OpenAPI document serialises");
    (router.layer(Extension(OpenApiJson(json.into()))), bulk)
}

/// The OpenAPI document of this API, as served: built from the router's own routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = openapi_router().into_openapi();
    doc.merge(bulk_openapi_router().into_openapi());
    access::document(&mut doc);
    doc
}
