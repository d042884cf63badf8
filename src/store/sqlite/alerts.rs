//! Subscriptions to new matches, the alerts found for them, and their webhook deliveries.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;

use super::{Pools, begin_write};
use crate::model::Id;
use crate::store::codec::{AlertRow, DueRow, SubscriptionRow, target_columns, to_json};
use crate::store::{
    AlertRecord, Delivery, DueAlert, NewAlert, StoreError, Subscription, SubscriptionTarget,
};

pub(super) async fn create_subscription(
    pool: &Pools,
    user_id: Id,
    target: &SubscriptionTarget,
    threshold: f64,
    webhook_url: Option<&str>,
) -> Result<Subscription, StoreError> {
    let (kind, participant_id, search) = target_columns(target);
    let row: SubscriptionRow = sqlx::query_as(
        "INSERT INTO subscriptions (user_id, kind, participant_id, search, threshold, webhook_url, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         RETURNING id, user_id, kind, participant_id, search, threshold, webhook_url, created_at",
    )
    .bind(user_id)
    .bind(kind)
    .bind(participant_id)
    .bind(search)
    .bind(threshold)
    .bind(webhook_url)
    .bind(Utc::now())
    .fetch_one(&pool.write)
    .await?;
    row.decode()
}

pub(super) async fn subscriptions(
    pool: &SqlitePool,
    user_id: Option<Id>,
) -> Result<Vec<Subscription>, StoreError> {
    let rows: Vec<SubscriptionRow> = sqlx::query_as(
        "SELECT id, user_id, kind, participant_id, search, threshold, webhook_url, created_at \
         FROM subscriptions WHERE ?1 IS NULL OR user_id = ?1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(SubscriptionRow::decode).collect()
}

pub(super) async fn delete_subscription(
    pool: &Pools,
    id: Id,
    user_id: Id,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM subscriptions WHERE id = ? AND user_id = ?")
        .bind(id)
        .bind(user_id)
        .execute(&pool.write)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn insert_alerts(
    pool: &Pools,
    alerts: &[NewAlert],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let mut added = 0;
    for a in alerts {
        // A participant erased meanwhile, or a subscription removed, leaves nothing to alert.
        added += sqlx::query(
            "INSERT OR IGNORE INTO alerts (subscription_id, opening_id, participant_id, score, created_at, next_attempt_at) \
             SELECT s.id, ?2, ?3, ?4, ?5, CASE WHEN s.webhook_url IS NULL THEN NULL ELSE ?5 END \
             FROM subscriptions s WHERE s.id = ?1 \
             AND (?3 IS NULL OR EXISTS (SELECT 1 FROM participants WHERE id = ?3))",
        )
        .bind(a.subscription_id)
        .bind(a.opening_id)
        .bind(a.participant_id)
        .bind(a.score)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

pub(super) async fn take_alerts(
    pool: &Pools,
    user_id: Id,
    limit: i64,
) -> Result<Vec<AlertRecord>, StoreError> {
    let mut rows: Vec<AlertRow> = sqlx::query_as(
        "UPDATE alerts SET taken_at = ?1 WHERE id IN (SELECT a.id FROM alerts a \
         JOIN subscriptions s ON s.id = a.subscription_id \
         WHERE s.user_id = ?2 AND a.taken_at IS NULL ORDER BY a.id LIMIT ?3) \
         RETURNING id, subscription_id, opening_id, participant_id, score, created_at",
    )
    .bind(Utc::now())
    .bind(user_id)
    .bind(limit)
    .fetch_all(&pool.write)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows.into_iter().map(Into::into).collect())
}

pub(super) async fn due_deliveries(
    pool: &Pools,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueAlert>, StoreError> {
    // A look first: this runs every second, and a write transaction when nothing is due
    // would contend with every other writer (an import beside the server) for nothing.
    let any: Option<Id> = sqlx::query_scalar(
        "SELECT id FROM alerts WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&pool.read)
    .await?;
    if any.is_none() {
        return Ok(Vec::new());
    }
    // Claimed for a while, so another instance does not post them too; a delivery cut short
    // is tried again when the claim runs out.
    let mut tx = begin_write(pool).await?;
    let rows: Vec<DueRow> = sqlx::query_as(
        "SELECT a.id, a.subscription_id, a.opening_id, a.participant_id, a.score, a.created_at, s.webhook_url, a.attempts \
         FROM alerts a JOIN subscriptions s ON s.id = a.subscription_id \
         WHERE a.next_attempt_at IS NOT NULL AND a.next_attempt_at <= ? AND s.webhook_url IS NOT NULL \
         ORDER BY a.id LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.alert.id).collect();
    sqlx::query(
        "UPDATE alerts SET next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(now + crate::store::DELIVERY_CLAIM)
    .bind(to_json(&ids)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub(super) async fn record_delivery(
    pool: &Pools,
    ids: &[Id],
    delivery: Delivery,
) -> Result<(), StoreError> {
    let (delivered, next) = match delivery {
        Delivery::Delivered(at) => (Some(at), None),
        Delivery::Retry(at) => (None, Some(at)),
        Delivery::GaveUp => (None, None),
    };
    sqlx::query(
        "UPDATE alerts SET attempts = attempts + 1, delivered_at = ?1, next_attempt_at = ?2 \
         WHERE id IN (SELECT value FROM json_each(?3))",
    )
    .bind(delivered)
    .bind(next)
    .bind(to_json(ids)?)
    .execute(&pool.write)
    .await?;
    Ok(())
}
