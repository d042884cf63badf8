//! Participants: identity and profile rows, written together with the profile's outbox row,
//! and erased together.
//!
//! What this module must not do: read the identity table in a bulk or matching read (profiles
//! only), or return a row type.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnection, PgPool};

use super::outbox::push_outbox;
use crate::model::{Id, Identity, Participant, Profile};
use crate::store::codec::{ParticipantRow, ProfileColumns, ProfileRow};
use crate::store::{Entity, Op, StoreError};

/// Writes (inserts or replaces) the identity row.
async fn upsert_identity(
    conn: &mut PgConnection,
    id: Id,
    identity: &Identity,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participant_identities (participant_id, name, personal_number, contact) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (participant_id) DO UPDATE SET name = excluded.name, \
         personal_number = excluded.personal_number, contact = excluded.contact",
    )
    .bind(id)
    .bind(identity.name.as_str())
    .bind(identity.personal_number.as_deref())
    .bind(identity.contact.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes (inserts or replaces) the profile row.
async fn upsert_profile(
    conn: &mut PgConnection,
    id: Id,
    columns: ProfileColumns,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participant_profiles (participant_id, profile, municipality_code, \
         swedish_level, lat, lon, max_travel_km, available_from, hours) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (participant_id) DO UPDATE SET profile = excluded.profile, \
         municipality_code = excluded.municipality_code, \
         swedish_level = excluded.swedish_level, lat = excluded.lat, lon = excluded.lon, \
         max_travel_km = excluded.max_travel_km, available_from = excluded.available_from, \
         hours = excluded.hours",
    )
    .bind(id)
    .bind(columns.profile)
    .bind(columns.municipality_code)
    .bind(columns.swedish_level)
    .bind(columns.lat)
    .bind(columns.lon)
    .bind(columns.max_travel_km)
    .bind(columns.available_from)
    .bind(columns.hours)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_participant(
    conn: &mut PgConnection,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
    now: DateTime<Utc>,
) -> Result<Participant, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let id: Id = sqlx::query_scalar(
        "INSERT INTO participants (created_at, updated_at, coach_id) VALUES ($1, $1, $2) \
         RETURNING id",
    )
    .bind(now)
    .bind(coach_id)
    .fetch_one(&mut *conn)
    .await?;
    upsert_identity(conn, id, identity).await?;
    upsert_profile(conn, id, columns).await?;
    push_outbox(conn, Entity::Participant, id, Op::Upsert, now).await?;
    Ok(Participant {
        id,
        identity: identity.clone(),
        profile: profile.clone(),
        coach_id,
    })
}

pub(super) async fn create_participant(
    pool: &PgPool,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
) -> Result<Participant, StoreError> {
    let mut tx = pool.begin().await?;
    let created = insert_participant(&mut tx, identity, profile, coach_id, Utc::now()).await?;
    tx.commit().await?;
    Ok(created)
}

