//! Matching: openings ranked for a stored participant (a coach's suggestions) or for a profile
//! that is not stored (`/v1/match`), and participants ranked for an opening (a job matcher's
//! candidates). The index gives text relevance, the projection ranks every open opening on
//! rayon's threads, and every result comes back explained in labels a coach can read.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use rayon::prelude::*;

use super::error::{InternalError, Result, UserError};
use super::{Caller, Engine};
use crate::model::{
    Id, Opening, OpeningKind, OpeningStatus, Profile, Role, SsykCode, SwedishLevel,
};
use crate::projection::features::{self, Keys, TermLabel};
use crate::rank::{
    CategoryScores, Context, Evidence, Exclusion, ProfileStamp, RankOptions, Ranking, Scored,
};
use crate::taxonomy::Taxonomy;

/// Rankings per rayon thread let into rayon at once (see `Engine::on_ranking_threads`): one
/// kept the order best, but left a core idle at each hand-over (100k openings, 4 clients:
/// 1,237 -> 1,082 matches/s); two keep the throughput within 4 %.
pub(super) const RANKINGS_PER_THREAD: usize = 2;

/// What a ranking is asked for: which openings, how many results, and whether to report the
/// pairs a hard rule left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankQuery {
    /// Only vacancies or only internships; ignored when ranking candidates.
    pub kind: Option<OpeningKind>,
    pub limit: usize,
    pub include_excluded: bool,
}

impl RankQuery {
    fn options(&self) -> RankOptions {
        RankOptions {
            k: self.limit,
            include_excluded: self.include_excluded,
        }
    }
}

/// A ranked list, best first, with the excluded pairs when asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked<T> {
    pub considered: usize,
    pub excluded_count: usize,
    pub results: Vec<Explained<T>>,
    pub excluded: Vec<Explained<T>>,
}

/// One ranked opening or candidate with its score, category scores and labelled evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained<T> {
    pub item: T,
    pub score: f32,
    pub categories: CategoryScores,
    pub evidence: Explanation,
    pub profile: ProfileStamp,
}

/// A candidate as a job matcher or employer sees it: pseudonymised, no identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub participant_id: Id,
    pub pseudonym: String,
}

/// The evidence behind a score, with the core's keys turned back into labelled terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub skills_found: Vec<TermLabel>,
    /// Skills wanted and not held, with the related skill held that earned part credit.
    pub skills_related: Vec<RelatedSkill>,
    pub must_skills_missing: Vec<TermLabel>,
    pub merit_skills_missing: Vec<TermLabel>,
    pub must_skills_total: usize,
    /// The participant's occupation closest to the opening's, its label and the digits shared.
    pub occupation_match: Option<(SsykCode, Option<String>, u8)>,
    /// When the occupation scored through a group related by skills: the participant's group,
    /// its label and the similarity.
    pub occupation_related: Option<(SsykCode, Option<String>, f32)>,
    pub experience_years: Option<f32>,
    pub swedish_gap_steps: Option<u8>,
    pub swedish_required: Option<SwedishLevel>,
    pub swedish_level: Option<SwedishLevel>,
    pub distance_km: Option<f64>,
    pub licences_missing: Vec<TermLabel>,
    pub start_delay_days: Option<i64>,
    pub hours_mismatch: bool,
    pub excluded: Option<Exclusion>,
}

/// A wanted skill the participant lacks, and the related skill they hold instead.
#[derive(Clone, Debug, PartialEq)]
pub struct RelatedSkill {
    pub wanted: TermLabel,
    pub held: TermLabel,
    pub similarity: f32,
}

impl Explanation {
    fn new(e: &Evidence, keys: &Keys, taxonomy: &Taxonomy) -> Self {
        let describe =
            |ks: &[crate::rank::Key]| ks.iter().map(|&k| keys.describe(k, taxonomy)).collect();
        Explanation {
            skills_found: describe(&e.skills_found),
            skills_related: e
                .skills_related
                .iter()
                .map(|r| RelatedSkill {
                    wanted: keys.describe(r.to, taxonomy),
                    held: keys.describe(r.via, taxonomy),
                    similarity: r.similarity,
                })
                .collect(),
            occupation_related: e.occupation_related.map(|r| {
                (
                    r.via,
                    taxonomy.occupation_by_code(r.via).map(|o| o.label),
                    r.similarity,
                )
            }),
            must_skills_missing: describe(&e.must_skills_missing),
            merit_skills_missing: describe(&e.merit_skills_missing),
            must_skills_total: e.must_skills_total,
            occupation_match: e.occupation_match.map(|(code, digits)| {
                (
                    code,
                    taxonomy.occupation_by_code(code).map(|o| o.label),
                    digits,
                )
            }),
            experience_years: e.experience_years,
            swedish_gap_steps: e.swedish_gap_steps,
            swedish_required: e.swedish_required,
            swedish_level: e.swedish_level,
            distance_km: e.distance_km,
            licences_missing: e
                .licences_missing
                .iter()
                .map(|&k| keys.describe_licence(k, taxonomy))
                .collect(),
            start_delay_days: e.start_delay_days,
            hours_mismatch: e.hours_mismatch,
            excluded: e.excluded.clone(),
        }
    }
}

