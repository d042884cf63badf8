//! What users send, before it is understood: openings, participants and employers as written,
//! with free-text skills, level spellings and codes. Converting to the domain normalises every
//! term through the taxonomy and rejects what cannot be understood, naming the field and the
//! accepted values. Shared by the HTTP API and `jobmatch import`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{
    EmploymentForm, Experience, GeoPoint, Hours, Id, Identity, Opening, OpeningKind, OpeningStatus,
    Place, PriorityGroup, Profile, Term,
};
use crate::taxonomy::{Taxonomy, TaxonomyError};

/// Longest title, name or free-text term accepted; longer input is a mistake, not data.
const MAX_SHORT_TEXT: usize = 300;
/// Longest opening description accepted.
const MAX_DESCRIPTION: usize = 20_000;
/// Most skills, licences or occupations in one list.
const MAX_LIST: usize = 100;
/// Longest travel limit accepted: Sweden is about 1,600 km long.
const MAX_TRAVEL_KM: f64 = 2000.0;

/// A user error in submitted data: a stable code, the field, and a message naming the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            code,
            field: field.into(),
            message: message.into(),
        }
    }

    fn invalid(field: &str, message: impl Into<String>) -> Self {
        InputError::new("invalid_field", field, message)
    }

    fn taxonomy(field: &str, err: TaxonomyError) -> Self {
        let code = match err {
            TaxonomyError::UnknownSwedishLevel(_) => "unknown_swedish_level",
            TaxonomyError::UnknownOccupation(_) => "unknown_occupation",
            TaxonomyError::UnknownMunicipality(_) => "unknown_municipality",
            TaxonomyError::UnknownLicence(_) => "unknown_licence",
            _ => "invalid_field",
        };
        InputError::new(code, field, format!("{field}: {err}"))
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerInput {
    pub name: String,
    #[serde(default)]
    pub org_number: Option<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
}

/// An opening as posted: `occupation` is an SSYK code or label, skills and licences are labels
/// or concept ids in any common spelling.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    #[schema(value_type = i64)]
    pub employer_id: Id,
    pub kind: OpeningKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub occupation: Option<String>,
    #[serde(default)]
    pub skills_required: Vec<String>,
    #[serde(default)]
    pub skills_merit: Vec<String>,
    #[serde(default)]
    pub swedish_min: Option<String>,
    #[serde(default)]
    pub swedish_required: bool,
    #[serde(default)]
    pub licences: Vec<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
    #[serde(default)]
    pub location: Option<GeoPoint>,
    #[serde(default = "one")]
    #[schema(default = 1, minimum = 1)]
    pub places: i64,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    #[serde(default)]
    pub hours: Option<Hours>,
    #[serde(default)]
    pub employment_form: Option<EmploymentForm>,
    #[serde(default)]
    pub supervisor: bool,
}

fn one() -> i64 {
    1
}

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
    #[serde(flatten)]
    pub profile: ProfileInput,
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

/// The file format of `jobmatch import` and of the demo data: employers carry a local `ref`
/// that openings point at with `employer_ref`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImportFile {
    #[serde(default)]
    pub employers: Vec<ImportEmployer>,
    #[serde(default)]
    pub openings: Vec<ImportOpening>,
    #[serde(default)]
    pub participants: Vec<ParticipantInput>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(try_from = "Split<EmployerRef>")]
pub struct ImportEmployer {
    #[serde(rename = "ref")]
    pub reference: Id,
    #[serde(flatten)]
    pub employer: EmployerInput,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(try_from = "Split<OpeningRef>")]
pub struct ImportOpening {
    pub employer_ref: Id,
    #[serde(flatten)]
    pub opening: OpeningInput,
}

