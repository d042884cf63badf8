//! The units' statistics over a period, from the programme facts: how many were enrolled, how
//! many moved on to a job, an internship or studies (and the other outcomes), the share moved
//! on, and how well the promises were kept (at the unit within the limit after referral, a plan
//! within the limit after enrolment, a follow-up within the limit after the plan), in all or by
//! unit, district, priority group, Swedish band, the kind of placement or the month of
//! enrolment; and from the placements: how soon people were first placed, how each placement
//! ended, and how many internships became jobs.
//!
//! What this module must not do: name anyone; figures are per group only.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};

use super::error::Result;
use super::{Caller, Engine};
use crate::model::{
    Id, OpeningKind, Outcome, Placement, PlacementStatus, Profile, Programme, ProgrammeStatus,
    Role, swedish_band,
};
use crate::store::PlacementFilter;

/// What the figures are grouped by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GroupBy {
    #[default]
    None,
    Unit,
    District,
    PriorityGroup,
    SwedishBand,
    /// The kinds of placement a participant has had (`vacancy`, `internship`, or `none`).
    Kind,
    /// The month of enrolment, `2026-11`.
    Month,
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
    /// Of those enrolled, how many have started a placement.
    pub placed: usize,
    /// Median days from referral (or enrolment, without one) to the first start.
    pub median_days_to_placement: Option<f64>,
    /// Placements ended, by outcome.
    pub by_outcome: BTreeMap<Outcome, usize>,
    /// Internships ended, and the share of them that ended in a job.
    pub internships_ended: usize,
    pub internships_to_jobs: Option<f64>,
}

fn share(n: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| (n as f64 / of as f64 * 1000.0).round() / 1000.0)
}

fn groups(
    by: GroupBy,
    facts: &Programme,
    profile: Option<&Profile>,
    placements: &[&Placement],
) -> Vec<String> {
    match by {
        GroupBy::Kind => {
            let mut kinds: Vec<&str> = placements
                .iter()
                .map(|p| match p.kind {
                    OpeningKind::Vacancy => "vacancy",
                    OpeningKind::Internship => "internship",
                })
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            if kinds.is_empty() {
                vec!["none".to_owned()]
            } else {
                kinds.into_iter().map(str::to_owned).collect()
            }
        }
        GroupBy::Month => vec![
            facts
                .enrolled_at
                .map_or_else(|| "unknown".to_owned(), |t| t.format("%Y-%m").to_string()),
        ],
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

/// The median, to a tenth; `None` of nothing.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let m = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    Some((m * 10.0).round() / 10.0)
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
        let all_placements = self
            .store
            .placements(&PlacementFilter {
                participant_ids: Some(ids.clone()),
                ..PlacementFilter::default()
            })
            .await?;
        let mut placements: HashMap<Id, Vec<&Placement>> = HashMap::new();
        for p in &all_placements {
            placements.entry(p.participant_id).or_default().push(p);
        }
        let now = Utc::now();
        #[derive(Default)]
        struct Sum {
            row: StatsRow,
            kept: [(usize, usize); 3],
            days_to_placement: Vec<f64>,
            internships_to_jobs: usize,
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
            let mine = placements.get(id).map_or(&[][..], Vec::as_slice);
            let first_start = mine.iter().filter_map(|p| p.started_at).min();
            let since = facts.referred_at.or(facts.enrolled_at);
            let days_to_placement = first_start
                .zip(since)
                .map(|(start, since)| (start - since).num_seconds().max(0) as f64 / 86_400.0);
            let ended: Vec<(OpeningKind, Outcome)> = mine
                .iter()
                .filter(|p| p.status == PlacementStatus::Ended)
                .filter_map(|p| Some((p.kind, p.outcome?)))
                .collect();
            let moved_on = matches!(
                facts.status,
                ProgrammeStatus::Job | ProgrammeStatus::Internship | ProgrammeStatus::Studies
            ) || ended.iter().any(|(_, outcome)| outcome.moved_on());
            for group in groups(by, facts, profiles.get(id), mine) {
                let sum = sums.entry(group.clone()).or_default();
                sum.row.group = group;
                sum.row.enrolled += 1;
                sum.row.moved_on += usize::from(moved_on);
                *sum.row.by_status.entry(facts.status).or_default() += 1;
                sum.row.placed += usize::from(first_start.is_some());
                sum.days_to_placement.extend(days_to_placement);
                for &(kind, outcome) in &ended {
                    *sum.row.by_outcome.entry(outcome).or_default() += 1;
                    if kind == OpeningKind::Internship {
                        sum.row.internships_ended += 1;
                        sum.internships_to_jobs += usize::from(outcome.is_job());
                    }
                }
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
                s.row.median_days_to_placement = median(&mut s.days_to_placement);
                s.row.internships_to_jobs = share(s.internships_to_jobs, s.row.internships_ended);
                s.row
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [9.0, 1.0, 4.0]), Some(4.0));
        assert_eq!(median(&mut [9.0, 1.0, 4.0, 2.0]), Some(3.0));
    }
}