impl<T> Explained<T> {
    fn new(item: T, s: &Scored, keys: &Keys, taxonomy: &Taxonomy) -> Self {
        Explained {
            item,
            score: s.score,
            categories: s.categories,
            evidence: Explanation::new(&s.evidence, keys, taxonomy),
            profile: s.profile.clone(),
        }
    }
}

impl<T> Ranked<T> {
    /// Explains a ranking, pairing each result with its item; results whose item is gone are
    /// skipped.
    fn explain(
        ranking: &Ranking,
        mut item: impl FnMut(&Scored) -> Option<T>,
        keys: &Keys,
        taxonomy: &Taxonomy,
    ) -> Self {
        let mut view = |list: &[Scored]| {
            list.iter()
                .filter_map(|s| item(s).map(|it| Explained::new(it, s, keys, taxonomy)))
                .collect()
        };
        Ranked {
            considered: ranking.considered,
            excluded_count: ranking.excluded_count,
            results: view(&ranking.results),
            excluded: view(&ranking.excluded),
        }
    }
}

/// The words a profile's text relevance is searched with: skills as written and occupations by
/// name. Concepts are the skill and occupation categories' to score, so they do not count twice.
pub fn profile_words(profile: &Profile) -> Vec<String> {
    profile
        .skills
        .iter()
        .map(|t| t.text().to_owned())
        .chain(
            profile
                .occupations
                .iter()
                .map(|e| e.occupation.label.clone()),
        )
        .collect()
}

impl Engine {
    /// Ranked openings for a stored participant (a coach's suggestions); the read is logged.
    pub async fn suggestions(
        self: &Arc<Self>,
        caller: &Caller,
        participant_id: Id,
        query: RankQuery,
    ) -> Result<Ranked<Opening>> {
        let profile = self
            .kept_profile(caller, participant_id, "participant.suggestions")
            .await?;
        self.suggest(participant_id, profile, query).await
    }

    /// Ranked openings for a profile that is not stored (`POST /v1/match`).
    pub async fn match_profile(
        self: &Arc<Self>,
        caller: &Caller,
        profile: Profile,
        query: RankQuery,
    ) -> Result<Ranked<Opening>> {
        caller.require(&[Role::Admin, Role::Coach, Role::Matcher])?;
        self.suggest(0, profile, query).await
    }

    /// Each profile's ranked openings, the profiles side by side on rayon's threads: what an
    /// allocation ranks before it places anyone, and a caseload's suggestions at once. Ids and
    /// scores only: nothing is presented, read from the store or logged here (the caller has
    /// read the profiles and logged it).
    pub async fn rank_profiles(
        self: &Arc<Self>,
        caller: &Caller,
        profiles: Vec<(Id, Profile)>,
        query: RankQuery,
    ) -> Result<Vec<(Id, Profile, Ranking)>> {
        caller.require(&[Role::Admin, Role::Coach, Role::Matcher])?;
        let engine = Arc::clone(self);
        let today = Utc::now().date_naive();
        self.on_ranking_threads(move || {
            profiles
                .into_par_iter()
                .map(|(id, profile)| {
                    let ranking = engine.rank_for_profile(id, &profile, query, today)?;
                    Ok((id, profile, ranking))
                })
                .collect()
        })
        .await?
    }

    async fn suggest(
        self: &Arc<Self>,
        participant_id: Id,
        profile: Profile,
        query: RankQuery,
    ) -> Result<Ranked<Opening>> {
        let engine = Arc::clone(self);
        let today = Utc::now().date_naive();
        let ranking = self
            .on_ranking_threads(move || {
                engine.rank_for_profile(participant_id, &profile, query, today)
            })
            .await??;
        self.present_openings(ranking).await
    }

