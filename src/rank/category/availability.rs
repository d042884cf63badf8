//! `availability`: a late start decays linearly to 0 over `start_delay_zero_days`, and a
//! mismatch in hours multiplies by its factor. Always applies. Owns the start date's and the
//! hours' score and evidence; must not exclude (the deadline's hard rule is not about the
//! participant's availability).

use chrono::NaiveDate;

use crate::model::Hours;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let (p, o) = (pair.participant, pair.opening);
    Some(date_and_hours_score(
        p.available_from,
        o.start_date,
        o.hours,
        p.hours,
        &ctx.profile.curves,
    ))
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let (p, o) = (pair.participant, pair.opening);
    evidence.start_delay_days = start_delay(p.available_from, o.start_date);
    evidence.hours_mismatch = hours_factor(o.hours, p.hours, &ctx.profile.curves) < 1.0;
    score(pair, ctx)
}

/// Start date and hours together: a late start decays linearly to 0 over
/// `start_delay_zero_days`, a mismatch in hours multiplies by its factor.
pub(crate) fn date_and_hours_score(
    available_from: Option<NaiveDate>,
    start: Option<NaiveDate>,
    opening_hours: Hours,
    participant_hours: Hours,
    curves: &Curves,
) -> f32 {
    let date = start_delay(available_from, start).map_or(1.0, |d| {
        (1.0 - d as f32 / curves.start_delay_zero_days).max(0.0)
    });
    (date * hours_factor(opening_hours, participant_hours, curves)).clamp(0.0, 1.0)
}

/// Days the participant becomes available after the opening starts, if any.
fn start_delay(available_from: Option<NaiveDate>, start: Option<NaiveDate>) -> Option<i64> {
    let days = (available_from? - start?).num_days();
    (days > 0).then_some(days)
}

pub(crate) fn hours_factor(opening: Hours, participant: Hours, curves: &Curves) -> f32 {
    match (opening, participant) {
        (Hours::Full, Hours::Part) => curves.part_time_for_full_time,
        (Hours::Part, Hours::Full) => curves.full_time_for_part_time,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::{curves, day};

    #[test]
    fn availability_decays_with_late_start_and_mismatched_hours() {
        let c = curves();
        let start = Some(day("2026-12-01"));
        let early = Some(day("2026-11-01"));
        let late30 = Some(day("2026-12-31"));
        let late90 = Some(day("2027-03-01"));
        assert_eq!(
            date_and_hours_score(early, start, Hours::Full, Hours::Full, &c),
            1.0
        );
        assert_eq!(
            date_and_hours_score(None, start, Hours::Full, Hours::Any, &c),
            1.0
        );
        assert_eq!(
            date_and_hours_score(late30, start, Hours::Full, Hours::Full, &c),
            0.5
        );
        assert_eq!(
            date_and_hours_score(late90, start, Hours::Full, Hours::Full, &c),
            0.0
        );
        assert_eq!(
            date_and_hours_score(early, start, Hours::Full, Hours::Part, &c),
            0.5
        );
        assert_eq!(
            date_and_hours_score(early, start, Hours::Part, Hours::Full, &c),
            0.8
        );
        assert_eq!(
            date_and_hours_score(late30, start, Hours::Full, Hours::Part, &c),
            0.25
        );
    }
}
