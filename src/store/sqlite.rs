//! The SQLite backend: every SQL statement [`Store::Sqlite`](super::Store::Sqlite) runs.
//!
//! Writes run in `BEGIN IMMEDIATE` transactions: SQLite allows one writer, and taking the
//! write lock up front means a concurrent writer waits on the busy timeout instead of failing
//! with `SQLITE_BUSY` when a read transaction tries to upgrade. Because writers are serialised,
//! the outbox's AUTOINCREMENT sequence is also commit order, which the indexer relies on.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteRow,
};
use sqlx::{FromRow, Sqlite, Transaction};

use super::codec::{
    EmployerRow, OpeningColumns, OpeningRow, ParticipantRow, ProfileColumns, ProfileRow,
    enum_parse, enum_str, to_json,
};
use super::{Counts, Entity, ImportReport, Op, OutboxEntry, StoreError};
use crate::model::{Employer, Id, Identity, Opening, OpeningStatus, Participant, Profile};

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Open by URL; `sqlite::memory:` gets a single long-lived connection, since every
/// connection to an in-memory database would otherwise see its own, and the data would vanish
/// when the pool let its last connection go.
pub(super) async fn open_url(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)?;
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    connect(options, in_memory).await
}

pub(super) async fn open_file(path: &Path) -> Result<SqlitePool, StoreError> {
    connect(SqliteConnectOptions::new().filename(path), false).await
}

async fn connect(options: SqliteConnectOptions, in_memory: bool) -> Result<SqlitePool, StoreError> {
    let options = options
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // Erased personal data is overwritten in the file, not just unlinked.
        .pragma("secure_delete", "on");
    let pool = if in_memory {
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?
    } else {
        SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.journal_mode(SqliteJournalMode::Wal))
            .await?
    };
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A write transaction holding SQLite's write lock from the start (see the module docs).
async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, StoreError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

async fn push_outbox(
    conn: &mut SqliteConnection,
    entity: Entity,
    entity_id: Id,
    op: Op,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO outbox (entity, entity_id, op, at) VALUES (?, ?, ?, ?)")
        .bind(entity_str(entity))
        .bind(entity_id)
        .bind(op_str(op))
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

fn entity_str(entity: Entity) -> &'static str {
    match entity {
        Entity::Opening => "opening",
        Entity::Participant => "participant",
    }
}

fn op_str(op: Op) -> &'static str {
    match op {
        Op::Upsert => "upsert",
        Op::Delete => "delete",
    }
}

// ---------------------------------------------------------------------------------------------
// Employers

pub(super) async fn create_employer(
    pool: &SqlitePool,
    name: &str,
    org_number: Option<&str>,
    municipality_code: Option<&str>,
) -> Result<Employer, StoreError> {
    let mut conn = pool.acquire().await?;
    insert_employer(&mut conn, name, org_number, municipality_code, Utc::now()).await
}

async fn insert_employer(
    conn: &mut SqliteConnection,
    name: &str,
    org_number: Option<&str>,
    municipality_code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Employer, StoreError> {
    let id: Id = sqlx::query_scalar(
        "INSERT INTO employers (name, org_number, municipality_code, created_at) \
         VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(org_number)
    .bind(municipality_code)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(Employer {
        id,
        name: name.to_owned(),
        org_number: org_number.map(str::to_owned),
        municipality_code: municipality_code.map(str::to_owned),
    })
}

pub(super) async fn employer(pool: &SqlitePool, id: Id) -> Result<Option<Employer>, StoreError> {
    let row: Option<EmployerRow> = sqlx::query_as(
        "SELECT id, name, org_number, municipality_code FROM employers WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Employer::from))
}

async fn employer_exists(conn: &mut SqliteConnection, id: Id) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM employers WHERE id = ?)")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

// ---------------------------------------------------------------------------------------------
// Openings

/// The columns [`OpeningRow`] reads, as a literal so it can be spliced with `concat!` into
/// `&'static str` statements.
macro_rules! opening_columns {
    () => {
        "id, employer_id, kind, title, description, occupation, skills_required, skills_merit, \
         licences, swedish_min, swedish_required, municipality_code, lat, lon, places, \
         start_date, deadline, hours, employment_form, supervisor, status"
    };
}

/// Binds the 20 columns an opening's content occupies, in the order of the INSERT and UPDATE
/// statements below (everything but id, status and timestamps), so the two cannot drift.
fn bind_opening<'q>(
    query: Query<'q>,
    employer_id: Id,
    o: &Opening,
    c: OpeningColumns,
) -> Query<'q> {
    query
        .bind(employer_id)
        .bind(c.kind)
        .bind(o.title.as_str())
        .bind(o.description.as_str())
        .bind(c.occupation)
        .bind(c.occupation_code)
        .bind(c.skills_required)
        .bind(c.skills_merit)
        .bind(c.licences)
        .bind(c.swedish_min)
        .bind(o.swedish_required)
        .bind(o.workplace.municipality_code.as_deref())
        .bind(c.lat)
        .bind(c.lon)
        .bind(c.places)
        .bind(o.start_date)
        .bind(o.deadline)
        .bind(c.hours)
        .bind(c.employment_form)
        .bind(o.supervisor)
}

