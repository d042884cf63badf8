//! Employers on the wire: what is posted and what is answered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::normalise::{place, short_text};
use crate::model::{Employer, Id};
use crate::service::InputError;
use crate::taxonomy::Taxonomy;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerInput {
    pub name: String,
    #[serde(default)]
    pub org_number: Option<String>,
    #[serde(default)]
    pub municipality_code: Option<String>,
}

impl EmployerInput {
    /// The employer as understood, with `id` 0 (the store assigns it).
    pub fn to_employer(&self, taxonomy: &Taxonomy) -> Result<Employer, InputError> {
        let name = short_text("name", &self.name, true)?;
        let org_number = match &self.org_number {
            Some(o) => Some(short_text("org_number", o, false)?).filter(|o| !o.is_empty()),
            None => None,
        };
        let place = place(&self.municipality_code, None, taxonomy)?;
        Ok(Employer {
            id: 0,
            name,
            org_number,
            municipality_code: place.municipality_code,
        })
    }
}

/// An employer as stored.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = Employer)]
pub struct EmployerView {
    #[schema(value_type = i64)]
    pub id: Id,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
}

impl From<Employer> for EmployerView {
    fn from(e: Employer) -> Self {
        EmployerView {
            id: e.id,
            name: e.name,
            org_number: e.org_number,
            municipality_code: e.municipality_code,
        }
    }
}
