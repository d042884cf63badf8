//! What can go wrong in a use case, split by type into the caller's mistakes ([`UserError`],
//! reported as they are) and the system's faults ([`InternalError`], logged with their cause
//! and never described to the caller), after milli's `UserError` / `InternalError`.
//!
//! Every machine-readable error code of the product is one [`Code`]; the API maps each to its
//! HTTP status in one place. What this module must not do: speak HTTP.

use crate::index::IndexError;
use crate::model::{Id, Role};
use crate::store::StoreError;
use crate::taxonomy::TaxonomyError;

/// The stable, machine-readable error codes callers can rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    // Bodies, parameters and queries that cannot be read.
    MalformedJson,
    InvalidBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidParameter,
    ParameterOutOfRange,
    PageTooLarge,
    InvalidQuery,
    BadRequest,
    // Fields that are read but not understood.
    InvalidField,
    InvalidPlaces,
    UnknownEmployer,
    UnknownCoach,
    FieldNotAllowed,
    MissingField,
    UnknownMunicipality,
    UnknownOccupation,
    UnknownSwedishLevel,
    UnknownLicence,
    // Objects and routes.
    NotFound,
    Forbidden,
    Unauthorized,
    MethodNotAllowed,
    OpeningClosed,
    // Placements that cannot take a step as asked.
    DuplicateProposal,
    StepOutOfOrder,
    OpeningFull,
    ParticipantUnavailable,
    Timeout,
    TooManyRequests,
    Overloaded,
    IndexRebuilding,
    Internal,
}

impl Code {
    /// The code as it appears in an error body.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedJson => "malformed_json",
            Code::InvalidBody => "invalid_body",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::PayloadTooLarge => "payload_too_large",
            Code::InvalidParameter => "invalid_parameter",
            Code::ParameterOutOfRange => "parameter_out_of_range",
            Code::PageTooLarge => "page_too_large",
            Code::InvalidQuery => "invalid_query",
            Code::BadRequest => "bad_request",
            Code::InvalidField => "invalid_field",
            Code::InvalidPlaces => "invalid_places",
            Code::UnknownEmployer => "unknown_employer",
            Code::UnknownCoach => "unknown_coach",
            Code::FieldNotAllowed => "field_not_allowed",
            Code::MissingField => "missing_field",
            Code::UnknownMunicipality => "unknown_municipality",
            Code::UnknownOccupation => "unknown_occupation",
            Code::UnknownSwedishLevel => "unknown_swedish_level",
            Code::UnknownLicence => "unknown_licence",
            Code::NotFound => "not_found",
            Code::Forbidden => "forbidden",
            Code::Unauthorized => "unauthorized",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::OpeningClosed => "opening_closed",
            Code::DuplicateProposal => "duplicate_proposal",
            Code::StepOutOfOrder => "step_out_of_order",
            Code::OpeningFull => "opening_full",
            Code::ParticipantUnavailable => "participant_unavailable",
            Code::Timeout => "timeout",
            Code::TooManyRequests => "too_many_requests",
            Code::Overloaded => "overloaded",
            Code::IndexRebuilding => "index_rebuilding",
            Code::Internal => "internal",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field of submitted data that cannot be understood: its code, where it is, and a message
/// naming the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub code: Code,
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            code,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        InputError::new(Code::InvalidField, field, message)
    }

    /// A value the taxonomy does not know, with the code that names what kind of value it is.
    pub fn taxonomy(field: &str, err: TaxonomyError) -> Self {
        let code = match err {
            TaxonomyError::UnknownSwedishLevel(_) => Code::UnknownSwedishLevel,
            TaxonomyError::UnknownOccupation(_) => Code::UnknownOccupation,
            TaxonomyError::UnknownMunicipality(_) => Code::UnknownMunicipality,
            TaxonomyError::UnknownLicence(_) => Code::UnknownLicence,
            _ => Code::InvalidField,
        };
        InputError::new(code, field, format!("{field}: {err}"))
    }

    /// The same error, found inside element `at` of a larger input (`openings[3]`).
    pub fn within(mut self, at: &str) -> Self {
        self.field = format!("{at}.{}", self.field);
        self.message = format!("{at}: {}", self.message);
        self
    }
}

/// The caller asked for something that cannot be done as asked.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: Id },
    #[error("the {} role may not do this", role.as_str())]
    Forbidden { role: Role },
    #[error("opening {id} is closed; candidates are ranked for open openings only")]
    Closed { id: Id },
    /// The request clashes with the object's state (a step out of order, a place taken, a
    /// proposal made twice); `code` says which.
    #[error("{message}")]
    Conflict { code: Code, message: String },
    #[error("cannot parse the search query: {0}; quote phrases and close brackets")]
    Query(String),
    /// The store refused the data as given (an unknown employer, a value it cannot hold).
    #[error(transparent)]
    Rejected(StoreError),
}

/// The system failed; nothing about it is the caller's to know.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error("storage failed: {0}")]
    Store(StoreError),
    #[error("index failed: {0}")]
    Index(IndexError),
    #[error("ranking task failed: {0}")]
    Task(String),
    /// A stored taxonomy version does not build (stored by a newer or broken release).
    #[error("the stored taxonomy does not load: {0}")]
    Taxonomy(TaxonomyError),
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The search index is being rebuilt from the database (it was missing, damaged or of an
    /// older schema): what needs it answers this rather than results from a partial index.
    #[error(
        "the search index is being rebuilt from the database; try again in a moment (GET /v1/status shows when it is ready)"
    )]
    IndexRebuilding,
    #[error(transparent)]
    User(#[from] UserError),
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl ServiceError {
    pub fn not_found(entity: &'static str, id: Id) -> Self {
        UserError::NotFound { entity, id }.into()
    }

    pub fn conflict(code: Code, message: impl Into<String>) -> Self {
        UserError::Conflict {
            code,
            message: message.into(),
        }
        .into()
    }
}

impl From<InputError> for ServiceError {
    fn from(e: InputError) -> Self {
        UserError::Input(e).into()
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        if e.is_internal() {
            InternalError::Store(e).into()
        } else {
            UserError::Rejected(e).into()
        }
    }
}

impl From<IndexError> for ServiceError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Query { message } => UserError::Query(message).into(),
            other => InternalError::Index(other).into(),
        }
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
