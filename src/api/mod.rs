//! The JSON API under `/v1`: routes, extractors that answer bad input in the API's error shape,
//! and the HTTP layers (body limit, timeout, one tracing span per request). Handlers only
//! translate between HTTP and the service's use cases. Each handler also describes itself
//! (`#[utoipa::path]`) for the OpenAPI document served at `/v1/openapi.json`.

pub mod error;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::{IntoParams, OpenApi};

use crate::model::{Employer, Id, OpeningKind, Participant};
use crate::service::input::{EmployerInput, OpeningInput, ParticipantInput, ProfileInput};
use crate::service::{Engine, SearchResults, Status, pseudonym};
pub use error::ApiError;
use error::ErrorBody;

/// Largest request body accepted: an opening with a long description fits many times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest page of search results.
pub const MAX_PER_PAGE: usize = 100;
/// Most suggestions or candidates in one answer.
pub const MAX_LIMIT: usize = 200;

/// Who is calling. Authentication comes later; handlers already receive the caller so access
/// checks slot in without changing their signatures.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        _parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Caller {
            name: "anonymous".to_owned(),
        })
    }
}

/// `Json` that rejects in the API's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

/// `Query` that rejects in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

/// `Path` that rejects in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

/// The answers every route that takes a JSON body can give to a bad body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only describes responses; the values are built by `ApiError`.
enum BodyErrors {
    #[response(status = 400, description = "The body is not valid JSON")]
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

type AppState = Arc<Engine>;
type ApiResult<T> = Result<T, ApiError>;

/// The whole HTTP application.
pub fn router(engine: Arc<Engine>) -> Router {
    let v1 = Router::new()
        .route("/employers", post(create_employer))
        .route("/employers/{id}", get(get_employer))
        .route("/openings", post(create_opening).get(search_openings))
        .route(
            "/openings/{id}",
            get(get_opening).put(update_opening).delete(close_opening),
        )
        .route("/openings/{id}/candidates", get(opening_candidates))
        .route("/participants", post(create_participant))
        .route(
            "/participants/{id}",
            get(get_participant)
                .put(update_participant)
                .delete(delete_participant),
        )
        .route(
            "/participants/{id}/suggestions",
            get(participant_suggestions),
        )
        .route("/match", post(match_profile))
        .route("/status", get(status))
        .route("/openapi.json", get(openapi));
    Router::new()
        .route("/health", get(health))
        .nest("/v1", v1)
        .with_state(engine)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("<unmatched>", MatchedPath::as_str)
                .to_owned();
            // The matched route, never the raw path or query: they can carry personal data.
            tracing::info_span!("request", method = %req.method(), route = %route)
        }))
        .layer(middleware::map_response(error::json_errors))
}

/// The OpenAPI document of this API: every route below, its parameters, bodies and answers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "jobmatch",
        version = env!("CARGO_PKG_VERSION"),
        description = "Matches participants of Swedish municipal labour-market units with vacancies and internships, and explains every score."
    ),
    paths(
        health,
        status,
        openapi,
        create_employer,
        get_employer,
        create_opening,
        search_openings,
        get_opening,
        update_opening,
        close_opening,
        opening_candidates,
        create_participant,
        get_participant,
        update_participant,
        delete_participant,
        participant_suggestions,
        match_profile,
    ),
    tags(
        (name = "employers", description = "Employers that post openings"),
        (name = "openings", description = "Vacancies and internships, their search and their ranked candidates"),
        (name = "participants", description = "Participants and the openings suggested for them"),
        (name = "matching", description = "Ranking for a profile that is not stored"),
        (name = "system", description = "Health, status and this document"),
    )
)]
pub struct ApiDoc;

/// Built once: the document is the same for the life of the process.
static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// Liveness: answers while the process serves requests.
#[utoipa::path(
    get,
    path = "/health",
    tag = "system",
    responses((status = 200, description = "The server is up", body = view::Health))
)]
async fn health() -> impl IntoResponse {
    Json(view::Health { status: "ok" })
}

