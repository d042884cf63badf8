//! `jobmatch eval`: the project's own measure of its suggestions. It builds a labelled set from
//! the shipped reference data ([`corpus`]), ranks every participant's openings with the real
//! ranking core, text index and taxonomy, and reports NDCG@10, MRR, recall@20, the share of
//! top-10 slots with relevance 0 and the worst decile ([`metrics`]), per weight profile and for
//! a plain BM25 search box over the same openings, on a tuning part and on a part never tuned on.
//!
//! Tuning is coordinate ascent on the weights, on the tuning part only: each weight in turn is
//! scaled by the factor that most raises mean NDCG@10 there, until a round changes nothing.
//! Category scores do not depend on the weights, so they are computed once per pair and only
//! the weighted means are recomputed while tuning.

pub mod corpus;
pub mod metrics;

#[cfg(test)]
mod tests;

use rayon::prelude::*;
use serde::Serialize;

use crate::index::OpeningIndex;
use crate::model::Opening;
use crate::projection::features::{self, Keys};
use crate::rank::{
    Category, CategoryScores, Context, OpeningFeatures, ParticipantFeatures, WeightProfile,
    evaluate, score::rank_order,
};
use crate::service::TEXT_HIT_LIMIT;
use crate::service::matching::profile_words;
use crate::taxonomy::Taxonomy;
pub use corpus::{EvalCorpus, EvalParticipant};
pub use metrics::{Figures, ListQuality};

/// What to evaluate.
#[derive(Clone, Debug)]
pub struct EvalOptions {
    pub seed: u64,
    pub openings: usize,
    pub participants: usize,
    /// Share of participants in the tuning part.
    pub tuning_share: f64,
    /// Profiles to report besides the built-in one.
    pub profiles: Vec<WeightProfile>,
    /// Tune a profile on the tuning part, starting from the built-in one.
    pub tune: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            seed: 20261201,
            openings: 4000,
            participants: 120,
            tuning_share: 0.6,
            profiles: Vec::new(),
            tune: false,
        }
    }
}

/// One ranker's figures on both parts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankerReport {
    pub name: String,
    pub version: Option<u32>,
    pub tuning: Figures,
    pub held_out: Figures,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub seed: u64,
    pub openings: usize,
    pub participants: usize,
    /// The BM25 baseline, the built-in profile, the tuned one when asked for, the built-in
    /// one without relations or specificity, then any given.
    pub rankers: Vec<RankerReport>,
    /// The tuned profile, when asked for.
    pub tuned: Option<WeightProfile>,
}

/// Every participant's pairs, scored once: categories, exclusion and relevance per opening.
struct Scored {
    categories: Vec<CategoryScores>,
    excluded: Vec<bool>,
    grades: Vec<u8>,
}

/// The set with its features, text relevance and grades, ready to rank.
struct Prepared<'a> {
    corpus: &'a EvalCorpus,
    keys: Keys,
    openings: Vec<OpeningFeatures>,
    participants: Vec<ParticipantFeatures>,
    /// Per participant: text relevance per opening (scaled to [0, 1]), or `None` when no
    /// opening holds one of their words; and the BM25 order of the hits.
    text: Vec<Option<Vec<f32>>>,
    bm25: Vec<Vec<usize>>,
    /// Grades by the relevance rule, whose hard rules are the built-in profile's, and how many
    /// openings those rules leave to each participant.
    grades: Vec<Vec<u8>>,
    eligible: Vec<usize>,
}

fn ctx<'a>(profile: &'a WeightProfile, keys: &'a Keys) -> Context<'a> {
    Context {
        profile,
        skill_weights: &keys.weights,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
    }
}

