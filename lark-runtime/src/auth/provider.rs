//! The token provider: which token a call needs, from the cache or from the auth/v3 endpoints —
//! the self-built tenant token, and the store-app flow from app ticket to app token to one tenant
//! token per tenant.

use crate::auth::cache::TokenCache;
use crate::auth::endpoints::{
    post, APP_TICKET_RESEND_PATH, STORE_APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH, TENANT_TOKEN_PATH,
};
use crate::auth::store::{valid_until, CachedTokenKind, StoredToken, TokenKey};
use crate::auth::{token_rejected, Secret};
use crate::error::{ApiError, Error, Result};
use crate::http::Transport;
use crate::meta::{AppType, ErrorClasses};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a pushed app ticket is kept (the platform pushes a new one every hour).
const APP_TICKET_TTL: Duration = Duration::from_secs(12 * 3600);

/// Everything needed to obtain the app's tokens.
#[derive(Debug)]
pub(crate) struct TokenProvider {
    pub(crate) transport: Arc<Transport>,
    pub(crate) app_id: String,
    pub(crate) app_secret: Secret,
    pub(crate) app_type: AppType,
    pub(crate) cache: TokenCache,
    /// Key of the tenant token of a self-built app (or of a store app called without tenant).
    pub(crate) default_tenant_key: TokenKey,
    /// The `app_ticket` given to the builder, used when the store holds none.
    pub(crate) app_ticket_seed: std::sync::Mutex<Option<Secret>>,
    /// Longest wait for a token when the caller names no deadline (the retry policy's total
    /// budget).
    pub(crate) max_wait: Duration,
}

/// `now + wait`, or a year from now if `wait` is too large for the clock.
pub(crate) fn deadline_after(start: Instant, wait: Duration) -> Instant {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    start
        .checked_add(wait)
        .or_else(|| start.checked_add(YEAR))
        .unwrap_or(start)
}

impl TokenProvider {
    pub(crate) fn ticket_key(&self) -> TokenKey {
        TokenKey::new(CachedTokenKind::AppTicket, self.app_id.as_str(), None)
    }

    pub(crate) fn app_token_key(&self) -> TokenKey {
        TokenKey::new(CachedTokenKind::AppAccessToken, self.app_id.as_str(), None)
    }

