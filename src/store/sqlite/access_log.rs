//! The access log: who read which participant, for what. Append-only from here: nothing in
//! this backend updates or deletes its rows, and they hold ids and actors, never personal data.
//!
//! What this module must not do: join the log to identities, or decide what counts as a read
//! (the caller does).

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;

use crate::model::Id;
use crate::store::StoreError;

pub(super) async fn log_participant_read(
    pool: &SqlitePool,
    participant_id: Id,
    actor: &str,
    action: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participant_reads (participant_id, actor, action, at) VALUES (?, ?, ?, ?)",
    )
    .bind(participant_id)
    .bind(actor)
    .bind(action)
    .bind(Utc::now())
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn participant_reads(
    pool: &SqlitePool,
    participant_id: Id,
) -> Result<Vec<(String, String, DateTime<Utc>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT actor, action, at FROM participant_reads WHERE participant_id = ? ORDER BY id",
    )
    .bind(participant_id)
    .fetch_all(pool)
    .await?)
}
