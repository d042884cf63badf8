//! Top k without scoring everything: the same ranking as [`rank_openings`](super::rank_openings)
//! over every candidate, found by scoring only the openings that can still enter the top k.
//!
//! One cheap pass over compact [`Facet`]s computes, per opening, a coarse upper bound of its
//! total (the exact occupation, experience and Swedish scores; the share of skill credit the
//! participant earns, held or related, from the caller's posting lists; distance
//! from the chord, its decay rounded up to a sixteenth of a half-life; the start date counted as
//! perfect) and decides each hard exclusion exactly (the travel limit
//! from the chord between unit vectors, measured only in the thin band where the chord cannot
//! tell). The pass needs no text relevance ([`scan_openings`]): it sums the other categories
//! with the shares they have beside the text, and the text's share of each opening the text
//! matched is added after ([`rank_scanned`]), so the pass runs while the index finds the text.
//! The openings are then taken in order of falling coarse bound (by histogram bucket,
//! then in ordinal order) while the k-th best score rises: one whose coarse bound reaches it
//! gets the fine bound (distance and start date too), and one whose fine bound reaches it is
//! scored. A bound below the threshold cannot enter, in the manner of MaxScore. Ties are kept: a
//! bound equal to the threshold goes on, because a lower id wins a tie.
//!
//! Candidates of an opening go the same way over [`ParticipantFacet`]s: occupation and
//! experience bounded by the similarity of the participant's set of groups (as if every year
//! counted in full), skill credit with each related skill at the best credit a related skill
//! can earn, Swedish, hours, licences and the travel limit from the facet.
//!
//! The fine bound is computed with the same per-category functions and the same weighted mean
//! as the exact total, category by category no smaller, so it is never below the exact total;
//! floating-point rounding is monotone, which keeps that true to the bit. The coarse bound sums
//! in its own order and so carries a margin far above f32 rounding.

use rayon::prelude::*;

use super::category::text::relevance;
use super::category::{availability, distance, experience, occupation, swedish, track_record};
use super::features::{Key, Related, SkillWeights};
use super::features::{OpeningFeatures, ParticipantFeatures};
use super::score::{CategoryScores, Context, Pair, coverage, evaluate, travel_limit};
use super::{Category, CategoryMap, RankOptions, Ranking, SEQUENTIAL_BELOW, Selection, finish};
use crate::model::{EARTH_RADIUS_KM, GeoPoint, Hours, SsykCode, SwedishLevel};
use chrono::Datelike;

/// A point on the unit sphere, so a bound on a distance costs a few multiplications.
pub type Unit = [f64; 3];

/// The unit vector of a point.
pub fn unit(p: GeoPoint) -> Unit {
    let (lat, lon) = (p.lat.to_radians(), p.lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The few facts of an opening the cheap pass reads: twenty bytes, no pointers to follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Facet {
    /// The opening's occupation group as an index into [`OpeningColumns::occupations`];
    /// [`Facet::NO_OCCUPATION`] when it names none.
    pub occupation: u16,
    /// The minimum Swedish level's step (1 for A1 to 6 for C2), 0 when there is none.
    pub swedish: u8,
    flags: u8,
    /// The deadline in days from the common era, `i32::MAX` when there is none.
    deadline: i32,
    /// One over the summed weights of the must-have and of the merit skills (0 when they sum
    /// to 0): the cheap pass multiplies instead of dividing.
    per_must_weight: f32,
    per_merit_weight: f32,
    /// The required licences, a bit each as the columns' list of licences gives them, and
    /// [`Facet::OTHER_LICENCE`] for any past those.
    licences: u16,
}

impl Facet {
    pub const NO_OCCUPATION: u16 = u16::MAX;
    /// How many licences have a bit of their own.
    pub const LICENCE_BITS: usize = 15;
    /// The bit of every licence past the first [`Facet::LICENCE_BITS`]: checked one by one.
    pub const OTHER_LICENCE: u16 = 1 << 15;
    const STRICT: u8 = 8;
    const HOURS_SHIFT: u8 = 4;

    /// The facet of an opening whose occupation group is at `occupation` in the columns' list
    /// and whose licences have the bits `licences`.
    pub fn of(o: &OpeningFeatures, occupation: u16, licences: u16, weights: &SkillWeights) -> Self {
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        let hours = hours_slot(o.hours);
        Facet {
            occupation: if o.occupation.is_some() {
                occupation
            } else {
                Self::NO_OCCUPATION
            },
            swedish: o.swedish_min.map_or(0, SwedishLevel::step),
            flags: flag(o.swedish_strict, Self::STRICT) | (hours << Self::HOURS_SHIFT),
            deadline: o.deadline.map_or(i32::MAX, |d| d.num_days_from_ce()),
            per_must_weight: per_weight(&o.must, weights),
            per_merit_weight: per_weight(&o.merit, weights),
            licences,
        }
    }

    fn has(self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    fn hours(self) -> usize {
        usize::from(self.flags >> Self::HOURS_SHIFT)
    }
}

/// The few facts of a participant the cheap pass over candidates reads: twelve bytes (the
/// start date is counted as perfect, as on the openings' side).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParticipantFacet {
    /// The participant's occupation groups, as an index into
    /// [`ParticipantColumns::occupation_sets`].
    pub occupations: u32,
    /// The participant's own travel limit, as an index into
    /// [`ParticipantColumns::travel_limits`].
    pub travel: u16,
    /// The licences held, a bit each as the columns' list of licences gives them, and
    /// [`Facet::OTHER_LICENCE`] when any past those is held.
    licences: u16,
    /// The Swedish level's step (1 for A1 to 6 for C2), 0 for no Swedish yet.
    swedish: u8,
    /// Full, part or any time: 0, 1 or 2.
    hours: u8,
}

impl ParticipantFacet {
    pub fn of(p: &ParticipantFeatures, occupations: u32, travel: u16, licences: u16) -> Self {
        ParticipantFacet {
            occupations,
            travel,
            licences,
            swedish: p.swedish.map_or(0, SwedishLevel::step),
            hours: hours_slot(p.hours),
        }
    }
}

fn hours_slot(h: Hours) -> u8 {
    match h {
        Hours::Full => 0,
        Hours::Part => 1,
        Hours::Any => 2,
    }
}

/// A participant's occupation groups and the groups related to them, without the years: what
/// bounds the occupation and experience scores (experience is never above the similarity of
/// the route it takes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OccupationSet {
    /// The groups, each with 0 years.
    pub occupations: Vec<(SsykCode, f32)>,
    pub related: Vec<Related<SsykCode>>,
}

/// What the pruned ranking reads of the candidate openings, index-aligned column by column.
#[derive(Clone, Copy)]
pub struct OpeningColumns<'a> {
    pub features: &'a [OpeningFeatures],
    /// `Facet::of` each opening.
    pub facets: &'a [Facet],
    /// The occupation groups the facets point into.
    pub occupations: &'a [SsykCode],
    /// The licences of the facets' licence bits, bit 0 first.
    pub licences: &'a [Key],
    /// The unit vector of each workplace; `None` when its location is unknown.
    pub units: &'a [Option<Unit>],
    /// Which openings may be ranked (the kind asked for); the others are not candidates.
    /// `None`: every one, without a call per opening.
    pub eligible: Option<&'a (dyn Fn(usize) -> bool + Sync)>,
}

