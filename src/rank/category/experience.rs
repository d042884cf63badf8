//! `experience`: years in the opening's occupation group, saturating at
//! `experience_full_years`, with related groups counting by their `occupation` similarity.
//! Applies when the opening names an occupation. Owns the years' score and evidence; must not
//! score the occupation itself (that is `occupation`).

use crate::model::SsykCode;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

use super::occupation;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    years_score(
        &pair.participant.occupations,
        pair.opening.occupation,
        &ctx.profile.curves,
    )
}

/// The years shown are those of the occupation that scored, which need not be the closest one.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let opening = pair.opening.occupation?;
    let best = best(&pair.participant.occupations, opening, &ctx.profile.curves);
    evidence.experience_years = best.map(|(_, years)| years);
    Some(best.map_or(0.0, |(score, _)| score))
}

/// Experience over the participant's occupations, the best one winning; `None` when the opening
/// names no occupation.
pub(crate) fn years_score(
    participant: &[(SsykCode, f32)],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(best(participant, opening, curves).map_or(0.0, |(score, _)| score))
}

/// The experience score and the years behind it, from the occupation that scores best.
fn best(participant: &[(SsykCode, f32)], opening: SsykCode, curves: &Curves) -> Option<(f32, f32)> {
    participant
        .iter()
        .map(|&(code, years)| {
            let years = if years.is_finite() {
                years.max(0.0)
            } else {
                0.0
            };
            let score = occupation::similarity(code.shared_digits(opening), curves)
                * (years / curves.experience_full_years).min(1.0);
            (score.clamp(0.0, 1.0), years)
        })
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::{curves, ssyk};

    #[test]
    fn experience_saturates_and_counts_related_groups_partly() {
        let c = curves();
        let o = Some(ssyk(9111));
        assert_eq!(years_score(&[(ssyk(9111), 0.0)], o, &c), Some(0.0));
        assert_eq!(years_score(&[(ssyk(9111), 1.5)], o, &c), Some(0.5));
        assert_eq!(years_score(&[(ssyk(9111), 3.0)], o, &c), Some(1.0));
        assert_eq!(years_score(&[(ssyk(9111), 20.0)], o, &c), Some(1.0));
        assert_eq!(years_score(&[(ssyk(9119), 3.0)], o, &c), Some(0.6));
        assert_eq!(years_score(&[(ssyk(9111), -2.0)], o, &c), Some(0.0));
        assert_eq!(years_score(&[(ssyk(9111), 2.0)], None, &c), None);
    }
}
