//! Errors as the API answers them: `{"error":{"code":"…","message":"…"}}` with the right status.
//! User errors name the field and the fix; internal faults are logged with their cause and
//! answered with a generic message that leaks nothing.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::service::{Code, InputError, ServiceError, UserError};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub message: String,
    pub field: Option<String>,
    /// Headers the answer must carry (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
}

/// The HTTP status of each error code: the one place codes meet HTTP.
pub fn status_of(code: Code) -> StatusCode {
    match code {
        Code::MalformedJson
        | Code::InvalidParameter
        | Code::ParameterOutOfRange
        | Code::InvalidQuery
        | Code::BadRequest => StatusCode::BAD_REQUEST,
        Code::InvalidBody
        | Code::PageTooLarge
        | Code::InvalidField
        | Code::InvalidPlaces
        | Code::UnknownEmployer
        | Code::UnknownCoach
        | Code::FieldNotAllowed
        | Code::MissingField
        | Code::UnknownMunicipality
        | Code::UnknownOccupation
        | Code::UnknownSwedishLevel
        | Code::UnknownLicence => StatusCode::UNPROCESSABLE_ENTITY,
        Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::Unauthorized => StatusCode::UNAUTHORIZED,
        Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        Code::OpeningClosed
        | Code::DuplicateProposal
        | Code::StepOutOfOrder
        | Code::OpeningFull
        | Code::ParticipantUnavailable => StatusCode::CONFLICT,
        Code::Timeout => StatusCode::REQUEST_TIMEOUT,
        Code::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        Code::Overloaded | Code::IndexRebuilding => StatusCode::SERVICE_UNAVAILABLE,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
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
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            status: status_of(code),
            code,
            message: message.into(),
            field: None,
            headers: Vec::new(),
        }
    }

    /// A 400; `code` says what kind.
    pub fn bad_request(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    /// The same error, answered with this header too.
    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    fn internal() -> Self {
        Self::new(
            Code::Internal,
            "an internal error occurred; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str(),
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().extend(self.headers.iter().cloned());
        response
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError {
            field: Some(e.field),
            ..ApiError::new(e.code, e.message)
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::User(UserError::Input(e)) => e.into(),
            ServiceError::User(e @ UserError::NotFound { .. }) => {
                ApiError::not_found(e.to_string())
            }
            ServiceError::User(e @ UserError::Forbidden { .. }) => {
                ApiError::new(Code::Forbidden, e.to_string())
            }
            ServiceError::User(e @ UserError::Closed { .. }) => {
                ApiError::new(Code::OpeningClosed, e.to_string())
            }
            ServiceError::User(UserError::Conflict { code, message }) => {
                ApiError::new(code, message)
            }
            ServiceError::User(e @ UserError::Query(_)) => {
                ApiError::new(Code::InvalidQuery, e.to_string())
            }
            ServiceError::User(UserError::Rejected(e)) => ApiError::new(
                match e {
                    crate::store::StoreError::UnknownEmployer(_) => Code::UnknownEmployer,
                    _ => Code::InvalidField,
                },
                e.to_string(),
            ),
            e @ ServiceError::IndexRebuilding => {
                ApiError::new(Code::IndexRebuilding, e.to_string())
                    .with_header(header::RETRY_AFTER, "2")
            }
            ServiceError::Internal(internal) => {
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
                Code::MalformedJson,
                format!("the body is not valid JSON: {text}"),
            ),
            JsonRejection::JsonDataError(_) => ApiError::new(
                Code::InvalidBody,
                format!("the body does not have the expected fields and types: {text}"),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                Code::UnsupportedMediaType,
                "send the body as JSON with the header content-type: application/json",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                Code::PayloadTooLarge,
                "the body is larger than the server accepts; send a smaller one",
            ),
            other => ApiError {
                status: StatusCode::BAD_REQUEST,
                ..ApiError::new(Code::InvalidBody, other.body_text())
            },
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request(
            Code::InvalidParameter,
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
        StatusCode::NOT_FOUND => (Code::NotFound, "no such route; the API lives under /v1"),
        StatusCode::METHOD_NOT_ALLOWED => (
            Code::MethodNotAllowed,
            "this route does not take that method",
        ),
        StatusCode::REQUEST_TIMEOUT => (Code::Timeout, "the request took too long and was stopped"),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (Code::PayloadTooLarge, "the body is larger than accepted")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (Code::UnsupportedMediaType, "send JSON"),
        s if s.is_server_error() => (
            Code::Internal,
            "an internal error occurred; it has been logged",
        ),
        _ => (Code::BadRequest, "the request could not be understood"),
    };
    ApiError {
        status,
        ..ApiError::new(code, message)
    }
    .into_response()
}
