//! The weight profile: how much each category counts and the few constants that shape the
//! category curves. A profile is named and versioned, and both travel with every result, so a
//! score can always be traced to the rules that made it.
//!
//! Owns reading and checking profiles; must not score (the curves are read by the categories).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::category::Category;
use super::category_map::CategoryMap;

/// Relative weight of each category. Only the ratios matter: the total is a weighted mean over
/// the categories that apply to a pair. In a profile file, an object keyed by category name in
/// which a category left out takes its [`Category::default_weight`] and an unknown name is
/// refused.
pub type Weights = CategoryMap<f32>;

/// Constants of the category curves, versioned with the weights because they change scores too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Curves {
    /// Score lost per CEFR step below the opening's minimum Swedish level.
    pub swedish_step_penalty: f32,
    /// Distance at which the distance score has halved.
    pub distance_half_life_km: f32,
    /// Years in the same occupation group that count as full experience.
    pub experience_full_years: f32,
    /// Days of late availability after which the start-date part of availability reaches 0.
    pub start_delay_zero_days: f32,
    /// Occupation score for sharing 3, 2 and 1 leading SSYK digits (4 digits score 1).
    pub occupation_related: [f32; 3],
    /// Availability factor when the opening is full time and the participant can work part time.
    pub part_time_for_full_time: f32,
    /// Availability factor when the opening is part time and the participant wants full time.
    pub full_time_for_part_time: f32,
    /// Summed specificity of the matched skills at which skill coverage counts in full: below
    /// it, coverage is scaled down, so a match on one generic skill ("Kundtjänst") says less
    /// than a match on one occupation-specific skill.
    pub skill_evidence_full: f32,
    /// Share of a skill's credit earned by holding a related skill, times their similarity.
    pub related_skill_credit: f32,
    /// Occupation score of a group related by the skills it asks for, times their similarity;
    /// the better of this and the shared-digits score counts.
    pub occupation_by_skills: f32,
    /// Distance score when the participant's home is known and the workplace's is not.
    pub unknown_distance_score: f32,
    /// Travel limit of a participant who states none, a hard rule like their own limit;
    /// `null` in a profile file: no limit.
    pub default_travel_km: Option<f32>,
}

impl Default for Curves {
    fn default() -> Self {
        Curves {
            swedish_step_penalty: 0.25,
            distance_half_life_km: 10.0,
            experience_full_years: 3.0,
            start_delay_zero_days: 60.0,
            occupation_related: [0.6, 0.3, 0.1],
            part_time_for_full_time: 0.5,
            full_time_for_part_time: 0.8,
            skill_evidence_full: 0.6,
            related_skill_credit: 0.5,
            occupation_by_skills: 0.85,
            unknown_distance_score: 0.25,
            default_travel_km: Some(50.0),
        }
    }
}

/// A named, versioned set of weights and curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightProfile {
    pub name: String,
    pub version: u32,
    pub weights: Weights,
    #[serde(default)]
    pub curves: Curves,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightProfileError {
    #[error("cannot read weight profile {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid weight profile {path}: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("invalid weight profile {name:?}: {message}")]
    Invalid { name: String, message: String },
}

impl Default for WeightProfile {
    /// The built-in profile: every category at its default weight (the registration in
    /// `category.rs` says why each weighs what it does).
    fn default() -> Self {
        WeightProfile {
            name: "default".to_owned(),
            // 2: related skills and occupations, specificity, absence scored, a default
            // travel limit.
            version: 2,
            weights: Weights::from_fn(Category::default_weight),
            curves: Curves::default(),
        }
    }
}

