//! Column forms shared by every backend: enums as their serde strings, lists and nested values
//! as JSON text, and the row structs that turn back into domain types.
//!
//! Nothing here issues SQL, so the PostgreSQL backend can reuse it unchanged. Decoding never
//! panics: a value the domain cannot accept becomes [`StoreError::Corrupt`], naming the row and
//! column, because it means the database was written by something other than this code.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{
    AdSource, Employer, GeoPoint, Id, Identity, Occupation, Opening, Participant, Place, Placement,
    PlacementEvent, Profile, Role, Term, User,
};

use super::{AccessRecord, Counts, OutboxEntry, StoreError, TokenRecord};

/// The serde string of a unit enum variant (`"vacancy"`, `"nystartsjobb"`, `"A1"`), so the
/// database holds the same spelling the JSON API does.
pub(crate) fn enum_str<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(StoreError::Invalid(format!(
            "expected an enum that serialises to a string, got {other}"
        ))),
        Err(e) => Err(StoreError::Invalid(format!("cannot encode value: {e}"))),
    }
}

/// Parses a stored enum string back; an unknown spelling means a corrupt row.
pub(crate) fn enum_parse<T: DeserializeOwned>(
    entity: &'static str,
    id: Id,
    column: &'static str,
    stored: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(stored.to_owned())).map_err(|e| {
        StoreError::Corrupt {
            entity,
            id,
            column,
            reason: e.to_string(),
        }
    })
}

/// JSON text of a list or nested value.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("cannot encode: {e}")))
}

/// Decodes a JSON column; failure means a corrupt row.
pub(crate) fn from_json<T: DeserializeOwned>(
    entity: &'static str,
    id: Id,
    column: &'static str,
    stored: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(stored).map_err(|e| StoreError::Corrupt {
        entity,
        id,
        column,
        reason: e.to_string(),
    })
}

/// Rejects values that would be stored in a form that cannot be read back (NaN coordinates
/// become NULL, NaN years become JSON `null`), so a write never produces a corrupt row.
pub(crate) fn check_opening(opening: &Opening) -> Result<(), StoreError> {
    check_place("opening workplace", &opening.workplace)
}

/// See [`check_opening`].
pub(crate) fn check_profile(profile: &Profile) -> Result<(), StoreError> {
    check_place("participant home", &profile.home)?;
    if let Some(km) = profile.max_travel_km
        && !(km.is_finite() && km >= 0.0)
    {
        return Err(StoreError::Invalid(format!(
            "max_travel_km {km} is not a finite, non-negative distance"
        )));
    }
    for experience in &profile.occupations {
        if !(experience.years.is_finite() && experience.years >= 0.0) {
            return Err(StoreError::Invalid(format!(
                "{} years of experience in {} is not a finite, non-negative number",
                experience.years, experience.occupation.code
            )));
        }
    }
    Ok(())
}

fn check_place(what: &str, place: &Place) -> Result<(), StoreError> {
    match place.point {
        Some(p) if !p.is_valid() => Err(StoreError::Invalid(format!(
            "{what} point ({}, {}) is not a WGS84 latitude/longitude",
            p.lat, p.lon
        ))),
        _ => Ok(()),
    }
}

/// The checks an import's references need before anything is written: each employer's input
/// id appears once, and each opening names one of them.
pub(crate) fn check_import(employers: &[Employer], openings: &[Opening]) -> Result<(), StoreError> {
    let mut input_ids = HashMap::with_capacity(employers.len());
    for (index, employer) in employers.iter().enumerate() {
        if input_ids.insert(employer.id, index).is_some() {
            return Err(StoreError::Invalid(format!(
                "employer id {} appears twice in the import; each employer needs its own id",
                employer.id
            )));
        }
    }
    if let Some(bad) = openings
        .iter()
        .find(|o| !input_ids.contains_key(&o.employer_id))
    {
        return Err(StoreError::UnknownEmployer(bad.employer_id));
    }
    Ok(())
}

/// Encoded forms of an opening's content columns (all but id, status and timestamps),
/// computed once per write.
pub(crate) struct OpeningColumns {
    pub kind: String,
    pub occupation: Option<String>,
    pub occupation_code: Option<String>,
    pub skills_required: String,
    pub skills_merit: String,
    pub licences: String,
    pub swedish_min: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub places: i64,
    pub hours: String,
    pub employment_form: String,
    pub source_system: Option<String>,
    pub external_id: Option<String>,
    pub source: Option<String>,
}

