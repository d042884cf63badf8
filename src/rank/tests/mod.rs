//! Tests of the ranking core that span categories: the total, exclusions, evidence, ranking
//! and the laws every score obeys. A single category's curve is tested in its own file.
//!
//! The fixtures here are shared with those files.

use chrono::NaiveDate;

use super::score::rank_order;
use super::*;
use crate::model::{GeoPoint, Hours, SsykCode, SwedishLevel};

pub(crate) mod corpus;
mod laws;
mod patterns;
mod prune;
mod ranking;
mod scores;

pub(super) const STOCKHOLM: GeoPoint = GeoPoint {
    lat: 59.33258,
    lon: 18.0649,
};
pub(super) const SOLNA: GeoPoint = GeoPoint {
    lat: 59.36004,
    lon: 18.00086,
};
pub(super) const GOTEBORG: GeoPoint = GeoPoint {
    lat: 57.70716,
    lon: 11.96679,
};

pub(super) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(super) fn ssyk(code: u16) -> SsykCode {
    SsykCode::new(code).unwrap()
}

pub(super) fn curves() -> Curves {
    Curves::default()
}

pub(super) fn ctx<'a>(profile: &'a WeightProfile, weights: &'a SkillWeights) -> Context<'a> {
    Context {
        profile,
        skill_weights: weights,
        today: day("2026-11-23"),
    }
}

pub(super) fn opening(id: i64) -> OpeningFeatures {
    OpeningFeatures {
        id,
        must: vec![1, 2],
        merit: vec![3],
        occupation: Some(ssyk(4322)),
        swedish_min: Some(SwedishLevel::A2),
        swedish_strict: false,
        licences: vec![],
        location: Some(STOCKHOLM),
        start_date: Some(day("2026-12-01")),
        deadline: Some(day("2026-12-15")),
        hours: Hours::Full,
        track_record: None,
    }
}

pub(super) fn participant(id: i64) -> ParticipantFeatures {
    ParticipantFeatures {
        id,
        skills: vec![1, 2, 3],
        related_skills: vec![],
        occupations: vec![(ssyk(4322), 3.0)],
        related_occupations: vec![],
        swedish: Some(SwedishLevel::B1),
        location: Some(STOCKHOLM),
        max_travel_km: Some(30.0),
        licences: vec![],
        available_from: Some(day("2026-11-01")),
        hours: Hours::Any,
    }
}
