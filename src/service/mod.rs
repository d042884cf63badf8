//! Use cases: post and change openings, register participants, suggest openings, rank
//! candidates, search. Owns the projection of the database that matching reads (the tantivy
//! index and the in-memory features), fed from the outbox in order.
//!
//! Knows nothing of HTTP: handlers call in with plain values and get plain values or a
//! [`ServiceError`] back.

pub mod features;
pub mod input;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::index::{CandidateQuery, IndexChange, IndexError, OpeningIndex, SearchQuery};
use crate::model::{
    Employer, Id, Opening, OpeningKind, OpeningStatus, Participant, Profile, SwedishLevel,
};
use crate::rank::{
    Context, OpeningFeatures, ParticipantFeatures, RankOptions, Ranking, WeightProfile,
    rank_openings, rank_participants,
};
use crate::store::{Counts, Entity, Store, StoreError};
use crate::taxonomy::Taxonomy;
use features::{EvidenceView, Keys};
use input::{EmployerInput, ImportFile, InputError, OpeningInput, ParticipantInput, ProfileInput};

/// Most candidates the index hands to the ranking core for one suggestion request.
pub const CANDIDATE_LIMIT: usize = 5000;
/// How many outbox rows one catch-up step applies in one index commit.
const OUTBOX_BATCH: i64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: Id },
    #[error("opening {id} is closed")]
    Closed { id: Id },
    #[error("invalid search query: {0}")]
    Query(String),
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("index failed: {0}")]
    Index(IndexError),
    #[error("ranking task failed: {0}")]
    Task(String),
}

impl From<IndexError> for ServiceError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Query { message } => ServiceError::Query(message),
            other => ServiceError::Index(other),
        }
    }
}

type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// What matching reads, derived from the database: features of every opening and participant.
#[derive(Default)]
struct Projection {
    keys: Keys,
    openings: BTreeMap<Id, OpeningFeatures>,
    open: BTreeMap<Id, OpeningKind>,
    /// Sorted by id, so candidate ranking borrows it as one slice without copying.
    participants: Vec<ParticipantFeatures>,
}

impl Projection {
    fn upsert_participant(&mut self, f: ParticipantFeatures) {
        match self.participants.binary_search_by_key(&f.id, |x| x.id) {
            Ok(i) => self.participants[i] = f,
            Err(i) => self.participants.insert(i, f),
        }
    }

    fn remove_participant(&mut self, id: Id) {
        if let Ok(i) = self.participants.binary_search_by_key(&id, |x| x.id) {
            self.participants.remove(i);
        }
    }
}

/// The application: store, index, taxonomy and the projection, shared by all requests.
pub struct Engine {
    store: Store,
    index: OpeningIndex,
    taxonomy: Arc<Taxonomy>,
    profile: WeightProfile,
    projection: RwLock<Projection>,
    /// Serialises catch-up so outbox rows are applied once and in order.
    indexer: Mutex<()>,
    /// Most candidates the index hands to the core; below it every open opening is ranked.
    candidate_limit: AtomicUsize,
}

/// A ranked opening or participant as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion<T> {
    #[serde(flatten)]
    pub item: T,
    pub score: f32,
    pub categories: crate::rank::CategoryScores,
    pub evidence: EvidenceView,
    pub weight_profile: crate::rank::ProfileStamp,
}

