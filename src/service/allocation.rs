//! Allocating a caseload: each participant's best openings (the same pair scores suggestions
//! show, pruned to [`TOP_N`] each) go to the core's exact assignment under the openings' free
//! places and the unit's priority policy; the answer explains every participant's outcome,
//! names who took a first choice by pseudonym only, shows who is left behind per group with and
//! without the policy, and is stored with its inputs' versions.
//!
//! What this module must not do: solve the assignment (that is `rank::allocate`), or put a
//! participant's identity in an answer: ids and staff pseudonyms only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::{InputError, Result, ServiceError, UserError};
use super::{Caller, Engine, RankQuery};
use crate::model::{Id, OpeningKind, PriorityGroup, Profile, Role, swedish_band};
use crate::rank::allocate::{self, Edge, Groups, Seat};

/// How many of each participant's best openings enter the assignment. An opening below a
/// participant's 30th is one they would hardly be proposed for, and the bound keeps the
/// problem at 30 pairs a participant whatever the number of openings.
pub const TOP_N: usize = 30;
/// Most proposals one participant may get in one allocation.
pub const MAX_PER_PARTICIPANT: u32 = 10;
/// The policy in force before an admin sets one: everyone counts the same.
pub const EQUAL_POLICY: &str = "equal";

/// Whom to allocate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Participants(Vec<Id>),
    /// The calling coach's caseload.
    Caseload,
    /// Every participant (job matchers and admins).
    All,
}

/// An allocation as asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationRequest {
    pub selection: Selection,
    pub kind: Option<OpeningKind>,
    pub per_participant: u32,
    /// A policy by name; `None` for the current one.
    pub policy: Option<String>,
    pub apply_policy: bool,
}

/// A priority policy: each group's weight; a participant counts with the highest weight of
/// the groups they belong to, and 1 when they belong to none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    /// 0 for the built-in equal policy.
    pub version: i64,
    pub weights: BTreeMap<PriorityGroup, f64>,
}

impl Policy {
    fn equal() -> Policy {
        Policy {
            name: EQUAL_POLICY.to_owned(),
            version: 0,
            weights: BTreeMap::new(),
        }
    }

    /// The weight a participant's scores count with.
    pub fn weight(&self, groups: &[PriorityGroup]) -> f64 {
        groups
            .iter()
            .filter_map(|g| self.weights.get(g).copied())
            .fold(None, |best: Option<f64>, w| {
                Some(best.map_or(w, |b| b.max(w)))
            })
            .unwrap_or(1.0)
    }
}

/// Why a participant did not get their first choice, or nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// `first_choice_taken`, `no_eligible_opening`, `all_taken`, or `unavailable` (placed,
    /// or in a job, studies or gone).
    pub code: String,
    pub message: String,
    /// The first choice that went to others.
    pub opening_id: Option<Id>,
    /// Who got its places, by pseudonym.
    pub taken_by: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub participant_id: Id,
    pub pseudonym: String,
    pub opening_id: Id,
    /// The pair score suggestions show.
    pub score: f32,
    /// Where the opening stands in the participant's own list, from 1.
    pub own_rank: usize,
    /// The policy's weight for this participant.
    pub weight: f64,
    /// Set when this is not the participant's first choice.
    pub reason: Option<Reason>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unplaced {
    pub participant_id: Id,
    pub pseudonym: String,
    pub reason: Reason,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpeningPlaces {
    pub opening_id: Id,
    pub places: u32,
    pub proposed: Vec<String>,
}

/// One group's outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// `all`, `priority:<group>`, `priority:none`, `swedish:A1–A2`, `swedish:B1–B2`,
    /// `swedish:C1–C2` or `swedish:unknown`.
    pub group: String,
    pub participants: usize,
    pub placed: usize,
    pub share_placed: f64,
    /// Of what the placed got.
    pub mean_score: Option<f64>,
    pub mean_own_rank: Option<f64>,
}

/// Who is left behind, with the policy and without it, group by group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fairness {
    pub with_policy: Vec<GroupFigures>,
    pub without_policy: Vec<GroupFigures>,
}

