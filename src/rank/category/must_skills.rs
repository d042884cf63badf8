//! `must_skills`: how well the participant covers the opening's must-have skills, counting
//! related skills partly and weighing the evidence by specificity (see
//! [`coverage`](crate::rank::score::coverage)). Scores 0 when the opening lists none. Owns the
//! must-have skills' score and evidence; must not exclude (a missing must-have skill only
//! lowers the score).

use crate::rank::score::{Context, Evidence, Pair, coverage, partition, related_in};

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    let p = pair.participant;
    Some(coverage(
        &pair.opening.must,
        &p.skills,
        &p.related_skills,
        ctx.skill_weights,
        &ctx.profile.curves,
    ))
}

/// Runs before `merit_skills` (registration order), so found must-have skills come first.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let (wanted, p) = (&pair.opening.must, pair.participant);
    evidence.skills_found.extend(partition(wanted, &p.skills, true));
    evidence
        .skills_related
        .extend(related_in(wanted, &p.related_skills));
    evidence.must_skills_missing = partition(wanted, &p.skills, false);
    evidence.must_skills_total = wanted.len();
    score(pair, ctx)
}
