//! Domain types shared by every layer: employers, openings, participants and the small value
//! types they are made of. Plain data with serde; no I/O, no taxonomy look-ups (those live in
//! `taxonomy`), no scoring (that lives in `rank`).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Database identity of an employer, opening or participant.
pub type Id = i64;

/// A concept id in Arbetsförmedlingen's JobTech taxonomy, e.g. `ijHY_aHk_ADE`.
///
/// Skills, occupations, municipalities, languages and licences are all identified this way,
/// so data exchanged with other Swedish systems keeps its meaning.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(example = "ijHY_aHk_ADE")]
pub struct ConceptId(pub String);

impl ConceptId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConceptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A term after normalisation: either a taxonomy concept, or the free text that matched none.
///
/// Free text is kept rather than dropped: it still counts in the text score and a coach can
/// see what was not understood.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Term {
    Concept {
        id: ConceptId,
        label: String,
        /// What the user wrote, when it differs from the label.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input: Option<String>,
    },
    FreeText {
        text: String,
    },
}

impl Term {
    pub fn concept_id(&self) -> Option<&ConceptId> {
        match self {
            Term::Concept { id, .. } => Some(id),
            Term::FreeText { .. } => None,
        }
    }

    /// The human-readable form: the concept's label or the free text.
    pub fn text(&self) -> &str {
        match self {
            Term::Concept { label, .. } => label,
            Term::FreeText { text } => text,
        }
    }
}

/// An SSYK 2012 occupation group code. Level 4 is the full four digits; the prefixes are the
/// level-3, level-2 and level-1 parents, which is what makes "related occupation" computable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SsykCode(u16);

impl SsykCode {
    /// Builds a level-4 code from its number (`9111`, or `110` for "0110").
    pub fn new(code: u16) -> Option<Self> {
        (code <= 9999).then_some(SsykCode(code))
    }

    pub fn value(self) -> u16 {
        self.0
    }

    /// How many leading digits two level-4 codes share (0 to 4).
    pub fn shared_digits(self, other: SsykCode) -> u8 {
        if self.0 == other.0 {
            4
        } else if self.0 / 10 == other.0 / 10 {
            3
        } else if self.0 / 100 == other.0 / 100 {
            2
        } else if self.0 / 1000 == other.0 / 1000 {
            1
        } else {
            0
        }
    }
}

impl fmt::Display for SsykCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl FromStr for SsykCode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u16>().ok().and_then(SsykCode::new).ok_or(())
        } else {
            Err(())
        }
    }
}

impl Serialize for SsykCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Described as it is serialised: a four-digit string, not the number inside.
impl utoipa::PartialSchema for SsykCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some("^[0-9]{4}$"))
            .description(Some(
                "An SSYK 2012 level-4 occupation group code: four digits.",
            ))
            .examples(["9111"])
            .into()
    }
}

impl ToSchema for SsykCode {}

impl<'de> Deserialize<'de> for SsykCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|()| {
            serde::de::Error::custom(format!("invalid SSYK code {s:?}; expected four digits"))
        })
    }
}

/// Swedish proficiency on one ordered scale, CEFR A1 to C2. SFI and SAS course levels are
/// mapped onto it when parsed (see `taxonomy::swedish`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum SwedishLevel {
    A1,
    A2,
    B1,
    B2,
    C1,
    C2,
}

/// The band of a Swedish level that statistics group by: `A1–A2`, `B1–B2`, `C1–C2`, or
/// `unknown` when none is recorded.
pub fn swedish_band(level: Option<SwedishLevel>) -> &'static str {
    match level {
        Some(SwedishLevel::A1 | SwedishLevel::A2) => "A1–A2",
        Some(SwedishLevel::B1 | SwedishLevel::B2) => "B1–B2",
        Some(SwedishLevel::C1 | SwedishLevel::C2) => "C1–C2",
        None => "unknown",
    }
}

impl SwedishLevel {
    pub const ALL: [SwedishLevel; 6] = [
        SwedishLevel::A1,
        SwedishLevel::A2,
        SwedishLevel::B1,
        SwedishLevel::B2,
        SwedishLevel::C1,
        SwedishLevel::C2,
    ];

    /// Position on the scale, 1 for A1 to 6 for C2; 0 is reserved for "no Swedish yet".
    pub fn step(self) -> u8 {
        self as u8 + 1
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SwedishLevel::A1 => "A1",
            SwedishLevel::A2 => "A2",
            SwedishLevel::B1 => "B1",
            SwedishLevel::B2 => "B2",
            SwedishLevel::C1 => "C1",
            SwedishLevel::C2 => "C2",
        }
    }
}