/// What one request adds to the columns.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// Per opening, the summed weights of the must-have and of the merit skills it lists that
    /// the participant holds or holds a related skill of, each times its credit
    /// ([`skill_credits`](super::skill_credits), walked over the caller's posting lists),
    /// index-aligned. Less than that would make the bound too low.
    pub hits: [&'a [f32]; 2],
    /// Text relevance in [0, 1] of the openings the text matched, by index, ascending; the
    /// others score 0. `None`: the text category does not apply.
    pub text: Option<&'a [(u32, f32)]>,
    /// When set, only these openings can be within the participant's reach: the others are
    /// excluded without a look. Only for a ranking that does not list excluded pairs.
    pub within: Option<Within<'a>>,
}

/// The openings that may be within a participant's travel limit.
#[derive(Clone, Copy)]
pub struct Within<'a> {
    /// Their indexes, ascending; some may be farther.
    pub rows: &'a [u32],
    /// How many eligible openings are not among them: each beyond the limit.
    pub eligible_outside: usize,
}

/// Buckets of the bound histogram: enough to order the bounds finely, few enough to sum fast.
const BUCKETS: usize = 256;

/// Slack on distance bounds, relative and in km: far above the rounding error of the chord
/// and of the haversine, far below a metre.
const SLACK: f64 = 1e-9;
const KM_SLACK: f64 = 1e-6;

fn bucket(bound: f32) -> usize {
    ((bound.max(0.0) * (BUCKETS as f32 - 1.0)) as usize).min(BUCKETS - 1)
}

fn text_of(text: Option<&[(u32, f32)]>, i: usize) -> Option<f32> {
    let text = text?;
    Some(
        text.binary_search_by_key(&(i as u32), |t| t.0)
            .map_or(0.0, |j| text[j].1),
    )
}

/// What the cheap pass learns of one pair: its coarse sum (a bound once [`settle`]d) and
/// whether it is excluded.
#[derive(Clone, Copy)]
struct Bound {
    total: f32,
    excluded: bool,
}

/// A coarse sum made an upper bound of the total: clamped to 1, with a margin far above the
/// f32 rounding of a sum taken in its own order.
fn settle(sum: f32) -> f32 {
    sum.min(1.0) * (1.0 + 1e-5) + 1e-6
}

/// The squared chord between two unit vectors.
fn chord2(a: Unit, b: Unit) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// Bounds of the distance between two points, in km: the lower one `None` when a location is
/// unknown (the distance category then scores `unknown_distance_score`), the upper one 0 then.
fn distance_bounds(p: Option<Unit>, o: Option<Unit>) -> (Option<f64>, f64) {
    let (Some(a), Some(b)) = (p, o) else {
        return (None, 0.0);
    };
    let chord = chord2(a, b).sqrt();
    // The arc is at least the chord, and for half the globe at most x + 1.2 x³/6 of it in
    // radians (the series of asin).
    let x = chord / 2.0;
    let high = if x <= 0.5 {
        2.0 * EARTH_RADIUS_KM * (x + 0.2 * x * x * x)
    } else {
        std::f64::consts::PI * EARTH_RADIUS_KM
    };
    (
        Some((chord * EARTH_RADIUS_KM * (1.0 - SLACK) - KM_SLACK).max(0.0)),
        high * (1.0 + SLACK) + KM_SLACK,
    )
}

/// The fine bound of a pair's total, given the lower bound of its distance. `touched`: whether
/// the pair shares a skill at all (when false, skill coverage is 0 without looking).
fn upper(
    pf: &ParticipantFeatures,
    of: &OpeningFeatures,
    km_low: Option<f64>,
    touched: bool,
    text: Option<f32>,
    ctx: Context<'_>,
) -> f32 {
    let curves = &ctx.profile.curves;
    // Untouched: no skill held or related, so coverage is 0 without looking.
    let skill = |wanted: &[Key]| match touched {
        true => Some(coverage(
            wanted,
            &pf.skills,
            &pf.related_skills,
            ctx.skill_weights,
            curves,
        )),
        false => Some(0.0),
    };
    let related = &pf.related_occupations;
    let upper = CategoryScores::from_fn(|c| match c {
        Category::MustSkills => skill(&of.must),
        Category::MeritSkills => skill(&of.merit),
        Category::Occupation => Some(
            occupation::best_similarity(&pf.occupations, related, of.occupation, curves)
                .unwrap_or(0.0),
        ),
        Category::Experience => Some(
            experience::years_score(&pf.occupations, related, of.occupation, curves).unwrap_or(0.0),
        ),
        Category::Swedish => {
            Some(swedish::level_score(pf.swedish, of.swedish_min, curves).unwrap_or(1.0))
        }
        Category::Distance => Some(match km_low {
            Some(km) => distance::km_score(km, curves),
            None => curves.unknown_distance_score,
        }),
        Category::Licences => Some(1.0),
        Category::Availability => Some(availability::date_and_hours_score(
            pf.available_from,
            of.start_date,
            of.hours,
            pf.hours,
            curves,
        )),
        Category::Text => text.map(relevance),
        Category::TrackRecord => track_record::of(of, ctx),
    });
    upper.total(ctx.profile)
}

