//! `text`: the free-text relevance the caller supplies with the pair, already scaled to
//! [0, 1]. Applies when the caller supplies it. Owns only the clamping: the relevance itself
//! comes from the search index, which the ranking core must not call.

use crate::rank::score::{Context, Evidence, Pair};

pub(super) fn score(pair: Pair<'_>, _ctx: Context<'_>) -> Option<f32> {
    pair.text.map(relevance)
}

/// A supplied relevance as the category scores it: clamped to [0, 1], 0 when not finite.
pub(crate) fn relevance(t: f32) -> f32 {
    if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 }
}

/// The search index holds the evidence of a text match; there is none to add here.
pub(super) fn explain(pair: Pair<'_>, ctx: Context<'_>, _evidence: &mut Evidence) -> Option<f32> {
    score(pair, ctx)
}
