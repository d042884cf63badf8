//! `licences`: the share of the opening's required licences and certificates the participant
//! holds; 1 when the opening requires none (nothing asked, so it is met). Owns the licences' score and evidence; a
//! missing licence also excludes the pair, but that hard rule lives in `score::exclusion`.

use crate::rank::score::{Context, Evidence, Pair, partition};

pub(super) fn score(pair: Pair<'_>, _ctx: Context<'_>) -> Option<f32> {
    let (wanted, held) = (&pair.opening.licences, &pair.participant.licences);
    if wanted.is_empty() {
        return Some(1.0);
    }
    let found = wanted
        .iter()
        .filter(|k| held.binary_search(k).is_ok())
        .count();
    Some(found as f32 / wanted.len() as f32)
}

pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, evidence: &mut Evidence) -> Option<f32> {
    evidence.licences_missing = partition(&pair.opening.licences, &pair.participant.licences, false);
    score(pair, ctx)
}
