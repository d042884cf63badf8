//! `track_record`: how proposals to this opening and its employer have gone: the share that
//! started, and for an internship the share that ended in a job, smoothed towards the
//! employer's and then the whole unit's shares while the counts are small. The caller
//! supplies it with the opening ([`OpeningFeatures::track_record`]); a weight of 0 (the
//! default) turns the category off, and it then does not apply at all, so it costs a branch.
//!
//! Owns the smoothing and the score; the counts come from the stored placements.

use crate::rank::features::OpeningFeatures;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::Category;

/// The score of an opening without a supplied record: no evidence either way.
pub const NEUTRAL: f32 = 0.5;

/// Pseudo-counts a share is smoothed with: five proposals' worth of the level above.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// Proposals and what came of them, at one level (an opening, an employer, everyone).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    /// Proposals made (not counting those still held back by a cap).
    pub proposed: u32,
    pub started: u32,
    /// Internship placements ended, and those that ended in a job.
    pub internships_ended: u32,
    pub internships_to_jobs: u32,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.proposed += other.proposed;
        self.started += other.started;
        self.internships_ended += other.internships_ended;
        self.internships_to_jobs += other.internships_to_jobs;
    }
}

/// `found` of `of`, pulled towards `prior` with [`PRIOR_WEIGHT`] pseudo-counts.
fn smoothed(found: u32, of: u32, prior: f64) -> f64 {
    (f64::from(found) + PRIOR_WEIGHT * prior) / (f64::from(of) + PRIOR_WEIGHT)
}

/// An opening's record in [0, 1]: its share of proposals started, smoothed towards its
/// employer's, smoothed towards everyone's (itself from a uniform prior); for an internship,
/// the mean of that and its share of internships that became jobs, smoothed the same way.
pub fn record(opening: &Counts, employer: &Counts, all: &Counts, internship: bool) -> f32 {
    let started = {
        let unit = smoothed(all.started, all.proposed, 0.5);
        let employer = smoothed(employer.started, employer.proposed, unit);
        smoothed(opening.started, opening.proposed, employer)
    };
    let value = if internship {
        let unit = smoothed(all.internships_to_jobs, all.internships_ended, 0.5);
        let employer = smoothed(employer.internships_to_jobs, employer.internships_ended, unit);
        let jobs = smoothed(opening.internships_to_jobs, opening.internships_ended, employer);
        (started + jobs) / 2.0
    } else {
        started
    };
    value.clamp(0.0, 1.0) as f32
}

/// The opening's record as the category scores it, when the profile weighs it.
pub(crate) fn of(opening: &OpeningFeatures, ctx: Context<'_>) -> Option<f32> {
    (ctx.profile.weights[Category::TrackRecord] > 0.0)
        .then(|| opening.track_record.unwrap_or(NEUTRAL).clamp(0.0, 1.0))
}

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    of(pair.opening, ctx)
}

/// The record is a fact of the opening, shown as the category's score; nothing to add.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, _evidence: &mut Evidence) -> Option<f32> {
    score(pair, ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(proposed: u32, started: u32) -> Counts {
        Counts {
            proposed,
            started,
            ..Counts::default()
        }
    }

    #[test]
    fn small_counts_lean_on_the_level_above_and_large_ones_speak_for_themselves() {
        let all = counts(1000, 300);
        let employer = counts(0, 0);
        // No history: the unit's share (0.3, nudged by its prior).
        let none = record(&counts(0, 0), &employer, &all, false);
        assert!((none - 0.3).abs() < 0.01, "{none}");
        // One start of one proposal is little evidence; 40 of 50 is a lot.
        let one = record(&counts(1, 1), &employer, &all, false);
        let many = record(&counts(50, 40), &employer, &all, false);
        assert!(one > none && one < 0.5, "{one}");
        assert!(many > 0.7, "{many}");
        // A good employer lifts an opening of its own without history.
        let good = record(&counts(0, 0), &counts(40, 36), &all, false);
        assert!(good > 0.7, "{good}");
    }

    #[test]
    fn an_internship_also_counts_the_jobs_it_led_to() {
        let all = Counts {
            proposed: 100,
            started: 50,
            internships_ended: 40,
            internships_to_jobs: 10,
        };
        let led = Counts {
            proposed: 20,
            started: 10,
            internships_ended: 10,
            internships_to_jobs: 9,
        };
        let led_nowhere = Counts {
            internships_to_jobs: 0,
            ..led
        };
        let e = Counts::default();
        assert!(record(&led, &e, &all, true) > record(&led_nowhere, &e, &all, true) + 0.2);
        assert_eq!(record(&led, &e, &all, false), record(&led_nowhere, &e, &all, false));
    }
}