impl OpeningColumns {
    pub(crate) fn encode(opening: &Opening) -> Result<Self, StoreError> {
        check_opening(opening)?;
        Ok(OpeningColumns {
            kind: enum_str(&opening.kind)?,
            occupation: opening.occupation.as_ref().map(to_json).transpose()?,
            occupation_code: opening.occupation.as_ref().map(|o| o.code.to_string()),
            skills_required: to_json(&opening.skills_required)?,
            skills_merit: to_json(&opening.skills_merit)?,
            licences: to_json(&opening.licences)?,
            swedish_min: opening.swedish_min.as_ref().map(enum_str).transpose()?,
            lat: opening.workplace.point.map(|p| p.lat),
            lon: opening.workplace.point.map(|p| p.lon),
            places: i64::from(opening.places),
            hours: enum_str(&opening.hours)?,
            employment_form: enum_str(&opening.employment_form)?,
            source_system: opening.source.as_ref().map(|s| s.system.clone()),
            external_id: opening.source.as_ref().map(|s| s.external_id.clone()),
            source: opening.source.as_ref().map(to_json).transpose()?,
        })
    }
}

/// Encoded forms of a profile: the whole profile as JSON plus the scalars filters need.
pub(crate) struct ProfileColumns {
    pub profile: String,
    pub municipality_code: Option<String>,
    pub swedish_level: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub max_travel_km: Option<f64>,
    pub available_from: Option<NaiveDate>,
    pub hours: String,
}

