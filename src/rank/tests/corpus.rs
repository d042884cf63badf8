//! Random corpora for the laws that compare two ways of ranking: drawn from a small world so
//! that ties, shared skills, excluded pairs and far-away workplaces are all common.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{GeoPoint, Hours, SsykCode, SwedishLevel};
use crate::rank::{Key, OpeningFeatures, ParticipantFeatures, Related, key_set};

/// Skill keys 0..SKILLS, licence keys from SKILLS on.
pub(crate) const SKILLS: Key = 12;
const CODES: [u16; 6] = [5321, 5322, 5343, 4322, 9111, 9112];
const POINTS: [(f64, f64); 4] = [
    (59.33, 18.06),
    (59.36, 18.0),
    (57.70, 11.97),
    (63.82, 20.26),
];

pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn point(rng: &mut ChaCha8Rng) -> Option<GeoPoint> {
    match rng.random_range(0..10) {
        0 => None,
        1..=6 => {
            let (lat, lon) = POINTS[rng.random_range(0..POINTS.len())];
            Some(GeoPoint { lat, lon })
        }
        _ => Some(GeoPoint {
            lat: rng.random_range(55.5..66.0),
            lon: rng.random_range(12.0..22.0),
        }),
    }
}

fn keys(rng: &mut ChaCha8Rng, most: usize) -> Vec<Key> {
    let n = rng.random_range(0..=most);
    key_set((0..n).map(|_| rng.random_range(0..SKILLS)).collect())
}

fn level(rng: &mut ChaCha8Rng) -> Option<SwedishLevel> {
    let i = rng.random_range(0..=SwedishLevel::ALL.len());
    SwedishLevel::ALL.get(i).copied()
}

fn date(rng: &mut ChaCha8Rng) -> Option<NaiveDate> {
    rng.random_bool(0.8)
        .then(|| today() + chrono::Duration::days(rng.random_range(-20..60)))
}

fn hours(rng: &mut ChaCha8Rng) -> Hours {
    [Hours::Full, Hours::Part, Hours::Any][rng.random_range(0..3)]
}

fn code(rng: &mut ChaCha8Rng) -> SsykCode {
    SsykCode::new(CODES[rng.random_range(0..CODES.len())]).unwrap()
}

/// `n` openings with ids 1..=n; about a third repeat an earlier one's features under a new id.
pub(crate) fn openings(rng: &mut ChaCha8Rng, n: usize) -> Vec<OpeningFeatures> {
    let mut out: Vec<OpeningFeatures> = Vec::with_capacity(n);
    for id in 1..=n as i64 {
        let f = if !out.is_empty() && rng.random_bool(0.3) {
            let twin = &out[rng.random_range(0..out.len())];
            OpeningFeatures { id, ..twin.clone() }
        } else {
            OpeningFeatures {
                id,
                must: keys(rng, 3),
                merit: keys(rng, 2),
                occupation: rng.random_bool(0.8).then(|| code(rng)),
                swedish_min: level(rng),
                swedish_strict: rng.random_bool(0.2),
                // Four licences, so a ranking meets more of them than it has bits for.
                licences: if rng.random_bool(0.25) {
                    let mut held = vec![SKILLS + rng.random_range(0..4)];
                    if rng.random_bool(0.3) {
                        held.push(SKILLS + rng.random_range(0..4));
                    }
                    held.sort_unstable();
                    held.dedup();
                    held
                } else {
                    vec![]
                },
                location: point(rng),
                start_date: date(rng),
                deadline: date(rng),
                hours: hours(rng),
                track_record: rng.random_bool(0.7).then(|| rng.random::<f32>()),
            }
        };
        out.push(f);
    }
    out
}

/// Related skills of `held`: keys not held, each once, with similarities that repeat.
fn related_skills(rng: &mut ChaCha8Rng, held: &[Key]) -> Vec<Related<Key>> {
    if held.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<Related<Key>> = keys(rng, 4)
        .into_iter()
        .filter(|k| held.binary_search(k).is_err())
        .map(|to| Related {
            to,
            via: held[rng.random_range(0..held.len())],
            similarity: [1.0, 0.6, 0.3][rng.random_range(0..3)],
        })
        .collect();
    out.sort_by_key(|r| r.to);
    out
}

fn related_occupations(rng: &mut ChaCha8Rng, own: &[(SsykCode, f32)]) -> Vec<Related<SsykCode>> {
    let mut out: Vec<Related<SsykCode>> = Vec::new();
    for &(via, _) in own {
        let to = code(rng);
        if rng.random_bool(0.5) && !own.iter().any(|o| o.0 == to) && !out.iter().any(|r| r.to == to)
        {
            out.push(Related {
                to,
                via,
                similarity: [0.9, 0.5][rng.random_range(0..2)],
            });
        }
    }
    out.sort_by_key(|r| r.to);
    out
}

pub(crate) fn participant(rng: &mut ChaCha8Rng, id: i64) -> ParticipantFeatures {
    let skills = keys(rng, 5);
    let occupations: Vec<(SsykCode, f32)> = (0..rng.random_range(0..3))
        .map(|_| (code(rng), f32::from(rng.random_range(0u8..6))))
        .collect();
    ParticipantFeatures {
        id,
        related_skills: related_skills(rng, &skills),
        skills,
        related_occupations: related_occupations(rng, &occupations),
        occupations,
        swedish: level(rng),
        location: point(rng),
        max_travel_km: rng
            .random_bool(0.5)
            .then(|| f64::from(rng.random_range(1u16..600))),
        licences: (0..4)
            .filter(|_| rng.random_bool(0.5))
            .map(|l| SKILLS + l)
            .collect(),
        available_from: date(rng),
        hours: hours(rng),
    }
}

/// Text relevance for about a quarter of `n` openings, by index, ascending; values repeat.
pub(crate) fn text(rng: &mut ChaCha8Rng, n: usize) -> Option<Vec<(u32, f32)>> {
    rng.random_bool(0.6).then(|| {
        let mut hits = Vec::new();
        for i in 0..n as u32 {
            if rng.random_bool(0.25) {
                hits.push((i, [1.0, 0.5, 0.25, 0.125][rng.random_range(0..4)]));
            }
        }
        hits
    })
}

pub(crate) fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
