//! What applying a published ad means, decided once for both backends: each backend looks the
//! ad's opening and employer up, asks [`plan`] what to write, and writes it.
//!
//! What this module must not do: hold SQL or touch a connection.

use super::{AdApplied, AdWrite, StoreError};
use crate::model::{AdSource, Id, Opening, OpeningStatus};

/// The one write an ad needs, if any.
pub(crate) enum Plan {
    Insert(Opening),
    Replace(Opening),
    Close(Opening),
    Nothing(Option<Id>),
}

impl Plan {
    /// What the caller reports once the plan is written; `id` is the inserted opening's.
    pub(crate) fn applied(&self, inserted: Id) -> AdApplied {
        match self {
            Plan::Insert(_) => AdApplied::Created(inserted),
            Plan::Replace(o) => AdApplied::Updated(o.id),
            Plan::Close(o) => AdApplied::Closed(o.id),
            Plan::Nothing(id) => AdApplied::Unchanged(*id),
        }
    }
}

/// The source an ad's opening must name.
pub(crate) fn source(ad: &AdWrite) -> Result<&AdSource, StoreError> {
    ad.opening
        .source
        .as_ref()
        .ok_or_else(|| StoreError::Invalid("an ad's opening must name its source".into()))
}

/// Whether the ad is an older version than the one stored, both dated by the source.
fn is_older(ad: &AdWrite, stored: &Opening) -> bool {
    let changed = |o: &Opening| o.source.as_ref().and_then(|s| s.changed_ms);
    matches!((changed(&ad.opening), changed(stored)), (Some(new), Some(old)) if new < old)
}

/// Whether the ad needs its employer (only an ad that will be open does).
pub(crate) fn needs_employer(ad: &AdWrite) -> bool {
    !ad.removed
}

/// Decides the write for an ad given the opening stored for it and, unless it was removed, the
/// employer it resolved to.
pub(crate) fn plan(ad: &AdWrite, stored: Option<Opening>, employer_id: Option<Id>) -> Plan {
    if let Some(o) = &stored
        && is_older(ad, o)
    {
        return Plan::Nothing(Some(o.id));
    }
    if ad.removed {
        return match stored {
            Some(o) if o.status == OpeningStatus::Open => Plan::Close(Opening {
                status: OpeningStatus::Closed,
                ..o
            }),
            other => Plan::Nothing(other.map(|o| o.id)),
        };
    }
    let employer_id = employer_id.unwrap_or(ad.opening.employer_id);
    match stored {
        None => Plan::Insert(Opening {
            employer_id,
            status: OpeningStatus::Open,
            ..ad.opening.clone()
        }),
        Some(stored) => {
            let wanted = Opening {
                id: stored.id,
                employer_id,
                status: OpeningStatus::Open,
                ..ad.opening.clone()
            };
            if wanted == stored {
                Plan::Nothing(Some(stored.id))
            } else {
                Plan::Replace(wanted)
            }
        }
    }
}
