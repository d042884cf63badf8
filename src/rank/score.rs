//! One participant–opening pair: its category scores, their weighted total, the hard rules
//! that exclude it, and the evidence behind all of them.
//!
//! Owns the combination, not the categories: each category's score and evidence come from its
//! file in `category/`, and this module only walks [`Category::ALL`]. Hard exclusions stay here,
//! apart from the categories, because they are rules about the pair, never a low score.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::category::{Category, swedish};
use super::category_map::CategoryMap;
use super::features::{Key, OpeningFeatures, ParticipantFeatures, SkillWeights};
use super::weights::WeightProfile;
use crate::model::{GeoPoint, SsykCode, SwedishLevel};

/// The score of each category in [0, 1]; `None` where the category does not apply to the pair
/// (the opening asks nothing of it, or a location is unknown). The total is the weighted mean
/// over the categories that apply. On the wire, an object keyed by category name.
pub type CategoryScores = CategoryMap<Option<f32>>;

impl CategoryMap<Option<f32>> {
    /// The weighted mean of the categories that apply; 0 when none does.
    pub fn total(&self, profile: &WeightProfile) -> f32 {
        let (mut sum, mut weight) = (0.0f32, 0.0f32);
        // Summed in `Category::ALL` order, so the total is the same to the bit on every call.
        for (category, score) in self.iter() {
            if let Some(s) = score {
                let w = profile.weights[category];
                sum += s * w;
                weight += w;
            }
        }
        if weight > 0.0 {
            (sum / weight).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Why a pair is left out of the ranking. Hard rules, never a low score.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Exclusion {
    /// The application deadline has passed.
    DeadlinePassed { deadline: NaiveDate },
    /// The opening's minimum Swedish level is strict and the participant is below it.
    SwedishBelowStrictMinimum {
        required: SwedishLevel,
        actual: Option<SwedishLevel>,
        gap_steps: u8,
    },
    /// The workplace is further away than the participant can travel.
    BeyondTravelLimit {
        distance_km: f64,
        max_travel_km: f64,
    },
    /// The opening requires a licence or certificate the participant does not hold.
    MissingLicence { missing: usize },
}

/// The facts behind a score, in the core's keys; the caller turns keys back into labels.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Skills of the opening (must-have or merit) the participant has.
    pub skills_found: Vec<Key>,
    pub must_skills_missing: Vec<Key>,
    pub merit_skills_missing: Vec<Key>,
    /// The participant's occupation group closest to the opening's, and the digits they share.
    pub occupation_match: Option<(SsykCode, u8)>,
    pub experience_years: Option<f32>,
    /// CEFR steps below the opening's minimum; 0 when met, `None` when there is no minimum.
    pub swedish_gap_steps: Option<u8>,
    pub distance_km: Option<f64>,
    pub licences_missing: Vec<Key>,
    /// Days between the opening's start and the participant's availability, when late.
    pub start_delay_days: Option<i64>,
    pub hours_mismatch: bool,
    pub excluded: Option<Exclusion>,
}

/// Weighted coverage of `wanted` by `held`, both sorted: `None` when nothing is wanted.
pub fn coverage(wanted: &[Key], held: &[Key], weights: &SkillWeights) -> Option<f32> {
    if wanted.is_empty() {
        return None;
    }
    let (mut found, mut total) = (0.0f32, 0.0f32);
    let mut h = held.iter().peekable();
    for &k in wanted {
        let w = weights.get(k);
        total += w;
        while h.next_if(|&&x| x < k).is_some() {}
        if h.peek() == Some(&&k) {
            found += w;
        }
    }
    Some(if total > 0.0 {
        (found / total).clamp(0.0, 1.0)
    } else {
        0.0
    })
}

/// Keys of `wanted` that `held` lacks (`present == false`) or has (`present == true`).
pub(crate) fn partition(wanted: &[Key], held: &[Key], present: bool) -> Vec<Key> {
    wanted
        .iter()
        .copied()
        .filter(|k| held.binary_search(k).is_ok() == present)
        .collect()
}

/// Everything a pair's ranking needs, shared by both directions.
#[derive(Clone, Copy)]
pub struct Pair<'a> {
    pub participant: &'a ParticipantFeatures,
    pub opening: &'a OpeningFeatures,
    /// Text relevance supplied by the caller, already scaled to [0, 1].
    pub text: Option<f32>,
    /// Measured once here because the `distance` category and the travel limit both need it.
    distance_km: Option<f64>,
}

impl<'a> Pair<'a> {
    /// A pair to score, with the distance between its locations measured once.
    pub fn new(
        participant: &'a ParticipantFeatures,
        opening: &'a OpeningFeatures,
        text: Option<f32>,
    ) -> Self {
        Pair {
            participant,
            opening,
            text,
            distance_km: distance_between(participant.location, opening.location),
        }
    }

