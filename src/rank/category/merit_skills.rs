//! `merit_skills`: how well the participant covers the opening's merit (nice-to-have) skills,
//! by the same rule as `must_skills`. Scores 0 when the opening lists none. Owns the merit
//! skills' score and evidence; must not exclude.

use crate::rank::score::{Context, Evidence, Pair, coverage, partition, related_in};

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let p = pair.participant;
    Some(coverage(
        &pair.opening.merit,
        &p.skills,
        &p.related_skills,
        ctx.skill_weights,
        &ctx.profile.curves,
    ))
}

/// Found merit skills follow the found must-have skills in `skills_found`.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let (wanted, p) = (&pair.opening.merit, pair.participant);
    evidence.skills_found.extend(partition(wanted, &p.skills, true));
    evidence
        .skills_related
        .extend(related_in(wanted, &p.related_skills));
    evidence.merit_skills_missing = partition(wanted, &p.skills, false);
    score(pair, ctx)
}
