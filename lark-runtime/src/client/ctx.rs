//! The call pipeline every generated handle uses: pick the token, exchange over HTTP, decode the
//! envelope, retry per the policy, evict a rejected token once.

use crate::auth::provider::deadline_after;
use crate::auth::user::is_user_token_rejected;
use crate::auth::{token_rejected, Access, Secret, TokenKey, TokenKind};
use crate::client::answer::{Answer, Json};
use crate::client::rate_budget::{await_turn, report};
use crate::client::shared::Shared;
use crate::error::Result;
use crate::http::multipart::Prepared;
use crate::http::{ApiRequest, Download, Outgoing, RetryPolicy};
use crate::meta::{ErrorClasses, HttpMethod};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};
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
    ///
    /// A multipart body ([`ApiRequest::form`]) is measured and checked against its limits
    /// before anything is sent, the token fetch included; one with a reader part is sent at
    /// most once.
    pub async fn send<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R> {
        self.call::<Json<R>>(req, ()).await.map(|j| j.0)
    }

    /// Sends a described request whose success answer is a file, and returns it as a
    /// [`Download`] of at most `max_bytes` bytes once its head has arrived (a declared
    /// `Content-Length` over the limit is refused before any of the body is read). Retries,
    /// tokens and error answers are as for [`send`](Self::send); the body is read by the caller.
    pub async fn download(&self, req: ApiRequest, max_bytes: u64) -> Result<Download> {
        self.call::<Download>(req, max_bytes).await
    }

    async fn call<A: Answer>(&self, req: ApiRequest, params: A::Params) -> Result<A> {
        let span = tracing::debug_span!(
            "lark_runtime.call",
            operation = req.meta.id,
            method = req.meta.method.as_str(),
            attempts = tracing::field::Empty,
        );
        self.send_with_retries(&req, params, &span)
            .instrument(span.clone())
            .await
    }

    async fn send_with_retries<A: Answer>(
        &self,
        req: &ApiRequest,
        params: A::Params,
        span: &tracing::Span,
    ) -> Result<A> {
        // Before any request: every file part measured and within its limit.
        let prepared = match &req.form {
            Some(form) => Some(Prepared::new(form, req.meta.id).await?),
            None => None,
        };
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
            let once = Once {
                req,
                prepared: prepared.as_ref(),
                span: &attempt_span,
                deadline,
                may_refresh: !refreshed_token,
            };
            let result = self
                .send_once::<A>(once, params)
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
            // A reader part already read cannot be sent again, whatever the error.
            if !prepared.as_ref().map_or(true, Prepared::can_send_again) {
                return Err(err);
            }
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

    async fn send_once<A: Answer>(&self, once: Once<'_>, params: A::Params) -> Result<A> {
        let Once {
            req,
            prepared,
            span,
            deadline,
            may_refresh,
        } = once;
        let classes = req.meta.error_classes;
        // Errors of token endpoints are classified by the operation they were fetched for.
        let token = self
            .token(deadline, classes)
            .await
            .map_err(|e| e.classified(classes))?;
        let path_and_query = req.path_and_query();
        let form = prepared.map(Prepared::form).transpose()?;
        let transfer = form.is_some() || A::TRANSFER;
        let opened = self
            .shared
            .transport
            .open(Outgoing {
                operation: req.meta.id,
                method: method_of(req.meta.method),
                path_and_query: &path_and_query,
                bearer: Some(token.expose()),
                body: req.body.clone(),
                form,
                transfer,
                span,
            })
            .await;
        let decoded = match opened {
            Ok(opened) => A::receive(&self.shared, req, opened, params).await,
            Err(e) => Err(e),
        };
        // An upload part cut off while it streamed is the typed error, whatever reqwest said.
        let decoded = decoded.map_err(|e| match prepared {
            Some(p) => p.explain(e),
            None => e,
        });
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

/// One attempt's inputs.
struct Once<'a> {
    req: &'a ApiRequest,
    prepared: Option<&'a Prepared>,
    span: &'a tracing::Span,
    deadline: Instant,
    may_refresh: bool,
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
