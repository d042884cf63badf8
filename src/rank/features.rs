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

/// Per-key weights of skills: rarer skills count more in coverage. Keys beyond the table weigh 1.
#[derive(Clone, Debug, Default)]
pub struct SkillWeights(Vec<f32>);

impl SkillWeights {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, key: Key, weight: f32) {
        let i = key as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 1.0);
        }
        self.0[i] = if weight.is_finite() && weight > 0.0 {
            weight
        } else {
            1.0
        };
    }

    pub fn get(&self, key: Key) -> f32 {
        self.0.get(key as usize).copied().unwrap_or(1.0)
    }
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
}

/// What the core knows of a participant. Nothing here identifies the person.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParticipantFeatures {
    pub id: i64,
    /// Skills, sorted and without duplicates.
    pub skills: Vec<Key>,
    /// Occupation groups with years of experience in each.
    pub occupations: Vec<(SsykCode, f32)>,
    /// `None` means no Swedish yet: one step below A1.
    pub swedish: Option<SwedishLevel>,
    pub location: Option<GeoPoint>,
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