/// The travel limit as chords of the unit sphere, squared: beyond `far` a pair is surely
/// excluded, within `near` surely not, and between them the distance is measured.
#[derive(Clone, Copy)]
struct Reach {
    near: f64,
    far: f64,
}

impl Reach {
    fn of(max_km: f64) -> Option<Reach> {
        let half = max_km / (2.0 * EARTH_RADIUS_KM);
        if !(0.0..std::f64::consts::FRAC_PI_2).contains(&half) {
            return None;
        }
        let chord = 2.0 * half.sin();
        Some(Reach {
            near: (chord * (1.0 - 1e-6)).powi(2),
            far: (chord * (1.0 + 1e-6) + 1e-9).powi(2),
        })
    }
}

/// The participant's side of the cheap pass, computed once: what each facet value adds to
/// the bound, weighted, so the bound is a plain sum (the categories that apply are the same
/// for every opening of one ranking).
struct Coarse<'a> {
    participant: &'a ParticipantFeatures,
    unit: Option<Unit>,
    reach: Option<Reach>,
    /// Occupation and experience by occupation index.
    occupations: Vec<f32>,
    /// Swedish and its strict exclusion by minimum step (0: no minimum).
    swedish: [(f32, bool); 7],
    /// Availability's hours factor by the opening's hours.
    hours: [f32; 3],
    /// The licence bits the participant holds.
    held: u16,
    /// The travel limit that applies to the participant.
    limit: Option<f64>,
    /// The shares of the must-have skills, the merit skills, distance and the track record,
    /// and what an unknown distance adds.
    must: f32,
    merit: f32,
    distance: f32,
    unknown_distance: f32,
    track_record: f32,
    /// What every opening gets alike: licences, bounded by 1.
    constant: f32,
    /// Sixteenths of a half-life per unit of chord, for the distance decay's bound.
    sixteenths_per_chord: f64,
    today: i32,
}

impl<'a> Coarse<'a> {
    /// The shares are those of a ranking the text category applies to, whether or not it
    /// turns out to ([`TextShare`]): the pass runs before the text relevance is known.
    fn new(
        participant: &'a ParticipantFeatures,
        occupations: &[SsykCode],
        licences: &[Key],
        ctx: Context<'_>,
    ) -> Self {
        let curves = &ctx.profile.curves;
        let p = participant;
        let w = shares(&ctx.profile.weights, |_| true);
        // An opening without a minimum meets it.
        let mut swedish = [(w[Category::Swedish], false); 7];
        for level in SwedishLevel::ALL {
            let score = swedish::level_score(p.swedish, Some(level), curves).unwrap_or(0.0);
            swedish[usize::from(level.step())] = (
                w[Category::Swedish] * score,
                swedish::gap(p.swedish, level) > 0,
            );
        }
        let hours = [Hours::Full, Hours::Part, Hours::Any].map(|h| {
            w[Category::Availability]
                * availability::hours_factor(h, p.hours, curves).clamp(0.0, 1.0)
        });
        Coarse {
            participant,
            unit: participant.location.map(unit),
            reach: travel_limit(participant, curves).and_then(|(km, _)| Reach::of(km)),
            limit: travel_limit(participant, curves).map(|(km, _)| km),
            must: w[Category::MustSkills],
            merit: w[Category::MeritSkills],
            distance: w[Category::Distance],
            unknown_distance: w[Category::Distance] * curves.unknown_distance_score,
            track_record: w[Category::TrackRecord],
            constant: w[Category::Licences],
            occupations: occupations
                .iter()
                .map(|&code| {
                    let (o, related) = (Some(code), &p.related_occupations);
                    w[Category::Occupation]
                        * occupation::best_similarity(&p.occupations, related, o, curves)
                            .unwrap_or(0.0)
                        + w[Category::Experience]
                            * experience::years_score(&p.occupations, related, o, curves)
                                .unwrap_or(0.0)
                })
                .collect(),
            swedish,
            hours,
            held: licences
                .iter()
                .take(Facet::LICENCE_BITS)
                .enumerate()
                .filter(|(_, k)| p.licences.binary_search(k).is_ok())
                .fold(0, |mask, (bit, _)| mask | 1 << bit),
            sixteenths_per_chord: sixteenths_per_chord(curves),
            today: ctx.today.num_days_from_ce(),
        }
    }

    /// The coarse sum of the pair from the facet alone, with the start date counted as
    /// perfect and without the text category, and whether the pair is excluded (exactly).
    fn bound(&self, f: Facet, o: &OpeningFeatures, unit: Option<Unit>, hits: [f32; 2]) -> Bound {
        let similar = self
            .occupations
            .get(usize::from(f.occupation))
            .copied()
            .unwrap_or(0.0);
        let (swedish, strict_gap) = self.swedish[usize::from(f.swedish.min(6))];
        let chord2 = self.unit.zip(unit).map(|(a, b)| chord2(a, b));
        let distance = match chord2 {
            Some(c2) => self.distance * decay_at_least(c2, self.sixteenths_per_chord),
            None => self.unknown_distance,
        };
        let mut total = self.constant
            + skill_bound(self.must, hits[0], f.per_must_weight)
            + skill_bound(self.merit, hits[1], f.per_merit_weight)
            + similar
            + swedish
            + distance
            + self.hours[f.hours().min(2)];
        if self.track_record > 0.0 {
            let record = o.track_record.unwrap_or(track_record::NEUTRAL);
            total += self.track_record * record.clamp(0.0, 1.0);
        }
        let excluded = f.deadline < self.today
            || (f.has(Facet::STRICT) && f.swedish > 0 && strict_gap)
            || chord2.is_some_and(|c2| self.beyond_reach(c2, o))
            || self.lacks_licence(f, o);
        Bound { total, excluded }
    }