impl WeightProfile {
    /// Reads a profile from a JSON file, so a unit can tune weights without a rebuild.
    pub fn from_file(path: &Path) -> Result<Self, WeightProfileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| WeightProfileError::Io {
            path: shown.clone(),
            source,
        })?;
        let profile: WeightProfile =
            serde_json::from_str(&text).map_err(|source| WeightProfileError::Parse {
                path: shown,
                source,
            })?;
        profile.validate()?;
        Ok(profile)
    }

    /// Rejects profiles that could produce scores outside [0, 1] or divide by zero.
    pub fn validate(&self) -> Result<(), WeightProfileError> {
        let invalid = |message: String| WeightProfileError::Invalid {
            name: self.name.clone(),
            message,
        };
        let weights = &self.weights;
        if let Some((name, value)) = weights.iter().find(|(_, v)| !v.is_finite() || **v < 0.0) {
            return Err(invalid(format!(
                "weight {name} is {value}; weights must be finite and >= 0"
            )));
        }
        if weights.iter().map(|(_, v)| v).sum::<f32>() <= 0.0 {
            return Err(invalid(
                "all weights are 0; at least one must be positive".to_owned(),
            ));
        }
        let c = &self.curves;
        let positive = [
            ("distance_half_life_km", c.distance_half_life_km),
            ("experience_full_years", c.experience_full_years),
            ("start_delay_zero_days", c.start_delay_zero_days),
            ("skill_evidence_full", c.skill_evidence_full),
            ("default_travel_km", c.default_travel_km.unwrap_or(1.0)),
        ];
        if let Some((name, value)) = positive.iter().find(|(_, v)| !v.is_finite() || *v <= 0.0) {
            return Err(invalid(format!("curve {name} is {value}; it must be > 0")));
        }
        let unit = [
            ("swedish_step_penalty", c.swedish_step_penalty),
            ("occupation_related[0]", c.occupation_related[0]),
            ("occupation_related[1]", c.occupation_related[1]),
            ("occupation_related[2]", c.occupation_related[2]),
            ("part_time_for_full_time", c.part_time_for_full_time),
            ("full_time_for_part_time", c.full_time_for_part_time),
            ("related_skill_credit", c.related_skill_credit),
            ("occupation_by_skills", c.occupation_by_skills),
            ("unknown_distance_score", c.unknown_distance_score),
        ];
        if let Some((name, value)) = unit.iter().find(|(_, v)| !(0.0..=1.0).contains(v)) {
            return Err(invalid(format!(
                "curve {name} is {value}; it must be within 0..=1"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_is_valid_and_weights_sum_to_one() {
        let p = WeightProfile::default();
        p.validate().expect("default profile valid");
        let sum: f32 = p.weights.iter().map(|(_, w)| w).sum();
        assert!((sum - 1.0).abs() < 1e-5, "sum {sum}");
    }

    #[test]
    fn profile_round_trips_through_a_file_and_rejects_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profile.json");
        let mut p = WeightProfile {
            name: "warehouse-push".into(),
            version: 3,
            ..WeightProfile::default()
        };
        p.weights[Category::Distance] = 0.3;
        std::fs::write(&path, serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(WeightProfile::from_file(&path).unwrap(), p);

        p.weights[Category::Text] = -1.0;
        std::fs::write(&path, serde_json::to_string(&p).unwrap()).unwrap();
        let err = WeightProfile::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("weight text is -1"), "{err}");

        // A category the file does not name takes its default weight, so a profile written
        // before a category was added still loads.
        std::fs::write(
            &path,
            r#"{"name":"x","version":1,"weights":{"must_skills":1}}"#,
        )
        .unwrap();
        let loaded = WeightProfile::from_file(&path).unwrap();
        assert_eq!(loaded.weights[Category::MustSkills], 1.0);
        for category in Category::ALL.into_iter().skip(1) {
            assert_eq!(
                loaded.weights[category],
                category.default_weight(),
                "{category}"
            );
        }

        // A misspelt weight is refused, naming it, rather than silently taking the default.
        std::fs::write(
            &path,
            r#"{"name":"x","version":1,"weights":{"must_skils":1}}"#,
        )
        .unwrap();
        let err = WeightProfile::from_file(&path).unwrap_err();
        assert!(matches!(err, WeightProfileError::Parse { .. }), "{err}");
        assert!(
            err.to_string().contains(r#"unknown weight "must_skils""#),
            "{err}"
        );

        std::fs::write(
            &path,
            r#"{"name":"x","version":1,"weights":{"text":1,"text":2}}"#,
        )
        .unwrap();
        let err = WeightProfile::from_file(&path).unwrap_err().to_string();
        assert!(err.contains("weight text is given twice"), "{err}");
    }
}
