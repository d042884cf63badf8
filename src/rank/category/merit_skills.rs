//! `merit_skills`: the rarity-weighted share of the opening's merit (nice-to-have) skills the
//! participant holds. Applies when the opening lists any. Owns the merit skills' score and
//! evidence; must not exclude.

use crate::rank::score::{Context, Evidence, Pair, coverage, partition};

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    coverage(&pair.opening.merit, &pair.participant.skills, ctx.skill_weights)
}

/// Found merit skills follow the found must-have skills in `skills_found`.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let (wanted, held) = (&pair.opening.merit, &pair.participant.skills);
    evidence.skills_found.extend(partition(wanted, held, true));
    evidence.merit_skills_missing = partition(wanted, held, false);
    score(pair, ctx)
}
