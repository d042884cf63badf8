//! Exposure by group over a period, on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::programme::query_period;
use crate::service::InputError;
use crate::service::fairness::{Exposure, ExposureFigures};

/// The period: dates (`2026-11-01`, from its start) or RFC 3339 times; `to` is exclusive, a
/// date meaning the end of that day. Without them, the last 30 days.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FairnessParams {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl FairnessParams {
    pub fn period(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), InputError> {
        query_period(self.from.as_deref(), self.to.as_deref(), 30)
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExposureFiguresView {
    /// `all`, `priority:<group>`, `priority:none`, `swedish:A1–A2` …, `gender:woman` …
    pub group: String,
    pub participants: usize,
    pub suggestion_views: i64,
    pub suggestion_views_per_participant: f64,
    pub candidate_appearances: i64,
    pub candidate_appearances_per_participant: f64,
    pub allocations_included: i64,
    pub proposals: i64,
    /// Share proposed an opening in at least one allocation of the period.
    pub share_proposed: f64,
}

impl From<ExposureFigures> for ExposureFiguresView {
    fn from(f: ExposureFigures) -> Self {
        ExposureFiguresView {
            group: f.group,
            participants: f.participants,
            suggestion_views: f.suggestion_views,
            suggestion_views_per_participant: f.suggestion_views_per_participant,
            candidate_appearances: f.candidate_appearances,
            candidate_appearances_per_participant: f.candidate_appearances_per_participant,
            allocations_included: f.allocations_included,
            proposals: f.proposals,
            share_proposed: f.share_proposed,
        }
    }
}

/// Exposure of participants in suggestions, candidate lists and allocations, by group.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ExposureView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Allocations made in the period.
    pub allocations: usize,
    pub groups: Vec<ExposureFiguresView>,
}

impl From<Exposure> for ExposureView {
    fn from(e: Exposure) -> Self {
        ExposureView {
            from: e.from,
            to: e.to,
            allocations: e.allocations,
            groups: e.groups.into_iter().map(Into::into).collect(),
        }
    }
}
