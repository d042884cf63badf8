//! Allocations and priority policies on the wire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Id, OpeningKind, PriorityGroup};
use crate::service::allocation::{
    Allocation, AllocationRequest, Fairness, GroupFigures, Inputs, OpeningPlaces, Policy, Proposal,
    Reason, Selection, Unplaced,
};
use crate::service::{Code, InputError};

/// Whom to allocate (exactly one of `participants`, `caseload` and `all`), over which openings,
/// and under which policy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationInput {
    /// Explicit participant ids; a coach may name only their own.
    #[serde(default)]
    #[schema(value_type = Option<Vec<i64>>)]
    pub participants: Option<Vec<Id>>,
    /// The calling coach's caseload.
    #[serde(default)]
    pub caseload: bool,
    /// Every participant (job matchers and admins).
    #[serde(default)]
    pub all: bool,
    /// Only vacancies or only internships.
    #[serde(default)]
    pub kind: Option<OpeningKind>,
    /// Proposals per participant, 1 to 10.
    #[serde(default = "one")]
    pub per_participant: u32,
    /// A policy by name; the current one when left out.
    #[serde(default)]
    pub policy: Option<String>,
    /// Whether the policy's weights apply; the answer's fairness figures show both ways.
    #[serde(default = "yes")]
    pub apply_policy: bool,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

impl AllocationInput {
    pub fn to_request(self) -> Result<AllocationRequest, InputError> {
        let selection = match (self.participants, self.caseload, self.all) {
            (Some(ids), false, false) => Selection::Participants(ids),
            (None, true, false) => Selection::Caseload,
            (None, false, true) => Selection::All,
            _ => {
                return Err(InputError::new(
                    Code::InvalidField,
                    "participants",
                    "give exactly one of \"participants\": [ids], \"caseload\": true or \"all\": true",
                ));
            }
        };
        if let Selection::Participants(ids) = &selection
            && ids.len() > 100_000
        {
            return Err(InputError::invalid(
                "participants",
                "at most 100,000 participants in one allocation",
            ));
        }
        Ok(AllocationRequest {
            selection,
            kind: self.kind,
            per_participant: self.per_participant,
            policy: self.policy,
            apply_policy: self.apply_policy,
        })
    }
}

/// A priority policy's weights, as an admin sets them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Weight per priority group, 0.1 to 10; a participant counts with the highest weight of
    /// their groups, 1 with none.
    #[schema(value_type = BTreeMap<String, f64>, example = json!({"long_term_recipient": 1.3, "parent": 1.2, "under_25": 1.2}))]
    pub weights: BTreeMap<PriorityGroup, f64>,
}

/// A named, versioned priority policy.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Policy)]
pub struct PolicyView {
    #[schema(example = "stockholm")]
    pub name: String,
    /// 0 for the built-in `equal` policy.
    pub version: i64,
    #[schema(value_type = BTreeMap<String, f64>)]
    pub weights: BTreeMap<PriorityGroup, f64>,
}

impl From<Policy> for PolicyView {
    fn from(p: Policy) -> Self {
        PolicyView {
            name: p.name,
            version: p.version,
            weights: p.weights,
        }
    }
}

/// Why a participant did not get their first choice, or nothing.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = AllocationReason)]
pub struct ReasonView {
    /// `first_choice_taken`, `no_eligible_opening` or `all_taken`.
    pub code: String,
    pub message: String,
    #[schema(value_type = Option<i64>)]
    pub opening_id: Option<Id>,
    /// Who got its places, by pseudonym.
    pub taken_by: Vec<String>,
}