/// Counts of stored objects and how far the search index has caught up.
#[utoipa::path(
    get,
    path = "/v1/status",
    tag = "system",
    responses((status = 200, description = "Counts, index progress and the weight profile in use", body = Status))
)]
async fn status(State(engine): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(Json(engine.status().await?))
}

/// This document.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "system",
    responses((status = 200, description = "The OpenAPI document of this API", body = Object))
)]
async fn openapi() -> impl IntoResponse {
    Json(&*OPENAPI)
}

/// Registers an employer.
#[utoipa::path(
    post,
    path = "/v1/employers",
    tag = "employers",
    request_body = EmployerInput,
    responses(
        BodyErrors,
        (status = 201, description = "The employer as stored", body = Employer),
    )
)]
async fn create_employer(
    State(engine): State<AppState>,
    AppJson(input): AppJson<EmployerInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(engine.create_employer(&input).await?),
    ))
}

/// One employer.
#[utoipa::path(
    get,
    path = "/v1/employers/{id}",
    tag = "employers",
    params(("id" = i64, Path, description = "Employer id")),
    responses(
        (status = 200, description = "The employer", body = Employer),
        (status = 404, description = "No such employer", body = ErrorBody),
    )
)]
async fn get_employer(
    State(engine): State<AppState>,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    Ok(Json(engine.employer(id).await?))
}

mod view {
    //! Response shapes that use the same field names as the requests.

    use chrono::NaiveDate;
    use serde::Serialize;
    use utoipa::ToSchema;

    use crate::model::{
        EmploymentForm, Experience, GeoPoint, Hours, Id, Occupation, Opening, OpeningKind,
        OpeningStatus, Participant, PriorityGroup, SwedishLevel, Term,
    };
    use crate::service::{CandidateSummary, OpeningSummary, Ranked, Suggestion};
    use crate::taxonomy::Taxonomy;

    /// The answer of `GET /health`.
    #[derive(Serialize, ToSchema)]
    pub struct Health {
        #[schema(example = "ok")]
        pub status: &'static str,
    }

    /// An opening with its terms normalised: concepts where the taxonomy knew them, free text
    /// where it did not.
    #[derive(Serialize, ToSchema)]
    pub struct OpeningView {
        #[schema(value_type = i64)]
        pub id: Id,
        #[schema(value_type = i64)]
        pub employer_id: Id,
        pub kind: OpeningKind,
        pub status: OpeningStatus,
        pub title: String,
        pub description: String,
        pub occupation: Option<Occupation>,
        pub skills_required: Vec<Term>,
        pub skills_merit: Vec<Term>,
        pub swedish_min: Option<SwedishLevel>,
        pub swedish_required: bool,
        pub licences: Vec<Term>,
        pub municipality_code: Option<String>,
        pub municipality: Option<String>,
        pub location: Option<GeoPoint>,
        pub places: u32,
        pub start_date: Option<NaiveDate>,
        pub deadline: Option<NaiveDate>,
        pub hours: Hours,
        pub employment_form: EmploymentForm,
        pub supervisor: bool,
    }

    fn municipality_name(code: &Option<String>, taxonomy: &Taxonomy) -> Option<String> {
        code.as_deref()
            .and_then(|c| taxonomy.municipality(c))
            .map(|m| m.name.clone())
    }

    impl OpeningView {
        pub fn new(o: Opening, taxonomy: &Taxonomy) -> Self {
            OpeningView {
                municipality: municipality_name(&o.workplace.municipality_code, taxonomy),
                id: o.id,
                employer_id: o.employer_id,
                kind: o.kind,
                status: o.status,
                title: o.title,
                description: o.description,
                occupation: o.occupation,
                skills_required: o.skills_required,
                skills_merit: o.skills_merit,
                swedish_min: o.swedish_min,
                swedish_required: o.swedish_required,
                licences: o.licences,
                municipality_code: o.workplace.municipality_code,
                location: o.workplace.point,
                places: o.places,
                start_date: o.start_date,
                deadline: o.deadline,
                hours: o.hours,
                employment_form: o.employment_form,
                supervisor: o.supervisor,
            }
        }
    }

