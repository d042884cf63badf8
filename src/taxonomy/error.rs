//! The taxonomy's one error type: data that cannot be loaded, and user input that names
//! nothing the taxonomy knows. Messages are lowercase, name the bad value and say what would
//! be accepted.

use std::path::PathBuf;

/// Everything that can go wrong loading the taxonomy or resolving input against it.
///
/// Load errors (`Io`, `Parse`, `AliasCollision`) are the operator's to fix and carry the file
/// and line; the `Unknown*` variants are user errors whose message can be shown as is.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// A taxonomy file could not be read.
    #[error("cannot read taxonomy file {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A row (or the header, line 1) does not have the expected shape.
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: u64,
        message: String,
    },
    /// One folded alias names two concepts, so free text could not be resolved
    /// deterministically. Curated data must be fixed rather than guessed around.
    #[error(
        "{file}:{line}: alias {alias:?} of {concept} is already used by {other}; an alias must name one concept"
    )]
    AliasCollision {
        file: String,
        line: u64,
        alias: String,
        concept: String,
        other: String,
    },
    #[error(
        "unknown Swedish level {0:?}; expected one of A1…C2, SFI A–D, SAS grund, SAS gymnasial"
    )]
    UnknownSwedishLevel(String),
    #[error(
        "unknown occupation {0:?}; expected a four-digit SSYK 2012 code such as \"5321\", an occupation group or an occupation name"
    )]
    UnknownOccupation(String),
    #[error(
        "unknown municipality {0:?}; expected a four-digit kommunkod such as \"0180\" (Stockholm), a municipality name or its concept id"
    )]
    UnknownMunicipality(String),
    #[error(
        "unknown licence {0:?}; expected a driving licence class (AM, A1, A2, A, B, B96, BE, C1, C1E, C, CE, D1, D1E, D, DE) or a certificate code such as TRUCK, HYGIENE, FIRST_AID, HOT_WORK, ID06, YKB"
    )]
    UnknownLicence(String),
}

impl TaxonomyError {
    pub(crate) fn parse(file: &str, line: u64, message: impl Into<String>) -> Self {
        TaxonomyError::Parse {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}