impl<T> Suggestion<T> {
    fn new(item: T, s: &crate::rank::Scored, keys: &Keys, taxonomy: &Taxonomy) -> Self {
        Suggestion {
            item,
            score: s.score,
            categories: s.categories,
            evidence: features::evidence_view(&s.evidence, keys, taxonomy),
            weight_profile: s.profile.clone(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpeningSummary {
    #[schema(value_type = i64)]
    pub opening_id: Id,
    pub title: String,
    pub kind: OpeningKind,
    #[schema(value_type = i64)]
    pub employer_id: Id,
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    pub places: u32,
}

/// A candidate as a job matcher or employer sees it: pseudonymised, no identity.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateSummary {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Ranked<T> {
    pub considered: usize,
    pub excluded_count: usize,
    pub results: Vec<Suggestion<T>>,
    pub excluded: Vec<Suggestion<T>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Status {
    pub employers: i64,
    pub openings: i64,
    pub open_openings: i64,
    pub participants: i64,
    pub outbox_head: i64,
    pub index_applied: i64,
    pub index_lag: i64,
    pub indexed_openings: u64,
    pub weight_profile: crate::rank::ProfileStamp,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub openings: Vec<SearchHit>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub opening: OpeningSummary,
    pub relevance: f32,
}

/// A pseudonym stable for one participant that reveals nothing of who they are.
pub fn pseudonym(id: Id) -> String {
    // An odd multiplier and a rotation permute the 64-bit id space, so no two participants
    // share a code. It hides ids from casual reading only; a keyed pseudonym comes with
    // employer access.
    let mixed = (id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17);
    format!("K-{mixed:016X}")
}

impl Engine {
    /// Opens the store and the index under `data_dir`; an index that cannot be opened is
    /// rebuilt from the database.
    pub async fn open(
        store: Store,
        index_dir: &Path,
        taxonomy: Arc<Taxonomy>,
        profile: WeightProfile,
    ) -> Result<Arc<Engine>> {
        let index = open_index(index_dir)?;
        let engine = Arc::new(Engine {
            store,
            index,
            taxonomy,
            profile,
            projection: RwLock::new(Projection::default()),
            indexer: Mutex::new(()),
            candidate_limit: AtomicUsize::new(CANDIDATE_LIMIT),
        });
        engine.load_projection().await?;
        Ok(engine)
    }

    /// Changes how many candidates the index hands to the ranking core (tuning, and tests of
    /// the large-set path on small data).
    pub fn set_candidate_limit(&self, limit: usize) {
        self.candidate_limit.store(limit.max(1), Ordering::Relaxed);
    }

    fn candidate_limit(&self) -> usize {
        self.candidate_limit.load(Ordering::Relaxed)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Rebuilds the in-memory features from the database and brings the index up to date.
    async fn load_projection(&self) -> Result<()> {
        let _guard = self.indexer.lock().await;
        let head = self.store.outbox_head().await?;
        let openings = self.store.all_openings().await?;
        let profiles = self.store.all_profiles().await?;
        {
            let mut p = self.projection.write().unwrap_or_else(|e| e.into_inner());
            *p = Projection::default();
            for o in &openings {
                self.project_opening(&mut p, o);
            }
            for (id, profile) in &profiles {
                let f = features::participant_features(*id, profile, &mut p.keys, &self.taxonomy);
                p.upsert_participant(f);
            }
        }
        let applied = self.index.applied_seq();
        if applied > head || (applied == 0 && head > 0) || self.index_out_of_step(&openings) {
            tracing::info!(applied, head, "rebuilding the index from the database");
            rebuild_index(&self.index, &openings, head, &self.taxonomy)?;
        }
        drop(_guard);
        self.catch_up().await
    }

    /// An empty index over a database with openings was lost or replaced.
    fn index_out_of_step(&self, openings: &[Opening]) -> bool {
        self.index.num_docs() == 0 && !openings.is_empty()
    }

    fn project_opening(&self, p: &mut Projection, o: &Opening) {
        let f = features::opening_features(o, &mut p.keys, &self.taxonomy);
        p.openings.insert(o.id, f);
        if o.status == OpeningStatus::Open {
            p.open.insert(o.id, o.kind);
        } else {
            p.open.remove(&o.id);
        }
    }

    /// Applies outbox rows after the index's last commit to the index and the projection, in
    /// order. A failure leaves the rows for the next call: the write itself is already safe.
    pub async fn catch_up(&self) -> Result<()> {
        let _guard = self.indexer.lock().await;
        loop {
            let after = self.index.applied_seq();
            let entries = self.store.outbox_after(after, OUTBOX_BATCH).await?;
            let Some(last) = entries.last().map(|e| e.seq) else {
                return Ok(());
            };
            // An opening's row holds its latest state: load each changed one once, in one query.
            let opening_ids = changed(&entries, Entity::Opening);
            let mut current: BTreeMap<Id, Opening> = self
                .store
                .openings(&opening_ids)
                .await?
                .into_iter()
                .map(|o| (o.id, o))
                .collect();
            let mut changes = Vec::new();
            let mut opened = Vec::new();
            for id in opening_ids {
                match current.remove(&id) {
                    Some(o) => {
                        changes.push(IndexChange::Upsert(features::indexed_opening(
                            &o,
                            &self.taxonomy,
                        )));
                        opened.push(o);
                    }
                    None => changes.push(IndexChange::Delete(id)),
                }
            }
            // Likewise a participant's row: present means upsert, gone means deleted.
            let participant_ids = changed(&entries, Entity::Participant);
            let mut current_profiles: BTreeMap<Id, Profile> = self
                .store
                .profiles(&participant_ids)
                .await?
                .into_iter()
                .collect();
            let profiles: Vec<(Id, Option<Profile>)> = participant_ids
                .into_iter()
                .map(|id| (id, current_profiles.remove(&id)))
                .collect();
            {
                let mut p = self.projection.write().unwrap_or_else(|e| e.into_inner());
                for o in &opened {
                    self.project_opening(&mut p, o);
                }
                for (id, profile) in profiles {
                    match profile {
                        Some(profile) => {
                            let f = features::participant_features(
                                id,
                                &profile,
                                &mut p.keys,
                                &self.taxonomy,
                            );
                            p.upsert_participant(f);
                        }
                        None => {
                            p.remove_participant(id);
                        }
                    }
                }
            }
            self.index.apply(changes, last)?;
        }
    }

    /// Follows the outbox in the background, so changes written by another process (an
    /// import, another instance) reach the index and the projection without a local write.
    pub fn follow_outbox(
        self: &Arc<Self>,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let engine = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(engine) = engine.upgrade() else {
                    return;
                };
                if let Err(e) = engine.catch_up().await {
                    tracing::warn!(error = %e, "following the outbox failed; retrying");
                }
            }
        })
    }

    /// Catches up after a write; an index failure is logged and shows as lag, never as a
    /// failed write, because the database has already committed.
    async fn after_write(&self) {
        if let Err(e) = self.catch_up().await {
            tracing::error!(error = %e, "index catch-up failed; it is retried on the next write");
        }
    }

    pub async fn create_employer(&self, input: &EmployerInput) -> Result<Employer> {
        let e = input.validate(&self.taxonomy)?;
        Ok(self
            .store
            .create_employer(
                &e.name,
                e.org_number.as_deref(),
                e.municipality_code.as_deref(),
            )
            .await?)
    }

    pub async fn employer(&self, id: Id) -> Result<Employer> {
        self.store
            .employer(id)
            .await?
            .ok_or(not_found("employer", id))
    }

    async fn require_employer(&self, id: Id) -> Result<()> {
        if self.store.employer(id).await?.is_none() {
            return Err(InputError::new(
                "unknown_employer",
                "employer_id",
                format!("employer_id {id} does not exist; create the employer first with POST /v1/employers"),
            )
            .into());
        }
        Ok(())
    }

    pub async fn create_opening(&self, input: &OpeningInput) -> Result<Opening> {
        let opening = input.to_opening(&self.taxonomy)?;
        self.require_employer(opening.employer_id).await?;
        let created = self.store.create_opening(&opening).await?;
        self.after_write().await;
        Ok(created)
    }

    pub async fn opening(&self, id: Id) -> Result<Opening> {
        self.store
            .opening(id)
            .await?
            .ok_or(not_found("opening", id))
    }

    pub async fn update_opening(&self, id: Id, input: &OpeningInput) -> Result<Opening> {
        let opening = input.to_opening(&self.taxonomy)?;
        self.opening(id).await?;
        self.require_employer(opening.employer_id).await?;
        let updated = self
            .store
            .update_opening(id, &opening)
            .await?
            .ok_or(not_found("opening", id))?;
        self.after_write().await;
        Ok(updated)
    }

    pub async fn close_opening(&self, id: Id) -> Result<Opening> {
        let closed = self
            .store
            .close_opening(id)
            .await?
            .ok_or(not_found("opening", id))?;
        self.after_write().await;
        Ok(closed)
    }

    pub async fn create_participant(&self, input: &ParticipantInput) -> Result<Participant> {
        let (identity, profile) = input.to_parts(&self.taxonomy)?;
        let created = self.store.create_participant(&identity, &profile).await?;
        self.after_write().await;
        Ok(created)
    }

    /// Reads a participant for `actor`; the read is logged before anything is returned.
    pub async fn participant(&self, id: Id, actor: &str) -> Result<Participant> {
        let p = self
            .store
            .participant(id)
            .await?
            .ok_or(not_found("participant", id))?;
        self.store.log_participant_read(id, actor, "read").await?;
        Ok(p)
    }

    pub async fn update_participant(
        &self,
        id: Id,
        input: &ParticipantInput,
    ) -> Result<Participant> {
        let (identity, profile) = input.to_parts(&self.taxonomy)?;
        let updated = self
            .store
            .update_participant(id, &identity, &profile)
            .await?
            .ok_or(not_found("participant", id))?;
        self.after_write().await;
        Ok(updated)
    }

    pub async fn delete_participant(&self, id: Id) -> Result<()> {
        if !self.store.delete_participant(id).await? {
            return Err(not_found("participant", id));
        }
        self.after_write().await;
        Ok(())
    }

    /// Ranked openings for a stored participant (a coach's suggestions).
    pub async fn suggestions(
        self: &Arc<Self>,
        participant_id: Id,
        kind: Option<OpeningKind>,
        limit: usize,
        include_excluded: bool,
        actor: &str,
    ) -> Result<Ranked<OpeningSummary>> {
        let profile = self
            .store
            .participant_profile(participant_id)
            .await?
            .ok_or(not_found("participant", participant_id))?;
        self.store
            .log_participant_read(participant_id, actor, "suggestions")
            .await?;
        self.suggest(participant_id, profile, kind, limit, include_excluded)
            .await
    }

    /// Ranked openings for a profile that is not stored (`POST /v1/match`).
    pub async fn match_profile(
        self: &Arc<Self>,
        input: &ProfileInput,
        kind: Option<OpeningKind>,
        limit: usize,
        include_excluded: bool,
    ) -> Result<Ranked<OpeningSummary>> {
        let profile = input.to_profile(&self.taxonomy)?;
        self.suggest(0, profile, kind, limit, include_excluded)
            .await
    }

    async fn suggest(
        self: &Arc<Self>,
        participant_id: Id,
        profile: Profile,
        kind: Option<OpeningKind>,
        limit: usize,
        include_excluded: bool,
    ) -> Result<Ranked<OpeningSummary>> {
        let engine = Arc::clone(self);
        let span = tracing::Span::current();
        let today = Utc::now().date_naive();
        let ranking = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            engine.rank_for_profile(
                participant_id,
                &profile,
                kind,
                limit,
                include_excluded,
                today,
            )
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))??;
        self.present_openings(ranking).await
    }

