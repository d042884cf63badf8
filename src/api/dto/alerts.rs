//! Subscriptions and alerts on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{Id, OpeningKind};
use crate::service::alerts::{Alert, Follow, Followed};
use crate::service::{Code, InputError};

/// What to follow: exactly one of a participant, the coach's own caseload, or a saved search.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub participant_id: Option<Id>,
    /// Every participant on the caller's caseload (coaches).
    #[serde(default)]
    pub caseload: bool,
    #[serde(default)]
    pub search: Option<SearchInput>,
    /// The score a match must reach, 0 to 1 (0.5 without it); a saved search alerts on every
    /// new opening it finds.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// An `http://` address new alerts are also posted to, with ids, titles and scores only.
    #[serde(default)]
    pub webhook_url: Option<String>,
}

/// A saved search: the search box's words and filters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchInput {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub kind: Option<OpeningKind>,
    /// A kommunkod or a municipality name.
    #[serde(default)]
    pub municipality: Option<String>,
}

impl SubscriptionInput {
    pub fn follow(&self) -> Result<Follow, InputError> {
        match (&self.participant_id, self.caseload, &self.search) {
            (Some(id), false, None) => Ok(Follow::Participant(*id)),
            (None, true, None) => Ok(Follow::Caseload),
            (None, false, Some(s)) => Ok(Follow::Search {
                text: s.q.clone(),
                kind: s.kind,
                municipality: s.municipality.clone(),
            }),
            _ => Err(InputError::new(
                Code::InvalidField,
                "participant_id",
                "follow exactly one of participant_id, caseload: true or search",
            )),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SavedSearchView {
    pub q: Option<String>,
    pub kind: Option<OpeningKind>,
    pub municipality_code: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = Subscription)]
pub struct SubscriptionView {
    #[schema(value_type = i64)]
    pub id: Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub participant_id: Option<Id>,
    pub caseload: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<SavedSearchView>,
    pub threshold: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Followed> for SubscriptionView {
    fn from(f: Followed) -> Self {
        SubscriptionView {
            id: f.id,
            participant_id: f.participant_id,
            caseload: f.caseload,
            search: f.search.map(|s| SavedSearchView {
                q: s.text,
                kind: s.kind,
                municipality_code: s.municipality_code,
            }),
            threshold: f.threshold,
            webhook_url: f.webhook_url,
            created_at: f.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub subscriptions: Vec<SubscriptionView>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Most alerts to take now; the rest wait for the next look.
    #[param(minimum = 1, maximum = 500, default = 100)]
    pub limit: Option<usize>,
}

/// A new match: an opening for a followed participant (score as the opening's candidates
/// rank them), or one a saved search finds (score: its text relevance).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertView {
    #[schema(value_type = i64)]
    pub id: Id,
    #[schema(value_type = i64)]
    pub subscription_id: Id,
    #[schema(value_type = i64)]
    pub opening_id: Id,
    pub opening_title: String,
    pub opening_kind: OpeningKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub participant_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    pub score: f64,
    pub found_at: DateTime<Utc>,
}

impl From<Alert> for AlertView {
    fn from(a: Alert) -> Self {
        AlertView {
            id: a.record.id,
            subscription_id: a.record.subscription_id,
            opening_id: a.record.opening_id,
            opening_title: a.opening_title,
            opening_kind: a.opening_kind,
            participant_id: a.record.participant_id,
            pseudonym: a.pseudonym,
            score: (a.record.score * 1000.0).round() / 1000.0,
            found_at: a.record.created_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AlertList {
    /// New since the last look, oldest first; these now count as looked at.
    pub alerts: Vec<AlertView>,
}
