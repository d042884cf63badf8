//! The evaluation's labelled set, built from the shipped reference data with a fixed seed:
//! openings shaped like 2024's Platsbanken ads in Stockholm and Västra Götaland, participants
//! from the target group who write their skills as people do, and a relevance grade for every
//! pair from a documented rule that does not use the ranking.
//!
//! **Openings.** A group and municipality are drawn in proportion to their 2024 ad count
//! (`fixtures/eval/ads_2024.csv`); the workplace lies within a few km of the municipality's
//! main town. Must-have skills are 1–4 of the group's most-asked-for skills
//! (`occupation_skills.csv`, the most asked for likelier), merit skills 0–2 more, and one ad in
//! six states no skills at all, as many real ads do. Some set a Swedish minimum (a fifth of those
//! strictly); drivers need licence B, truck drivers the truck certificate.
//!
//! **Participants.** A group of the target group's (the demo's twenty) drawn by its ad count,
//! a home in a municipality where that group has ads, a third with a second group, 2–6 of the
//! group's skills written as labels, in lower case, or with one typo (a swapped or dropped
//! letter), and read back through the taxonomy as the API would. Half state a travel limit.
//!
//! **Relevance** of an opening to a participant, 0–4, from the participant's true groups and
//! skills (not the typed ones):
//! - 0 when a hard rule fails (deadline, strict Swedish, a missing licence, beyond the travel
//!   limit or, with none stated, beyond 50 km): a coach would not suggest it;
//! - otherwise the closeness of the groups: 3 the same group, 2 the same three-digit group or
//!   groups that ask for much the same (at least half of their 15 most-asked-for skills in
//!   common), 1 the same two-digit group, else 0;
//! - for a related opening (1 or more so far): one more when the participant truly holds at
//!   least half of its must-have skills (an opening that lists none earns nothing here), one
//!   less when the workplace is more than 25 km from home, one less when the participant is two
//!   or more CEFR steps below a soft Swedish minimum;
//! - at least 1 when the participant truly holds half the opening's must-have skills, whatever
//!   the group.

use std::collections::HashMap;

use rand::distr::weighted::WeightedIndex;
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;

use crate::model::{
    ConceptId, EmploymentForm, Experience, GeoPoint, Hours, Id, Opening, OpeningKind,
    OpeningStatus, Place, Profile, SsykCode, SwedishLevel, Term,
};
use crate::taxonomy::Taxonomy;

/// 2024 ad counts per group and municipality, derived from the reference data.
const ADS: &str = include_str!("../../fixtures/eval/ads_2024.csv");

/// The groups participants come from: the demo's target group.
const TARGET: [u16; 20] = [
    9111, 5330, 5321, 5343, 4322, 8344, 9412, 5120, 9411, 5223, 5230, 9310, 7131, 8332, 8331, 5311,
    5312, 5152, 9320, 8219,
];

/// A participant of the labelled set: the profile as typed, and the truth it was drawn from.
#[derive(Clone, Debug)]
pub struct EvalParticipant {
    pub id: Id,
    pub profile: Profile,
    pub groups: Vec<SsykCode>,
    pub skills: Vec<ConceptId>,
    /// In the tuning part; the others are never tuned on.
    pub tuning: bool,
}

/// The labelled set.
#[derive(Clone, Debug)]
pub struct EvalCorpus {
    pub openings: Vec<Opening>,
    pub participants: Vec<EvalParticipant>,
    /// Groups that ask for much the same skills, both ways.
    alike: HashMap<SsykCode, Vec<SsykCode>>,
}

struct AdCount {
    code: SsykCode,
    municipality: String,
    ads: u32,
}

fn ad_counts() -> Vec<AdCount> {
    ADS.lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            let code = f.next()?.parse().ok()?;
            let municipality = f.next()?.to_owned();
            let ads = f.next()?.parse().ok()?;
            Some(AdCount {
                code,
                municipality,
                ads,
            })
        })
        .collect()
}

/// One typo as people make them: two neighbouring letters swapped, or one dropped.
fn typo(rng: &mut ChaCha8Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 {
        return word.to_owned();
    }
    let i = rng.random_range(1..chars.len() - 2);
    let mut out = chars.clone();
    if rng.random_bool(0.5) {
        out.swap(i, i + 1);
    } else {
        out.remove(i);
    }
    out.into_iter().collect()
}

fn concept(taxonomy: &Taxonomy, id: &ConceptId) -> Term {
    Term::Concept {
        id: id.clone(),
        label: taxonomy.skill_label(id).unwrap_or(id.as_str()).to_owned(),
        input: None,
    }
}

