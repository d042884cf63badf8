//! The JSON API under `/v1`: the router with its OpenAPI document ([`routes`], one file of
//! handlers per resource), extractors that answer bad input in the API's error shape
//! ([`extract`]), the wire types ([`dto`]) and errors as JSON ([`error`]), plus the HTTP
//! layers: body limit, timeout, one tracing span per request.
//!
//! Handlers only translate between HTTP and the service's use cases. What this module must
//! not do: hold use-case logic, reach the store or the index, or serialise a domain type.

pub mod dto;
pub mod error;
pub mod extract;
pub mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::{Router, middleware};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::service::Engine;
pub use error::ApiError;

/// Largest request body accepted: an opening with a long description fits many times over.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application.
pub fn router(engine: Arc<Engine>) -> Router {
    routes::router()
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