impl From<Reason> for ReasonView {
    fn from(r: Reason) -> Self {
        ReasonView {
            code: r.code,
            message: r.message,
            opening_id: r.opening_id,
            taken_by: r.taken_by,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
    #[schema(value_type = i64)]
    pub opening_id: Id,
    /// The pair score suggestions show.
    pub score: f32,
    /// Where the opening stands in the participant's own suggestions, from 1.
    pub own_rank: usize,
    /// The policy's weight for this participant.
    pub weight: f64,
    /// Set when this is not the participant's first choice.
    pub reason: Option<ReasonView>,
}

impl From<Proposal> for AssignmentView {
    fn from(p: Proposal) -> Self {
        AssignmentView {
            participant_id: p.participant_id,
            pseudonym: p.pseudonym,
            opening_id: p.opening_id,
            score: p.score,
            own_rank: p.own_rank,
            weight: p.weight,
            reason: p.reason.map(Into::into),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnassignedView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
    pub reason: ReasonView,
}

impl From<Unplaced> for UnassignedView {
    fn from(u: Unplaced) -> Self {
        UnassignedView {
            participant_id: u.participant_id,
            pseudonym: u.pseudonym,
            reason: u.reason.into(),
        }
    }
}

/// Who was proposed for an opening's places.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpeningPlacesView {
    #[schema(value_type = i64)]
    pub opening_id: Id,
    pub places: u32,
    pub proposed: Vec<String>,
}

impl From<OpeningPlaces> for OpeningPlacesView {
    fn from(o: OpeningPlaces) -> Self {
        OpeningPlacesView {
            opening_id: o.opening_id,
            places: o.places,
            proposed: o.proposed,
        }
    }
}

/// One group's outcome.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GroupFiguresView {
    /// `all`, `priority:<group>`, `priority:none`, `swedish:A1–A2`, `swedish:B1–B2`,
    /// `swedish:C1–C2` or `swedish:unknown`.
    pub group: String,
    pub participants: usize,
    pub placed: usize,
    pub share_placed: f64,
    pub mean_score: Option<f64>,
    pub mean_own_rank: Option<f64>,
}

impl From<GroupFigures> for GroupFiguresView {
    fn from(g: GroupFigures) -> Self {
        GroupFiguresView {
            group: g.group,
            participants: g.participants,
            placed: g.placed,
            share_placed: g.share_placed,
            mean_score: g.mean_score,
            mean_own_rank: g.mean_own_rank,
        }
    }
}

/// Who is left behind: the same figures with the policy and without it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FairnessView {
    pub with_policy: Vec<GroupFiguresView>,
    pub without_policy: Vec<GroupFiguresView>,
}

impl From<Fairness> for FairnessView {
    fn from(f: Fairness) -> Self {
        FairnessView {
            with_policy: f.with_policy.into_iter().map(Into::into).collect(),
            without_policy: f.without_policy.into_iter().map(Into::into).collect(),
        }
    }
}

/// What the allocation was computed from, to replay and compare it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InputsView {
    /// The last change to openings and profiles the answer saw.
    pub outbox_head: i64,
    pub weight_profile: String,
    pub weight_profile_version: u32,
    pub taxonomy_version: i64,
    /// Each participant's best openings that entered the assignment.
    pub top_n: usize,
    pub kind: Option<OpeningKind>,
    pub per_participant: u32,
    pub apply_policy: bool,
    #[schema(value_type = Vec<i64>)]
    pub participants: Vec<Id>,
}

impl From<Inputs> for InputsView {
    fn from(i: Inputs) -> Self {
        InputsView {
            outbox_head: i.outbox_head,
            weight_profile: i.weight_profile,
            weight_profile_version: i.weight_profile_version,
            taxonomy_version: i.taxonomy_version,
            top_n: i.top_n,
            kind: i.kind,
            per_participant: i.per_participant,
            apply_policy: i.apply_policy,
            participants: i.participants,
        }
    }
}

/// An allocation: proposals that maximise the total weighted score under the openings' free
/// places, explained.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AllocationView {
    #[schema(value_type = i64)]
    pub id: Id,
    pub created_at: DateTime<Utc>,
    pub policy: PolicyView,
    pub inputs: InputsView,
    /// The total of scores times weights: the most any assignment reaches.
    pub total: f64,
    pub assignments: Vec<AssignmentView>,
    pub unassigned: Vec<UnassignedView>,
    pub openings: Vec<OpeningPlacesView>,
    pub fairness: FairnessView,
}

impl From<Allocation> for AllocationView {
    fn from(a: Allocation) -> Self {
        AllocationView {
            id: a.id,
            created_at: a.created_at,
            policy: a.policy.into(),
            inputs: a.inputs.into(),
            total: a.total,
            assignments: a.assignments.into_iter().map(Into::into).collect(),
            unassigned: a.unassigned.into_iter().map(Into::into).collect(),
            openings: a.openings.into_iter().map(Into::into).collect(),
            fairness: a.fairness.into(),
        }
    }
}
