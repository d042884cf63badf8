//! `occupation`: how close the participant's nearest occupation group is to the opening's:
//! 1 for the same SSYK group, partly for sharing 3, 2 or 1 leading digits. Applies when the
//! opening names an occupation. Owns the similarity curve that `experience` reuses; must not
//! look at years (that is `experience`).

use crate::model::SsykCode;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    best_similarity(
        &pair.participant.occupations,
        pair.opening.occupation,
        &ctx.profile.curves,
    )
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let opening = pair.opening.occupation?;
    let closest = closest(&pair.participant.occupations, opening);
    evidence.occupation_match = closest.map(|(code, digits, _)| (code, digits));
    Some(closest.map_or(0.0, |(_, digits, _)| {
        similarity(digits, &ctx.profile.curves)
    }))
}

/// Occupation similarity from shared SSYK digits: 4 digits score 1, fewer score partly.
pub(crate) fn similarity(shared_digits: u8, curves: &Curves) -> f32 {
    match shared_digits {
        4 => 1.0,
        3 => curves.occupation_related[0],
        2 => curves.occupation_related[1],
        1 => curves.occupation_related[2],
        _ => 0.0,
    }
}

/// Best occupation similarity over the participant's occupations; `None` when the opening names
/// no occupation.
pub(crate) fn best_similarity(
    participant: &[(SsykCode, f32)],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(closest(participant, opening).map_or(0.0, |(_, digits, _)| similarity(digits, curves)))
}

/// The participant's occupation closest to the opening's: its code, shared digits and years.
/// Ties go to more years, then to the lower code, so the evidence is deterministic.
fn closest(participant: &[(SsykCode, f32)], opening: SsykCode) -> Option<(SsykCode, u8, f32)> {
    participant
        .iter()
        .map(|&(code, years)| (code, code.shared_digits(opening), years))
        .max_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)).then(b.0.cmp(&a.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::{curves, ssyk};

    #[test]
    fn occupation_scores_same_group_best_and_parents_partly() {
        let c = curves();
        let opening = Some(ssyk(5321));
        assert_eq!(
            best_similarity(&[(ssyk(5321), 0.0)], opening, &c),
            Some(1.0)
        );
        assert_eq!(
            best_similarity(&[(ssyk(5323), 0.0)], opening, &c),
            Some(0.6)
        );
        assert_eq!(
            best_similarity(&[(ssyk(5311), 0.0)], opening, &c),
            Some(0.3)
        );
        assert_eq!(
            best_similarity(&[(ssyk(5120), 0.0)], opening, &c),
            Some(0.1)
        );
        assert_eq!(
            best_similarity(&[(ssyk(9111), 0.0)], opening, &c),
            Some(0.0)
        );
        assert_eq!(best_similarity(&[], opening, &c), Some(0.0));
        assert_eq!(best_similarity(&[(ssyk(5321), 1.0)], None, &c), None);
        // The best of several occupations counts.
        assert_eq!(
            best_similarity(&[(ssyk(9111), 5.0), (ssyk(5323), 1.0)], opening, &c),
            Some(0.6)
        );
        // Leading-zero codes keep their hierarchy (0110 and 0210 share only the first digit).
        assert_eq!(ssyk(110).shared_digits(ssyk(210)), 1);
        assert_eq!(ssyk(110).shared_digits(ssyk(120)), 2);
        assert_eq!(ssyk(110).to_string(), "0110");
    }
}
