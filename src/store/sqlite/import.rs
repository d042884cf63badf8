//! Import: a whole batch of employers, openings and participants in one write transaction.
//!
//! What this module must not do: validate the batch's content beyond what the store needs
//! (the service validates the file; this checks ids and references, `codec` the encodings).

use std::collections::HashMap;

use chrono::Utc;
use sqlx::sqlite::SqlitePool;

use super::begin_write;
use super::employers::insert_employer;
use super::openings::insert_opening;
use super::participants::insert_participant;
use crate::model::{Employer, Id, Identity, Opening, Profile};
use crate::store::codec::check_import;
use crate::store::{ImportReport, StoreError};

pub(super) async fn import(
    pool: &SqlitePool,
    employers: &[Employer],
    openings: &[Opening],
    participants: &[(Identity, Profile)],
    coach_id: Option<Id>,
) -> Result<ImportReport, StoreError> {
    // Check what can be checked before taking the write lock.
    check_import(employers, openings)?;
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let mut report = ImportReport::default();
    let mut new_ids = HashMap::with_capacity(employers.len());
    for employer in employers {
        let created = insert_employer(
            &mut tx,
            &employer.name,
            employer.org_number.as_deref(),
            employer.municipality_code.as_deref(),
            now,
        )
        .await?;
        new_ids.insert(employer.id, created.id);
        report.employer_ids.push(created.id);
    }
    for opening in openings {
        let employer_id = *new_ids
            .get(&opening.employer_id)
            .ok_or(StoreError::UnknownEmployer(opening.employer_id))?;
        let created = insert_opening(&mut tx, opening, employer_id, now).await?;
        report.opening_ids.push(created.id);
    }
    for (identity, profile) in participants {
        let created = insert_participant(&mut tx, identity, profile, coach_id, now).await?;
        report.participant_ids.push(created.id);
    }
    tx.commit().await?;
    report.employers = report.employer_ids.len();
    report.openings = report.opening_ids.len();
    report.participants = report.participant_ids.len();
    Ok(report)
}
