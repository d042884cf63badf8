//! `occupation`: how close the participant's nearest occupation group is to the opening's:
//! 1 for the same SSYK group, partly for sharing 3, 2 or 1 leading digits, or for a group that
//! asks for the same skills (the taxonomy's related occupations), whichever scores better.
//! Scores 0 when the opening names no occupation: no statement, no evidence of fit. Owns the
//! similarity curve that `experience` reuses; must not look at years (that is `experience`).

use crate::model::SsykCode;
use crate::rank::features::Related;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let p = pair.participant;
    Some(
        best_similarity(
            &p.occupations,
            &p.related_occupations,
            pair.opening.occupation,
            &ctx.profile.curves,
        )
        .unwrap_or(0.0),
    )
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let Some(opening) = pair.opening.occupation else {
        return score(pair, ctx);
    };
    let p = pair.participant;
    let curves = &ctx.profile.curves;
    let closest = closest(&p.occupations, opening);
    evidence.occupation_match = closest.map(|(code, digits, _)| (code, digits));
    let by_digits = closest.map_or(0.0, |(_, digits, _)| similarity(digits, curves));
    let related = best_related(&p.related_occupations, opening, curves);
    if let Some((r, by_skills)) = related
        && by_skills > by_digits
    {
        evidence.occupation_related = Some(r);
    }
    score(pair, ctx)
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

/// The score of a group related by the skills it asks for.
pub(crate) fn related_similarity(similarity: f32, curves: &Curves) -> f32 {
    let s = if similarity.is_finite() {
        similarity.clamp(0.0, 1.0)
    } else {
        0.0
    };
    curves.occupation_by_skills * s
}

/// Every way the participant's occupations lead to the opening's group: the score of each and
/// the group of the participant's it goes through.
pub(crate) fn routes<'a>(
    participant: &'a [(SsykCode, f32)],
    related: &'a [Related<SsykCode>],
    opening: SsykCode,
    curves: &'a Curves,
) -> impl Iterator<Item = (f32, SsykCode)> + 'a {
    let by_digits = participant
        .iter()
        .map(move |&(code, _)| (similarity(code.shared_digits(opening), curves), code));
    let by_skills = related
        .iter()
        .filter(move |r| r.to == opening)
        .map(move |r| (related_similarity(r.similarity, curves), r.via));
    by_digits.chain(by_skills)
}

/// Best occupation similarity over the participant's occupations and their related groups;
/// `None` when the opening names no occupation.
pub(crate) fn best_similarity(
    participant: &[(SsykCode, f32)],
    related: &[Related<SsykCode>],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(
        routes(participant, related, opening, curves)
            .map(|(s, _)| s)
            .fold(0.0f32, f32::max)
            .clamp(0.0, 1.0),
    )
}

/// The related group that scores best for the opening's, with its score.
fn best_related(
    related: &[Related<SsykCode>],
    opening: SsykCode,
    curves: &Curves,
) -> Option<(Related<SsykCode>, f32)> {
    related
        .iter()
        .filter(|r| r.to == opening)
        .map(|&r| (r, related_similarity(r.similarity, curves)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.via.cmp(&a.0.via)))
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

    fn digits_only(participant: &[(SsykCode, f32)], opening: Option<SsykCode>) -> Option<f32> {
        best_similarity(participant, &[], opening, &curves())
    }

    #[test]
    fn occupation_scores_same_group_best_and_parents_partly() {
        let opening = Some(ssyk(5321));
        assert_eq!(digits_only(&[(ssyk(5321), 0.0)], opening), Some(1.0));
        assert_eq!(digits_only(&[(ssyk(5323), 0.0)], opening), Some(0.6));
        assert_eq!(digits_only(&[(ssyk(5311), 0.0)], opening), Some(0.3));
        assert_eq!(digits_only(&[(ssyk(5120), 0.0)], opening), Some(0.1));
        assert_eq!(digits_only(&[(ssyk(9111), 0.0)], opening), Some(0.0));
        assert_eq!(digits_only(&[], opening), Some(0.0));
        assert_eq!(digits_only(&[(ssyk(5321), 1.0)], None), None);
        // The best of several occupations counts.
        assert_eq!(
            digits_only(&[(ssyk(9111), 5.0), (ssyk(5323), 1.0)], opening),
            Some(0.6)
        );
        // Leading-zero codes keep their hierarchy (0110 and 0210 share only the first digit).
        assert_eq!(ssyk(110).shared_digits(ssyk(210)), 1);
        assert_eq!(ssyk(110).shared_digits(ssyk(120)), 2);
        assert_eq!(ssyk(110).to_string(), "0110");
    }

    #[test]
    fn a_group_related_by_skills_scores_by_similarity_when_it_beats_the_digits() {
        let c = curves();
        // An undersköterska (5321) and a personlig assistent (5343) share two digits only.
        let mine = [(ssyk(5343), 2.0)];
        let related = [Related {
            to: ssyk(5321),
            via: ssyk(5343),
            similarity: 0.7,
        }];
        let with = best_similarity(&mine, &related, Some(ssyk(5321)), &c).unwrap();
        assert!((with - 0.85 * 0.7).abs() < 1e-6, "{with}");
        assert_eq!(digits_only(&mine, Some(ssyk(5321))), Some(0.3));
        // A weak relation never lowers what the digits give.
        let weak = [Related {
            similarity: 0.1,
            ..related[0]
        }];
        assert_eq!(
            best_similarity(&mine, &weak, Some(ssyk(5321)), &c),
            Some(0.3)
        );
        // A relation to another group does nothing for this one.
        assert_eq!(
            best_similarity(&mine, &related, Some(ssyk(9111)), &c),
            Some(0.0)
        );
    }
}
