//! The JSON API under `/v1`: routes, extractors that answer bad input in the API's error shape,
//! and the HTTP layers (body limit, timeout, one tracing span per request). Handlers only
//! translate between HTTP and the service's use cases.

pub mod error;

use std::sync::Arc;
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

use crate::model::{Id, OpeningKind, Participant};
use crate::service::input::{EmployerInput, OpeningInput, ParticipantInput, ProfileInput};
use crate::service::{Engine, pseudonym};
pub use error::ApiError;

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
        .route("/status", get(status));
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

async fn health() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

async fn status(State(engine): State<AppState>) -> ApiResult<impl IntoResponse> {
    Ok(Json(engine.status().await?))
}

async fn create_employer(
    State(engine): State<AppState>,
    AppJson(input): AppJson<EmployerInput>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(engine.create_employer(&input).await?),
    ))
}

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

    use crate::model::{
        EmploymentForm, Experience, GeoPoint, Hours, Id, Occupation, Opening, OpeningKind,
        OpeningStatus, Participant, PriorityGroup, SwedishLevel, Term,
    };
    use crate::taxonomy::Taxonomy;

    #[derive(Serialize)]
    pub struct OpeningView {
        pub id: Id,
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

    #[derive(Serialize)]
    pub struct ParticipantView {
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
}

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

async fn get_opening(
    State(engine): State<AppState>,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.opening(id).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

async fn update_opening(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<OpeningInput>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.update_opening(id, &input).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

async fn close_opening(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let o = engine.close_opening(id).await?;
    Ok(Json(view::OpeningView::new(o, engine.taxonomy())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchParams {
    q: Option<String>,
    kind: Option<OpeningKind>,
    municipality: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RankParams {
    kind: Option<OpeningKind>,
    limit: Option<usize>,
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

async fn opening_candidates(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppQuery(params): AppQuery<RankParams>,
) -> ApiResult<impl IntoResponse> {
    let k = limit(params.limit)?;
    let ranked = engine.candidates(id, k, params.include_excluded).await?;
    Ok(Json(serde_json::json!({
        "opening_id": id,
        "considered": ranked.considered,
        "excluded_count": ranked.excluded_count,
        "candidates": ranked.results,
        "excluded": ranked.excluded,
    })))
}

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

async fn get_participant(
    State(engine): State<AppState>,
    caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    let p = engine.participant(id, &caller.name).await?;
    Ok(Json(view::ParticipantView::new(p, engine.taxonomy())))
}

async fn update_participant(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
    AppJson(input): AppJson<ParticipantInput>,
) -> ApiResult<impl IntoResponse> {
    let p = engine.update_participant(id, &input).await?;
    Ok(Json(view::ParticipantView::new(p, engine.taxonomy())))
}

async fn delete_participant(
    State(engine): State<AppState>,
    _caller: Caller,
    AppPath(id): AppPath<Id>,
) -> ApiResult<impl IntoResponse> {
    engine.delete_participant(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

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
    Ok(Json(serde_json::json!({
        "participant_id": id,
        "considered": ranked.considered,
        "excluded_count": ranked.excluded_count,
        "suggestions": ranked.results,
        "excluded": ranked.excluded,
    })))
}

async fn match_profile(
    State(engine): State<AppState>,
    AppQuery(params): AppQuery<RankParams>,
    AppJson(input): AppJson<ProfileInput>,
) -> ApiResult<impl IntoResponse> {
    let k = limit(params.limit)?;
    let ranked = engine
        .match_profile(&input, params.kind, k, params.include_excluded)
        .await?;
    Ok(Json(serde_json::json!({
        "considered": ranked.considered,
        "excluded_count": ranked.excluded_count,
        "suggestions": ranked.results,
        "excluded": ranked.excluded,
    })))
}
