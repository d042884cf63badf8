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
use super::features::{Key, OpeningFeatures, ParticipantFeatures, Related, SkillWeights};
use super::weights::{Curves, WeightProfile};
use crate::model::{GeoPoint, SsykCode, SwedishLevel};

/// The score of each category in [0, 1]; `None` where the category does not apply to the pair.
/// The total is the weighted mean over the categories that apply. On the wire, an object keyed
/// by category name.
///
/// Absence is scored, so that stating less never wins by itself: an opening that says nothing
/// of a fit (no skills, no occupation) scores 0 there, as one whose statement is not met does;
/// an opening that asks nothing of a requirement (no Swedish minimum, no licence) scores 1
/// there, as one whose requirement is met does; a distance that cannot be measured (either
/// location unknown) scores `unknown_distance_score`. Only text leaves a category out, and it
/// does so for a whole ranking (no words to search, or no opening holds one), so within one
/// ranking every total is a mean over the same categories.
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
        /// The limit is the weight profile's default: the participant stated none.
        default_limit: bool,
    },
    /// The opening requires a licence or certificate the participant does not hold.
    MissingLicence { missing: usize },
}

/// The facts behind a score, in the core's keys; the caller turns keys back into labels.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Skills of the opening (must-have or merit) the participant has.
    pub skills_found: Vec<Key>,
    /// Skills of the opening the participant lacks but holds a related skill of (`via`); they
    /// are among the missing too, and earned part of their credit.
    pub skills_related: Vec<Related<Key>>,
    pub must_skills_missing: Vec<Key>,
    pub merit_skills_missing: Vec<Key>,
    /// How many must-have skills the opening lists; `skills_found` begins with those held.
    pub must_skills_total: usize,
    /// The participant's occupation group closest to the opening's, and the digits they share.
    pub occupation_match: Option<(SsykCode, u8)>,
    /// Set when the occupation scored through a group related by the skills it asks for: the
    /// participant's group and the similarity.
    pub occupation_related: Option<Related<SsykCode>>,
    pub experience_years: Option<f32>,
    /// CEFR steps below the opening's minimum; 0 when met, `None` when there is no minimum.
    pub swedish_gap_steps: Option<u8>,
    /// The opening's minimum Swedish level and the participant's level, when there is a minimum.
    pub swedish_required: Option<SwedishLevel>,
    pub swedish_level: Option<SwedishLevel>,
    pub distance_km: Option<f64>,
    pub licences_missing: Vec<Key>,
    /// Days between the opening's start and the participant's availability, when late.
    pub start_delay_days: Option<i64>,
    pub hours_mismatch: bool,
    pub excluded: Option<Exclusion>,
}

/// Coverage of `wanted` by a participant's skills, in [0, 1]; 0 when nothing is wanted (no
/// statement, no evidence of fit).
///
/// Each wanted skill earns credit 1 when held, `related_skill_credit × similarity` when a
/// related skill is held, else 0. The score is the rarity-weighted share of credit earned,
/// scaled by the evidence behind it: the summed specificity of the skills that earned any,
/// counting in full from `skill_evidence_full` on. So one matched generic skill gives a full share but
/// little evidence, and one matched occupation-specific skill gives both.
pub fn coverage(
    wanted: &[Key],
    held: &[Key],
    related: &[Related<Key>],
    weights: &SkillWeights,
    curves: &Curves,
) -> f32 {
    let (mut found, mut total, mut evidence) = (0.0f32, 0.0f32, 0.0f32);
    let mut h = held.iter().peekable();
    let mut r = related.iter().peekable();
    for &k in wanted {
        let w = weights.get(k);
        total += w;
        while h.next_if(|&&x| x < k).is_some() {}
        let credit = if h.peek() == Some(&&k) {
            1.0
        } else {
            while r.next_if(|x| x.to < k).is_some() {}
            match r.peek() {
                Some(x) if x.to == k => related_credit(x.similarity, curves),
                _ => 0.0,
            }
        };
        found += w * credit;
        if credit > 0.0 {
            evidence += weights.specificity(k);
        }
    }
    if total <= 0.0 {
        return 0.0;
    }
    let share = (found / total).clamp(0.0, 1.0);
    (share * (evidence / curves.skill_evidence_full).min(1.0)).clamp(0.0, 1.0)
}

/// The credit a wanted skill earns through a related skill held.
pub(crate) fn related_credit(similarity: f32, curves: &Curves) -> f32 {
    let s = if similarity.is_finite() {
        similarity.clamp(0.0, 1.0)
    } else {
        0.0
    };
    curves.related_skill_credit * s
}

/// Every skill that earns a participant credit, and how much: those held 1, related ones
/// their partial credit. What the posting lists of openings are walked with.
pub fn skill_credits<'a>(
    p: &'a ParticipantFeatures,
    curves: &'a Curves,
) -> impl Iterator<Item = (Key, f32)> + 'a {
    let held = p.skills.iter().map(|&k| (k, 1.0));
    let related = p
        .related_skills
        .iter()
        .map(|r| (r.to, related_credit(r.similarity, curves)));
    held.chain(related)
}

/// The travel limit that applies to a participant, and whether it is the profile's default.
pub fn travel_limit(p: &ParticipantFeatures, curves: &Curves) -> Option<(f64, bool)> {
    match p.max_travel_km {
        Some(km) => Some((km, false)),
        None => curves.default_travel_km.map(|km| (f64::from(km), true)),
    }
}

/// Keys of `wanted` that `held` lacks (`present == false`) or has (`present == true`).
pub(crate) fn partition(wanted: &[Key], held: &[Key], present: bool) -> Vec<Key> {
    wanted
        .iter()
        .copied()
        .filter(|k| held.binary_search(k).is_ok() == present)
        .collect()
}

/// The related skills of a participant that stand in for keys of `wanted` (both sorted).
pub(crate) fn related_in(wanted: &[Key], related: &[Related<Key>]) -> Vec<Related<Key>> {
    related
        .iter()
        .filter(|r| wanted.binary_search(&r.to).is_ok())
        .copied()
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
    if let (Some(km), Some((max, default_limit))) =
        (pair.distance_km, travel_limit(p, &ctx.profile.curves))
        && km > max
    {
        return Some(Exclusion::BeyondTravelLimit {
            distance_km: km,
            max_travel_km: max,
            default_limit,
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
