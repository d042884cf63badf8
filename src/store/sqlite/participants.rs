//! Participants: identity and profile rows, written together with the profile's outbox row,
//! and erased together.
//!
//! What this module must not do: read the identity table in a bulk or matching read (profiles
//! only), or return a row type.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use super::outbox::push_outbox;
use super::{Pools, begin_write};
use crate::model::{Id, Identity, Participant, Profile};
use crate::store::codec::{ParticipantRow, ProfileColumns, ProfileRow, to_json};
use crate::store::{Entity, Op, StoreError};

/// Writes (inserts or replaces) the identity row.
pub(super) async fn upsert_identity(
    conn: &mut SqliteConnection,
    id: Id,
    identity: &Identity,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participant_identities (participant_id, name, personal_number, contact) \
         VALUES (?, ?, ?, ?) \
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
pub(super) async fn upsert_profile(
    conn: &mut SqliteConnection,
    id: Id,
    columns: ProfileColumns,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participant_profiles (participant_id, profile, municipality_code, \
         swedish_level, lat, lon, max_travel_km, available_from, hours) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
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
    conn: &mut SqliteConnection,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
    now: DateTime<Utc>,
) -> Result<Participant, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let id: Id = sqlx::query_scalar(
        "INSERT INTO participants (created_at, updated_at, coach_id) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(now)
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
    pool: &Pools,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
) -> Result<Participant, StoreError> {
    let mut tx = begin_write(pool).await?;
    let created = insert_participant(&mut tx, identity, profile, coach_id, Utc::now()).await?;
    tx.commit().await?;
    Ok(created)
}

pub(super) async fn participant(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<Participant>, StoreError> {
    let row: Option<ParticipantRow> = sqlx::query_as(
        "SELECT p.id, i.name, i.personal_number, i.contact, f.profile, p.coach_id \
         FROM participants p \
         JOIN participant_identities i ON i.participant_id = p.id \
         JOIN participant_profiles f ON f.participant_id = p.id \
         WHERE p.id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(Participant::try_from).transpose()
}

pub(super) async fn update_participant(
    pool: &Pools,
    id: Id,
    identity: &Identity,
    profile: &Profile,
    coach_id: Option<Id>,
) -> Result<Option<Participant>, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let mut tx = begin_write(pool).await?;
    let now = Utc::now();
    let touched: Option<Option<Id>> = sqlx::query_scalar(
        "UPDATE participants SET updated_at = ?, coach_id = COALESCE(?, coach_id) WHERE id = ? \
         RETURNING coach_id",
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

/// Whether a participant exists, and on whose caseload: what rights are checked against.
pub(super) async fn participant_coach(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<Option<Id>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT coach_id FROM participants WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Deletes a participant (as [`delete_participant`]) and then checkpoints and truncates the
/// WAL, so the erased rows' old pages are gone from every file, not only from the database.
pub(super) async fn erase_participant(pool: &Pools, id: Id) -> Result<bool, StoreError> {
    if !delete_participant(pool, id).await? {
        return Ok(false);
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool.write)
        .await?;
    Ok(true)
}

pub(super) async fn delete_participant(pool: &Pools, id: Id) -> Result<bool, StoreError> {
    let mut tx = begin_write(pool).await?;
    // Explicit deletes rather than relying on ON DELETE CASCADE alone: erasure of personal data
    // must not depend on the connection's foreign_keys pragma.
    // What came of their placements goes with them; the openings' free places and track
    // records change, so those openings are queued for the index too. Taking the placements
    // first keeps the order of locks a start takes.
    let mut openings: Vec<Id> =
        sqlx::query_scalar("SELECT opening_id FROM placements WHERE participant_id = ?")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    openings.sort_unstable();
    openings.dedup();
    for table in [
        "DELETE FROM alerts WHERE participant_id = ?",
        "DELETE FROM subscriptions WHERE participant_id = ?",
        "DELETE FROM placement_events WHERE placement_id IN (SELECT id FROM placements WHERE participant_id = ?)",
        "DELETE FROM placements WHERE participant_id = ?",
        "DELETE FROM programme_history WHERE participant_id = ?",
        "DELETE FROM programme WHERE participant_id = ?",
    ] {
        sqlx::query(table).bind(id).execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM participant_identities WHERE participant_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM participant_profiles WHERE participant_id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let deleted = sqlx::query("DELETE FROM participants WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Ok(false);
    }
    let now = Utc::now();
    push_outbox(&mut tx, Entity::Participant, id, Op::Delete, now).await?;
    for opening in openings {
        push_outbox(&mut tx, Entity::Opening, opening, Op::Upsert, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn all_profiles(pool: &SqlitePool) -> Result<Vec<(Id, Profile)>, StoreError> {
    let rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles ORDER BY participant_id",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(<(Id, Profile)>::try_from).collect()
}

pub(super) async fn profiles(
    pool: &SqlitePool,
    ids: &[Id],
) -> Result<Vec<(Id, Profile)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles \
         WHERE participant_id IN (SELECT value FROM json_each(?)) ORDER BY participant_id",
    )
    .bind(to_json(ids)?)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(<(Id, Profile)>::try_from).collect()
}

pub(super) async fn participant_profile(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<Profile>, StoreError> {
    let row: Option<ProfileRow> = sqlx::query_as(
        "SELECT participant_id, profile FROM participant_profiles WHERE participant_id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| <(Id, Profile)>::try_from(r).map(|(_, p)| p))
        .transpose()
}
