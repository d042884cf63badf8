//! Platsbanken's ads in Arbetsförmedlingen's JobSearch / JobStream JSON shape, and how one
//! becomes an opening ([`JobSearchAd::to_write`]); `read` streams them out of any of the
//! shapes they travel in.
//!
//! Fields are read leniently (every one may be missing or null, unknown ones are ignored): the
//! shape is Arbetsförmedlingen's and grows. What the opening needs and cannot do without is
//! refused with a reason, for that ad alone.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::model::{
    AdSource, ApplicationDetails, ConceptId, ConceptRef, Employer, EmploymentForm, GeoPoint, Hours,
    Occupation, Opening, OpeningKind, OpeningStatus, PLATSBANKEN, Place, SsykCode, SwedishEvidence,
    SwedishLevel, Term,
};
use crate::service::{Code, ImportSummary, InputError, RecordReport};
use crate::store::AdWrite;
use crate::taxonomy::{Taxonomy, fold};

/// Longest title and description kept; Platsbanken's own limits are about these.
const MAX_TITLE_CHARS: usize = 300;
const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Most skills read from an ad's text when it lists none.
const MAX_INFERRED_SKILLS: usize = 12;
/// The level an ad that lists Svenska without saying how well is read as: B1, where SFI ends
/// and most workplaces' "kunna kommunicera på svenska" sits.
const LISTED_SWEDISH: SwedishLevel = SwedishLevel::B1;
/// JobTech's concept id of the language Svenska.
const SVENSKA: &str = "zSLA_vw2_FXN";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Labelled {
    pub concept_id: Option<String>,
    pub label: Option<String>,
    pub legacy_ams_taxonomy_id: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Description {
    pub text: Option<String>,
    pub company_information: Option<String>,
    pub needs: Option<String>,
    pub requirements: Option<String>,
    pub conditions: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Scope {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdEmployer {
    pub organization_number: Option<String>,
    pub name: Option<String>,
    pub workplace: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Application {
    pub information: Option<String>,
    pub reference: Option<String>,
    pub email: Option<String>,
    pub via_af: Option<bool>,
    pub url: Option<String>,
    pub other: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    pub municipality_code: Option<String>,
    pub municipality: Option<String>,
    /// `[lon, lat]`, GeoJSON's order.
    pub coordinates: Option<Vec<Option<f64>>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Requirements {
    pub skills: Option<Vec<Labelled>>,
    pub languages: Option<Vec<Labelled>>,
    pub work_experiences: Option<Vec<Labelled>>,
}

/// One ad as JobSearch answers it and JobStream streams it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobSearchAd {
    /// A string in JobSearch; some exports give a number.
    pub id: Option<Value>,
    pub headline: Option<String>,
    pub description: Option<Description>,
    pub number_of_vacancies: Option<i64>,
    pub application_deadline: Option<String>,
    pub employment_type: Option<Labelled>,
    pub duration: Option<Labelled>,
    pub working_hours_type: Option<Labelled>,
    pub scope_of_work: Option<Scope>,
    pub employer: Option<AdEmployer>,
    pub application_details: Option<Application>,
    pub webpage_url: Option<String>,
    pub driving_license: Option<Vec<Labelled>>,
    pub occupation: Option<Labelled>,
    pub occupation_group: Option<Labelled>,
    pub workplace_address: Option<Address>,
    pub must_have: Option<Requirements>,
    pub nice_to_have: Option<Requirements>,
    pub publication_date: Option<String>,
    pub removed: Option<bool>,
    /// When JobStream last changed the ad, in milliseconds since 1970.
    pub timestamp: Option<i64>,
}

/// Trimmed, without NUL characters (PostgreSQL's text refuses them), `None` when empty.
fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(|s| s.replace('\0', ""))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn truncated(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].trim_end().to_owned(),
        None => s.to_owned(),
    }
}

impl JobSearchAd {
    /// The ad's id as text: what re-imports and the change feed find it by.
    pub fn external_id(&self) -> Option<String> {
        match &self.id {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The opening and employer this ad describes, every field mapped (see README, "Importing
    /// Platsbanken ads"), or why it cannot be.
    pub fn to_write(&self, taxonomy: &Taxonomy) -> Result<AdWrite, InputError> {
        let external_id = self
            .external_id()
            .ok_or_else(|| InputError::new(Code::MissingField, "id", "the ad has no id"))?;
        let removed = self.removed.unwrap_or(false);
        let source_only = AdSource {
            system: PLATSBANKEN.to_owned(),
            external_id: external_id.clone(),
            changed_ms: self.timestamp,
            ..AdSource::default()
        };
        if removed {
            // A removed ad in the change feed carries little more than its id.
            return Ok(AdWrite {
                employer: Employer {
                    id: 0,
                    name: String::new(),
                    org_number: None,
                    municipality_code: None,
                },
                opening: bare_opening(source_only),
                removed: true,
            });
        }
        let title = clean(&self.headline)
            .map(|t| truncated(&t, MAX_TITLE_CHARS))
            .ok_or_else(|| {
                InputError::new(Code::MissingField, "headline", "the ad has no headline")
            })?;
        let description = self.description_text();
        let employer = self.employer(taxonomy)?;
        let occupation = self.occupation_group(taxonomy);
        let must = self.must_have.clone().unwrap_or_default();
        let nice = self.nice_to_have.clone().unwrap_or_default();
        let mut skills_required = skill_terms(&must.skills, taxonomy);
        let mut skills_merit = skill_terms(&nice.skills, taxonomy);
        let skills_inferred = skills_required.is_empty() && skills_merit.is_empty();
        if skills_inferred {
            // Inferred skills are merits: the ad never said they were required.
            skills_merit =
                taxonomy.skills_in_text(&format!("{title}\n{description}"), MAX_INFERRED_SKILLS);
            skills_required.clear();
        }
        let (languages_required, must_swedish) = languages(&must.languages, taxonomy);
        let (languages_merit, nice_swedish) = languages(&nice.languages, taxonomy);
        let (swedish_min, swedish_required, swedish) =
            swedish(taxonomy, &description, must_swedish, nice_swedish);
        let source = AdSource {
            occupation_name: self.occupation.as_ref().and_then(concept_ref),
            employment_type: self.employment_type.as_ref().and_then(|l| clean(&l.label)),
            duration: self.duration.as_ref().and_then(|l| clean(&l.label)),
            webpage_url: clean(&self.webpage_url),
            application: self
                .application_details
                .as_ref()
                .map(|a| ApplicationDetails {
                    information: clean(&a.information),
                    reference: clean(&a.reference),
                    email: clean(&a.email),
                    url: clean(&a.url),
                    other: clean(&a.other),
                    via_af: a.via_af.unwrap_or(false),
                }),
            languages_required,
            languages_merit,
            skills_inferred,
            swedish,
            published: clean(&self.publication_date),
            ..source_only
        };
        let places = match self.number_of_vacancies {
            None | Some(0) => 1,
            Some(n) if n < 0 => {
                return Err(InputError::invalid(
                    "number_of_vacancies",
                    format!("number_of_vacancies is {n}; an ad has at least one place"),
                ));
            }
            Some(n) => u32::try_from(n).map_err(|_| {
                InputError::invalid(
                    "number_of_vacancies",
                    format!("number_of_vacancies {n} is too large"),
                )
            })?,
        };
        Ok(AdWrite {
            opening: Opening {
                kind: OpeningKind::Vacancy,
                title,
                description,
                occupation,
                skills_required,
                skills_merit,
                swedish_min,
                swedish_required,
                licences: self.licences(taxonomy)?,
                workplace: self.workplace(taxonomy)?,
                places,
                deadline: self.deadline()?,
                hours: self.hours(),
                employment_form: self.employment_form(),
                ..bare_opening(source)
            },
            employer,
            removed: false,
        })
    }

    /// `description.text`, or the ad's parts joined when only they are given.
    fn description_text(&self) -> String {
        let Some(d) = &self.description else {
            return String::new();
        };
        let text = match clean(&d.text) {
            Some(t) => t,
            None => [
                &d.company_information,
                &d.needs,
                &d.requirements,
                &d.conditions,
            ]
            .into_iter()
            .filter_map(clean)
            .collect::<Vec<_>>()
            .join("\n\n"),
        };
        truncated(&text, MAX_DESCRIPTION_CHARS)
    }

    fn employer(&self, taxonomy: &Taxonomy) -> Result<Employer, InputError> {
        let e = self.employer.clone().unwrap_or_default();
        let name = clean(&e.name)
            .or_else(|| clean(&e.workplace))
            .ok_or_else(|| {
                InputError::new(
                    Code::MissingField,
                    "employer.name",
                    "the ad names no employer",
                )
            })?;
        let org_number = clean(&e.organization_number).map(|o| o.replace(['-', ' '], ""));
        Ok(Employer {
            id: 0,
            name: truncated(&name, MAX_TITLE_CHARS),
            org_number,
            municipality_code: self
                .municipality_code()
                .and_then(|c| taxonomy.municipality(&c).map(|m| m.code.clone())),
        })
    }

    /// SSYK from `occupation_group.legacy_ams_taxonomy_id`, else through the occupation name's
    /// or group's concept id; an ad whose occupation jobmatch does not know has none.
    fn occupation_group(&self, taxonomy: &Taxonomy) -> Option<Occupation> {
        let group = self.occupation_group.as_ref();
        group
            .and_then(|g| g.legacy_ams_taxonomy_id.as_deref())
            .and_then(|c| c.trim().parse::<SsykCode>().ok())
            .and_then(|code| taxonomy.occupation_by_code(code))
            .or_else(|| {
                [group, self.occupation.as_ref()]
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.concept_id.as_deref())
                    .find_map(|id| taxonomy.occupation(id).ok())
            })
    }

    fn municipality_code(&self) -> Option<String> {
        self.workplace_address
            .as_ref()
            .and_then(|a| clean(&a.municipality_code))
    }

    fn workplace(&self, taxonomy: &Taxonomy) -> Result<Place, InputError> {
        let municipality_code = match self.municipality_code() {
            None => None,
            Some(code) => Some(
                taxonomy
                    .lookup_municipality(&code)
                    .map_err(|e| InputError::taxonomy("workplace_address.municipality_code", e))?
                    .code
                    .clone(),
            ),
        };
        let point = match self
            .workplace_address
            .as_ref()
            .and_then(|a| a.coordinates.as_deref())
        {
            None | Some([]) => None,
            Some(&[Some(lon), Some(lat)]) => {
                let p = GeoPoint { lat, lon };
                if !p.is_valid() {
                    return Err(InputError::invalid(
                        "workplace_address.coordinates",
                        format!("coordinates [{lon}, {lat}] are not [lon, lat] in WGS84 degrees"),
                    ));
                }
                // Platsbanken writes [0, 0] for "no position", which is in the Gulf of Guinea.
                (lat != 0.0 || lon != 0.0).then_some(p)
            }
            Some([None, None]) => None,
            Some(other) => {
                return Err(InputError::invalid(
                    "workplace_address.coordinates",
                    format!(
                        "coordinates [{}] are not [lon, lat]",
                        other
                            .iter()
                            .map(|c| c.map_or("null".to_owned(), |x| x.to_string()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        Ok(Place {
            municipality_code,
            point,
        })
    }

    fn licences(&self, taxonomy: &Taxonomy) -> Result<Vec<Term>, InputError> {
        let mut out: Vec<Term> = Vec::new();
        for (i, l) in self.driving_license.iter().flatten().enumerate() {
            let found = l
                .concept_id
                .as_deref()
                .and_then(|id| taxonomy.licence(id).ok())
                .or_else(|| l.label.as_deref().and_then(|x| taxonomy.licence(x).ok()));
            let Some(licence) = found else {
                return Err(InputError::new(
                    Code::UnknownLicence,
                    format!("driving_license[{i}]"),
                    format!(
                        "driving_license[{i}] ({}) is not a driving licence jobmatch knows",
                        l.label
                            .as_deref()
                            .or(l.concept_id.as_deref())
                            .unwrap_or("empty")
                    ),
                ));
            };
            if !out
                .iter()
                .any(|t| t.concept_id() == Some(&licence.concept_id))
            {
                out.push(Term::Concept {
                    id: licence.concept_id.clone(),
                    label: licence.label.clone(),
                    input: None,
                });
            }
        }
        Ok(out)
    }

    fn deadline(&self) -> Result<Option<NaiveDate>, InputError> {
        let Some(d) = clean(&self.application_deadline) else {
            return Ok(None);
        };
        let day = d.get(..10).unwrap_or(&d);
        NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                InputError::invalid(
                    "application_deadline",
                    format!("application_deadline {d:?} is not a date (YYYY-MM-DD…)"),
                )
            })
    }

    /// Part time when the ad says Deltid, or when its scope of work stays below 100 %.
    fn hours(&self) -> Hours {
        let label = self
            .working_hours_type
            .as_ref()
            .and_then(|l| l.label.as_deref())
            .map(fold);
        match label.as_deref() {
            Some("deltid") => Hours::Part,
            Some("heltid") => Hours::Full,
            _ => match self.scope_of_work.as_ref().and_then(|s| s.max.or(s.min)) {
                Some(max) if max < 100.0 => Hours::Part,
                _ => Hours::Full,
            },
        }
    }

    /// The subsidised forms by name; "Vanlig anställning" and an ad that says nothing are
    /// ordinary, any other type (seasonal, on call, summer job) is other.
    fn employment_form(&self) -> EmploymentForm {
        let Some(label) = self
            .employment_type
            .as_ref()
            .and_then(|l| l.label.as_deref())
        else {
            return EmploymentForm::Ordinary;
        };
        let f = fold(label);
        if f.contains("nystart") {
            EmploymentForm::Nystartsjobb
        } else if f.contains("lonebidrag") {
            EmploymentForm::Lonebidrag
        } else if f.contains("introduktionsjobb") {
            EmploymentForm::Introduktionsjobb
        } else if f.contains("extratjanst") {
            EmploymentForm::Extratjanst
        } else if f.starts_with("vanlig") {
            EmploymentForm::Ordinary
        } else {
            EmploymentForm::Other
        }
    }
}

fn bare_opening(source: AdSource) -> Opening {
    Opening {
        id: 0,
        employer_id: 0,
        kind: OpeningKind::Vacancy,
        title: String::new(),
        description: String::new(),
        occupation: None,
        skills_required: Vec::new(),
        skills_merit: Vec::new(),
        swedish_min: None,
        swedish_required: false,
        licences: Vec::new(),
        workplace: Place::default(),
        places: 1,
        start_date: None,
        deadline: None,
        hours: Hours::Full,
        employment_form: EmploymentForm::Ordinary,
        supervisor: false,
        status: OpeningStatus::Open,
        source: Some(source),
    }
}

fn concept_ref(l: &Labelled) -> Option<ConceptRef> {
    Some(ConceptRef {
        concept_id: ConceptId(clean(&l.concept_id)?),
        label: clean(&l.label).unwrap_or_default(),
    })
}

/// Skills by concept id: the taxonomy's concept when it knows the id or the label, else the
/// ad's own id and label, kept so the link survives until the taxonomy knows it.
fn skill_terms(list: &Option<Vec<Labelled>>, taxonomy: &Taxonomy) -> Vec<Term> {
    let mut out: Vec<Term> = Vec::new();
    for l in list.iter().flatten() {
        let by_id = l
            .concept_id
            .as_deref()
            .map(|id| taxonomy.skill(id))
            .filter(|t| t.concept_id().is_some());
        let term = by_id
            .or_else(|| {
                clean(&l.label)
                    .map(|x| taxonomy.skill(&x))
                    .filter(|t| t.concept_id().is_some())
            })
            .or_else(|| {
                concept_ref(l).map(|c| Term::Concept {
                    id: c.concept_id,
                    label: c.label,
                    input: None,
                })
            })
            .or_else(|| clean(&l.label).map(|text| Term::FreeText { text }));
        if let Some(t) = term
            && !out.iter().any(|o| o == &t)
        {
            out.push(t);
        }
    }
    out
}

/// Languages other than Swedish, and whether Swedish was listed.
fn languages(list: &Option<Vec<Labelled>>, taxonomy: &Taxonomy) -> (Vec<Term>, bool) {
    let mut out = Vec::new();
    let mut swedish = false;
    for l in list.iter().flatten() {
        let is_swedish = l.concept_id.as_deref() == Some(SVENSKA)
            || l.label.as_deref().map(fold).as_deref() == Some("svenska");
        if is_swedish {
            swedish = true;
            continue;
        }
        let term = l
            .concept_id
            .as_deref()
            .map(|id| taxonomy.language(id))
            .filter(|t| t.concept_id().is_some())
            .or_else(|| clean(&l.label).map(|x| taxonomy.language(&x)));
        if let Some(t) = term
            && !out.contains(&t)
        {
            out.push(t);
        }
    }
    (out, swedish)
}

/// The Swedish requirement:
/// - Svenska a must: strict, at the level a strict sentence gives, else at the text's level but
///   no higher than B1 (a merit level, "flytande svenska är meriterande", must not exclude);
/// - Svenska nice to have: a merit at the text's level, else B1;
/// - neither: as the text says.
///
/// A sentence saying Swedish is not required, with none requiring it, makes it a merit whatever
/// the lists say.
fn swedish(
    taxonomy: &Taxonomy,
    text: &str,
    must: bool,
    nice: bool,
) -> (Option<SwedishLevel>, bool, Option<SwedishEvidence>) {
    let reading = taxonomy.swedish_in_text(text);
    let listed = if must {
        Some("must_have")
    } else if nice {
        Some("nice_to_have")
    } else {
        None
    };
    if listed.is_none() && reading.is_none() {
        return (None, false, None);
    }
    let negated = reading.as_ref().is_some_and(|r| r.negated);
    let text_level = reading.as_ref().and_then(|r| r.level);
    let text_strict = reading.as_ref().is_some_and(|r| r.strict);
    let (level, strict) = match listed {
        Some("must_have") if !negated => match text_level {
            Some(l) if text_strict => (Some(l), true),
            Some(l) => (Some(l.min(LISTED_SWEDISH)), true),
            None => (Some(LISTED_SWEDISH), true),
        },
        Some(_) => (text_level.or(Some(LISTED_SWEDISH)), false),
        None => (text_level, text_strict),
    };
    let evidence = SwedishEvidence {
        listed: listed.map(str::to_owned),
        phrase: reading.map(|r| r.phrase),
        negated,
    };
    (level, strict && level.is_some(), Some(evidence))
}

mod read;
#[cfg(test)]
mod tests;

pub use read::{AdRecord, AdsFileError, read_ads, spawn_ads_reader};

/// How much of the per-record report an import answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The rejected records only (the default): the rest is in the counts.
    Rejected,
    /// Every record.
    Full,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportAdsParams {
    /// `rejected` (default) or `full`.
    pub report: Option<ReportKind>,
    /// `indexed`: answer once the changes are searchable. An import always does; the
    /// parameter is accepted as on every other write.
    #[serde(default)]
    #[param(inline)]
    pub wait: Option<super::Wait>,
}

/// What an import did: the counts, and the records the report asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAnswer {
    pub summary: ImportSummary,
    /// The first 10,000 of the records asked for, in input order.
    pub records: Vec<RecordReport>,
    /// Records asked for beyond those.
    pub records_left_out: usize,
}