    /// Whether the opening requires a licence the participant does not hold: from the bits,
    /// and one by one only for licences past them.
    fn lacks_licence(&self, f: Facet, o: &OpeningFeatures) -> bool {
        let missing = f.licences & !self.held;
        if missing & !Facet::OTHER_LICENCE != 0 {
            return true;
        }
        missing & Facet::OTHER_LICENCE != 0
            && o.licences
                .iter()
                .any(|k| self.participant.licences.binary_search(k).is_err())
    }

    fn beyond_reach(&self, chord2: f64, o: &OpeningFeatures) -> bool {
        beyond_reach(self.limit, self.reach, chord2, || {
            Pair::new(self.participant, o, None).distance_km()
        })
    }
}

/// An upper bound of the distance score at squared chord `chord2`: the arc is at least the
/// chord, and 2^(−x) is at most 2^(−⌊16x⌋/16), a power of two times one of 16 constants.
fn decay_at_least(chord2: f64, sixteenths_per_chord: f64) -> f32 {
    // 2^(−j/16) for j in 0..16.
    const STEPS: [f32; 16] = [
        1.0,
        0.957_603_3,
        0.917_004_03,
        0.878_126_1,
        0.840_896_4,
        0.805_245_2,
        0.771_105_4,
        0.738_413_7,
        std::f32::consts::FRAC_1_SQRT_2,
        0.677_127_3,
        0.648_419_8,
        0.620_928_7,
        0.594_603_6,
        0.569_394_3,
        0.545_253_9,
        0.522_136_6,
    ];
    let sixteenths = chord2.sqrt() * sixteenths_per_chord * (1.0 - 1e-9);
    if sixteenths.is_nan() || sixteenths < 0.0 {
        return 1.0;
    }
    // Truncation is the floor here, and cheaper than calling it.
    let q = sixteenths.min(16.0 * 120.0) as u32;
    // 2^(−q/16) = 2^(−⌊q/16⌋) · 2^(−(q mod 16)/16), the power of two built from its exponent.
    let power = f32::from_bits((127 - (q >> 4)) << 23);
    (power * STEPS[(q & 15) as usize] * (1.0 + 1e-6)).min(1.0)
}

/// Whether a pair at squared chord `chord2` is beyond the travel limit `max` (whose chords are
/// `reach`), measuring the distance with `exact` only where the chords cannot tell.
fn beyond_reach(
    max: Option<f64>,
    reach: Option<Reach>,
    chord2: f64,
    exact: impl FnOnce() -> Option<f64>,
) -> bool {
    let Some(max) = max else {
        return false;
    };
    match reach {
        Some(r) if chord2 < r.near => false,
        Some(r) if chord2 > r.far => true,
        _ => exact().is_some_and(|km| km > max),
    }
}

/// Sixteenths of a half-life per unit of chord, for [`decay_at_least`].
fn sixteenths_per_chord(curves: &super::Curves) -> f64 {
    16.0 * EARTH_RADIUS_KM / f64::from(curves.distance_half_life_km).max(f64::MIN_POSITIVE)
}

/// One over the summed weights of `keys` (summed in key order, as coverage sums them), 0
/// when they sum to 0: a bound then multiplies instead of dividing.
fn per_weight(keys: &[Key], weights: &SkillWeights) -> f32 {
    let total = keys.iter().map(|&k| weights.get(k)).sum::<f32>();
    if total > 0.0 { 1.0 / total } else { 0.0 }
}

/// A skill category's share of the bound: the share of credit earned (`hits` times one over
/// the wanted skills' summed weights) bounds coverage, whose evidence factor is at most 1.
fn skill_bound(share: f32, hits: f32, per_weight: f32) -> f32 {
    share * (hits * per_weight).clamp(0.0, 1.0)
}

/// Each category's weight over the summed weights of those that apply: a coarse bound's
/// categories apply alike to every pair of one ranking, so its weighted mean is a plain sum.
fn shares(weights: &CategoryMap<f32>, applies: impl Fn(Category) -> bool) -> CategoryMap<f32> {
    let den: f32 = weights
        .iter()
        .filter(|(c, _)| applies(*c))
        .map(|(_, w)| w)
        .sum();
    CategoryMap::from_fn(|c| {
        if applies(c) && den > 0.0 {
            weights[c] / den
        } else {
            0.0
        }
    })
}

/// The opening's side of the cheap pass over participants, computed once: what each
/// participant facet value adds to the bound against this opening, weighted.
struct CoarseCandidates<'a> {
    opening: &'a OpeningFeatures,
    unit: Option<Unit>,
    /// Occupation and experience by occupation set.
    occupations: Vec<f32>,
    /// By travel slot: the limit that applies and its chords.
    travel: Vec<(Option<f64>, Option<Reach>)>,
    /// Swedish and its strict exclusion by the participant's step (0: no Swedish yet).
    swedish: [(f32, bool); 7],
    /// Availability's hours factor by the participant's hours.
    hours: [f32; 3],
    /// The licence bits required, and whether a licence past them is.
    required: u16,
    requires_other: bool,
    /// The deadline has passed: every pair is excluded.
    closed: bool,
    /// The must-have and merit skills' shares, and one over their summed skill weights.
    must: (f32, f32),
    merit: (f32, f32),
    /// The distance category's share, and what an unknown distance adds.
    distance: f32,
    unknown_distance: f32,
    /// What every participant gets alike: licences (bounded by 1) and the track record.
    constant: f32,
    /// The weight profile's travel limit, for a participant whose own has no slot.
    default_limit: Option<f64>,
    sixteenths_per_chord: f64,
}

