//! The page's way into the API: every read and action a page makes is a request to the same
//! `/v1` router the JSON clients use, made in-process with the signed-in user's token. So a
//! page can do exactly what its user's token may do, with the same checks, the same errors
//! and the same access log.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt as _;

/// Largest answer a page reads from the API (a CSV of statistics is the largest).
const MAX_ANSWER_BYTES: usize = 32 << 20;

/// The API as one signed-in user.
#[derive(Clone)]
pub struct Api {
    router: Router,
    token: String,
}

/// An API answer that was not a success: its status and the API's code and message.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl Failure {
    /// A refusal the page makes itself, in the API's terms.
    pub fn new(status: StatusCode, code: &str, message: &str) -> Self {
        Failure {
            status,
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }

    fn internal(message: impl Into<String>) -> Self {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            &message.into(),
        )
    }
}

/// A raw answer: content type and body.
pub struct Raw {
    pub content_type: String,
    pub body: axum::body::Bytes,
}

impl Api {
    pub fn new(router: Router, token: String) -> Self {
        Api { router, token }
    }

    pub async fn get(&self, uri: impl Into<String>) -> Result<Value, Failure> {
        self.call(Method::GET, uri, None).await
    }

    /// Several reads at once. When some fail, the failure of the first in the list is the
    /// answer, whichever finished first: a page lists the read that decides whether it may
    /// be shown at all first, so a refusal is reported the same way every time.
    pub async fn get_all<const N: usize>(&self, uris: [String; N]) -> Result<[Value; N], Failure> {
        let answers = futures_util::future::join_all(uris.map(|uri| self.get(uri))).await;
        let values = answers.into_iter().collect::<Result<Vec<_>, _>>()?;
        values
            .try_into()
            .map_err(|_| Failure::internal("an answer went missing"))
    }

    pub async fn post(&self, uri: impl Into<String>, body: &Value) -> Result<Value, Failure> {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub async fn put(&self, uri: impl Into<String>, body: &Value) -> Result<Value, Failure> {
        self.call(Method::PUT, uri, Some(body)).await
    }

    pub async fn patch(&self, uri: impl Into<String>, body: &Value) -> Result<Value, Failure> {
        self.call(Method::PATCH, uri, Some(body)).await
    }

    /// A JSON request; the answer's JSON, or `null` for an empty one.
    pub async fn call(
        &self,
        method: Method,
        uri: impl Into<String>,
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let raw = self.raw(method, uri, body).await?;
        if raw.body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&raw.body).map_err(|e| Failure::internal(e.to_string()))
    }

    /// Any request; the answer as it came, when it is a success.
    pub async fn raw(
        &self,
        method: Method,
        uri: impl Into<String>,
        body: Option<&Value>,
    ) -> Result<Raw, Failure> {
        let uri: String = uri.into();
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(json).map_err(|e| Failure::internal(e.to_string()))?)
            }
            None => Body::empty(),
        };
        let request = request
            .body(body)
            .map_err(|e| Failure::internal(e.to_string()))?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| Failure::internal(e.to_string()))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| Failure::internal(e.to_string()))?;
        if status.is_success() {
            return Ok(Raw { content_type, body });
        }
        let error: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Err(Failure {
            status,
            code: error["error"]["code"]
                .as_str()
                .or(error["code"].as_str())
                .unwrap_or("error")
                .to_owned(),
            message: error["error"]["message"]
                .as_str()
                .or(error["message"].as_str())
                .unwrap_or("the request failed")
                .to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::time::Duration;

    #[tokio::test]
    async fn several_reads_answer_with_the_first_listed_failure_not_the_quickest() {
        let router = Router::new()
            .route(
                "/slow-refusal",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    (
                        StatusCode::FORBIDDEN,
                        r#"{"error":{"code":"forbidden","message":"no"}}"#,
                    )
                }),
            )
            .route(
                "/quick-refusal",
                get(|| async { (StatusCode::BAD_REQUEST, "{}") }),
            )
            .route("/fine", get(|| async { "[1]" }));
        let api = Api::new(router, "token".to_owned());

        let failure = api
            .get_all(["/slow-refusal".to_owned(), "/quick-refusal".to_owned()])
            .await
            .unwrap_err();
        assert_eq!(failure.status, StatusCode::FORBIDDEN);
        assert_eq!(failure.code, "forbidden");

        let [a, b] = api
            .get_all(["/fine".to_owned(), "/fine".to_owned()])
            .await
            .unwrap();
        assert_eq!((a[0].as_i64(), b[0].as_i64()), (Some(1), Some(1)));
    }
}
