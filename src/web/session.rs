//! Who is using the page, and in which language: the token from the sign-in form kept in a
//! cookie the page's scripts cannot read (HttpOnly), sent over HTTPS only (Secure; browsers
//! also accept it from `localhost`) and never on requests another site starts
//! (SameSite=Strict); forms carry a token derived from it (CSRF), checked on every POST.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::WebState;
use super::client::Api;
use crate::model::{Id, Role};
use crate::service::SignInFailure;

/// The cookie holding the signed-in user's token. `__Host-`: the browser takes it only from
/// this host over a secure connection, for the whole site, so no sibling domain can plant one.
pub const SESSION_COOKIE: &str = "__Host-jobmatch_session";
/// The cookie holding the chosen language.
pub const LANG_COOKIE: &str = "jobmatch_lang";
/// How long a sign-in lasts: a working day.
const SESSION_SECONDS: u32 = 10 * 3600;

/// The page's languages: Swedish by default, English as a choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Sv,
    En,
}

impl Lang {
    /// The text in this language, written at the call site in both.
    pub fn t<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn of(headers: &HeaderMap) -> Lang {
        cookie(headers, LANG_COOKIE)
            .and_then(|c| Lang::parse(&c))
            .unwrap_or(Lang::Sv)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(&parts.headers))
    }
}

/// A signed-in user of the page.
#[derive(Clone)]
pub struct Session {
    pub role: Role,
    pub employer_id: Option<Id>,
    pub lang: Lang,
    /// What this user's forms carry to prove they came from this page.
    pub csrf: String,
    /// The API as this user.
    pub api: Api,
}

impl Session {
    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        self.csrf.as_bytes().ct_eq(submitted.as_bytes()).into()
    }
}

/// The CSRF token of a session: a digest of its secret token, so it needs no storage and
/// cannot be made without the cookie, which no other site can read.
pub fn csrf_of(token: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"jobmatch page form\0");
    digest.update(token.as_bytes());
    hex::encode(&digest.finalize()[..16])
}

impl FromRequestParts<WebState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let lang = Lang::of(&parts.headers);
        // Two session cookies mean one was planted: neither is trusted.
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            .filter(|_| cookies_named(&parts.headers, SESSION_COOKIE) == 1)
        else {
            return Err(Redirect::to("/").into_response());
        };
        match state.engine.sign_in(&token).await {
            Ok(caller) => Ok(Session {
                role: caller.role(),
                employer_id: caller.employer_id(),
                lang,
                csrf: csrf_of(&token),
                api: Api::new(state.api.clone(), token),
            }),
            // A revoked or unknown token: sign in again, and forget the old one. It counts as a
            // failed sign-in, as on the form, so guessing through the cookie is slowed too.
            Err(SignInFailure::Rejected(_)) => {
                if let Some(wait) = state.sign_ins.failed(peer_ip(parts)) {
                    return Err(super::too_many_sign_ins(lang, wait));
                }
                let mut r = Redirect::to("/").into_response();
                r.headers_mut()
                    .append(header::SET_COOKIE, clear_session_cookie());
                Err(r)
            }
            Err(SignInFailure::Fault(e)) => {
                tracing::error!(error = %e, "checking a page session failed");
                Err(super::layout::failure_page(
                    lang,
                    &super::client::Failure::new(
                        axum::http::StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "sign-in could not be checked; try again",
                    ),
                ))
            }
        }
    }
}

/// The client's address, for counting failed sign-ins.
pub fn peer_ip(parts: &Parts) -> std::net::IpAddr {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// The values of every cookie of this name in the request's `Cookie` headers.
fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// How many cookies of this name the request carries.
fn cookies_named(headers: &HeaderMap, name: &str) -> usize {
    cookie_values(headers, name).count()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie_values(headers, name).next().map(str::to_owned)
}

pub fn session_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; Secure; SameSite=Strict"
    ))
    .expect("a token is a header-safe string")
}

pub fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
    ))
    .expect("static header")
}

pub fn lang_cookie(lang: Lang) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; Secure; SameSite=Lax",
        lang.code()
    ))
    .expect("static header")
}

impl Lang {
    /// The language of a request, from its cookie.
    pub fn of_request<B>(request: &axum::http::Request<B>) -> Lang {
        Lang::of(request.headers())
    }
}