    /// Candidate generation in the index, then the core's ranking. Runs on a blocking thread.
    #[allow(clippy::too_many_arguments)]
    fn rank_for_profile(
        &self,
        participant_id: Id,
        profile: &Profile,
        kind: Option<OpeningKind>,
        limit: usize,
        include_excluded: bool,
        today: NaiveDate,
    ) -> Result<Ranking> {
        let p = self.projection.read().unwrap_or_else(|e| e.into_inner());
        // Built from the profile just read, so the query and the scores see the same person.
        let participant =
            features::participant_features_lookup(participant_id, profile, &p.keys, &self.taxonomy);
        let query = |relaxed| self.candidate_query(profile, &participant, &p, kind, relaxed, today);
        let mut hits = self.index.candidates(&query(false))?;
        // Relevance is scaled by the best opening that passes the hard filters, so asking for
        // excluded pairs too never changes the scores of the others.
        let best = hits.iter().map(|h| h.1).fold(0.0f32, f32::max);
        let mut seen: std::collections::HashSet<Id> = hits.iter().map(|h| h.0).collect();
        if include_excluded {
            let relaxed = self.index.candidates(&query(true))?;
            hits.extend(relaxed.into_iter().filter(|h| seen.insert(h.0)));
        }
        let open_of_kind = p
            .open
            .iter()
            .filter(|(_, k)| kind.is_none_or(|want| **k == want))
            .count();
        if open_of_kind <= self.candidate_limit() {
            // Small sets: every open opening is a candidate, whether or not the index matched it.
            hits.extend(
                p.open
                    .iter()
                    .filter(|(id, k)| !seen.contains(id) && kind.is_none_or(|want| **k == want))
                    .map(|(id, _)| (*id, 0.0)),
            );
        }
        hits.retain(|(id, _)| p.open.contains_key(id) && p.openings.contains_key(id));
        let relevance =
            features::scale_relevance(&hits.iter().map(|h| h.1).collect::<Vec<_>>(), best);
        let candidates: Vec<OpeningFeatures> = hits
            .iter()
            .filter_map(|(id, _)| p.openings.get(id).cloned())
            .collect();
        let ctx = Context {
            profile: &self.profile,
            skill_weights: &p.keys.weights,
            today,
        };
        Ok(rank_openings(
            &participant,
            &candidates,
            relevance.as_deref(),
            ctx,
            RankOptions {
                k: limit,
                include_excluded,
            },
        ))
    }

