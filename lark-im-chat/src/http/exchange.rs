//! One HTTP exchange, shared by API calls and token calls: send, then read the status, the log
//! id, the retry hint and the body.

use crate::error::{Error, Result};
use crate::http::retry::retry_after;
use bytes::Bytes;
use std::time::Duration;

/// Headers that carry the platform's request log id, in order of preference.
const LOG_ID_HEADERS: [&str; 2] = ["x-tt-logid", "x-request-id"];

/// Where requests go and how: the HTTP client and the Open Platform base URL.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

/// What goes out.
pub(crate) struct Outgoing<'a> {
    /// Operation id (or token endpoint name), for errors and spans.
    pub(crate) operation: &'static str,
    pub(crate) method: reqwest::Method,
    /// Path and query, appended to the base URL.
    pub(crate) path_and_query: &'a str,
    /// The access token's value, sent as a sensitive `Authorization: Bearer` header.
    pub(crate) bearer: Option<&'a str>,
    /// A JSON body.
    pub(crate) body: Option<Bytes>,
    /// Span that gets the `status` and `log_id` fields.
    pub(crate) span: &'a tracing::Span,
}

/// What came back, before the envelope is judged.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub(crate) status: u16,
    pub(crate) log_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: Bytes,
}

impl Transport {
    /// Sends one request and reads the whole answer. Records `status` and `log_id` on the
    /// request's span.
    pub(crate) async fn exchange(&self, out: Outgoing<'_>) -> Result<Incoming> {
        let transport = |source| Error::Transport {
            operation: out.operation,
            source,
        };
        let url = format!("{}{}", self.base_url, out.path_and_query);
        let mut builder = self.http.request(out.method, url);
        if let Some(token) = out.bearer {
            builder = builder.header(reqwest::header::AUTHORIZATION, bearer(token)?);
        }
        if let Some(body) = out.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body);
        }
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let log_id = log_id(resp.headers());
        let retry_after = retry_after(resp.headers());
        let span = out.span;
        span.record("status", status);
        if let Some(id) = &log_id {
            span.record("log_id", id.as_str());
        }
        let body = resp.bytes().await.map_err(transport)?;
        Ok(Incoming {
            status,
            log_id,
            retry_after,
            body,
        })
    }
}

fn bearer(token: &str) -> Result<reqwest::header::HeaderValue> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {token}"))
        .map_err(|_| Error::Auth("the access token is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

fn log_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    LOG_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
