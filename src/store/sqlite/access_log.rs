//! The access log: who read which participant, in which role, on which route. Append-only:
//! nothing here updates or deletes a row, and triggers refuse it from anywhere else; the rows
//! hold ids and routes, never personal data.
//!
//! What this module must not do: join the log to identities, or decide what counts as a read
//! (the caller does).

use sqlx::sqlite::SqlitePool;

use super::{Pools, begin_write};
use crate::model::Id;
use crate::store::codec::{AccessRow, enum_str};
use crate::store::{AccessEntry, AccessRecord, StoreError};

pub(super) async fn log_reads(pool: &Pools, entries: &[AccessEntry]) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let mut tx = begin_write(pool).await?;
    for e in entries {
        sqlx::query(
            "INSERT INTO participant_reads (participant_id, actor, action, at, user_id, role) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(e.participant_id)
        .bind(e.actor.as_str())
        .bind(e.action.as_str())
        .bind(now)
        .bind(e.user_id)
        .bind(enum_str(&e.role)?)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn access_log(
    pool: &SqlitePool,
    participant_id: Option<Id>,
    offset: i64,
    limit: i64,
) -> Result<Vec<AccessRecord>, StoreError> {
    let rows: Vec<AccessRow> = sqlx::query_as(
        "SELECT id, participant_id, user_id, role, actor, action, at FROM participant_reads \
         WHERE ?1 IS NULL OR participant_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    )
    .bind(participant_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(AccessRecord::try_from).collect()
}
