//! Employers: creating and reading them, and the existence check openings and imports make.
//!
//! What this module must not do: write an outbox row (employers are not indexed) or return a
//! row type.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};

use super::Pools;
use crate::model::{Employer, Id};
use crate::store::StoreError;
use crate::store::codec::EmployerRow;

pub(super) async fn create_employer(
    pool: &Pools,
    name: &str,
    org_number: Option<&str>,
    municipality_code: Option<&str>,
) -> Result<Employer, StoreError> {
    let mut conn = pool.write.acquire().await?;
    insert_employer(&mut conn, name, org_number, municipality_code, Utc::now()).await
}

pub(super) async fn insert_employer(
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

/// Inserts an import's employers in multi-row statements; answers their ids in input order
/// (see `openings::insert_openings` for why they run up to the last rowid).
pub(super) async fn insert_employers(
    conn: &mut SqliteConnection,
    employers: &[Employer],
    now: DateTime<Utc>,
) -> Result<Vec<Id>, StoreError> {
    let mut ids = Vec::with_capacity(employers.len());
    for chunk in employers.chunks(1024) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO employers (name, org_number, municipality_code, created_at) ",
        );
        insert.push_values(chunk, |mut b, e| {
            b.push_bind(e.name.as_str())
                .push_bind(e.org_number.as_deref())
                .push_bind(e.municipality_code.as_deref())
                .push_bind(now);
        });
        let done = insert.build().execute(&mut *conn).await?;
        let n = chunk.len() as i64;
        if done.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::Invalid(format!(
                "{} employers written of {n}",
                done.rows_affected()
            )));
        }
        let last = done.last_insert_rowid();
        ids.extend(last - n + 1..=last);
    }
    Ok(ids)
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

pub(super) async fn employer_exists(
    conn: &mut SqliteConnection,
    id: Id,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM employers WHERE id = ?)")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// The employer an ad names: by organisation number, or by name when the ad gives none.
pub(super) async fn employer_by_org(
    conn: &mut SqliteConnection,
    org_number: Option<&str>,
    name: &str,
) -> Result<Option<Id>, StoreError> {
    let found = match org_number {
        Some(org) => {
            sqlx::query_scalar("SELECT MIN(id) FROM employers WHERE org_number = ?")
                .bind(org)
                .fetch_one(conn)
                .await?
        }
        None => {
            sqlx::query_scalar(
                "SELECT MIN(id) FROM employers WHERE org_number IS NULL AND name = ?",
            )
            .bind(name)
            .fetch_one(conn)
            .await?
        }
    };
    Ok(found)
}