    fn candidate_query(
        &self,
        profile: &Profile,
        participant: &ParticipantFeatures,
        p: &Projection,
        kind: Option<OpeningKind>,
        relaxed: bool,
        today: NaiveDate,
    ) -> CandidateQuery {
        let mut concepts: Vec<String> = profile
            .skills
            .iter()
            .filter_map(|t| t.concept_id())
            .map(|c| c.0.clone())
            .collect();
        for e in &profile.occupations {
            concepts.push(e.occupation.concept_id.0.clone());
            concepts.extend(features::ssyk_terms(e.occupation.code));
        }
        let text = profile
            .skills
            .iter()
            .map(|t| t.text().to_owned())
            .chain(
                profile
                    .occupations
                    .iter()
                    .map(|e| e.occupation.label.clone()),
            )
            .collect();
        let held: Vec<String> = participant
            .licences
            .iter()
            .filter_map(|&k| p.keys.vocabulary.name(k).map(str::to_owned))
            .collect();
        let all_licences: Vec<String> = self
            .taxonomy
            .licences()
            .iter()
            .map(|l| l.concept_id.0.clone())
            .collect();
        if relaxed {
            // Asked for what is left out and why: the index applies no hard filter, so the
            // core sees the excluded openings and names the reason.
            return CandidateQuery {
                concepts,
                text,
                kind,
                swedish_step: SwedishLevel::C2.step(),
                licences_held: all_licences.clone(),
                all_licences,
                within: None,
                today: NaiveDate::MIN,
                limit: self.candidate_limit(),
            };
        }
        CandidateQuery {
            concepts,
            text,
            kind,
            swedish_step: participant.swedish.map_or(0, |l| l.step()),
            licences_held: held,
            all_licences,
            within: participant.location.zip(participant.max_travel_km),
            today,
            limit: self.candidate_limit(),
        }
    }