fn prepare<'a>(corpus: &'a EvalCorpus, taxonomy: &Taxonomy) -> anyhow::Result<Prepared<'a>> {
    let mut keys = Keys::default();
    let openings: Vec<OpeningFeatures> = corpus
        .openings
        .iter()
        .map(|o| features::opening_features(o, &mut keys, taxonomy))
        .collect();
    let participants: Vec<ParticipantFeatures> = corpus
        .participants
        .iter()
        .map(|p| features::participant_features_lookup(p.id, &p.profile, &keys, taxonomy))
        .collect();
    let dir = tempfile::tempdir()?;
    let index = OpeningIndex::open_or_create(dir.path())?;
    index.rebuild(corpus.openings.iter().map(features::indexed_opening), 1)?;
    let position = |id: i64| (id - 1) as usize;
    let mut text = Vec::with_capacity(participants.len());
    let mut bm25 = Vec::with_capacity(participants.len());
    for p in &corpus.participants {
        let words = profile_words(&p.profile);
        let hits = index.relevance(&words, TEXT_HIT_LIMIT)?;
        let best = hits.first().map_or(0.0, |h| h.1);
        text.push((best > 0.0).then(|| {
            let mut dense = vec![0.0f32; openings.len()];
            // Rounded to 1e-4 like the search box's scores below, for the same reason.
            for &(id, score) in &hits {
                dense[position(id)] = ((score / best).clamp(0.0, 1.0) * 1e4).round() / 1e4;
            }
            dense
        }));
        // The search box ranks every opening by BM25 alone. Scores are rounded to 1e-4 of the
        // best and equal ones go in id order: the index's segments sum scores in an order of
        // their own, and the list must not depend on it.
        let mut all = index.relevance(&words, openings.len())?;
        let top = all.first().map_or(1.0, |h| h.1).max(f32::MIN_POSITIVE);
        for h in &mut all {
            h.1 = (h.1 / top * 1e4).round();
        }
        all.sort_by(|a, b| rank_order((a.1, a.0), (b.1, b.0)));
        bm25.push(all.iter().map(|h| position(h.0)).collect());
    }
    let truth = WeightProfile::default();
    let judged: Vec<(Vec<u8>, usize)> = participants
        .par_iter()
        .zip(&corpus.participants)
        .map(|(pf, p)| {
            openings
                .iter()
                .zip(&corpus.openings)
                .map(|(of, o): (&OpeningFeatures, &Opening)| {
                    let pair = crate::rank::Pair::new(pf, of, None);
                    let excluded = evaluate(pair, ctx(&truth, &keys)).excluded;
                    (corpus.relevance(p, o, excluded), excluded)
                })
                .fold((Vec::new(), 0), |(mut grades, eligible), (g, excluded)| {
                    grades.push(g);
                    (grades, eligible + usize::from(!excluded))
                })
        })
        .collect();
    let (grades, eligible) = judged.into_iter().unzip();
    Ok(Prepared {
        corpus,
        keys,
        openings,
        participants,
        text,
        bm25,
        grades,
        eligible,
    })
}

impl Prepared<'_> {
    /// Every pair scored under a profile's curves (weights do not enter).
    fn score(&self, profile: &WeightProfile) -> Vec<Scored> {
        (0..self.participants.len())
            .into_par_iter()
            .map(|i| {
                let pf = &self.participants[i];
                let text = self.text[i].as_deref();
                let (mut categories, mut excluded) = (Vec::new(), Vec::new());
                for (j, of) in self.openings.iter().enumerate() {
                    let pair = crate::rank::Pair::new(pf, of, text.map(|t| t[j]));
                    let e = evaluate(pair, ctx(profile, &self.keys));
                    categories.push(e.categories);
                    excluded.push(e.excluded);
                }
                Scored {
                    categories,
                    excluded,
                    grades: self.grades[i].clone(),
                }
            })
            .collect()
    }

    fn part(&self, tuning: bool) -> Vec<usize> {
        (0..self.participants.len())
            .filter(|&i| self.corpus.participants[i].tuning == tuning)
            .collect()
    }

    fn bm25_figures(&self, part: &[usize]) -> Figures {
        let lists: Vec<ListQuality> = part
            .iter()
            .map(|&i| {
                let list: Vec<u8> = self.bm25[i]
                    .iter()
                    .take(20)
                    .map(|&j| self.grades[i][j])
                    .collect();
                let eligible = self.eligible[i];
                metrics::quality(&list, &self.grades[i], eligible)
            })
            .collect();
        Figures::of(&lists)
    }
}

/// The top 20 of one participant under `profile`'s weights: kept pairs by falling total,
/// ties to the lower id, as the product ranks them.
fn top(scored: &Scored, profile: &WeightProfile) -> Vec<u8> {
    let mut kept: Vec<(f32, i64, usize)> = scored
        .categories
        .iter()
        .enumerate()
        .filter(|(j, _)| !scored.excluded[*j])
        .map(|(j, c)| (c.total(profile), j as i64 + 1, j))
        .collect();
    let k = 20.min(kept.len());
    if k == 0 {
        return Vec::new();
    }
    let order = |a: &(f32, i64, usize), b: &(f32, i64, usize)| rank_order((a.0, a.1), (b.0, b.1));
    kept.select_nth_unstable_by(k - 1, order);
    kept.truncate(k);
    kept.sort_by(order);
    kept.iter().map(|&(_, _, j)| scored.grades[j]).collect()
}

fn figures(scored: &[Scored], part: &[usize], profile: &WeightProfile) -> Figures {
    let lists: Vec<ListQuality> = part
        .par_iter()
        .map(|&i| {
            let eligible = scored[i].excluded.iter().filter(|x| !**x).count();
            metrics::quality(&top(&scored[i], profile), &scored[i].grades, eligible)
        })
        .collect();
    Figures::of(&lists)
}

