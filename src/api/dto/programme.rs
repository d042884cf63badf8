//! Programme facts, the clocks and a unit's limits on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{Id, Programme, ProgrammeStatus};
use crate::service::programme::{Clock, ClockKind, FactsVersion, Limits};
use crate::service::{Code, InputError};

/// A time as people give it: RFC 3339, or a date (its start, UTC).
pub fn parse_time(field: &str, text: &str, end_of_day: bool) -> Result<DateTime<Utc>, InputError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| if end_of_day { d.succ_opt() } else { Some(d) })
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            InputError::new(
                Code::InvalidField,
                field,
                format!("{field}={text:?} is not a date (2026-11-01) or an RFC 3339 time"),
            )
        })
}

/// A period given as query parameters: `to` exclusive (a date means the end of that day),
/// now without it; `from` `default_days` before `to` without it. A bound that cannot be read
/// is a bad request.
pub fn query_period(
    from: Option<&str>,
    to: Option<&str>,
    default_days: i64,
) -> Result<(DateTime<Utc>, DateTime<Utc>), InputError> {
    let time = |field: &str, t: &str, end| {
        parse_time(field, t, end)
            .map_err(|e| InputError::new(Code::InvalidParameter, field, e.message))
    };
    let to = match to {
        Some(t) => time("to", t, true)?,
        None => Utc::now(),
    };
    let from = match from {
        Some(f) => time("from", f, false)?,
        None => to - chrono::Duration::days(default_days),
    };
    Ok((from, to))
}

/// A participant's programme facts as a coach sets them; times as dates or RFC 3339.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub status: ProgrammeStatus,
    /// Applied for support for labour-market reasons.
    #[serde(default)]
    pub referred_at: Option<String>,
    /// First at the unit.
    #[serde(default)]
    pub enrolled_at: Option<String>,
    #[serde(default)]
    pub plan_at: Option<String>,
    /// The last follow-up (also read as `followed_up_at`, as on the participant).
    #[serde(default, alias = "followed_up_at")]
    pub follow_up_at: Option<String>,
    #[serde(default)]
    pub left_at: Option<String>,
}

impl ProgrammeInput {
    pub fn to_programme(&self) -> Result<Programme, InputError> {
        let at = |field: &str, v: &Option<String>| {
            v.as_deref()
                .map(|t| parse_time(field, t, false))
                .transpose()
        };
        Ok(Programme {
            unit: self.unit.as_ref().map(|u| u.trim().to_owned()),
            district: self.district.as_ref().map(|d| d.trim().to_owned()),
            status: self.status,
            referred_at: at("referred_at", &self.referred_at)?,
            enrolled_at: at("enrolled_at", &self.enrolled_at)?,
            plan_at: at("plan_at", &self.plan_at)?,
            follow_up_at: at("follow_up_at", &self.follow_up_at)?,
            left_at: at("left_at", &self.left_at)?,
        })
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FactsView {
    pub unit: Option<String>,
    pub district: Option<String>,
    pub status: ProgrammeStatus,
    pub referred_at: Option<DateTime<Utc>>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub plan_at: Option<DateTime<Utc>>,
    pub follow_up_at: Option<DateTime<Utc>>,
    pub left_at: Option<DateTime<Utc>>,
}

impl From<Programme> for FactsView {
    fn from(p: Programme) -> Self {
        FactsView {
            unit: p.unit,
            district: p.district,
            status: p.status,
            referred_at: p.referred_at,
            enrolled_at: p.enrolled_at,
            plan_at: p.plan_at,
            follow_up_at: p.follow_up_at,
            left_at: p.left_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FactsVersionView {
    pub facts: FactsView,
    pub at: DateTime<Utc>,
    /// Who set it; null for the command line.
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Id>,
}

/// A participant's programme facts in force, and every version before.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProgrammeView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    /// Null until facts are set.
    pub facts: Option<FactsView>,
    /// Oldest first; the last is in force.
    pub history: Vec<FactsVersionView>,
}

impl ProgrammeView {
    pub fn new(participant_id: Id, history: Vec<FactsVersion>) -> Self {
        let history: Vec<FactsVersionView> = history
            .into_iter()
            .map(|v| FactsVersionView {
                facts: v.facts.into(),
                at: v.at,
                user_id: v.user_id,
            })
            .collect();
        ProgrammeView {
            participant_id,
            facts: history.last().map(|v| v.facts.clone()),
            history,
        }
    }
}

/// A unit's limits for its promises.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsView {
    /// From referral to being at the unit (48).
    pub arrive_hours: u32,
    /// From enrolment to an established plan (5).
    pub plan_days: u32,
    /// From the plan, or the last follow-up, to the next (90).
    pub follow_up_days: u32,
}

impl From<LimitsView> for Limits {
    fn from(l: LimitsView) -> Self {
        Limits {
            arrive_hours: l.arrive_hours,
            plan_days: l.plan_days,
            follow_up_days: l.follow_up_days,
        }
    }
}

impl From<Limits> for LimitsView {
    fn from(l: Limits) -> Self {
        LimitsView {
            arrive_hours: l.arrive_hours,
            plan_days: l.plan_days,
            follow_up_days: l.follow_up_days,
        }
    }
}

/// A promise past, or within a day of, its limit.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClockView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    /// `referral_48h` (at the unit after referral), `plan_5d` (a plan after enrolment) or
    /// `follow_up_3m` (a follow-up after the plan or the last one); the limits are the unit's
    /// own where it has set them.
    pub clock: &'static str,
    /// When the limit runs out.
    pub due: DateTime<Utc>,
    pub overdue: bool,
    pub pseudonym: String,
    pub unit: Option<String>,
    /// When the clock started: the referral, the enrolment, the plan or the last follow-up.
    pub since: DateTime<Utc>,
}

impl From<Clock> for ClockView {
    fn from(c: Clock) -> Self {
        ClockView {
            participant_id: c.participant_id,
            clock: match c.clock {
                ClockKind::Arrive => "referral_48h",
                ClockKind::Plan => "plan_5d",
                ClockKind::FollowUp => "follow_up_3m",
            },
            due: c.deadline,
            overdue: c.overdue,
            pseudonym: c.pseudonym,
            unit: c.unit,
            since: c.since,
        }
    }
}
