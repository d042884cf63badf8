//! Placements and employers' caps on the wire. Staff see ids; an employer sees its own code
//! for the candidate, never the participant's id or who on the staff took a step, and the
//! person's name and contact only once the placement has started.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{EmploymentForm, Id, OpeningKind, Outcome, PlacementStatus, Role};
use crate::service::placements::{Cap, SeenPlacement};

/// A proposal: this participant for this opening.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementInput {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    #[schema(value_type = i64)]
    pub opening_id: Id,
}

/// A step: `interview`, `started`, `declined` or `withdrawn`, or `ended` with its outcome
/// (and, for a subsidised job, its form when it differs from the opening's).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub status: PlacementStatus,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub form: Option<EmploymentForm>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlacementParams {
    /// Only this participant's (staff only).
    #[param(value_type = Option<i64>)]
    pub participant_id: Option<Id>,
    /// Only this opening's.
    #[param(value_type = Option<i64>)]
    pub opening_id: Option<Id>,
    /// Only placements standing at this step.
    #[param(inline)]
    pub status: Option<PlacementStatus>,
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    pub page: Option<usize>,
    #[param(minimum = 1, maximum = 100, default = 50)]
    pub per_page: Option<usize>,
}

/// One step of a placement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlacementEventView {
    pub status: PlacementStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    pub at: DateTime<Utc>,
    /// Who took the step, by role; `system` for a proposal the cap released.
    pub by: String,
    /// The user who took it; staff see it, employers do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Id>,
}

/// The person behind a started placement, as its employer learns them.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevealedView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Placement)]
pub struct PlacementView {
    #[schema(value_type = i64)]
    pub id: Id,
    /// Staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub participant_id: Option<Id>,
    /// The staff's code for the participant, or, for an employer, its own code for them.
    pub candidate: String,
    #[schema(value_type = i64)]
    pub opening_id: Id,
    #[schema(value_type = i64)]
    pub employer_id: Id,
    pub kind: OpeningKind,
    pub status: PlacementStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<EmploymentForm>,
    pub created_at: DateTime<Utc>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// For the employer once started: who the candidate is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant: Option<RevealedView>,
    pub events: Vec<PlacementEventView>,
}

impl From<SeenPlacement> for PlacementView {
    fn from(s: SeenPlacement) -> Self {
        let p = s.placement;
        let staff = !s.for_employer;
        PlacementView {
            id: p.id,
            participant_id: staff.then_some(p.participant_id),
            candidate: s.pseudonym,
            opening_id: p.opening_id,
            employer_id: p.employer_id,
            kind: p.kind,
            status: p.status,
            outcome: p.outcome,
            form: p.form,
            created_at: p.created_at,
            proposed_at: p.proposed_at,
            started_at: p.started_at,
            ended_at: p.ended_at,
            participant: s.revealed.map(|i| RevealedView {
                name: i.name,
                contact: i.contact,
            }),
            events: p
                .events
                .into_iter()
                // What the cap held back is the unit's business, not the employer's.
                .filter(|e| staff || e.status != PlacementStatus::Waiting)
                .map(|e| PlacementEventView {
                    status: e.status,
                    outcome: e.outcome,
                    at: e.at,
                    by: e.role.map_or("system", Role::as_str).to_owned(),
                    user_id: e.user_id.filter(|_| staff),
                })
                .collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlacementList {
    pub page: usize,
    pub per_page: usize,
    pub placements: Vec<PlacementView>,
}

/// An employer's cap on proposals per calendar month.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapInput {
    /// Most proposals a month; `null` for no cap.
    pub monthly_proposals: Option<u32>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CapView {
    #[schema(value_type = i64)]
    pub employer_id: Id,
    /// `null`: no cap.
    pub monthly_proposals: Option<u32>,
    /// The month the figures count in, from its first day (UTC).
    pub month_start: DateTime<Utc>,
    /// Proposals received this month.
    pub used: i64,
    /// Proposals held back until the cap allows, oldest first.
    pub waiting: i64,
}

impl From<Cap> for CapView {
    fn from(c: Cap) -> Self {
        CapView {
            employer_id: c.employer_id,
            monthly_proposals: c.state.monthly_proposals,
            month_start: c.month_start,
            used: c.state.used,
            waiting: c.state.waiting,
        }
    }
}