    async fn present_openings(&self, ranking: Ranking) -> Result<Ranked<OpeningSummary>> {
        let ids: Vec<Id> = ranking
            .results
            .iter()
            .chain(&ranking.excluded)
            .map(|s| s.id)
            .collect();
        let openings: BTreeMap<Id, Opening> = self
            .store
            .openings(&ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let p = self.projection.read().unwrap_or_else(|e| e.into_inner());
        let view = |s: &crate::rank::Scored| {
            openings
                .get(&s.id)
                .map(|o| Suggestion::new(self.summary(o), s, &p.keys, &self.taxonomy))
        };
        Ok(Ranked {
            considered: ranking.considered,
            excluded_count: ranking.excluded_count,
            results: ranking.results.iter().filter_map(view).collect(),
            excluded: ranking.excluded.iter().filter_map(view).collect(),
        })
    }

    pub fn summary(&self, o: &Opening) -> OpeningSummary {
        OpeningSummary {
            opening_id: o.id,
            title: o.title.clone(),
            kind: o.kind,
            employer_id: o.employer_id,
            municipality: o
                .workplace
                .municipality_code
                .as_deref()
                .and_then(|c| self.taxonomy.municipality(c))
                .map(|m| m.name.clone()),
            municipality_code: o.workplace.municipality_code.clone(),
            places: o.places,
        }
    }

    /// Ranked participants for an opening (a job matcher's candidates), pseudonymised.
    pub async fn candidates(
        self: &Arc<Self>,
        opening_id: Id,
        limit: usize,
        include_excluded: bool,
    ) -> Result<Ranked<CandidateSummary>> {
        let opening = self.opening(opening_id).await?;
        if opening.status == OpeningStatus::Closed {
            return Err(ServiceError::Closed { id: opening_id });
        }
        let engine = Arc::clone(self);
        let span = tracing::Span::current();
        let today = Utc::now().date_naive();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let p = engine.projection.read().unwrap_or_else(|e| e.into_inner());
            let features = match p.openings.get(&opening.id) {
                Some(f) => f.clone(),
                None => features::opening_features(&opening, &mut p.keys.clone(), &engine.taxonomy),
            };
            let ctx = Context {
                profile: &engine.profile,
                skill_weights: &p.keys.weights,
                today,
            };
            let ranking = rank_participants(
                &features,
                &p.participants,
                None,
                ctx,
                RankOptions {
                    k: limit,
                    include_excluded,
                },
            );
            let view = |s: &crate::rank::Scored| {
                let item = CandidateSummary {
                    participant_id: s.id,
                    pseudonym: pseudonym(s.id),
                };
                Suggestion::new(item, s, &p.keys, &engine.taxonomy)
            };
            Ranked {
                considered: ranking.considered,
                excluded_count: ranking.excluded_count,
                results: ranking.results.iter().map(view).collect(),
                excluded: ranking.excluded.iter().map(view).collect(),
            }
        })
        .await
        .map_err(|e| ServiceError::Task(e.to_string()))
    }

    /// Full-text search of open openings with Swedish stemming.
    pub async fn search(
        &self,
        text: Option<String>,
        kind: Option<OpeningKind>,
        municipality_code: Option<String>,
        page: usize,
        per_page: usize,
    ) -> Result<SearchResults> {
        let municipality_code = match municipality_code {
            Some(code) => Some(
                self.taxonomy
                    .municipality(&code)
                    .map(|m| m.code.clone())
                    .ok_or_else(|| {
                        InputError::new(
                            "unknown_municipality",
                            "municipality",
                            format!("unknown municipality {code:?}; expected a four-digit kommunkod such as \"0180\""),
                        )
                    })?,
            ),
            None => None,
        };
        let page_hits = self.index.search(&SearchQuery {
            text: text.filter(|t| !t.trim().is_empty()),
            kind,
            municipality_code,
            offset: (page - 1) * per_page,
            limit: per_page,
        })?;
        let ids: Vec<Id> = page_hits.hits.iter().map(|h| h.0).collect();
        let openings: BTreeMap<Id, Opening> = self
            .store
            .openings(&ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        Ok(SearchResults {
            total: page_hits.total,
            page,
            per_page,
            openings: page_hits
                .hits
                .iter()
                .filter_map(|(id, score)| {
                    openings.get(id).map(|o| SearchHit {
                        opening: self.summary(o),
                        relevance: *score,
                    })
                })
                .collect(),
        })
    }

    pub async fn status(&self) -> Result<Status> {
        let Counts {
            employers,
            openings,
            open_openings,
            participants,
        } = self.store.counts().await?;
        let head = self.store.outbox_head().await?;
        let applied = self.index.applied_seq();
        Ok(Status {
            employers,
            openings,
            open_openings,
            participants,
            outbox_head: head,
            index_applied: applied,
            index_lag: (head - applied).max(0),
            indexed_openings: self.index.num_docs(),
            weight_profile: crate::rank::ProfileStamp {
                name: self.profile.name.clone(),
                version: self.profile.version,
            },
        })
    }

    /// Imports a file in the fixtures' format in one transaction, all or nothing.
    pub async fn import(&self, file: &ImportFile) -> Result<crate::store::ImportReport> {
        let report = import_into(&self.store, &self.taxonomy, file).await?;
        self.after_write().await;
        Ok(report)
    }
}

