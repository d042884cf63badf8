//! Caseloads, priority policies and stored allocations.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;

use super::{Pools, begin_write};
use crate::model::Id;
use crate::store::codec::{AllocationRow, PolicyRow};
use crate::store::{AllocationRecord, PolicyRecord, StoreError};

pub(super) async fn caseload(
    pool: &SqlitePool,
    coach_id: Option<Id>,
) -> Result<Vec<Id>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM participants WHERE ?1 IS NULL OR coach_id = ?1 ORDER BY id",
    )
    .bind(coach_id)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn set_policy(
    pool: &Pools,
    name: &str,
    weights: &str,
    created_by: Option<Id>,
) -> Result<PolicyRecord, StoreError> {
    let mut tx = begin_write(pool).await?;
    let row: PolicyRow = sqlx::query_as(
        "INSERT INTO priority_policies (name, version, weights, created_at, created_by) \
         SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4 FROM priority_policies WHERE name = ?1 \
         RETURNING name, version, weights, created_at",
    )
    .bind(name)
    .bind(weights)
    .bind(Utc::now())
    .bind(created_by)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

pub(super) async fn policy(
    pool: &SqlitePool,
    name: Option<&str>,
) -> Result<Option<PolicyRecord>, StoreError> {
    let row: Option<PolicyRow> = sqlx::query_as(
        "SELECT name, version, weights, created_at FROM priority_policies \
         WHERE ?1 IS NULL OR name = ?1 ORDER BY created_at DESC, version DESC LIMIT 1",
    )
    .bind(name)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}

pub(super) async fn policies(pool: &SqlitePool) -> Result<Vec<PolicyRecord>, StoreError> {
    let rows: Vec<PolicyRow> = sqlx::query_as(
        "SELECT name, version, weights, created_at FROM priority_policies p \
         WHERE version = (SELECT MAX(version) FROM priority_policies q WHERE q.name = p.name) \
         ORDER BY created_at DESC, name",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub(super) async fn save_allocation(
    pool: &Pools,
    created_by: Option<Id>,
    body: &str,
) -> Result<Id, StoreError> {
    let mut tx = begin_write(pool).await?;
    let id: Id = sqlx::query_scalar(
        "INSERT INTO allocations (created_at, created_by, body) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(Utc::now())
    .bind(created_by)
    .bind(body)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn allocation(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<AllocationRecord>, StoreError> {
    let row: Option<AllocationRow> =
        sqlx::query_as("SELECT id, created_at, created_by, body FROM allocations WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(Into::into))
}

pub(super) async fn exposure(
    pool: &SqlitePool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Id, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT participant_id, action, COUNT(*) FROM participant_reads \
         WHERE at >= ?1 AND at < ?2 GROUP BY participant_id, action \
         ORDER BY participant_id, action",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn allocations_between(
    pool: &SqlitePool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<AllocationRecord>, StoreError> {
    let rows: Vec<AllocationRow> = sqlx::query_as(
        "SELECT id, created_at, created_by, body FROM allocations \
         WHERE created_at >= ?1 AND created_at < ?2 ORDER BY id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
