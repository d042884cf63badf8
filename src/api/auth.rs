//! Sign-in: `Authorization: Bearer <token>` on every `/v1` route turns into the [`Caller`] the
//! service checks rights against, carrying the matched route for the access log. A missing,
//! malformed, unknown or revoked token answers 401 with `WWW-Authenticate`; a client address
//! that keeps failing is slowed down with 429 and `Retry-After`.
//!
//! What this module must not do: decide what a caller may do (the service does), or log a
//! token.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::http::header;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;
use super::routes::AppState;
use crate::service::{Caller, Code, SignInError, SignInFailure};

/// The challenge every 401 carries.
const CHALLENGE: &str = "Bearer realm=\"jobmatch\"";

/// Failed sign-ins allowed per client address and minute before it must wait.
pub struct SignInLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimiter {
    pub fn per_minute(failures: u32) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(failures.max(1)).expect("at least 1"));
        SignInLimiter {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// Counts a failure; `Some(seconds)` to wait when the address is over its quota.
    pub(crate) fn failed(&self, ip: IpAddr) -> Option<u64> {
        self.limiter.check_key(&ip).err().map(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme's name is case-insensitive (RFC 9110 §11.1).
            .map(|v| match v.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
                _ => "",
            });
        let signed_in = match token {
            None => Err(SignInError::Missing),
            Some(token) => match state.engine.sign_in(token).await {
                Ok(caller) => Ok(caller),
                Err(SignInFailure::Rejected(e)) => Err(e),
                Err(SignInFailure::Fault(e)) => return Err(e.into()),
            },
        };
        match signed_in {
            Ok(caller) => {
                let route = parts
                    .extensions
                    .get::<MatchedPath>()
                    .map_or("<unmatched>", MatchedPath::as_str);
                Ok(caller.for_purpose(format!("{} {route}", parts.method)))
            }
            Err(e) => {
                let ip = parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
                tracing::info!(reason = %e, "sign-in refused");
                if let Some(wait) = state.sign_ins.failed(ip) {
                    return Err(ApiError::new(
                        Code::TooManyRequests,
                        format!(
                            "too many failed sign-ins from this address; try again in {wait} s"
                        ),
                    )
                    .with_header(header::RETRY_AFTER, &wait.to_string()));
                }
                Err(ApiError::new(
                    Code::Unauthorized,
                    format!(
                        "{e}; send Authorization: Bearer <token> (see `jobmatch token create`)"
                    ),
                )
                .with_header(header::WWW_AUTHENTICATE, CHALLENGE))
            }
        }
    }
}
