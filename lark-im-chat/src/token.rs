//! Tenant access tokens: fetched once, cached, refreshed before they expire.
//!
//! Concurrent callers that find no fresh token wait on one fetch per key (single flight), so a cold
//! start of a thousand calls sends one token request.

use crate::error::{Error, Result};
use crate::secret::Secret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Path of the self-built app's tenant token endpoint.
pub(crate) const TENANT_TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// A cached token and when it stops being usable.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: Secret,
    pub(crate) refresh_at: Instant,
}

/// Key of a cached token: the app and, for store apps, the tenant.
pub(crate) type TokenKey = (Box<str>, Option<Box<str>>);

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    tokens: RwLock<HashMap<TokenKey, CachedToken>>,
    fetch_locks: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl TokenCache {
    pub(crate) fn fresh(&self, key: &TokenKey) -> Option<Secret> {
        let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
        tokens
            .get(key)
            .filter(|t| Instant::now() < t.refresh_at)
            .map(|t| t.token.clone())
    }

    pub(crate) fn store(&self, key: TokenKey, token: Secret, expire: Duration) {
        // Refresh early: max(180 s, 10 % of the lifetime) before expiry, never below zero.
        let margin = Duration::from_secs(180).max(expire / 10);
        let refresh_at = Instant::now() + expire.saturating_sub(margin);
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.insert(key, CachedToken { token, refresh_at });
    }

    pub(crate) fn evict(&self, key: &TokenKey) {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.remove(key);
    }

    fn fetch_lock(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.fetch_locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(key.clone()).or_default().clone()
    }

    /// Returns a fresh token, running `fetch` at most once per key at a time.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, key: &TokenKey, fetch: F) -> Result<Secret>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(Secret, Duration)>>,
    {
        if let Some(token) = self.fresh(key) {
            return Ok(token);
        }
        let lock = self.fetch_lock(key);
        let _guard = lock.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(token) = self.fresh(key) {
            return Ok(token);
        }
        let (token, expire) = fetch().await?;
        self.store(key.clone(), token.clone(), expire);
        Ok(token)
    }
}

/// The legacy auth/v3 token response: fields at the top level, not under `data`.
#[derive(serde::Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) code: i64,
    #[serde(default)]
    pub(crate) msg: String,
    #[serde(default)]
    pub(crate) tenant_access_token: Option<String>,
    #[serde(default)]
    pub(crate) expire: Option<u64>,
}

impl TokenResponse {
    pub(crate) fn into_token(
        self,
        status: u16,
        log_id: Option<String>,
    ) -> Result<(Secret, Duration)> {
        match (self.code, self.tenant_access_token, self.expire) {
            (0, Some(token), Some(expire)) => Ok((Secret::new(token), Duration::from_secs(expire))),
            (code, _, _) => Err(Error::Api(Box::new(crate::error::ApiError {
                operation: "auth.tenant_access_token",
                status,
                code,
                msg: self.msg,
                log_id,
                detail: None,
            }))),
        }
    }
}
