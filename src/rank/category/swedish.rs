//! `swedish`: 1 when the participant meets the opening's minimum Swedish level, less per CEFR
//! step below; 1 when the opening sets no minimum (it asks nothing, so it is met). Owns the gap in steps, which the strict
//! minimum's hard rule reuses; must not exclude itself (that is `score::exclusion`).

use crate::model::SwedishLevel;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    Some(
        level_score(
            pair.participant.swedish,
            pair.opening.swedish_min,
            &ctx.profile.curves,
        )
        .unwrap_or(1.0),
    )
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    evidence.swedish_gap_steps = pair
        .opening
        .swedish_min
        .map(|required| gap(pair.participant.swedish, required));
    evidence.swedish_required = pair.opening.swedish_min;
    evidence.swedish_level = pair.opening.swedish_min.and(pair.participant.swedish);
    score(pair, ctx)
}

/// Steps below the minimum; no Swedish at all counts as one step below A1.
pub(crate) fn gap(actual: Option<SwedishLevel>, required: SwedishLevel) -> u8 {
    let actual = actual.map_or(0, SwedishLevel::step);
    required.step().saturating_sub(actual)
}

/// Meeting the minimum scores 1; each step below loses `swedish_step_penalty`.
pub(crate) fn level_score(
    actual: Option<SwedishLevel>,
    required: Option<SwedishLevel>,
    curves: &Curves,
) -> Option<f32> {
    let gap = gap(actual, required?);
    Some((1.0 - curves.swedish_step_penalty * f32::from(gap)).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::curves;

    #[test]
    fn swedish_loses_a_quarter_per_step_below_the_minimum() {
        let c = curves();
        use SwedishLevel::*;
        assert_eq!(level_score(Some(B1), Some(B1), &c), Some(1.0));
        assert_eq!(level_score(Some(C2), Some(A1), &c), Some(1.0));
        assert_eq!(level_score(Some(A2), Some(B1), &c), Some(0.75));
        assert_eq!(level_score(Some(A1), Some(B1), &c), Some(0.5));
        assert_eq!(level_score(None, Some(B1), &c), Some(0.25));
        assert_eq!(level_score(None, Some(C2), &c), Some(0.0));
        assert_eq!(level_score(Some(A1), None, &c), None);
        assert_eq!(gap(None, A1), 1);
        assert_eq!(gap(Some(A2), B2), 2);
    }
}