/// Decodes the row an `UPDATE ... RETURNING` produced.
fn opening_from_row(row: &SqliteRow) -> Result<Opening, StoreError> {
    Opening::try_from(OpeningRow::from_row(row)?)
}

/// Inserts an opening whose employer is known to exist, with its outbox row.
async fn insert_opening(
    conn: &mut SqliteConnection,
    opening: &Opening,
    employer_id: Id,
    now: DateTime<Utc>,
) -> Result<Opening, StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let status = enum_str(&opening.status)?;
    let query = sqlx::query(concat!(
        "INSERT INTO openings (employer_id, kind, title, description, occupation, ",
        "occupation_code, skills_required, skills_merit, licences, swedish_min, ",
        "swedish_required, municipality_code, lat, lon, places, start_date, deadline, hours, ",
        "employment_form, supervisor, status, created_at, updated_at) ",
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ));
    let result = bind_opening(query, employer_id, opening, columns)
        .bind(status)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let id = result.last_insert_rowid();
    push_outbox(conn, Entity::Opening, id, Op::Upsert, now).await?;
    Ok(Opening {
        id,
        employer_id,
        ..opening.clone()
    })
}

pub(super) async fn create_opening(
    pool: &SqlitePool,
    opening: &Opening,
) -> Result<Opening, StoreError> {
    let mut tx = begin_write(pool).await?;
    if !employer_exists(&mut tx, opening.employer_id).await? {
        return Err(StoreError::UnknownEmployer(opening.employer_id));
    }
    let created = insert_opening(&mut tx, opening, opening.employer_id, Utc::now()).await?;
    tx.commit().await?;
    Ok(created)
}

pub(super) async fn opening(pool: &SqlitePool, id: Id) -> Result<Option<Opening>, StoreError> {
    let row: Option<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(Opening::try_from).transpose()
}

pub(super) async fn update_opening(
    pool: &SqlitePool,
    id: Id,
    opening: &Opening,
) -> Result<Option<Opening>, StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let mut tx = begin_write(pool).await?;
    if !employer_exists(&mut tx, opening.employer_id).await? {
        return Err(StoreError::UnknownEmployer(opening.employer_id));
    }
    let now = Utc::now();
    let query = sqlx::query(concat!(
        "UPDATE openings SET employer_id = ?, kind = ?, title = ?, description = ?, ",
        "occupation = ?, occupation_code = ?, skills_required = ?, skills_merit = ?, ",
        "licences = ?, swedish_min = ?, swedish_required = ?, municipality_code = ?, lat = ?, ",
        "lon = ?, places = ?, start_date = ?, deadline = ?, hours = ?, employment_form = ?, ",
        "supervisor = ?, updated_at = ? WHERE id = ? RETURNING ",
        opening_columns!()
    ));
    let row = bind_opening(query, opening.employer_id, opening, columns)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let updated = opening_from_row(&row)?;
    push_outbox(&mut tx, Entity::Opening, id, Op::Upsert, now).await?;
    tx.commit().await?;
    Ok(Some(updated))
}

pub(super) async fn close_opening(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<Opening>, StoreError> {
    let mut tx = begin_write(pool).await?;
    let now = Utc::now();
    let row = sqlx::query(concat!(
        "UPDATE openings SET status = ?, updated_at = ? WHERE id = ? RETURNING ",
        opening_columns!()
    ))
    .bind(enum_str(&OpeningStatus::Closed)?)
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let closed = opening_from_row(&row)?;
    push_outbox(&mut tx, Entity::Opening, id, Op::Upsert, now).await?;
    tx.commit().await?;
    Ok(Some(closed))
}

pub(super) async fn openings(pool: &SqlitePool, ids: &[Id]) -> Result<Vec<Opening>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One statement for any number of ids: the list travels as a JSON array, which keeps the
    // SQL static and avoids SQLite's bound-parameter limit.
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
    ))
    .bind(to_json(ids)?)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

pub(super) async fn all_openings(pool: &SqlitePool) -> Result<Vec<Opening>, StoreError> {
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings ORDER BY id"
    ))
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

// ---------------------------------------------------------------------------------------------
// Participants

