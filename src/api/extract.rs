//! Extractors: JSON bodies, queries and paths that reject in the API's
//! error shape, so malformed input answers like every other error. Who is calling is `auth`'s.
//!
//! What this module must not do: decide what a caller may do (the service checks rights on
//! the object it touches) or understand a body beyond its syntax (that is `dto`).

use axum::extract::{FromRequest, FromRequestParts};

use super::error::ApiError;

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
