//! The ranking core: scores participant–opening pairs per category, combines them with a
//! weight profile, explains every result and returns the top k, in parallel with rayon.
//!
//! Pure: plain data in, plain data out. No I/O, no async, no database, index or HTTP types;
//! the caller builds [`OpeningFeatures`] and [`ParticipantFeatures`] and maps keys back to
//! labels. That keeps it testable and benchmarkable alone.
//!
//! | category | score in [0, 1] | when the opening states nothing |
//! |---|---|---|
//! | must_skills | rarity-weighted share of must-have skills covered (a related skill partly), times the evidence: matched specificity up to `skill_evidence_full` | 0 |
//! | merit_skills | the same for merit skills | 0 |
//! | occupation | 1 same SSYK group, 0.6 / 0.3 / 0.1 sharing 3 / 2 / 1 digits, or 0.85 × similarity for a group asking for the same skills | 0 |
//! | experience | years in the group ÷ 3 (capped), times occupation similarity | 0 |
//! | swedish | 1 when the minimum is met, −0.25 per CEFR step below | 1 |
//! | distance | halves every 10 km | 0.25 (either location unknown) |
//! | licences | share of required licences held (missing any excludes) | 1 |
//! | availability | late start decays to 0 over 60 days; × 0.5 / 0.8 for mismatched hours | — |
//! | text | relevance supplied by the caller; applies when the caller supplies it | — |
//!
//! Absence is scored (see [`CategoryScores`]): a fit the opening does not state earns nothing,
//! a requirement it does not set is met, so stating less never wins by itself.
//!
//! Each category is one file in `category/` that computes its score and its evidence together,
//! registered by one line in `category.rs` (with its default weight); scores and weights are a
//! [`CategoryMap`] over [`Category`]. Adding a category is its file and that line.
//!
//! Hard exclusions: deadline passed, strict Swedish minimum not met, beyond the participant's
//! travel limit (the profile's `default_travel_km`, 50 km, when they state none), a required
//! licence missing. They are rules about the pair in `score.rs`, not
//! categories, so they never lower a score.

pub mod allocate;
mod category;
mod category_map;
pub mod features;
pub mod prune;
pub mod score;
pub mod weights;

#[cfg(test)]
pub(crate) mod tests;

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rayon::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

pub use category::Category;
/// How proposals have gone, as the `track_record` category learns from them.
pub use category::track_record::{Counts as PlacementCounts, record as track_record};
pub use category_map::CategoryMap;
pub use features::{
    Key, OpeningFeatures, ParticipantFeatures, Related, SkillWeights, Vocabulary, key_set,
};
pub use prune::{
    Facet, OccupationSet, OpeningColumns, ParticipantColumns, ParticipantFacet, Request, Scan,
    Unit, Within, best_related_credit, rank_openings_pruned, rank_participants_pruned,
    rank_scanned, scan_openings, unit,
};
pub use score::{
    CategoryScores, Context, Evaluation, Evidence, Exclusion, Pair, evaluate, explain,
    explain_scores, skill_credits, travel_limit,
};
pub use weights::{Curves, WeightProfile, WeightProfileError, Weights};

/// Below this many candidates a ranking runs sequentially: rayon's split costs more than it saves.
const SEQUENTIAL_BELOW: usize = 2048;

/// How many results to return and whether to report excluded pairs too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankOptions {
    pub k: usize,
    /// Also return the best-scoring excluded pairs (up to k), each with the reason.
    pub include_excluded: bool,
}

/// Name and version of the weight profile that produced a score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProfileStamp {
    pub name: String,
    pub version: u32,
}

/// One ranked counterpart: an opening for a participant, or a participant for an opening.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scored {
    pub id: i64,
    pub score: f32,
    pub categories: CategoryScores,
    pub evidence: Evidence,
    pub profile: ProfileStamp,
}

/// The outcome of one ranking call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranking {
    /// Best first; ties broken by lower id.
    pub results: Vec<Scored>,
    /// Excluded pairs with the best scores they would have had, when asked for.
    pub excluded: Vec<Scored>,
    pub considered: usize,
    pub excluded_count: usize,
}

