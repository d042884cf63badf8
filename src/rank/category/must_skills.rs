//! `must_skills`: the rarity-weighted share of the opening's must-have skills the participant
//! holds. Applies when the opening lists any. Owns the must-have skills' score and evidence;
//! must not exclude (a missing must-have skill only lowers the score).

use crate::rank::score::{Context, Evidence, Pair, coverage, partition};

pub(super) fn score(pair: Pair<'_>, ctx: Context<'_>) -> Option<f32> {
    coverage(&pair.opening.must, &pair.participant.skills, ctx.skill_weights)
}

/// Runs before `merit_skills` (registration order), so found must-have skills come first.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    let (wanted, held) = (&pair.opening.must, &pair.participant.skills);
    evidence.skills_found.extend(partition(wanted, held, true));
    evidence.must_skills_missing = partition(wanted, held, false);
    score(pair, ctx)
}
