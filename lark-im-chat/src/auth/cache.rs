//! The token cache: a [`TokenStore`] plus one in-flight fetch per key.
//!
//! Concurrent callers that find no fresh token wait on one fetch per key (single flight), so a
//! cold start of a thousand calls sends one token request. The single flight is per process.

use crate::auth::store::{use_until, StoredToken, TokenKey, TokenStore};
use crate::auth::Secret;
use crate::error::Result;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The store plus the per-key single-flight locks.
#[derive(Debug)]
pub(crate) struct TokenCache {
    pub(crate) store: Arc<dyn TokenStore>,
    fetch_locks: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl TokenCache {
    pub(crate) fn new(store: Arc<dyn TokenStore>) -> Self {
        Self {
            store,
            fetch_locks: Mutex::default(),
        }
    }

    pub(crate) async fn fresh(&self, key: &TokenKey) -> Option<Secret> {
        self.store
            .get(key)
            .await
            .filter(StoredToken::is_fresh)
            .map(|t| t.value)
    }

    pub(crate) async fn evict(&self, key: &TokenKey) {
        self.store.evict(key).await;
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
        if let Some(token) = self.fresh(key).await {
            return Ok(token);
        }
        let lock = self.fetch_lock(key);
        let _guard = lock.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(token) = self.fresh(key).await {
            return Ok(token);
        }
        let (token, expire) = fetch().await?;
        let stored = StoredToken {
            value: token.clone(),
            use_until: use_until(expire),
        };
        self.store.set(key, stored).await;
        Ok(token)
    }
}
