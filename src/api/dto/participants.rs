//! Participants on the wire: registration (identity and profile in one flat body), the
//! profile alone for `POST /v1/match`, and the participant as a coach sees them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{ExperienceView, GeoPoint, TermView, term_views};
use super::normalise::{Split, licences, list_len, place, short_text, terms};
use crate::model::{
    Experience, Gender, Hours, Id, Identity, Participant, PriorityGroup, Profile, Programme,
    ProgrammeStatus, SwedishLevel,
};
use crate::service::InputError;
use crate::taxonomy::Taxonomy;

/// Longest travel limit accepted: Sweden is about 1,600 km long.
const MAX_TRAVEL_KM: f64 = 2000.0;

/// Experience in an occupation as posted: `code` is an SSYK code or an occupation label.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccupationInput {
    pub code: String,
    #[serde(default)]
    pub years: f32,
}

/// A participant as registered by a coach: identity and matchable profile together; they are
/// split when stored.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(try_from = "Split<IdentityFields>")]
pub struct ParticipantInput {
    pub name: String,
    #[serde(default)]
    pub personal_number: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    /// The coach whose caseload the participant is on: an admin's to set; a coach's own
    /// participants land on their caseload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coach_id: Option<Id>,
    /// Where the participant stands in the programme, when the body says (the same facts as
    /// `PUT /v1/participants/{id}/programme`, checked the same way).
    #[serde(skip_serializing)]
    pub programme: ProgrammeFields,
    #[serde(flatten)]
    pub profile: ProfileInput,
}

/// The programme facts a participant's body may carry: dates or RFC 3339 times, and the status.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ProgrammeFields {
    #[serde(default)]
    pub status: Option<ProgrammeStatus>,
    #[serde(default)]
    pub referred_at: Option<String>,
    #[serde(default)]
    pub enrolled_at: Option<String>,
    #[serde(default)]
    pub plan_at: Option<String>,
    #[serde(default)]
    pub followed_up_at: Option<String>,
}

impl ProgrammeFields {
    pub fn is_empty(&self) -> bool {
        *self == ProgrammeFields::default()
    }

    /// These fields laid over the facts in force (or none): what the body says replaces, what
    /// it leaves out stays.
    pub fn over(&self, current: Option<Programme>) -> Result<Programme, InputError> {
        let mut facts = current.unwrap_or_default();
        let at = |field: &str, v: &Option<String>| {
            v.as_deref()
                .map(|t| super::programme::parse_time(field, t, false))
                .transpose()
        };
        if let Some(status) = self.status {
            facts.status = status;
            // Leaving is dated when it is recorded; any other status is not having left.
            facts.left_at = match status {
                ProgrammeStatus::Left => Some(facts.left_at.unwrap_or_else(chrono::Utc::now)),
                _ => None,
            };
        }
        for (field, value, slot) in [
            ("referred_at", &self.referred_at, &mut facts.referred_at),
            ("enrolled_at", &self.enrolled_at, &mut facts.enrolled_at),
            ("plan_at", &self.plan_at, &mut facts.plan_at),
            (
                "followed_up_at",
                &self.followed_up_at,
                &mut facts.follow_up_at,
            ),
        ] {
            if let Some(t) = at(field, value)? {
                *slot = Some(t);
            }
        }
        Ok(facts)
    }
}

/// The matchable part of a participant; also the body of `POST /v1/match`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub occupations: Vec<OccupationInput>,
    #[serde(default)]
    pub swedish_level: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
    #[serde(default)]
    pub max_travel_km: Option<f64>,
    #[serde(default)]
    pub licences: Vec<String>,
    #[serde(default)]
    pub available_from: Option<NaiveDate>,
    #[serde(default)]
    pub hours: Option<Hours>,
    #[serde(default)]
    pub priority_groups: Vec<PriorityGroup>,
    /// For statistics and fairness audits only, where the participant wants it recorded; never
    /// scored, never shown to job matchers or employers.
    #[serde(default)]
    pub gender: Option<Gender>,
}

/// Described as it is read: one flat object, the identity fields beside the profile's, and no
/// other field. (A derived schema would be `allOf` the two, which the profile's
/// `additionalProperties: false` makes unsatisfiable for validators.)
impl utoipa::PartialSchema for ParticipantInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

        let mut schema = <ProfileInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.description = Some(
                "A participant as registered by a coach: identity and matchable profile together."
                    .to_owned(),
            );
            let text = |nullable: bool| {
                let ty = if nullable {
                    utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null])
                } else {
                    Type::String.into()
                };
                RefOr::T(Schema::Object(ObjectBuilder::new().schema_type(ty).build()))
            };
            object.properties.insert("name".to_owned(), text(false));
            object
                .properties
                .insert("personal_number".to_owned(), text(true));
            object.properties.insert("contact".to_owned(), text(true));
            for day in ["referred_at", "enrolled_at", "plan_at", "followed_up_at"] {
                object.properties.insert(day.to_owned(), text(true));
            }
            object.properties.insert(
                "status".to_owned(),
                RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                            Type::String,
                            Type::Null,
                        ]))
                        .enum_values(Some(
                            ProgrammeStatus::ALL
                                .map(ProgrammeStatus::as_str)
                                .into_iter()
                                .map(serde_json::Value::from)
                                .chain([serde_json::Value::Null]),
                        ))
                        .build(),
                )),
            );
            object.properties.insert(
                "coach_id".to_owned(),
                RefOr::T(Schema::Object(
                    ObjectBuilder::new()
                        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                            Type::Integer,
                            Type::Null,
                        ]))
                        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Int64,
                        )))
                        .build(),
                )),
            );
            object.required.insert(0, "name".to_owned());
        }
        schema
    }
}

