//! Exposure over a period, by the allocation's groups (priority group, Swedish band, gender):
//! how often participants were shown suggestions, appeared in candidate lists (both from the
//! access log), were included in allocations and were proposed an opening in one. A unit sees
//! whether some groups are looked at, and placed, less than others.
//!
//! What this module must not do: name anyone. Figures are per group only.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::allocation::{Allocation, groups_of};
use super::error::{InputError, Result};
use super::{Caller, Engine};
use crate::model::{Id, Role};

/// The purposes under which the access log records suggestions and candidate lists: the
/// matched route for the API, the use case for the command line.
const SUGGESTIONS: [&str; 2] = [
    "GET /v1/participants/{id}/suggestions",
    "participant.suggestions",
];
const CANDIDATES: [&str; 2] = ["GET /v1/openings/{id}/candidates", "opening.candidates"];

/// One group's exposure over the period.
#[derive(Clone, Debug, PartialEq)]
pub struct ExposureFigures {
    pub group: String,
    pub participants: usize,
    /// Times the group's participants were shown suggestions, in all and per participant.
    pub suggestion_views: i64,
    pub suggestion_views_per_participant: f64,
    /// Times they appeared in a candidate list.
    pub candidate_appearances: i64,
    pub candidate_appearances_per_participant: f64,
    /// Allocations they were included in, and proposals they got in them.
    pub allocations_included: i64,
    pub proposals: i64,
    /// Share of the group proposed an opening in at least one allocation of the period.
    pub share_proposed: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exposure {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub allocations: usize,
    pub groups: Vec<ExposureFigures>,
}

impl Engine {
    /// Exposure of the participants within the caller's reach (a coach's caseload, everyone
    /// for job matchers and admins) over `[from, to)`, by group.
    pub async fn fairness(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Exposure> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach])?;
        if to <= from {
            return Err(InputError::new(
                super::Code::InvalidParameter,
                "to",
                format!("to ({to}) must come after from ({from})"),
            )
            .into());
        }
        let coach = (caller.role() == Role::Coach)
            .then(|| caller.user_id())
            .flatten();
        let reach: Vec<Id> = self.store.caseload(coach).await?;
        let profiles = self.store.profiles(&reach).await?;
        let mut views: HashMap<Id, (i64, i64)> = HashMap::new();
        for (id, action, n) in self.store.exposure(from, to).await? {
            let entry = views.entry(id).or_default();
            if SUGGESTIONS.contains(&action.as_str()) {
                entry.0 += n;
            } else if CANDIDATES.contains(&action.as_str()) {
                entry.1 += n;
            }
        }
        let records = self.store.allocations_between(from, to).await?;
        let mut included: HashMap<Id, i64> = HashMap::new();
        let mut proposed: HashMap<Id, i64> = HashMap::new();
        for record in &records {
            // A body this release cannot read counts for nothing rather than failing the figures.
            let Ok(allocation) = serde_json::from_str::<Allocation>(&record.body) else {
                tracing::warn!(allocation = record.id, "stored allocation not readable");
                continue;
            };
            for id in &allocation.inputs.participants {
                *included.entry(*id).or_default() += 1;
            }
            for a in &allocation.assignments {
                *proposed.entry(a.participant_id).or_default() += 1;
            }
        }
        #[derive(Default)]
        struct Sum {
            participants: usize,
            suggestions: i64,
            candidates: i64,
            included: i64,
            proposals: i64,
            ever: usize,
        }
        let mut sums: BTreeMap<String, Sum> = BTreeMap::new();
        for (id, profile) in &profiles {
            let (s, c) = views.get(id).copied().unwrap_or_default();
            let got = proposed.get(id).copied().unwrap_or(0);
            for group in groups_of(profile) {
                let sum = sums.entry(group).or_default();
                sum.participants += 1;
                sum.suggestions += s;
                sum.candidates += c;
                sum.included += included.get(id).copied().unwrap_or(0);
                sum.proposals += got;
                sum.ever += usize::from(got > 0);
            }
        }
        let per = |n: i64, of: usize| (n as f64 / of.max(1) as f64 * 1000.0).round() / 1000.0;
        Ok(Exposure {
            from,
            to,
            allocations: records.len(),
            groups: sums
                .into_iter()
                .map(|(group, s)| ExposureFigures {
                    group,
                    participants: s.participants,
                    suggestion_views: s.suggestions,
                    suggestion_views_per_participant: per(s.suggestions, s.participants),
                    candidate_appearances: s.candidates,
                    candidate_appearances_per_participant: per(s.candidates, s.participants),
                    allocations_included: s.included,
                    proposals: s.proposals,
                    share_proposed: per(s.ever as i64, s.participants),
                })
                .collect(),
        })
    }
}