/// Ranks openings for one participant (a coach's suggestions).
///
/// `text`, when given, holds the text relevance of each opening in [0, 1], index for index.
pub fn rank_openings(
    participant: &ParticipantFeatures,
    openings: &[OpeningFeatures],
    text: Option<&[f32]>,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking {
    let pair = |i: usize| {
        Pair::new(
            participant,
            &openings[i],
            text.and_then(|t| t.get(i).copied()),
        )
    };
    let _span =
        tracing::debug_span!("rank_openings", candidates = openings.len(), k = options.k).entered();
    rank(openings.len(), |i| openings[i].id, pair, ctx, options)
}

/// Ranks participants for one opening (a job matcher's candidates).
pub fn rank_participants(
    opening: &OpeningFeatures,
    participants: &[ParticipantFeatures],
    text: Option<&[f32]>,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking {
    let pair = |i: usize| {
        Pair::new(
            &participants[i],
            opening,
            text.and_then(|t| t.get(i).copied()),
        )
    };
    let _span = tracing::debug_span!(
        "rank_participants",
        candidates = participants.len(),
        k = options.k
    )
    .entered();
    rank(
        participants.len(),
        |i| participants[i].id,
        pair,
        ctx,
        options,
    )
}

fn rank<'a, I, P>(n: usize, id: I, pair: P, ctx: Context<'_>, options: RankOptions) -> Ranking
where
    I: Fn(usize) -> i64 + Sync,
    P: Fn(usize) -> Pair<'a> + Sync,
{
    let visit = |mut acc: Selection, i: usize| {
        let e = evaluate(pair(i), ctx);
        let entry = Entry {
            score: e.total,
            id: id(i),
            index: i,
        };
        if e.excluded {
            acc.excluded_count += 1;
            if options.include_excluded {
                acc.excluded.push(entry);
            }
        } else {
            acc.kept.push(entry);
        }
        acc
    };
    let empty = || Selection::new(options.k);
    let selection = if n < SEQUENTIAL_BELOW {
        (0..n).fold(empty(), visit)
    } else {
        (0..n)
            .into_par_iter()
            .fold(empty, visit)
            .reduce(empty, Selection::merge)
    };
    finish(selection, n, pair, ctx)
}

/// Explains the selected entries: the one place a [`Ranking`] is assembled.
fn finish<'a, P>(selection: Selection, considered: usize, pair: P, ctx: Context<'_>) -> Ranking
where
    P: Fn(usize) -> Pair<'a>,
{
    let stamp = ProfileStamp {
        name: ctx.profile.name.clone(),
        version: ctx.profile.version,
    };
    let scored = |e: Entry| {
        let (categories, evidence) = explain_scores(pair(e.index), ctx);
        Scored {
            id: e.id,
            score: e.score,
            categories,
            evidence,
            profile: stamp.clone(),
        }
    };
    Ranking {
        results: selection
            .kept
            .into_sorted()
            .into_iter()
            .map(scored)
            .collect(),
        excluded: selection
            .excluded
            .into_sorted()
            .into_iter()
            .map(scored)
            .collect(),
        considered,
        excluded_count: selection.excluded_count,
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    score: f32,
    id: i64,
    index: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// `Less` is better, so a max-heap keeps the worst kept entry on top, ready to evict.
    fn cmp(&self, other: &Self) -> Ordering {
        score::rank_order((self.score, self.id), (other.score, other.id))
    }
}

/// The k best entries seen so far.
struct BoundedHeap {
    k: usize,
    heap: BinaryHeap<Entry>,
}

impl BoundedHeap {
    fn new(k: usize) -> Self {
        BoundedHeap {
            k,
            heap: BinaryHeap::with_capacity(k.min(1024) + 1),
        }
    }

    fn push(&mut self, entry: Entry) {
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if self.heap.peek().is_some_and(|worst| entry < *worst) {
            self.heap.pop();
            self.heap.push(entry);
        }
    }

    /// Pushes a scored entry and returns the score an entry must reach to enter now: the
    /// worst kept score once k are held.
    fn push_at(&mut self, score: f32, id: i64, index: usize) -> Option<f32> {
        self.push(Entry { score, id, index });
        (self.heap.len() >= self.k)
            .then(|| self.heap.peek().map(|worst| worst.score))
            .flatten()
    }

    fn into_sorted(self) -> Vec<Entry> {
        self.heap.into_sorted_vec()
    }
}

struct Selection {
    kept: BoundedHeap,
    excluded: BoundedHeap,
    excluded_count: usize,
}

impl Selection {
    fn new(k: usize) -> Self {
        Selection {
            kept: BoundedHeap::new(k),
            excluded: BoundedHeap::new(k),
            excluded_count: 0,
        }
    }

    fn merge(mut self, other: Selection) -> Selection {
        for e in other.kept.heap {
            self.kept.push(e);
        }
        for e in other.excluded.heap {
            self.excluded.push(e);
        }
        self.excluded_count += other.excluded_count;
        self
    }
}
