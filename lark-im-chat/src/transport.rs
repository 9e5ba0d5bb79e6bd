//! Sending a described request: token, HTTP exchange, retries, tracing and decoding of the
//! response envelope.

use crate::auth::{Access, TokenKind};
use crate::client::Shared;
use crate::error::{ApiError, DecodeError, Error, ErrorDetail, Result};
use crate::request::ApiRequest;
use crate::retry;
use crate::secret::Secret;
use crate::token::TokenKey;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// What every generated handle carries: the shared client state and the token kind to send.
#[derive(Clone)]
pub struct Ctx<T: TokenKind> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) auth: T,
}

impl<T: TokenKind> std::fmt::Debug for Ctx<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// The platform's response envelope with `data` left raw, decoded in a second step so a
/// failure can name its JSON path.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    code: i64,
    #[serde(default, borrow)]
    msg: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    data: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

/// The envelope with `data` decoded in the same pass: the fast path of a well-formed response.
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "R: DeserializeOwned"))]
struct TypedEnvelope<R> {
    code: i64,
    #[serde(default)]
    data: Option<R>,
}

/// Codes meaning "this access token is not (or no longer) valid" (reference §1.5).
pub(crate) const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];

const LOG_ID_HEADERS: [&str; 2] = ["x-tt-logid", "x-request-id"];
const MAX_BODY_IN_ERROR: usize = 64 * 1024;

impl<T: TokenKind> Ctx<T> {
    /// Sends a described request and decodes the response `data`, retrying per the client's
    /// [`RetryPolicy`](crate::RetryPolicy).
    ///
    /// A cached tenant token the platform rejects as invalid is evicted, and the call is repeated
    /// once with a fresh one (on top of the policy's attempts).
    pub async fn send<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R> {
        let span = tracing::debug_span!(
            "lark_im_chat.call",
            operation = req.meta.id,
            method = req.meta.method.as_str(),
            attempts = tracing::field::Empty,
        );
        self.send_with_retries(&req, &span)
            .instrument(span.clone())
            .await
    }

    async fn send_with_retries<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        span: &tracing::Span,
    ) -> Result<R> {
        let policy = &self.shared.retry;
        let start = Instant::now();
        let mut attempt = 0u32;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            let attempt_span = tracing::debug_span!(
                "lark_im_chat.attempt",
                operation = req.meta.id,
                attempt,
                status = tracing::field::Empty,
                log_id = tracing::field::Empty,
                code = tracing::field::Empty,
            );
            let result = self
                .send_once(req, &attempt_span)
                .instrument(attempt_span.clone())
                .await;
            let err = match result {
                Ok(data) => return Ok(data),
                Err(e) => e,
            };
            if let Some(code) = err.code() {
                attempt_span.record("code", code);
            }
            if !refreshed_token
                && matches!(err.code(), Some(c) if TOKEN_INVALID_CODES.contains(&c))
                && self.uses_cached_token()
            {
                refreshed_token = true;
                if let Some(key) = self.cache_key() {
                    self.shared.tokens.evict(&key).await;
                }
                tracing::debug!(
                    operation = req.meta.id,
                    "access token rejected; fetching a new one"
                );
                // The token refresh is not one of the policy's attempts.
                attempt -= 1;
                continue;
            }
            match policy.next_delay(req, &err, attempt, start.elapsed()) {
                Some(delay) => {
                    tracing::debug!(
                        operation = req.meta.id,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %err,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => return Err(err),
            }
        }
    }

    fn uses_cached_token(&self) -> bool {
        matches!(self.auth.access(), Access::Tenant { explicit: None, .. })
    }

    fn cache_key(&self) -> Option<TokenKey> {
        match self.auth.access() {
            Access::Tenant {
                tenant_key,
                explicit: None,
            } => Some(self.shared.tenant_key_of(tenant_key).into_owned()),
            _ => None,
        }
    }

    async fn send_once<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        span: &tracing::Span,
    ) -> Result<R> {
        let token = self.token().await?;
        let url = format!("{}{}", self.shared.base_url, req.path_and_query());
        let method = match req.meta.method {
            crate::HttpMethod::Get => reqwest::Method::GET,
            crate::HttpMethod::Post => reqwest::Method::POST,
            crate::HttpMethod::Put => reqwest::Method::PUT,
            crate::HttpMethod::Patch => reqwest::Method::PATCH,
            crate::HttpMethod::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self
            .shared
            .http
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, bearer(&token)?);
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.clone());
        }
        let transport = |source| Error::Transport {
            operation: req.meta.id,
            source,
        };
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let log_id = log_id(resp.headers());
        let retry_after = retry::retry_after(resp.headers());
        span.record("status", status);
        if let Some(id) = &log_id {
            span.record("log_id", id.as_str());
        }
        let bytes = resp.bytes().await.map_err(transport)?;
        decode_response(req.meta.id, status, log_id, &bytes).map_err(|e| match e {
            Error::Api(mut api) => {
                api.retry_after = retry_after;
                api.required_scopes = req.meta.scopes;
                Error::Api(api)
            }
            Error::Decode(mut d) => {
                d.retry_after = retry_after;
                Error::Decode(d)
            }
            other => other,
        })
    }

    async fn token(&self) -> Result<Secret> {
        match self.auth.access() {
            Access::User(token) => Ok(token.clone()),
            Access::Tenant {
                explicit: Some(token),
                ..
            } => Ok(token.clone()),
            Access::Tenant {
                tenant_key,
                explicit: None,
            } => self.shared.tenant_token(tenant_key).await,
        }
    }
}

