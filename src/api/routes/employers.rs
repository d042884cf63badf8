//! Employers: register one, read one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState, BodyErrors};
use crate::api::dto::{EmployerInput, EmployerOpeningView, EmployerView, OpeningView};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::Id;
use crate::service::Caller;
use crate::taxonomy::{SuggestKind, Suggestion};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_employer))
        .routes(routes!(get_employer))
        .routes(routes!(employer_openings))
        .routes(routes!(suggest_concepts))
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

/// An employer's openings, open and closed, newest first, each open one with how many
/// participants pass its hard rules (no one is listed, so no one's data is read).
#[utoipa::path(
    get,
    path = "/employers/{id}/openings",
    tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, description = "The employer's openings", body = [EmployerOpeningView]),
        (status = 404, description = "No such employer", body = ErrorBody),
    )
)]
async fn employer_openings(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let taxonomy = engine.taxonomy();
    let openings = engine
        .employer_openings(&caller, id)
        .await?
        .into_iter()
        .map(|(o, suitable)| EmployerOpeningView {
            opening: OpeningView::new(o, &taxonomy),
            suitable_candidates: suitable,
        })
        .collect::<Vec<_>>();
    Ok(Json(openings))
}

/// Most suggestions one answer gives.
const MAX_SUGGESTIONS: usize = 50;

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SuggestParams {
    /// What the field asks for.
    #[param(inline)]
    kind: SuggestKind,
    /// What has been typed so far.
    q: String,
    /// How many, 1 to 50 (10 when left out).
    limit: Option<usize>,
}

/// Taxonomy concepts for what a person has typed so far: skills, occupations, municipalities
/// or licences whose names begin with (then contain) it, with the value a body accepts.
#[utoipa::path(
    get,
    path = "/taxonomy/suggestions",
    tag = "employers",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, best first", body = [Suggestion]),
        (status = 400, description = "An unknown kind, or a limit of 0", body = ErrorBody),
        (status = 422, description = "More suggestions asked for than one answer gives", body = ErrorBody),
    )
)]
async fn suggest_concepts(
    State(engine): State<AppState>,
    _caller: Caller,
    AppQuery(params): AppQuery<SuggestParams>,
) -> ApiResult<impl IntoResponse> {
    let limit = crate::api::dto::bounded("limit", params.limit, 10, MAX_SUGGESTIONS)?;
    Ok(Json(engine.taxonomy().suggest(
        params.kind,
        &params.q,
        limit,
    )))
}
