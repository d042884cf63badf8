//! The programme: each participant's facts (unit, district, status, and the times the units'
//! promises run from), validated and kept with every version, and the clocks a coach starts
//! the day with: who is past, or within a day of, being at the unit within 48 hours of
//! referral, having a plan within 5 days of enrolment, or being followed up within 3 months of
//! the plan (or the last follow-up). Limits are per unit, with those as defaults.
//!
//! What this module must not do: name anyone in a clock (ids and pseudonyms only).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::error::{Code, InputError, InternalError, Result, ServiceError};
use super::{Caller, Engine};
use crate::model::{Id, Programme, ProgrammeStatus, Role};

/// A unit's limits for its promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// From referral to being at the unit.
    pub arrive_hours: u32,
    /// From enrolment to an established plan.
    pub plan_days: u32,
    /// From the plan, or the last follow-up, to the next follow-up.
    pub follow_up_days: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            arrive_hours: 48,
            plan_days: 5,
            follow_up_days: 90,
        }
    }
}

/// Which promise a clock keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Arrive,
    Plan,
    FollowUp,
}

/// A participant past, or within a day of, a limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    pub participant_id: Id,
    pub pseudonym: String,
    pub unit: Option<String>,
    pub clock: ClockKind,
    pub since: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub overdue: bool,
}

/// A version of a participant's facts, when and by whom it was set.
#[derive(Clone, Debug, PartialEq)]
pub struct FactsVersion {
    pub facts: Programme,
    pub at: DateTime<Utc>,
    pub user_id: Option<Id>,
}

/// Longest unit or district name.
const MAX_NAME: usize = 100;

pub(super) fn check(p: &Programme, now: DateTime<Utc>) -> std::result::Result<(), InputError> {
    for (field, name) in [("unit", &p.unit), ("district", &p.district)] {
        if let Some(n) = name
            && (n.trim().is_empty() || n.chars().count() > MAX_NAME)
        {
            return Err(InputError::invalid(
                field,
                format!("{field} must be 1 to {MAX_NAME} characters"),
            ));
        }
    }
    let times = [
        ("referred_at", p.referred_at),
        ("enrolled_at", p.enrolled_at),
        ("plan_at", p.plan_at),
        ("follow_up_at", p.follow_up_at),
        ("left_at", p.left_at),
    ];
    for (field, t) in times {
        if t.is_some_and(|t| t > now + Duration::days(1)) {
            return Err(InputError::invalid(
                field,
                format!("{field} is in the future; record what has happened"),
            ));
        }
    }
    // Each step comes after the one it follows: no plan before referral or enrolment.
    let order = [
        ("enrolled_at", p.enrolled_at, "referred_at", p.referred_at),
        ("plan_at", p.plan_at, "referred_at", p.referred_at),
        ("plan_at", p.plan_at, "enrolled_at", p.enrolled_at),
        ("follow_up_at", p.follow_up_at, "plan_at", p.plan_at),
        ("left_at", p.left_at, "referred_at", p.referred_at),
    ];
    for (field, t, before, b) in order {
        if let (Some(t), Some(b)) = (t, b)
            && t < b
        {
            return Err(InputError::invalid(
                field,
                format!("{field} ({t}) is before {before} ({b})"),
            ));
        }
    }
    if p.plan_at.is_some() && p.referred_at.is_none() && p.enrolled_at.is_none() {
        return Err(InputError::new(
            Code::MissingField,
            "referred_at",
            "a plan needs the referral (referred_at) or the enrolment (enrolled_at) it follows",
        ));
    }
    if p.follow_up_at.is_some() && p.plan_at.is_none() {
        return Err(InputError::new(
            Code::MissingField,
            "plan_at",
            "a follow-up follows a plan; give plan_at",
        ));
    }
    if (p.status == ProgrammeStatus::Left) != p.left_at.is_some() {
        return Err(InputError::invalid(
            "left_at",
            "left_at goes with the status left, and only with it",
        ));
    }
    Ok(())
}

/// Each unit's limits, the defaults for a unit without its own.
pub(super) struct UnitLimits(HashMap<String, Limits>);

impl UnitLimits {
    /// The limits of the unit a participant belongs to.
    pub fn of(&self, p: &Programme) -> Limits {
        p.unit
            .as_ref()
            .and_then(|u| self.0.get(u))
            .copied()
            .unwrap_or_default()
    }
}

pub(super) fn decode(json: &str, what: &str) -> Result<Programme> {
    serde_json::from_str(json)
        .map_err(|e| InternalError::Task(format!("reading {what}: {e}")).into())
}

impl Engine {
    /// Sets a participant's programme facts; every version is kept. Returns the history,
    /// the new version last.
    pub async fn set_programme(
        &self,
        caller: &Caller,
        id: Id,
        facts: Programme,
    ) -> Result<Vec<FactsVersion>> {
        self.require_keeper(caller, id).await?;
        check(&facts, Utc::now())?;
        let json = serde_json::to_string(&facts).map_err(|e| InternalError::Task(e.to_string()))?;
        if !self
            .store
            .set_programme(id, &json, facts.unit.as_deref(), caller.user_id())
            .await?
        {
            return Err(ServiceError::not_found("participant", id));
        }
        self.programme(caller, id).await
    }