impl ProfileColumns {
    pub(crate) fn encode(profile: &Profile) -> Result<Self, StoreError> {
        check_profile(profile)?;
        Ok(ProfileColumns {
            profile: to_json(profile)?,
            municipality_code: profile.home.municipality_code.clone(),
            swedish_level: profile.swedish_level.as_ref().map(enum_str).transpose()?,
            lat: profile.home.point.map(|p| p.lat),
            lon: profile.home.point.map(|p| p.lon),
            max_travel_km: profile.max_travel_km,
            available_from: profile.available_from,
            hours: enum_str(&profile.hours)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EmployerRow {
    pub id: Id,
    pub name: String,
    pub org_number: Option<String>,
    pub municipality_code: Option<String>,
}

impl From<EmployerRow> for Employer {
    fn from(row: EmployerRow) -> Self {
        Employer {
            id: row.id,
            name: row.name,
            org_number: row.org_number,
            municipality_code: row.municipality_code,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OpeningRow {
    pub id: Id,
    pub employer_id: Id,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub occupation: Option<String>,
    pub skills_required: String,
    pub skills_merit: String,
    pub licences: String,
    pub swedish_min: Option<String>,
    pub swedish_required: bool,
    pub municipality_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub places: i64,
    pub start_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub hours: String,
    pub employment_form: String,
    pub supervisor: bool,
    pub status: String,
    pub source: Option<String>,
}

impl TryFrom<OpeningRow> for Opening {
    type Error = StoreError;

    fn try_from(row: OpeningRow) -> Result<Self, StoreError> {
        const E: &str = "opening";
        let id = row.id;
        let point = match (row.lat, row.lon) {
            (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
            (None, None) => None,
            _ => {
                return Err(StoreError::Corrupt {
                    entity: E,
                    id,
                    column: "lat/lon",
                    reason: "only one of the coordinates is set".into(),
                });
            }
        };
        Ok(Opening {
            id,
            employer_id: row.employer_id,
            kind: enum_parse(E, id, "kind", &row.kind)?,
            title: row.title,
            description: row.description,
            occupation: row
                .occupation
                .as_deref()
                .map(|s| from_json::<Occupation>(E, id, "occupation", s))
                .transpose()?,
            skills_required: from_json::<Vec<Term>>(
                E,
                id,
                "skills_required",
                &row.skills_required,
            )?,
            skills_merit: from_json::<Vec<Term>>(E, id, "skills_merit", &row.skills_merit)?,
            swedish_min: row
                .swedish_min
                .as_deref()
                .map(|s| enum_parse(E, id, "swedish_min", s))
                .transpose()?,
            swedish_required: row.swedish_required,
            licences: from_json::<Vec<Term>>(E, id, "licences", &row.licences)?,
            workplace: Place {
                municipality_code: row.municipality_code,
                point,
            },
            places: u32::try_from(row.places).map_err(|e| StoreError::Corrupt {
                entity: E,
                id,
                column: "places",
                reason: e.to_string(),
            })?,
            start_date: row.start_date,
            deadline: row.deadline,
            hours: enum_parse(E, id, "hours", &row.hours)?,
            employment_form: enum_parse(E, id, "employment_form", &row.employment_form)?,
            supervisor: row.supervisor,
            status: enum_parse(E, id, "status", &row.status)?,
            source: row
                .source
                .as_deref()
                .map(|s| from_json::<AdSource>(E, id, "source", s))
                .transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ParticipantRow {
    pub id: Id,
    pub name: String,
    pub personal_number: Option<String>,
    pub contact: Option<String>,
    pub profile: String,
    pub coach_id: Option<Id>,
}

impl TryFrom<ParticipantRow> for Participant {
    type Error = StoreError;

    fn try_from(row: ParticipantRow) -> Result<Self, StoreError> {
        Ok(Participant {
            id: row.id,
            identity: Identity {
                name: row.name,
                personal_number: row.personal_number,
                contact: row.contact,
            },
            profile: from_json("participant", row.id, "profile", &row.profile)?,
            coach_id: row.coach_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProfileRow {
    pub participant_id: Id,
    pub profile: String,
}

impl TryFrom<ProfileRow> for (Id, Profile) {
    type Error = StoreError;

    fn try_from(row: ProfileRow) -> Result<Self, StoreError> {
        let profile = from_json("participant", row.participant_id, "profile", &row.profile)?;
        Ok((row.participant_id, profile))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    pub id: Id,
    pub role: String,
    pub name: String,
    pub employer_id: Option<Id>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<User, StoreError> {
        Ok(User {
            role: enum_parse::<Role>("user", r.id, "role", &r.role)?,
            id: r.id,
            name: r.name,
            employer_id: r.employer_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub id: Id,
    pub user_id: Id,
    pub role: String,
    pub name: String,
    pub employer_id: Option<Id>,
    pub selector: String,
    pub verifier: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenRow {
    pub(crate) fn split(self) -> Result<(TokenRecord, Vec<u8>), StoreError> {
        let user = User::try_from(UserRow {
            id: self.user_id,
            role: self.role,
            name: self.name,
            employer_id: self.employer_id,
        })?;
        Ok((
            TokenRecord {
                id: self.id,
                user,
                selector: self.selector,
                created_at: self.created_at,
                revoked_at: self.revoked_at,
            },
            self.verifier,
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccessRow {
    pub id: Id,
    pub participant_id: Id,
    pub user_id: Option<Id>,
    pub role: Option<String>,
    pub actor: String,
    pub action: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<AccessRow> for AccessRecord {
    type Error = StoreError;

    fn try_from(r: AccessRow) -> Result<Self, StoreError> {
        Ok(AccessRecord {
            role: r
                .role
                .as_deref()
                .map(|s| enum_parse("access log", r.id, "role", s))
                .transpose()?,
            id: r.id,
            participant_id: r.participant_id,
            user_id: r.user_id,
            actor: r.actor,
            action: r.action,
            at: r.at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    pub seq: i64,
    pub entity: String,
    pub entity_id: Id,
    pub op: String,
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        Ok(OutboxEntry {
            seq: row.seq,
            entity: enum_parse("outbox", row.seq, "entity", &row.entity)?,
            entity_id: row.entity_id,
            op: enum_parse("outbox", row.seq, "op", &row.op)?,
        })
    }
}

/// The status counts; both backends name the columns after [`Counts`]' fields.
#[derive(sqlx::FromRow)]
pub(crate) struct CountsRow {
    pub employers: i64,
    pub openings: i64,
    pub open_openings: i64,
    pub participants: i64,
}

impl From<CountsRow> for Counts {
    fn from(row: CountsRow) -> Self {
        Counts {
            employers: row.employers,
            openings: row.openings,
            open_openings: row.open_openings,
            participants: row.participants,
        }
    }
}

/// A stored taxonomy version's columns but its files.
#[derive(sqlx::FromRow)]
pub(crate) struct TaxonomyRow {
    pub version: i64,
    pub imported_at: chrono::DateTime<chrono::Utc>,
    pub source: String,
    pub mode: String,
    pub checksum: String,
    pub summary: String,
}

impl From<TaxonomyRow> for super::TaxonomyVersion {
    fn from(r: TaxonomyRow) -> Self {
        super::TaxonomyVersion {
            version: r.version,
            imported_at: r.imported_at,
            source: r.source,
            mode: r.mode,
            checksum: r.checksum,
            summary: r.summary,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PolicyRow {
    pub name: String,
    pub version: i64,
    pub weights: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<PolicyRow> for super::PolicyRecord {
    fn from(r: PolicyRow) -> Self {
        super::PolicyRecord {
            name: r.name,
            version: r.version,
            weights: r.weights,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AllocationRow {
    pub id: Id,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<Id>,
    pub body: String,
}

impl From<AllocationRow> for super::AllocationRecord {
    fn from(r: AllocationRow) -> Self {
        super::AllocationRecord {
            id: r.id,
            created_at: r.created_at,
            created_by: r.created_by,
            body: r.body,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlacementRow {
    pub id: Id,
    pub participant_id: Id,
    pub opening_id: Id,
    pub employer_id: Id,
    pub kind: String,
    pub status: String,
    pub outcome: Option<String>,
    pub form: Option<String>,
    pub created_at: DateTime<Utc>,
    pub proposed_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PlacementEventRow {
    pub placement_id: Id,
    pub status: String,
    pub outcome: Option<String>,
    pub at: DateTime<Utc>,
    pub user_id: Option<Id>,
    pub role: Option<String>,
}

/// Placements with their steps, each placement's steps in the order given.
pub(crate) fn placements_of(
    rows: Vec<PlacementRow>,
    events: Vec<PlacementEventRow>,
) -> Result<Vec<Placement>, StoreError> {
    let mut steps: HashMap<Id, Vec<PlacementEvent>> = HashMap::new();
    for e in events {
        let id = e.placement_id;
        steps.entry(id).or_default().push(PlacementEvent {
            status: enum_parse("placement", id, "event status", &e.status)?,
            outcome: e
                .outcome
                .as_deref()
                .map(|s| enum_parse("placement", id, "event outcome", s))
                .transpose()?,
            at: e.at,
            user_id: e.user_id,
            role: e
                .role
                .as_deref()
                .map(|s| enum_parse("placement", id, "event role", s))
                .transpose()?,
        });
    }
    rows.into_iter()
        .map(|r| {
            let id = r.id;
            Ok(Placement {
                id,
                participant_id: r.participant_id,
                opening_id: r.opening_id,
                employer_id: r.employer_id,
                kind: enum_parse("placement", id, "kind", &r.kind)?,
                status: enum_parse("placement", id, "status", &r.status)?,
                outcome: r
                    .outcome
                    .as_deref()
                    .map(|s| enum_parse("placement", id, "outcome", s))
                    .transpose()?,
                form: r
                    .form
                    .as_deref()
                    .map(|s| enum_parse("placement", id, "form", s))
                    .transpose()?,
                created_at: r.created_at,
                proposed_at: r.proposed_at,
                started_at: r.started_at,
                ended_at: r.ended_at,
                events: steps.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct SubscriptionRow {
    pub id: Id,
    pub user_id: Id,
    pub kind: String,
    pub participant_id: Option<Id>,
    pub search: Option<String>,
    pub threshold: f64,
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl SubscriptionRow {
    pub(crate) fn decode(self) -> Result<super::Subscription, StoreError> {
        use super::SubscriptionTarget as T;
        let target = match (self.kind.as_str(), self.participant_id, self.search) {
            ("participant", Some(p), _) => T::Participant(p),
            ("caseload", _, _) => T::Caseload,
            ("search", _, Some(json)) => T::Search(json),
            (kind, _, _) => {
                return Err(StoreError::Invalid(format!(
                    "subscription {} has kind {kind:?} without what it follows",
                    self.id
                )));
            }
        };
        Ok(super::Subscription {
            id: self.id,
            user_id: self.user_id,
            target,
            threshold: self.threshold,
            webhook_url: self.webhook_url,
            created_at: self.created_at,
        })
    }
}

/// A subscription's target as its columns: kind, participant and search.
pub(crate) fn target_columns(
    target: &super::SubscriptionTarget,
) -> (&'static str, Option<Id>, Option<&str>) {
    use super::SubscriptionTarget as T;
    match target {
        T::Participant(p) => ("participant", Some(*p), None),
        T::Caseload => ("caseload", None, None),
        T::Search(json) => ("search", None, Some(json.as_str())),
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AlertRow {
    pub id: Id,
    pub subscription_id: Id,
    pub opening_id: Id,
    pub participant_id: Option<Id>,
    pub score: f64,
    pub created_at: DateTime<Utc>,
}

impl From<AlertRow> for super::AlertRecord {
    fn from(r: AlertRow) -> Self {
        super::AlertRecord {
            id: r.id,
            subscription_id: r.subscription_id,
            opening_id: r.opening_id,
            participant_id: r.participant_id,
            score: r.score,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DueRow {
    #[sqlx(flatten)]
    pub alert: AlertRow,
    pub webhook_url: String,
    pub attempts: i64,
}

impl From<DueRow> for super::DueAlert {
    fn from(r: DueRow) -> Self {
        super::DueAlert {
            alert: r.alert.into(),
            webhook_url: r.webhook_url,
            attempts: r.attempts,
        }
    }
}
