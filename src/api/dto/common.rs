//! Wire forms of the domain's small building blocks: terms, occupations, experience, points.
//! Each converts from the domain type, so renaming a field inside never changes the wire.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model;

/// A term as understood: a taxonomy concept, or free text when nothing matched.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[schema(as = Term)]
pub enum TermView {
    Concept {
        #[schema(value_type = String)]
        id: String,
        label: String,
        /// What was written, when it differs from the label.
        #[serde(skip_serializing_if = "Option::is_none")]
        input: Option<String>,
    },
    FreeText {
        text: String,
    },
}

impl From<model::Term> for TermView {
    fn from(t: model::Term) -> Self {
        match t {
            model::Term::Concept { id, label, input } => TermView::Concept {
                id: id.0,
                label,
                input,
            },
            model::Term::FreeText { text } => TermView::FreeText { text },
        }
    }
}

pub fn term_views(list: Vec<model::Term>) -> Vec<TermView> {
    list.into_iter().map(TermView::from).collect()
}

/// An SSYK level-4 occupation group with its JobTech identity.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = Occupation)]
pub struct OccupationView {
    /// The four-digit SSYK 2012 code.
    #[schema(value_type = String, pattern = "^[0-9]{4}$", example = "5321")]
    pub code: String,
    #[schema(value_type = String)]
    pub concept_id: String,
    pub label: String,
}

impl From<model::Occupation> for OccupationView {
    fn from(o: model::Occupation) -> Self {
        OccupationView {
            code: o.code.to_string(),
            concept_id: o.concept_id.0,
            label: o.label,
        }
    }
}

/// Years of experience in an occupation group.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = Experience)]
pub struct ExperienceView {
    pub occupation: OccupationView,
    pub years: f32,
}

impl From<model::Experience> for ExperienceView {
    fn from(e: model::Experience) -> Self {
        ExperienceView {
            occupation: e.occupation.into(),
            years: e.years,
        }
    }
}

/// A point on the map, WGS84 degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl From<model::GeoPoint> for GeoPoint {
    fn from(p: model::GeoPoint) -> Self {
        GeoPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

impl From<GeoPoint> for model::GeoPoint {
    fn from(p: GeoPoint) -> Self {
        model::GeoPoint {
            lat: p.lat,
            lon: p.lon,
        }
    }
}

/// When a write answers: `?wait=indexed` holds the answer until the change is searchable.
#[derive(Clone, Copy, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WriteParams {
    /// `indexed`: answer once suggestions, candidates and search see the change (at most
    /// 10 s). Without it a write answers once stored and is searchable a moment later,
    /// batched with other writes.
    #[serde(default)]
    #[param(inline)]
    pub wait: Option<Wait>,
}

/// What a write waits for before it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Wait {
    Indexed,
}

impl WriteParams {
    pub fn visibility(self) -> crate::service::Visibility {
        match self.wait {
            Some(Wait::Indexed) => crate::service::Visibility::Searchable,
            None => crate::service::Visibility::Committed,
        }
    }
}