    /// A participant with identity and normalised profile, as a coach sees them.
    #[derive(Serialize, ToSchema)]
    pub struct ParticipantView {
        #[schema(value_type = i64)]
        pub id: Id,
        pub pseudonym: String,
        pub name: String,
        pub personal_number: Option<String>,
        pub contact: Option<String>,
        pub skills: Vec<Term>,
        pub occupations: Vec<Experience>,
        pub swedish_level: Option<SwedishLevel>,
        pub languages: Vec<Term>,
        pub municipality_code: Option<String>,
        pub municipality: Option<String>,
        pub location: Option<GeoPoint>,
        pub max_travel_km: Option<f64>,
        pub licences: Vec<Term>,
        pub available_from: Option<NaiveDate>,
        pub hours: Hours,
        pub priority_groups: Vec<PriorityGroup>,
    }

    impl ParticipantView {
        pub fn new(p: Participant, taxonomy: &Taxonomy) -> Self {
            let profile = p.profile;
            ParticipantView {
                pseudonym: super::pseudonym(p.id),
                municipality: municipality_name(&profile.home.municipality_code, taxonomy),
                id: p.id,
                name: p.identity.name,
                personal_number: p.identity.personal_number,
                contact: p.identity.contact,
                skills: profile.skills,
                occupations: profile.occupations,
                swedish_level: profile.swedish_level,
                languages: profile.languages,
                municipality_code: profile.home.municipality_code,
                location: profile.home.point,
                max_travel_km: profile.max_travel_km,
                licences: profile.licences,
                available_from: profile.available_from,
                hours: profile.hours,
                priority_groups: profile.priority_groups,
            }
        }
    }

    /// Openings ranked for a stored participant.
    #[derive(Serialize, ToSchema)]
    pub struct ParticipantSuggestions {
        #[schema(value_type = i64)]
        pub participant_id: Id,
        /// How many openings were scored.
        pub considered: usize,
        /// How many of them a hard rule left out.
        pub excluded_count: usize,
        /// Best first; ties broken by the lower id.
        pub suggestions: Vec<Suggestion<OpeningSummary>>,
        /// The best of the excluded openings, each with its reason; empty unless asked for.
        pub excluded: Vec<Suggestion<OpeningSummary>>,
    }

    impl ParticipantSuggestions {
        pub fn new(participant_id: Id, ranked: Ranked<OpeningSummary>) -> Self {
            ParticipantSuggestions {
                participant_id,
                considered: ranked.considered,
                excluded_count: ranked.excluded_count,
                suggestions: ranked.results,
                excluded: ranked.excluded,
            }
        }
    }

    /// Openings ranked for a profile that is not stored.
    #[derive(Serialize, ToSchema)]
    pub struct ProfileSuggestions {
        /// How many openings were scored.
        pub considered: usize,
        /// How many of them a hard rule left out.
        pub excluded_count: usize,
        /// Best first; ties broken by the lower id.
        pub suggestions: Vec<Suggestion<OpeningSummary>>,
        /// The best of the excluded openings, each with its reason; empty unless asked for.
        pub excluded: Vec<Suggestion<OpeningSummary>>,
    }

    impl From<Ranked<OpeningSummary>> for ProfileSuggestions {
        fn from(ranked: Ranked<OpeningSummary>) -> Self {
            ProfileSuggestions {
                considered: ranked.considered,
                excluded_count: ranked.excluded_count,
                suggestions: ranked.results,
                excluded: ranked.excluded,
            }
        }
    }

    /// Participants ranked for an opening, pseudonymised.
    #[derive(Serialize, ToSchema)]
    pub struct Candidates {
        #[schema(value_type = i64)]
        pub opening_id: Id,
        /// How many participants were scored.
        pub considered: usize,
        /// How many of them a hard rule left out.
        pub excluded_count: usize,
        /// Best first; ties broken by the lower id.
        pub candidates: Vec<Suggestion<CandidateSummary>>,
        /// The best of the excluded participants, each with its reason; empty unless asked for.
        pub excluded: Vec<Suggestion<CandidateSummary>>,
    }