/// Writes (inserts or replaces) the identity row.
async fn upsert_identity(
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
async fn upsert_profile(
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

async fn insert_participant(
    conn: &mut SqliteConnection,
    identity: &Identity,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<Participant, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let id: Id = sqlx::query_scalar(
        "INSERT INTO participants (created_at, updated_at) VALUES (?, ?) RETURNING id",
    )
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    upsert_identity(conn, id, identity).await?;
    upsert_profile(conn, id, columns).await?;
    push_outbox(conn, Entity::Participant, id, Op::Upsert, now).await?;
    Ok(Participant {
        id,
        identity: identity.clone(),
        profile: profile.clone(),
    })
}

pub(super) async fn create_participant(
    pool: &SqlitePool,
    identity: &Identity,
    profile: &Profile,
) -> Result<Participant, StoreError> {
    let mut tx = begin_write(pool).await?;
    let created = insert_participant(&mut tx, identity, profile, Utc::now()).await?;
    tx.commit().await?;
    Ok(created)
}

pub(super) async fn participant(
    pool: &SqlitePool,
    id: Id,
) -> Result<Option<Participant>, StoreError> {
    let row: Option<ParticipantRow> = sqlx::query_as(
        "SELECT p.id, i.name, i.personal_number, i.contact, f.profile \
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
    pool: &SqlitePool,
    id: Id,
    identity: &Identity,
    profile: &Profile,
) -> Result<Option<Participant>, StoreError> {
    let columns = ProfileColumns::encode(profile)?;
    let mut tx = begin_write(pool).await?;
    let now = Utc::now();
    let touched = sqlx::query("UPDATE participants SET updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if touched == 0 {
        return Ok(None);
    }
    upsert_identity(&mut tx, id, identity).await?;
    upsert_profile(&mut tx, id, columns).await?;
    push_outbox(&mut tx, Entity::Participant, id, Op::Upsert, now).await?;
    tx.commit().await?;
    Ok(Some(Participant {
        id,
        identity: identity.clone(),
        profile: profile.clone(),
    }))
}

pub(super) async fn delete_participant(pool: &SqlitePool, id: Id) -> Result<bool, StoreError> {
    let mut tx = begin_write(pool).await?;
    // Explicit deletes rather than relying on ON DELETE CASCADE alone: erasure of personal data
    // must not depend on the connection's foreign_keys pragma.
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
    push_outbox(&mut tx, Entity::Participant, id, Op::Delete, Utc::now()).await?;
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

// ---------------------------------------------------------------------------------------------
// Outbox and status

pub(super) async fn outbox_after(
    pool: &SqlitePool,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let rows: Vec<(i64, String, Id, String)> = sqlx::query_as(
        "SELECT seq, entity, entity_id, op FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
    )
    .bind(after_seq)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(seq, entity, entity_id, op)| {
            Ok(OutboxEntry {
                seq,
                entity: enum_parse("outbox", seq, "entity", &entity)?,
                entity_id,
                op: enum_parse("outbox", seq, "op", &op)?,
            })
        })
        .collect()
}

pub(super) async fn outbox_head(pool: &SqlitePool) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM outbox")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn counts(pool: &SqlitePool) -> Result<Counts, StoreError> {
    let (employers, openings, open_openings, participants): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM employers), \
                    (SELECT COUNT(*) FROM openings), \
                    (SELECT COUNT(*) FROM openings WHERE status = 'open'), \
                    (SELECT COUNT(*) FROM participants)",
    )
    .fetch_one(pool)
    .await?;
    Ok(Counts {
        employers,
        openings,
        open_openings,
        participants,
    })
}

// ---------------------------------------------------------------------------------------------
// Import

pub(super) async fn import(
    pool: &SqlitePool,
    employers: &[Employer],
    openings: &[Opening],
    participants: &[(Identity, Profile)],
) -> Result<ImportReport, StoreError> {
    // Check what can be checked before taking the write lock.
    let mut input_ids = HashMap::with_capacity(employers.len());
    for (index, employer) in employers.iter().enumerate() {
        if input_ids.insert(employer.id, index).is_some() {
            return Err(StoreError::Invalid(format!(
                "employer id {} appears twice in the import; each employer needs its own id",
                employer.id
            )));
        }
    }
    if let Some(bad) = openings
        .iter()
        .find(|o| !input_ids.contains_key(&o.employer_id))
    {
        return Err(StoreError::UnknownEmployer(bad.employer_id));
    }

    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let mut report = ImportReport::default();
    let mut new_ids = HashMap::with_capacity(employers.len());
    for employer in employers {
        let created = insert_employer(
            &mut tx,
            &employer.name,
            employer.org_number.as_deref(),
            employer.municipality_code.as_deref(),
            now,
        )
        .await?;
        new_ids.insert(employer.id, created.id);
        report.employer_ids.push(created.id);
    }
    for opening in openings {
        let employer_id = *new_ids
            .get(&opening.employer_id)
            .ok_or(StoreError::UnknownEmployer(opening.employer_id))?;
        let created = insert_opening(&mut tx, opening, employer_id, now).await?;
        report.opening_ids.push(created.id);
    }
    for (identity, profile) in participants {
        let created = insert_participant(&mut tx, identity, profile, now).await?;
        report.participant_ids.push(created.id);
    }
    tx.commit().await?;
    report.employers = report.employer_ids.len();
    report.openings = report.opening_ids.len();
    report.participants = report.participant_ids.len();
    Ok(report)
}
