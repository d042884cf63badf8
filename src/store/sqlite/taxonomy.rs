//! Taxonomy versions: each import stored whole, with its outbox row, the highest in force.

use chrono::Utc;
use sqlx::sqlite::SqlitePool;

use super::outbox::push_outbox;
use super::{Pools, begin_write};
use crate::store::codec::TaxonomyRow;
use crate::store::{Entity, NewTaxonomy, Op, StoreError, StoredTaxonomy, TaxonomyVersion};

pub(super) async fn save_taxonomy(
    pool: &Pools,
    new: &NewTaxonomy,
) -> Result<TaxonomyVersion, StoreError> {
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let row: TaxonomyRow = sqlx::query_as(
        "INSERT INTO taxonomy_versions (imported_at, source, mode, checksum, summary, files) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING version, imported_at, source, mode, checksum, summary",
    )
    .bind(now)
    .bind(&new.source)
    .bind(&new.mode)
    .bind(&new.checksum)
    .bind(&new.summary)
    .bind(&new.files)
    .fetch_one(&mut *tx)
    .await?;
    push_outbox(&mut tx, Entity::Taxonomy, row.version, Op::Upsert, now).await?;
    tx.commit().await?;
    Ok(row.into())
}

pub(super) async fn current_taxonomy(
    pool: &SqlitePool,
) -> Result<Option<StoredTaxonomy>, StoreError> {
    let Some(version) = newest(pool).await? else {
        return Ok(None);
    };
    let files: String = sqlx::query_scalar("SELECT files FROM taxonomy_versions WHERE version = ?")
        .bind(version.version)
        .fetch_one(pool)
        .await?;
    Ok(Some(StoredTaxonomy { version, files }))
}

async fn newest(pool: &SqlitePool) -> Result<Option<TaxonomyVersion>, StoreError> {
    let row: Option<TaxonomyRow> = sqlx::query_as(
        "SELECT version, imported_at, source, mode, checksum, summary FROM taxonomy_versions ORDER BY version DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Into::into))
}

pub(super) async fn taxonomy_versions(
    pool: &SqlitePool,
) -> Result<Vec<TaxonomyVersion>, StoreError> {
    let rows: Vec<TaxonomyRow> = sqlx::query_as(
        "SELECT version, imported_at, source, mode, checksum, summary FROM taxonomy_versions ORDER BY version DESC",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}
