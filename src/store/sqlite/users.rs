//! Users and their bearer tokens. A token is stored as its selector (to find it) and the
//! SHA-256 of its verifier (to check it); the token itself is never stored.
//!
//! What this module must not do: make or check tokens (that is the service's), or return a
//! verifier to anyone but the check.

use chrono::Utc;
use sqlx::sqlite::SqlitePool;

use super::Pools;
use crate::model::{Id, Role, User};
use crate::store::codec::{TokenRow, UserRow, enum_str};
use crate::store::{StoreError, TokenRecord};

pub(super) async fn create_user(
    pool: &Pools,
    role: Role,
    name: &str,
    employer_id: Option<Id>,
) -> Result<User, StoreError> {
    if (role == Role::Employer) != employer_id.is_some() {
        return Err(StoreError::Invalid(
            "an employer's user needs --employer, and only an employer's user takes one".into(),
        ));
    }
    if let Some(e) = employer_id {
        let exists: Option<Id> = sqlx::query_scalar("SELECT id FROM employers WHERE id = ?")
            .bind(e)
            .fetch_optional(&pool.read)
            .await?;
        if exists.is_none() {
            return Err(StoreError::UnknownEmployer(e));
        }
    }
    let id: Id = sqlx::query_scalar(
        "INSERT INTO users (role, name, employer_id, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(enum_str(&role)?)
    .bind(name)
    .bind(employer_id)
    .bind(Utc::now())
    .fetch_one(&pool.write)
    .await?;
    Ok(User {
        id,
        role,
        name: name.to_owned(),
        employer_id,
    })
}

pub(super) async fn user(pool: &SqlitePool, id: Id) -> Result<Option<User>, StoreError> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, role, name, employer_id FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(User::try_from).transpose()
}

pub(super) async fn create_token(
    pool: &Pools,
    user_id: Id,
    selector: &str,
    verifier_hash: &[u8],
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tokens (user_id, selector, verifier, created_at) VALUES (?, ?, ?, ?)")
        .bind(user_id)
        .bind(selector)
        .bind(verifier_hash)
        .bind(Utc::now())
        .execute(&pool.write)
        .await?;
    Ok(())
}

/// A token query: the columns of a token and its user, then `$tail`.
macro_rules! token_query {
    ($tail:literal) => {
        concat!(
            "SELECT t.id, t.user_id, u.role, u.name, u.employer_id, t.selector, t.verifier, ",
            "t.created_at, t.revoked_at FROM tokens t JOIN users u ON u.id = t.user_id ",
            $tail
        )
    };
}

pub(super) async fn token(
    pool: &SqlitePool,
    selector: &str,
) -> Result<Option<(TokenRecord, Vec<u8>)>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as(token_query!("WHERE t.selector = ?"))
        .bind(selector)
        .fetch_optional(pool)
        .await?;
    row.map(TokenRow::split).transpose()
}

pub(super) async fn revoke_token(pool: &Pools, selector: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE tokens SET revoked_at = ? WHERE selector = ? AND revoked_at IS NULL")
            .bind(Utc::now())
            .bind(selector)
            .execute(&pool.write)
            .await?
            .rows_affected()
            > 0,
    )
}

pub(super) async fn tokens(pool: &SqlitePool) -> Result<Vec<TokenRecord>, StoreError> {
    let rows: Vec<TokenRow> = sqlx::query_as(token_query!("ORDER BY t.id"))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| r.split().map(|(record, _)| record))
        .collect()
}
