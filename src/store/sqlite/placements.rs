//! Placements with their steps, and employers' caps on proposals.
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction, so the checks it makes (a proposal
//! within the duplicate window, the cap, a free place, a participant already started) and
//! the write they guard cannot be split by another writer.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use super::outbox::push_outbox;
use super::programme::write_facts;
use super::{Pools, begin_write};
use crate::model::{Id, Placement, PlacementStatus};
use crate::store::codec::{PlacementEventRow, PlacementRow, enum_str, placements_of, to_json};
use crate::store::{
    CapState, Entity, NewPlacement, Op, PlacementCreated, PlacementFilter, PlacementStep,
    StepApplied, StoreError,
};

/// The columns [`PlacementRow`] reads, spliced with `concat!` into static statements.
macro_rules! placement_columns {
    () => {
        "id, participant_id, opening_id, employer_id, kind, status, outcome, form, created_at, \
         proposed_at, started_at, ended_at"
    };
}

/// The placements with these ids, in the order given, with their steps.
async fn load(conn: &mut SqliteConnection, ids: &[Id]) -> Result<Vec<Placement>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = to_json(ids)?;
    let rows: Vec<PlacementRow> = sqlx::query_as(concat!(
        "SELECT ",
        placement_columns!(),
        " FROM placements WHERE id IN (SELECT value FROM json_each(?))"
    ))
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    let events: Vec<PlacementEventRow> = sqlx::query_as(
        "SELECT placement_id, status, outcome, at, user_id, role FROM placement_events \
         WHERE placement_id IN (SELECT value FROM json_each(?)) ORDER BY id",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await?;
    let mut placements = placements_of(rows, events)?;
    let at = |id: Id| ids.iter().position(|&x| x == id);
    placements.sort_by_key(|p| at(p.id));
    Ok(placements)
}

async fn event(
    conn: &mut SqliteConnection,
    placement_id: Id,
    status: PlacementStatus,
    outcome: Option<String>,
    at: DateTime<Utc>,
    user_id: Option<Id>,
    role: Option<String>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO placement_events (placement_id, status, outcome, at, user_id, role) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(placement_id)
    .bind(status.as_str())
    .bind(outcome)
    .bind(at)
    .bind(user_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

async fn cap_state(
    conn: &mut SqliteConnection,
    employer_id: Id,
    month_start: DateTime<Utc>,
) -> Result<CapState, StoreError> {
    let (cap, used, waiting): (Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT (SELECT monthly_proposals FROM employer_caps WHERE employer_id = ?1), \
         (SELECT COUNT(*) FROM placements WHERE employer_id = ?1 AND proposed_at >= ?2), \
         (SELECT COUNT(*) FROM placements WHERE employer_id = ?1 AND status = 'waiting')",
    )
    .bind(employer_id)
    .bind(month_start)
    .fetch_one(&mut *conn)
    .await?;
    Ok(CapState {
        monthly_proposals: cap.map(|c| u32::try_from(c).unwrap_or(u32::MAX)),
        used,
        waiting,
    })
}

/// Releases waiting proposals as far as the cap allows, on the caller's transaction.
async fn release_in(
    conn: &mut SqliteConnection,
    employer_id: Id,
    month_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let state = cap_state(conn, employer_id, month_start).await?;
    if state.waiting == 0 {
        return Ok(0);
    }
    let room = match state.monthly_proposals {
        Some(cap) => (i64::from(cap) - state.used).max(0),
        None => state.waiting,
    };
    let ids: Vec<Id> = sqlx::query_scalar(
        "SELECT id FROM placements WHERE employer_id = ? AND status = 'waiting' ORDER BY id LIMIT ?",
    )
    .bind(employer_id)
    .bind(room)
    .fetch_all(&mut *conn)
    .await?;
    for &id in &ids {
        sqlx::query("UPDATE placements SET status = 'proposed', proposed_at = ? WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        event(conn, id, PlacementStatus::Proposed, None, now, None, None).await?;
    }
    Ok(ids.len() as u64)
}

pub(super) async fn create_placement(
    pool: &Pools,
    new: &NewPlacement,
) -> Result<PlacementCreated, StoreError> {
    let mut tx = begin_write(pool).await?;
    release_in(&mut tx, new.employer_id, new.month_start, new.now).await?;
    let duplicate: Option<Id> = sqlx::query_scalar(
        "SELECT id FROM placements WHERE participant_id = ? AND employer_id = ? \
         AND created_at >= ? ORDER BY id DESC LIMIT 1",
    )
    .bind(new.participant_id)
    .bind(new.employer_id)
    .bind(new.duplicate_since)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = duplicate {
        tx.commit().await?;
        return Ok(PlacementCreated::Duplicate(id));
    }
    let cap = cap_state(&mut tx, new.employer_id, new.month_start).await?;
    let held = cap
        .monthly_proposals
        .is_some_and(|c| cap.waiting > 0 || cap.used >= i64::from(c));
    let status = if held {
        PlacementStatus::Waiting
    } else {
        PlacementStatus::Proposed
    };
    let id: Id = sqlx::query_scalar(
        "INSERT INTO placements (participant_id, opening_id, employer_id, kind, status, \
         created_at, created_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.participant_id)
    .bind(new.opening_id)
    .bind(new.employer_id)
    .bind(new.kind.as_str())
    .bind(status.as_str())
    .bind(new.now)
    .bind(new.created_by)
    .bind((!held).then_some(new.now))
    .fetch_one(&mut *tx)
    .await?;
    let role = Some(new.role.as_str().to_owned());
    event(&mut tx, id, status, None, new.now, new.created_by, role).await?;
    // A proposal changes the opening's track record.
    push_outbox(
        &mut tx,
        Entity::Opening,
        new.opening_id,
        Op::Upsert,
        new.now,
    )
    .await?;
    let placement = load(&mut tx, &[id]).await?.pop();
    tx.commit().await?;
    placement
        .map(PlacementCreated::Created)
        .ok_or_else(|| StoreError::Invalid(format!("placement {id} vanished while stored")))
}

pub(super) async fn placement(pool: &SqlitePool, id: Id) -> Result<Option<Placement>, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(load(&mut conn, &[id]).await?.pop())
}

pub(super) async fn placements(
    pool: &SqlitePool,
    f: &PlacementFilter,
) -> Result<Vec<Placement>, StoreError> {
    let participants = f.participant_ids.as_deref().map(to_json).transpose()?;
    let status = f.status.map(|s| s.as_str());
    let mut conn = pool.acquire().await?;
    let ids: Vec<Id> = sqlx::query_scalar(
        "SELECT id FROM placements WHERE (?1 IS NULL OR participant_id IN (SELECT value FROM json_each(?1))) \
         AND (?2 IS NULL OR opening_id = ?2) AND (?3 IS NULL OR employer_id = ?3) \
         AND (?4 IS NULL OR participant_id IN (SELECT id FROM participants WHERE coach_id = ?4)) \
         AND (?5 IS NULL OR status = ?5) AND (?6 = 0 OR proposed_at IS NOT NULL) \
         ORDER BY id DESC LIMIT ?7 OFFSET ?8",
    )
    .bind(participants)
    .bind(f.opening_id)
    .bind(f.employer_id)
    .bind(f.coach_id)
    .bind(status)
    .bind(f.without_waiting)
    .bind(f.limit.unwrap_or(-1))
    .bind(f.offset.max(0))
    .fetch_all(&mut *conn)
    .await?;
    load(&mut conn, &ids).await
}

pub(super) async fn step_placement(
    pool: &Pools,
    step: &PlacementStep,
) -> Result<StepApplied, StoreError> {
    let mut tx = begin_write(pool).await?;
    let current: Option<(String, Id, Id)> =
        sqlx::query_as("SELECT status, opening_id, participant_id FROM placements WHERE id = ?")
            .bind(step.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((status, opening_id, participant_id)) = current else {
        return Ok(StepApplied::Moved);
    };
    if status != step.from.as_str() {
        return Ok(StepApplied::Moved);
    }
    if step.to == PlacementStatus::Started {
        let (places, started): (i64, i64) = sqlx::query_as(
            "SELECT places, (SELECT COUNT(*) FROM placements WHERE opening_id = ?1 AND status = 'started') \
             FROM openings WHERE id = ?1",
        )
        .bind(opening_id)
        .fetch_one(&mut *tx)
        .await?;
        if started >= places {
            return Ok(StepApplied::OpeningFull);
        }
        let other: Option<Id> = sqlx::query_scalar(
            "SELECT id FROM placements WHERE participant_id = ? AND status = 'started' AND id <> ? LIMIT 1",
        )
        .bind(participant_id)
        .bind(step.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = other {
            return Ok(StepApplied::ParticipantPlaced(other));
        }
    }
    let outcome = step.outcome.as_ref().map(enum_str).transpose()?;
    let form = step.form.as_ref().map(enum_str).transpose()?;
    let at = step.at;
    sqlx::query(
        "UPDATE placements SET status = ?1, outcome = COALESCE(?2, outcome), form = COALESCE(?3, form), \
         proposed_at = CASE WHEN ?1 = 'proposed' THEN COALESCE(proposed_at, ?4) ELSE proposed_at END, \
         started_at = CASE WHEN ?1 = 'started' THEN ?4 ELSE started_at END, \
         ended_at = CASE WHEN ?1 IN ('ended', 'declined', 'withdrawn') THEN ?4 ELSE ended_at END \
         WHERE id = ?5",
    )
    .bind(step.to.as_str())
    .bind(&outcome)
    .bind(form)
    .bind(at)
    .bind(step.id)
    .execute(&mut *tx)
    .await?;
    let role = Some(step.role.as_str().to_owned());
    event(&mut tx, step.id, step.to, outcome, at, step.user_id, role).await?;
    let placed_changed =
        step.to == PlacementStatus::Started || step.from == PlacementStatus::Started;
    // Every step changes the opening's track record; a start or the end of one its free places.
    push_outbox(&mut tx, Entity::Opening, opening_id, Op::Upsert, at).await?;
    match &step.facts {
        Some((facts, unit)) => {
            write_facts(
                &mut tx,
                participant_id,
                facts,
                unit.as_deref(),
                step.user_id,
                at,
            )
            .await?
        }
        None if placed_changed => {
            push_outbox(&mut tx, Entity::Participant, participant_id, Op::Upsert, at).await?
        }
        None => {}
    }
    let placement = load(&mut tx, &[step.id]).await?.pop();
    tx.commit().await?;
    Ok(placement.map_or(StepApplied::Moved, StepApplied::Done))
}

pub(super) async fn release_waiting(
    pool: &Pools,
    employer_id: Id,
    month_start: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let moved = release_in(&mut tx, employer_id, month_start, Utc::now()).await?;
    tx.commit().await?;
    Ok(moved)
}

pub(super) async fn set_employer_cap(
    pool: &Pools,
    employer_id: Id,
    monthly_proposals: Option<u32>,
) -> Result<bool, StoreError> {
    let mut tx = begin_write(pool).await?;
    let exists: Option<Id> = sqlx::query_scalar("SELECT id FROM employers WHERE id = ?")
        .bind(employer_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(false);
    }
    match monthly_proposals {
        Some(cap) => {
            sqlx::query(
                "INSERT INTO employer_caps (employer_id, monthly_proposals, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (employer_id) DO UPDATE SET monthly_proposals = excluded.monthly_proposals, \
                 updated_at = excluded.updated_at",
            )
            .bind(employer_id)
            .bind(i64::from(cap))
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM employer_caps WHERE employer_id = ?")
                .bind(employer_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn employer_caps(
    pool: &SqlitePool,
    employer_ids: &[Id],
    month_start: DateTime<Utc>,
) -> Result<Vec<(Id, CapState)>, StoreError> {
    let mut conn = pool.acquire().await?;
    let known: Vec<Id> = sqlx::query_scalar(
        "SELECT id FROM employers WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
    )
    .bind(to_json(employer_ids)?)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(known.len());
    for id in known {
        out.push((id, cap_state(&mut conn, id, month_start).await?));
    }
    Ok(out)
}

pub(super) async fn started_per_opening(
    pool: &SqlitePool,
    opening_ids: Option<&[Id]>,
) -> Result<Vec<(Id, i64)>, StoreError> {
    let list = opening_ids.map(to_json).transpose()?;
    Ok(sqlx::query_as(
        "SELECT opening_id, COUNT(*) FROM placements WHERE status = 'started' \
         AND (?1 IS NULL OR opening_id IN (SELECT value FROM json_each(?1))) \
         GROUP BY opening_id ORDER BY opening_id",
    )
    .bind(list)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn unavailable_participants(
    pool: &SqlitePool,
    participant_ids: Option<&[Id]>,
) -> Result<Vec<Id>, StoreError> {
    let list = participant_ids.map(to_json).transpose()?;
    Ok(sqlx::query_scalar(
        "SELECT p.id FROM participants p WHERE (?1 IS NULL OR p.id IN (SELECT value FROM json_each(?1))) \
         AND (EXISTS (SELECT 1 FROM placements s WHERE s.participant_id = p.id AND s.status = 'started') \
         OR EXISTS (SELECT 1 FROM programme g WHERE g.participant_id = p.id \
         AND json_extract(g.facts, '$.status') IN ('job', 'studies', 'left'))) ORDER BY p.id",
    )
    .bind(list)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn placement_counts(
    pool: &SqlitePool,
) -> Result<Vec<crate::store::OpeningCounts>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT opening_id, employer_id, \
         SUM(CASE WHEN proposed_at IS NOT NULL THEN 1 ELSE 0 END) AS proposed, \
         SUM(CASE WHEN started_at IS NOT NULL THEN 1 ELSE 0 END) AS started, \
         SUM(CASE WHEN kind = 'internship' AND status = 'ended' THEN 1 ELSE 0 END) AS internships_ended, \
         SUM(CASE WHEN kind = 'internship' AND status = 'ended' AND outcome IN ('job', 'subsidised_job') \
         THEN 1 ELSE 0 END) AS internships_to_jobs \
         FROM placements GROUP BY opening_id, employer_id ORDER BY opening_id",
    )
    .fetch_all(pool)
    .await?)
}
