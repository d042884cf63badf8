//! The storage layer: the database is the source of truth for employers, openings and
//! participants, and this module is the only code that speaks SQL.
//!
//! One interface, one backend per database:
//! - [`Backend`] (`backend.rs`) is the contract, documented method by method: what each call
//!   writes, queues for the index and returns.
//! - [`SqliteStore`] (`sqlite/`) implements it for one SQLite file, the default;
//!   [`PostgresStore`] (`postgres/`) for a PostgreSQL database several instances share. Both
//!   pass the same store tests (`tests/`, which run every test on each backend).
//! - [`Store`] is the handle callers hold: an enum with one arm per backend, whose methods
//!   forward to the arm through one macro, so callers never name a backend.
//! - `codec` holds the encodings both backends share (enum spellings, JSON columns, row
//!   structs), so both store the same forms; `error` holds [`StoreError`].
//!
//! Two promises the rest of the system leans on:
//! - **Outbox.** Every change to an opening or a participant profile writes an [`OutboxEntry`]
//!   in the same transaction, so the search index, which follows the outbox in sequence order,
//!   never misses or invents a change. The follower's cursor (`seq > applied`) is only sound if
//!   no lower `seq` commits after a higher one; SQLite gives that by having one writer, and
//!   [`Backend::outbox_after`] says what a PostgreSQL backend must do instead.
//! - **Personal data apart.** A participant's identity (name, personal number, contact) lives
//!   in its own table, apart from the matchable [`Profile`]. Bulk reads for matching
//!   ([`Store::all_profiles`]) never touch it, and reads of a participant are recorded through
//!   [`Store::log_reads`]. The outbox and the access log hold ids only.
//!
//! What this module must not do: ranking, taxonomy look-ups, authorisation (callers decide who
//! may read what; this module records that they did), or let sqlx rows escape.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::model::{
    Employer, EmploymentForm, Id, Identity, Opening, OpeningKind, Outcome, Participant, Placement,
    PlacementStatus, Profile, Role, User,
};

mod ads;
mod backend;
mod codec;
mod error;
mod postgres;
mod scratch;
mod sqlite;
#[cfg(test)]
mod tests;

pub use backend::Backend;
pub use error::StoreError;
pub use postgres::{ChangeListener, PostgresStore};
pub use scratch::ScratchDatabase;
pub use sqlite::SqliteStore;

/// A handle on the database; cheap to clone (it wraps a connection pool).
///
/// An enum over the [`Backend`]s rather than a trait object: the trait's `async fn`s are not
/// object-safe, and static dispatch keeps each backend plain, statically checked code.
#[derive(Clone, Debug)]
pub enum Store {
    /// A SQLite file in WAL mode: the default, single-instance deployment.
    Sqlite(SqliteStore),
    /// A PostgreSQL database, which several instances can share.
    Postgres(PostgresStore),
}

/// Which kind of object an outbox row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Opening,
    Participant,
    /// A new taxonomy version (its id is the version): followers build it and swap it in.
    Taxonomy,
}

/// What happened to the object: the indexer re-reads it on `Upsert` and drops it on `Delete`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Delete,
}

/// One committed change, in commit order. Carries ids only: consumers re-read the current
/// state, so replaying an entry twice is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    /// Strictly increasing; the indexer stores the last one it applied. That cursor is sound
    /// only while no lower `seq` can commit after a higher one: see [`Backend::outbox_after`].
    pub seq: i64,
    pub entity: Entity,
    pub entity_id: Id,
    pub op: Op,
}

/// A version of a priority policy: a weight per priority group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRecord {
    pub name: String,
    pub version: i64,
    /// JSON object of priority group → weight.
    pub weights: String,
    pub created_at: DateTime<Utc>,
}

/// One version of a participant's programme facts (JSON), when and by whom it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactsRecord {
    pub facts: String,
    pub at: DateTime<Utc>,
    pub user_id: Option<Id>,
}

/// A proposal to store: the participant, the opening and its employer and kind, and the
/// windows its checks count in.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPlacement {
    pub participant_id: Id,
    pub opening_id: Id,
    pub employer_id: Id,
    pub kind: OpeningKind,
    pub created_by: Option<Id>,
    pub role: Role,
    pub now: DateTime<Utc>,
    /// The start of the month the employer's cap counts proposals in.
    pub month_start: DateTime<Utc>,
    /// A proposal of the same participant to the same employer made since then is refused.
    pub duplicate_since: DateTime<Utc>,
}