impl<'a> CoarseCandidates<'a> {
    fn new(
        opening: &'a OpeningFeatures,
        columns: ParticipantColumns<'_>,
        ctx: Context<'_>,
    ) -> Self {
        let curves = &ctx.profile.curves;
        let o = opening;
        let track = track_record::of(o, ctx);
        let w = shares(&ctx.profile.weights, |c| {
            !matches!(c, Category::Text) && (c != Category::TrackRecord || track.is_some())
        });
        let mut swedish = [(w[Category::Swedish], false); 7];
        if let Some(min) = o.swedish_min {
            let levels = std::iter::once(None).chain(SwedishLevel::ALL.map(Some));
            for (step, level) in levels.enumerate() {
                swedish[step] = (
                    w[Category::Swedish]
                        * swedish::level_score(level, Some(min), curves).unwrap_or(1.0),
                    o.swedish_strict && swedish::gap(level, min) > 0,
                );
            }
        }
        let bit = |k: &Key| {
            columns
                .licences
                .iter()
                .take(Facet::LICENCE_BITS)
                .position(|l| l == k)
        };
        let default_limit = curves.default_travel_km.map(f64::from);
        let similar = w[Category::Occupation] + w[Category::Experience];
        CoarseCandidates {
            opening,
            unit: o.location.map(unit),
            occupations: columns
                .occupation_sets
                .iter()
                .map(|set| {
                    similar
                        * occupation::best_similarity(
                            &set.occupations,
                            &set.related,
                            o.occupation,
                            curves,
                        )
                        .unwrap_or(0.0)
                })
                .collect(),
            travel: columns
                .travel_limits
                .iter()
                .map(|own| {
                    let limit = own.or(default_limit);
                    (limit, limit.and_then(Reach::of))
                })
                .collect(),
            swedish,
            hours: [Hours::Full, Hours::Part, Hours::Any].map(|h| {
                w[Category::Availability]
                    * availability::hours_factor(o.hours, h, curves).clamp(0.0, 1.0)
            }),
            required: o
                .licences
                .iter()
                .filter_map(bit)
                .fold(0, |mask, b| mask | 1 << b),
            requires_other: o.licences.iter().any(|k| bit(k).is_none()),
            closed: o.deadline.is_some_and(|d| d < ctx.today),
            must: (
                w[Category::MustSkills],
                per_weight(&o.must, ctx.skill_weights),
            ),
            merit: (
                w[Category::MeritSkills],
                per_weight(&o.merit, ctx.skill_weights),
            ),
            distance: w[Category::Distance],
            unknown_distance: w[Category::Distance] * curves.unknown_distance_score,
            constant: w[Category::Licences] + w[Category::TrackRecord] * track.unwrap_or(0.0),
            default_limit,
            sixteenths_per_chord: sixteenths_per_chord(curves),
        }
    }

    /// The coarse sum of the pair from the facet alone, with the start date counted as
    /// perfect, and whether the pair is excluded (exactly).
    fn bound(
        &self,
        f: ParticipantFacet,
        p: &ParticipantFeatures,
        unit: Option<Unit>,
        hits: [f32; 2],
    ) -> Bound {
        let similar = self
            .occupations
            .get(f.occupations as usize)
            .copied()
            .unwrap_or(1.0);
        let (swedish, strict_gap) = self.swedish[usize::from(f.swedish.min(6))];
        let chord2 = self.unit.zip(unit).map(|(a, b)| chord2(a, b));
        let distance = match chord2 {
            Some(c2) => self.distance * decay_at_least(c2, self.sixteenths_per_chord),
            None => self.unknown_distance,
        };
        let total = self.constant
            + skill_bound(self.must.0, hits[0], self.must.1)
            + skill_bound(self.merit.0, hits[1], self.merit.1)
            + similar
            + swedish
            + distance
            + self.hours[usize::from(f.hours.min(2))];
        let (limit, reach) = self
            .travel
            .get(usize::from(f.travel))
            .copied()
            .unwrap_or_else(|| {
                let limit = p.max_travel_km.or(self.default_limit);
                (limit, limit.and_then(Reach::of))
            });
        let excluded = self.closed
            || strict_gap
            || chord2.is_some_and(|c2| {
                beyond_reach(limit, reach, c2, || {
                    Pair::new(p, self.opening, None).distance_km()
                })
            })
            || self.lacks_licence(f, p);
        Bound { total, excluded }
    }

    fn lacks_licence(&self, f: ParticipantFacet, p: &ParticipantFeatures) -> bool {
        if self.required & !f.licences != 0 {
            return true;
        }
        self.requires_other
            && self
                .opening
                .licences
                .iter()
                .any(|k| p.licences.binary_search(k).is_err())
    }
}

/// Counts and bound histograms of one stretch of candidates.
struct Pass {
    kept: [u32; BUCKETS],
    excluded: [u32; BUCKETS],
    considered: usize,
    excluded_count: usize,
}

impl Pass {
    fn new() -> Self {
        Pass {
            kept: [0; BUCKETS],
            excluded: [0; BUCKETS],
            considered: 0,
            excluded_count: 0,
        }
    }

    fn merge(mut self, other: Pass) -> Pass {
        for b in 0..BUCKETS {
            self.kept[b] += other.kept[b];
            self.excluded[b] += other.excluded[b];
        }
        self.considered += other.considered;
        self.excluded_count += other.excluded_count;
        self
    }
}

/// The cheap pass over one ranking's candidates, made before the text relevance is known, so
/// that it can run while the index finds it: per candidate scanned, its coarse sum without
/// the text category (NaN where it cannot enter that list), as the kept and the excluded may;
/// the histograms of those sums made bounds; the counts.
pub struct Scan {
    kept: Vec<f32>,
    excluded: Vec<f32>,
    pass: Pass,
}

impl Scan {
    /// The kept and the excluded sums, each with its histogram.
    fn lists(&mut self) -> [(&mut Vec<f32>, &mut [u32; BUCKETS]); 2] {
        [
            (&mut self.kept, &mut self.pass.kept),
            (&mut self.excluded, &mut self.pass.excluded),
        ]
    }

