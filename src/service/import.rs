//! Loading many objects at once (`jobmatch import`, the demo data): one transaction, all or
//! nothing, then the index catches up from the outbox like after any write.

use super::Engine;
use super::error::Result;
use crate::model::{Employer, Identity, Opening, Profile};
use crate::store::{ImportReport, Store};

pub use super::indexer::reindex;

/// Objects to load together, already understood. Each employer's `id` is a key local to the
/// batch, and each opening's `employer_id` names one of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportBatch {
    pub employers: Vec<Employer>,
    pub openings: Vec<Opening>,
    pub participants: Vec<(Identity, Profile)>,
    /// The coach whose caseload the participants land on, if any.
    pub coach_id: Option<crate::model::Id>,
}

/// Writes a batch to the store in one transaction, without touching the index: `jobmatch
/// import` uses it beside a running server, whose outbox follower (or the next startup)
/// indexes what was written.
pub async fn import_into(store: &Store, batch: &ImportBatch) -> Result<ImportReport> {
    Ok(store
        .import(
            &batch.employers,
            &batch.openings,
            &batch.participants,
            batch.coach_id,
        )
        .await?)
}

impl Engine {
    /// Imports a batch in one transaction, all or nothing, and answers once it is searchable.
    pub async fn import(&self, batch: &ImportBatch) -> Result<ImportReport> {
        let report = import_into(&self.store, batch).await?;
        self.after_write(super::Visibility::Searchable).await;
        Ok(report)
    }
}
