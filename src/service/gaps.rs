//! What would open doors for a participant: each single change to their profile (Swedish one
//! CEFR step higher, a licence or a skill that open openings within their reach ask for most,
//! 10 km more travel, full-time availability), with how many more open openings it lets
//! through the hard rules and how much it lifts their five best scores, computed over every
//! open opening with the same ranking as suggestions. The first item goes into the plan.
//!
//! What this module must not do: change the stored profile. Every variant is a copy.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use rayon::prelude::*;

use super::error::Result;
use super::{Caller, Engine, RankQuery};
use crate::model::{Hours, Id, Profile, SwedishLevel, Term};
use crate::projection::features;
use crate::rank::Key;

/// How many of the most asked-for licences and skills are tried.
const TRIED_LICENCES: usize = 3;
const TRIED_SKILLS: usize = 5;
/// The best scores whose rise is reported.
const BEST: usize = 5;
/// The extra travel tried, in km.
const MORE_TRAVEL_KM: f64 = 10.0;

/// One change to a profile.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Swedish {
        from: Option<SwedishLevel>,
        to: SwedishLevel,
    },
    Licence {
        id: Option<String>,
        label: String,
    },
    Skill {
        id: Option<String>,
        label: String,
    },
    Travel {
        from_km: Option<f64>,
        to_km: f64,
    },
    FullTime,
}

/// A change and what it would do.
#[derive(Clone, Debug, PartialEq)]
pub struct Gap {
    pub change: Change,
    /// How many more open openings would pass the hard rules.
    pub more_openings: i64,
    /// The mean of the five best scores, before and after.
    pub best_before: f32,
    pub best_after: f32,
    /// How many open openings within reach ask for it (licences and skills).
    pub asked_by: Option<usize>,
}

/// The gaps of one participant, most doors first.
#[derive(Clone, Debug, PartialEq)]
pub struct Gaps {
    pub participant_id: Id,
    /// Open openings passing the hard rules today.
    pub passing: usize,
    pub gaps: Vec<Gap>,
}

/// What one ranking says: openings passing and the mean of the best five.
fn outcome(ranking: &crate::rank::Ranking) -> (usize, f32) {
    let passing = ranking.considered.saturating_sub(ranking.excluded_count);
    let best: Vec<f32> = ranking.results.iter().take(BEST).map(|s| s.score).collect();
    let mean = if best.is_empty() {
        0.0
    } else {
        best.iter().sum::<f32>() / BEST as f32
    };
    (passing, mean)
}

impl Engine {
    /// The single changes that would open the most doors for a participant on the caller's
    /// caseload, ranked. The read is logged.
    pub async fn gaps(self: &Arc<Self>, caller: &Caller, participant_id: Id) -> Result<Gaps> {
        let profile = self
            .kept_profile(caller, participant_id, "participant.gaps")
            .await?;
        let engine = Arc::clone(self);
        self.on_ranking_threads(move || engine.gaps_of(participant_id, profile))
            .await?
    }