    impl Candidates {
        pub fn new(opening_id: Id, ranked: Ranked<CandidateSummary>) -> Self {
            Candidates {
                opening_id,
                considered: ranked.considered,
                excluded_count: ranked.excluded_count,
                candidates: ranked.results,
                excluded: ranked.excluded,
            }
        }
    }
}

/// Posts a vacancy or an internship.
#[utoipa::path(
    post,
    path = "/v1/openings",
    tag = "openings",
    request_body = OpeningInput,
    responses(
        BodyErrors,
        (status = 201, description = "The opening as stored, its terms normalised", body = view::OpeningView),
    )
)]
async fn create_opening(
    State(engine): State<AppState>,
    _caller: Caller,
    AppJson(input): AppJson<OpeningInput>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.create_opening(&input).await?;
    Ok((
        StatusCode::CREATED,
        Json(view::OpeningView::new(o, engine.taxonomy())),
    ))
}

/// One opening.
#[utoipa::path(
    get,
    path = "/v1/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The opening", body = view::OpeningView),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn get_opening(
    State(engine): State<AppState>,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.opening(id).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

/// Replaces an opening's content; its status stays.
#[utoipa::path(
    put,
    path = "/v1/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id")),
    request_body = OpeningInput,
    responses(
        BodyErrors,
        (status = 200, description = "The opening as stored", body = view::OpeningView),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn update_opening(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<OpeningInput>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.update_opening(id, &input).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

/// Closes an opening: it is kept, but no longer suggested or searched.
#[utoipa::path(
    delete,
    path = "/v1/openings/{id}",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id")),
    responses(
        (status = 200, description = "The closed opening", body = view::OpeningView),
        (status = 404, description = "No such opening", body = ErrorBody),
    )
)]
async fn close_opening(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.close_opening(id).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Words to find in titles and descriptions: terms are ORed, `"…"` is a phrase, `+`/`-`
    /// require or exclude. Absent or blank lists every open opening.
    q: Option<String>,
    /// Only vacancies or only internships.
    kind: Option<OpeningKind>,
    /// A municipality code (kommunkod) such as `0180`, or a municipality name.
    municipality: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    page: Option<usize>,
    /// Results per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    per_page: Option<usize>,
}

/// Full-text search over open openings, best match first.
#[utoipa::path(
    get,
    path = "/v1/openings",
    tag = "openings",
    params(SearchParams),
    responses(
        (status = 200, description = "One page of matching openings", body = SearchResults),
        (status = 400, description = "An unknown or out-of-range parameter, or a query that cannot be parsed", body = ErrorBody),
        (status = 422, description = "An unknown municipality", body = ErrorBody),
    )
)]
async fn search_openings(
    State(engine): State<AppState>,
    AppQuery(params): AppQuery<SearchParams>,
) -> ApiResult<impl IntoResponse> {
    let page = bounded("page", params.page, 1, usize::MAX)?;
    let per_page = bounded("per_page", params.per_page, 20, MAX_PER_PAGE)?;
    if page.saturating_mul(per_page) > 100_000 {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            "page is beyond the last 100,000 results; narrow the search",
        ));
    }
    Ok(Json(
        engine
            .search(params.q, params.kind, params.municipality, page, per_page)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RankParams {
    /// Only vacancies or only internships (ignored when ranking candidates).
    kind: Option<OpeningKind>,
    /// Most results to return.
    #[param(minimum = 1, maximum = 200, default = 20)]
    limit: Option<usize>,
    /// Also return the best excluded pairs, each with the rule that excluded it.
    #[serde(default)]
    include_excluded: bool,
}

/// A count parameter within 1..=max, `default` when absent.
fn bounded(name: &str, value: Option<usize>, default: usize, max: usize) -> ApiResult<usize> {
    match value.unwrap_or(default) {
        v if v == 0 || v > max => Err(ApiError::bad_request(
            "parameter_out_of_range",
            if max == usize::MAX {
                format!("{name} is {v}; it starts at 1")
            } else {
                format!("{name} is {v}; it must be within 1..={max}")
            },
        )),
        v => Ok(v),
    }
}

fn limit(value: Option<usize>) -> ApiResult<usize> {
    bounded("limit", value, 20, MAX_LIMIT)
}

/// Participants ranked for an open opening, pseudonymised, with each score explained.
#[utoipa::path(
    get,
    path = "/v1/openings/{id}/candidates",
    tag = "openings",
    params(("id" = i64, Path, description = "Opening id"), RankParams),
    responses(
        (status = 200, description = "Ranked candidates", body = view::Candidates),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 404, description = "No such opening", body = ErrorBody),
        (status = 409, description = "The opening is closed", body = ErrorBody),
    )
)]
async fn opening_candidates(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<RankParams>,
) -> ApiResult<impl IntoResponse> {
    let k = limit(params.limit)?;
    let ranked = engine.candidates(id, k, params.include_excluded).await?;
    Ok(Json(view::Candidates::new(id, ranked)))
}