/// Up to `n` of `pool`, the front likelier, without repeats.
fn pick<T: Clone + PartialEq>(rng: &mut ChaCha8Rng, pool: &[T], n: usize) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    let mut tries = 0;
    while out.len() < n.min(pool.len()) && tries < 50 {
        tries += 1;
        // The square favours the front: the skills a group asks for most.
        let x: f64 = rng.random();
        let i = ((x * x) * pool.len() as f64) as usize;
        let item = pool[i.min(pool.len() - 1)].clone();
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn near(rng: &mut ChaCha8Rng, p: GeoPoint) -> GeoPoint {
    GeoPoint {
        lat: p.lat + rng.random_range(-0.04..0.04),
        lon: p.lon + rng.random_range(-0.07..0.07),
    }
}

fn level(rng: &mut ChaCha8Rng, weights: [u32; 6]) -> SwedishLevel {
    let i = WeightedIndex::new(weights)
        .expect("positive weights")
        .sample(rng);
    SwedishLevel::ALL[i]
}

impl EvalCorpus {
    /// The labelled set for `seed`: `openings` openings and `participants` participants, of whom
    /// a share `tuning_share` (by a draw, not by position) form the tuning part.
    pub fn generate(
        taxonomy: &Taxonomy,
        seed: u64,
        openings: usize,
        participants: usize,
        tuning_share: f64,
    ) -> EvalCorpus {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let counts: Vec<AdCount> = ad_counts()
            .into_iter()
            .filter(|a| {
                taxonomy.occupation_by_code(a.code).is_some()
                    && taxonomy.municipality_of(Some(&a.municipality)).is_some()
            })
            .collect();
        let all = WeightedIndex::new(counts.iter().map(|a| a.ads)).expect("ads to draw from");
        let truck = taxonomy.licence("TRUCK").ok().map(|l| l.concept_id.clone());
        let b = taxonomy.licence("B").ok().map(|l| l.concept_id.clone());
        let licence_term = |id: &ConceptId| Term::Concept {
            id: id.clone(),
            label: taxonomy
                .licence(id.as_str())
                .map_or(id.0.clone(), |l| l.label.clone()),
            input: None,
        };

        let mut out = Vec::with_capacity(openings);
        for id in 1..=openings as Id {
            let ad = &counts[all.sample(&mut rng)];
            let occupation = taxonomy
                .occupation_by_code(ad.code)
                .expect("filtered above");
            let town = taxonomy
                .municipality_of(Some(&ad.municipality))
                .expect("filtered above");
            let asked = taxonomy.occupation_skills(ad.code);
            let states_skills = !asked.is_empty() && rng.random_bool(5.0 / 6.0);
            let (must, merit) = if states_skills {
                let n = rng.random_range(1..=4) + 2;
                let chosen = pick(&mut rng, asked, n);
                let n_must = rng.random_range(1..=chosen.len().min(4));
                let merit_n = rng.random_range(0..=2).min(chosen.len() - n_must);
                (
                    chosen[..n_must].to_vec(),
                    chosen[n_must..n_must + merit_n].to_vec(),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let swedish_min = rng
                .random_bool(0.6)
                .then(|| level(&mut rng, [1, 4, 5, 3, 0, 0]).max(SwedishLevel::A2));
            let mut licences = Vec::new();
            let code = ad.code.to_string();
            if code.starts_with("83") && code != "8344" && rng.random_bool(0.8) {
                licences.extend(b.as_ref().map(licence_term));
            }
            if (code == "8344" || code == "4322") && rng.random_bool(0.4) {
                licences.extend(truck.as_ref().map(licence_term));
            }
            let description = format!(
                "Vi söker {} till vår arbetsplats i {}. {}",
                occupation.label.to_lowercase(),
                town.name,
                must.iter()
                    .chain(&merit)
                    .filter_map(|s| taxonomy.skill_label(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out.push(Opening {
                id,
                employer_id: 1,
                kind: if rng.random_bool(0.2) {
                    OpeningKind::Internship
                } else {
                    OpeningKind::Vacancy
                },
                title: format!("{} i {}", occupation.label, town.name),
                description,
                occupation: Some(occupation),
                skills_required: must.iter().map(|s| concept(taxonomy, s)).collect(),
                skills_merit: merit.iter().map(|s| concept(taxonomy, s)).collect(),
                swedish_required: swedish_min.is_some() && rng.random_bool(0.2),
                swedish_min,
                licences,
                workplace: Place {
                    municipality_code: Some(town.code.clone()),
                    point: Some(near(&mut rng, town.point)),
                },
                places: 1,
                start_date: None,
                deadline: None,
                hours: if rng.random_bool(0.8) {
                    Hours::Full
                } else {
                    Hours::Part
                },
                employment_form: EmploymentForm::Ordinary,
                supervisor: false,
                status: OpeningStatus::Open,
                source: None,
            });
        }

        let target: Vec<&AdCount> = counts
            .iter()
            .filter(|a| TARGET.contains(&a.code.value()))
            .collect();
        let targets = WeightedIndex::new(target.iter().map(|a| a.ads)).expect("target ads");
        let mut people = Vec::with_capacity(participants);
        for id in 1..=participants as Id {
            let home = target[targets.sample(&mut rng)];
            let mut groups = vec![home.code];
            if rng.random_bool(1.0 / 3.0) {
                let other = target[targets.sample(&mut rng)].code;
                if other != home.code {
                    groups.push(other);
                }
            }
            let mut skills: Vec<ConceptId> = Vec::new();
            for (i, g) in groups.iter().enumerate() {
                let n = if i == 0 { rng.random_range(2..=6) } else { 2 };
                for s in pick(&mut rng, taxonomy.occupation_skills(*g), n) {
                    if !skills.contains(&s) {
                        skills.push(s);
                    }
                }
            }
            let typed: Vec<Term> = skills
                .iter()
                .filter_map(|s| taxonomy.skill_label(s))
                .map(|label| {
                    let written = match rng.random_range(0..10) {
                        0..=4 => label.to_owned(),
                        5..=7 => label.to_lowercase(),
                        _ => typo(&mut rng, &label.to_lowercase()),
                    };
                    taxonomy.skill(&written)
                })
                .collect();
            let town = taxonomy
                .municipality_of(Some(&home.municipality))
                .expect("filtered above");
            let licences = if rng.random_bool(0.4) {
                b.iter().map(licence_term).collect()
            } else {
                Vec::new()
            };
            let profile = Profile {
                skills: typed,
                occupations: groups
                    .iter()
                    .filter_map(|&g| taxonomy.occupation_by_code(g))
                    .map(|occupation| Experience {
                        occupation,
                        years: f32::from(rng.random_range(0u8..=5)),
                    })
                    .collect(),
                swedish_level: Some(level(&mut rng, [2, 3, 4, 3, 1, 0])),
                languages: Vec::new(),
                home: Place {
                    municipality_code: Some(town.code.clone()),
                    point: Some(near(&mut rng, town.point)),
                },
                max_travel_km: rng
                    .random_bool(0.5)
                    .then(|| f64::from(rng.random_range(10u8..=60))),
                licences,
                available_from: None,
                hours: Hours::Any,
                priority_groups: Vec::new(),
                gender: None,
            };
            people.push(EvalParticipant {
                id,
                profile,
                groups,
                skills,
                tuning: rng.random_bool(tuning_share),
            });
        }
        EvalCorpus {
            openings: out,
            participants: people,
            alike: alike_groups(taxonomy),
        }
    }

    /// The relevance grade of an opening to a participant, 0–4, by the rule in the module's
    /// documentation. `excluded`: whether a hard rule leaves the pair out.
    pub fn relevance(&self, p: &EvalParticipant, o: &Opening, excluded: bool) -> u8 {
        if excluded {
            return 0;
        }
        let Some(group) = o.occupation.as_ref().map(|x| x.code) else {
            return 0;
        };
        let alike = self.alike.get(&group);
        let mut grade: u8 = p
            .groups
            .iter()
            .map(|&g| match g.shared_digits(group) {
                4 => 3,
                3 => 2,
                _ if alike.is_some_and(|a| a.contains(&g)) => 2,
                2 => 1,
                _ => 0,
            })
            .max()
            .unwrap_or(0);
        let must: Vec<&ConceptId> = o
            .skills_required
            .iter()
            .filter_map(Term::concept_id)
            .collect();
        let held = must.iter().filter(|s| p.skills.contains(s)).count();
        let skilled = !must.is_empty() && held * 2 >= must.len();
        if grade >= 1 {
            if skilled {
                grade += 1;
            }
            let far = match (p.profile.home.point, o.workplace.point) {
                (Some(a), Some(b)) => a.distance_km(b) > 25.0,
                _ => false,
            };
            if far {
                grade -= 1;
            }
            if let (Some(min), false) = (o.swedish_min, o.swedish_required) {
                let have = p.profile.swedish_level.map_or(0, SwedishLevel::step);
                if min.step().saturating_sub(have) >= 2 {
                    grade = grade.saturating_sub(1);
                }
            }
        }
        if skilled {
            grade = grade.max(1);
        }
        grade
    }
}

/// Groups sharing at least half of their 15 most-asked-for skills.
fn alike_groups(taxonomy: &Taxonomy) -> HashMap<SsykCode, Vec<SsykCode>> {
    let groups: Vec<(SsykCode, &[ConceptId])> = taxonomy
        .occupations()
        .iter()
        .map(|o| (o.code, taxonomy.occupation_skills(o.code)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    let mut alike: HashMap<SsykCode, Vec<SsykCode>> = HashMap::new();
    for (i, (a, sa)) in groups.iter().enumerate() {
        for (b, sb) in &groups[i + 1..] {
            let shared = sa.iter().filter(|s| sb.contains(s)).count();
            if shared * 2 >= sa.len().min(sb.len()) {
                alike.entry(*a).or_default().push(*b);
                alike.entry(*b).or_default().push(*a);
            }
        }
    }
    alike
}
