//! [`Backend`]: the contract every database backend fulfils, method by method.
//!
//! This is the one place that says what each storage operation promises (what it writes, what it
//! queues for the index, what it returns when the row is missing), so the SQLite backend today
//! and the PostgreSQL backend later are held to the same words, and the store tests in
//! `store/tests/` check both against them.
//!
//! What this module must not do: hold SQL, a pool or a row type. A backend's statements live in
//! its own submodule; encodings both backends share live in `codec`.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{
    AccessEntry, AccessRecord, AdApplied, AdWrite, AlertRecord, AllocationRecord, CapState, Counts,
    Delivery, DueAlert, FactsRecord, ImportReport, NewAlert, NewPlacement, NewTaxonomy,
    OpeningCounts, OutboxEntry, PlacementCreated, PlacementFilter, PlacementStep, PolicyRecord,
    StepApplied, StoreError, StoredTaxonomy, Subscription, SubscriptionTarget, TaxonomyVersion,
    TokenRecord,
};
use crate::model::{Employer, Id, Identity, Opening, Participant, Placement, Profile, Role, User};

/// One database backend. [`Store`](super::Store) holds one and forwards every call to it.
///
/// Dispatch is static (an enum arm per backend, not a trait object), so each method is an
/// `async fn` in the implementation. The declarations spell the future out as
/// `impl Future + Send` so that every backend's futures are `Send`: the service awaits them in
/// axum handlers and in `tokio::spawn`ed tasks, and a backend whose future held a non-`Send`
/// value across an `.await` should fail to compile here, not in the service.
///
/// Every method that changes an opening or a participant profile writes its outbox row in the
/// same transaction as the change (see [`Backend::outbox_after`]); a method that fails writes
/// nothing.
pub trait Backend: Clone + Send + Sync + 'static {
    /// Closes the pool, waiting for connections to finish, so the database can be reopened or
    /// removed cleanly (for SQLite: the WAL is checkpointed on close).
    fn close(&self) -> impl Future<Output = ()> + Send;

    // -----------------------------------------------------------------------------------------
    // Employers

    /// Creates an employer; openings must name an existing one.
    fn create_employer(
        &self,
        name: &str,
        org_number: Option<&str>,
        municipality_code: Option<&str>,
    ) -> impl Future<Output = Result<Employer, StoreError>> + Send;

    /// The employer with this id, if any.
    fn employer(&self, id: Id)
    -> impl Future<Output = Result<Option<Employer>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Openings

    /// Stores a new opening (its `id` is ignored) and queues it for indexing.
    ///
    /// Fails with [`StoreError::UnknownEmployer`] and writes nothing if the employer does not
    /// exist.
    fn create_opening(
        &self,
        opening: &Opening,
    ) -> impl Future<Output = Result<Opening, StoreError>> + Send;

    /// The opening with this id, open or closed.
    fn opening(&self, id: Id) -> impl Future<Output = Result<Option<Opening>, StoreError>> + Send;

    /// Replaces every field of an opening except its id and status (closing is its own
    /// operation, [`Backend::close_opening`]) and queues it for re-indexing. `None` if there is
    /// no such opening.
    fn update_opening(
        &self,
        id: Id,
        opening: &Opening,
    ) -> impl Future<Output = Result<Option<Opening>, StoreError>> + Send;

    /// Marks an opening closed. The row stays: placements and statistics refer to it. `None` if
    /// there is no such opening.
    fn close_opening(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<Opening>, StoreError>> + Send;

    /// The openings with these ids, in id order; ids that do not exist are skipped. Used to
    /// hydrate search hits.
    fn openings(&self, ids: &[Id])
    -> impl Future<Output = Result<Vec<Opening>, StoreError>> + Send;

    /// Up to `limit` openings, open and closed, with ids above `after`, in id order: every
    /// opening a page at a time, the input for rebuilding the index and in-memory caches.
    fn openings_after(
        &self,
        after: Id,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Opening>, StoreError>> + Send;

    /// An employer's openings, open and closed, newest first.
    fn employer_openings(
        &self,
        employer_id: Id,
    ) -> impl Future<Output = Result<Vec<Opening>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Participants

    /// Stores a new participant (identity and profile) and queues the profile for indexing.
    fn create_participant(
        &self,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> impl Future<Output = Result<Participant, StoreError>> + Send;

    /// A participant with identity. This returns personal data: the caller must record the
    /// read with [`Backend::log_reads`] (kept separate so the caller, which knows
    /// the actor and purpose, decides what to log).
    fn participant(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<Participant>, StoreError>> + Send;

    /// Replaces a participant's identity and profile and queues the profile for re-indexing.
    /// `None` if there is no such participant.
    /// `coach_id`, when given, moves the participant to that coach's caseload; otherwise the
    /// caseload stays.
    fn update_participant(
        &self,
        id: Id,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> impl Future<Output = Result<Option<Participant>, StoreError>> + Send;

    /// Erases a participant: identity and profile rows are deleted (SQLite's `secure_delete` is
    /// on, so their bytes are overwritten in the file too) and a delete is queued for the index.
    /// The access log keeps its rows, which hold only ids, actors and actions. `false` if there
    /// was no such participant.
    fn delete_participant(&self, id: Id) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes a participant as [`Backend::delete_participant`] does, then makes sure no copy of
    /// the erased rows is left in the backend's files (for SQLite: the WAL is checkpointed and
    /// truncated). `false` if there was no such participant.
    fn erase_participant(&self, id: Id) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Whether a participant exists (`Some`), and on whose caseload: what rights are checked
    /// against before anything else is read.
    fn participant_coach(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<Option<Id>>, StoreError>> + Send;

    /// One matchable profile without identity: what matching reads, so suggestions need not
    /// touch the identity table.
    fn participant_profile(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<Profile>, StoreError>> + Send;

    /// The matchable profiles with these ids, in id order; deleted ids are skipped. Lets the
    /// indexer load a batch of changed participants in one query.
    fn profiles(
        &self,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<(Id, Profile)>, StoreError>> + Send;

    /// Every matchable profile, without identity, in id order: the input for matching and for
    /// rebuilding the index.
    fn all_profiles(&self) -> impl Future<Output = Result<Vec<(Id, Profile)>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Access log

    /// Appends one row per entry, in one transaction: who read which participant, in which
    /// role, for what (the route). The participant need not exist, so failed attempts can be
    /// logged too. Entries must not contain personal data: the log outlives the participant.
    /// The log is append-only; the backend refuses updates and deletes of its rows.
    fn log_reads(
        &self,
        entries: &[AccessEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One page of the access log, oldest first, of one participant or of all.
    fn access_log(
        &self,
        participant_id: Option<Id>,
        offset: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AccessRecord>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Users and tokens

    /// Creates a user; an employer's user must name an existing employer, and only they may.
    fn create_user(
        &self,
        role: Role,
        name: &str,
        employer_id: Option<Id>,
    ) -> impl Future<Output = Result<User, StoreError>> + Send;

    fn user(&self, id: Id) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Stores a token of `user_id` by its selector and the SHA-256 of its verifier.
    fn create_token(
        &self,
        user_id: Id,
        selector: &str,
        verifier_hash: &[u8],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The token with this selector, with its user and the stored verifier hash to check.
    fn token(
        &self,
        selector: &str,
    ) -> impl Future<Output = Result<Option<(TokenRecord, Vec<u8>)>, StoreError>> + Send;

    /// Revokes a token; `false` when there is no such token or it was revoked already.
    fn revoke_token(&self, selector: &str)
    -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every token, oldest first, without verifiers.
    fn tokens(&self) -> impl Future<Output = Result<Vec<TokenRecord>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Outbox and status

    /// Up to `limit` outbox entries with `seq > after_seq`, ascending: the indexer's feed.
    ///
    /// **The cursor's promise.** The outbox follower keeps only the last `seq` it applied and
    /// asks for everything above it, so a backend must never let a row with a lower `seq`
    /// become visible after a row with a higher one: such a row would fall below the cursor and
    /// never be applied. SQLite keeps this for free, because it has one writer at a time and
    /// hands out `seq` inside the write transaction, so sequence order is commit order.
    ///
    /// PostgreSQL does not: a sequence value is taken at `INSERT` time, and concurrent
    /// transactions can commit in the other order (transaction A takes `seq` 7, B takes 8, B
    /// commits, the follower reads 8 and moves past 7, then A commits). A PostgreSQL backend
    /// must therefore do one of: return only rows below the oldest transaction still in flight
    /// (`xid` recorded per row, read below `pg_snapshot_xmin(pg_current_snapshot())`); take a
    /// transaction-scoped advisory lock (`pg_advisory_xact_lock`) around outbox inserts, so
    /// writers that touch the outbox commit one at a time in `seq` order; or track gaps (a
    /// cursor that remembers skipped `seq`s and retries them until they appear or a timeout
    /// proves them rolled back). Whichever it chooses, this method's contract stays the same.
    fn outbox_after(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;

    /// The highest outbox sequence number, 0 when the outbox is empty; the index lag is this
    /// minus the indexer's last applied seq.
    ///
    /// A rebuild reads the head first, then every opening and profile, and resumes the
    /// follower from the head; so, under the same ordering caveat as [`Backend::outbox_after`],
    /// no row with a `seq` at or below the returned head may still be uncommitted. SQLite's
    /// `MAX(seq)` keeps that (one writer); a PostgreSQL backend must return the highest `seq`
    /// below its safe point, not merely the highest one visible.
    fn outbox_head(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Row counts, for status endpoints and the CLI.
    fn counts(&self) -> impl Future<Output = Result<Counts, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Import

    /// Loads a batch in one transaction: all of it or none of it.
    ///
    /// The employers' `id`s are input-local keys: each opening's `employer_id` must name one of
    /// them, and is rewritten to the new database id. Opening ids are ignored. A reference to
    /// an employer not in `employers` fails with [`StoreError::UnknownEmployer`] (the input id),
    /// a duplicate employer id with [`StoreError::Invalid`]; either way nothing is written.
    /// Every opening and participant gets an outbox row.
    fn import(
        &self,
        employers: &[Employer],
        openings: &[Opening],
        participants: &[(Identity, Profile)],
        coach_id: Option<Id>,
    ) -> impl Future<Output = Result<ImportReport, StoreError>> + Send;

    /// Applies published ads in one transaction, each in a savepoint of its own, so an ad the
    /// database refuses ([`AdApplied::Failed`]) leaves nothing of itself and stops none of the
    /// others. An ad is found by its source's system and external id:
    /// - new and not removed: its employer is found by organisation number (by name when the
    ///   ad has none) or created, and the opening is inserted;
    /// - known: every field is replaced and its status follows `removed`, unless nothing
    ///   changed ([`AdApplied::Unchanged`], nothing written);
    /// - removed: an open opening is closed; a closed or unknown one is unchanged;
    /// - older than the stored version (both dated by the source's `changed_ms`): unchanged,
    ///   so a feed applied again never rolls an ad back.
    ///
    /// Every opening written gets an outbox row; applying the same ads twice writes nothing the
    /// second time. The answer has one entry per ad, in input order.
    fn apply_ads(
        &self,
        ads: &[AdWrite],
    ) -> impl Future<Output = Result<Vec<AdApplied>, StoreError>> + Send;

    /// How far the named change feed has been applied (the caller's own timestamp text).
    fn sync_state(
        &self,
        feed: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Records how far the named change feed has been applied.
    fn set_sync_state(
        &self,
        feed: &str,
        applied_to: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Taxonomy versions

    /// Stores a taxonomy version, numbered above every earlier one, and queues it (entity
    /// `taxonomy`, the version as its id) in the same transaction, so every instance following
    /// the outbox builds it and swaps it in. Returns the version without its files.
    fn save_taxonomy(
        &self,
        taxonomy: &NewTaxonomy,
    ) -> impl Future<Output = Result<TaxonomyVersion, StoreError>> + Send;

    /// The highest stored version with its files: the taxonomy in force. `None` when none was
    /// ever imported (the built-in one is in force).
    fn current_taxonomy(
        &self,
    ) -> impl Future<Output = Result<Option<StoredTaxonomy>, StoreError>> + Send;

    /// Every stored version without its files, newest first.
    fn taxonomy_versions(
        &self,
    ) -> impl Future<Output = Result<Vec<TaxonomyVersion>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Allocation: caseloads, priority policies, stored allocations

    /// The ids of one coach's participants, or of every participant with `None`, ascending.
    fn caseload(
        &self,
        coach_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<Id>, StoreError>> + Send;

    /// Stores a new version of the named policy (one above its last) and makes it the current
    /// one. `weights` is a JSON object.
    fn set_policy(
        &self,
        name: &str,
        weights: &str,
        created_by: Option<Id>,
    ) -> impl Future<Output = Result<PolicyRecord, StoreError>> + Send;

    /// The latest version of the named policy; with `None`, the policy set most recently (the
    /// current one). `None` when there is none.
    fn policy(
        &self,
        name: Option<&str>,
    ) -> impl Future<Output = Result<Option<PolicyRecord>, StoreError>> + Send;

    /// The latest version of every policy, the current one first.
    fn policies(&self) -> impl Future<Output = Result<Vec<PolicyRecord>, StoreError>> + Send;

    /// Stores an allocation's answer (JSON) and returns its id.
    fn save_allocation(
        &self,
        created_by: Option<Id>,
        body: &str,
    ) -> impl Future<Output = Result<Id, StoreError>> + Send;

    /// A stored allocation.
    fn allocation(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<AllocationRecord>, StoreError>> + Send;

    /// How often each participant was read for each purpose in `[from, to)`, from the access
    /// log: `(participant, action, reads)`.
    fn exposure(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<Vec<(Id, String, i64)>, StoreError>> + Send;

    /// The allocations made in `[from, to)`, oldest first.
    fn allocations_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<Vec<AllocationRecord>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // The programme: facts per participant, with history; each unit's limits

    /// Sets a participant's programme facts (JSON) and keeps the version in the history, in
    /// one transaction. `false` when there is no such participant.
    fn set_programme(
        &self,
        participant_id: Id,
        facts: &str,
        unit: Option<&str>,
        user_id: Option<Id>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every version of a participant's facts, oldest first; the last is in force.
    fn programme_history(
        &self,
        participant_id: Id,
    ) -> impl Future<Output = Result<Vec<FactsRecord>, StoreError>> + Send;

    /// The facts in force of one coach's participants, or of everyone's with `None`.
    fn programmes(
        &self,
        coach_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<(Id, String)>, StoreError>> + Send;

    /// Sets a unit's limits (JSON).
    fn set_unit_limits(
        &self,
        unit: &str,
        limits: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every unit's limits.
    fn unit_limits(&self)
    -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Placements and employers' caps

    /// Stores a proposal with its first step, in one transaction that serialises proposals to
    /// one employer: first the proposals the cap held back are released as far as this
    /// month's cap allows (oldest first), then a proposal of the same participant to the same
    /// employer since `duplicate_since` answers [`PlacementCreated::Duplicate`] and writes
    /// nothing, and otherwise the new one is `proposed`, or `waiting` when the cap is reached.
    fn create_placement(
        &self,
        new: &NewPlacement,
    ) -> impl Future<Output = Result<PlacementCreated, StoreError>> + Send;

    /// A placement with its steps.
    fn placement(
        &self,
        id: Id,
    ) -> impl Future<Output = Result<Option<Placement>, StoreError>> + Send;

    /// The placements the filter admits, newest first, with their steps.
    fn placements(
        &self,
        filter: &PlacementFilter,
    ) -> impl Future<Output = Result<Vec<Placement>, StoreError>> + Send;

    /// Applies a step if the placement still has `from`'s status, in one transaction with its
    /// event and the participant's facts that follow. A start checks, inside it, that the
    /// opening has a place free and that the participant has started no other placement. A
    /// start, or an end of a started placement, queues the opening and the participant for
    /// the index (free places and who is placed change what matching sees).
    fn step_placement(
        &self,
        step: &PlacementStep,
    ) -> impl Future<Output = Result<StepApplied, StoreError>> + Send;

    /// Moves an employer's waiting proposals to `proposed`, oldest first, while the proposals
    /// it got since `month_start` stay under its cap. Returns how many moved.
    fn release_waiting(
        &self,
        employer_id: Id,
        month_start: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Sets or (with `None`) removes an employer's monthly cap on proposals. `false` when
    /// there is no such employer.
    fn set_employer_cap(
        &self,
        employer_id: Id,
        monthly_proposals: Option<u32>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The caps of these employers and how much of this month's each has taken; employers
    /// that do not exist are skipped.
    fn employer_caps(
        &self,
        employer_ids: &[Id],
        month_start: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(Id, CapState)>, StoreError>> + Send;

    /// How many started placements each opening has, of these openings (`None`: of all),
    /// leaving out openings with none.
    fn started_per_opening(
        &self,
        opening_ids: Option<&[Id]>,
    ) -> impl Future<Output = Result<Vec<(Id, i64)>, StoreError>> + Send;

    /// Of these participants (`None`: of all), those out of matching: with a started
    /// placement, or whose status is job, studies or left. Ascending.
    fn unavailable_participants(
        &self,
        participant_ids: Option<&[Id]>,
    ) -> impl Future<Output = Result<Vec<Id>, StoreError>> + Send;

    /// How the proposals to each opening that has had any have gone: what the track records
    /// learn from.
    fn placement_counts(
        &self,
    ) -> impl Future<Output = Result<Vec<OpeningCounts>, StoreError>> + Send;

    // -----------------------------------------------------------------------------------------
    // Subscriptions and alerts

    /// Stores a subscription.
    fn create_subscription(
        &self,
        user_id: Id,
        target: &SubscriptionTarget,
        threshold: f64,
        webhook_url: Option<&str>,
    ) -> impl Future<Output = Result<Subscription, StoreError>> + Send;

    /// A user's subscriptions (`None`: everyone's), oldest first.
    fn subscriptions(
        &self,
        user_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<Subscription>, StoreError>> + Send;

    /// Removes a user's subscription and its alerts; `false` when the user has no such one.
    fn delete_subscription(
        &self,
        id: Id,
        user_id: Id,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records matches, each once per subscription, opening and participant whoever records
    /// it first (several instances find the same ones); those of a subscription with a webhook
    /// are due for delivery at `now`. Returns how many were new.
    fn insert_alerts(
        &self,
        alerts: &[NewAlert],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// A user's alerts recorded since they last looked, oldest first, at most `limit`; what
    /// is returned counts as looked at.
    fn take_alerts(
        &self,
        user_id: Id,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<AlertRecord>, StoreError>> + Send;

    /// Alerts due for delivery at `now`, with their webhook, oldest first, each claimed for
    /// [`DELIVERY_CLAIM`](super::DELIVERY_CLAIM) so no other instance posts it meanwhile.
    fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<DueAlert>, StoreError>> + Send;

    /// Records what came of a delivery of these alerts (one more attempt each).
    fn record_delivery(
        &self,
        ids: &[Id],
        delivery: Delivery,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Implements [`Backend`] for a backend type `$store` with a `pool` field whose resource
/// submodules (`employers`, `openings`, `participants`, `access_log`, `users`, `outbox`,
/// `import`) each hold a function per method, of the method's name, taking `&pool` first.
/// Both backends are laid out that way, so the mapping of contract to files is written once.
/// Invoked inside the backend's module, where those submodules and the domain types resolve.
macro_rules! resource_backend {
    ($store:ty) => {
        impl $crate::store::Backend for $store {
            async fn close(&self) {
                self.pool.close().await
            }

            async fn create_employer(
                &self,
                name: &str,
                org_number: Option<&str>,
                municipality_code: Option<&str>,
            ) -> Result<Employer, StoreError> {
                employers::create_employer(&self.pool, name, org_number, municipality_code).await
            }

            async fn employer(&self, id: Id) -> Result<Option<Employer>, StoreError> {
                employers::employer(&self.pool, id).await
            }

            async fn create_opening(&self, opening: &Opening) -> Result<Opening, StoreError> {
                openings::create_opening(&self.pool, opening).await
            }

            async fn opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
                openings::opening(&self.pool, id).await
            }

            async fn update_opening(
                &self,
                id: Id,
                opening: &Opening,
            ) -> Result<Option<Opening>, StoreError> {
                openings::update_opening(&self.pool, id, opening).await
            }

            async fn close_opening(&self, id: Id) -> Result<Option<Opening>, StoreError> {
                openings::close_opening(&self.pool, id).await
            }

            async fn openings(&self, ids: &[Id]) -> Result<Vec<Opening>, StoreError> {
                openings::openings(&self.pool, ids).await
            }

            async fn openings_after(
                &self,
                after: Id,
                limit: i64,
            ) -> Result<Vec<Opening>, StoreError> {
                openings::openings_after(&self.pool, after, limit).await
            }

            async fn employer_openings(&self, employer_id: Id) -> Result<Vec<Opening>, StoreError> {
                openings::employer_openings(&self.pool, employer_id).await
            }

            async fn create_participant(
                &self,
                identity: &Identity,
                profile: &Profile,
                coach_id: Option<Id>,
            ) -> Result<Participant, StoreError> {
                participants::create_participant(&self.pool, identity, profile, coach_id).await
            }

            async fn participant(&self, id: Id) -> Result<Option<Participant>, StoreError> {
                participants::participant(&self.pool, id).await
            }

            async fn update_participant(
                &self,
                id: Id,
                identity: &Identity,
                profile: &Profile,
                coach_id: Option<Id>,
            ) -> Result<Option<Participant>, StoreError> {
                participants::update_participant(&self.pool, id, identity, profile, coach_id).await
            }

            async fn erase_participant(&self, id: Id) -> Result<bool, StoreError> {
                participants::erase_participant(&self.pool, id).await
            }

            async fn participant_coach(&self, id: Id) -> Result<Option<Option<Id>>, StoreError> {
                participants::participant_coach(&self.pool, id).await
            }

            async fn delete_participant(&self, id: Id) -> Result<bool, StoreError> {
                participants::delete_participant(&self.pool, id).await
            }

            async fn participant_profile(&self, id: Id) -> Result<Option<Profile>, StoreError> {
                participants::participant_profile(&self.pool, id).await
            }

            async fn profiles(&self, ids: &[Id]) -> Result<Vec<(Id, Profile)>, StoreError> {
                participants::profiles(&self.pool, ids).await
            }

            async fn all_profiles(&self) -> Result<Vec<(Id, Profile)>, StoreError> {
                participants::all_profiles(&self.pool).await
            }

            async fn log_reads(&self, entries: &[AccessEntry]) -> Result<(), StoreError> {
                access_log::log_reads(&self.pool, entries).await
            }

            async fn access_log(
                &self,
                participant_id: Option<Id>,
                offset: i64,
                limit: i64,
            ) -> Result<Vec<AccessRecord>, StoreError> {
                access_log::access_log(&self.pool, participant_id, offset, limit).await
            }

            async fn create_user(
                &self,
                role: Role,
                name: &str,
                employer_id: Option<Id>,
            ) -> Result<User, StoreError> {
                users::create_user(&self.pool, role, name, employer_id).await
            }

            async fn user(&self, id: Id) -> Result<Option<User>, StoreError> {
                users::user(&self.pool, id).await
            }

            async fn create_token(
                &self,
                user_id: Id,
                selector: &str,
                verifier_hash: &[u8],
            ) -> Result<(), StoreError> {
                users::create_token(&self.pool, user_id, selector, verifier_hash).await
            }

            async fn token(
                &self,
                selector: &str,
            ) -> Result<Option<(TokenRecord, Vec<u8>)>, StoreError> {
                users::token(&self.pool, selector).await
            }

            async fn revoke_token(&self, selector: &str) -> Result<bool, StoreError> {
                users::revoke_token(&self.pool, selector).await
            }

            async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
                users::tokens(&self.pool).await
            }

            async fn outbox_after(
                &self,
                after_seq: i64,
                limit: i64,
            ) -> Result<Vec<OutboxEntry>, StoreError> {
                outbox::outbox_after(&self.pool, after_seq, limit).await
            }

            async fn outbox_head(&self) -> Result<i64, StoreError> {
                outbox::outbox_head(&self.pool).await
            }

            async fn counts(&self) -> Result<Counts, StoreError> {
                outbox::counts(&self.pool).await
            }

            async fn import(
                &self,
                employers: &[Employer],
                openings: &[Opening],
                participants: &[(Identity, Profile)],
                coach_id: Option<Id>,
            ) -> Result<ImportReport, StoreError> {
                import::import(&self.pool, employers, openings, participants, coach_id).await
            }

            async fn apply_ads(
                &self,
                ads: &[$crate::store::AdWrite],
            ) -> Result<Vec<$crate::store::AdApplied>, StoreError> {
                import::apply_ads(&self.pool, ads).await
            }

            async fn sync_state(&self, feed: &str) -> Result<Option<String>, StoreError> {
                import::sync_state(&self.pool, feed).await
            }

            async fn set_sync_state(&self, feed: &str, applied_to: &str) -> Result<(), StoreError> {
                import::set_sync_state(&self.pool, feed, applied_to).await
            }

            async fn save_taxonomy(
                &self,
                new: &$crate::store::NewTaxonomy,
            ) -> Result<$crate::store::TaxonomyVersion, StoreError> {
                taxonomy::save_taxonomy(&self.pool, new).await
            }

            async fn current_taxonomy(
                &self,
            ) -> Result<Option<$crate::store::StoredTaxonomy>, StoreError> {
                taxonomy::current_taxonomy(&self.pool).await
            }

            async fn taxonomy_versions(
                &self,
            ) -> Result<Vec<$crate::store::TaxonomyVersion>, StoreError> {
                taxonomy::taxonomy_versions(&self.pool).await
            }

            async fn caseload(&self, coach_id: Option<Id>) -> Result<Vec<Id>, StoreError> {
                allocations::caseload(&self.pool, coach_id).await
            }

            async fn set_policy(
                &self,
                name: &str,
                weights: &str,
                created_by: Option<Id>,
            ) -> Result<$crate::store::PolicyRecord, StoreError> {
                allocations::set_policy(&self.pool, name, weights, created_by).await
            }

            async fn policy(
                &self,
                name: Option<&str>,
            ) -> Result<Option<$crate::store::PolicyRecord>, StoreError> {
                allocations::policy(&self.pool, name).await
            }

            async fn policies(&self) -> Result<Vec<$crate::store::PolicyRecord>, StoreError> {
                allocations::policies(&self.pool).await
            }

            async fn save_allocation(
                &self,
                created_by: Option<Id>,
                body: &str,
            ) -> Result<Id, StoreError> {
                allocations::save_allocation(&self.pool, created_by, body).await
            }

            async fn allocation(
                &self,
                id: Id,
            ) -> Result<Option<$crate::store::AllocationRecord>, StoreError> {
                allocations::allocation(&self.pool, id).await
            }

            async fn exposure(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(Id, String, i64)>, StoreError> {
                allocations::exposure(&self.pool, from, to).await
            }

            async fn allocations_between(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::store::AllocationRecord>, StoreError> {
                allocations::allocations_between(&self.pool, from, to).await
            }

            async fn set_programme(
                &self,
                participant_id: Id,
                facts: &str,
                unit: Option<&str>,
                user_id: Option<Id>,
            ) -> Result<bool, StoreError> {
                programme::set_programme(&self.pool, participant_id, facts, unit, user_id).await
            }

            async fn programme_history(
                &self,
                participant_id: Id,
            ) -> Result<Vec<$crate::store::FactsRecord>, StoreError> {
                programme::programme_history(&self.pool, participant_id).await
            }

            async fn programmes(
                &self,
                coach_id: Option<Id>,
            ) -> Result<Vec<(Id, String)>, StoreError> {
                programme::programmes(&self.pool, coach_id).await
            }

            async fn set_unit_limits(&self, unit: &str, limits: &str) -> Result<(), StoreError> {
                programme::set_unit_limits(&self.pool, unit, limits).await
            }

            async fn unit_limits(&self) -> Result<Vec<(String, String)>, StoreError> {
                programme::unit_limits(&self.pool).await
            }

            async fn create_placement(
                &self,
                new: &$crate::store::NewPlacement,
            ) -> Result<$crate::store::PlacementCreated, StoreError> {
                placements::create_placement(&self.pool, new).await
            }

            async fn placement(
                &self,
                id: Id,
            ) -> Result<Option<$crate::model::Placement>, StoreError> {
                placements::placement(&self.pool, id).await
            }

            async fn placements(
                &self,
                filter: &$crate::store::PlacementFilter,
            ) -> Result<Vec<$crate::model::Placement>, StoreError> {
                placements::placements(&self.pool, filter).await
            }

            async fn step_placement(
                &self,
                step: &$crate::store::PlacementStep,
            ) -> Result<$crate::store::StepApplied, StoreError> {
                placements::step_placement(&self.pool, step).await
            }

            async fn release_waiting(
                &self,
                employer_id: Id,
                month_start: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, StoreError> {
                placements::release_waiting(&self.pool, employer_id, month_start).await
            }

            async fn set_employer_cap(
                &self,
                employer_id: Id,
                monthly_proposals: Option<u32>,
            ) -> Result<bool, StoreError> {
                placements::set_employer_cap(&self.pool, employer_id, monthly_proposals).await
            }

            async fn employer_caps(
                &self,
                employer_ids: &[Id],
                month_start: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(Id, $crate::store::CapState)>, StoreError> {
                placements::employer_caps(&self.pool, employer_ids, month_start).await
            }

            async fn started_per_opening(
                &self,
                opening_ids: Option<&[Id]>,
            ) -> Result<Vec<(Id, i64)>, StoreError> {
                placements::started_per_opening(&self.pool, opening_ids).await
            }

            async fn unavailable_participants(
                &self,
                participant_ids: Option<&[Id]>,
            ) -> Result<Vec<Id>, StoreError> {
                placements::unavailable_participants(&self.pool, participant_ids).await
            }

            async fn placement_counts(
                &self,
            ) -> Result<Vec<$crate::store::OpeningCounts>, StoreError> {
                placements::placement_counts(&self.pool).await
            }

            async fn create_subscription(
                &self,
                user_id: Id,
                target: &$crate::store::SubscriptionTarget,
                threshold: f64,
                webhook_url: Option<&str>,
            ) -> Result<$crate::store::Subscription, StoreError> {
                alerts::create_subscription(&self.pool, user_id, target, threshold, webhook_url)
                    .await
            }

            async fn subscriptions(
                &self,
                user_id: Option<Id>,
            ) -> Result<Vec<$crate::store::Subscription>, StoreError> {
                alerts::subscriptions(&self.pool, user_id).await
            }

            async fn delete_subscription(&self, id: Id, user_id: Id) -> Result<bool, StoreError> {
                alerts::delete_subscription(&self.pool, id, user_id).await
            }

            async fn insert_alerts(
                &self,
                new: &[$crate::store::NewAlert],
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, StoreError> {
                alerts::insert_alerts(&self.pool, new, now).await
            }

            async fn take_alerts(
                &self,
                user_id: Id,
                limit: i64,
            ) -> Result<Vec<$crate::store::AlertRecord>, StoreError> {
                alerts::take_alerts(&self.pool, user_id, limit).await
            }

            async fn due_deliveries(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> Result<Vec<$crate::store::DueAlert>, StoreError> {
                alerts::due_deliveries(&self.pool, now, limit).await
            }

            async fn record_delivery(
                &self,
                ids: &[Id],
                delivery: $crate::store::Delivery,
            ) -> Result<(), StoreError> {
                alerts::record_delivery(&self.pool, ids, delivery).await
            }
        }
    };
}
pub(super) use resource_backend;