impl ToSchema for ParticipantInput {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <ProfileInput as ToSchema>::schemas(schemas);
    }
}

#[derive(Deserialize)]
struct IdentityFields {
    name: String,
    #[serde(default)]
    personal_number: Option<String>,
    #[serde(default)]
    contact: Option<String>,
    #[serde(default)]
    coach_id: Option<Id>,
    #[serde(default)]
    status: Option<ProgrammeStatus>,
    #[serde(default)]
    referred_at: Option<String>,
    #[serde(default)]
    enrolled_at: Option<String>,
    #[serde(default)]
    plan_at: Option<String>,
    #[serde(default)]
    followed_up_at: Option<String>,
}

impl TryFrom<Split<IdentityFields>> for ParticipantInput {
    type Error = serde_json::Error;

    fn try_from(split: Split<IdentityFields>) -> Result<Self, Self::Error> {
        let (head, profile) = split.rest()?;
        Ok(ParticipantInput {
            name: head.name,
            personal_number: head.personal_number,
            contact: head.contact,
            coach_id: head.coach_id,
            programme: ProgrammeFields {
                status: head.status,
                referred_at: head.referred_at,
                enrolled_at: head.enrolled_at,
                plan_at: head.plan_at,
                followed_up_at: head.followed_up_at,
            },
            profile,
        })
    }
}

impl ParticipantInput {
    pub fn to_parts(&self, taxonomy: &Taxonomy) -> Result<(Identity, Profile), InputError> {
        let identity = Identity {
            name: short_text("name", &self.name, true)?,
            personal_number: match &self.personal_number {
                Some(p) => Some(short_text("personal_number", p, false)?).filter(|p| !p.is_empty()),
                None => None,
            },
            contact: match &self.contact {
                Some(c) => Some(short_text("contact", c, false)?).filter(|c| !c.is_empty()),
                None => None,
            },
        };
        Ok((identity, self.profile.to_profile(taxonomy)?))
    }
}

impl ProfileInput {
    pub fn to_profile(&self, taxonomy: &Taxonomy) -> Result<Profile, InputError> {
        list_len("occupations", self.occupations.len())?;
        let mut occupations: Vec<Experience> = Vec::new();
        for (i, o) in self.occupations.iter().enumerate() {
            let field = format!("occupations[{i}]");
            if !o.years.is_finite() || !(0.0..=60.0).contains(&o.years) {
                return Err(InputError::invalid(
                    &format!("{field}.years"),
                    format!("{field}.years is {}; expected 0 to 60", o.years),
                ));
            }
            let occupation = taxonomy
                .occupation(o.code.trim())
                .map_err(|e| InputError::taxonomy(&format!("{field}.code"), e))?;
            match occupations
                .iter_mut()
                .find(|e| e.occupation.code == occupation.code)
            {
                Some(e) => e.years = e.years.max(o.years),
                None => occupations.push(Experience {
                    occupation,
                    years: o.years,
                }),
            }
        }
        let swedish_level = match self.swedish_level.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                taxonomy
                    .swedish_level(s)
                    .map_err(|e| InputError::taxonomy("swedish_level", e))?,
            ),
        };
        if let Some(km) = self.max_travel_km
            && (!km.is_finite() || !(0.0..=MAX_TRAVEL_KM).contains(&km))
        {
            return Err(InputError::invalid(
                "max_travel_km",
                format!("max_travel_km is {km}; expected 0 to {MAX_TRAVEL_KM}"),
            ));
        }
        let mut priority_groups = self.priority_groups.clone();
        priority_groups.sort();
        priority_groups.dedup();
        Ok(Profile {
            skills: terms("skills", &self.skills, |s| taxonomy.skill(s))?,
            occupations,
            swedish_level,
            languages: terms("languages", &self.languages, |s| taxonomy.language(s))?,
            home: place(
                &self.municipality_code,
                self.location.map(Into::into),
                taxonomy,
            )?,
            max_travel_km: self.max_travel_km,
            licences: licences("licences", &self.licences, taxonomy)?,
            available_from: self.available_from,
            hours: self.hours.unwrap_or(Hours::Any),
            priority_groups,
            gender: self.gender,
        })
    }
}

