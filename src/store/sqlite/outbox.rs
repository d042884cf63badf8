//! The outbox (written inside every opening and profile transaction, read by the index's
//! follower) and the status figures read beside it.
//!
//! **Order.** `outbox.seq` is an `INTEGER PRIMARY KEY AUTOINCREMENT`, assigned when the row is
//! inserted inside a `BEGIN IMMEDIATE` transaction. SQLite admits one writer at a time, so no
//! transaction can insert a row and commit after a later one took a higher `seq`: sequence
//! order is commit order, and the follower's cursor (`seq > applied`, see
//! [`Backend::outbox_after`](crate::store::Backend::outbox_after)) never skips a row. That is
//! a property of this backend, not of the SQL: a PostgreSQL backend running the same queries
//! under concurrent writers could skip a row that commits late, and has to close that gap
//! itself (read below the oldest in-flight xid, serialise outbox inserts with a
//! transaction-scoped advisory lock, or track gaps).
//!
//! What this module must not do: write outbox rows outside the caller's transaction, or
//! decide what an entry means for the index.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use crate::model::Id;
use crate::store::codec::{CountsRow, OutboxRow, enum_str};
use crate::store::{Counts, Entity, Op, OutboxEntry, StoreError};

/// Queues `op` on `entity_id` for the index, on the caller's connection, so the row commits (or
/// rolls back) with the change it describes.
pub(super) async fn push_outbox(
    conn: &mut SqliteConnection,
    entity: Entity,
    entity_id: Id,
    op: Op,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO outbox (entity, entity_id, op, at) VALUES (?, ?, ?, ?)")
        .bind(enum_str(&entity)?)
        .bind(entity_id)
        .bind(enum_str(&op)?)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn outbox_after(
    pool: &SqlitePool,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT seq, entity, entity_id, op FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(OutboxEntry::try_from).collect()
}

pub(super) async fn outbox_head(pool: &SqlitePool) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn counts(pool: &SqlitePool) -> Result<Counts, StoreError> {
    let row: CountsRow = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM employers) AS employers, \
                    (SELECT COUNT(*) FROM openings) AS openings, \
                    (SELECT COUNT(*) FROM openings WHERE status = 'open') AS open_openings, \
                    (SELECT COUNT(*) FROM participants) AS participants",
    )
    .fetch_one(pool)
    .await?;
    Ok(row.into())
}