    /// Adds each scanned candidate's text relevance to its sum (`share` of it), keeping the
    /// histograms true; `position` finds where candidate `i` was scanned.
    fn add_text(
        &mut self,
        text: &[(u32, f32)],
        share: f32,
        position: impl Fn(usize) -> Option<usize>,
    ) {
        for &(i, t) in text {
            let Some(j) = position(i as usize) else {
                continue;
            };
            for (sums, histogram) in self.lists() {
                if let Some(sum) = sums.get_mut(j).filter(|s| !s.is_nan()) {
                    histogram[bucket(settle(*sum))] -= 1;
                    *sum += share * relevance(t);
                    histogram[bucket(settle(*sum))] += 1;
                }
            }
        }
    }

    /// Multiplies every sum by `factor`, the histograms made anew.
    fn scale(&mut self, factor: f32) {
        for (sums, histogram) in self.lists() {
            *histogram = [0; BUCKETS];
            for sum in sums.iter_mut().filter(|s| !s.is_nan()) {
                *sum *= factor;
                histogram[bucket(settle(*sum))] += 1;
            }
        }
    }
}

/// How the text enters sums that [`Coarse`] takes with the shares of a ranking the text
/// category applies to: its share of them, and what the sums are multiplied by when the text
/// turns out not to apply (every other share is then larger by the same factor).
#[derive(Clone, Copy)]
struct TextShare {
    share: f32,
    without: f32,
}

impl TextShare {
    fn of(weights: &CategoryMap<f32>) -> Self {
        // The summed weights with and without the text, each summed outright: 1 / (1 - share)
        // would lose the others' sum to cancellation when the text outweighs them.
        let sum = |text: bool| -> f32 {
            let weighs = |c: Category| text || c != Category::Text;
            weights
                .iter()
                .filter(|(c, _)| weighs(*c))
                .map(|(_, w)| w)
                .sum()
        };
        let (with, without) = (sum(true), sum(false));
        TextShare {
            share: shares(weights, |_| true)[Category::Text],
            without: if without > 0.0 { with / without } else { 1.0 },
        }
    }
}

/// The cheap pass of [`rank_openings_pruned`] for one participant, without the text: what
/// [`rank_scanned`] finishes once the text relevance is known. `hits` and `within` as in
/// [`Request`].
pub fn scan_openings(
    participant: &ParticipantFeatures,
    columns: OpeningColumns<'_>,
    hits: [&[f32]; 2],
    within: Option<Within<'_>>,
    ctx: Context<'_>,
    options: RankOptions,
) -> Scan {
    let n = columns.features.len();
    let _span = tracing::debug_span!("scan_openings", openings = n).entered();
    let coarse = Coarse::new(participant, columns.occupations, columns.licences, ctx);
    debug_assert!(within.is_none() || !options.include_excluded);
    let bound = |i: usize| {
        coarse.bound(
            columns.facets[i],
            &columns.features[i],
            columns.units[i],
            [hits[0][i], hits[1][i]],
        )
    };
    scan(n, within, columns.eligible, bound, options)
}

/// Ranks the eligible openings for one participant: equal, result for result and count for
/// count, to [`rank_openings`](super::rank_openings) over the eligible openings with the same
/// text relevance (0 where the text did not match).
pub fn rank_openings_pruned(
    participant: &ParticipantFeatures,
    columns: OpeningColumns<'_>,
    request: Request<'_>,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking {
    let scanned = scan_openings(
        participant,
        columns,
        request.hits,
        request.within,
        ctx,
        options,
    );
    rank_scanned(participant, columns, request, scanned, ctx, options)
}