pub(super) async fn participant(pool: &PgPool, id: Id) -> Result<Option<Participant>, StoreError> {
    let row: Option<ParticipantRow> = sqlx::query_as(
        "SELECT p.id, i.name, i.personal_number, i.contact, f.profile, p.coach_id \
         FROM participants p \
         JOIN participant_identities i ON i.participant_id = p.id \
         JOIN participant_profiles f ON f.participant_id = p.id \
         WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(Participant::try_from).transpose()
}

pub(super) async fn update_participant(
    pool: &PgPool,
    id: Id,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
) -> Result<Option<Participant>, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let mut tx = pool.begin().await?;
    let now = Utc::now();
    let touched: Option<Option<Id>> = sqlx::query_scalar(
        "UPDATE participants SET updated_at = $1, coach_id = COALESCE($2, coach_id) \
         WHERE id = $3 RETURNING coach_id",
    )
    .bind(now)
    .bind(coach_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(coach_id) = touched else {
        return Ok(None);
    };
    upsert_identity(&mut tx, id, identity).await?;
    upsert_profile(&mut tx, id, columns).await?;
    push_outbox(&mut tx, Entity::Participant, id, Op::Upsert, now).await?;
    tx.commit().await?;
    Ok(Some(Participant {
        id,
        identity: identity.clone(),
        profile: profile.clone(),
        coach_id,
    }))
}

pub(super) async fn participant_coach(
    pool: &PgPool,
    id: Id,
) -> Result<Option<Option<Id>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT coach_id FROM participants WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Deletes a participant (as [`delete_participant`]) and then rewrites the tables that held
/// the erased rows. A plain `DELETE` leaves the old tuple in the table file until its space is
/// reused; `VACUUM FULL` writes each table anew and drops the old file, but it must keep a
/// deleted tuple that a transaction still running anywhere on the server might see. So the
/// rewrite waits (at most [`ERASE_HORIZON_WAIT`]) until every transaction older than the
/// delete has ended; only then are the bytes gone from the table files. It locks the two
/// tables for the rewrite, which is brief at a unit's scale and rare: erasure is a decision,
/// not a routine.
pub(super) async fn erase_participant(pool: &PgPool, id: Id) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    if !delete_in(&mut tx, id).await? {
        return Ok(false);
    }
    let deleted_by: String = sqlx::query_scalar("SELECT pg_current_xact_id()::TEXT")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let started = std::time::Instant::now();
    loop {
        let passed: bool =
            sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::TEXT::xid8")
                .bind(&deleted_by)
                .fetch_one(pool)
                .await?;
        if passed {
            break;
        }
        if started.elapsed() > ERASE_HORIZON_WAIT {
            tracing::warn!(
                participant = id,
                "an older transaction is still running; the erased rows' bytes may stay in the table files until the next erasure or VACUUM FULL"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sqlx::query(
        "VACUUM FULL participant_identities, participant_profiles, programme, programme_history, \
         placements, placement_events, alerts, subscriptions",
    )
    .execute(pool)
    .await?;
    Ok(true)
}

/// How long an erasure waits for older transactions to end before it rewrites the tables.
const ERASE_HORIZON_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub(super) async fn delete_participant(pool: &PgPool, id: Id) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    if !delete_in(&mut tx, id).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes identity, profile and participant rows on `conn` and queues the delete for the
/// index; `false`, writing nothing, if there was no such participant.
async fn delete_in(conn: &mut PgConnection, id: Id) -> Result<bool, StoreError> {
    // Explicit deletes rather than relying on ON DELETE CASCADE alone, as on SQLite: erasure
    // of personal data says what it removes.
    // What came of their placements goes with them; the openings' free places and track
    // records change, so those openings are queued for the index too. Taking the placements
    // first keeps the order of locks a start takes.
    let mut openings: Vec<Id> = sqlx::query_scalar(
        "SELECT opening_id FROM placements WHERE participant_id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    openings.sort_unstable();
    openings.dedup();
    for table in [
        "DELETE FROM alerts WHERE participant_id = $1",
        "DELETE FROM subscriptions WHERE participant_id = $1",
        "DELETE FROM placement_events WHERE placement_id IN (SELECT id FROM placements WHERE participant_id = $1)",
        "DELETE FROM placements WHERE participant_id = $1",
        "DELETE FROM programme_history WHERE participant_id = $1",
        "DELETE FROM programme WHERE participant_id = $1",
    ] {
        sqlx::query(table).bind(id).execute(&mut *conn).await?;
    }
    sqlx::query("DELETE FROM participant_identities WHERE participant_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM participant_profiles WHERE participant_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let deleted = sqlx::query("DELETE FROM participants WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Ok(false);
    }
    let now = Utc::now();
    push_outbox(&mut *conn, Entity::Participant, id, Op::Delete, now).await?;
    for opening in openings {
        push_outbox(&mut *conn, Entity::Opening, opening, Op::Upsert, now).await?;
    }
    Ok(true)
}

pub(super) async fn all_profiles(pool: &PgPool) -> Result<Vec<(Id, Profile)>, StoreError> {
    let rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles ORDER BY participant_id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(<(Id, Profile)>::try_from).collect()
}

pub(super) async fn profiles(pool: &PgPool, ids: &[Id]) -> Result<Vec<(Id, Profile)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles \
         WHERE participant_id = ANY($1) ORDER BY participant_id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(<(Id, Profile)>::try_from).collect()
}

pub(super) async fn participant_profile(
    pool: &PgPool,
    id: Id,
) -> Result<Option<Profile>, StoreError> {
    let row: Option<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles WHERE participant_id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| <(Id, Profile)>::try_from(r).map(|(_, p)| p))
        .transpose()
}