/// A body split into the fields `H` takes and the rest, which is then read strictly as the
/// inner type. serde's `flatten` cannot refuse unknown fields, and a misspelt field silently
/// dropped would change a match without anyone noticing.
#[derive(Deserialize)]
struct Split<H> {
    #[serde(flatten)]
    head: H,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

impl<H> Split<H> {
    fn rest<T: serde::de::DeserializeOwned>(self) -> Result<(H, T), serde_json::Error> {
        Ok((
            self.head,
            serde_json::from_value(serde_json::Value::Object(self.rest))?,
        ))
    }
}

#[derive(Deserialize)]
struct IdentityFields {
    name: String,
    #[serde(default)]
    personal_number: Option<String>,
    #[serde(default)]
    contact: Option<String>,
}

#[derive(Deserialize)]
struct EmployerRef {
    #[serde(rename = "ref")]
    reference: Id,
}

#[derive(Deserialize)]
struct OpeningRef {
    employer_ref: Id,
}

impl TryFrom<Split<IdentityFields>> for ParticipantInput {
    type Error = serde_json::Error;

    fn try_from(split: Split<IdentityFields>) -> Result<Self, Self::Error> {
        let (head, profile) = split.rest()?;
        Ok(ParticipantInput {
            name: head.name,
            personal_number: head.personal_number,
            contact: head.contact,
            profile,
        })
    }
}

impl TryFrom<Split<EmployerRef>> for ImportEmployer {
    type Error = serde_json::Error;

    fn try_from(split: Split<EmployerRef>) -> Result<Self, Self::Error> {
        let (head, employer) = split.rest()?;
        Ok(ImportEmployer {
            reference: head.reference,
            employer,
        })
    }
}

impl TryFrom<Split<OpeningRef>> for ImportOpening {
    type Error = serde_json::Error;

    fn try_from(split: Split<OpeningRef>) -> Result<Self, Self::Error> {
        let (head, opening) = split.rest()?;
        Ok(ImportOpening {
            employer_ref: head.employer_ref,
            opening,
        })
    }
}

fn short_text(field: &str, value: &str, required: bool) -> Result<String, InputError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(InputError::invalid(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if value.chars().count() > MAX_SHORT_TEXT {
        return Err(InputError::invalid(
            field,
            format!("{field} is longer than {MAX_SHORT_TEXT} characters"),
        ));
    }
    Ok(value.to_owned())
}

fn list_len(field: &str, len: usize) -> Result<(), InputError> {
    if len > MAX_LIST {
        return Err(InputError::invalid(
            field,
            format!("{field} has {len} entries; at most {MAX_LIST} are accepted"),
        ));
    }
    Ok(())
}

fn terms(
    field: &str,
    values: &[String],
    resolve: impl Fn(&str) -> Term,
) -> Result<Vec<Term>, InputError> {
    list_len(field, values.len())?;
    let mut out: Vec<Term> = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let v = short_text(&format!("{field}[{i}]"), v, true)?;
        let term = resolve(&v);
        if !out.iter().any(|t| same_term(t, &term)) {
            out.push(term);
        }
    }
    Ok(out)
}

fn same_term(a: &Term, b: &Term) -> bool {
    match (a.concept_id(), b.concept_id()) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.text().eq_ignore_ascii_case(b.text()),
        _ => false,
    }
}

fn licences(field: &str, values: &[String], taxonomy: &Taxonomy) -> Result<Vec<Term>, InputError> {
    list_len(field, values.len())?;
    let mut out: Vec<Term> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let licence = taxonomy
            .licence(v)
            .map_err(|e| InputError::taxonomy(&format!("{field}[{i}]"), e))?;
        let term = Term::Concept {
            id: licence.concept_id.clone(),
            label: licence.label.clone(),
            input: (v.trim() != licence.label).then(|| v.trim().to_owned()),
        };
        if !out.iter().any(|t| same_term(t, &term)) {
            out.push(term);
        }
    }
    Ok(out)
}

