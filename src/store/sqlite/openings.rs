//! Openings: the statements that write and read them, each write with its outbox row.
//!
//! What this module must not do: check an opening's content (that is `codec`'s encoding, shared
//! with the other backend) or return a row type.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{FromRow, Sqlite};

use super::employers::employer_exists;
use super::outbox::push_outbox;
use super::{Pools, begin_write};
use crate::model::{Id, Opening, OpeningStatus};
use crate::store::codec::{OpeningColumns, OpeningRow, enum_str, to_json};
use crate::store::{Entity, Op, StoreError};

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// The columns [`OpeningRow`] reads, as a literal so it can be spliced with `concat!` into
/// `&'static str` statements.
macro_rules! opening_columns {
    () => {
        "id, employer_id, kind, title, description, occupation, skills_required, skills_merit, \
         licences, swedish_min, swedish_required, municipality_code, lat, lon, places, \
         start_date, deadline, hours, employment_form, supervisor, status, source"
    };
}

/// The head of an opening's INSERT, its columns in the order of [`bind_opening`] and then
/// status and the two timestamps.
macro_rules! insert_opening_into {
    () => {
        "INSERT INTO openings (employer_id, kind, title, description, occupation, \
         occupation_code, skills_required, skills_merit, licences, swedish_min, \
         swedish_required, municipality_code, lat, lon, places, start_date, deadline, hours, \
         employment_form, supervisor, source_system, external_id, source, status, created_at, \
         updated_at) "
    };
}

/// One row of values for [`insert_opening_into`]'s 26 columns.
macro_rules! opening_values {
    () => {
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    };
}

/// Binds the 23 columns an opening's content occupies, in the order of the INSERT and UPDATE
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
        .bind(c.source_system)
        .bind(c.external_id)
        .bind(c.source)
}

/// Decodes the row an `UPDATE ... RETURNING` produced.
fn opening_from_row(row: &SqliteRow) -> Result<Opening, StoreError> {
    Opening::try_from(OpeningRow::from_row(row)?)
}

/// Inserts an opening whose employer is known to exist, with its outbox row.
pub(super) async fn insert_opening(
    conn: &mut SqliteConnection,
    opening: &Opening,
    employer_id: Id,
    now: DateTime<Utc>,
) -> Result<Opening, StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let status = enum_str(&opening.status)?;
    let query = sqlx::query(concat!(
        insert_opening_into!(),
        "VALUES ",
        opening_values!()
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

/// Rows per multi-row INSERT of an import: 26 parameters each stays far below SQLite's
/// 32,766, and one statement per few hundred openings (instead of two per opening) is what
/// lets an import pass the connection's worker thread a thousand times less often.
const IMPORT_CHUNK: usize = 256;

/// Inserts openings whose employers are known to exist, each with its outbox row, in
/// multi-row statements; answers their ids in input order.
pub(super) async fn insert_openings(
    conn: &mut SqliteConnection,
    openings: &[(&Opening, Id)],
    now: DateTime<Utc>,
) -> Result<Vec<Id>, StoreError> {
    let mut ids = Vec::with_capacity(openings.len());
    let mut chunks = openings.chunks(IMPORT_CHUNK);
    let mut next = chunks.next().map(|c| insert_chunk(c, now)).transpose()?;
    while let Some((insert, n)) = next.take() {
        // The connection's worker thread runs one chunk's statement while this thread binds
        // the next one's values.
        let (done, encoded) = tokio::join!(insert.execute(&mut *conn), async {
            chunks.next().map(|c| insert_chunk(c, now)).transpose()
        });
        let done = done?;
        next = encoded?;
        if done.rows_affected() != n as u64 {
            return Err(StoreError::Invalid(format!(
                "{} openings written of {n}",
                done.rows_affected()
            )));
        }
        // Each row of one statement takes the rowid one above the largest (nothing else
        // writes under the transaction's lock), so the chunk's ids run up to the last one.
        // Not RETURNING: its rows would cross the connection's worker thread one by one.
        // The ids counted out rather than read back from the rows just written.
        let last = done.last_insert_rowid();
        let first = last - n as i64 + 1;
        sqlx::query(
            "WITH RECURSIVE ids (id) AS (SELECT ?1 UNION ALL SELECT id + 1 FROM ids WHERE id < ?2) \
             INSERT INTO outbox (entity, entity_id, op, at) SELECT ?3, id, ?4, ?5 FROM ids",
        )
        .bind(first)
        .bind(last)
        .bind(enum_str(&Entity::Opening)?)
        .bind(enum_str(&Op::Upsert)?)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        ids.extend(first..=last);
    }
    Ok(ids)
}

/// One multi-row INSERT of a chunk of openings, and how many rows it holds.
fn insert_chunk<'q>(
    chunk: &[(&'q Opening, Id)],
    now: DateTime<Utc>,
) -> Result<(Query<'q>, usize), StoreError> {
    let sql = format!(
        "{}VALUES {}",
        insert_opening_into!(),
        vec![opening_values!(); chunk.len()].join(", ")
    );
    // Only the literals above, repeated: nothing of the data is in the text.
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
    for &(opening, employer_id) in chunk {
        insert = bind_opening(
            insert,
            employer_id,
            opening,
            OpeningColumns::encode(opening)?,
        )
        .bind(enum_str(&opening.status)?)
        .bind(now)
        .bind(now);
    }
    Ok((insert, chunk.len()))
}

pub(super) async fn create_opening(pool: &Pools, opening: &Opening) -> Result<Opening, StoreError> {
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
    pool: &Pools,
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
        "supervisor = ?, source_system = ?, external_id = ?, source = ?, updated_at = ? ",
        "WHERE id = ? RETURNING ",
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

pub(super) async fn close_opening(pool: &Pools, id: Id) -> Result<Option<Opening>, StoreError> {
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

pub(super) async fn openings_after(
    pool: &SqlitePool,
    after: Id,
    limit: i64,
) -> Result<Vec<Opening>, StoreError> {
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id > ? ORDER BY id LIMIT ?"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

/// An employer's openings, open and closed, newest first.
pub(super) async fn employer_openings(
    pool: &SqlitePool,
    employer_id: Id,
) -> Result<Vec<Opening>, StoreError> {
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE employer_id = ? ORDER BY id DESC"
    ))
    .bind(employer_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

/// The opening imported from this ad, if any.
pub(super) async fn opening_by_source(
    conn: &mut SqliteConnection,
    system: &str,
    external_id: &str,
) -> Result<Option<Opening>, StoreError> {
    let row: Option<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE source_system = ? AND external_id = ?"
    ))
    .bind(system)
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Opening::try_from).transpose()
}

/// Replaces every field of an opening, its status included, with its outbox row.
pub(super) async fn replace_opening(
    conn: &mut SqliteConnection,
    id: Id,
    opening: &Opening,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let query = sqlx::query(concat!(
        "UPDATE openings SET employer_id = ?, kind = ?, title = ?, description = ?, ",
        "occupation = ?, occupation_code = ?, skills_required = ?, skills_merit = ?, ",
        "licences = ?, swedish_min = ?, swedish_required = ?, municipality_code = ?, lat = ?, ",
        "lon = ?, places = ?, start_date = ?, deadline = ?, hours = ?, employment_form = ?, ",
        "supervisor = ?, source_system = ?, external_id = ?, source = ?, status = ?, ",
        "updated_at = ? WHERE id = ?",
    ));
    bind_opening(query, opening.employer_id, opening, columns)
        .bind(enum_str(&opening.status)?)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    push_outbox(conn, Entity::Opening, id, Op::Upsert, now).await
}
