//! Ranked lists on the wire: suggestions of openings, candidates for an opening, each result
//! with its score, category scores, evidence in labels and the weight profile that made it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::openings::OpeningSummary;
use crate::api::error::ApiError;
use crate::model::{Id, Opening, OpeningKind, SwedishLevel};
use crate::projection::TermLabel;
use crate::rank::{CategoryScores, Exclusion, ProfileStamp};
use crate::service::wording::{Audience, sentences};
use crate::service::{Candidate, Explained, Explanation, RankQuery, Ranked};
use crate::taxonomy::Taxonomy;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankParams {
    /// Only vacancies or only internships (ignored when ranking candidates).
    pub kind: Option<OpeningKind>,
    /// Most results to return.
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<usize>,
    /// Also return the best excluded pairs, each with the rule that excluded it.
    #[serde(default)]
    pub include_excluded: bool,
    /// `text`: each result also carries its evidence as short Swedish and English sentences,
    /// ready for a job plan.
    pub explain: Option<ExplainAs>,
}

/// How evidence is given besides its structured form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExplainAs {
    Text,
}

impl RankParams {
    /// The taxonomy to word evidence with, when sentences are asked for.
    pub fn wording<'a>(&self, taxonomy: &'a Taxonomy) -> Option<&'a Taxonomy> {
        self.explain.map(|ExplainAs::Text| taxonomy)
    }
}

/// The evidence in words, sentence for sentence in each language.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SentencesView {
    pub sv: Vec<String>,
    pub en: Vec<String>,
}

fn words(e: &Explanation, wording: Option<&Taxonomy>, audience: Audience) -> Option<SentencesView> {
    let s = sentences(e, wording?, audience);
    Some(SentencesView { sv: s.sv, en: s.en })
}

impl RankParams {
    /// The query, with at most `max_results` results.
    pub fn to_query(&self, max_results: usize) -> Result<RankQuery, ApiError> {
        Ok(RankQuery {
            kind: self.kind,
            limit: super::bounded("limit", self.limit, 20, max_results)?,
            include_excluded: self.include_excluded,
        })
    }
}

/// Name and version of the weight profile that produced a score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ProfileStamp)]
pub struct ProfileStampView {
    pub name: String,
    pub version: u32,
}

impl From<&ProfileStamp> for ProfileStampView {
    fn from(p: &ProfileStamp) -> Self {
        ProfileStampView {
            name: p.name.clone(),
            version: p.version,
        }
    }
}

/// A ranked opening or participant as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion<T> {
    #[serde(flatten)]
    pub item: T,
    pub score: f32,
    pub categories: CategoryScores,
    pub evidence: EvidenceView,
    /// The evidence as sentences; only with `explain=text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<SentencesView>,
    pub weight_profile: ProfileStampView,
}

impl<T> Suggestion<T> {
    fn new<D>(e: &Explained<D>, item: T, wording: Option<&Taxonomy>) -> Self {
        Suggestion {
            item,
            score: e.score,
            categories: e.categories,
            evidence: EvidenceView::from(&e.evidence),
            explanation: words(&e.evidence, wording, Audience::Staff),
            weight_profile: (&e.profile).into(),
        }
    }
}

/// A candidate as a job matcher or employer sees it: pseudonymised, no identity.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CandidateSummary {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    pub pseudonym: String,
}

/// A term in evidence: the concept id when there is one, and what to show.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = TermView)]
pub struct EvidenceTerm {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub id: Option<String>,
    pub label: String,
}

impl From<&TermLabel> for EvidenceTerm {
    fn from(t: &TermLabel) -> Self {
        EvidenceTerm {
            id: t.id.as_ref().map(|id| id.0.clone()),
            label: t.label.clone(),
        }
    }
}