impl fmt::Display for SwedishLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Mean Earth radius (IUGG), the one every distance in the product is computed with.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point on the map, WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    pub fn distance_km(self, other: GeoPoint) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    pub fn is_valid(self) -> bool {
        (-90.0..=90.0).contains(&self.lat) && (-180.0..=180.0).contains(&self.lon)
    }
}

/// Where a workplace or a home is: a municipality, a point, or both.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// Official four-digit municipality code (kommunkod), e.g. `0180` for Stockholm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<GeoPoint>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpeningKind {
    Vacancy,
    Internship,
}

impl OpeningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpeningKind::Vacancy => "vacancy",
            OpeningKind::Internship => "internship",
        }
    }
}

/// Working time of an opening, or what a participant can take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Hours {
    #[default]
    Full,
    Part,
    /// Participants only: full or part time both work.
    Any,
}

/// The forms of employment Swedish labour-market policy distinguishes, including the
/// subsidised ones that matter most for people far from the labour market.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentForm {
    #[default]
    Ordinary,
    Nystartsjobb,
    Lonebidrag,
    Introduktionsjobb,
    Extratjanst,
    Other,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpeningStatus {
    #[default]
    Open,
    Closed,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    /// Spelt `under_25`, as units write it; `under25` is read too.
    #[serde(rename = "under_25", alias = "under25")]
    Under25,
    Parent,
    NewlyUnemployed,
    LongTermRecipient,
}

impl PriorityGroup {
    /// The group as the wire spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityGroup::Under25 => "under_25",
            PriorityGroup::Parent => "parent",
            PriorityGroup::NewlyUnemployed => "newly_unemployed",
            PriorityGroup::LongTermRecipient => "long_term_recipient",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Employer {
    #[schema(value_type = i64)]
    pub id: Id,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
}

/// A vacancy or an internship slot (praktikplats) with everything matching needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    pub id: Id,
    pub employer_id: Id,
    pub kind: OpeningKind,
    pub title: String,
    pub description: String,
    pub occupation: Option<Occupation>,
    pub skills_required: Vec<Term>,
    pub skills_merit: Vec<Term>,
    pub swedish_min: Option<SwedishLevel>,
    /// A strict minimum excludes participants below it; otherwise it only lowers the score.
    pub swedish_required: bool,
    pub licences: Vec<Term>,
    pub workplace: Place,
    pub places: u32,
    pub start_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub hours: Hours,
    pub employment_form: EmploymentForm,
    /// A supervisor (handledare) can support someone far from the labour market.
    pub supervisor: bool,
    pub status: OpeningStatus,
    /// The published ad this opening was imported from, if any.
    pub source: Option<AdSource>,
}

impl Opening {
    /// The places no started placement has taken.
    pub fn free_places(&self, started: i64) -> u32 {
        u32::try_from((i64::from(self.places) - started).max(0)).unwrap_or(0)
    }
}

/// Platsbanken, Arbetsförmedlingen's job board, the system ads are imported from.
pub const PLATSBANKEN: &str = "platsbanken";

/// A taxonomy concept as an ad names it: kept even when jobmatch's taxonomy does not know it,
/// so the link to the source survives a taxonomy update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConceptRef {
    pub concept_id: ConceptId,
    pub label: String,
}

/// Where an imported opening's ad came from and what of it a coach needs beyond the opening's
/// own fields: how to apply, the ad's own occupation name and languages, and how the Swedish
/// requirement and skills were read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdSource {
    /// The publishing system, e.g. `platsbanken`.
    pub system: String,
    /// The ad's id there: re-importing the same id updates this opening.
    pub external_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation_name: Option<ConceptRef>,
    /// The ad's employment type and duration as it labels them ("Vanlig anställning").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webpage_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationDetails>,
    /// Languages other than Swedish the ad requires or values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages_required: Vec<Term>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages_merit: Vec<Term>,
    /// The ad listed no skills: the opening's skills were found in its headline and text.
    #[serde(default)]
    pub skills_inferred: bool,
    /// How the Swedish requirement was read, when the ad says anything about Swedish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swedish: Option<SwedishEvidence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the publishing system last changed the ad (milliseconds since 1970): an older
    /// version of the ad, from a feed applied again, never overwrites a newer one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_ms: Option<i64>,
}

/// How to apply, as the ad says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// Applications go through Arbetsförmedlingen.
    #[serde(default)]
    pub via_af: bool,
}