    /// Runs CPU-heavy ranking off the async workers, inside the request's span, on rayon's
    /// threads (one per core): the ranking's own parallel steps then start in a worker
    /// instead of being handed over from another thread, and rankings queue for the cores
    /// instead of a blocking thread per request competing with the workers for them.
    ///
    /// Only [`RANKINGS_PER_THREAD`] rankings per thread are in rayon at once; the rest wait
    /// their turn first come, first served. A worker waiting on a step of its ranking (a
    /// `join`) runs any job it finds meanwhile, a newer ranking included, and finishes the
    /// older only after it: with every ranking queued in rayon, the first to come were served
    /// last under load (1M openings, 16 clients: p99 7.1 s at 44 ms p50; 169 ms with turns).
    pub(super) async fn on_ranking_threads<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R> {
        // Held by the job, so a caller that gives up does not free its turn early.
        let turn = Arc::clone(&self.ranking_turns)
            .acquire_owned()
            .await
            .map_err(|_| InternalError::Task("the ranking turns are closed".to_owned()))?;
        let span = tracing::Span::current();
        let (done, answer) = tokio::sync::oneshot::channel();
        rayon::spawn(move || {
            // A panic stays this request's error instead of taking the pool down.
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| span.in_scope(f)));
            // Given back before the answer: the next ranking is let in meanwhile.
            drop(turn);
            let _ = done.send(result);
        });
        match answer.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(panic)) => {
                Err(InternalError::Task(crate::index::panic_text(&*panic).to_owned()).into())
            }
            Err(_) => Err(InternalError::Task("the ranking was dropped".to_owned()).into()),
        }
    }

    /// Text relevance from the index, then the core's ranking of every open opening in the
    /// projection, pruned to what can enter the top k. Runs on rayon's threads.
    pub(super) fn rank_for_profile(
        &self,
        participant_id: Id,
        profile: &Profile,
        query: RankQuery,
        today: NaiveDate,
    ) -> Result<Ranking> {
        self.rank_in_projection(participant_id, profile, query, today, || {
            self.text_relevance(profile)
        })
    }

    /// The text relevance of every open opening the index finds for a profile's words, scaled
    /// by the best open opening, whatever the kind asked for or the hard rules, so neither
    /// changes an opening's score. `None` when the profile has no words that find anything.
    pub(super) fn text_relevance(&self, profile: &Profile) -> Result<Option<Vec<(Id, f32)>>> {
        let words = profile_words(profile);
        let hits = self.index()?.relevance(&words, self.text_hit_limit())?;
        let best = hits.first().map_or(0.0, |h| h.1);
        Ok(
            features::scale_relevance(&hits.iter().map(|h| h.1).collect::<Vec<_>>(), best)
                .map(|scaled| hits.iter().map(|h| h.0).zip(scaled).collect::<Vec<_>>()),
        )
    }

    /// The projection's ranking of a profile with text relevance already found.
    pub(super) fn rank_with_text(
        &self,
        participant_id: Id,
        profile: &Profile,
        text: Option<&[(Id, f32)]>,
        query: RankQuery,
        today: NaiveDate,
    ) -> Result<Ranking> {
        self.rank_in_projection(participant_id, profile, query, today, || {
            Ok(text.map(<[_]>::to_vec))
        })
    }

    /// The projection's ranking of a profile, with the text relevance `text` finds.
    fn rank_in_projection(
        &self,
        participant_id: Id,
        profile: &Profile,
        query: RankQuery,
        today: NaiveDate,
        text: impl FnOnce() -> Result<Option<Vec<(Id, f32)>>> + Send,
    ) -> Result<Ranking> {
        let p = self.read_projection();
        // Built from the profile just read, so the words and the scores see the same person.
        let participant = features::participant_features_lookup(
            participant_id,
            profile,
            &p.keys,
            &self.taxonomy(),
        );
        let ctx = Context {
            profile: &self.profile,
            skill_weights: &p.keys.weights,
            today,
        };
        let options = query.options();
        // The index's text relevance and the projection's postings do not depend on each
        // other: found side by side, on two cores a match waits only for the longer.
        let (text, prepared) = rayon::join(text, || {
            p.prepare_openings(&participant, query.kind, ctx, options)
        });
        Ok(p.rank_prepared(&participant, prepared, text?.as_deref(), ctx, options))
    }

    async fn present_openings(&self, ranking: Ranking) -> Result<Ranked<Opening>> {
        let ids: Vec<Id> = ranking
            .results
            .iter()
            .chain(&ranking.excluded)
            .map(|s| s.id)
            .collect();
        let mut openings = self.openings_by_id(&ids).await?;
        let p = self.read_projection();
        // An opening is in one list once: each is moved out, not copied.
        Ok(Ranked::explain(
            &ranking,
            |s| openings.remove(&s.id),
            &p.keys,
            &self.taxonomy(),
        ))
    }

    /// Ranked participants for an open opening (a job matcher's candidates), pseudonymised:
    /// an employer's user gets that employer's own codes. Every participant in the answer is
    /// logged as read.
    pub async fn candidates(
        self: &Arc<Self>,
        caller: &Caller,
        opening_id: Id,
        query: RankQuery,
    ) -> Result<Ranked<Candidate>> {
        caller.require(&[Role::Admin, Role::Matcher, Role::Employer])?;
        let opening = self.opening(caller, opening_id).await?;
        if opening.status == OpeningStatus::Closed {
            return Err(UserError::Closed { id: opening_id }.into());
        }
        let engine = Arc::clone(self);
        let today = Utc::now().date_naive();
        let employer = caller
            .employer_id()
            .filter(|_| caller.role() == Role::Employer);
        let ranked = self
            .on_ranking_threads(move || {
                let taxonomy = engine.taxonomy();
                let p = engine.read_projection();
                let ranking = engine.rank_participants_for(&p, &opening, today, query.options());
                let candidate = |s: &Scored| {
                    Some(Candidate {
                        participant_id: s.id,
                        pseudonym: match employer {
                            Some(e) => engine.secret.employer_pseudonym(e, s.id),
                            None => engine.secret.staff_pseudonym(s.id),
                        },
                    })
                };
                Ranked::explain(&ranking, candidate, &p.keys, &taxonomy)
            })
            .await?;
        let listed = ranked
            .results
            .iter()
            .chain(&ranked.excluded)
            .map(|c| c.item.participant_id);
        self.store
            .log_reads(&caller.reads(listed, "opening.candidates"))
            .await?;
        Ok(ranked)
    }

    /// How many participants pass the hard rules of each opening: the count an employer sees
    /// of an opening's candidates. Nobody is listed, so nobody's data is read.
    pub(super) async fn suitable_counts(
        self: &Arc<Self>,
        openings: Vec<Opening>,
    ) -> Result<Vec<usize>> {
        let engine = Arc::clone(self);
        let today = Utc::now().date_naive();
        self.on_ranking_threads(move || {
            let p = engine.read_projection();
            let options = RankOptions {
                k: 1,
                include_excluded: false,
            };
            openings
                .iter()
                .map(|o| {
                    let ranking = engine.rank_participants_for(&p, o, today, options);
                    ranking.considered - ranking.excluded_count
                })
                .collect()
        })
        .await
    }

    /// Participants ranked for an opening, from the projection's features of it when it is
    /// open there, or features made for it alone.
    fn rank_participants_for(
        &self,
        p: &crate::projection::Projection,
        opening: &Opening,
        today: NaiveDate,
        options: RankOptions,
    ) -> Ranking {
        let detached;
        let (features, weights) = match p.open_opening(opening.id) {
            Some(f) => (f, &p.keys.weights),
            None => {
                detached = features::detached_opening_features(opening, &p.keys, &self.taxonomy());
                (&detached.0, detached.1.as_ref().unwrap_or(&p.keys.weights))
            }
        };
        let ctx = Context {
            profile: &self.profile,
            skill_weights: weights,
            today,
        };
        p.rank_participants(features, ctx, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::WeightProfile;
    use crate::service::Secret;
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn rankings_past_their_turns_wait_and_a_failed_one_gives_its_turn_back() {
        let dir = tempfile::tempdir().expect("dir");
        let store = crate::store::Store::open_sqlite_file(&dir.path().join("jobmatch.db"))
            .await
            .expect("store");
        let engine = Engine::open(
            store,
            &dir.path().join("index"),
            Arc::new(Taxonomy::embedded().expect("taxonomy")),
            WeightProfile::default(),
            Secret::from_text("a key of sixteen or more").expect("secret"),
        )
        .await
        .expect("engine");
        let turns = RANKINGS_PER_THREAD * rayon::current_num_threads();
        // Every ranking holds its turn until the gate opens.
        let open = Arc::new(AtomicBool::new(false));
        let rankings: Vec<_> = (0..4 * turns)
            .map(|n| {
                let (engine, open) = (Arc::clone(&engine), Arc::clone(&open));
                tokio::spawn(async move {
                    engine
                        .on_ranking_threads(move || {
                            while !open.load(SeqCst) {
                                std::thread::sleep(std::time::Duration::from_millis(1));
                            }
                            assert!(n % 7 != 3, "ranking {n} failed");
                            n
                        })
                        .await
                })
            })
            .collect();
        for _ in 0..5000 {
            if engine.ranking_turns.available_permits() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert_eq!(
            engine.ranking_turns.available_permits(),
            0,
            "every turn taken"
        );
        open.store(true, SeqCst);
        for (n, answer) in futures_util::future::join_all(rankings)
            .await
            .into_iter()
            .enumerate()
        {
            match answer.expect("task") {
                Ok(got) => assert_eq!(got, n),
                Err(e) => {
                    assert_eq!(n % 7, 3, "ranking {n}: {e:?}");
                    assert!(format!("{e:?}").contains("failed"), "{e:?}");
                }
            }
        }
        // Every turn came back, the failed rankings' too.
        assert_eq!(engine.ranking_turns.available_permits(), turns);
    }
}
