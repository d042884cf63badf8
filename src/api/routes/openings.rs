//! Openings: post, read, change, close, and search the open ones.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use axum::body::Body;
use futures_util::TryStreamExt as _;
use tokio_util::io::{StreamReader, SyncIoBridge};

use crate::api::dto::{
    ImportAdsParams, ImportAnswer, OpeningInput, OpeningView, ReportKind, SearchParams,
    SearchResults, WriteParams, bounded, not_settable, spawn_ads_reader,
};
use crate::api::error::{ApiError, ErrorBody};
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::{Id, Opening, Role};
use crate::service::{Caller, Code, InputError, Outcome, SearchRequest};

/// Most records an import answers with; the command line's `--report` writes them all.
const MAX_REPORTED: usize = 10_000;

/// Deepest result a search pages to; deeper pages mean the search should be narrower.
const MAX_SEARCH_DEPTH: usize = 100_000;

/// The import of ads, served apart: it streams a file (see [`super::bulk_openapi_router`]).
pub fn bulk_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_ads))
}

/// Imports Platsbanken ads in the JobSearch / JobStream shape: one ad, a JSON array, JSON
/// Lines, a JobSearch answer with `hits` or an Elasticsearch answer with `hits.hits[]._source`,
/// read as it streams in. Each ad is created, updated, closed (`removed: true`), unchanged or
/// rejected on its own; the answer comes once the changes are searchable.
#[utoipa::path(
    post,
    path = "/openings/import",
    tag = "openings",
    params(ImportAdsParams),
    request_body(content = Vec<Object>, description = "Ads in one of the JobSearch shapes", content_type = "application/json"),
    responses(
        (status = 200, description = "What became of each record: counts, and the rejected records (every record with `report=full`)", body = ImportAnswer),
        (status = 400, description = "The body stopped being JSON; the records before the fault were applied", body = ErrorBody),
        (status = 413, description = "The body is larger than an import accepts", body = ErrorBody),
    )
)]
async fn import_ads(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<ImportAdsParams>,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    caller.require(&[Role::Admin, Role::Matcher])?;
    let full = params.report == Some(ReportKind::Full);
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let input = SyncIoBridge::new(StreamReader::new(stream));
    let (items, reader) = spawn_ads_reader(input, engine.taxonomy());
    let mut records = Vec::new();
    let mut records_left_out = 0;
    let summary = engine
        .import_ads(&caller, items, |r| {
            if full || r.outcome == Outcome::Rejected {
                if records.len() < MAX_REPORTED {
                    records.push(r.clone());
                } else {
                    records_left_out += 1;
                }
            }
        })
        .await?;
    match reader.await {
        Ok(Ok(_)) => Ok(Json(ImportAnswer {
            summary,
            records,
            records_left_out,
        })),
        Ok(Err(e)) => Err(ApiError::new(
            Code::MalformedJson,
            format!(
                "{e}; the {} records before it were applied",
                summary.records
            ),
        )),
        Err(e) => Err(ApiError::new(
            Code::Internal,
            format!("the ads reader stopped: {e}"),
        )),
    }
}

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
        Json(OpeningView::new(o, &engine.taxonomy())),
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
    Ok(Json(OpeningView::new(o, &engine.taxonomy())))
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
    Ok(Json(OpeningView::new(o, &engine.taxonomy())))
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
    Ok(Json(OpeningView::new(o, &engine.taxonomy())))
}

/// Full-text search over open openings, best match first.
#[utoipa::path(
    get,
    path = "/openings",
    tag = "openings",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of matching openings", body = SearchResults),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
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
        occupation: params.occupation,
        page,
        per_page,
    };
    let found = engine.search(&caller, request).await?;
    Ok(Json(SearchResults::new(found, &engine.taxonomy())))
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
    let mut opening = input.to_opening(&engine.taxonomy())?;
    opening.employer_id = employer_id;
    Ok(opening)
}
