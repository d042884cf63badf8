//! The outbox (written inside every opening and profile transaction, read by every instance's
//! follower), the sequencer that numbers it, and the status figures read beside it.
//!
//! **Order.** PostgreSQL has concurrent writers, and a sequence value taken at `INSERT` is not
//! commit order: transaction A could take 7 and B 8, B commit first, a follower read 8 and
//! move its cursor past 7 before A commits. So writers do not number their rows. They insert
//! with `seq` NULL, and [`sequence`] numbers the rows that have committed, in one transaction
//! at a time (a transaction-scoped advisory lock), from `outbox_seq`. Each sequencing
//! transaction sees everything the previous one committed and takes higher numbers, so a
//! numbered row can never appear below a number a follower has already read: the cursor of
//! [`Backend::outbox_after`](crate::store::Backend::outbox_after) stays sound. A writer held
//! open for minutes delays nobody: its row is numbered whenever it commits.
//!
//! Readers sequence before they read, so whichever instance reads first numbers the rows; the
//! numbers are shared through the database, and every instance follows the same order.
//!
//! What this module must not do: write outbox rows outside the caller's transaction, number a
//! row anywhere but in [`sequence`], or decide what an entry means for the index.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgPool};

use crate::model::Id;
use crate::store::codec::{CountsRow, OutboxRow, enum_str};
use crate::store::{Counts, Entity, Op, OutboxEntry, StoreError};

/// The advisory lock the sequencer holds while it numbers rows ("jobmoutb" in ASCII), apart
/// from the key sqlx takes for migrations.
const SEQUENCER_LOCK: i64 = 0x6a6f_626d_6f75_7462;

/// Queues `op` on `entity_id` for the index, on the caller's connection, so the row commits (or
/// rolls back) with the change it describes. The row is numbered once it has committed.
pub(super) async fn push_outbox(
    conn: &mut PgConnection,
    entity: Entity,
    entity_id: Id,
    op: Op,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO outbox (entity, entity_id, op, at) VALUES ($1, $2, $3, $4)")
        .bind(enum_str(&entity)?)
        .bind(entity_id)
        .bind(enum_str(&op)?)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Numbers every committed, unnumbered outbox row, in insertion order, above every number
/// handed out before. Cheap when there is nothing to number: one indexed look-up, no lock.
pub(super) async fn sequence(pool: &PgPool) -> Result<(), StoreError> {
    let pending: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM outbox WHERE seq IS NULL)")
            .fetch_one(pool)
            .await?;
    if !pending {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SEQUENCER_LOCK)
        .execute(&mut *tx)
        .await?;
    // A new statement, so a new snapshot taken after the lock: it sees every number the
    // previous holder committed, and numbers only rows still without one.
    sqlx::query(
        "UPDATE outbox o SET seq = n.seq \
         FROM (SELECT id, nextval('outbox_seq') AS seq \
               FROM (SELECT id FROM outbox WHERE seq IS NULL ORDER BY id) pending) n \
         WHERE o.id = n.id",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn outbox_after(
    pool: &PgPool,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<OutboxEntry>, StoreError> {
    sequence(pool).await?;
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT seq, entity, entity_id, op FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(OutboxEntry::try_from).collect()
}

/// The highest number handed out, after numbering what has committed: every row at or below it
/// has committed, which is what a rebuild that resumes from it needs.
pub(super) async fn outbox_head(pool: &PgPool) -> Result<i64, StoreError> {
    sequence(pool).await?;
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn counts(pool: &PgPool) -> Result<Counts, StoreError> {
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
