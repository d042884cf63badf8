//! Pseudonyms that cannot be linked: a participant's code is a keyed hash (HMAC-SHA-256) of
//! who is looking and who is seen. Staff of the unit share one code per participant; each
//! employer gets its own, so two employers cannot tell they were shown the same person, and
//! without the key nobody can go from a code back to a participant.
//!
//! The key comes from `JOBMATCH_SECRET`, else from `secret.key` in the data directory, created
//! on first start. What this module must not do: store codes (they are recomputed) or accept a
//! code as an id (they are one-way).

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::model::Id;

/// The file in the data directory that holds the key when no `JOBMATCH_SECRET` is set.
pub const SECRET_FILE: &str = "secret.key";

/// The key pseudonyms are made with. Never logged, never printed.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A key given as text (from `JOBMATCH_SECRET`); at least 16 bytes, so it cannot be guessed.
    pub fn from_text(text: &str) -> Result<Secret, String> {
        let text = text.trim();
        if text.len() < 16 {
            return Err("the secret must be at least 16 characters long".to_owned());
        }
        Ok(Secret(text.as_bytes().to_vec()))
    }

    /// The key in `dir/secret.key`, created with 32 random bytes when missing. On Unix the file
    /// is readable by its owner only.
    pub fn load_or_create(dir: &Path) -> std::io::Result<Secret> {
        let path = dir.join(SECRET_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => hex::decode(text.trim())
                .ok()
                .filter(|k| k.len() >= 16)
                .map(Secret)
                .ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "{} does not hold a hex key of at least 16 bytes",
                            path.display()
                        ),
                    )
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&path, hex::encode(key).as_bytes(), false)?;
                Ok(Secret(key.to_vec()))
            }
            Err(e) => Err(e),
        }
    }

    fn code(&self, prefix: &str, parts: &[&[u8]]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for part in parts {
            // Length-prefixed, so no two different inputs hash the same bytes.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        let digest = mac.finalize().into_bytes();
        format!("{prefix}-{}", hex::encode_upper(&digest[..10]))
    }

    /// The code the unit's own staff see for a participant.
    pub fn staff_pseudonym(&self, participant_id: Id) -> String {
        self.code("K", &[b"staff", &participant_id.to_be_bytes()])
    }

    /// The code one employer sees for a participant: different for every employer.
    pub fn employer_pseudonym(&self, employer_id: Id, participant_id: Id) -> String {
        self.code(
            "C",
            &[
                b"employer",
                &employer_id.to_be_bytes(),
                &participant_id.to_be_bytes(),
            ],
        )
    }
}

/// Writes a file only its owner may read (on Unix): a key, or the demo's tokens. With
/// `replace` false it refuses to overwrite, so two processes starting together cannot both
/// create a key.
pub fn write_private(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_per_key_and_differ_between_employers_and_keys() {
        let key = Secret::from_text("a key of some length").unwrap();
        let other = Secret::from_text("another key, as long").unwrap();
        assert_eq!(key.staff_pseudonym(1), key.staff_pseudonym(1));
        assert_ne!(key.staff_pseudonym(1), key.staff_pseudonym(2));
        assert_ne!(key.staff_pseudonym(1), other.staff_pseudonym(1));
        assert_ne!(key.employer_pseudonym(10, 1), key.employer_pseudonym(11, 1));
        assert_ne!(key.employer_pseudonym(10, 1), key.staff_pseudonym(1));
        let code = key.employer_pseudonym(10, 1);
        assert!(code.starts_with("C-") && code.len() == 22, "{code}");
        assert!(Secret::from_text("short").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secret::load_or_create(dir.path()).unwrap();
        let again = Secret::load_or_create(dir.path()).unwrap();
        assert_eq!(first.staff_pseudonym(5), again.staff_pseudonym(5));
        std::fs::write(dir.path().join(SECRET_FILE), "not hex").unwrap();
        assert!(Secret::load_or_create(dir.path()).is_err());
    }
}