/// [`rank_openings_pruned`] from the [`scan_openings`] of the same participant, columns,
/// hits, `within` and options.
pub fn rank_scanned(
    participant: &ParticipantFeatures,
    columns: OpeningColumns<'_>,
    request: Request<'_>,
    mut scanned: Scan,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking {
    let _span = tracing::debug_span!("rank_scanned", k = options.k).entered();
    let home = participant.location.map(unit);
    let share = TextShare::of(&ctx.profile.weights);
    match request.text {
        Some(text) => {
            let rows = request.within.map(|w| w.rows);
            scanned.add_text(text, share.share, |i| match rows {
                Some(rows) => rows.binary_search(&(i as u32)).ok(),
                None => Some(i),
            });
        }
        None if share.without != 1.0 => scanned.scale(share.without),
        None => {}
    }
    let text = request.text;
    let side = Side {
        within: request.within,
        // The exclusion is known from the coarse pass: only the total is needed here.
        bound: |i: usize| {
            let (km_low, _) = distance_bounds(home, columns.units[i]);
            let touched = request.hits[0][i] > 0.0 || request.hits[1][i] > 0.0;
            upper(
                participant,
                &columns.features[i],
                km_low,
                touched,
                text_of(text, i),
                ctx,
            )
        },
        pair: |i: usize| Pair::new(participant, &columns.features[i], text_of(text, i)),
        id: |i: usize| columns.features[i].id,
    };
    select_scanned(side, scanned, ctx, options)
}

/// What the pruned ranking reads of the candidate participants, index-aligned.
#[derive(Clone, Copy)]
pub struct ParticipantColumns<'a> {
    pub features: &'a [ParticipantFeatures],
    /// `ParticipantFacet::of` each participant.
    pub facets: &'a [ParticipantFacet],
    /// The occupation sets the facets point into.
    pub occupation_sets: &'a [OccupationSet],
    /// The travel limits the facets point into; `None`: the weight profile's default applies.
    pub travel_limits: &'a [Option<f64>],
    /// The licences of the facets' licence bits, bit 0 first.
    pub licences: &'a [Key],
    pub units: &'a [Option<Unit>],
    /// When set, only these participants can have the opening within their reach: the others
    /// are excluded without a look. Only for a ranking that does not list excluded pairs.
    pub within: Option<Within<'a>>,
    /// Per participant, the summed weights of the opening's must-have and of its merit skills
    /// the participant holds, each related skill held counting at the most a related skill
    /// can earn ([`best_related_credit`]). Less than that would make the bound too low.
    pub hits: [&'a [f32]; 2],
}

/// The most credit a wanted skill can earn through a related skill held.
pub fn best_related_credit(curves: &super::Curves) -> f32 {
    super::score::related_credit(1.0, curves).max(0.0)
}

/// Ranks participants for one opening: equal to
/// [`rank_participants`](super::rank_participants) over all of them.
pub fn rank_participants_pruned(
    opening: &OpeningFeatures,
    columns: ParticipantColumns<'_>,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking {
    let n = columns.features.len();
    let _span =
        tracing::debug_span!("rank_participants_pruned", participants = n, k = options.k).entered();
    let workplace = opening.location.map(unit);
    let coarse = CoarseCandidates::new(opening, columns, ctx);
    let touched = |i: usize| columns.hits[0][i] > 0.0 || columns.hits[1][i] > 0.0;
    debug_assert!(columns.within.is_none() || !options.include_excluded);
    let bound = |i: usize| {
        coarse.bound(
            columns.facets[i],
            &columns.features[i],
            columns.units[i],
            [columns.hits[0][i], columns.hits[1][i]],
        )
    };
    let scanned = scan(n, columns.within, None, bound, options);
    let side = Side {
        within: columns.within,
        // The exclusion is known from the coarse pass: only the total is needed here.
        bound: |i: usize| {
            let (km_low, _) = distance_bounds(columns.units[i], workplace);
            upper(&columns.features[i], opening, km_low, touched(i), None, ctx)
        },
        pair: |i: usize| Pair::new(&columns.features[i], opening, None),
        id: |i: usize| columns.features[i].id,
    };
    select_scanned(side, scanned, ctx, options)
}

/// The cheap pass over the `n` candidates, or those `within` reach: each eligible one's
/// coarse sum and exclusion from `coarse`, side by side on rayon's threads for many.
fn scan(
    n: usize,
    within: Option<Within<'_>>,
    eligible: Option<&(dyn Fn(usize) -> bool + Sync)>,
    coarse: impl Fn(usize) -> Bound + Sync,
    options: RankOptions,
) -> Scan {
    let rows = within.map(|w| w.rows);
    // The candidates scanned, by position: all of them, or those within reach.
    let m = rows.map_or(n, <[u32]>::len);
    let at = |j: usize| rows.map_or(j, |r| r[j] as usize);
    // Sums of the candidates that may enter each list; NaN marks one that may not.
    let mut kept_sums = vec![f32::NAN; m];
    let mut excluded_sums = vec![f32::NAN; if options.include_excluded { m } else { 0 }];
    let stretch = |start: usize, kept: &mut [f32], excluded: &mut [f32]| {
        let mut pass = Pass::new();
        for (j, slot) in kept.iter_mut().enumerate() {
            let i = at(start + j);
            if eligible.is_some_and(|e| !e(i)) {
                continue;
            }
            let b = coarse(i);
            pass.considered += 1;
            if b.excluded {
                pass.excluded_count += 1;
                if let Some(e) = excluded.get_mut(j) {
                    *e = b.total;
                    pass.excluded[bucket(settle(b.total))] += 1;
                }
            } else {
                *slot = b.total;
                pass.kept[bucket(settle(b.total))] += 1;
            }
        }
        pass
    };
    let mut pass = if m < SEQUENTIAL_BELOW {
        stretch(0, &mut kept_sums, &mut excluded_sums)
    } else {
        const CHUNK: usize = 4096;
        let mut excluded_chunks: Vec<&mut [f32]> = if options.include_excluded {
            excluded_sums.chunks_mut(CHUNK).collect()
        } else {
            Vec::new()
        };
        excluded_chunks.resize_with(m.div_ceil(CHUNK), || &mut []);
        kept_sums
            .par_chunks_mut(CHUNK)
            .zip(excluded_chunks.into_par_iter())
            .enumerate()
            .map(|(c, (kept, excluded))| stretch(c * CHUNK, kept, excluded))
            .reduce(Pass::new, Pass::merge)
    };
    if let Some(w) = within {
        pass.considered += w.eligible_outside;
        pass.excluded_count += w.eligible_outside;
    }
    Scan {
        kept: kept_sums,
        excluded: excluded_sums,
        pass,
    }
}

/// The candidates of one ranking past the cheap pass, whichever side they are on.
struct Side<'a, B, P, I> {
    /// The candidates that were scanned; `None`: all of them.
    within: Option<Within<'a>>,
    /// A bound of candidate `i` no greater than its coarse one, dearer to compute.
    bound: B,
    /// The exact pair of candidate `i`.
    pair: P,
    id: I,
}

/// Scores the scanned candidates whose bounds can still enter each list, best bounds first.
fn select_scanned<'a, B, P, I>(
    side: Side<'_, B, P, I>,
    scanned: Scan,
    ctx: Context<'_>,
    options: RankOptions,
) -> Ranking
where
    B: Fn(usize) -> f32,
    P: Fn(usize) -> Pair<'a>,
    I: Fn(usize) -> i64,
{
    let rows = side.within.map(|w| w.rows);
    let at = |j: usize| rows.map_or(j, |r| r[j] as usize);
    let Scan {
        mut kept,
        mut excluded,
        pass,
    } = scanned;
    let mut selection = Selection::new(options.k);
    selection.excluded_count = pass.excluded_count;
    // Below the threshold even by the fine bound: left unscored, the threshold unchanged.
    let misses = |i: usize, threshold: Option<f32>| threshold.is_some_and(|t| (side.bound)(i) < t);
    select(&mut kept, &pass.kept, options.k, &mut |j, threshold| {
        let i = at(j);
        if misses(i, threshold) {
            return threshold;
        }
        let e = evaluate((side.pair)(i), ctx);
        debug_assert!(!e.excluded);
        selection.kept.push_at(e.total, (side.id)(i), i)
    });
    if options.include_excluded {
        select(
            &mut excluded,
            &pass.excluded,
            options.k,
            &mut |j, threshold| {
                let i = at(j);
                if misses(i, threshold) {
                    return threshold;
                }
                let e = evaluate((side.pair)(i), ctx);
                selection.excluded.push_at(e.total, (side.id)(i), i)
            },
        );
    }
    finish(selection, pass.considered, &side.pair, ctx)
}

