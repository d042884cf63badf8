//! Ranked lists: suggestions for a stored participant, openings for a profile that is not
//! stored, and candidates for an opening.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, AppState};
use crate::api::dto::ranking::{CandidatesAnswer, EmployerCandidates};
use crate::api::dto::{
    Candidates, GapsView, ParticipantSuggestions, ProfileInput, ProfileSuggestions, RankParams,
};
use crate::api::error::ErrorBody;
use crate::api::extract::{AppJson, AppPath, AppQuery};
use crate::model::{Id, Role};
use crate::service::Caller;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(participant_suggestions))
        .routes(routes!(participant_gaps))
        .routes(routes!(opening_candidates))
        .routes(routes!(match_profile))
}

/// Openings ranked for a stored participant, with each score explained.
#[utoipa::path(
    get,
    path = "/participants/{id}/suggestions",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id"), RankParams),
    responses(
        (status = 200, description = "Ranked openings", body = ParticipantSuggestions),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 422, description = "More results asked for than the server gives at once", body = ErrorBody),
        (status = 404, description = "No such participant", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt (`index_rebuilding`, with Retry-After)", body = ErrorBody),
    )
)]
async fn participant_suggestions(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<RankParams>,
) -> ApiResult<impl IntoResponse> {
    let ranked = engine
        .suggestions(&caller, id, params.to_query(engine.limits.max_results)?)
        .await?;
    Ok(Json(ParticipantSuggestions::new(
        id,
        &ranked,
        &engine.taxonomy(),
        params.wording(&engine.taxonomy()),
    )))
}

/// What would open doors for a participant: each single change to the profile (Swedish one
/// step up, a licence or skill the openings within reach ask for most, 10 km more travel,
/// full time), with how many more open openings it lets through the hard rules and how much it
/// lifts the five best scores; most doors first, and the first as `plan`.
#[utoipa::path(
    get,
    path = "/participants/{id}/gaps",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 200, description = "The changes, most doors first", body = GapsView),
        (status = 404, description = "No such participant", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt (`index_rebuilding`, with Retry-After)", body = ErrorBody),
    )
)]
async fn participant_gaps(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(GapsView::from(engine.gaps(&caller, id).await?)))
}

/// Participants ranked for an open opening, pseudonymised, with each score explained.
#[utoipa::path(
    get,
    path = "/openings/{id}/candidates",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id"), RankParams),
    responses(
        (status = 200, description = "Ranked candidates: the unit's view for staff, a pseudonymised view of its own for an employer", body = CandidatesAnswer),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 404, description = "No such opening", body = ErrorBody),
        (status = 422, description = "More results asked for than the server gives at once", body = ErrorBody),
        (status = 409, description = "The opening is closed", body = ErrorBody),
    )
)]
async fn opening_candidates(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<RankParams>,
) -> ApiResult<impl IntoResponse> {
    let ranked = engine
        .candidates(&caller, id, params.to_query(engine.limits.max_results)?)
        .await?;
    let taxonomy = engine.taxonomy();
    let wording = params.wording(&taxonomy);
    Ok(Json(if caller.role() == Role::Employer {
        CandidatesAnswer::Employer(EmployerCandidates::new(id, &ranked, wording))
    } else {
        CandidatesAnswer::Staff(Candidates::new(id, &ranked, wording))
    }))
}

/// Openings ranked for a profile that is not stored, with each score explained.
#[utoipa::path(
    post,
    path = "/match",
    tag = "matching",
    params(RankParams),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "Ranked openings", body = ProfileSuggestions),
        (status = 400, description = "The body is not valid JSON, or an unknown or out-of-range parameter", body = ErrorBody),
        (status = 413, description = "The body is larger than accepted", body = ErrorBody),
        (status = 415, description = "The body is not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is missing, of the wrong type or not understood, or more results asked for than the server gives at once", body = ErrorBody),
        (status = 503, description = "The search index is being rebuilt (`index_rebuilding`, with Retry-After)", body = ErrorBody),
    )
)]
async fn match_profile(
    State(engine): State<AppState>,
    caller: Caller,
    AppQuery(params): AppQuery<RankParams>,
    AppJson(input): AppJson<ProfileInput>,
) -> ApiResult<impl IntoResponse> {
    let query = params.to_query(engine.limits.max_results)?;
    let profile = input.to_profile(&engine.taxonomy())?;
    let ranked = engine.match_profile(&caller, profile, query).await?;
    Ok(Json(ProfileSuggestions::new(
        &ranked,
        &engine.taxonomy(),
        params.wording(&engine.taxonomy()),
    )))
}
