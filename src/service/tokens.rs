//! Bearer tokens: made here, checked here, never stored. A token is `jm_<selector>_<verifier>`:
//! the selector (64 random bits) finds its row, the verifier (256 random bits) proves it, and
//! only the verifier's SHA-256 is stored, compared in constant time. Creating, listing and
//! revoking work through the database, so a running server sees a new or revoked token on the
//! next request.
//!
//! What this module must not do: log or return a token except once, to whoever created it.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{Result, ServiceError};
use super::{Caller, Engine};
use crate::model::{Id, Role, User};
use crate::store::{Store, TokenRecord};

const PREFIX: &str = "jm_";
const SELECTOR_BYTES: usize = 8;
const VERIFIER_BYTES: usize = 32;

/// Why a presented token does not sign anyone in. Told apart for the log, answered alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("no bearer token was sent")]
    Missing,
    #[error("the bearer token is not of the form jm_<selector>_<verifier>")]
    Malformed,
    #[error("the bearer token is not known")]
    Unknown,
    #[error("the bearer token was revoked")]
    Revoked,
}

/// A token as it is handed out, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub user: User,
    pub token: String,
}

impl IssuedToken {
    /// The one line `jobmatch token create` and `serve --demo` print:
    /// `{"user_id":N,"role":"…","token":"…"}`.
    pub fn json_line(&self) -> String {
        // Role names and tokens are plain ASCII of our own making: nothing to escape.
        format!(
            r#"{{"user_id":{},"role":"{}","token":"{}"}}"#,
            self.user.id,
            self.user.role.as_str(),
            self.token
        )
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn verifier_hash(verifier: &str) -> Vec<u8> {
    Sha256::digest(verifier.as_bytes()).to_vec()
}

/// The selector and verifier of a well-formed token.
fn split(token: &str) -> Option<(&str, &str)> {
    let (selector, verifier) = token.strip_prefix(PREFIX)?.split_once('_')?;
    let hex_of =
        |s: &str, bytes: usize| s.len() == 2 * bytes && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex_of(selector, SELECTOR_BYTES) && hex_of(verifier, VERIFIER_BYTES))
        .then_some((selector, verifier))
}

/// Users and their tokens, over the store alone: what `jobmatch token` needs beside a running
/// server (whose index it must not open), and what the engine signs callers in with.
#[derive(Clone, Debug)]
pub struct Accounts {
    store: Store,
}

impl Engine {
    /// The caller a bearer token signs in, checked against the database on every request.
    pub async fn sign_in(&self, token: &str) -> std::result::Result<Caller, SignInFailure> {
        Accounts::new(self.store.clone()).sign_in(token).await
    }
}

impl Accounts {
    pub fn new(store: Store) -> Self {
        Accounts { store }
    }

    /// The caller a bearer token signs in.
    pub async fn sign_in(&self, token: &str) -> std::result::Result<Caller, SignInFailure> {
        let (selector, verifier) =
            split(token.trim()).ok_or(SignInFailure::Rejected(SignInError::Malformed))?;
        let found = self
            .store
            .token(selector)
            .await
            .map_err(|e| SignInFailure::Fault(e.into()))?;
        let Some((record, stored)) = found else {
            return Err(SignInFailure::Rejected(SignInError::Unknown));
        };
        if !bool::from(verifier_hash(verifier).ct_eq(&stored)) {
            return Err(SignInFailure::Rejected(SignInError::Unknown));
        }
        if record.revoked_at.is_some() {
            return Err(SignInFailure::Rejected(SignInError::Revoked));
        }
        Ok(Caller::user(&record.user))
    }

    /// Creates a user (or takes an existing one, `user_id`) and a new token for them.
    pub async fn issue(
        &self,
        role: Role,
        name: &str,
        employer_id: Option<Id>,
        user_id: Option<Id>,
    ) -> Result<IssuedToken> {
        let user = match user_id {
            Some(id) => {
                let user = self
                    .store
                    .user(id)
                    .await?
                    .ok_or(ServiceError::not_found("user", id))?;
                if user.role != role {
                    return Err(super::InputError::invalid(
                        "role",
                        format!(
                            "user {id} is a {}, not a {}",
                            user.role.as_str(),
                            role.as_str()
                        ),
                    )
                    .into());
                }
                user
            }
            None => self.store.create_user(role, name, employer_id).await?,
        };
        let selector = random_hex(SELECTOR_BYTES);
        let verifier = random_hex(VERIFIER_BYTES);
        self.store
            .create_token(user.id, &selector, &verifier_hash(&verifier))
            .await?;
        Ok(IssuedToken {
            user,
            token: format!("{PREFIX}{selector}_{verifier}"),
        })
    }

    /// Revokes a token, given whole or by its selector; `false` if it was not live.
    pub async fn revoke(&self, token_or_selector: &str) -> Result<bool> {
        let text = token_or_selector.trim();
        let selector = split(text).map_or(text, |(selector, _)| selector);
        Ok(self.store.revoke_token(selector).await?)
    }

    /// Every token, oldest first, without the tokens themselves.
    pub async fn list(&self) -> Result<Vec<TokenRecord>> {
        Ok(self.store.tokens().await?)
    }
}

/// A sign-in that did not succeed: the caller's token, or the system's fault.
#[derive(Debug)]
pub enum SignInFailure {
    Rejected(SignInError),
    Fault(ServiceError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_into_selector_and_verifier_only_when_well_formed() {
        let token = format!("jm_{}_{}", "ab".repeat(8), "cd".repeat(32));
        assert_eq!(split(&token), Some((&token[3..19], &token[20..])));
        for bad in [
            "".to_owned(),
            "jm_".to_owned(),
            format!("xx_{}_{}", "ab".repeat(8), "cd".repeat(32)),
            format!("jm_{}_{}", "ab".repeat(7), "cd".repeat(32)),
            format!("jm_{}_{}", "ab".repeat(8), "zz".repeat(32)),
            format!("jm_{}{}", "ab".repeat(8), "cd".repeat(32)),
        ] {
            assert_eq!(split(&bad), None, "{bad}");
        }
    }

    #[test]
    fn random_parts_are_long_and_differ() {
        let (a, b) = (random_hex(VERIFIER_BYTES), random_hex(VERIFIER_BYTES));
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(verifier_hash(&a).len(), 32);
        assert_ne!(verifier_hash(&a), verifier_hash(&b));
    }
}
