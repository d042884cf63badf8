//! Loading many objects at once: `jobmatch import` and the demo data in one transaction, all
//! or nothing; published ads record by record, each created, updated, closed, unchanged or
//! rejected on its own. The index catches up from the outbox like after any write.

use serde::Serialize;
use utoipa::ToSchema;

use super::error::{Code, InputError, Result};
use super::{Caller, Engine};
use crate::model::{Employer, Id, Identity, Opening, Profile, Role};
use crate::store::{AdApplied, AdWrite, ImportReport, Store};

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

/// One record of an ads file as the edge understood it: its position (from 1), its line for
/// JSON Lines, the ad's id when it has one, and the write it asks for or why it cannot be.
#[derive(Debug)]
pub struct AdItem {
    pub position: usize,
    pub line: Option<usize>,
    pub external_id: Option<String>,
    /// When the feed last changed the ad (milliseconds since 1970), where it says.
    pub changed_ms: Option<i64>,
    pub write: std::result::Result<AdWrite, InputError>,
}

/// What became of one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Closed,
    Unchanged,
    Rejected,
}

/// One line of the per-record report.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct RecordReport {
    pub position: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub opening_id: Option<Id>,
    /// Machine-readable reason of a rejection, as in error bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the feed last changed the ad (milliseconds since 1970), where it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_ms: Option<i64>,
}

/// The counts of an import, and how fast it went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct ImportSummary {
    pub records: usize,
    pub created: usize,
    pub updated: usize,
    pub closed: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub seconds: f64,
    /// Records per second, end to end into the database.
    pub per_second: f64,
    /// The latest change time among the ads applied (milliseconds since 1970), where the
    /// feed gives them: how far a change feed has been applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_change_ms: Option<i64>,
    /// The earliest change time among ads the database refused (not for their content, so
    /// applying them again may succeed): a change feed is applied only up to before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_refused_change_ms: Option<i64>,
}

/// The code of an ad the database refused, as opposed to one whose content was rejected.
pub const STORE_REFUSED: &str = "store_refused";

impl ImportSummary {
    fn count(&mut self, report: &RecordReport) {
        self.records += 1;
        if report.code.as_deref() == Some(STORE_REFUSED) {
            let first = self
                .first_refused_change_ms
                .into_iter()
                .chain(report.changed_ms);
            self.first_refused_change_ms = first.min();
        } else if report.outcome != Outcome::Rejected {
            self.latest_change_ms = self.latest_change_ms.max(report.changed_ms);
        }
        *match report.outcome {
            Outcome::Created => &mut self.created,
            Outcome::Updated => &mut self.updated,
            Outcome::Closed => &mut self.closed,
            Outcome::Unchanged => &mut self.unchanged,
            Outcome::Rejected => &mut self.rejected,
        } += 1;
    }

    /// One line for a terminal: counts and rate.
    pub fn line(&self) -> String {
        format!(
            "{} records: {} created, {} updated, {} closed, {} unchanged, {} rejected in {:.1} s ({:.0}/s)",
            self.records,
            self.created,
            self.updated,
            self.closed,
            self.unchanged,
            self.rejected,
            self.seconds,
            self.per_second
        )
    }
}

/// Ads written per transaction: large enough that commits do not dominate, small enough that
/// a crash loses little work and the index can follow while an import runs.
const AD_BATCH: usize = 500;

/// Applies a stream of ads to the store, [`AD_BATCH`] per transaction, each ad on its own (a
/// rejected or refused one stops nothing and leaves nothing), calling `on_record` with each
/// record's report in input order. Writes the store only: the index follows the outbox.
pub async fn import_ads_into(
    store: &Store,
    mut items: tokio::sync::mpsc::Receiver<AdItem>,
    mut on_record: impl FnMut(&RecordReport),
) -> Result<ImportSummary> {
    let started = std::time::Instant::now();
    let mut summary = ImportSummary::default();
    let mut batch: Vec<AdItem> = Vec::with_capacity(AD_BATCH);
    loop {
        let room = AD_BATCH - batch.len();
        let more = items.recv_many(&mut batch, room).await > 0;
        if batch.len() >= AD_BATCH || (!more && !batch.is_empty()) {
            for report in apply_batch(store, std::mem::take(&mut batch)).await? {
                summary.count(&report);
                on_record(&report);
            }
        }
        if !more {
            break;
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary.per_second = summary.records as f64 / summary.seconds.max(1e-9);
    Ok(summary)
}

async fn apply_batch(store: &Store, batch: Vec<AdItem>) -> Result<Vec<RecordReport>> {
    let writes: Vec<AdWrite> = batch
        .iter()
        .filter_map(|i| i.write.as_ref().ok().cloned())
        .collect();
    let mut applied = store.apply_ads(&writes).await?.into_iter();
    let mut out = Vec::with_capacity(batch.len());
    for item in batch {
        let report =
            |outcome, opening_id, code: Option<String>, reason: Option<String>| RecordReport {
                position: item.position,
                line: item.line,
                external_id: item.external_id.clone(),
                outcome,
                opening_id,
                code,
                reason,
                changed_ms: item.changed_ms,
            };
        out.push(match &item.write {
            Err(e) => report(
                Outcome::Rejected,
                None,
                Some(e.code.as_str().to_owned()),
                Some(e.message.clone()),
            ),
            Ok(_) => match applied.next() {
                Some(AdApplied::Created(id)) => report(Outcome::Created, Some(id), None, None),
                Some(AdApplied::Updated(id)) => report(Outcome::Updated, Some(id), None, None),
                Some(AdApplied::Closed(id)) => report(Outcome::Closed, Some(id), None, None),
                Some(AdApplied::Unchanged(id)) => report(Outcome::Unchanged, id, None, None),
                Some(AdApplied::Failed(reason)) => report(
                    Outcome::Rejected,
                    None,
                    Some(STORE_REFUSED.to_owned()),
                    Some(format!("the database refused the ad: {reason}")),
                ),
                None => report(
                    Outcome::Rejected,
                    None,
                    Some(Code::Internal.as_str().to_owned()),
                    Some("the store answered for fewer ads than it was given".to_owned()),
                ),
            },
        });
    }
    Ok(out)
}

impl Engine {
    /// Imports published ads (admin and matcher) and answers once the changes are searchable.
    pub async fn import_ads(
        &self,
        caller: &Caller,
        items: tokio::sync::mpsc::Receiver<AdItem>,
        on_record: impl FnMut(&RecordReport),
    ) -> Result<ImportSummary> {
        caller.require(&[Role::Admin, Role::Matcher])?;
        let summary = import_ads_into(&self.store, items, on_record).await?;
        self.after_write(super::Visibility::Searchable).await;
        Ok(summary)
    }
}
