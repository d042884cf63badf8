//! The JSON API under `/v1`: the router with its OpenAPI document ([`routes`], one file of
//! handlers per resource), extractors that answer bad input in the API's error shape
//! ([`extract`]), the wire types ([`dto`]) and errors as JSON ([`error`]), plus the HTTP
//! layers: body limit, timeout, one tracing span per request.
//!
//! Handlers only translate between HTTP and the service's use cases. What this module must
//! not do: hold use-case logic, reach the store or the index, or serialise a domain type.

pub mod auth;
pub mod dto;
pub mod error;
pub mod extract;
pub mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::{MatchedPath, Request};
use axum::http::{StatusCode, header};
use axum::{BoxError, Router, middleware};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::service::{Code, Engine};
pub use error::ApiError;

/// What a request may cost: body size, time, page size and how many are served at once.
/// Each is a flag and a `JOBMATCH_*` variable of `serve`; the defaults suit one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body; larger ones answer 413.
    pub max_body_bytes: usize,
    /// Largest file an import route reads (it streams, so this bounds time, not memory).
    pub max_import_bytes: usize,
    /// Longest a request may take before it answers 408.
    pub request_timeout: Duration,
    /// Requests served at once; more are shed at once with 503 and `Retry-After`, never queued.
    pub max_in_flight: usize,
    /// Largest page of search results; larger asks answer 422.
    pub max_per_page: usize,
    /// Most suggestions or candidates in one answer; more answer 422.
    pub max_results: usize,
    /// Failed sign-ins per client address and minute before it answers 429.
    pub sign_in_failures_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // An opening with a long description fits many times over.
            max_body_bytes: 256 * 1024,
            max_import_bytes: 2 << 30,
            request_timeout: Duration::from_secs(30),
            max_in_flight: 64,
            max_per_page: 100,
            max_results: 200,
            sign_in_failures_per_minute: 20,
        }
    }
}

/// The whole HTTP application.
pub fn router(engine: Arc<Engine>, limits: Limits) -> Router {
    let state = routes::AppState {
        engine,
        limits,
        sign_ins: Arc::new(auth::SignInLimiter::per_minute(
            limits.sign_in_failures_per_minute,
        )),
    };
    let shed = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: BoxError| async {
            ApiError::new(
                Code::Overloaded,
                "the server is busy; try again in a moment",
            )
            .with_header(header::RETRY_AFTER, "1")
        }))
        .load_shed()
        // Global: axum clones a layer into every route, and the limit is for the server.
        .layer(GlobalConcurrencyLimitLayer::new(
            limits.max_in_flight.max(1),
        ));
    let (requests, files) = routes::routers();
    requests
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(axum::extract::DefaultBodyLimit::max(limits.max_body_bytes))
        .merge(files.layer(RequestBodyLimitLayer::new(limits.max_import_bytes)))
        .with_state(state)
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("<unmatched>", MatchedPath::as_str)
                .to_owned();
            // The matched route, never the raw path or query: they can carry personal data.
            tracing::info_span!("request", method = %req.method(), route = %route)
        }))
        .layer(shed)
        .layer(middleware::map_response(error::json_errors))
}
