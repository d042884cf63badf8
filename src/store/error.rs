//! [`StoreError`]: the one error type of the storage boundary, shared by every backend.
//!
//! What this module must not do: carry a driver's row or connection, or decide how an error is
//! answered over HTTP (the API maps these; this module only says which are internal).

use crate::model::Id;

/// Everything that can go wrong in the storage layer.
///
/// [`StoreError::is_internal`] separates faults (log the cause, answer a generic 500) from
/// problems with the caller's input or configuration, which can be reported as they are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names a backend this build cannot use.
    #[error(
        "unsupported database URL {0:?}; expected sqlite:PATH, sqlite:///ABSOLUTE/PATH or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedUrl(String),
    /// The driver failed: I/O, a lock timeout, a violated constraint this module did not
    /// anticipate. Internal.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The embedded migrations could not be applied. Internal.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// An opening refers to an employer that does not exist (for
    /// [`Store::import`](super::Store::import): that is not among the imported employers).
    /// Nothing was written.
    #[error("unknown employer {0}; create the employer first or check the opening's employer_id")]
    UnknownEmployer(Id),
    /// The input cannot be stored as given (a coordinate outside WGS84, a NaN, a duplicate id in
    /// an import). Nothing was written.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A stored value does not decode into the domain type: the database was changed by
    /// something other than this module. Internal.
    #[error("stored {entity} {id} has an unreadable {column}: {reason}")]
    Corrupt {
        entity: &'static str,
        id: Id,
        column: &'static str,
        reason: String,
    },
}

impl StoreError {
    /// True for faults of the system rather than of the request, which an API must not
    /// describe to its caller.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            StoreError::Database(_) | StoreError::Migrate(_) | StoreError::Corrupt { .. }
        )
    }
}