    /// Self-built apps have one tenant: their key ignores `tenant_key`. The key without tenant
    /// is made once per client, not per call.
    pub(crate) fn tenant_key_of(&self, tenant_key: Option<&str>) -> Cow<'_, TokenKey> {
        match (self.app_type, tenant_key) {
            (AppType::Store, Some(tenant)) => Cow::Owned(TokenKey::new(
                CachedTokenKind::TenantAccessToken,
                self.app_id.as_str(),
                Some(tenant.to_owned()),
            )),
            _ => Cow::Borrowed(&self.default_tenant_key),
        }
    }

    pub(crate) async fn set_app_ticket(&self, ticket: Secret) {
        let stored = StoredToken {
            value: ticket,
            use_until: valid_until(APP_TICKET_TTL),
        };
        self.cache.store.set(&self.ticket_key(), stored).await;
        // Failures remembered so far may have been for want of this ticket.
        self.cache.forget_failures();
    }

    /// The tenant token, waiting at most the client's retry budget for a fetch (outside any
    /// operation: token endpoint codes have no family to classify them).
    pub(crate) async fn tenant_token(self: &Arc<Self>, tenant_key: Option<&str>) -> Result<Secret> {
        let deadline = deadline_after(Instant::now(), self.max_wait);
        self.tenant_token_until(tenant_key, deadline, &ErrorClasses::NONE)
            .await
    }

    /// The tenant token, waiting until `deadline` at most for a fetch; `classes` (of the
    /// operation it is fetched for) tell a rejected app token.
    pub(crate) async fn tenant_token_until(
        self: &Arc<Self>,
        tenant_key: Option<&str>,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        let key = self.tenant_key_of(tenant_key);
        // Hot path first; the fetch (a much larger future) is boxed so that every call's future
        // stays small.
        if let Some(token) = self.cache.fresh(&key).await {
            return Ok(token);
        }
        Box::pin(self.fetch_tenant_token(key, tenant_key, deadline, classes)).await
    }

    async fn fetch_tenant_token(
        self: &Arc<Self>,
        key: Cow<'_, TokenKey>,
        tenant_key: Option<&str>,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        let this = Arc::clone(self);
        match self.app_type {
            AppType::Custom => {
                self.cache
                    .get_or_fetch(&key, deadline, move || {
                        Box::pin(async move { this.fetch_custom_tenant_token().await })
                    })
                    .await
            }
            AppType::Store => {
                let Some(tenant) = tenant_key.map(str::to_owned) else {
                    return Err(Error::Config(
                        "a store app calls in a tenant: use client.for_tenant(tenant_key)".into(),
                    ));
                };
                self.cache
                    .get_or_fetch(&key, deadline, move || {
                        Box::pin(
                            async move { this.fetch_store_tenant_token(&tenant, classes).await },
                        )
                    })
                    .await
            }
        }
    }

    pub(crate) async fn fetch_custom_tenant_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.tenant_access_token";
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
        });
        let answer = post(&self.transport, OP, TENANT_TOKEN_PATH, &body).await?;
        answer.body.into_token(
            OP,
            CachedTokenKind::TenantAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        )
    }

    pub(crate) async fn fetch_store_tenant_token(
        self: &Arc<Self>,
        tenant_key: &str,
        classes: &'static ErrorClasses,
    ) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.store_tenant_access_token";
        let mut refreshed = false;
        loop {
            let app_token = self.app_token().await?;
            let body = serde_json::json!({
                "app_access_token": app_token.expose(),
                "tenant_key": tenant_key,
            });
            let answer = post(&self.transport, OP, STORE_TENANT_TOKEN_PATH, &body).await?;
            // Classified here, not only by the caller: a rejected app token is fetched again.
            let token = answer
                .body
                .into_token(
                    OP,
                    CachedTokenKind::TenantAccessToken,
                    answer.status,
                    answer.log_id,
                    answer.retry_after,
                )
                .map_err(|e| e.classified(classes));
            match token {
                Err(e) if !refreshed && token_rejected(&e) => {
                    refreshed = true;
                    self.cache.evict(&self.app_token_key()).await;
                }
                other => return other,
            }
        }
    }

    pub(crate) async fn app_token(self: &Arc<Self>) -> Result<Secret> {
        let key = self.app_token_key();
        let this = Arc::clone(self);
        let deadline = deadline_after(Instant::now(), self.max_wait);
        self.cache
            .get_or_fetch(&key, deadline, move || {
                Box::pin(async move { this.fetch_store_app_token().await })
            })
            .await
    }

    pub(crate) async fn fetch_store_app_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.app_access_token";
        let ticket_key = self.ticket_key();
        let ticket = match self.cache.fresh(&ticket_key).await {
            Some(t) => Some(t),
            None => self
                .app_ticket_seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        };
        let Some(ticket) = ticket else {
            // Best effort: the ticket arrives later as an event.
            let resent = self.resend_app_ticket().await;
            return Err(Error::Auth(format!(
                "no app_ticket yet for this store app; {} — pass the next app_ticket event to \
                 Client::set_app_ticket and call again",
                match resent {
                    Ok(()) => "asked the platform to push one".to_owned(),
                    Err(e) => format!("asking the platform to push one failed: {e}"),
                }
            )));
        };
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
            "app_ticket": ticket.expose(),
        });
        let answer = post(&self.transport, OP, STORE_APP_TOKEN_PATH, &body).await?;
        let result = answer.body.into_token(
            OP,
            CachedTokenKind::AppAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        );
        if matches!(&result, Err(e) if e.code() == Some(10012)) {
            // The ticket is invalid: drop it and ask for a new one.
            self.cache.evict(&ticket_key).await;
            self.app_ticket_seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            let _ = self.resend_app_ticket().await;
        }
        result
    }

    pub(crate) async fn resend_app_ticket(&self) -> Result<()> {
        const OP: &str = "auth.app_ticket_resend";
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
        });
        let answer = post(&self.transport, OP, APP_TICKET_RESEND_PATH, &body).await?;
        match answer.body.code {
            0 => Ok(()),
            code => Err(Error::Api(Box::new(ApiError {
                operation: OP,
                status: answer.status,
                code,
                msg: answer.body.msg,
                log_id: answer.log_id,
                detail: None,
                retry_after: answer.retry_after,
                required_scopes: &[],
                class: None,
            }))),
        }
    }
}
