//! The access log on the wire: who read which participant, when, in which role, on which
//! route. Ids only, as the log holds them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{Id, Role};
use crate::store::AccessRecord;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only the reads of this participant.
    #[param(value_type = Option<i64>)]
    pub participant: Option<Id>,
    /// Page number, from 1.
    #[param(minimum = 1, default = 1)]
    pub page: Option<usize>,
    /// Rows per page.
    #[param(minimum = 1, maximum = 100, default = 50)]
    pub per_page: Option<usize>,
}

/// One read of a participant.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    #[schema(value_type = i64)]
    pub id: Id,
    #[schema(value_type = i64)]
    pub participant_id: Id,
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Id>,
    pub role: Option<Role>,
    /// `user:<id>`, or `system:<what>` for the command line.
    pub actor: String,
    /// The route the read served, e.g. `GET /v1/participants/{id}`.
    pub route: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub page: usize,
    pub per_page: usize,
    pub entries: Vec<AuditEntry>,
}

impl AuditPage {
    pub fn new(page: usize, per_page: usize, records: Vec<AccessRecord>) -> Self {
        AuditPage {
            page,
            per_page,
            entries: records
                .into_iter()
                .map(|r| AuditEntry {
                    id: r.id,
                    participant_id: r.participant_id,
                    user_id: r.user_id,
                    role: r.role,
                    actor: r.actor,
                    route: r.action,
                    at: r.at,
                })
                .collect(),
        }
    }
}
