//! One HTTP exchange, shared by API calls, token calls, uploads and downloads: send, then read
//! the status, the log id and the retry hint ([`Transport::open`]), then the body, which may not
//! exceed the client's body limit ([`Transport::exchange`]; downloads read theirs as a stream).

use crate::error::{Error, Result};
use crate::http::retry::retry_after;
use bytes::Bytes;
use std::time::Duration;

/// Headers that carry the platform's request log id, in order of preference.
const LOG_ID_HEADERS: [&str; 2] = ["x-tt-logid", "x-request-id"];

/// Default largest response body accepted: far above any answer of the chat API (a page of
/// 100 members is about 20 KB), far below what would hurt a process.
pub(crate) const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// Default time limit of one upload or download exchange, body included: a file of the
/// platform's largest size (100 MB) at a slow 200 KB/s.
pub(crate) const DEFAULT_TRANSFER_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(600);

/// Where requests go and how: the HTTP client, the Open Platform base URL and the largest
/// response body accepted.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) max_body: usize,
    /// Time limit of uploads and downloads (in place of the client's `timeout`, which is meant
    /// for small JSON answers); `None` leaves the HTTP client's own.
    pub(crate) transfer_timeout: Option<Duration>,
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
    /// A multipart body (instead of `body`).
    pub(crate) form: Option<reqwest::multipart::Form>,
    /// An upload or a download: the transfer timeout applies, and a body-less request says
    /// `Content-Type: application/json` (the platform sends the file name only then).
    pub(crate) transfer: bool,
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

/// A response whose head has arrived, its body not yet read.
#[derive(Debug)]
pub(crate) struct Opened {
    pub(crate) operation: &'static str,
    pub(crate) status: u16,
    pub(crate) log_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) response: reqwest::Response,
}

impl Transport {
    /// Sends one request and reads the whole answer. Records `status` and `log_id` on the
    /// request's span.
    pub(crate) async fn exchange(&self, out: Outgoing<'_>) -> Result<Incoming> {
        let opened = self.open(out).await?;
        self.read_all(opened).await
    }

    /// Sends one request and waits for the response head. Records `status` and `log_id` on the
    /// request's span.
    pub(crate) async fn open(&self, out: Outgoing<'_>) -> Result<Opened> {
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
        } else if let Some(form) = out.form {
            // Sets `Content-Type: multipart/form-data; boundary=…` and the length when known.
            builder = builder.multipart(form);
        } else if out.transfer {
            builder = builder.header(reqwest::header::CONTENT_TYPE, "application/json");
        }
        if let Some(limit) = self.transfer_timeout.filter(|_| out.transfer) {
            builder = builder.timeout(limit);
        }
        let response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let log_id = log_id(response.headers());
        let retry_after = retry_after(response.headers());
        let span = out.span;
        span.record("status", status);
        if let Some(id) = &log_id {
            span.record("log_id", id.as_str());
        }
        Ok(Opened {
            operation: out.operation,
            status,
            log_id,
            retry_after,
            response,
        })
    }

    /// Reads the whole body of an opened response, within the body limit.
    pub(crate) async fn read_all(&self, opened: Opened) -> Result<Incoming> {
        let Opened {
            operation,
            status,
            log_id,
            retry_after,
            response: resp,
        } = opened;
        let transport = |source| Error::Transport { operation, source };
        let too_large = |declared| Error::BodyTooLarge {
            operation,
            limit: self.max_body,
            status,
            declared,
            log_id: log_id.clone(),
        };
        let declared = resp.content_length();
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return Err(too_large(declared));
        }
        let body = read_body(resp, self.max_body, declared)
            .await
            .map_err(transport)?
            .ok_or_else(|| too_large(None))?;
        Ok(Incoming {
            status,
            log_id,
            retry_after,
            body,
        })
    }
}

/// Reads a body chunk by chunk; `None` as soon as it grows past `limit` (the rest is never read:
/// dropping the response closes the connection). A body in one chunk is not copied.
async fn read_body(
    mut resp: reqwest::Response,
    limit: usize,
    declared: Option<u64>,
) -> Result<Option<Bytes>, reqwest::Error> {
    let Some(first) = resp.chunk().await? else {
        return Ok(Some(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(None);
    }
    let Some(second) = resp.chunk().await? else {
        return Ok(Some(first));
    };
    let hint = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut buf = Vec::with_capacity(hint.min(limit));
    let mut next = Some(second);
    buf.extend_from_slice(&first);
    while let Some(chunk) = next {
        let needed = buf.len().saturating_add(chunk.len());
        if needed > limit {
            return Ok(None);
        }
        if needed > buf.capacity() {
            // Grow by doubling, but never past the limit.
            let target = needed.max(buf.capacity().saturating_mul(2)).min(limit);
            buf.reserve_exact(target - buf.len());
        }
        buf.extend_from_slice(&chunk);
        next = resp.chunk().await?;
    }
    Ok(Some(Bytes::from(buf)))
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
