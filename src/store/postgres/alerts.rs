//! Subscriptions to new matches, the alerts found for them, and their webhook deliveries.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPool;

use crate::model::Id;
use crate::store::codec::{AlertRow, DueRow, SubscriptionRow, target_columns};
use crate::store::{
    AlertRecord, Delivery, DueAlert, NewAlert, StoreError, Subscription, SubscriptionTarget,
};

pub(super) async fn create_subscription(
    pool: &PgPool,
    user_id: Id,
    target: &SubscriptionTarget,
    threshold: f64,
    webhook_url: Option<&str>,
) -> Result<Subscription, StoreError> {
    let (kind, participant_id, search) = target_columns(target);
    let row: SubscriptionRow = sqlx::query_as(
        "INSERT INTO subscriptions (user_id, kind, participant_id, search, threshold, webhook_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id, user_id, kind, participant_id, search, threshold, webhook_url, created_at",
    )
    .bind(user_id)
    .bind(kind)
    .bind(participant_id)
    .bind(search)
    .bind(threshold)
    .bind(webhook_url)
    .bind(Utc::now())
    .fetch_one(pool)
    .await?;
    row.decode()
}

pub(super) async fn subscriptions(
    pool: &PgPool,
    user_id: Option<Id>,
) -> Result<Vec<Subscription>, StoreError> {
    let rows: Vec<SubscriptionRow> = sqlx::query_as(
        "SELECT id, user_id, kind, participant_id, search, threshold, webhook_url, created_at \
         FROM subscriptions WHERE $1::BIGINT IS NULL OR user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(SubscriptionRow::decode).collect()
}

pub(super) async fn delete_subscription(
    pool: &PgPool,
    id: Id,
    user_id: Id,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM subscriptions WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn insert_alerts(
    pool: &PgPool,
    alerts: &[NewAlert],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let subscription: Vec<Id> = alerts.iter().map(|a| a.subscription_id).collect();
    let opening: Vec<Id> = alerts.iter().map(|a| a.opening_id).collect();
    let participant: Vec<Option<Id>> = alerts.iter().map(|a| a.participant_id).collect();
    let score: Vec<f64> = alerts.iter().map(|a| a.score).collect();
    // A participant erased meanwhile, or a subscription removed, leaves nothing to alert;
    // another instance that found the same match first has recorded it.
    let done = sqlx::query(
        "INSERT INTO alerts (subscription_id, opening_id, participant_id, score, created_at, next_attempt_at) \
         SELECT s.id, n.opening_id, n.participant_id, n.score, $5, CASE WHEN s.webhook_url IS NULL THEN NULL ELSE $5 END \
         FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::DOUBLE PRECISION[]) \
              AS n (subscription_id, opening_id, participant_id, score) \
         JOIN subscriptions s ON s.id = n.subscription_id \
         WHERE n.participant_id IS NULL OR EXISTS (SELECT 1 FROM participants p WHERE p.id = n.participant_id) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&subscription)
    .bind(&opening)
    .bind(&participant)
    .bind(&score)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn take_alerts(
    pool: &PgPool,
    user_id: Id,
    limit: i64,
) -> Result<Vec<AlertRecord>, StoreError> {
    // Each alert is marked as it is handed over, so one committed late by another instance is
    // still new at the next look, and two looks at once never hand over the same one.
    let mut rows: Vec<AlertRow> = sqlx::query_as(
        "UPDATE alerts SET taken_at = $1 WHERE id IN (SELECT a.id FROM alerts a \
         JOIN subscriptions s ON s.id = a.subscription_id \
         WHERE s.user_id = $2 AND a.taken_at IS NULL ORDER BY a.id LIMIT $3 FOR UPDATE OF a SKIP LOCKED) \
         RETURNING id, subscription_id, opening_id, participant_id, score, created_at",
    )
    .bind(Utc::now())
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows.into_iter().map(Into::into).collect())
}

pub(super) async fn due_deliveries(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DueAlert>, StoreError> {
    // Claimed for a while, so another instance does not post them too; a delivery cut short
    // is tried again when the claim runs out.
    let mut tx = pool.begin().await?;
    let rows: Vec<DueRow> = sqlx::query_as(
        "SELECT a.id, a.subscription_id, a.opening_id, a.participant_id, a.score, a.created_at, s.webhook_url, a.attempts \
         FROM alerts a JOIN subscriptions s ON s.id = a.subscription_id \
         WHERE a.next_attempt_at IS NOT NULL AND a.next_attempt_at <= $1 AND s.webhook_url IS NOT NULL \
         ORDER BY a.id LIMIT $2 FOR UPDATE OF a SKIP LOCKED",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.alert.id).collect();
    sqlx::query("UPDATE alerts SET next_attempt_at = $1 WHERE id = ANY($2)")
        .bind(now + crate::store::DELIVERY_CLAIM)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub(super) async fn record_delivery(
    pool: &PgPool,
    ids: &[Id],
    delivery: Delivery,
) -> Result<(), StoreError> {
    let (delivered, next) = match delivery {
        Delivery::Delivered(at) => (Some(at), None),
        Delivery::Retry(at) => (None, Some(at)),
        Delivery::GaveUp => (None, None),
    };
    sqlx::query(
        "UPDATE alerts SET attempts = attempts + 1, delivered_at = $1, next_attempt_at = $2 \
         WHERE id = ANY($3)",
    )
    .bind(delivered)
    .bind(next)
    .bind(ids)
    .execute(pool)
    .await?;
    Ok(())
}
