//! The page at `/`: server-rendered HTML for coaches, job matchers and employers, served by
//! the same binary with its stylesheet and script embedded, nothing fetched from elsewhere.
//! Every read and action goes through the `/v1` API as the signed-in user ([`client`]), so a
//! page has exactly its user's rights and every read of a participant is logged as for any
//! API client.
//!
//! What this module must not do: reach the store, the index or the service's use cases
//! directly (sign-in aside), or show an employer anything the API does not show it.

mod client;
mod coach;
mod employer;
mod form;
mod layout;
mod matcher;
mod session;
mod stats;

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use maud::html;
use serde::Deserialize;

use crate::api::Limits;
use crate::api::auth::SignInLimiter;
use crate::model::Id;
use crate::service::{Engine, SignInFailure};
pub use session::{LANG_COOKIE, SESSION_COOKIE, csrf_of};
use session::{Lang, Session};

/// What the page's handlers reach: the API router they call, and the engine for sign-in.
#[derive(Clone)]
pub struct WebState {
    api: Router,
    engine: Arc<Engine>,
    /// Failed sign-ins on the form, per client address, limited as the API's are.
    sign_ins: Arc<SignInLimiter>,
}

/// The API router with the page's routes beside it.
pub fn with_pages(api: Router, engine: Arc<Engine>, limits: Limits) -> Router {
    let state = WebState {
        api: api.clone(),
        engine,
        sign_ins: Arc::new(SignInLimiter::per_minute(
            limits.sign_in_failures_per_minute,
        )),
    };
    let pages = Router::new()
        .route("/", get(home))
        .route("/sign-in", post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/lang/{code}", get(choose_language))
        .route("/assets/app.css", get(stylesheet))
        .route("/assets/app.js", get(script))
        .route("/suggest", get(suggest))
        .merge(coach::routes())
        .merge(matcher::routes())
        .merge(employer::routes())
        .merge(stats::routes())
        .fallback(not_found)
        .with_state(state)
        .layer(middleware::from_fn(same_origin_writes))
        .layer(middleware::from_fn(readable_refusals))
        .layer(middleware::map_response(page_headers));
    api.merge(pages)
}

/// An unknown path: the API's JSON error under `/v1`, a page elsewhere.
async fn not_found(lang: Lang, uri: axum::http::Uri) -> Response {
    if uri.path() == "/v1" || uri.path().starts_with("/v1/") {
        return crate::api::ApiError::new(
            crate::service::Code::NotFound,
            "no such route; the API lives under /v1",
        )
        .into_response();
    }
    layout::failure_page(
        lang,
        &client::Failure::new(
            StatusCode::NOT_FOUND,
            "not_found",
            lang.t("Sidan finns inte.", "There is no such page."),
        ),
    )
}

/// A form posted from another site is refused before any handler sees it: browsers send
/// `Origin` on every POST, and it must name this host. (The session cookie is SameSite=Strict
/// as well, and each form carries its CSRF token.)
async fn same_origin_writes(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let headers = request.headers();
        // The names this site answers to: the Host header (HTTP/1.1), the request's authority
        // (HTTP/2), and the host a reverse proxy says it forwarded for.
        let names: Vec<&str> = [
            headers.get(header::HOST).and_then(|v| v.to_str().ok()),
            request.uri().authority().map(|a| a.as_str()),
            headers
                .get("x-forwarded-host")
                .and_then(|v| v.to_str().ok()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let same = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => origin
                .split_once("://")
                .is_some_and(|(_, rest)| names.contains(&rest)),
        };
        if !same {
            return forbidden_form(Lang::of_request(&request));
        }
    }
    next.run(request).await
}

/// A request the extractors refuse (a path id that is not a number, a form missing a field)
/// gets a page with its status, not the bare text axum answers with.
async fn readable_refusals(request: Request, next: Next) -> Response {
    let lang = Lang::of_request(&request);
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(response.status().is_client_error() && plain) {
        return response;
    }
    layout::failure_page(
        lang,
        &client::Failure::new(
            response.status(),
            "bad_request",
            lang.t(
                "Adressen eller formuläret kunde inte läsas. Gå tillbaka och försök igen.",
                "The address or the form could not be read. Go back and try again.",
            ),
        ),
    )
}

/// Pages hold personal data: not cached, not framed, no script or style from elsewhere.
async fn page_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn forbidden_form(lang: Lang) -> Response {
    layout::failure_page(
        lang,
        &client::Failure::new(
            StatusCode::FORBIDDEN,
            "csrf",
            lang.t(
                "Formuläret kom inte från den här sidan. Ladda om sidan och försök igen.",
                "The form did not come from this page. Reload the page and try again.",
            ),
        ),
    )
}

/// Proposes a participant for an opening as the session's user; then back to `back`, with
/// the notice for a proposal sent or held back by the employer's cap.
async fn propose(session: &Session, participant_id: Id, opening_id: Id, back: &str) -> Response {
    let body = serde_json::json!({"participant_id": participant_id, "opening_id": opening_id});
    match session.api.post("/v1/placements?wait=indexed", &body).await {
        Ok(placement) => {
            let done = if placement["status"] == "waiting" {
                "waiting"
            } else {
                "proposed"
            };
            Redirect::to(&format!("{back}?done={done}")).into_response()
        }
        Err(f) => layout::failure_page(session.lang, &f),
    }
}

/// Whether the session's role may use an API route at all, from the one table of rights.
fn may_use(session: &Session, method: &str, path: &str) -> bool {
    crate::api::routes::access::roles_of(method, path)
        .is_some_and(|roles| roles.contains(&session.role))
}

/// The refusal of a form that does not carry the session's CSRF token.
fn refuse_form(session: &Session, csrf: &str) -> Option<Response> {
    (!session.csrf_ok(csrf)).then(|| forbidden_form(session.lang))
}

/// The start: the sign-in for a visitor, the role's home for a signed-in user.
async fn home(State(state): State<WebState>, lang: Lang, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if let Some(token) = session::cookie(&parts.headers, SESSION_COOKIE) {
        match state.engine.sign_in(&token).await {
            Ok(caller) => return Redirect::to(layout::home_of(caller.role())).into_response(),
            Err(SignInFailure::Rejected(_)) => {
                if let Some(wait) = state.sign_ins.failed(session::peer_ip(&parts)) {
                    return too_many_sign_ins(lang, wait);
                }
            }
            Err(SignInFailure::Fault(_)) => {}
        }
    }
    sign_in_page(lang, None, StatusCode::OK)
}

/// The sign-in page with 429 and `Retry-After`, for an address past its failed sign-ins.
fn too_many_sign_ins(lang: Lang, wait: u64) -> Response {
    let mut r = sign_in_page(
        lang,
        Some(&format!(
            "{} {wait} s.",
            lang.t(
                "För många misslyckade inloggningar. Försök igen om",
                "Too many failed sign-ins. Try again in"
            )
        )),
        StatusCode::TOO_MANY_REQUESTS,
    );
    r.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&wait.to_string()).expect("digits"),
    );
    r
}