/// What storing a proposal did.
#[derive(Clone, Debug, PartialEq)]
pub enum PlacementCreated {
    /// Stored: `proposed`, or `waiting` when the employer's cap for the month is reached.
    Created(Placement),
    /// The same participant was proposed to the same employer within the window: this one.
    Duplicate(Id),
}

/// A step of a placement to apply, if it still stands where the caller saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementStep {
    pub id: Id,
    /// The status the caller read; the step applies only from it.
    pub from: PlacementStatus,
    pub to: PlacementStatus,
    pub outcome: Option<Outcome>,
    pub form: Option<EmploymentForm>,
    pub user_id: Option<Id>,
    pub role: Role,
    pub at: DateTime<Utc>,
    /// The participant's programme facts as they follow from the step (JSON) and their unit,
    /// written in the same transaction, with a version in the history.
    pub facts: Option<(String, Option<String>)>,
}

/// What applying a step did.
#[derive(Clone, Debug, PartialEq)]
pub enum StepApplied {
    Done(Placement),
    /// The placement is no longer where the caller saw it (another step came first), or gone.
    Moved,
    /// A start with every place of the opening taken by started placements.
    OpeningFull,
    /// A start of a participant who has started another placement.
    ParticipantPlaced(Id),
}

/// Which placements to list; every filter given must hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlacementFilter {
    pub participant_ids: Option<Vec<Id>>,
    pub opening_id: Option<Id>,
    pub employer_id: Option<Id>,
    /// Placements of this coach's participants.
    pub coach_id: Option<Id>,
    pub status: Option<PlacementStatus>,
    /// Only proposals the employer has got: never those its cap held back, even once
    /// withdrawn while they waited.
    pub without_waiting: bool,
    pub offset: i64,
    /// `None`: every one.
    pub limit: Option<i64>,
}

/// How the proposals to one opening have gone.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OpeningCounts {
    pub opening_id: Id,
    pub employer_id: Id,
    /// Proposals the employer got (not those still held back by its cap).
    pub proposed: i64,
    pub started: i64,
    /// Internship placements ended, and those that ended in a job.
    pub internships_ended: i64,
    pub internships_to_jobs: i64,
}

/// An employer's cap on proposals and how much of this month's it has taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapState {
    /// `None`: no cap.
    pub monthly_proposals: Option<u32>,
    /// Proposals the employer got since the month began.
    pub used: i64,
    /// Proposals held back, oldest first when the cap allows.
    pub waiting: i64,
}

/// What a subscription follows.
#[derive(Clone, Debug, PartialEq)]
pub enum SubscriptionTarget {
    /// One participant.
    Participant(Id),
    /// Every participant on the subscriber's caseload, as it is when matches are found.
    Caseload,
    /// A saved search, as JSON the service reads.
    Search(String),
}

/// A user's subscription to new matches above a threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub id: Id,
    pub user_id: Id,
    pub target: SubscriptionTarget,
    pub threshold: f64,
    /// Where new matches are also posted, without personal data.
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A match to record for a subscription; a match already recorded is not recorded again.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAlert {
    pub subscription_id: Id,
    pub opening_id: Id,
    pub participant_id: Option<Id>,
    pub score: f64,
}

/// A recorded match.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRecord {
    pub id: Id,
    pub subscription_id: Id,
    pub opening_id: Id,
    pub participant_id: Option<Id>,
    pub score: f64,
    pub created_at: DateTime<Utc>,
}

/// How long alerts handed out for delivery are held by the instance posting them: another
/// instance posts them only once this has passed without an answer recorded.
pub const DELIVERY_CLAIM: chrono::Duration = chrono::Duration::seconds(60);

/// An alert due for delivery to its subscription's webhook.
#[derive(Clone, Debug, PartialEq)]
pub struct DueAlert {
    pub alert: AlertRecord,
    pub webhook_url: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// What came of posting alerts to a webhook.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Delivery {
    Delivered(DateTime<Utc>),
    /// Failed; try again at this time.
    Retry(DateTime<Utc>),
    /// Failed too often; no more tries.
    GaveUp,
}