/// Where an ad's Swedish requirement came from: its structured language lists, a phrase in its
/// text (`fixtures/swedish_phrases.csv`), or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SwedishEvidence {
    /// `must_have` or `nice_to_have` when the ad lists Svenska.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed: Option<String>,
    /// The sentence the level or its absence was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phrase: Option<String>,
    /// The sentence says Swedish is not required.
    #[serde(default)]
    pub negated: bool,
}

/// An SSYK level-4 occupation group with its JobTech identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Occupation {
    pub code: SsykCode,
    pub concept_id: ConceptId,
    pub label: String,
}

/// Experience in one occupation group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Experience {
    pub occupation: Occupation,
    pub years: f32,
}

/// Who a participant is. Kept apart from the profile: only coaches and admins may read it, and
/// nothing in matching needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// What matching may see of a participant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub skills: Vec<Term>,
    pub occupations: Vec<Experience>,
    pub swedish_level: Option<SwedishLevel>,
    /// Other languages, as JobTech language concepts or free text.
    pub languages: Vec<Term>,
    pub home: Place,
    pub max_travel_km: Option<f64>,
    pub licences: Vec<Term>,
    pub available_from: Option<NaiveDate>,
    pub hours: Hours,
    pub priority_groups: Vec<PriorityGroup>,
    /// Recorded only for statistics and fairness audits, where the participant wants it; never
    /// an input to scoring, and never shown to job matchers or employers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// Where a participant stands in the programme.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeStatus {
    /// Referred, waiting to start.
    #[default]
    Queued,
    Active,
    Internship,
    Job,
    Studies,
    OtherIncome,
    Left,
}

/// A participant's programme facts: the unit and district they belong to, their status, and
/// the times the units' promises run from (at the unit within 48 hours of referral, a plan
/// within 5 days of enrolment, a follow-up within 3 months of the plan).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub unit: Option<String>,
    pub district: Option<String>,
    pub status: ProgrammeStatus,
    /// Applied for support for labour-market reasons.
    pub referred_at: Option<chrono::DateTime<chrono::Utc>>,
    /// First at the unit.
    pub enrolled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub plan_at: Option<chrono::DateTime<chrono::Utc>>,
    pub follow_up_at: Option<chrono::DateTime<chrono::Utc>>,
    pub left_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where a placement stands: a participant proposed to an opening, on the way to a start and
/// an end. `Waiting` is a proposal held back by the employer's monthly cap; it becomes
/// `Proposed` when the cap allows. `Ended`, `Declined` and `Withdrawn` are final.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStatus {
    Waiting,
    Proposed,
    Interview,
    Started,
    Ended,
    Declined,
    Withdrawn,
}

impl PlacementStatus {
    pub const ALL: [PlacementStatus; 7] = [
        PlacementStatus::Waiting,
        PlacementStatus::Proposed,
        PlacementStatus::Interview,
        PlacementStatus::Started,
        PlacementStatus::Ended,
        PlacementStatus::Declined,
        PlacementStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlacementStatus::Waiting => "waiting",
            PlacementStatus::Proposed => "proposed",
            PlacementStatus::Interview => "interview",
            PlacementStatus::Started => "started",
            PlacementStatus::Ended => "ended",
            PlacementStatus::Declined => "declined",
            PlacementStatus::Withdrawn => "withdrawn",
        }
    }

    /// The steps that may follow this one: forward only, never back, nothing after the end.
    pub fn can_become(self, next: PlacementStatus) -> bool {
        use PlacementStatus::*;
        matches!(
            (self, next),
            (Waiting, Proposed | Withdrawn)
                | (Proposed, Interview | Started | Declined | Withdrawn)
                | (Interview, Started | Declined | Withdrawn)
                | (Started, Ended)
        )
    }

    /// Still on its way: what counts against a new proposal and what an employer answers.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PlacementStatus::Ended | PlacementStatus::Declined | PlacementStatus::Withdrawn
        )
    }
}