fn sign_in_page(lang: Lang, refused: Option<&str>, status: StatusCode) -> Response {
    let l = lang;
    let body = html! {
        div.narrow {
            h1 { (l.t("Logga in", "Sign in")) }
            p { (l.t(
                "Logga in med den nyckel (token) du har fått av enhetens administratör.",
                "Sign in with the token your unit's administrator gave you."
            )) }
            @if let Some(message) = refused {
                div.notice.error role="alert" id="sign-in-error" { p { (message) } }
            }
            form method="post" action="/sign-in" {
                label for="token" { (l.t("Nyckel", "Token")) }
                input id="token" name="token" type="password" autocomplete="current-password"
                    required aria-describedby=[refused.map(|_| "sign-in-error")];
                button type="submit" { (l.t("Logga in", "Sign in")) }
            }
        }
    };
    (
        status,
        layout::page(l, l.t("Logga in", "Sign in"), None, "/", body),
    )
        .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
}

async fn sign_in(
    State(state): State<WebState>,
    lang: Lang,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Form(form): Form<SignInForm>,
) -> Response {
    let token = form.token.trim();
    match state.engine.sign_in(token).await {
        Ok(caller) => {
            let mut r = Redirect::to(layout::home_of(caller.role())).into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, session::session_cookie(token));
            r
        }
        Err(SignInFailure::Rejected(e)) => {
            tracing::info!(reason = %e, "page sign-in refused");
            let ip = peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.0.ip());
            if let Some(wait) = state.sign_ins.failed(ip) {
                return too_many_sign_ins(lang, wait);
            }
            sign_in_page(
                lang,
                Some(lang.t(
                    "Nyckeln gäller inte. Kontrollera den och försök igen.",
                    "That token is not valid. Check it and try again.",
                )),
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(SignInFailure::Fault(e)) => {
            tracing::error!(error = %e, "page sign-in failed");
            sign_in_page(
                lang,
                Some(lang.t(
                    "Inloggningen fungerar inte just nu.",
                    "Signing in does not work right now.",
                )),
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(session: Session, Form(form): Form<CsrfForm>) -> Response {
    if let Some(r) = refuse_form(&session, &form.csrf) {
        return r;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::clear_session_cookie());
    r
}

/// Switches the language and goes back to the page it was chosen on (the `Referer`, which
/// the page's referrer policy sends for this site's links only).
async fn choose_language(Path(code): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Sv);
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    // Only a path on this site: never an open redirect.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| {
            let (authority, path) = rest.split_at(rest.find('/')?);
            (Some(authority) == host).then(|| path.to_owned())
        })
        .filter(|p| !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let mut r = Redirect::to(&back).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::lang_cookie(lang));
    r
}

async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/app.css"))
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct SuggestQuery {
    kind: String,
    q: String,
}

/// Taxonomy suggestions for a field as it is typed: the API's, for the page's script (which
/// cannot send the token itself).
async fn suggest(session: Session, Query(q): Query<SuggestQuery>) -> Response {
    let uri = format!(
        "/v1/taxonomy/suggestions?kind={}&q={}&limit=8",
        layout::urlencode(&q.kind),
        layout::urlencode(&q.q)
    );
    match session.api.get(uri).await {
        Ok(found) => axum::Json(found).into_response(),
        Err(f) => (
            f.status,
            axum::Json(serde_json::json!({"error": {"code": f.code, "message": f.message}})),
        )
            .into_response(),
    }
}