/// One participant of a caseload: who, and where they stand in the programme.
#[derive(Serialize, ToSchema)]
pub struct CaseloadEntryView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
    pub name: String,
    /// `queued` until a coach records otherwise.
    pub status: ProgrammeStatus,
    pub unit: Option<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub municipality: Option<String>,
}

impl CaseloadEntryView {
    pub fn new(
        p: Participant,
        facts: Option<Programme>,
        pseudonym: String,
        taxonomy: &Taxonomy,
    ) -> Self {
        let municipality = taxonomy.municipality_name(p.profile.home.municipality_code.as_deref());
        CaseloadEntryView {
            participant_id: p.id,
            pseudonym,
            name: p.identity.name,
            status: facts.as_ref().map_or(ProgrammeStatus::Queued, |f| f.status),
            unit: facts.and_then(|f| f.unit),
            swedish_level: p.profile.swedish_level,
            municipality,
        }
    }
}

/// A participant with identity and normalised profile, as a coach sees them.
#[derive(Serialize, ToSchema)]
pub struct ParticipantView {
    #[schema(value_type = i64)]
    pub id: Id,
    pub pseudonym: String,
    pub name: String,
    pub personal_number: Option<String>,
    pub contact: Option<String>,
    pub skills: Vec<TermView>,
    pub occupations: Vec<ExperienceView>,
    pub swedish_level: Option<SwedishLevel>,
    pub languages: Vec<TermView>,
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    pub location: Option<GeoPoint>,
    pub max_travel_km: Option<f64>,
    pub licences: Vec<TermView>,
    pub available_from: Option<NaiveDate>,
    pub hours: Hours,
    pub priority_groups: Vec<PriorityGroup>,
    pub gender: Option<Gender>,
    /// Where they stand in the programme (`queued` until a coach records otherwise), and the
    /// days its promises run from; every version at `/v1/participants/{id}/programme`.
    pub status: ProgrammeStatus,
    pub referred_at: Option<NaiveDate>,
    pub enrolled_at: Option<NaiveDate>,
    pub plan_at: Option<NaiveDate>,
    pub followed_up_at: Option<NaiveDate>,
}

impl ParticipantView {
    pub fn new(
        p: Participant,
        pseudonym: String,
        facts: Option<Programme>,
        taxonomy: &Taxonomy,
    ) -> Self {
        let profile = p.profile;
        let facts = facts.unwrap_or_default();
        let day = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.date_naive());
        ParticipantView {
            status: facts.status,
            referred_at: day(facts.referred_at),
            enrolled_at: day(facts.enrolled_at),
            plan_at: day(facts.plan_at),
            followed_up_at: day(facts.follow_up_at),
            pseudonym,
            municipality: taxonomy.municipality_name(profile.home.municipality_code.as_deref()),
            id: p.id,
            name: p.identity.name,
            personal_number: p.identity.personal_number,
            contact: p.identity.contact,
            skills: term_views(profile.skills),
            occupations: profile.occupations.into_iter().map(Into::into).collect(),
            swedish_level: profile.swedish_level,
            languages: term_views(profile.languages),
            municipality_code: profile.home.municipality_code,
            location: profile.home.point.map(Into::into),
            max_travel_km: profile.max_travel_km,
            licences: term_views(profile.licences),
            available_from: profile.available_from,
            hours: profile.hours,
            priority_groups: profile.priority_groups,
            gender: profile.gender,
        }
    }
}

/// A participant's matchable profile, as a job matcher sees it: no name, personal number,
/// contact or exact location.
#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
    pub skills: Vec<TermView>,
    pub occupations: Vec<ExperienceView>,
    pub swedish_level: Option<SwedishLevel>,
    pub languages: Vec<TermView>,
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    pub max_travel_km: Option<f64>,
    pub licences: Vec<TermView>,
    pub available_from: Option<NaiveDate>,
    pub hours: Hours,
    pub priority_groups: Vec<PriorityGroup>,
}

impl ProfileView {
    pub fn new(
        participant_id: Id,
        pseudonym: String,
        profile: Profile,
        taxonomy: &Taxonomy,
    ) -> Self {
        ProfileView {
            participant_id,
            pseudonym,
            municipality: taxonomy.municipality_name(profile.home.municipality_code.as_deref()),
            skills: term_views(profile.skills),
            occupations: profile.occupations.into_iter().map(Into::into).collect(),
            swedish_level: profile.swedish_level,
            languages: term_views(profile.languages),
            municipality_code: profile.home.municipality_code,
            max_travel_km: profile.max_travel_km,
            licences: term_views(profile.licences),
            available_from: profile.available_from,
            hours: profile.hours,
            priority_groups: profile.priority_groups,
        }
    }
}