/// Coordinate ascent on the weights over `part`, from `start`.
fn tune(scored: &[Scored], part: &[usize], start: &WeightProfile) -> WeightProfile {
    const FACTORS: [f32; 7] = [0.0, 0.5, 0.75, 1.25, 1.5, 2.0, 3.0];
    let mut best = start.clone();
    let mut best_ndcg = figures(scored, part, &best).ndcg10;
    for _round in 0..6 {
        let mut improved = false;
        for c in Category::ALL {
            for f in FACTORS {
                let mut candidate = best.clone();
                let w = candidate.weights[c];
                candidate.weights[c] = if w == 0.0 { 0.05 * f } else { w * f };
                if candidate.validate().is_err() {
                    continue;
                }
                let ndcg = figures(scored, part, &candidate).ndcg10;
                // A real gain only, so rounding noise cannot walk the weights.
                if ndcg > best_ndcg + 1e-6 {
                    best = candidate;
                    best_ndcg = ndcg;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    let sum: f32 = best.weights.iter().map(|(_, w)| w).sum();
    for c in Category::ALL {
        best.weights[c] = (best.weights[c] / sum * 1000.0).round() / 1000.0;
    }
    best.name = format!("{}-tuned", start.name);
    best.version = start.version + 1;
    best
}

/// The profile of this version without related skills and occupations or specificity, so the
/// report shows what they add.
pub fn without_relations(base: &WeightProfile) -> WeightProfile {
    let mut p = base.clone();
    p.curves.related_skill_credit = 0.0;
    p.curves.occupation_by_skills = 0.0;
    // Any match is full evidence: coverage is the share alone.
    p.curves.skill_evidence_full = f32::MIN_POSITIVE;
    p.name = format!("{}-without-relations", base.name);
    p
}

/// Runs the evaluation.
pub fn run(taxonomy: &Taxonomy, options: &EvalOptions) -> anyhow::Result<EvalReport> {
    let corpus = EvalCorpus::generate(
        taxonomy,
        options.seed,
        options.openings,
        options.participants,
        options.tuning_share,
    );
    let prepared = prepare(&corpus, taxonomy)?;
    let (tuning, held_out) = (prepared.part(true), prepared.part(false));
    let mut rankers = vec![RankerReport {
        name: "bm25".to_owned(),
        version: None,
        tuning: prepared.bm25_figures(&tuning),
        held_out: prepared.bm25_figures(&held_out),
    }];
    let builtin = WeightProfile::default();
    let mut profiles = vec![builtin.clone(), without_relations(&builtin)];
    profiles.extend(options.profiles.iter().cloned());
    let report = |profile: &WeightProfile, scored: &[Scored]| RankerReport {
        name: profile.name.clone(),
        version: Some(profile.version),
        tuning: figures(scored, &tuning, profile),
        held_out: figures(scored, &held_out, profile),
    };
    let mut tuned = None;
    for (n, profile) in profiles.iter().enumerate() {
        let scored = prepared.score(profile);
        rankers.push(report(profile, &scored));
        if n == 0 && options.tune {
            // Tuning changes weights only: the built-in profile's scores serve the tuned one.
            let t = tune(&scored, &tuning, profile);
            rankers.push(report(&t, &scored));
            tuned = Some(t);
        }
    }
    Ok(EvalReport {
        seed: options.seed,
        openings: corpus.openings.len(),
        participants: corpus.participants.len(),
        rankers,
        tuned,
    })
}

impl EvalReport {
    /// The report as a plain-text table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} openings, {} participants, seed {}\n{:<34} {:<12} {:>7} {:>6} {:>9} {:>8} {:>8} {:>8}\n",
            self.openings,
            self.participants,
            self.seed,
            "ranker",
            "part",
            "NDCG@10",
            "MRR",
            "recall@20",
            "zero@10",
            "ideal",
            "worst10%"
        );
        for r in &self.rankers {
            let name = match r.version {
                Some(v) => format!("{} v{v}", r.name),
                None => r.name.clone(),
            };
            for (part, f) in [("tuning", &r.tuning), ("held-out", &r.held_out)] {
                out += &format!(
                    "{:<34} {:<12} {:>7.3} {:>6.3} {:>9.3} {:>7.1}% {:>7.1}% {:>8.3}\n",
                    name,
                    format!("{part} {}", f.participants),
                    f.ndcg10,
                    f.mrr,
                    f.recall20,
                    f.zero_relevance_share10 * 100.0,
                    f.ideal_zero_share10 * 100.0,
                    f.worst_decile_ndcg10
                );
            }
        }
        out
    }
}
