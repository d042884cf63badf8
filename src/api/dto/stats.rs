//! The units' statistics on the wire, as JSON or CSV.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::programme::query_period;
use crate::model::{Outcome, ProgrammeStatus};
use crate::service::stats::{GroupBy, StatsRow};
use crate::service::{Code, InputError};

/// The period (dates or RFC 3339; `to` exclusive, a date meaning the end of that day; the last
/// 365 days without them), the grouping and the format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    pub from: Option<String>,
    pub to: Option<String>,
    /// `unit`, `district`, `priority_group`, `swedish_band`, `kind` (of placement) or `month`
    /// (of enrolment); all together without it.
    pub group_by: Option<String>,
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
}

fn bad(field: &str, message: String) -> InputError {
    InputError::new(Code::InvalidParameter, field, message)
}

impl StatsParams {
    pub fn period(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), InputError> {
        let (from, to) = query_period(self.from.as_deref(), self.to.as_deref(), 365)?;
        if to <= from {
            return Err(bad(
                "to",
                format!("to ({to}) must come after from ({from})"),
            ));
        }
        Ok((from, to))
    }

    pub fn group_by(&self) -> Result<GroupBy, InputError> {
        Ok(match self.group_by.as_deref().map(str::trim) {
            None | Some("") => GroupBy::None,
            Some("unit") => GroupBy::Unit,
            Some("district") => GroupBy::District,
            Some("priority_group") => GroupBy::PriorityGroup,
            Some("swedish_band") => GroupBy::SwedishBand,
            Some("kind") => GroupBy::Kind,
            Some("month") => GroupBy::Month,
            Some(other) => {
                return Err(bad(
                    "group_by",
                    format!(
                        "group_by={other:?}; expected unit, district, priority_group, swedish_band, kind or month"
                    ),
                ));
            }
        })
    }

    /// Whether CSV was asked for.
    pub fn csv(&self) -> Result<bool, InputError> {
        match self.format.as_deref() {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(other) => Err(bad(
                "format",
                format!("format={other:?}; expected json or csv"),
            )),
        }
    }
}

/// One group's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatsRowView {
    pub group: String,
    /// Enrolled in the period.
    pub enrolled: usize,
    /// Of those, now in a job, an internship or studies.
    pub moved_on: usize,
    pub share_moved_on: f64,
    /// Of those enrolled, how many are in each status now.
    #[schema(value_type = std::collections::BTreeMap<String, usize>)]
    pub by_status: std::collections::BTreeMap<ProgrammeStatus, usize>,
    /// Share at the unit within the limit after referral (48 hours by default).
    pub arrive_within: Option<f64>,
    /// Share with a plan within the limit after enrolment (5 days).
    pub plan_within: Option<f64>,
    /// Share followed up within the limit after the plan (90 days).
    pub follow_up_within: Option<f64>,
    /// Of those enrolled, how many have started a placement.
    pub placed: usize,
    /// Median days from referral (or enrolment) to the first placement started.
    pub median_days_to_placement: Option<f64>,
    /// Placements ended, by outcome.
    #[schema(value_type = std::collections::BTreeMap<String, usize>)]
    pub by_outcome: std::collections::BTreeMap<Outcome, usize>,
    /// Internships ended, and the share of them that ended in a job.
    pub internships_ended: usize,
    pub internships_to_jobs: Option<f64>,
}

impl From<StatsRow> for StatsRowView {
    fn from(r: StatsRow) -> Self {
        StatsRowView {
            group: r.group,
            enrolled: r.enrolled,
            moved_on: r.moved_on,
            share_moved_on: r.share_moved_on,
            by_status: r.by_status,
            arrive_within: r.arrive_within,
            plan_within: r.plan_within,
            follow_up_within: r.follow_up_within,
            placed: r.placed,
            median_days_to_placement: r.median_days_to_placement,
            by_outcome: r.by_outcome,
            internships_ended: r.internships_ended,
            internships_to_jobs: r.internships_to_jobs,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Enrolled in the period, in all.
    pub enrolled: usize,
    /// Of those, moved on: in a job, an internship or studies, or with a placement that ended
    /// in a job, a subsidised job, an internship or studies.
    pub moved_on: usize,
    /// `moved_on` of `enrolled`, in [0, 1].
    pub share_moved_on: f64,
    /// The figures by group (one row, `all`, without `group_by`).
    pub rows: Vec<StatsRowView>,
}

impl StatsView {
    /// The rows as CSV, a column per status.
    pub fn csv(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let mut header = vec![
            "group".to_owned(),
            "enrolled".to_owned(),
            "moved_on".to_owned(),
            "share_moved_on".to_owned(),
        ];
        header.extend(ProgrammeStatus::ALL.iter().map(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        }));
        header.extend(["arrive_within", "plan_within", "follow_up_within"].map(str::to_owned));
        header.extend(
            ["placed", "median_days_to_placement"]
                .into_iter()
                .map(str::to_owned)
                .chain(Outcome::ALL.iter().map(|o| format!("ended_{}", o.as_str())))
                .chain(["internships_ended", "internships_to_jobs"].map(str::to_owned)),
        );
        let _ = w.write_record(&header);
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for r in &self.rows {
            let mut row = vec![
                r.group.clone(),
                r.enrolled.to_string(),
                r.moved_on.to_string(),
                r.share_moved_on.to_string(),
            ];
            row.extend(
                ProgrammeStatus::ALL
                    .iter()
                    .map(|s| r.by_status.get(s).copied().unwrap_or(0).to_string()),
            );
            row.extend([
                opt(r.arrive_within),
                opt(r.plan_within),
                opt(r.follow_up_within),
                r.placed.to_string(),
                opt(r.median_days_to_placement),
            ]);
            row.extend(
                Outcome::ALL
                    .iter()
                    .map(|o| r.by_outcome.get(o).copied().unwrap_or(0).to_string()),
            );
            row.extend([r.internships_ended.to_string(), opt(r.internships_to_jobs)]);
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}