    /// Kilometres between home and workplace, when both are known.
    pub fn distance_km(&self) -> Option<f64> {
        self.distance_km
    }
}

fn distance_between(p: Option<GeoPoint>, o: Option<GeoPoint>) -> Option<f64> {
    Some(p?.distance_km(o?))
}

/// The inputs shared by every pair of one ranking call.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub profile: &'a WeightProfile,
    pub skill_weights: &'a SkillWeights,
    /// The day the ranking is for: deadlines before it exclude.
    pub today: NaiveDate,
}

/// A pair's scores and total, computed without allocating (the hot path of ranking).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub categories: CategoryScores,
    pub total: f32,
    pub excluded: bool,
}

/// Scores a pair. Exclusion is only flagged here; [`explain`] says why.
pub fn evaluate(pair: Pair<'_>, ctx: Context<'_>) -> Evaluation {
    let categories = CategoryScores::from_fn(|c| c.score(pair, ctx));
    Evaluation {
        total: categories.total(ctx.profile),
        categories,
        excluded: exclusion(pair, ctx).is_some(),
    }
}

/// The first hard rule the pair breaks, if any. Allocation-free, so the hot path can use it.
fn exclusion(pair: Pair<'_>, ctx: Context<'_>) -> Option<Exclusion> {
    let (p, o) = (pair.participant, pair.opening);
    if let Some(deadline) = o.deadline.filter(|d| *d < ctx.today) {
        return Some(Exclusion::DeadlinePassed { deadline });
    }
    if let (true, Some(required)) = (o.swedish_strict, o.swedish_min) {
        let gap = swedish::gap(p.swedish, required);
        if gap > 0 {
            return Some(Exclusion::SwedishBelowStrictMinimum {
                required,
                actual: p.swedish,
                gap_steps: gap,
            });
        }
    }
    if let (Some(km), Some(max)) = (pair.distance_km, p.max_travel_km)
        && km > max
    {
        return Some(Exclusion::BeyondTravelLimit {
            distance_km: km,
            max_travel_km: max,
        });
    }
    let missing = o
        .licences
        .iter()
        .filter(|k| p.licences.binary_search(k).is_err())
        .count();
    (missing > 0).then_some(Exclusion::MissingLicence { missing })
}

/// The evidence behind a pair's scores, including why it is excluded.
pub fn explain(pair: Pair<'_>, ctx: Context<'_>) -> Evidence {
    explain_scores(pair, ctx).1
}

/// The category scores and the evidence behind them, each category writing both at once.
/// The scores equal [`evaluate`]'s: a category's `explain` returns what its `score` does.
pub fn explain_scores(pair: Pair<'_>, ctx: Context<'_>) -> (CategoryScores, Evidence) {
    let mut evidence = Evidence {
        excluded: exclusion(pair, ctx),
        ..Evidence::default()
    };
    let scores = CategoryScores::from_fn(|c: Category| c.explain(pair, ctx, &mut evidence));
    (scores, evidence)
}

/// Better first: higher total, then lower id, so equal input always gives equal order.
pub fn rank_order(a: (f32, i64), b: (f32, i64)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}
