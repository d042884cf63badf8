//! Every request and response type of the wire, and the conversions to and from the domain.
//! Requests are read strictly (a misspelt field is refused, not dropped) and understood through
//! the taxonomy here, at the edge; responses are built from domain values, so the core's types
//! are never serialised as the API and renaming a field inside never changes the wire.
//!
//! The small value enums of the domain (`OpeningKind`, `Hours`, `SwedishLevel`, …) are spoken
//! as they are: their spellings are the product's vocabulary, the same in the API, the import
//! file and the database.
//!
//! What this module must not do: reach the store or the index, or decide who may see what.

pub mod ads;
pub mod alerts;
pub mod allocations;
pub mod audit;
pub mod common;
pub mod employers;
pub mod fairness;
pub mod gaps;
pub mod import;
pub mod normalise;
pub mod openings;
pub mod participants;
pub mod placements;
pub mod programme;
pub mod ranking;
pub mod stats;
pub mod system;

pub use ads::{ImportAdsParams, ImportAnswer, JobSearchAd, ReportKind, read_ads, spawn_ads_reader};
pub use allocations::{AllocationInput, AllocationView, PolicyInput, PolicyView};
pub use common::{ExperienceView, GeoPoint, OccupationView, TermView, Wait, WriteParams};
pub use employers::{EmployerInput, EmployerView};
pub use fairness::{ExposureView, FairnessParams};
pub use gaps::GapsView;
pub use import::{ImportEmployer, ImportFile, ImportOpening};
pub use openings::{
    EmployerOpeningView, OpeningInput, OpeningSummary, OpeningView, SearchHit, SearchParams,
    SearchResults,
};
pub use participants::{
    CaseloadEntryView, OccupationInput, ParticipantInput, ParticipantView, ProfileInput,
    ProfileView,
};
pub use programme::{ClockView, LimitsView, ProgrammeInput, ProgrammeView};
pub use ranking::{
    CandidateSummary, Candidates, EvidenceView, ParticipantSuggestions, ProfileSuggestions,
    RankParams, Suggestion,
};
pub use stats::{StatsParams, StatsView};
pub use system::{Health, StatusView};

use super::error::ApiError;
use crate::service::Code;

/// Refuses a field the caller's role may not set (mass assignment): 422 naming it.
pub fn not_settable(field: &str, role: crate::model::Role) -> ApiError {
    ApiError::from(crate::service::InputError::new(
        Code::FieldNotAllowed,
        field,
        format!(
            "{field} cannot be set by the {} role; leave it out, it is taken from your sign-in",
            role.as_str()
        ),
    ))
}

/// A count parameter within 1..=max, `default` when absent: 0 is a bad request (400), more
/// than the maximum a page larger than this server gives (422).
pub fn bounded(
    name: &str,
    value: Option<usize>,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match value.unwrap_or(default) {
        0 => Err(ApiError::bad_request(
            Code::ParameterOutOfRange,
            format!("{name} is 0; it starts at 1"),
        )),
        v if v > max => Err(ApiError::new(
            Code::PageTooLarge,
            format!("{name} is {v}; at most {max} are given at once, so page through the rest"),
        )),
        v => Ok(v),
    }
}