/// Registers a participant: identity and matchable profile in one body.
#[utoipa::path(
    post,
    path = "/v1/participants",
    tag = "participants",
    request_body = ParticipantInput,
    responses(
        BodyErrors,
        (status = 201, description = "The participant as stored, the profile normalised", body = view::ParticipantView),
    )
)]
async fn create_participant(
    State(engine): State<AppState>,
    _caller: Caller,
    AppJson(input): AppJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let p: Participant = engine.create_participant(&input).await?;
    Ok((
        StatusCode::CREATED,
        Json(view::ParticipantView::new(p, engine.taxonomy())),
    ))
}

/// One participant, identity included; the read is logged.
#[utoipa::path(
    get,
    path = "/v1/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 200, description = "The participant", body = view::ParticipantView),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn get_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let p = engine.participant(id, &caller.name).await?;
    Ok(Json(view::ParticipantView::new(p, engine.taxonomy())))
}

/// Replaces a participant's identity and profile.
#[utoipa::path(
    put,
    path = "/v1/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    request_body = ParticipantInput,
    responses(
        BodyErrors,
        (status = 200, description = "The participant as stored", body = view::ParticipantView),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn update_participant(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let p = engine.update_participant(id, &input).await?;
    Ok(Json(view::ParticipantView::new(p, engine.taxonomy())))
}

/// Deletes a participant and everything stored about them.
#[utoipa::path(
    delete,
    path = "/v1/participants/{id}",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn delete_participant(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    engine.delete_participant(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Openings ranked for a stored participant, with each score explained.
#[utoipa::path(
    get,
    path = "/v1/participants/{id}/suggestions",
    tag = "participants",
    params(("id" = i64, Path, description = "Participant id"), RankParams),
    responses(
        (status = 200, description = "Ranked openings", body = view::ParticipantSuggestions),
        (status = 400, description = "An unknown or out-of-range parameter", body = ErrorBody),
        (status = 404, description = "No such participant", body = ErrorBody),
    )
)]
async fn participant_suggestions(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<RankParams>,
) -> ApiResult<impl IntoResponse> {
    let k = limit(params.limit)?;
    let ranked = engine
        .suggestions(id, params.kind, k, params.include_excluded, &caller.name)
        .await?;
    Ok(Json(view::ParticipantSuggestions::new(id, ranked)))
}

/// Openings ranked for a profile that is not stored, with each score explained.
#[utoipa::path(
    post,
    path = "/v1/match",
    tag = "matching",
    params(RankParams),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "Ranked openings", body = view::ProfileSuggestions),
        (status = 400, description = "The body is not valid JSON, or an unknown or out-of-range parameter", body = ErrorBody),
        (status = 413, description = "The body is larger than accepted", body = ErrorBody),
        (status = 415, description = "The body is not sent as JSON", body = ErrorBody),
        (status = 422, description = "A field is missing, of the wrong type or not understood", body = ErrorBody),
    )
)]
async fn match_profile(
    State(engine): State<AppState>,
    AppQuery(params): AppQuery<RankParams>,
    AppJson(input): AppJson<ProfileInput>,
) -> ApiResult<impl IntoResponse> {
    let k = limit(params.limit)?;
    let ranked = engine
        .match_profile(&input, params.kind, k, params.include_excluded)
        .await?;
    Ok(Json(view::ProfileSuggestions::from(ranked)))
}