    /// The facts in force of a participant the caller keeps, `None` before any are set. Not
    /// logged: it goes with a read of the participant, which is.
    pub async fn facts_in_force(&self, caller: &Caller, id: Id) -> Result<Option<Programme>> {
        self.require_keeper(caller, id).await?;
        match self.store.programme_history(id).await?.pop() {
            Some(r) => Ok(Some(decode(&r.facts, "programme facts")?)),
            None => Ok(None),
        }
    }

    /// Checks facts as [`Engine::set_programme`] would, before anything is written.
    pub fn check_programme(&self, facts: &Programme) -> Result<()> {
        Ok(check(facts, Utc::now())?)
    }

    /// Sets the facts a participant's body carried, as a new version, without reading them
    /// back.
    pub async fn record_programme(&self, caller: &Caller, id: Id, facts: &Programme) -> Result<()> {
        self.require_keeper(caller, id).await?;
        check(facts, Utc::now())?;
        let json = serde_json::to_string(facts).map_err(|e| InternalError::Task(e.to_string()))?;
        if !self
            .store
            .set_programme(id, &json, facts.unit.as_deref(), caller.user_id())
            .await?
        {
            return Err(ServiceError::not_found("participant", id));
        }
        Ok(())
    }

    /// A participant's programme facts, every version, the one in force last.
    pub async fn programme(&self, caller: &Caller, id: Id) -> Result<Vec<FactsVersion>> {
        self.require_keeper(caller, id).await?;
        self.store
            .log_reads(&caller.reads([id], "participant.programme"))
            .await?;
        self.store
            .programme_history(id)
            .await?
            .into_iter()
            .map(|r| {
                Ok(FactsVersion {
                    facts: decode(&r.facts, "programme facts")?,
                    at: r.at,
                    user_id: r.user_id,
                })
            })
            .collect()
    }

    /// Sets a unit's limits (admins).
    pub async fn set_unit_limits(
        &self,
        caller: &Caller,
        unit: &str,
        limits: Limits,
    ) -> Result<Limits> {
        caller.require(&[Role::Admin])?;
        if unit.trim().is_empty() || unit.chars().count() > MAX_NAME {
            return Err(InputError::invalid(
                "unit",
                format!("a unit name is 1 to {MAX_NAME} characters"),
            )
            .into());
        }
        for (field, v, max) in [
            ("arrive_hours", limits.arrive_hours, 24 * 60),
            ("plan_days", limits.plan_days, 365),
            ("follow_up_days", limits.follow_up_days, 730),
        ] {
            if v == 0 || v > max {
                return Err(InputError::invalid(
                    field,
                    format!("{field} must be 1 to {max}, not {v}"),
                )
                .into());
            }
        }
        let json =
            serde_json::to_string(&limits).map_err(|e| InternalError::Task(e.to_string()))?;
        self.store.set_unit_limits(unit, &json).await?;
        Ok(limits)
    }

    /// The programme facts of the participants within the caller's reach (a coach's caseload,
    /// everyone for other roles), and each unit's limits.
    pub(super) async fn facts_in_reach(
        &self,
        caller: &Caller,
    ) -> Result<(Vec<(Id, Programme)>, UnitLimits)> {
        let coach = (caller.role() == Role::Coach)
            .then(|| caller.user_id())
            .flatten();
        let limits = self
            .store
            .unit_limits()
            .await?
            .into_iter()
            .filter_map(|(unit, json)| Some((unit, serde_json::from_str(&json).ok()?)))
            .collect();
        let facts = self
            .store
            .programmes(coach)
            .await?
            .into_iter()
            .map(|(id, json)| Ok((id, decode(&json, "programme facts")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok((facts, UnitLimits(limits)))
    }

    /// Who on the caller's caseload (everyone for admins) is past, or within a day of, a
    /// limit, soonest deadline first.
    pub async fn clocks(&self, caller: &Caller, now: DateTime<Utc>) -> Result<Vec<Clock>> {
        caller.require(&[Role::Admin, Role::Coach])?;
        let (facts, limits) = self.facts_in_reach(caller).await?;
        let mut clocks = Vec::new();
        for (id, p) in facts {
            if p.status == ProgrammeStatus::Left {
                continue;
            }
            let l = limits.of(&p);
            let pending = match (p.referred_at, p.enrolled_at, p.plan_at) {
                (Some(r), None, _) => {
                    Some((ClockKind::Arrive, r, Duration::hours(l.arrive_hours.into())))
                }
                (_, Some(e), None) => {
                    Some((ClockKind::Plan, e, Duration::days(l.plan_days.into())))
                }
                (_, _, Some(plan)) => {
                    let last = p.follow_up_at.unwrap_or(plan).max(plan);
                    Some((
                        ClockKind::FollowUp,
                        last,
                        Duration::days(l.follow_up_days.into()),
                    ))
                }
                _ => None,
            };
            let Some((clock, since, limit)) = pending else {
                continue;
            };
            let deadline = since + limit;
            if deadline - now <= Duration::days(1) {
                clocks.push(Clock {
                    participant_id: id,
                    pseudonym: self.staff_pseudonym(id),
                    unit: p.unit.clone(),
                    clock,
                    since,
                    deadline,
                    overdue: deadline < now,
                });
            }
        }
        clocks.sort_by(|a, b| {
            a.deadline
                .cmp(&b.deadline)
                .then(a.participant_id.cmp(&b.participant_id))
        });
        Ok(clocks)
    }
}