/// The versions of what the allocation was computed from, to replay and compare it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// The last change to openings and profiles the answer saw.
    pub outbox_head: i64,
    pub weight_profile: String,
    pub weight_profile_version: u32,
    pub taxonomy_version: i64,
    pub top_n: usize,
    pub kind: Option<OpeningKind>,
    pub per_participant: u32,
    pub apply_policy: bool,
    pub participants: Vec<Id>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub id: Id,
    pub created_at: DateTime<Utc>,
    pub policy: Policy,
    pub inputs: Inputs,
    /// The total of scores times weights the assignment reaches: the most any assignment can.
    pub total: f64,
    pub assignments: Vec<Proposal>,
    pub unassigned: Vec<Unplaced>,
    pub openings: Vec<OpeningPlaces>,
    pub fairness: Fairness,
}

/// Each participant's own list: openings best first, with their scores.
type Lists = Vec<(Id, Profile, Vec<(Id, f32)>)>;

impl Engine {
    /// Allocates the selected participants over the open openings and stores the answer.
    pub async fn allocate(
        self: &Arc<Self>,
        caller: &Caller,
        request: AllocationRequest,
    ) -> Result<Allocation> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach])?;
        if request.per_participant == 0 || request.per_participant > MAX_PER_PARTICIPANT {
            return Err(InputError::new(
                super::Code::InvalidField,
                "per_participant",
                format!(
                    "per_participant must be 1 to {MAX_PER_PARTICIPANT}, not {}",
                    request.per_participant
                ),
            )
            .into());
        }
        let ids = self.selected(caller, &request.selection).await?;
        let policy = self.policy_for(request.policy.as_deref()).await?;
        let outbox_head = self.store.outbox_head().await?;
        // Placed or settled participants leave allocations at once.
        let unavailable: BTreeSet<Id> = self
            .store
            .unavailable_participants(Some(&ids))
            .await?
            .into_iter()
            .collect();
        let available: Vec<Id> = ids
            .iter()
            .copied()
            .filter(|id| !unavailable.contains(id))
            .collect();
        let mut profiles = self.store.profiles(&available).await?;
        profiles.sort_by_key(|(id, _)| *id);
        self.store
            .log_reads(
                &caller.reads(
                    profiles
                        .iter()
                        .map(|(id, _)| *id)
                        .chain(unavailable.iter().copied()),
                    "allocation",
                ),
            )
            .await?;

        let query = RankQuery {
            kind: request.kind,
            limit: TOP_N,
            include_excluded: false,
        };
        let lists: Lists = self
            .rank_profiles(caller, profiles, query)
            .await?
            .into_iter()
            .map(|(id, profile, ranking)| {
                let list = ranking.results.iter().map(|s| (s.id, s.score)).collect();
                (id, profile, list)
            })
            .collect();

        let opening_ids: BTreeSet<Id> = lists
            .iter()
            .flat_map(|(_, _, l)| l.iter().map(|(o, _)| *o))
            .collect();
        let opening_ids: Vec<Id> = opening_ids.into_iter().collect();
        let (places, groups) = self.free_places(&opening_ids).await?;
        let stamp = self.taxonomy_stamp();
        let mut allocation = self.solve(&lists, &opening_ids, &places, &groups, &policy, &request);
        allocation
            .unassigned
            .extend(unavailable.iter().map(|&id| Unplaced {
                participant_id: id,
                pseudonym: self.staff_pseudonym(id),
                reason: Reason {
                    code: "unavailable".to_owned(),
                    message: "has started a placement, or is in a job, studies or has left; out of allocation until that ends".to_owned(),
                    opening_id: None,
                    taken_by: Vec::new(),
                },
            }));
        allocation.inputs = Inputs {
            outbox_head,
            weight_profile: self.profile.name.clone(),
            weight_profile_version: self.profile.version,
            taxonomy_version: stamp.version,
            top_n: TOP_N,
            kind: request.kind,
            per_participant: request.per_participant,
            apply_policy: request.apply_policy,
            participants: ids,
        };
        let body = serde_json::to_string(&allocation)
            .map_err(|e| super::InternalError::Task(format!("encoding the allocation: {e}")))?;
        allocation.id = self.store.save_allocation(caller.user_id(), &body).await?;
        Ok(allocation)
    }

    /// A stored allocation: any for job matchers and admins, their own for a coach.
    pub async fn allocation(&self, caller: &Caller, id: Id) -> Result<Allocation> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach])?;
        let record = self
            .store
            .allocation(id)
            .await?
            .filter(|r| caller.role() != Role::Coach || r.created_by == caller.user_id())
            .ok_or(ServiceError::not_found("allocation", id))?;
        let mut allocation: Allocation = serde_json::from_str(&record.body).map_err(|e| {
            super::InternalError::Task(format!("reading stored allocation {id}: {e}"))
        })?;
        allocation.id = record.id;
        Ok(allocation)
    }

    /// Sets a new version of a priority policy; it becomes the current one.
    pub async fn set_policy(
        &self,
        caller: &Caller,
        name: &str,
        weights: BTreeMap<PriorityGroup, f64>,
    ) -> Result<Policy> {
        caller.require(&[Role::Admin])?;
        let valid_name = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid_name || name == EQUAL_POLICY {
            return Err(InputError::invalid(
                "name",
                format!(
                    "policy name {name:?} must be 1 to 64 of a-z, 0-9, - and _, and not {EQUAL_POLICY:?} (the built-in one)"
                ),
            )
            .into());
        }
        if let Some((group, w)) = weights
            .iter()
            .find(|(_, w)| !w.is_finite() || !(0.1..=10.0).contains(*w))
        {
            return Err(InputError::new(
                super::Code::InvalidField,
                "weights",
                format!("the weight of {group:?} must be between 0.1 and 10, not {w}"),
            )
            .into());
        }
        let json = serde_json::to_string(&weights)
            .map_err(|e| super::InternalError::Task(e.to_string()))?;
        let record = self.store.set_policy(name, &json, caller.user_id()).await?;
        Ok(Policy {
            name: record.name,
            version: record.version,
            weights,
        })
    }

    /// The latest version of every policy set, the current one first; the built-in equal
    /// policy when none was.
    pub async fn policies(&self, caller: &Caller) -> Result<Vec<Policy>> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Coach])?;
        let mut out = Vec::new();
        for record in self.store.policies().await? {
            out.push(policy_of(record)?);
        }
        if out.is_empty() {
            out.push(Policy::equal());
        }
        Ok(out)
    }

    async fn policy_for(&self, name: Option<&str>) -> Result<Policy> {
        match (name, self.store.policy(name).await?) {
            (_, Some(record)) => policy_of(record),
            (None, None) => Ok(Policy::equal()),
            (Some(EQUAL_POLICY), None) => Ok(Policy::equal()),
            (Some(name), None) => Err(InputError::invalid(
                "policy",
                format!("no policy is named {name:?}; GET /v1/policies lists them"),
            )
            .into()),
        }
    }

    /// The participants the caller may allocate, ascending.
    async fn selected(&self, caller: &Caller, selection: &Selection) -> Result<Vec<Id>> {
        let coach = caller.role() == Role::Coach;
        let reach = self
            .store
            .caseload(if coach { caller.user_id() } else { None })
            .await?;
        let ids = match selection {
            Selection::All if coach => {
                return Err(UserError::Forbidden {
                    role: caller.role(),
                }
                .into());
            }
            Selection::Caseload if !coach => {
                return Err(InputError::invalid(
                    "caseload",
                    "only a coach has a caseload; list the participants or ask for all",
                )
                .into());
            }
            Selection::All | Selection::Caseload => reach,
            Selection::Participants(ids) => {
                let reach: BTreeSet<Id> = reach.into_iter().collect();
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                // Another coach's participant answers as if it did not exist.
                if let Some(&missing) = ids.iter().find(|id| !reach.contains(id)) {
                    return Err(ServiceError::not_found("participant", missing));
                }
                ids
            }
        };
        if ids.is_empty() {
            return Err(InputError::new(
                super::Code::MissingField,
                "participants",
                "there is no participant to allocate",
            )
            .into());
        }
        Ok(ids)
    }

    /// Each opening's free places (its places less its started placements), and the room
    /// each employer with a monthly cap has left this month, after the proposals it has got
    /// and those waiting for it, as a group over its openings.
    async fn free_places(&self, opening_ids: &[Id]) -> Result<(HashMap<Id, u32>, Groups)> {
        let openings = self.store.openings(opening_ids).await?;
        let started: HashMap<Id, i64> = self
            .store
            .started_per_opening(Some(opening_ids))
            .await?
            .into_iter()
            .collect();
        let places = openings
            .iter()
            .map(|o| {
                let taken = started.get(&o.id).copied().unwrap_or(0);
                (o.id, o.free_places(taken))
            })
            .collect();
        let employer_of: HashMap<Id, Id> = openings.iter().map(|o| (o.id, o.employer_id)).collect();
        let mut employers: Vec<Id> = employer_of.values().copied().collect();
        employers.sort_unstable();
        employers.dedup();
        let month = super::placements::month_start(Utc::now());
        let mut group_of_employer = HashMap::new();
        let mut room = Vec::new();
        for (employer, cap) in self.store.employer_caps(&employers, month).await? {
            if let Some(c) = cap.monthly_proposals {
                group_of_employer.insert(employer, room.len() as u32);
                let left = (i64::from(c) - cap.used - cap.waiting).max(0);
                room.push(u32::try_from(left).unwrap_or(0));
            }
        }
        let of = opening_ids
            .iter()
            .map(|o| {
                employer_of
                    .get(o)
                    .and_then(|e| group_of_employer.get(e).copied())
            })
            .collect();
        Ok((places, Groups { of, room }))
    }

    fn solve(
        &self,
        lists: &Lists,
        opening_ids: &[Id],
        places: &HashMap<Id, u32>,
        groups: &Groups,
        policy: &Policy,
        request: &AllocationRequest,
    ) -> Allocation {
        let index: HashMap<Id, u32> = opening_ids
            .iter()
            .enumerate()
            .map(|(i, &o)| (o, i as u32))
            .collect();
        let capacity: Vec<u32> = opening_ids
            .iter()
            .map(|o| places.get(o).copied().unwrap_or(0))
            .collect();
        let mut edges = Vec::new();
        for (p, (_, _, list)) in lists.iter().enumerate() {
            for &(o, score) in list {
                edges.push(Edge {
                    participant: p as u32,
                    opening: index[&o],
                    score,
                });
            }
        }
        let seats = |apply: bool| -> Vec<Seat> {
            lists
                .iter()
                .map(|(_, profile, _)| Seat {
                    proposals: request.per_participant,
                    weight: if apply {
                        policy.weight(&profile.priority_groups)
                    } else {
                        1.0
                    },
                })
                .collect()
        };
        let weighted = seats(request.apply_policy);
        let chosen = allocate::allocate_grouped(&weighted, &capacity, groups, &edges);
        let plain = if request.apply_policy {
            allocate::allocate_grouped(&seats(false), &capacity, groups, &edges)
        } else {
            chosen.clone()
        };
        let pseudonym = |p: usize| self.staff_pseudonym(lists[p].0);
        let holders = |edges_chosen: &[usize]| {
            let mut by_opening: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
            for &e in edges_chosen {
                by_opening
                    .entry(edges[e].opening)
                    .or_default()
                    .push(edges[e].participant as usize);
            }
            by_opening
        };
        let held = holders(&chosen.edges);
        let mut per_participant: Vec<Vec<usize>> = vec![Vec::new(); lists.len()];
        for &e in &chosen.edges {
            per_participant[edges[e].participant as usize].push(e);
        }
        let taken_reason = |p: usize, code: &str| -> Option<Reason> {
            let &(first, _) = lists[p].2.first()?;
            let o = index[&first];
            let by: Vec<String> = held
                .get(&o)
                .map(|ps| {
                    ps.iter()
                        .filter(|&&q| q != p)
                        .map(|&q| pseudonym(q))
                        .collect()
                })
                .unwrap_or_default();
            let free = capacity[o as usize];
            let message = if by.is_empty() {
                format!("their first choice, opening {first}, has no free place")
            } else {
                format!(
                    "their first choice, opening {first}, has {free} place{}; {} went to {} with a higher score or priority",
                    if free == 1 { "" } else { "s" },
                    if free == 1 { "it" } else { "they" },
                    by.join(", ")
                )
            };
            Some(Reason {
                code: code.to_owned(),
                message,
                opening_id: Some(first),
                taken_by: by,
            })
        };

        let mut assignments = Vec::new();
        let mut unassigned = Vec::new();
        for (p, (id, _, list)) in lists.iter().enumerate() {
            let mut mine: Vec<(usize, usize)> = per_participant[p]
                .iter()
                .map(|&e| {
                    let o = opening_ids[edges[e].opening as usize];
                    let rank = list.iter().position(|(x, _)| *x == o).unwrap_or(0) + 1;
                    (rank, e)
                })
                .collect();
            mine.sort_unstable();
            let got_first = mine.first().is_some_and(|(r, _)| *r == 1);
            for (rank, e) in mine.iter().copied() {
                assignments.push(Proposal {
                    participant_id: *id,
                    pseudonym: pseudonym(p),
                    opening_id: opening_ids[edges[e].opening as usize],
                    score: edges[e].score,
                    own_rank: rank,
                    weight: weighted[p].weight,
                    reason: if got_first {
                        None
                    } else {
                        taken_reason(p, "first_choice_taken")
                    },
                });
            }
            if mine.is_empty() {
                let reason = if list.is_empty() {
                    Reason {
                        code: "no_eligible_opening".to_owned(),
                        message: "no open opening passes the hard rules for them (travel limit, licences, strict Swedish level, deadline)".to_owned(),
                        opening_id: None,
                        taken_by: Vec::new(),
                    }
                } else {
                    taken_reason(p, "all_taken").unwrap_or_else(|| Reason {
                        code: "all_taken".to_owned(),
                        message: "their openings went to others".to_owned(),
                        opening_id: None,
                        taken_by: Vec::new(),
                    })
                };
                unassigned.push(Unplaced {
                    participant_id: *id,
                    pseudonym: pseudonym(p),
                    reason,
                });
            }
        }
        let openings = held
            .iter()
            .map(|(&o, ps)| OpeningPlaces {
                opening_id: opening_ids[o as usize],
                places: capacity[o as usize],
                proposed: ps.iter().map(|&p| pseudonym(p)).collect(),
            })
            .collect();
        let figures = |a: &allocate::Assignment| group_figures(lists, &edges, a, opening_ids);
        Allocation {
            id: 0,
            created_at: Utc::now(),
            policy: policy.clone(),
            inputs: Inputs {
                outbox_head: 0,
                weight_profile: String::new(),
                weight_profile_version: 0,
                taxonomy_version: 0,
                top_n: TOP_N,
                kind: None,
                per_participant: request.per_participant,
                apply_policy: request.apply_policy,
                participants: Vec::new(),
            },
            total: chosen.total as f64 / 1e6,
            assignments,
            unassigned,
            openings,
            fairness: Fairness {
                with_policy: figures(&chosen),
                without_policy: figures(&plain),
            },
        }
    }
}