/// What came of a placement that ended.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = PlacementOutcome)]
pub enum Outcome {
    Job,
    /// A subsidised job; its form (nystartsjobb, lönebidrag, …) is kept beside it.
    SubsidisedJob,
    Internship,
    Studies,
    OtherIncome,
    ReturnedToSupport,
    Left,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Job,
        Outcome::SubsidisedJob,
        Outcome::Internship,
        Outcome::Studies,
        Outcome::OtherIncome,
        Outcome::ReturnedToSupport,
        Outcome::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Job => "job",
            Outcome::SubsidisedJob => "subsidised_job",
            Outcome::Internship => "internship",
            Outcome::Studies => "studies",
            Outcome::OtherIncome => "other_income",
            Outcome::ReturnedToSupport => "returned_to_support",
            Outcome::Left => "left",
        }
    }

    /// Moved on, as the units count it: to a job (subsidised or not), an internship or studies.
    pub fn moved_on(self) -> bool {
        matches!(
            self,
            Outcome::Job | Outcome::SubsidisedJob | Outcome::Internship | Outcome::Studies
        )
    }

    /// A job of either kind: what an internship that "became a job" ended in.
    pub fn is_job(self) -> bool {
        matches!(self, Outcome::Job | Outcome::SubsidisedJob)
    }

    /// The participant's status once a placement ends this way.
    pub fn status(self) -> ProgrammeStatus {
        match self {
            Outcome::Job | Outcome::SubsidisedJob => ProgrammeStatus::Job,
            Outcome::Internship => ProgrammeStatus::Internship,
            Outcome::Studies => ProgrammeStatus::Studies,
            Outcome::OtherIncome => ProgrammeStatus::OtherIncome,
            Outcome::ReturnedToSupport => ProgrammeStatus::Active,
            Outcome::Left => ProgrammeStatus::Left,
        }
    }
}

impl ProgrammeStatus {
    pub const ALL: [ProgrammeStatus; 7] = [
        ProgrammeStatus::Queued,
        ProgrammeStatus::Active,
        ProgrammeStatus::Internship,
        ProgrammeStatus::Job,
        ProgrammeStatus::Studies,
        ProgrammeStatus::OtherIncome,
        ProgrammeStatus::Left,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgrammeStatus::Queued => "queued",
            ProgrammeStatus::Active => "active",
            ProgrammeStatus::Internship => "internship",
            ProgrammeStatus::Job => "job",
            ProgrammeStatus::Studies => "studies",
            ProgrammeStatus::OtherIncome => "other_income",
            ProgrammeStatus::Left => "left",
        }
    }

    /// Out of the programme's matching: in a job, in studies or gone. Such a participant
    /// leaves candidate lists and allocations at once.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            ProgrammeStatus::Job | ProgrammeStatus::Studies | ProgrammeStatus::Left
        )
    }
}

/// One step of a placement: what it became, when and by whom.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementEvent {
    pub status: PlacementStatus,
    pub outcome: Option<Outcome>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub user_id: Option<Id>,
    pub role: Option<Role>,
}

/// A participant proposed to an opening, and what came of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub id: Id,
    pub participant_id: Id,
    pub opening_id: Id,
    pub employer_id: Id,
    /// The opening's kind when proposed: what the statistics count internships by.
    pub kind: OpeningKind,
    pub status: PlacementStatus,
    pub outcome: Option<Outcome>,
    /// For a subsidised job: its form.
    pub form: Option<EmploymentForm>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the employer got the proposal (a waiting one has not yet): what the cap counts.
    pub proposed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Every step, the first (proposed or waiting) first.
    pub events: Vec<PlacementEvent>,
}

/// Gender as the participant states it, for statistics only.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Woman,
    Man,
    Other,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: Id,
    pub identity: Identity,
    pub profile: Profile,
    /// The coach (a user) whose caseload the participant is on.
    #[serde(default)]
    pub coach_id: Option<Id>,
}

/// What a user of jobmatch may do, broadly; what they may do with one object is the service's
/// to decide (a coach's own caseload, an employer's own openings).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, plus users, tokens, the access log and erasure.
    Admin,
    /// A caseload of participants: their identity, profiles and suggestions.
    Coach,
    /// Every participant's matchable profile, never identity; candidates and search.
    Matcher,
    /// One employer's openings and their pseudonymised candidates.
    Employer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Coach, Role::Matcher, Role::Employer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coach => "coach",
            Role::Matcher => "matcher",
            Role::Employer => "employer",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown role {s:?}; expected one of admin, coach, matcher, employer")
            })
    }
}

/// Someone who signs in: a role, and for an employer's user the employer they act for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: Id,
    pub role: Role,
    /// Shown in lists of users and tokens; never a participant's data.
    pub name: String,
    pub employer_id: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_priority_group_s_name_is_its_wire_spelling() {
        for g in [
            PriorityGroup::Under25,
            PriorityGroup::Parent,
            PriorityGroup::NewlyUnemployed,
            PriorityGroup::LongTermRecipient,
        ] {
            assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
        }
    }

    #[test]
    fn a_programme_status_s_name_is_its_wire_spelling() {
        for s in ProgrammeStatus::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
