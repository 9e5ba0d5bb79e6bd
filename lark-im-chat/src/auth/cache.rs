//! The token cache: a [`TokenStore`] plus one in-flight fetch per key, and a short memory of
//! failed fetches.
//!
//! Concurrent callers that find no fresh token join one fetch per key (single flight): a cold
//! start of a thousand calls sends one token request, and that request's result, success or
//! failure, reaches every caller that joined it. A failure is then remembered for a short time
//! (the negative cache), so a failing endpoint sees a trickle of requests, not a herd. Each
//! caller waits only until its own deadline; the fetch goes on for the others. The single flight
//! is per process.

use crate::auth::store::{use_until, StoredToken, TokenKey, TokenStore};
use crate::auth::Secret;
use crate::error::{Error, Result};
use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Default time a failed fetch is remembered.
pub(crate) const DEFAULT_FAILURE_TTL: Duration = Duration::from_secs(1);

/// Most remembered failures at once: beyond it a failure is not remembered (its key still has
/// single flight), so a flood of failing tenants cannot grow the map without bound.
const MAX_FAILURES: usize = 4096;

/// What one fetch hands to every caller that joined it.
type Outcome = Result<Secret, Arc<Error>>;
type Flight = BoxFuture<'static, Outcome>;

/// Per key: the fetch in flight, or the failure being remembered.
enum Slot {
    /// Held weakly: when every caller waiting for it is gone, the fetch is dropped with them.
    InFlight {
        id: u64,
        flight: WeakShared<Flight>,
    },
    Failed {
        error: Arc<Error>,
        until: Instant,
    },
}

impl Slot {
    fn is_live(&self, now: Instant) -> bool {
        match self {
            Self::InFlight { flight, .. } => flight.upgrade().is_some(),
            Self::Failed { until, .. } => *until > now,
        }
    }
}

type Slots = Arc<Mutex<HashMap<TokenKey, Slot>>>;

fn lock(slots: &Slots) -> MutexGuard<'_, HashMap<TokenKey, Slot>> {
    slots.lock().unwrap_or_else(|e| e.into_inner())
}

/// The store plus the per-key flights and remembered failures.
pub(crate) struct TokenCache {
    pub(crate) store: Arc<dyn TokenStore>,
    slots: Slots,
    next_id: AtomicU64,
    failure_ttl: Duration,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("store", &self.store)
            .field("slots", &lock(&self.slots).len())
            .field("failure_ttl", &self.failure_ttl)
            .finish()
    }
}

impl TokenCache {
    /// A cache over `store` that remembers a failed fetch for `failure_ttl` (zero: not at all).
    pub(crate) fn new(store: Arc<dyn TokenStore>, failure_ttl: Duration) -> Self {
        Self {
            store,
            slots: Arc::default(),
            next_id: AtomicU64::new(0),
            failure_ttl,
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

    /// How long the failure remembered for `key`, if any, still answers for the endpoint.
    pub(crate) fn failure_remaining(&self, key: &TokenKey) -> Option<Duration> {
        match lock(&self.slots).get(key) {
            Some(Slot::Failed { until, .. }) => {
                Some(until.saturating_duration_since(Instant::now())).filter(|d| !d.is_zero())
            }
            _ => None,
        }
    }

    /// Forgets every remembered failure, e.g. when a new `app_ticket` makes them stale.
    pub(crate) fn forget_failures(&self) {
        lock(&self.slots).retain(|_, slot| matches!(slot, Slot::InFlight { .. }));
    }

    /// Keys with a fetch in flight or a failure remembered (dead entries are pruned whenever a
    /// fetch starts).
    #[cfg(test)]
    pub(crate) fn slot_count(&self) -> usize {
        lock(&self.slots).len()
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
        let flight = self.join_or_start(key, fetch)?;
        match tokio::time::timeout_at(deadline.into(), flight).await {
            Ok(Ok(token)) => Ok(token),
            Ok(Err(shared)) => Err(Error::copy_shared(&shared)),
            Err(_) => Err(Error::Auth(format!(
                "gave up waiting for the {} fetch: the call's time budget is spent",
                key.kind.as_str()
            ))),
        }
    }

    /// The flight to wait for: the one in progress for `key`, or a new one. Fails at once with
    /// the remembered failure, if there is one.
    fn join_or_start<F>(&self, key: &TokenKey, fetch: F) -> Result<Shared<Flight>>
    where
        F: FnOnce() -> BoxFuture<'static, Result<(Secret, Duration)>>,
    {
        let now = Instant::now();
        let mut slots = lock(&self.slots);
        match slots.get(key) {
            Some(Slot::Failed { error, until }) if *until > now => {
                return Err(Error::copy_shared(error));
            }
            Some(Slot::InFlight { flight, .. }) => {
                if let Some(flight) = flight.upgrade() {
                    return Ok(flight);
                }
            }
            _ => {}
        }
        slots.retain(|_, slot| slot.is_live(now));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let flight = self.flight(key.clone(), id, fetch()).shared();
        if let Some(weak) = flight.downgrade() {
            slots.insert(key.clone(), Slot::InFlight { id, flight: weak });
        }
        Ok(flight)
    }

    /// One fetch for `key`: stores the token it gets, and settles the key's slot before any
    /// caller sees the outcome.
    fn flight(
        &self,
        key: TokenKey,
        id: u64,
        fetch: BoxFuture<'static, Result<(Secret, Duration)>>,
    ) -> Flight {
        let store = self.store.clone();
        let slots = self.slots.clone();
        let failure_ttl = self.failure_ttl;
        Box::pin(async move {
            // A flight that ended just before this one started may have stored a token.
            let stored = store.get(&key).await.filter(StoredToken::is_fresh);
            let outcome = match stored {
                Some(token) => Ok(token.value),
                None => match fetch.await {
                    Ok((token, lifetime)) => {
                        let stored = StoredToken {
                            value: token.clone(),
                            use_until: use_until(lifetime),
                        };
                        store.set(&key, stored).await;
                        Ok(token)
                    }
                    Err(e) => Err(Arc::new(e)),
                },
            };
            settle(&slots, &key, id, &outcome, failure_ttl);
            outcome
        })
    }
}

/// Ends flight `id` of `key`: its slot is removed, or replaced by the failure to remember.
fn settle(slots: &Slots, key: &TokenKey, id: u64, outcome: &Outcome, failure_ttl: Duration) {
    let mut slots = lock(slots);
    if !matches!(slots.get(key), Some(Slot::InFlight { id: current, .. }) if *current == id) {
        return;
    }
    let until = Instant::now().checked_add(failure_ttl);
    match (outcome, until) {
        (Err(error), Some(until)) if !failure_ttl.is_zero() && slots.len() <= MAX_FAILURES => {
            slots.insert(
                key.clone(),
                Slot::Failed {
                    error: error.clone(),
                    until,
                },
            );
        }
        _ => {
            slots.remove(key);
        }
    }
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
