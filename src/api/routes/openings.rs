//! Openings: post, read, change, close, and search the open ones.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::{
    OpeningInput, OpeningView, SearchParams, SearchResults, WriteParams, bounded, not_settable,
};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::{Id, Opening, Role};
use crate::service::{Caller, Code, InputError, SearchRequest};

/// Deepest result a search pages to; deeper pages mean the search should be narrower.
const MAX_SEARCH_DEPTH: usize = 100_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_opening, search_openings))
        .routes(routes!(get_opening, update_opening, close_opening))
}

/// Posts a vacancy or an internship.
#[utoipa::path(
    post,
    path = "/openings",
    tag = "openings",
    params(WriteParams),
    request_body = OpeningInput,
    responses(
        BodyErrors,
        (status = 201, description = "The opening as stored, its terms normalised", body = OpeningView),
    )
)]
async fn create_opening(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(write): AppQuery<WriteParams>,
    AppJson(input): AppJson<OpeningInput>,
) -> ApiResult<impl IntoResponse> {
    let opening = understood(&engine, &caller, &input)?;
    let o = engine
        .create_opening(&caller, &opening, write.visibility())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(OpeningView::new(o, engine.taxonomy())),
    ))
}

/// One opening.
#[utoipa::path(
    get,
    path = "/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening", body = OpeningView),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn get_opening(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.opening(&caller, id).await?;
    Ok(Json(OpeningView::new(o, engine.taxonomy())))
}

/// Replaces an opening's content; its status stays.
#[utoipa::path(
    put,
    path = "/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id"), WriteParams),
    request_body = OpeningInput,
    responses(
        BodyErrors,
        (status = 200, description = "The opening as stored", body = OpeningView),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn update_opening(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(write): AppQuery<WriteParams>,
    AppJson(input): AppJson<OpeningInput>,
) -> ApiResult<impl IntoResponse> {
    let opening = understood(&engine, &caller, &input)?;
    let o = engine
        .update_opening(&caller, id, &opening, write.visibility())
        .await?;
    Ok(Json(OpeningView::new(o, engine.taxonomy())))
}

/// Closes an opening: it is kept, but no longer suggested or searched.
#[utoipa::path(
    delete,
    path = "/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id"), WriteParams),
    responses(
        (status = 200, description = "The closed opening", body = OpeningView),
        (status = 400, description = "A query parameter is not understood", body = ErrorBody),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn close_opening(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(write): AppQuery<WriteParams>,
) -> ApiResult<impl IntoResponse> {
    let o = engine
        .close_opening(&caller, id, write.visibility())
        .await?;
    Ok(Json(OpeningView::new(o, engine.taxonomy())))
}

/// Full-text search over open openings, best match first.
#[utoipa::path(
    get,
    path = "/openings",
    tag = "openings",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of matching openings", body = SearchResults),
        (status = 400, description = "An unknown or out-of-range parameter, or a query that cannot be parsed", body = ErrorBody),
        (status = 422, description = "An unknown municipality, or a page larger than the server gives", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt (`index_rebuilding`, with Retry-After)", body = ErrorBody),
    )
)]
async fn search_openings(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    let page = bounded("page", params.page, 1, usize::MAX)?;
    let per_page = bounded("per_page", params.per_page, 20, engine.limits.max_per_page)?;
    if page.saturating_mul(per_page) > MAX_SEARCH_DEPTH {
        return Err(ApiError::bad_request(
            Code::InvalidParameter,
            "page is beyond the last 100,000 results; narrow the search",
        ));
    }
    let request = SearchRequest {
        text: params.q,
        kind: params.kind,
        municipality: params.municipality,
        page,
        per_page,
    };
    let found = engine.search(&caller, request).await?;
    Ok(Json(SearchResults::new(found, engine.taxonomy())))
}

/// The opening a body describes, posted for the employer the caller may name: staff name one,
/// an employer's user posts for its own and may not name any (mass assignment).
fn understood(engine: &AppState, caller: &Caller, input: &OpeningInput) -> ApiResult<Opening> {
    let employer_id = match (caller.role(), input.employer_id, caller.employer_id()) {
        (Role::Employer, Some(_), _) => return Err(not_settable("employer_id", Role::Employer)),
        (Role::Employer, None, Some(own)) => own,
        (_, Some(named), _) => named,
        (_, None, _) => {
            return Err(InputError::new(
                Code::MissingField,
                "employer_id",
                "employer_id is missing; name the employer the opening is posted for",
            )
            .into());
        }
    };
    let mut opening = input.to_opening(engine.taxonomy())?;
    opening.employer_id = employer_id;
    Ok(opening)
}
