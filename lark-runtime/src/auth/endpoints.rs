//! The auth/v3 token endpoints: their paths and their answer.

use crate::auth::store::CachedTokenKind;
use crate::auth::Secret;
use crate::error::{ApiError, DecodeError, Error, Result};
use crate::http::{Outgoing, Transport};
use std::time::Duration;
use tracing::Instrument;

/// Path of the self-built app's tenant token endpoint.
pub(crate) const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
/// Path of the store app's app token endpoint (takes the `app_ticket`).
pub(crate) const STORE_APP_TOKEN_PATH: &str = "/open-apis/auth/v3/app_access_token";
/// Path of the store app's tenant token endpoint (takes the app token and a `tenant_key`).
pub(crate) const STORE_TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token";
/// Path asking the platform to push a new `app_ticket` event.
pub(crate) const APP_TICKET_RESEND_PATH: &str = "/open-apis/auth/v3/app_ticket/resend";

/// Longest token lifetime believed (the platform's tokens last 2 h): a larger `expire` is cut
/// to this, so no answer can make the client keep a token for years or overflow a clock.
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The legacy auth/v3 token response: fields at the top level, not under `data`.
#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) code: i64,
    #[serde(default)]
    pub(crate) msg: String,
    #[serde(default)]
    pub(crate) tenant_access_token: Option<Secret>,
    #[serde(default)]
    pub(crate) app_access_token: Option<Secret>,
    /// Seconds the token has left. Kept raw: a number of any size or sign, or a numeric
    /// string, is judged by [`lifetime`] instead of failing the whole answer.
    #[serde(default)]
    pub(crate) expire: Option<serde_json::Value>,
}

/// The lifetime an `expire` value means, clamped to `0..=`[`MAX_TOKEN_LIFETIME`]; `None` when it
/// is not a number of seconds at all (negative, text, …).
pub(crate) fn lifetime(expire: &serde_json::Value) -> Option<Duration> {
    lifetime_within(expire, MAX_TOKEN_LIFETIME)
}

/// The lifetime a number of seconds (or a numeric string) means, clamped to `0..=max`; `None`
/// when it is negative or not a number.
pub(crate) fn lifetime_within(seconds: &serde_json::Value, max: Duration) -> Option<Duration> {
    let seconds = match seconds {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }?;
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs_f64(seconds.min(max.as_secs_f64())))
}

impl TokenResponse {
    /// The token of the wanted kind, or the platform's refusal as an [`Error::Api`].
    pub(crate) fn into_token(
        self,
        operation: &'static str,
        kind: CachedTokenKind,
        status: u16,
        log_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Result<(Secret, Duration)> {
        let token = match kind {
            CachedTokenKind::AppAccessToken => self.app_access_token,
            _ => self.tenant_access_token,
        };
        match (self.code, token, self.expire) {
            (0, Some(token), Some(expire)) => match lifetime(&expire) {
                Some(lifetime) => Ok((token, lifetime)),
                None => Err(Error::Decode(Box::new(DecodeError {
                    operation,
                    status,
                    code: Some(0),
                    msg: Some(self.msg),
                    log_id,
                    path: "expire".to_owned(),
                    message: format!(
                        "expected a non-negative number of seconds, got {}",
                        expire.to_string().chars().take(64).collect::<String>()
                    ),
                    // The body holds the token: never keep it.
                    body: String::new(),
                    retry_after,
                }))),
            },
            (code, _, _) => Err(Error::Api(Box::new(ApiError {
                operation,
                status,
                code,
                msg: if code == 0 {
                    format!("token missing in the response ({})", self.msg)
                } else {
                    self.msg
                },
                log_id,
                detail: None,
                retry_after,
                required_scopes: &[],
                class: None,
            }))),
        }
    }
}

/// A token endpoint's answer, before it is judged.
pub(crate) struct TokenAnswer<B = TokenResponse> {
    pub(crate) status: u16,
    pub(crate) log_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: B,
}

/// Posts to an auth/v3 endpoint. Neither the request nor the response body is ever kept in an
/// error or a log: both hold secrets.
pub(crate) async fn post(
    transport: &Transport,
    operation: &'static str,
    path: &str,
    body: &serde_json::Value,
) -> Result<TokenAnswer> {
    post_json(transport, operation, path, body).await
}

/// Posts JSON to a token endpoint and reads its answer as `B`, keeping neither body anywhere.
pub(crate) async fn post_json<B: serde::de::DeserializeOwned>(
    transport: &Transport,
    operation: &'static str,
    path: &str,
    body: &serde_json::Value,
) -> Result<TokenAnswer<B>> {
    let span = tracing::debug_span!(
        "lark_runtime.token",
        operation,
        status = tracing::field::Empty,
        log_id = tracing::field::Empty
    );
    let record = span.clone();
    async move {
        let payload = serde_json::to_vec(body)
            .map_err(|e| Error::Auth(format!("cannot encode the token request: {e}")))?;
        let answer = transport
            .exchange(Outgoing {
                operation,
                method: reqwest::Method::POST,
                path_and_query: path,
                bearer: None,
                body: Some(payload.into()),
                form: None,
                transfer: false,
                span: &record,
            })
            .await?;
        let body: B = serde_json::from_slice(&answer.body).map_err(|e| {
            Error::Decode(Box::new(DecodeError {
                operation,
                status: answer.status,
                code: None,
                msg: None,
                log_id: answer.log_id.clone(),
                path: String::new(),
                message: e.to_string(),
                // The body may hold a token: never keep it.
                body: String::new(),
                retry_after: answer.retry_after,
            }))
        })?;
        Ok(TokenAnswer {
            status: answer.status,
            log_id: answer.log_id,
            retry_after: answer.retry_after,
            body,
        })
    }
    .instrument(span)
    .await
}
