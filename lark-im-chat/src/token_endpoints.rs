//! The auth/v3 token endpoints: the self-built tenant token, and the store-app flow from
//! app ticket to app token to one tenant token per tenant.

use crate::client::Shared;
use crate::error::{ApiError, DecodeError, Error, Result};
use crate::metadata::AppType;
use crate::retry;
use crate::secret::Secret;
use crate::token::{
    CachedTokenKind, StoredToken, TokenKey, TokenResponse, APP_TICKET_RESEND_PATH,
    STORE_APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH, TENANT_TOKEN_PATH,
};
use crate::transport::{log_id, TOKEN_INVALID_CODES};
use std::borrow::Cow;
use std::time::{Duration, SystemTime};
use tracing::Instrument;

/// How long a pushed app ticket is kept (the platform pushes a new one every hour).
const APP_TICKET_TTL: Duration = Duration::from_secs(12 * 3600);

/// A token endpoint's answer, before it is judged.
struct TokenAnswer {
    status: u16,
    log_id: Option<String>,
    retry_after: Option<Duration>,
    body: TokenResponse,
}

impl Shared {
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
            use_until: SystemTime::now() + APP_TICKET_TTL,
        };
        self.tokens.store.set(&self.ticket_key(), stored).await;
    }

    pub(crate) async fn tenant_token(&self, tenant_key: Option<&str>) -> Result<Secret> {
        let key = self.tenant_key_of(tenant_key);
        // Hot path first; the fetch (a much larger future) is boxed so that every call's future
        // stays small.
        if let Some(token) = self.tokens.fresh(&key).await {
            return Ok(token);
        }
        Box::pin(self.fetch_tenant_token(key, tenant_key)).await
    }

    pub(crate) async fn fetch_tenant_token(
        &self,
        key: Cow<'_, TokenKey>,
        tenant_key: Option<&str>,
    ) -> Result<Secret> {
        match self.app_type {
            AppType::Custom => {
                self.tokens
                    .get_or_fetch(&key, || self.fetch_custom_tenant_token())
                    .await
            }
            AppType::Store => {
                let Some(tenant) = tenant_key else {
                    return Err(Error::Config(
                        "a store app calls in a tenant: use client.for_tenant(tenant_key)".into(),
                    ));
                };
                self.tokens
                    .get_or_fetch(&key, || self.fetch_store_tenant_token(tenant))
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
        let answer = self.post_token(OP, TENANT_TOKEN_PATH, &body).await?;
        answer.body.into_token(
            OP,
            CachedTokenKind::TenantAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        )
    }

    pub(crate) async fn fetch_store_tenant_token(
        &self,
        tenant_key: &str,
    ) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.store_tenant_access_token";
        let mut refreshed = false;
        loop {
            let app_token = self.app_token().await?;
            let body = serde_json::json!({
                "app_access_token": app_token.expose(),
                "tenant_key": tenant_key,
            });
            let answer = self.post_token(OP, STORE_TENANT_TOKEN_PATH, &body).await?;
            match answer.body.into_token(
                OP,
                CachedTokenKind::TenantAccessToken,
                answer.status,
                answer.log_id,
                answer.retry_after,
            ) {
                Err(e)
                    if !refreshed
                        && matches!(e.code(), Some(c) if TOKEN_INVALID_CODES.contains(&c)) =>
                {
                    refreshed = true;
                    self.tokens.evict(&self.app_token_key()).await;
                }
                other => return other,
            }
        }
    }

    pub(crate) async fn app_token(&self) -> Result<Secret> {
        let key = self.app_token_key();
        self.tokens
            .get_or_fetch(&key, || self.fetch_store_app_token())
            .await
    }

    pub(crate) async fn fetch_store_app_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.app_access_token";
        let ticket_key = self.ticket_key();
        let ticket = match self.tokens.fresh(&ticket_key).await {
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
        let answer = self.post_token(OP, STORE_APP_TOKEN_PATH, &body).await?;
        let result = answer.body.into_token(
            OP,
            CachedTokenKind::AppAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        );
        if matches!(&result, Err(e) if e.code() == Some(10012)) {
            // The ticket is invalid: drop it and ask for a new one.
            self.tokens.evict(&ticket_key).await;
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
        let answer = self.post_token(OP, APP_TICKET_RESEND_PATH, &body).await?;
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
            }))),
        }
    }

    /// Posts to an auth/v3 endpoint. Neither the request nor the response body is ever kept
    /// in an error or a log: both hold secrets.
    async fn post_token(
        &self,
        operation: &'static str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<TokenAnswer> {
        let span = tracing::debug_span!(
            "lark_im_chat.token",
            operation,
            status = tracing::field::Empty,
            log_id = tracing::field::Empty
        );
        let record = span.clone();
        async move {
            let transport = |source| Error::Transport { operation, source };
            let payload = serde_json::to_vec(body)
                .map_err(|e| Error::Auth(format!("cannot encode the token request: {e}")))?;
            let resp = self
                .http
                .post(format!("{}{}", self.base_url, path))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(payload)
                .send()
                .await
                .map_err(transport)?;
            let status = resp.status().as_u16();
            let log_id = log_id(resp.headers());
            let retry_after = retry::retry_after(resp.headers());
            record.record("status", status);
            if let Some(id) = &log_id {
                record.record("log_id", id.as_str());
            }
            let bytes = resp.bytes().await.map_err(transport)?;
            let body: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Decode(Box::new(DecodeError {
                    operation,
                    status,
                    code: None,
                    msg: None,
                    log_id: log_id.clone(),
                    path: String::new(),
                    message: e.to_string(),
                    // The body may hold a token: never keep it.
                    body: String::new(),
                    retry_after,
                }))
            })?;
            Ok(TokenAnswer {
                status,
                log_id,
                retry_after,
                body,
            })
        }
        .instrument(span)
        .await
    }
}