fn policy_of(record: crate::store::PolicyRecord) -> Result<Policy> {
    let weights = serde_json::from_str(&record.weights)
        .map_err(|e| super::InternalError::Task(format!("reading policy {}: {e}", record.name)))?;
    Ok(Policy {
        name: record.name,
        version: record.version,
        weights,
    })
}

/// The groups a participant is counted in.
pub(super) fn groups_of(profile: &Profile) -> Vec<String> {
    let mut out = vec!["all".to_owned()];
    if profile.priority_groups.is_empty() {
        out.push("priority:none".to_owned());
    }
    for g in &profile.priority_groups {
        out.push(format!("priority:{}", g.as_str()));
    }
    out.push(format!("swedish:{}", swedish_band(profile.swedish_level)));
    out.push(
        match profile.gender {
            Some(crate::model::Gender::Woman) => "gender:woman",
            Some(crate::model::Gender::Man) => "gender:man",
            Some(crate::model::Gender::Other) => "gender:other",
            None => "gender:unknown",
        }
        .to_owned(),
    );
    out
}

fn group_figures(
    lists: &Lists,
    edges: &[Edge],
    chosen: &allocate::Assignment,
    opening_ids: &[Id],
) -> Vec<GroupFigures> {
    #[derive(Default)]
    struct Sum {
        participants: usize,
        placed: usize,
        pairs: usize,
        score: f64,
        rank: f64,
    }
    let mut got: Vec<Vec<(f32, usize)>> = vec![Vec::new(); lists.len()];
    for &e in &chosen.edges {
        let p = edges[e].participant as usize;
        let o = opening_ids[edges[e].opening as usize];
        let rank = lists[p].2.iter().position(|(x, _)| *x == o).unwrap_or(0) + 1;
        got[p].push((edges[e].score, rank));
    }
    let mut sums: BTreeMap<String, Sum> = BTreeMap::new();
    for (p, (_, profile, _)) in lists.iter().enumerate() {
        for group in groups_of(profile) {
            let s = sums.entry(group).or_default();
            s.participants += 1;
            if !got[p].is_empty() {
                s.placed += 1;
            }
            for &(score, rank) in &got[p] {
                s.pairs += 1;
                s.score += f64::from(score);
                s.rank += rank as f64;
            }
        }
    }
    let mean = |total: f64, n: usize| (n > 0).then(|| (total / n as f64 * 1000.0).round() / 1000.0);
    sums.into_iter()
        .map(|(group, s)| GroupFigures {
            group,
            participants: s.participants,
            placed: s.placed,
            share_placed: (s.placed as f64 / s.participants.max(1) as f64 * 1000.0).round()
                / 1000.0,
            mean_score: mean(s.score, s.pairs),
            mean_own_rank: mean(s.rank, s.pairs),
        })
        .collect()
}