/// A stored allocation: the answer as given, in JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRecord {
    pub id: Id,
    pub created_at: DateTime<Utc>,
    /// The user who asked; `None` for the command line.
    pub created_by: Option<Id>,
    pub body: String,
}

/// A taxonomy version to store: the whole taxonomy as text, so every instance builds the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTaxonomy {
    /// What was imported, as people should see it (a directory).
    pub source: String,
    /// `extend` or `replace`.
    pub mode: String,
    /// Of `files`: an import whose checksum matches the version in force changes nothing.
    pub checksum: String,
    /// What the import took in and left out, as JSON.
    pub summary: String,
    /// One JSON object of file path → text, in the layout of `fixtures/`.
    pub files: String,
}

/// A stored taxonomy version, without its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxonomyVersion {
    pub version: i64,
    pub imported_at: DateTime<Utc>,
    pub source: String,
    pub mode: String,
    pub checksum: String,
    pub summary: String,
}

/// A stored taxonomy version with its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredTaxonomy {
    pub version: TaxonomyVersion,
    pub files: String,
}

/// Row counts for health and status endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub employers: i64,
    pub openings: i64,
    pub open_openings: i64,
    pub participants: i64,
}

/// One read of a participant, to be logged: who, in which role, on which route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    pub participant_id: Id,
    pub user_id: Option<Id>,
    pub role: Role,
    /// The caller as the log shows it (`user:7`, `system:import`): ids only.
    pub actor: String,
    /// The route or use case the read served, e.g. `GET /v1/participants/{id}`.
    pub action: String,
}

/// A row of the access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessRecord {
    pub id: Id,
    pub participant_id: Id,
    pub user_id: Option<Id>,
    /// `None` for rows written before roles existed.
    pub role: Option<Role>,
    pub actor: String,
    pub action: String,
    pub at: DateTime<Utc>,
}

/// A bearer token as listed: never the token itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: Id,
    pub user: User,
    /// The public half of the token, by which it is found and revoked.
    pub selector: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What [`Store::import`] wrote. The id lists are in input order, so the caller can map its
/// input onto the new database ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub employers: usize,
    pub openings: usize,
    pub participants: usize,
    pub employer_ids: Vec<Id>,
    pub opening_ids: Vec<Id>,
    pub participant_ids: Vec<Id>,
}

/// One published ad to apply: the opening it describes, whose `source` names the ad, and its
/// employer, found again by organisation number (by name when it has none) or created.
#[derive(Clone, Debug, PartialEq)]
pub struct AdWrite {
    pub employer: Employer,
    pub opening: Opening,
    /// The ad was taken down: its opening closes, and a removed ad never seen writes nothing.
    pub removed: bool,
}

/// What applying one ad did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdApplied {
    Created(Id),
    Updated(Id),
    Closed(Id),
    /// Already as the ad says; `None` for a removed ad that was never imported.
    Unchanged(Option<Id>),
    /// The database refused this ad; nothing of it was written and the others went on.
    Failed(String),
}

impl Store {
    /// Opens (creating if missing) the database a URL names and applies the embedded
    /// migrations, so a fresh deployment needs no setup step.
    ///
    /// Accepts `sqlite:relative/path.db`, `sqlite:///absolute/path.db`, `sqlite::memory:`, and
    /// `postgres://…` or `postgresql://…` (the database must exist). Any other scheme is
    /// [`StoreError::UnsupportedUrl`].
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::open_url(url).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(PostgresStore::open_url(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Opens (creating if missing) a SQLite file by path, for callers that hold a path rather
    /// than a URL (tests, the default data directory).
    pub async fn open_sqlite_file(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::Sqlite(SqliteStore::open_file(path).await?))
    }

    /// Notifications of commits by any process sharing the database, where the backend has
    /// them (PostgreSQL's LISTEN/NOTIFY); `None` for SQLite, whose followers poll the file.
    pub async fn change_listener(&self) -> Result<Option<ChangeListener>, StoreError> {
        match self {
            Store::Sqlite(_) => Ok(None),
            Store::Postgres(postgres) => postgres.change_listener().await.map(Some),
        }
    }

    /// The backend's name as status reports show it: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// True when there are no employers, openings or participants, so demo data can be loaded
    /// without mixing into real data.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let c = self.counts().await?;
        Ok(c.employers == 0 && c.openings == 0 && c.participants == 0)
    }

