//! Programme facts with their history, and each unit's limits.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use super::outbox::push_outbox;
use super::{Pools, begin_write};
use crate::model::Id;
use crate::store::{Entity, FactsRecord, Op, StoreError};

pub(super) async fn set_programme(
    pool: &Pools,
    participant_id: Id,
    facts: &str,
    unit: Option<&str>,
    user_id: Option<Id>,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let exists: Option<Id> = sqlx::query_scalar("SELECT id FROM participants WHERE id = ?")
        .bind(participant_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    write_facts(&mut tx, participant_id, facts, unit, user_id, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes a participant's facts in force and their version in the history, on the caller's
/// transaction, and queues the participant for the projection: a status of job, studies or
/// left takes them out of matching.
pub(super) async fn write_facts(
    conn: &mut SqliteConnection,
    participant_id: Id,
    facts: &str,
    unit: Option<&str>,
    user_id: Option<Id>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO programme (participant_id, facts, unit, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (participant_id) DO UPDATE SET facts = excluded.facts, unit = excluded.unit, \
         updated_at = excluded.updated_at",
    )
    .bind(participant_id)
    .bind(facts)
    .bind(unit)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO programme_history (participant_id, facts, at, user_id) VALUES (?, ?, ?, ?)",
    )
    .bind(participant_id)
    .bind(facts)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    push_outbox(conn, Entity::Participant, participant_id, Op::Upsert, now).await
}

pub(super) async fn programme_history(
    pool: &SqlitePool,
    participant_id: Id,
) -> Result<Vec<FactsRecord>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>, Option<Id>)> = sqlx::query_as(
        "SELECT facts, at, user_id FROM programme_history WHERE participant_id = ? ORDER BY id",
    )
    .bind(participant_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(facts, at, user_id)| FactsRecord { facts, at, user_id })
        .collect())
}

pub(super) async fn programmes(
    pool: &SqlitePool,
    coach_id: Option<Id>,
) -> Result<Vec<(Id, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT g.participant_id, g.facts FROM programme g JOIN participants p ON p.id = g.participant_id \
         WHERE ?1 IS NULL OR p.coach_id = ?1 ORDER BY g.participant_id",
    )
    .bind(coach_id)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn set_unit_limits(
    pool: &Pools,
    unit: &str,
    limits: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO unit_limits (unit, limits, updated_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (unit) DO UPDATE SET limits = excluded.limits, updated_at = excluded.updated_at",
    )
    .bind(unit)
    .bind(limits)
    .bind(Utc::now())
    .execute(&pool.write)
    .await?;
    Ok(())
}

pub(super) async fn unit_limits(pool: &SqlitePool) -> Result<Vec<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT unit, limits FROM unit_limits ORDER BY unit")
            .fetch_all(pool)
            .await?,
    )
}