    fn gaps_of(&self, participant_id: Id, profile: Profile) -> Result<Gaps> {
        let today = Utc::now().date_naive();
        let query = RankQuery {
            kind: None,
            limit: BEST,
            include_excluded: false,
        };
        // Only a skill changes the words text relevance is found with: the rest share it.
        let text = self.text_relevance(&profile)?;
        let (passing, best) = outcome(&self.rank_with_text(
            participant_id,
            &profile,
            text.as_deref(),
            query,
            today,
        )?);
        let mut tries: Vec<(Change, Profile, Option<usize>)> = Vec::new();

        let next = match profile.swedish_level {
            None => Some(SwedishLevel::A1),
            Some(level) => SwedishLevel::ALL
                .iter()
                .copied()
                .find(|l| l.step() == level.step() + 1),
        };
        if let Some(to) = next {
            let mut p = profile.clone();
            p.swedish_level = Some(to);
            tries.push((
                Change::Swedish {
                    from: profile.swedish_level,
                    to,
                },
                p,
                None,
            ));
        }
        for (term, count, is_licence) in self.asked_within_reach(participant_id, &profile) {
            let mut p = profile.clone();
            let (id, label) = (term.id.as_ref().map(|c| c.0.clone()), term.label.clone());
            let added = match &term.id {
                Some(id) => Term::Concept {
                    id: id.clone(),
                    label: label.clone(),
                    input: None,
                },
                None => Term::FreeText {
                    text: label.clone(),
                },
            };
            let change = if is_licence {
                p.licences.push(added);
                Change::Licence { id, label }
            } else {
                p.skills.push(added);
                Change::Skill { id, label }
            };
            tries.push((change, p, Some(count)));
        }
        let reach = profile
            .max_travel_km
            .or(self.profile.curves.default_travel_km.map(f64::from));
        if let Some(km) = reach {
            let mut p = profile.clone();
            p.max_travel_km = Some(km + MORE_TRAVEL_KM);
            tries.push((
                Change::Travel {
                    from_km: profile.max_travel_km,
                    to_km: km + MORE_TRAVEL_KM,
                },
                p,
                None,
            ));
        }
        if profile.hours == Hours::Part {
            let mut p = profile.clone();
            p.hours = Hours::Any;
            tries.push((Change::FullTime, p, None));
        }

        let mut gaps = tries
            .into_par_iter()
            .map(|(change, p, asked_by)| {
                let ranking = match change {
                    Change::Skill { .. } => {
                        self.rank_for_profile(participant_id, &p, query, today)?
                    }
                    _ => self.rank_with_text(participant_id, &p, text.as_deref(), query, today)?,
                };
                let (after, best_after) = outcome(&ranking);
                Ok(Gap {
                    change,
                    more_openings: after as i64 - passing as i64,
                    best_before: best,
                    best_after,
                    asked_by,
                })
            })
            .collect::<Result<Vec<Gap>>>()?;
        // Most doors first, then the largest rise; the order of trying breaks ties.
        gaps.sort_by(|a, b| {
            b.more_openings
                .cmp(&a.more_openings)
                .then((b.best_after - b.best_before).total_cmp(&(a.best_after - a.best_before)))
        });
        Ok(Gaps {
            participant_id,
            passing,
            gaps,
        })
    }

    /// The licences and skills the participant lacks that most open openings within their
    /// reach ask for (must-haves), with how many ask: at most [`TRIED_LICENCES`] licences and
    /// [`TRIED_SKILLS`] skills, most asked first.
    fn asked_within_reach(
        &self,
        participant_id: Id,
        profile: &Profile,
    ) -> Vec<(features::TermLabel, usize, bool)> {
        let taxonomy = self.taxonomy();
        let p = self.read_projection();
        let me = features::participant_features_lookup(participant_id, profile, &p.keys, &taxonomy);
        let reach = crate::rank::travel_limit(&me, &self.profile.curves).map(|(km, _)| km);
        let table = p.openings();
        let rows: Vec<u32> = match (me.location, reach) {
            (Some(centre), Some(km)) => table.near(centre, km).unwrap_or_default(),
            _ => (0..table.len() as u32).collect(),
        };
        let mut licences: HashMap<Key, usize> = HashMap::new();
        let mut skills: HashMap<Key, usize> = HashMap::new();
        let features = table.features();
        for row in rows {
            let Some(o) = features.get(row as usize) else {
                continue;
            };
            let within = match (me.location, o.location, reach) {
                (Some(a), Some(b), Some(km)) => a.distance_km(b) <= km,
                _ => true,
            };
            if !within {
                continue;
            }
            // Held as the hard rule holds them: declared, a certificate among the skills, or
            // implied by another (CE implies B).
            for &k in &o.licences {
                if me.licences.binary_search(&k).is_err() {
                    *licences.entry(k).or_default() += 1;
                }
            }
            for &k in &o.must {
                if me.skills.binary_search(&k).is_err() {
                    *skills.entry(k).or_default() += 1;
                }
            }
        }
        let top = |counts: HashMap<Key, usize>, n: usize| {
            let mut list: Vec<(Key, usize)> = counts.into_iter().collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list.truncate(n);
            list
        };
        let mut out = Vec::new();
        for (k, count) in top(licences, TRIED_LICENCES) {
            out.push((p.keys.describe_licence(k, &taxonomy), count, true));
        }
        // A certificate is also a skill concept (truckkort): it is tried once, as a licence.
        skills.retain(|&k, _| {
            let term = p.keys.describe(k, &taxonomy);
            term.id
                .as_ref()
                .is_none_or(|id| taxonomy.licence(id.as_str()).is_err())
        });
        for (k, count) in top(skills, TRIED_SKILLS) {
            out.push((p.keys.describe(k, &taxonomy), count, false));
        }
        out
    }
}
