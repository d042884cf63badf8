//! Import: a whole batch of employers, openings and participants in one write transaction;
//! published ads applied one savepoint each; how far a change feed has been applied.
//!
//! What this module must not do: validate the batch's content beyond what the store needs
//! (the service validates the file; this checks ids and references, `codec` the encodings).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};
use sqlx::{Acquire as _, Connection as _};

use super::employers::{employer_by_org, insert_employer, insert_employers};
use super::openings::{insert_opening, insert_openings, opening_by_source, replace_opening};
use super::participants::insert_participant;
use super::{Pools, begin_write};
use crate::model::{Employer, Id, Identity, Opening, Profile};
use crate::store::ads::{self, Plan};
use crate::store::codec::check_import;
use crate::store::{AdApplied, AdWrite, ImportReport, StoreError};

pub(super) async fn import(
    pool: &Pools,
    employers: &[Employer],
    openings: &[Opening],
    participants: &[(Identity, Profile)],
    coach_id: Option<Id>,
) -> Result<ImportReport, StoreError> {
    // Check what can be checked before taking the write lock.
    check_import(employers, openings)?;
    let mut conn = pool.write.acquire().await?;
    if !pool.in_memory {
        bulk_settings(&mut conn).await?;
    }
    import_on(&mut conn, employers, openings, participants, coach_id).await
}

/// A batch's settings on the writer's connection, which is then closed after the batch
/// instead of going back to the pool (the next write opens a fresh one): an import cancelled
/// half-way (a request whose caller went away) could not put them back.
async fn bulk_settings(conn: &mut PoolConnection<Sqlite>) -> Result<(), StoreError> {
    conn.close_on_drop();
    // A batch dirties far more pages than the usual cache holds, and pages spilled to the
    // log early (the indexes' above all) are written there again as they change: 256 MiB
    // holds a batch of 100,000 openings whole. 100k: 4.6 s -> 3.7 s.
    // Each multi-row statement journals the pages it changes, so that it alone can be undone:
    // in memory, not through a temporary file (100k: 400 -> 210 MB written).
    // The CHECK and foreign-key constraints guard the tables against writers other than
    // this module; a batch writes only what `codec` encoded (serde's JSON, the codec's
    // spellings) and employer ids it has just inserted, and validating every JSON column of
    // every row again took a sixth of a large import (1M: 19.5 -> 15.0 s on tmpfs).
    // `PRAGMA integrity_check`, which checks them, passes after an import.
    sqlx::query(
        "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; \
         PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF",
    )
    .execute(&mut **conn)
    .await?;
    Ok(())
}

async fn import_on(
    conn: &mut SqliteConnection,
    employers: &[Employer],
    openings: &[Opening],
    participants: &[(Identity, Profile)],
    coach_id: Option<Id>,
) -> Result<ImportReport, StoreError> {
    let now = Utc::now();
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut report = ImportReport::default();
    let mut new_ids = HashMap::with_capacity(employers.len());
    report.employer_ids = insert_employers(&mut tx, employers, now).await?;
    for (employer, &id) in employers.iter().zip(&report.employer_ids) {
        new_ids.insert(employer.id, id);
    }
    let with_employers = openings
        .iter()
        .map(|o| {
            new_ids
                .get(&o.employer_id)
                .map(|&e| (o, e))
                .ok_or(StoreError::UnknownEmployer(o.employer_id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    report.opening_ids = insert_openings(&mut tx, &with_employers, now).await?;
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

pub(super) async fn apply_ads(pool: &Pools, ads: &[AdWrite]) -> Result<Vec<AdApplied>, StoreError> {
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let mut employers: HashMap<(Option<String>, String), Id> = HashMap::new();
    let mut out = Vec::with_capacity(ads.len());
    for ad in ads {
        let mut savepoint = tx.begin().await?;
        match apply_ad(&mut savepoint, ad, &employers, now).await {
            Ok((applied, employer)) => {
                savepoint.commit().await?;
                if let Some((key, id)) = employer {
                    employers.insert(key, id);
                }
                out.push(applied);
            }
            Err(e) => {
                savepoint.rollback().await?;
                out.push(AdApplied::Failed(e.to_string()));
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}

type EmployerKey = (Option<String>, String);

/// One ad inside its savepoint; answers what it did and the employer it created, if any, for
/// the batch's cache (kept only once the savepoint commits).
async fn apply_ad(
    conn: &mut SqliteConnection,
    ad: &AdWrite,
    employers: &HashMap<EmployerKey, Id>,
    now: DateTime<Utc>,
) -> Result<(AdApplied, Option<(EmployerKey, Id)>), StoreError> {
    let source = ads::source(ad)?;
    let stored = opening_by_source(conn, &source.system, &source.external_id).await?;
    let mut created_employer = None;
    let mut employer_id = None;
    if ads::needs_employer(ad) {
        let e = &ad.employer;
        let key = (e.org_number.clone(), e.name.clone());
        employer_id = Some(match employers.get(&key) {
            Some(&id) => id,
            None => match employer_by_org(conn, e.org_number.as_deref(), &e.name).await? {
                Some(id) => id,
                None => {
                    let org = e.org_number.as_deref();
                    let at = e.municipality_code.as_deref();
                    let id = insert_employer(conn, &e.name, org, at, now).await?.id;
                    created_employer = Some((key, id));
                    id
                }
            },
        });
    }
    let plan = ads::plan(ad, stored, employer_id);
    let inserted = match &plan {
        Plan::Insert(o) => insert_opening(conn, o, o.employer_id, now).await?.id,
        Plan::Replace(o) | Plan::Close(o) => {
            replace_opening(conn, o.id, o, now).await?;
            o.id
        }
        Plan::Nothing(_) => 0,
    };
    Ok((plan.applied(inserted), created_employer))
}

pub(super) async fn sync_state(
    pool: &SqlitePool,
    feed: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT applied_to FROM sync_state WHERE feed = ?")
            .bind(feed)
            .fetch_optional(pool)
            .await?,
    )
}

pub(super) async fn set_sync_state(
    pool: &Pools,
    feed: &str,
    applied_to: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sync_state (feed, applied_to, updated_at) VALUES (?, ?, ?) \
         ON CONFLICT (feed) DO UPDATE SET applied_to = excluded.applied_to, \
         updated_at = excluded.updated_at",
    )
    .bind(feed)
    .bind(applied_to)
    .bind(Utc::now())
    .execute(&pool.write)
    .await?;
    Ok(())
}
