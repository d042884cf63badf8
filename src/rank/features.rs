//! The plain data the ranking core scores: compact features of openings and participants.
//!
//! Skills and licences are dense integer keys from a [`Vocabulary`] rather than strings, so a
//! million openings fit in memory and coverage is a merge of two sorted lists.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::{GeoPoint, Hours, SsykCode, SwedishLevel};

/// A dense key for a skill or licence concept, or for a free-text term.
pub type Key = u32;

/// Interns concept ids and free-text terms into dense [`Key`]s.
///
/// Free text is interned under its own prefix so that an unmatched term on an opening still
/// meets the same unmatched term on a participant, without ever colliding with a concept id.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    keys: HashMap<String, Key>,
    names: Vec<String>,
}

impl Vocabulary {
    pub fn new() -> Self {
        Self::default()
    }

    /// The key of a name, adding it when new.
    pub fn key(&mut self, name: &str) -> Key {
        if let Some(&k) = self.keys.get(name) {
            return k;
        }
        let k = Key::try_from(self.names.len()).expect("fewer than 4 billion terms");
        self.keys.insert(name.to_owned(), k);
        self.names.push(name.to_owned());
        k
    }

    /// The key of a name already interned; a term nobody uses needs no key.
    pub fn get(&self, name: &str) -> Option<Key> {
        self.keys.get(name).copied()
    }

    pub fn name(&self, key: Key) -> Option<&str> {
        self.names.get(key as usize).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Per-key facts of skills: the weight a skill has in coverage (rarer skills count more; keys
/// beyond the table weigh 1) and its specificity, how much a match on it says about fit (a skill
/// few occupations ask for says much, one half the market asks for says little; keys beyond the
/// table, such as free text, are [`SkillWeights::DEFAULT_SPECIFICITY`]).
#[derive(Clone, Debug, Default)]
pub struct SkillWeights {
    weights: Vec<f32>,
    specificity: Vec<f32>,
}

impl SkillWeights {
    /// The specificity of a skill nothing is known of: neither generic nor occupation-specific.
    pub const DEFAULT_SPECIFICITY: f32 = 0.5;

    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, key: Key, weight: f32) {
        let i = key as usize;
        if self.weights.len() <= i {
            self.weights.resize(i + 1, 1.0);
        }
        self.weights[i] = if weight.is_finite() && weight > 0.0 {
            weight
        } else {
            1.0
        };
    }

    /// Sets a skill's specificity, clamped to [0, 1].
    pub fn set_specificity(&mut self, key: Key, specificity: f32) {
        let i = key as usize;
        if self.specificity.len() <= i {
            self.specificity.resize(i + 1, Self::DEFAULT_SPECIFICITY);
        }
        self.specificity[i] = if specificity.is_finite() {
            specificity.clamp(0.0, 1.0)
        } else {
            Self::DEFAULT_SPECIFICITY
        };
    }

    pub fn get(&self, key: Key) -> f32 {
        self.weights.get(key as usize).copied().unwrap_or(1.0)
    }

    pub fn specificity(&self, key: Key) -> f32 {
        self.specificity
            .get(key as usize)
            .copied()
            .unwrap_or(Self::DEFAULT_SPECIFICITY)
    }
}

/// Something the participant does not have but is close to something they have: a skill
/// the same occupations ask for, or an occupation group that asks for the same skills.
/// `similarity` in (0, 1] comes from the taxonomy's relatedness tables; the weight profile
/// decides how much of a match it is worth.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Related<T> {
    pub to: T,
    /// What the participant has that `to` is related to.
    pub via: T,
    pub similarity: f32,
}

/// What the core knows of an opening.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpeningFeatures {
    pub id: i64,
    /// Must-have skills, sorted and without duplicates.
    pub must: Vec<Key>,
    /// Merit (nice-to-have) skills, sorted and without duplicates.
    pub merit: Vec<Key>,
    pub occupation: Option<SsykCode>,
    pub swedish_min: Option<SwedishLevel>,
    pub swedish_strict: bool,
    /// Required licences and certificates, sorted and without duplicates.
    pub licences: Vec<Key>,
    pub location: Option<GeoPoint>,
    pub start_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub hours: Hours,
    /// How proposals to this opening and its employer have gone, in [0, 1], from the stored
    /// placements (see `category/track_record.rs`); `None` when not supplied.
    pub track_record: Option<f32>,
}

/// What the core knows of a participant. Nothing here identifies the person.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParticipantFeatures {
    pub id: i64,
    /// Skills, sorted and without duplicates.
    pub skills: Vec<Key>,
    /// Skills not held but related to one held, sorted by `to` and without duplicates (the
    /// most similar `via` kept); none of them is among `skills`.
    pub related_skills: Vec<Related<Key>>,
    /// Occupation groups with years of experience in each.
    pub occupations: Vec<(SsykCode, f32)>,
    /// Occupation groups related to one in `occupations` by the skills they ask for.
    pub related_occupations: Vec<Related<SsykCode>>,
    /// `None` means no Swedish yet: one step below A1.
    pub swedish: Option<SwedishLevel>,
    pub location: Option<GeoPoint>,
    /// How far the participant can travel; `None`: the weight profile's default limit applies.
    pub max_travel_km: Option<f64>,
    /// Licences and certificates held, including what they imply, sorted and without duplicates.
    pub licences: Vec<Key>,
    pub available_from: Option<NaiveDate>,
    pub hours: Hours,
}

/// Sorts and deduplicates a key list, the form every feature list must have.
pub fn key_set(mut keys: Vec<Key>) -> Vec<Key> {
    keys.sort_unstable();
    keys.dedup();
    keys
}
