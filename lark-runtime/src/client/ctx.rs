//! The call pipeline every generated handle uses: pick the token, exchange over HTTP, decode the
//! envelope, retry per the policy, evict a rejected token once.

use crate::auth::provider::deadline_after;
use crate::auth::user::is_user_token_rejected;
use crate::auth::{token_rejected, Access, Secret, TokenKey, TokenKind, TokenProvider};
use crate::client::rate_budget::{await_turn, report, RateBudget};
use crate::error::{Error, Result};
use crate::http::{decode_response, ApiRequest, Incoming, Outgoing, RetryPolicy, Transport};
use crate::meta::{ErrorClasses, HttpMethod};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// State shared by every clone of a client and every handle made from it.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) rate_budget: Arc<dyn RateBudget>,
    pub(crate) transport: Arc<Transport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) tokens: Arc<TokenProvider>,
    /// Notes unknown response fields and values, when set.
    pub(crate) drift: Option<crate::drift::DriftLog>,
}

/// What every generated handle carries: the shared client state and the token kind to send.
#[derive(Clone)]
pub struct Ctx<T: TokenKind> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) auth: T,
}

impl<T: TokenKind> std::fmt::Debug for Ctx<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("app_id", &self.shared.tokens.app_id)
            .field("app_type", &self.shared.tokens.app_type)
            .field("base_url", &self.shared.transport.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl<T: TokenKind> Ctx<T> {
    /// Sends a described request and decodes the response `data`, retrying per the client's
    /// [`RetryPolicy`].
    ///
    /// A cached tenant token the platform rejects as invalid is evicted, and the call is repeated
    /// once with a fresh one (on top of the policy's attempts).
    pub async fn send<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R> {
        let span = tracing::debug_span!(
            "lark_runtime.call",
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
        // Waiting for a token fetch counts against the retry budget too.
        let deadline = deadline_after(start, policy.get_total_budget());
        let mut attempt = 0u32;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            await_turn(&*self.shared.rate_budget, req, policy, start).await;
            let attempt_span = tracing::debug_span!(
                "lark_runtime.attempt",
                operation = req.meta.id,
                attempt,
                status = tracing::field::Empty,
                log_id = tracing::field::Empty,
                code = tracing::field::Empty,
            );
            let result = self
                .send_once(req, &attempt_span, deadline, !refreshed_token)
                .instrument(attempt_span.clone())
                .await;
            let err = match result {
                Ok(data) => return Ok(data),
                Err(e) => e,
            };
            if let Some(code) = err.code() {
                attempt_span.record("code", code);
            }
            report(&*self.shared.rate_budget, req, &err).await;
            // A sourced user token was refreshed after the platform rejected it: repeat once.
            if !refreshed_token
                && is_user_token_rejected(&err)
                && matches!(self.auth.access(), Access::UserSource(_))
            {
                refreshed_token = true;
                attempt -= 1;
                continue;
            }
            if !refreshed_token && token_rejected(&err) && self.uses_cached_token() {
                // `send_once` evicted the rejected token.
                refreshed_token = true;
                tracing::debug!(
                    operation = req.meta.id,
                    "access token rejected; fetching a new one"
                );
                // The token refresh is not one of the policy's attempts.
                attempt -= 1;
                continue;
            }
            let next = policy
                .next_delay(req, &err, attempt, start.elapsed())
                .and_then(|delay| self.after_token_failure(delay, start, policy));
            match next {
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

    /// Stretches a retry delay past the time a failed token fetch or refresh is remembered (a retry before
    /// then would get the same failure without asking), if the budget allows.
    fn after_token_failure(
        &self,
        delay: Duration,
        start: Instant,
        policy: &RetryPolicy,
    ) -> Option<Duration> {
        let Some(remaining) = self.token_failure_remaining() else {
            return Some(delay);
        };
        let delay = delay.max(remaining);
        (start.elapsed().saturating_add(delay) <= policy.get_total_budget()).then_some(delay)
    }

    /// How long the failed fetch or refresh of this call's token, if one is remembered, still
    /// answers.
    fn token_failure_remaining(&self) -> Option<Duration> {
        match self.auth.access() {
            Access::UserSource(user) => user.failure_remaining(),
            _ => {
                let key = self.cache_key()?;
                self.shared.tokens.cache.failure_remaining(&key)
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
            } => Some(self.shared.tokens.tenant_key_of(tenant_key).into_owned()),
            _ => None,
        }
    }

    async fn send_once<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        span: &tracing::Span,
        deadline: Instant,
        may_refresh: bool,
    ) -> Result<R> {
        let classes = req.meta.error_classes;
        // Errors of token endpoints are classified by the operation they were fetched for.
        let token = self
            .token(deadline, classes)
            .await
            .map_err(|e| e.classified(classes))?;
        let path_and_query = req.path_and_query();
        let answer = self
            .shared
            .transport
            .exchange(Outgoing {
                operation: req.meta.id,
                method: method_of(req.meta.method),
                path_and_query: &path_and_query,
                bearer: Some(token.expose()),
                body: req.body.clone(),
                span,
            })
            .await?;
        let Incoming {
            status,
            log_id,
            retry_after,
            body,
        } = answer;
        let decoded = decode_response(req.meta.id, status, log_id, &body).map_err(|e| match e {
            Error::Api(mut api) => {
                api.retry_after = retry_after;
                api.required_scopes = req.meta.scopes;
                api.classify(classes);
                Error::Api(api)
            }
            Error::Decode(mut d) => {
                d.retry_after = retry_after;
                Error::Decode(d)
            }
            other => other,
        });
        if let (Ok(_), Some(drift)) = (&decoded, &self.shared.drift) {
            drift.note_response(req.meta.shape, &body);
        }
        if let (Err(e), Access::UserSource(user)) = (&decoded, self.auth.access()) {
            if may_refresh && is_user_token_rejected(e) {
                // Refreshes unless another call already replaced the rejected token.
                user.rejected(&token, deadline, classes).await?;
            }
        }
        let rejected = may_refresh && matches!(&decoded, Err(e) if token_rejected(e));
        if let Some(key) = self.cache_key().filter(|_| rejected) {
            // Only this token: a newer one another call stored meanwhile stays.
            self.shared.tokens.cache.store.evict_if(&key, &token).await;
        }
        decoded
    }

    async fn token(&self, deadline: Instant, classes: &'static ErrorClasses) -> Result<Secret> {
        match self.auth.access() {
            Access::User(token) => Ok(token.clone()),
            Access::UserSource(user) => user.access_token(deadline, classes).await,
            Access::Tenant {
                explicit: Some(token),
                ..
            } => Ok(token.clone()),
            Access::Tenant {
                tenant_key,
                explicit: None,
            } => {
                self.shared
                    .tokens
                    .tenant_token_until(tenant_key, deadline, classes)
                    .await
            }
        }
    }
}

fn method_of(method: HttpMethod) -> reqwest::Method {
    match method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Post => reqwest::Method::POST,
        HttpMethod::Put => reqwest::Method::PUT,
        HttpMethod::Patch => reqwest::Method::PATCH,
        HttpMethod::Delete => reqwest::Method::DELETE,
    }
}