fn place(
    municipality_code: &Option<String>,
    location: &Option<GeoPoint>,
    taxonomy: &Taxonomy,
) -> Result<Place, InputError> {
    let municipality_code = match municipality_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            taxonomy
                .municipality(code)
                .ok_or_else(|| {
                    InputError::new(
                        "unknown_municipality",
                        "municipality_code",
                        format!(
                            "unknown municipality {code:?}; expected a four-digit kommunkod such as \"0180\" (Stockholm) or a municipality name"
                        ),
                    )
                })?
                .code
                .clone(),
        ),
    };
    if let Some(p) = location
        && !(p.is_valid())
    {
        return Err(InputError::invalid(
            "location",
            format!(
                "location {{lat: {}, lon: {}}} is not a valid position; lat must be within -90..90 and lon within -180..180",
                p.lat, p.lon
            ),
        ));
    }
    Ok(Place {
        municipality_code,
        point: *location,
    })
}

impl EmployerInput {
    pub fn validate(&self, taxonomy: &Taxonomy) -> Result<EmployerInput, InputError> {
        let name = short_text("name", &self.name, true)?;
        let org_number = match &self.org_number {
            Some(o) => Some(short_text("org_number", o, false)?).filter(|o| !o.is_empty()),
            None => None,
        };
        let place = place(&self.municipality_code, &None, taxonomy)?;
        Ok(EmployerInput {
            name,
            org_number,
            municipality_code: place.municipality_code,
        })
    }
}

impl OpeningInput {
    /// Normalises and checks an opening; the id and status are the caller's to set.
    pub fn to_opening(&self, taxonomy: &Taxonomy) -> Result<Opening, InputError> {
        let title = short_text("title", &self.title, true)?;
        if self.description.chars().count() > MAX_DESCRIPTION {
            return Err(InputError::invalid(
                "description",
                format!("description is longer than {MAX_DESCRIPTION} characters"),
            ));
        }
        if self.places < 1 {
            return Err(InputError::new(
                "invalid_places",
                "places",
                format!(
                    "places is {}; an opening needs at least 1 place",
                    self.places
                ),
            ));
        }
        let places = u32::try_from(self.places).map_err(|_| {
            InputError::new(
                "invalid_places",
                "places",
                format!("places {} is too large", self.places),
            )
        })?;
        let occupation = match self.occupation.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(o) => Some(
                taxonomy
                    .occupation(o)
                    .map_err(|e| InputError::taxonomy("occupation", e))?,
            ),
        };
        let swedish_min = match self.swedish_min.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                taxonomy
                    .swedish_level(s)
                    .map_err(|e| InputError::taxonomy("swedish_min", e))?,
            ),
        };
        if self.swedish_required && swedish_min.is_none() {
            return Err(InputError::invalid(
                "swedish_required",
                "swedish_required is true but swedish_min is missing; give the minimum level, e.g. \"B1\"",
            ));
        }
        let hours = match self.hours {
            Some(Hours::Any) => {
                return Err(InputError::invalid(
                    "hours",
                    "hours \"any\" is for participants; an opening is \"full\" or \"part\"",
                ));
            }
            h => h.unwrap_or_default(),
        };
        Ok(Opening {
            id: 0,
            employer_id: self.employer_id,
            kind: self.kind,
            title,
            description: self.description.trim().to_owned(),
            occupation,
            skills_required: terms("skills_required", &self.skills_required, |s| {
                taxonomy.skill(s)
            })?,
            skills_merit: terms("skills_merit", &self.skills_merit, |s| taxonomy.skill(s))?,
            swedish_min,
            swedish_required: self.swedish_required,
            licences: licences("licences", &self.licences, taxonomy)?,
            workplace: place(&self.municipality_code, &self.location, taxonomy)?,
            places,
            start_date: self.start_date,
            deadline: self.deadline,
            hours,
            employment_form: self.employment_form.unwrap_or_default(),
            supervisor: self.supervisor,
            status: OpeningStatus::Open,
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
            home: place(&self.municipality_code, &self.location, taxonomy)?,
            max_travel_km: self.max_travel_km,
            licences: licences("licences", &self.licences, taxonomy)?,
            available_from: self.available_from,
            hours: self.hours.unwrap_or(Hours::Any),
            priority_groups,
        })
    }
}