/// Scores candidates in order of falling bound until no bound reaches the k-th best score.
/// `sums` are the coarse sums ([`settle`]d into bounds here, NaN: not a candidate; spent
/// here) and `histogram` their bounds' buckets. `score(j, threshold)` scores the candidate at
/// position `j` into the heap (or finds it cannot enter) and returns the heap's threshold: the
/// k-th best score once k are held.
fn select(
    sums: &mut [f32],
    histogram: &[u32; BUCKETS],
    k: usize,
    score: &mut dyn FnMut(usize, Option<f32>) -> Option<f32>,
) {
    if k == 0 {
        return;
    }
    // The highest buckets that together hold k candidates are scored first: they set a
    // threshold close to the final one.
    let mut cut = BUCKETS;
    let mut held = 0usize;
    while cut > 0 && held < k {
        cut -= 1;
        held += histogram[cut] as usize;
    }
    // Each loop compares the sums with the least sum that passes, found once (and again as
    // the threshold rises), instead of settling every sum into a bound: a NaN sum never
    // passes a comparison.
    let top = least_passing(|sum| bucket(settle(sum)) >= cut);
    let mut threshold: Option<f32> = None;
    for (j, sum) in sums.iter_mut().enumerate() {
        if *sum >= top {
            let b = settle(*sum);
            // Marked as seen: the second loop passes it by.
            *sum = f32::NAN;
            if threshold.is_none_or(|t| b >= t) {
                threshold = score(j, threshold);
            }
        }
    }
    let reaching = |threshold: Option<f32>| match threshold {
        Some(t) => least_passing(|sum| settle(sum) >= t),
        None => f32::NEG_INFINITY,
    };
    let mut least = reaching(threshold);
    for (j, &sum) in sums.iter().enumerate() {
        if sum >= least {
            let was = threshold;
            threshold = score(j, threshold);
            if threshold != was {
                least = reaching(threshold);
            }
        }
    }
}

/// The least sum (not NaN) for which `passes` holds, NaN when it holds for none. `passes`
/// must be monotone, as [`settle`] and [`bucket`] are (so is floating-point rounding): a sum
/// passes exactly when it is at least the one returned. Found by bisection over the floats
/// in their order, 32 steps.
fn least_passing(passes: impl Fn(f32) -> bool) -> f32 {
    // The bits of a float made an unsigned number in the floats' order.
    let key = |x: f32| {
        let bits = x.to_bits();
        if bits >> 31 == 1 {
            !bits
        } else {
            bits | 1 << 31
        }
    };
    let float = |k: u32| f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k });
    let (mut low, mut high) = (key(f32::NEG_INFINITY), key(f32::INFINITY));
    if !passes(float(high)) {
        return f32::NAN;
    }
    // Invariant: the key `high` passes and every key below `low` fails.
    while low < high {
        let mid = low + (high - low) / 2;
        if passes(float(mid)) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    float(high)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::WeightProfile;
    use crate::rank::tests::{STOCKHOLM, participant};

    #[test]
    fn the_distance_bound_is_never_below_the_score_and_close_above_it() {
        let profile = WeightProfile::default();
        let weights = crate::rank::SkillWeights::new();
        let ctx = crate::rank::tests::ctx(&profile, &weights);
        let me = participant(1);
        let coarse = Coarse::new(&me, &[], &[], ctx);
        let home = unit(STOCKHOLM);
        for step in 0..4000 {
            let north = GeoPoint {
                lat: STOCKHOLM.lat + f64::from(step) * 0.0025,
                lon: STOCKHOLM.lon,
            };
            let there = unit(north);
            let c2: f64 = (0..3).map(|i| (home[i] - there[i]).powi(2)).sum();
            let km = STOCKHOLM.distance_km(north);
            let exact = distance::km_score(km, &profile.curves);
            let bound = decay_at_least(c2, coarse.sixteenths_per_chord);
            assert!(bound >= exact, "{km} km: {bound} < {exact}");
            assert!(
                bound <= exact * 1.05 + 1e-6,
                "{km} km: {bound} far above {exact}"
            );
        }
    }

    #[test]
    fn the_least_passing_sum_parts_the_sums_exactly_as_settling_each_would() {
        let mut sums = vec![
            f32::NEG_INFINITY,
            -1.0,
            -0.0,
            0.0,
            f32::MIN_POSITIVE,
            1e-7,
            0.5,
            1.0,
            2.0,
            f32::INFINITY,
        ];
        sums.extend((0..=2000).map(|i| i as f32 / 2000.0 * 1.01 - 0.005));
        for cut in 0..=BUCKETS {
            let passes = |sum: f32| bucket(settle(sum)) >= cut;
            let least = least_passing(passes);
            for &sum in &sums {
                assert_eq!(sum >= least, passes(sum), "bucket {cut}, sum {sum}");
            }
            if !least.is_nan() && least > f32::NEG_INFINITY {
                assert!(passes(least) && !passes(least.next_down()), "bucket {cut}");
            }
        }
        for &t in &[0.0f32, 1e-6, 0.25, 0.5, 0.7501, 1.0, 1.00002] {
            let passes = |sum: f32| settle(sum) >= t;
            let least = least_passing(passes);
            for &sum in &sums {
                assert_eq!(sum >= least, passes(sum), "threshold {t}, sum {sum}");
            }
        }
        assert!(least_passing(|_| false).is_nan());
        assert_eq!(least_passing(|_| true), f32::NEG_INFINITY);
    }
}
