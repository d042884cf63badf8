//! `experience`: years in the opening's occupation group, saturating at
//! `experience_full_years`, with related groups (by digits or by the skills they ask for)
//! counting by their `occupation` similarity. Scores 0 when the opening names no occupation. Owns the years' score and evidence; must not
//! score the occupation itself (that is `occupation`).

use crate::model::SsykCode;
use crate::rank::features::Related;
use crate::rank::score::{Context, Evidence, Pair};
use crate::rank::weights::Curves;

use super::occupation;

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let p = pair.participant;
    Some(
        years_score(
            &p.occupations,
            &p.related_occupations,
            pair.opening.occupation,
            &ctx.profile.curves,
        )
        .unwrap_or(0.0),
    )
}

/// The years shown are those of the occupation that scored, which need not be the closest one.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let Some(opening) = pair.opening.occupation else {
        return score(pair, ctx);
    };
    let p = pair.participant;
    let best = best(
        &p.occupations,
        &p.related_occupations,
        opening,
        &ctx.profile.curves,
    );
    evidence.experience_years = best.map(|(_, years)| years);
    Some(best.map_or(0.0, |(score, _)| score))
}

/// Experience over the participant's occupations, the best one winning; `None` when the opening
/// names no occupation.
pub(crate) fn years_score(
    participant: &[(SsykCode, f32)],
    related: &[Related<SsykCode>],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(best(participant, related, opening, curves).map_or(0.0, |(score, _)| score))
}

/// The experience score and the years behind it, from the route that scores best: each
/// occupation by its shared digits, each related group with the years of the group it is
/// related to.
fn best(
    participant: &[(SsykCode, f32)],
    related: &[Related<SsykCode>],
    opening: SsykCode,
    curves: &Curves,
) -> Option<(f32, f32)> {
    let clean = |years: f32| {
        if years.is_finite() {
            years.max(0.0)
        } else {
            0.0
        }
    };
    let years_in = |code: SsykCode| {
        participant
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|&(_, y)| clean(y))
            .fold(0.0f32, f32::max)
    };
    let by_digits = participant.iter().map(|&(code, years)| {
        (
            occupation::similarity(code.shared_digits(opening), curves),
            clean(years),
        )
    });
    let by_skills = related
        .iter()
        .filter(|r| r.to == opening)
        .map(|r| (occupation::related_similarity(r.similarity, curves), years_in(r.via)));
    by_digits
        .chain(by_skills)
        .map(|(similar, years)| {
            let score = similar * (years / curves.experience_full_years).min(1.0);
            (score.clamp(0.0, 1.0), years)
        })
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::tests::{curves, ssyk};

    fn years_score_d(p: &[(SsykCode, f32)], o: Option<SsykCode>, c: &Curves) -> Option<f32> {
        years_score(p, &[], o, c)
    }

    #[test]
    fn years_in_a_group_related_by_skills_count_by_its_similarity() {
        let c = curves();
        let related = [Related {
            to: ssyk(5321),
            via: ssyk(5343),
            similarity: 0.7,
        }];
        let got = years_score(&[(ssyk(5343), 3.0)], &related, Some(ssyk(5321)), &c).unwrap();
        assert!((got - 0.85 * 0.7).abs() < 1e-6, "{got}");
        let half = years_score(&[(ssyk(5343), 1.5)], &related, Some(ssyk(5321)), &c).unwrap();
        assert!((half - 0.85 * 0.7 / 2.0).abs() < 1e-6, "{half}");
    }

    #[test]
    fn experience_saturates_and_counts_related_groups_partly() {
        let c = curves();
        let o = Some(ssyk(9111));
        assert_eq!(years_score_d(&[(ssyk(9111), 0.0)], o, &c), Some(0.0));
        assert_eq!(years_score_d(&[(ssyk(9111), 1.5)], o, &c), Some(0.5));
        assert_eq!(years_score_d(&[(ssyk(9111), 3.0)], o, &c), Some(1.0));
        assert_eq!(years_score_d(&[(ssyk(9111), 20.0)], o, &c), Some(1.0));
        assert_eq!(years_score_d(&[(ssyk(9119), 3.0)], o, &c), Some(0.6));
        assert_eq!(years_score_d(&[(ssyk(9111), -2.0)], o, &c), Some(0.0));
        assert_eq!(years_score_d(&[(ssyk(9111), 2.0)], None, &c), None);
    }
}