/// Opens the index under `dir`, replacing an unusable one with an empty index; a locked one
/// belongs to a running process and is an error.
fn open_index(dir: &Path) -> Result<OpeningIndex> {
    match OpeningIndex::open_or_create(dir) {
        Ok(index) => Ok(index),
        Err(e @ IndexError::Open { .. }) => {
            tracing::warn!(error = %e, dir = %dir.display(), "index unusable; rebuilding it from the database");
            clear_dir(dir).map_err(|e| ServiceError::Index(IndexError::Io(e)))?;
            Ok(OpeningIndex::open_or_create(dir)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the index with `openings`, read at or after outbox sequence `head`.
fn rebuild_index(
    index: &OpeningIndex,
    openings: &[Opening],
    head: i64,
    taxonomy: &Taxonomy,
) -> Result<()> {
    let docs: Vec<_> = openings
        .iter()
        .map(|o| features::indexed_opening(o, taxonomy))
        .collect();
    Ok(index.rebuild(docs, head)?)
}

/// `jobmatch reindex`: rebuilds the index under `index_dir` from the database, once, without
/// loading what serving needs.
pub async fn reindex(store: &Store, index_dir: &Path, taxonomy: &Taxonomy) -> Result<u64> {
    let index = open_index(index_dir)?;
    let head = store.outbox_head().await?;
    let openings = store.all_openings().await?;
    rebuild_index(&index, &openings, head, taxonomy)?;
    Ok(index.num_docs())
}

/// Validates an import file and writes it to the store in one transaction, without touching
/// the index: `jobmatch import` uses it beside a running server, whose outbox follower (or the
/// next startup) indexes what was written.
pub async fn import_into(
    store: &Store,
    taxonomy: &Taxonomy,
    file: &ImportFile,
) -> Result<crate::store::ImportReport> {
    let mut employers = Vec::with_capacity(file.employers.len());
    for (i, e) in file.employers.iter().enumerate() {
        let v = e
            .employer
            .validate(taxonomy)
            .map_err(|err| prefix(err, &format!("employers[{i}]")))?;
        employers.push(Employer {
            id: e.reference,
            name: v.name,
            org_number: v.org_number,
            municipality_code: v.municipality_code,
        });
    }
    let mut openings = Vec::with_capacity(file.openings.len());
    for (i, o) in file.openings.iter().enumerate() {
        let mut opening = o
            .opening
            .to_opening(taxonomy)
            .map_err(|err| prefix(err, &format!("openings[{i}]")))?;
        if !employers.iter().any(|e| e.id == o.employer_ref) {
            return Err(InputError::new(
                "unknown_employer",
                format!("openings[{i}].employer_ref"),
                format!(
                    "openings[{i}].employer_ref {} names no employer in the file",
                    o.employer_ref
                ),
            )
            .into());
        }
        opening.employer_id = o.employer_ref;
        openings.push(opening);
    }
    let mut participants = Vec::with_capacity(file.participants.len());
    for (i, p) in file.participants.iter().enumerate() {
        participants.push(
            p.to_parts(taxonomy)
                .map_err(|err| prefix(err, &format!("participants[{i}]")))?,
        );
    }
    Ok(store.import(&employers, &openings, &participants).await?)
}

fn not_found(entity: &'static str, id: Id) -> ServiceError {
    ServiceError::NotFound { entity, id }
}

/// The distinct ids of one kind of entity that outbox entries name, ascending.
fn changed(entries: &[crate::store::OutboxEntry], entity: Entity) -> Vec<Id> {
    let mut ids: Vec<Id> = entries
        .iter()
        .filter(|e| e.entity == entity)
        .map(|e| e.entity_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Empties a directory but keeps the repository's `index/.gitkeep`.
fn clear_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.file_name().is_some_and(|n| n == ".gitkeep") {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}

fn prefix(mut err: InputError, at: &str) -> InputError {
    err.field = format!("{at}.{}", err.field);
    err.message = format!("{at}: {}", err.message);
    err
}
