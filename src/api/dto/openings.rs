//! Openings on the wire: what is posted, what is answered, and search.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{GeoPoint, OccupationView, TermView, term_views};
use super::normalise::{licences, place, short_text, terms};
use crate::model::{
    AdSource, EmploymentForm, Hours, Id, Opening, OpeningKind, OpeningStatus, SwedishLevel,
};
use crate::service::{Code, InputError, SearchPage};
use crate::taxonomy::Taxonomy;

/// Longest opening description accepted.
const MAX_DESCRIPTION: usize = 20_000;

fn one() -> i64 {
    1
}

/// An opening as posted: `occupation` is an SSYK code or label, skills and licences are labels
/// or concept ids in any common spelling.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    /// The employer posting: staff name it; an employer's user leaves it out (it comes from
    /// the sign-in), and so does an import row (its `employer_ref` names the employer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub employer_id: Option<Id>,
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

impl OpeningInput {
    /// Normalises and checks an opening; the id, status and (when absent) the employer are the
    /// caller's to set.
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
                Code::InvalidPlaces,
                "places",
                format!(
                    "places is {}; an opening needs at least 1 place",
                    self.places
                ),
            ));
        }
        let places = u32::try_from(self.places).map_err(|_| {
            InputError::new(
                Code::InvalidPlaces,
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
            employer_id: self.employer_id.unwrap_or_default(),
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
            workplace: place(
                &self.municipality_code,
                self.location.map(Into::into),
                taxonomy,
            )?,
            places,
            start_date: self.start_date,
            deadline: self.deadline,
            hours,
            employment_form: self.employment_form.unwrap_or_default(),
            supervisor: self.supervisor,
            status: OpeningStatus::Open,
            source: None,
        })
    }
}

/// An opening with its terms normalised: concepts where the taxonomy knew them, free text
/// where it did not.
#[derive(Serialize, ToSchema)]
pub struct OpeningView {
    #[schema(value_type = i64)]
    pub id: Id,
    #[schema(value_type = i64)]
    pub employer_id: Id,
    pub kind: OpeningKind,
    pub status: OpeningStatus,
    pub title: String,
    pub description: String,
    pub occupation: Option<OccupationView>,
    pub skills_required: Vec<TermView>,
    pub skills_merit: Vec<TermView>,
    pub swedish_min: Option<SwedishLevel>,
    pub swedish_required: bool,
    pub licences: Vec<TermView>,
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    pub location: Option<GeoPoint>,
    pub places: u32,
    pub start_date: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub hours: Hours,
    pub employment_form: EmploymentForm,
    pub supervisor: bool,
    /// The published ad it was imported from, with how to apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<AdSource>,
}

impl OpeningView {
    pub fn new(o: Opening, taxonomy: &Taxonomy) -> Self {
        OpeningView {
            municipality: taxonomy.municipality_name(o.workplace.municipality_code.as_deref()),
            id: o.id,
            employer_id: o.employer_id,
            kind: o.kind,
            status: o.status,
            title: o.title,
            description: o.description,
            occupation: o.occupation.map(Into::into),
            skills_required: term_views(o.skills_required),
            skills_merit: term_views(o.skills_merit),
            swedish_min: o.swedish_min,
            swedish_required: o.swedish_required,
            licences: term_views(o.licences),
            municipality_code: o.workplace.municipality_code,
            location: o.workplace.point.map(Into::into),
            places: o.places,
            start_date: o.start_date,
            deadline: o.deadline,
            hours: o.hours,
            employment_form: o.employment_form,
            supervisor: o.supervisor,
            source: o.source,
        }
    }
}

/// An opening in a list: enough to recognise it and open it.
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

impl OpeningSummary {
    pub fn new(o: &Opening, taxonomy: &Taxonomy) -> Self {
        OpeningSummary {
            opening_id: o.id,
            title: o.title.clone(),
            kind: o.kind,
            employer_id: o.employer_id,
            municipality: taxonomy.municipality_name(o.workplace.municipality_code.as_deref()),
            municipality_code: o.workplace.municipality_code.clone(),
            places: o.places,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find in titles and descriptions: terms are ORed, `"…"` is a phrase, `+`/`-`
    /// require or exclude, `title:` names a field; text that syntax cannot read is searched as
    /// plain words. A word also finds the compounds it is part of ("arbetare" finds
    /// "Lagerarbetare"). Absent or blank lists every open opening.
    pub q: Option<String>,
    /// Only vacancies or only internships.
    pub kind: Option<OpeningKind>,
    /// A municipality code (kommunkod) such as `0180`, or a municipality name.
    pub municipality: Option<String>,
    /// An occupation: an SSYK code of any level (`5`, `53`, `532`, `5321`) or an occupation's
    /// name; openings in that group.
    pub occupation: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    pub page: Option<usize>,
    /// Results per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<usize>,
}

/// One of an employer's openings, with how many participants pass its hard rules.
#[derive(Serialize, ToSchema)]
pub struct EmployerOpeningView {
    #[serde(flatten)]
    pub opening: OpeningView,
    /// Participants who pass the opening's hard rules (Swedish minimum, travel, licences,
    /// deadline); null for a closed opening.
    pub suitable_candidates: Option<usize>,
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

impl SearchResults {
    pub fn new(page: SearchPage, taxonomy: &Taxonomy) -> Self {
        SearchResults {
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            openings: page
                .hits
                .iter()
                .map(|(o, relevance)| SearchHit {
                    opening: OpeningSummary::new(o, taxonomy),
                    relevance: *relevance,
                })
                .collect(),
        }
    }
}