/// Evidence with labels instead of keys, as coaches read it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub skills_found: Vec<EvidenceTerm>,
    /// Wanted skills the participant lacks but holds a related skill of, which earned part of
    /// the credit ("närliggande: Hemtjänst → Äldreboende"). They are among the missing too.
    pub skills_related: Vec<RelatedSkillView>,
    pub must_skills_missing: Vec<EvidenceTerm>,
    pub merit_skills_missing: Vec<EvidenceTerm>,
    pub occupation_match: Option<OccupationMatchView>,
    /// Set when the occupation scored through a group of the participant's that asks for the
    /// same skills as the opening's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation_related: Option<RelatedOccupationView>,
    pub experience_years: Option<f32>,
    pub swedish_gap_steps: Option<u8>,
    pub distance_km: Option<f64>,
    pub licences_missing: Vec<EvidenceTerm>,
    pub start_delay_days: Option<i64>,
    pub hours_mismatch: bool,
    /// The opening's skills were read from its ad's text, which listed none: what is found
    /// and missing is only as good as that reading.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub opening_skills_inferred: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<ExclusionView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OccupationMatchView {
    pub participant_code: String,
    pub label: Option<String>,
    pub shared_digits: u8,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RelatedSkillView {
    /// The opening's skill.
    pub wanted: EvidenceTerm,
    /// The participant's skill related to it.
    pub held: EvidenceTerm,
    /// How related, in (0, 1], from the skills the same occupations ask for.
    pub similarity: f32,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RelatedOccupationView {
    /// The participant's group related to the opening's.
    pub participant_code: String,
    pub label: Option<String>,
    /// How related, in (0, 1], from the skills both groups ask for.
    pub similarity: f32,
}

fn related_skills(e: &Explanation) -> Vec<RelatedSkillView> {
    e.skills_related
        .iter()
        .map(|r| RelatedSkillView {
            wanted: (&r.wanted).into(),
            held: (&r.held).into(),
            similarity: r.similarity,
        })
        .collect()
}

fn labels(terms: &[TermLabel]) -> Vec<EvidenceTerm> {
    terms.iter().map(EvidenceTerm::from).collect()
}

impl From<&Explanation> for EvidenceView {
    fn from(e: &Explanation) -> Self {
        EvidenceView {
            skills_found: labels(&e.skills_found),
            skills_related: related_skills(e),
            must_skills_missing: labels(&e.must_skills_missing),
            merit_skills_missing: labels(&e.merit_skills_missing),
            occupation_match: e.occupation_match.as_ref().map(|(code, label, digits)| {
                OccupationMatchView {
                    participant_code: code.to_string(),
                    label: label.clone(),
                    shared_digits: *digits,
                }
            }),
            occupation_related: e
                .occupation_related
                .as_ref()
                .map(|(code, label, similarity)| RelatedOccupationView {
                    participant_code: code.to_string(),
                    label: label.clone(),
                    similarity: *similarity,
                }),
            experience_years: e.experience_years,
            swedish_gap_steps: e.swedish_gap_steps,
            // To 100 m: enough to plan a journey, no finer than a neighbourhood.
            distance_km: e.distance_km.map(|km| (km * 10.0).round() / 10.0),
            licences_missing: labels(&e.licences_missing),
            start_delay_days: e.start_delay_days,
            hours_mismatch: e.hours_mismatch,
            opening_skills_inferred: false,
            excluded: e.excluded.as_ref().map(ExclusionView::from),
        }
    }
}

/// Why a pair is left out of the ranking. Hard rules, never a low score.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[schema(as = Exclusion)]
pub enum ExclusionView {
    /// The application deadline has passed.
    DeadlinePassed { deadline: NaiveDate },
    /// The opening's minimum Swedish level is strict and the participant is below it.
    SwedishBelowStrictMinimum {
        required: SwedishLevel,
        actual: Option<SwedishLevel>,
        gap_steps: u8,
    },
    /// The workplace is further away than the participant can travel.
    BeyondTravelLimit {
        distance_km: f64,
        max_travel_km: f64,
        /// The limit is the weight profile's default (`default_travel_km`): the participant
        /// stated none.
        default_limit: bool,
    },
    /// The opening requires a licence or certificate the participant does not hold.
    MissingLicence { missing: usize },
}

impl From<&Exclusion> for ExclusionView {
    fn from(e: &Exclusion) -> Self {
        match *e {
            Exclusion::DeadlinePassed { deadline } => ExclusionView::DeadlinePassed { deadline },
            Exclusion::SwedishBelowStrictMinimum {
                required,
                actual,
                gap_steps,
            } => ExclusionView::SwedishBelowStrictMinimum {
                required,
                actual,
                gap_steps,
            },
            Exclusion::BeyondTravelLimit {
                distance_km,
                max_travel_km,
                default_limit,
            } => ExclusionView::BeyondTravelLimit {
                distance_km,
                max_travel_km,
                default_limit,
            },
            Exclusion::MissingLicence { missing } => ExclusionView::MissingLicence { missing },
        }
    }
}

/// The wire form of every result in a ranked list, best first, and of its excluded pairs.
fn lists<D, T>(
    ranked: &Ranked<D>,
    item: impl Fn(&D) -> T,
    wording: Option<&Taxonomy>,
) -> (Vec<Suggestion<T>>, Vec<Suggestion<T>>) {
    let list = |l: &[Explained<D>]| {
        l.iter()
            .map(|e| Suggestion::new(e, item(&e.item), wording))
            .collect()
    };
    (list(&ranked.results), list(&ranked.excluded))
}

/// Openings ranked for a stored participant.
#[derive(Serialize, ToSchema)]
pub struct ParticipantSuggestions {
    #[schema(value_type = i64)]
    pub participant_id: Id,
    /// How many open openings competed: every one of the kind asked for.
    pub considered: usize,
    /// How many of them a hard rule left out.
    pub excluded_count: usize,
    /// Best first; ties broken by the lower id.
    pub suggestions: Vec<Suggestion<OpeningSummary>>,
    /// The best of the excluded openings, each with its reason; empty unless asked for.
    pub excluded: Vec<Suggestion<OpeningSummary>>,
}

impl ParticipantSuggestions {
    pub fn new(
        participant_id: Id,
        ranked: &Ranked<Opening>,
        taxonomy: &Taxonomy,
        wording: Option<&Taxonomy>,
    ) -> Self {
        let ProfileSuggestions {
            considered,
            excluded_count,
            suggestions,
            excluded,
        } = ProfileSuggestions::new(ranked, taxonomy, wording);
        ParticipantSuggestions {
            participant_id,
            considered,
            excluded_count,
            suggestions,
            excluded,
        }
    }
}

/// Openings ranked for a profile that is not stored.
#[derive(Serialize, ToSchema)]
pub struct ProfileSuggestions {
    /// How many open openings competed: every one of the kind asked for.
    pub considered: usize,
    /// How many of them a hard rule left out.
    pub excluded_count: usize,
    /// Best first; ties broken by the lower id.
    pub suggestions: Vec<Suggestion<OpeningSummary>>,
    /// The best of the excluded openings, each with its reason; empty unless asked for.
    pub excluded: Vec<Suggestion<OpeningSummary>>,
}

impl ProfileSuggestions {
    pub fn new(ranked: &Ranked<Opening>, taxonomy: &Taxonomy, wording: Option<&Taxonomy>) -> Self {
        let (mut suggestions, mut excluded) =
            lists(ranked, |o| OpeningSummary::new(o, taxonomy), wording);
        for (views, explained) in [
            (&mut suggestions, &ranked.results),
            (&mut excluded, &ranked.excluded),
        ] {
            for (view, e) in views.iter_mut().zip(explained) {
                view.evidence.opening_skills_inferred =
                    e.item.source.as_ref().is_some_and(|s| s.skills_inferred);
            }
        }
        ProfileSuggestions {
            considered: ranked.considered,
            excluded_count: ranked.excluded_count,
            suggestions,
            excluded,
        }
    }
}

/// Participants ranked for an opening, pseudonymised.
#[derive(Serialize, ToSchema)]
pub struct Candidates {
    #[schema(value_type = i64)]
    pub opening_id: Id,
    /// How many participants were scored.
    pub considered: usize,
    /// How many of them a hard rule left out.
    pub excluded_count: usize,
    /// Best first; ties broken by the lower id.
    pub candidates: Vec<Suggestion<CandidateSummary>>,
    /// The best of the excluded participants, each with its reason; empty unless asked for.
    pub excluded: Vec<Suggestion<CandidateSummary>>,
}

impl Candidates {
    pub fn new(opening_id: Id, ranked: &Ranked<Candidate>, wording: Option<&Taxonomy>) -> Self {
        let (candidates, excluded) = lists(
            ranked,
            |c| CandidateSummary {
                participant_id: c.participant_id,
                pseudonym: c.pseudonym.clone(),
            },
            wording,
        );
        Candidates {
            opening_id,
            considered: ranked.considered,
            excluded_count: ranked.excluded_count,
            candidates,
            excluded,
        }
    }
}

/// Participants ranked for one of an employer's own openings, as that employer sees them.
#[derive(Serialize, ToSchema)]
pub struct EmployerCandidates {
    #[schema(value_type = i64)]
    pub opening_id: Id,
    /// How many participants were scored.
    pub considered: usize,
    /// How many of them a hard rule left out.
    pub excluded_count: usize,
    /// Best first.
    pub candidates: Vec<EmployerCandidate>,
    /// The best of the excluded candidates, each with its reason; empty unless asked for.
    pub excluded: Vec<EmployerCandidate>,
}

/// A candidate as an employer sees them: a code of this employer's own, the score and its
/// reasons, and nothing that names, reaches or locates the person.
#[derive(Serialize, ToSchema)]
pub struct EmployerCandidate {
    /// This employer's code for the candidate; another employer sees another code.
    pub candidate: String,
    pub score: f32,
    pub categories: CategoryScores,
    pub evidence: EmployerEvidence,
    /// The evidence as sentences; only with `explain=text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<SentencesView>,
}

/// The reasons behind a candidate's score, with distances to the nearest kilometre.
#[derive(Serialize, ToSchema)]
pub struct EmployerEvidence {
    pub skills_found: Vec<EvidenceTerm>,
    pub skills_related: Vec<RelatedSkillView>,
    pub must_skills_missing: Vec<EvidenceTerm>,
    pub merit_skills_missing: Vec<EvidenceTerm>,
    pub experience_years: Option<f32>,
    pub swedish_gap_steps: Option<u8>,
    /// Whole kilometres.
    pub distance_km: Option<f64>,
    pub licences_missing: Vec<EvidenceTerm>,
    pub start_delay_days: Option<i64>,
    pub hours_mismatch: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<ExclusionView>,
}

impl From<&Explanation> for EmployerEvidence {
    fn from(e: &Explanation) -> Self {
        let km = |d: f64| d.round();
        EmployerEvidence {
            skills_found: labels(&e.skills_found),
            skills_related: related_skills(e),
            must_skills_missing: labels(&e.must_skills_missing),
            merit_skills_missing: labels(&e.merit_skills_missing),
            experience_years: e.experience_years,
            swedish_gap_steps: e.swedish_gap_steps,
            distance_km: e.distance_km.map(km),
            licences_missing: labels(&e.licences_missing),
            start_delay_days: e.start_delay_days,
            hours_mismatch: e.hours_mismatch,
            excluded: e.excluded.as_ref().map(|x| match ExclusionView::from(x) {
                ExclusionView::BeyondTravelLimit {
                    distance_km,
                    max_travel_km,
                    default_limit,
                } => ExclusionView::BeyondTravelLimit {
                    distance_km: km(distance_km),
                    max_travel_km: km(max_travel_km),
                    default_limit,
                },
                other => other,
            }),
        }
    }
}

impl EmployerCandidates {
    pub fn new(opening_id: Id, ranked: &Ranked<Candidate>, wording: Option<&Taxonomy>) -> Self {
        let list = |l: &[Explained<Candidate>]| {
            l.iter()
                .map(|e| EmployerCandidate {
                    candidate: e.item.pseudonym.clone(),
                    score: e.score,
                    categories: e.categories,
                    evidence: EmployerEvidence::from(&e.evidence),
                    explanation: words(&e.evidence, wording, Audience::Employer),
                })
                .collect()
        };
        EmployerCandidates {
            opening_id,
            considered: ranked.considered,
            excluded_count: ranked.excluded_count,
            candidates: list(&ranked.results),
            excluded: list(&ranked.excluded),
        }
    }
}

/// The answer of `GET /v1/openings/{id}/candidates`: staff get the unit's view, an employer's
/// user its own, which has no participant id at all.
#[derive(Serialize)]
#[serde(untagged)]
pub enum CandidatesAnswer {
    Staff(Candidates),
    Employer(EmployerCandidates),
}

/// `anyOf` the two views, not `oneOf`: an empty list is a valid answer of both.
impl utoipa::PartialSchema for CandidatesAnswer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, Schema};
        use utoipa::openapi::{Ref, RefOr};
        RefOr::T(Schema::AnyOf(
            AnyOfBuilder::new()
                .item(Ref::from_schema_name("Candidates"))
                .item(Ref::from_schema_name("EmployerCandidates"))
                .description(Some(
                    "Staff get `Candidates`; an employer's user gets `EmployerCandidates`.",
                ))
                .build(),
        ))
    }
}

impl ToSchema for CandidatesAnswer {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        for (name, schema) in [
            (
                "Candidates",
                <Candidates as utoipa::PartialSchema>::schema(),
            ),
            (
                "EmployerCandidates",
                <EmployerCandidates as utoipa::PartialSchema>::schema(),
            ),
        ] {
            schemas.push((name.to_owned(), schema));
        }
        <Candidates as ToSchema>::schemas(schemas);
        <EmployerCandidates as ToSchema>::schemas(schemas);
    }
}