    /// Every opening, open and closed, in id order, handed to `each` a page at a time: a
    /// rebuild reads a million openings without holding their texts all at once.
    pub async fn openings_in_pages(
        &self,
        mut each: impl FnMut(Vec<Opening>),
    ) -> Result<(), StoreError> {
        const PAGE: i64 = 5_000;
        let mut after = 0;
        loop {
            let page = self.openings_after(after, PAGE).await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.id;
            let full = page.len() as i64 == PAGE;
            each(page);
            if !full {
                return Ok(());
            }
        }
    }
}

/// Writes `Store`'s forwarding methods: for each [`Backend`] method, an inherent method of the
/// same name and signature that calls it on the arm's backend. Inherent, so callers need not
/// import the trait; generated, so the one `match` over backends is written once, here. The
/// compiler checks each signature against the trait's, since the body calls it.
macro_rules! forward {
    ($( fn $name:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) $(-> $ret:ty)?; )*) => {
        impl Store {
            $(
                #[doc = concat!("See [`Backend::", stringify!($name), "`].")]
                pub async fn $name(&self $(, $arg: $ty)*) $(-> $ret)? {
                    match self {
                        Store::Sqlite(backend) => backend.$name($($arg),*).await,
                        Store::Postgres(backend) => backend.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

forward! {
    fn close(&self);

    fn create_employer(
        &self,
        name: &str,
        org_number: Option<&str>,
        municipality_code: Option<&str>,
    ) -> Result<Employer, StoreError>;
    fn employer(&self, id: Id) -> Result<Option<Employer>, StoreError>;

    fn create_opening(&self, opening: &Opening) -> Result<Opening, StoreError>;
    fn opening(&self, id: Id) -> Result<Option<Opening>, StoreError>;
    fn update_opening(&self, id: Id, opening: &Opening) -> Result<Option<Opening>, StoreError>;
    fn close_opening(&self, id: Id) -> Result<Option<Opening>, StoreError>;
    fn openings(&self, ids: &[Id]) -> Result<Vec<Opening>, StoreError>;
    fn openings_after(&self, after: Id, limit: i64) -> Result<Vec<Opening>, StoreError>;
    fn employer_openings(&self, employer_id: Id) -> Result<Vec<Opening>, StoreError>;

    fn create_participant(
        &self,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> Result<Participant, StoreError>;
    fn participant(&self, id: Id) -> Result<Option<Participant>, StoreError>;
    fn update_participant(
        &self,
        id: Id,
        identity: &Identity,
        profile: &Profile,
        coach_id: Option<Id>,
    ) -> Result<Option<Participant>, StoreError>;
    fn delete_participant(&self, id: Id) -> Result<bool, StoreError>;
    fn erase_participant(&self, id: Id) -> Result<bool, StoreError>;
    fn participant_coach(&self, id: Id) -> Result<Option<Option<Id>>, StoreError>;
    fn participant_profile(&self, id: Id) -> Result<Option<Profile>, StoreError>;
    fn profiles(&self, ids: &[Id]) -> Result<Vec<(Id, Profile)>, StoreError>;
    fn all_profiles(&self) -> Result<Vec<(Id, Profile)>, StoreError>;

    fn log_reads(&self, entries: &[AccessEntry]) -> Result<(), StoreError>;
    fn access_log(
        &self,
        participant_id: Option<Id>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<AccessRecord>, StoreError>;

    fn create_user(&self, role: Role, name: &str, employer_id: Option<Id>) -> Result<User, StoreError>;
    fn user(&self, id: Id) -> Result<Option<User>, StoreError>;
    fn create_token(&self, user_id: Id, selector: &str, verifier_hash: &[u8]) -> Result<(), StoreError>;
    fn token(&self, selector: &str) -> Result<Option<(TokenRecord, Vec<u8>)>, StoreError>;
    fn revoke_token(&self, selector: &str) -> Result<bool, StoreError>;
    fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;

    fn outbox_after(&self, after_seq: i64, limit: i64) -> Result<Vec<OutboxEntry>, StoreError>;
    fn outbox_head(&self) -> Result<i64, StoreError>;
    fn counts(&self) -> Result<Counts, StoreError>;

    fn import(
        &self,
        employers: &[Employer],
        openings: &[Opening],
        participants: &[(Identity, Profile)],
        coach_id: Option<Id>,
    ) -> Result<ImportReport, StoreError>;
    fn apply_ads(&self, ads: &[AdWrite]) -> Result<Vec<AdApplied>, StoreError>;
    fn sync_state(&self, feed: &str) -> Result<Option<String>, StoreError>;
    fn set_sync_state(&self, feed: &str, applied_to: &str) -> Result<(), StoreError>;
    fn save_taxonomy(&self, taxonomy: &NewTaxonomy) -> Result<TaxonomyVersion, StoreError>;
    fn current_taxonomy(&self) -> Result<Option<StoredTaxonomy>, StoreError>;
    fn taxonomy_versions(&self) -> Result<Vec<TaxonomyVersion>, StoreError>;
    fn caseload(&self, coach_id: Option<Id>) -> Result<Vec<Id>, StoreError>;
    fn set_policy(
        &self,
        name: &str,
        weights: &str,
        created_by: Option<Id>,
    ) -> Result<PolicyRecord, StoreError>;
    fn policy(&self, name: Option<&str>) -> Result<Option<PolicyRecord>, StoreError>;
    fn policies(&self) -> Result<Vec<PolicyRecord>, StoreError>;
    fn save_allocation(&self, created_by: Option<Id>, body: &str) -> Result<Id, StoreError>;
    fn allocation(&self, id: Id) -> Result<Option<AllocationRecord>, StoreError>;
    fn exposure(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(Id, String, i64)>, StoreError>;
    fn allocations_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<AllocationRecord>, StoreError>;
    fn set_programme(
        &self,
        participant_id: Id,
        facts: &str,
        unit: Option<&str>,
        user_id: Option<Id>,
    ) -> Result<bool, StoreError>;
    fn programme_history(&self, participant_id: Id) -> Result<Vec<FactsRecord>, StoreError>;
    fn programmes(&self, coach_id: Option<Id>) -> Result<Vec<(Id, String)>, StoreError>;
    fn set_unit_limits(&self, unit: &str, limits: &str) -> Result<(), StoreError>;
    fn unit_limits(&self) -> Result<Vec<(String, String)>, StoreError>;
    fn create_placement(&self, new: &NewPlacement) -> Result<PlacementCreated, StoreError>;
    fn placement(&self, id: Id) -> Result<Option<Placement>, StoreError>;
    fn placements(&self, filter: &PlacementFilter) -> Result<Vec<Placement>, StoreError>;
    fn step_placement(&self, step: &PlacementStep) -> Result<StepApplied, StoreError>;
    fn release_waiting(&self, employer_id: Id, month_start: DateTime<Utc>) -> Result<u64, StoreError>;
    fn set_employer_cap(&self, employer_id: Id, monthly_proposals: Option<u32>) -> Result<bool, StoreError>;
    fn employer_caps(
        &self,
        employer_ids: &[Id],
        month_start: DateTime<Utc>,
    ) -> Result<Vec<(Id, CapState)>, StoreError>;
    fn started_per_opening(&self, opening_ids: Option<&[Id]>) -> Result<Vec<(Id, i64)>, StoreError>;
    fn unavailable_participants(&self, participant_ids: Option<&[Id]>) -> Result<Vec<Id>, StoreError>;
    fn placement_counts(&self) -> Result<Vec<OpeningCounts>, StoreError>;
    fn create_subscription(
        &self,
        user_id: Id,
        target: &SubscriptionTarget,
        threshold: f64,
        webhook_url: Option<&str>,
    ) -> Result<Subscription, StoreError>;
    fn subscriptions(&self, user_id: Option<Id>) -> Result<Vec<Subscription>, StoreError>;
    fn delete_subscription(&self, id: Id, user_id: Id) -> Result<bool, StoreError>;
    fn insert_alerts(&self, alerts: &[NewAlert], now: DateTime<Utc>) -> Result<u64, StoreError>;
    fn take_alerts(&self, user_id: Id, limit: i64) -> Result<Vec<AlertRecord>, StoreError>;
    fn due_deliveries(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<DueAlert>, StoreError>;
    fn record_delivery(&self, ids: &[Id], delivery: Delivery) -> Result<(), StoreError>;
}
