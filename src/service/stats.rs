//! The units' statistics over a period, from the programme facts: how many were enrolled, how
//! many moved on to a job, an internship or studies (and the other outcomes), the share moved
//! on, and how well the promises were kept (at the unit within the limit after referral, a plan
//! within the limit after enrolment, a follow-up within the limit after the plan), in all or by
//! unit, district, priority group or Swedish band.
//!
//! What this module must not do: name anyone; figures are per group only.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::error::Result;
use super::{Caller, Engine};
use crate::model::{Id, Profile, Programme, ProgrammeStatus, Role, swedish_band};

/// What the figures are grouped by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    #[default]
    None,
    Unit,
    District,
    PriorityGroup,
    SwedishBand,
}

/// One group's figures over the period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsRow {
    pub group: String,
    /// Enrolled in the period.
    pub enrolled: usize,
    /// Of those, now in a job, an internship or studies.
    pub moved_on: usize,
    pub share_moved_on: f64,
    /// Of those enrolled, by their status now.
    pub by_status: BTreeMap<ProgrammeStatus, usize>,
    /// Shares of the promises kept, of those whose limit has passed or who were on time;
    /// `None` when no one's clock of that kind has run out yet.
    pub arrive_within: Option<f64>,
    pub plan_within: Option<f64>,
    pub follow_up_within: Option<f64>,
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| (n as f64 / of as f64 * 1000.0).round() / 1000.0)
}

fn groups(by: GroupBy, facts: &Programme, profile: Option<&Profile>) -> Vec<String> {
    match by {
        GroupBy::None => vec!["all".to_owned()],
        GroupBy::Unit => vec![facts.unit.clone().unwrap_or_else(|| "unknown".to_owned())],
        GroupBy::District => vec![
            facts
                .district
                .clone()
                .unwrap_or_else(|| "unknown".to_owned()),
        ],
        GroupBy::PriorityGroup => match profile.map(|p| p.priority_groups.as_slice()) {
            Some([]) | None => vec!["none".to_owned()],
            Some(list) => list.iter().map(|g| g.as_str().to_owned()).collect(),
        },
        GroupBy::SwedishBand => {
            vec![swedish_band(profile.and_then(|p| p.swedish_level)).to_owned()]
        }
    }
}

/// Whether a promise was kept: `Some(true)` on time, `Some(false)` late or past its limit
/// unkept, `None` while its clock still runs or never started.
fn kept(
    start: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
    limit: Duration,
    now: DateTime<Utc>,
) -> Option<bool> {
    let start = start?;
    match done {
        Some(done) => Some(done - start <= limit),
        None => (now - start > limit).then_some(false),
    }
}

impl Engine {
    /// Statistics of the participants within the caller's reach (a coach's caseload, everyone
    /// for job matchers and admins) enrolled in `[from, to)`.
    pub async fn stats(
        &self,
        caller: &Caller,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        by: GroupBy,
    ) -> Result<Vec<StatsRow>> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach])?;
        let (facts, limits) = self.facts_in_reach(caller).await?;
        let enrolled: Vec<(Id, Programme)> = facts
            .into_iter()
            .filter(|(_, f)| f.enrolled_at.is_some_and(|t| t >= from && t < to))
            .collect();
        let ids: Vec<Id> = enrolled.iter().map(|(id, _)| *id).collect();
        let profiles: HashMap<Id, Profile> = self.store.profiles(&ids).await?.into_iter().collect();
        let now = Utc::now();
        #[derive(Default)]
        struct Sum {
            row: StatsRow,
            kept: [(usize, usize); 3],
        }
        let mut sums: BTreeMap<String, Sum> = BTreeMap::new();
        for (id, facts) in &enrolled {
            let l = limits.of(facts);
            let promises = [
                kept(
                    facts.referred_at,
                    facts.enrolled_at,
                    Duration::hours(l.arrive_hours.into()),
                    now,
                ),
                kept(
                    facts.enrolled_at,
                    facts.plan_at,
                    Duration::days(l.plan_days.into()),
                    now,
                ),
                kept(
                    facts.plan_at,
                    facts.follow_up_at,
                    Duration::days(l.follow_up_days.into()),
                    now,
                ),
            ];
            let moved_on = matches!(
                facts.status,
                ProgrammeStatus::Job | ProgrammeStatus::Internship | ProgrammeStatus::Studies
            );
            for group in groups(by, facts, profiles.get(id)) {
                let sum = sums.entry(group.clone()).or_default();
                sum.row.group = group;
                sum.row.enrolled += 1;
                sum.row.moved_on += usize::from(moved_on);
                *sum.row.by_status.entry(facts.status).or_default() += 1;
                for (k, p) in promises.iter().enumerate() {
                    if let Some(on_time) = p {
                        sum.kept[k].0 += usize::from(*on_time);
                        sum.kept[k].1 += 1;
                    }
                }
            }
        }
        Ok(sums
            .into_values()
            .map(|mut s| {
                s.row.share_moved_on = share(s.row.moved_on, s.row.enrolled).unwrap_or(0.0);
                s.row.arrive_within = share(s.kept[0].0, s.kept[0].1);
                s.row.plan_within = share(s.kept[1].0, s.kept[1].1);
                s.row.follow_up_within = share(s.kept[2].0, s.kept[2].1);
                s.row
            })
            .collect())
    }
}
