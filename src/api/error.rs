//! Errors as the API answers them: `{"error":{"code":"…","message":"…"}}` with the right status.
//! User errors name the field and the fix; internal faults are logged with their cause and
//! answered with a generic message that leaks nothing.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::ServiceError;
use crate::service::input::InputError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail<'a> {
    /// Stable and machine-readable, e.g. `unknown_swedish_level`.
    #[schema(example = "unknown_swedish_level")]
    code: &'a str,
    /// For people: names the bad value and suggests the fix.
    message: &'a str,
    /// The request field at fault, when there is one, e.g. `occupations[0].code`.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: e.code,
            message: e.message,
            field: Some(e.field),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Input(e) => e.into(),
            ServiceError::NotFound { entity, id } => {
                ApiError::not_found(format!("{entity} {id} does not exist"))
            }
            ServiceError::Closed { id } => ApiError::new(
                StatusCode::CONFLICT,
                "opening_closed",
                format!("opening {id} is closed; candidates are ranked for open openings only"),
            ),
            ServiceError::Store(e) if !e.is_internal() => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: match e {
                    crate::store::StoreError::UnknownEmployer(_) => "unknown_employer",
                    _ => "invalid_field",
                },
                message: e.to_string(),
                field: None,
            },
            ServiceError::Query(message) => ApiError::bad_request(
                "invalid_query",
                format!(
                    "cannot parse the search query: {message}; quote phrases and close brackets"
                ),
            ),
            internal => {
                tracing::error!(error = %internal, "request failed");
                ApiError::internal()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let text = r.body_text();
        match r {
            JsonRejection::JsonSyntaxError(_) => ApiError::bad_request(
                "malformed_json",
                format!("the body is not valid JSON: {text}"),
            ),
            JsonRejection::JsonDataError(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("the body does not have the expected fields and types: {text}"),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with the header content-type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "the body is larger than the {} KiB accepted",
                    super::MAX_BODY_BYTES / 1024
                ),
            ),
            other => ApiError::bad_request("invalid_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request(
            "invalid_parameter",
            format!("invalid query parameters: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::not_found(format!("no such resource: {}", r.body_text()))
    }
}

/// Gives every bare error response (unknown route, wrong method, timeout, oversized body) the
/// same JSON shape as the handlers' own errors.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such route; the API lives under /v1"),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "this route does not take that method")
        }
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long and was stopped"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the body is larger than accepted"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send JSON"),
        s if s.is_server_error() => ("internal", "an internal error occurred; it has been logged"),
        _ => ("bad_request", "the request could not be understood"),
    };
    ApiError::new(status, code, message).into_response()
}
