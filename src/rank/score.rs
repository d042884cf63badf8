//! Category scores of one participant–opening pair, their weighted total, and the evidence
//! behind them. Each category is a small pure function so it can be pinned by a test alone.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::features::{Key, OpeningFeatures, ParticipantFeatures, SkillWeights};
use super::weights::{Curves, WeightProfile};
use crate::model::{GeoPoint, Hours, SsykCode, SwedishLevel};

/// The score of each category in [0, 1]; `None` where the category does not apply to the pair
/// (the opening asks nothing of it, or a location is unknown). The total is the weighted mean
/// over the categories that apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct CategoryScores {
    pub must_skills: Option<f32>,
    pub merit_skills: Option<f32>,
    pub occupation: Option<f32>,
    pub experience: Option<f32>,
    pub swedish: Option<f32>,
    pub distance: Option<f32>,
    pub licences: Option<f32>,
    pub availability: Option<f32>,
    pub text: Option<f32>,
}

impl CategoryScores {
    /// The weighted mean of the categories that apply; 0 when none does.
    pub fn total(&self, profile: &WeightProfile) -> f32 {
        let w = &profile.weights;
        let pairs = [
            (self.must_skills, w.must_skills),
            (self.merit_skills, w.merit_skills),
            (self.occupation, w.occupation),
            (self.experience, w.experience),
            (self.swedish, w.swedish),
            (self.distance, w.distance),
            (self.licences, w.licences),
            (self.availability, w.availability),
            (self.text, w.text),
        ];
        let (mut sum, mut weight) = (0.0f32, 0.0f32);
        for (score, w) in pairs {
            if let Some(s) = score {
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
fn partition(wanted: &[Key], held: &[Key], present: bool) -> Vec<Key> {
    wanted
        .iter()
        .copied()
        .filter(|k| held.binary_search(k).is_ok() == present)
        .collect()
}

/// The participant's occupation closest to the opening's: its code, shared digits and years.
fn closest_occupation(
    participant: &[(SsykCode, f32)],
    opening: SsykCode,
) -> Option<(SsykCode, u8, f32)> {
    participant
        .iter()
        .map(|&(code, years)| (code, code.shared_digits(opening), years))
        .max_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)).then(b.0.cmp(&a.0)))
}

/// Occupation similarity from shared SSYK digits: 4 digits score 1, fewer score partly.
pub fn occupation_similarity(shared_digits: u8, curves: &Curves) -> f32 {
    match shared_digits {
        4 => 1.0,
        3 => curves.occupation_related[0],
        2 => curves.occupation_related[1],
        1 => curves.occupation_related[2],
        _ => 0.0,
    }
}

/// Best occupation similarity over the participant's occupations; `None` when the opening names
/// no occupation.
pub fn occupation_score(
    participant: &[(SsykCode, f32)],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(
        closest_occupation(participant, opening)
            .map_or(0.0, |(_, digits, _)| occupation_similarity(digits, curves)),
    )
}

/// Experience: years in the opening's group (related groups count by their similarity),
/// saturating at `experience_full_years`. The best occupation wins.
pub fn experience_score(
    participant: &[(SsykCode, f32)],
    opening: Option<SsykCode>,
    curves: &Curves,
) -> Option<f32> {
    let opening = opening?;
    Some(best_experience(participant, opening, curves).map_or(0.0, |(score, _)| score))
}

/// The experience score and the years behind it, from the occupation that scores best.
fn best_experience(
    participant: &[(SsykCode, f32)],
    opening: SsykCode,
    curves: &Curves,
) -> Option<(f32, f32)> {
    participant
        .iter()
        .map(|&(code, years)| {
            let years = if years.is_finite() {
                years.max(0.0)
            } else {
                0.0
            };
            let score = occupation_similarity(code.shared_digits(opening), curves)
                * (years / curves.experience_full_years).min(1.0);
            (score.clamp(0.0, 1.0), years)
        })
        .filter(|(score, _)| *score > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)))
}

/// Steps below the minimum; no Swedish at all counts as one step below A1.
pub fn swedish_gap(actual: Option<SwedishLevel>, required: SwedishLevel) -> u8 {
    let actual = actual.map_or(0, SwedishLevel::step);
    required.step().saturating_sub(actual)
}

/// Meeting the minimum scores 1; each step below loses `swedish_step_penalty`.
pub fn swedish_score(
    actual: Option<SwedishLevel>,
    required: Option<SwedishLevel>,
    curves: &Curves,
) -> Option<f32> {
    let gap = swedish_gap(actual, required?);
    Some((1.0 - curves.swedish_step_penalty * f32::from(gap)).clamp(0.0, 1.0))
}

/// Halves every `distance_half_life_km`.
pub fn distance_score(km: f64, curves: &Curves) -> f32 {
    let km = if km.is_finite() {
        km.max(0.0)
    } else {
        f64::INFINITY
    };
    (0.5f64.powf(km / f64::from(curves.distance_half_life_km)) as f32).clamp(0.0, 1.0)
}

fn distance_between(p: Option<GeoPoint>, o: Option<GeoPoint>) -> Option<f64> {
    Some(p?.distance_km(o?))
}

