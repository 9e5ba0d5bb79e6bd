//! The token cache: a [`TokenStore`] plus one in-flight fetch per key, and a short memory of
//! failed fetches.
//!
//! Concurrent callers that find no fresh token join one fetch per key (single flight): a cold
//! start of a thousand calls sends one token request, and that request's result, success or
//! failure, reaches every caller that joined it. A failure is then remembered for a short time
//! (the negative cache), so a failing endpoint sees a trickle of requests, not a herd. Each
//! caller waits only until its own deadline; the fetch goes on for the others. The single flight
//! is per process.

use crate::auth::flight::{Flights, Run};
use crate::auth::store::{use_until, StoredToken, TokenKey, TokenStore};
use crate::auth::Secret;
use crate::error::Result;
use futures::future::BoxFuture;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The store plus the per-key flights and remembered failures.
pub(crate) struct TokenCache {
    pub(crate) store: Arc<dyn TokenStore>,
    flights: Flights<TokenKey, Secret>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("store", &self.store)
            .field("flights", &self.flights)
            .finish()
    }
}

impl TokenCache {
    /// A cache over `store` that remembers a failed fetch for `failure_ttl` (zero: not at all).
    pub(crate) fn new(store: Arc<dyn TokenStore>, failure_ttl: Duration) -> Self {
        Self {
            store,
            flights: Flights::new(failure_ttl),
        }
    }

    /// How long a failed fetch is remembered (`ClientBuilder::token_failure_cache`).
    pub(crate) fn failure_ttl(&self) -> Duration {
        self.flights.failure_ttl()
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

    /// How long the failure remembered for `key`, if any, still answers for the endpoint.
    pub(crate) fn failure_remaining(&self, key: &TokenKey) -> Option<Duration> {
        self.flights.failure_remaining(key)
    }

    /// Forgets every remembered failure, e.g. when a new `app_ticket` makes them stale.
    pub(crate) fn forget_failures(&self) {
        self.flights.forget_failures();
    }

    /// Keys with a fetch in flight or a failure remembered (dead entries are pruned whenever a
    /// fetch starts).
    #[cfg(test)]
    pub(crate) fn slot_count(&self) -> usize {
        self.flights.len()
    }

    /// Returns a fresh token: from the store, from the fetch in flight for `key`, from the
    /// failure remembered for it, or from a new fetch made with `fetch`. Waits until `deadline`
    /// at most.
    pub(crate) async fn get_or_fetch<F>(
        &self,
        key: &TokenKey,
        deadline: Instant,
        fetch: F,
    ) -> Result<Secret>
    where
        F: FnOnce() -> BoxFuture<'static, Result<(Secret, Duration)>>,
    {
        if let Some(token) = self.fresh(key).await {
            return Ok(token);
        }
        let what = format!("{} fetch", key.kind.as_str());
        let store = self.store.clone();
        let owned = key.clone();
        self.flights
            .run(key, deadline, Run::WithCallers, &what, move || {
                Box::pin(fetch_and_store(store, owned, fetch()))
            })
            .await
    }
}

/// One fetch for `key`, whose token is stored before any caller gets it.
async fn fetch_and_store(
    store: Arc<dyn TokenStore>,
    key: TokenKey,
    fetch: BoxFuture<'static, Result<(Secret, Duration)>>,
) -> Result<Secret> {
    // A flight that ended just before this one started may have stored a token.
    if let Some(token) = store.get(&key).await.filter(StoredToken::is_fresh) {
        return Ok(token.value);
    }
    let (token, lifetime) = fetch.await?;
    let stored = StoredToken {
        value: token.clone(),
        use_until: use_until(lifetime),
    };
    store.set(&key, stored).await;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use crate::meta::AppType;
    use crate::Client;
    use serde_json::json;
    use std::time::Duration;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    /// The store app's token endpoints: an app token, and tenant tokens for tenants named
    /// `ok-…` (503 for the others).
    struct StoreTokens;

    impl Respond for StoreTokens {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let answer = match (request.url.path(), body["tenant_key"].as_str()) {
                ("/open-apis/auth/v3/app_access_token", _) => {
                    json!({"code": 0, "app_access_token": "a-app", "expire": 7200})
                }
                (_, Some(t)) if t.starts_with("ok-") => {
                    json!({"code": 0, "tenant_access_token": format!("t-{t}"), "expire": 7200})
                }
                _ => return ResponseTemplate::new(503),
            };
            ResponseTemplate::new(200).set_body_json(answer)
        }
    }

    #[tokio::test]
    async fn the_slot_map_does_not_grow_with_the_number_of_tenants() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(StoreTokens)
            .mount(&server)
            .await;
        let client = Client::builder("cli_store", "store-secret")
            .app_type(AppType::Store)
            .app_ticket("ticket")
            .base_url(server.uri())
            .token_failure_cache(Duration::from_millis(100))
            .build()
            .expect("client");
        let cache = &client.ctx().shared.tokens.cache;
        // Before, every tenant left a lock behind for good.
        for i in 0..300 {
            let token = client.tenant_access_token(Some(&format!("ok-{i}"))).await;
            assert!(token.is_ok(), "{token:?}");
        }
        assert_eq!(cache.slot_count(), 0);
        // Failures are remembered for their time only, then pruned.
        for i in 0..50 {
            let failed = client.tenant_access_token(Some(&format!("bad-{i}"))).await;
            assert!(failed.is_err());
        }
        assert_eq!(cache.slot_count(), 50);
        tokio::time::sleep(Duration::from_millis(150)).await;
        let token = client.tenant_access_token(Some("ok-new")).await;
        assert!(token.is_ok(), "{token:?}");
        assert_eq!(cache.slot_count(), 0);
    }
}