fn bearer(token: &Secret) -> Result<reqwest::header::HeaderValue> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {}", token.expose()))
        .map_err(|_| Error::Auth("the access token is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

pub(crate) fn log_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    LOG_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Decodes a full response body (`{code, msg, data}`) of an operation into its `data` type.
pub fn decode_response<R: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    log_id: Option<String>,
    body: &[u8],
) -> Result<R> {
    let decode_err = |path: String, message: String, code: Option<i64>, msg: Option<String>| {
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BODY_IN_ERROR)]).into_owned();
        Error::Decode(Box::new(DecodeError {
            operation,
            status,
            code,
            msg,
            log_id: log_id.clone(),
            path,
            message,
            body: text,
            retry_after: None,
        }))
    };
    // Fast path: one pass over a successful response. Anything else (a business error, a body
    // that does not decode) takes the slow path below, which keeps all the evidence.
    if let Ok(TypedEnvelope { code: 0, data }) = serde_json::from_slice::<TypedEnvelope<R>>(body) {
        match data {
            Some(data) => return Ok(data),
            None => {
                if let Ok(empty) = serde_json::from_str::<R>("{}") {
                    return Ok(empty);
                }
            }
        }
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body)
        .map_err(|e| decode_err(String::new(), e.to_string(), None, None))?;
    if envelope.code != 0 {
        return Err(Error::Api(Box::new(ApiError {
            operation,
            status,
            code: envelope.code,
            msg: envelope.msg.into_owned(),
            log_id: log_id
                .clone()
                .or_else(|| envelope.error.as_ref().and_then(|e| e.log_id.clone())),
            detail: envelope.error,
            retry_after: None,
            required_scopes: &[],
        })));
    }
    let data = envelope.data.map_or("{}", |raw| raw.get());
    serde_json::from_str(data).map_err(|_| {
        // Decode again, slowly, only to name the failing path.
        let de = &mut serde_json::Deserializer::from_str(data);
        let (path, message) = match serde_path_to_error::deserialize::<_, R>(de) {
            Err(e) => (format!("data.{}", e.path()), e.into_inner().to_string()),
            Ok(_) => ("data".to_owned(), "inconsistent decode".to_owned()),
        };
        decode_err(
            path,
            message,
            Some(envelope.code),
            Some(envelope.msg.to_string()),
        )
    })
}