/// Days the participant becomes available after the opening starts, if any.
fn start_delay(available_from: Option<NaiveDate>, start: Option<NaiveDate>) -> Option<i64> {
    let days = (available_from? - start?).num_days();
    (days > 0).then_some(days)
}

fn hours_factor(opening: Hours, participant: Hours, curves: &Curves) -> f32 {
    match (opening, participant) {
        (Hours::Full, Hours::Part) => curves.part_time_for_full_time,
        (Hours::Part, Hours::Full) => curves.full_time_for_part_time,
        _ => 1.0,
    }
}

/// Start date and hours together: a late start decays linearly to 0 over
/// `start_delay_zero_days`, a mismatch in hours multiplies by its factor.
pub fn availability_score(
    available_from: Option<NaiveDate>,
    start: Option<NaiveDate>,
    opening_hours: Hours,
    participant_hours: Hours,
    curves: &Curves,
) -> f32 {
    let date = start_delay(available_from, start).map_or(1.0, |d| {
        (1.0 - d as f32 / curves.start_delay_zero_days).max(0.0)
    });
    (date * hours_factor(opening_hours, participant_hours, curves)).clamp(0.0, 1.0)
}

/// Everything a pair's ranking needs, shared by both directions.
#[derive(Clone, Copy)]
pub struct Pair<'a> {
    pub participant: &'a ParticipantFeatures,
    pub opening: &'a OpeningFeatures,
    /// Text relevance supplied by the caller, already scaled to [0, 1].
    pub text: Option<f32>,
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
    let (p, o) = (pair.participant, pair.opening);
    let curves = &ctx.profile.curves;
    let distance = distance_between(p.location, o.location);
    let categories = CategoryScores {
        must_skills: coverage(&o.must, &p.skills, ctx.skill_weights),
        merit_skills: coverage(&o.merit, &p.skills, ctx.skill_weights),
        occupation: occupation_score(&p.occupations, o.occupation, curves),
        experience: experience_score(&p.occupations, o.occupation, curves),
        swedish: swedish_score(p.swedish, o.swedish_min, curves),
        distance: distance.map(|km| distance_score(km, curves)),
        licences: (!o.licences.is_empty()).then(|| {
            let held = o
                .licences
                .iter()
                .filter(|k| p.licences.binary_search(k).is_ok())
                .count();
            held as f32 / o.licences.len() as f32
        }),
        availability: Some(availability_score(
            p.available_from,
            o.start_date,
            o.hours,
            p.hours,
            curves,
        )),
        text: pair.text.map(|t| {
            if t.is_finite() {
                t.clamp(0.0, 1.0)
            } else {
                0.0
            }
        }),
    };
    Evaluation {
        total: categories.total(ctx.profile),
        categories,
        excluded: exclusion(pair, distance, ctx).is_some(),
    }
}

/// The first hard rule the pair breaks, if any. Allocation-free, so the hot path can use it.
fn exclusion(pair: Pair<'_>, distance_km: Option<f64>, ctx: Context<'_>) -> Option<Exclusion> {
    let (p, o) = (pair.participant, pair.opening);
    if let Some(deadline) = o.deadline.filter(|d| *d < ctx.today) {
        return Some(Exclusion::DeadlinePassed { deadline });
    }
    if let (true, Some(required)) = (o.swedish_strict, o.swedish_min) {
        let gap = swedish_gap(p.swedish, required);
        if gap > 0 {
            return Some(Exclusion::SwedishBelowStrictMinimum {
                required,
                actual: p.swedish,
                gap_steps: gap,
            });
        }
    }
    if let (Some(km), Some(max)) = (distance_km, p.max_travel_km)
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
    let (p, o) = (pair.participant, pair.opening);
    let distance_km = distance_between(p.location, o.location);
    let mut skills_found = partition(&o.must, &p.skills, true);
    skills_found.extend(partition(&o.merit, &p.skills, true));
    let licences_missing = partition(&o.licences, &p.licences, false);
    let swedish_gap_steps = o.swedish_min.map(|m| swedish_gap(p.swedish, m));
    let closest = o
        .occupation
        .and_then(|code| closest_occupation(&p.occupations, code));
    let excluded = exclusion(pair, distance_km, ctx);
    Evidence {
        skills_found,
        must_skills_missing: partition(&o.must, &p.skills, false),
        merit_skills_missing: partition(&o.merit, &p.skills, false),
        occupation_match: closest.map(|(code, digits, _)| (code, digits)),
        experience_years: o
            .occupation
            .and_then(|code| best_experience(&p.occupations, code, &ctx.profile.curves))
            .map(|(_, years)| years),
        swedish_gap_steps,
        distance_km,
        licences_missing,
        start_delay_days: start_delay(p.available_from, o.start_date),
        hours_mismatch: hours_factor(o.hours, p.hours, &ctx.profile.curves) < 1.0,
        excluded,
    }
}

/// Better first: higher total, then lower id, so equal input always gives equal order.
pub fn rank_order(a: (f32, i64), b: (f32, i64)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}
