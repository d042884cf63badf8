//! Openings: the statements that write and read them, each write with its outbox row.
//!
//! What this module must not do: check an opening's content (that is `codec`'s encoding, shared
//! with the other backend) or return a row type.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::{FromRow, Postgres, Row};

use super::employers::employer_exists;
use super::outbox::push_outbox;
use crate::model::{Id, Opening, OpeningStatus};
use crate::store::codec::{OpeningColumns, OpeningRow, enum_str};
use crate::store::{Entity, Op, StoreError};

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

/// The columns [`OpeningRow`] reads, as a literal so it can be spliced with `concat!` into
/// `&'static str` statements.
macro_rules! opening_columns {
    () => {
        "id, employer_id, kind, title, description, occupation, skills_required, skills_merit, \
         licences, swedish_min, swedish_required, municipality_code, lat, lon, places, \
         start_date, deadline, hours, employment_form, supervisor, status, source"
    };
}

/// Binds the 23 columns an opening's content occupies, as `$1`..`$23` in the INSERT and UPDATE
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
        .bind(o.title.clone())
        .bind(o.description.clone())
        .bind(c.occupation)
        .bind(c.occupation_code)
        .bind(c.skills_required)
        .bind(c.skills_merit)
        .bind(c.licences)
        .bind(c.swedish_min)
        .bind(o.swedish_required)
        .bind(o.workplace.municipality_code.clone())
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

/// The 23 content columns, `$1`..`$23`, in [`bind_opening`]'s order.
macro_rules! content_assignments {
    () => {
        "employer_id = $1, kind = $2, title = $3, description = $4, occupation = $5, \
         occupation_code = $6, skills_required = $7, skills_merit = $8, licences = $9, \
         swedish_min = $10, swedish_required = $11, municipality_code = $12, lat = $13, \
         lon = $14, places = $15, start_date = $16, deadline = $17, hours = $18, \
         employment_form = $19, supervisor = $20, source_system = $21, external_id = $22, \
         source = $23"
    };
}

fn opening_from_row(row: &PgRow) -> Result<Opening, StoreError> {
    Opening::try_from(OpeningRow::from_row(row)?)
}

/// Inserts an opening whose employer is known to exist, with its outbox row.
pub(super) async fn insert_opening(
    conn: &mut PgConnection,
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
        "employment_form, supervisor, source_system, external_id, source, status, created_at, ",
        "updated_at) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ",
        "$18, $19, $20, $21, $22, $23, $24, $25, $25) RETURNING id",
    ));
    let id: Id = bind_opening(query, employer_id, opening, columns)
        .bind(status)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    push_outbox(conn, Entity::Opening, id, Op::Upsert, now).await?;
    Ok(Opening {
        id,
        employer_id,
        ..opening.clone()
    })
}

pub(super) async fn create_opening(
    pool: &PgPool,
    opening: &Opening,
) -> Result<Opening, StoreError> {
    let mut tx = pool.begin().await?;
    if !employer_exists(&mut tx, opening.employer_id).await? {
        return Err(StoreError::UnknownEmployer(opening.employer_id));
    }
    let created = insert_opening(&mut tx, opening, opening.employer_id, Utc::now()).await?;
    tx.commit().await?;
    Ok(created)
}

pub(super) async fn opening(pool: &PgPool, id: Id) -> Result<Option<Opening>, StoreError> {
    let row: Option<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(Opening::try_from).transpose()
}

pub(super) async fn update_opening(
    pool: &PgPool,
    id: Id,
    opening: &Opening,
) -> Result<Option<Opening>, StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let mut tx = pool.begin().await?;
    if !employer_exists(&mut tx, opening.employer_id).await? {
        return Err(StoreError::UnknownEmployer(opening.employer_id));
    }
    let now = Utc::now();
    let query = sqlx::query(concat!(
        "UPDATE openings SET ",
        content_assignments!(),
        ", updated_at = $24 WHERE id = $25 RETURNING ",
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

pub(super) async fn close_opening(pool: &PgPool, id: Id) -> Result<Option<Opening>, StoreError> {
    let mut tx = pool.begin().await?;
    let now = Utc::now();
    let row = sqlx::query(concat!(
        "UPDATE openings SET status = $1, updated_at = $2 WHERE id = $3 RETURNING ",
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

pub(super) async fn openings(pool: &PgPool, ids: &[Id]) -> Result<Vec<Opening>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id = ANY($1) ORDER BY id"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

pub(super) async fn openings_after(
    pool: &PgPool,
    after: Id,
    limit: i64,
) -> Result<Vec<Opening>, StoreError> {
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

/// An employer's openings, open and closed, newest first.
pub(super) async fn employer_openings(
    pool: &PgPool,
    employer_id: Id,
) -> Result<Vec<Opening>, StoreError> {
    let rows: Vec<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE employer_id = $1 ORDER BY id DESC"
    ))
    .bind(employer_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Opening::try_from).collect()
}

/// The opening imported from this ad, if any.
pub(super) async fn opening_by_source(
    conn: &mut PgConnection,
    system: &str,
    external_id: &str,
) -> Result<Option<Opening>, StoreError> {
    let row: Option<OpeningRow> = sqlx::query_as(concat!(
        "SELECT ",
        opening_columns!(),
        " FROM openings WHERE source_system = $1 AND external_id = $2"
    ))
    .bind(system)
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Opening::try_from).transpose()
}

/// Replaces every field of an opening, its status included, with its outbox row.
pub(super) async fn replace_opening(
    conn: &mut PgConnection,
    id: Id,
    opening: &Opening,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let columns = OpeningColumns::encode(opening)?;
    let query = sqlx::query(concat!(
        "UPDATE openings SET ",
        content_assignments!(),
        ", status = $24, updated_at = $25 WHERE id = $26"
    ));
    bind_opening(query, opening.employer_id, opening, columns)
        .bind(enum_str(&opening.status)?)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    push_outbox(conn, Entity::Opening, id, Op::Upsert, now).await
}
