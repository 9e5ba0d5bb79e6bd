//! [`RedisTokenStore`]: tokens shared by replicas, with a local cache in front and one fetch
//! for all of them.

use super::scripts::{TOKEN_EVICT_IF, TOKEN_GET_OR_LOCK, TOKEN_SET};
use super::{owner_id, secret_tag, KeyKind, RedisConnection};
use crate::auth::{CachedTokenKind, Secret, StoredToken, TokenKey, TokenStore};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Default longest wait for another replica's token fetch.
pub const DEFAULT_FETCH_WAIT: Duration = Duration::from_secs(3);
/// Default lifetime of the fetch lock (a fetcher that died frees it after this).
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(10);
/// Default number of tokens kept in the local cache.
pub const DEFAULT_LOCAL_CAPACITY: usize = 4096;

/// First and longest pause between two looks at Redis while another replica fetches.
const POLL_FIRST: Duration = Duration::from_millis(10);
const POLL_MAX: Duration = Duration::from_millis(100);

/// A [`TokenStore`] shared through Redis by every replica of one app.
///
/// - **Local cache first**: a fresh token held locally is returned without any round trip;
///   Redis is read on a local miss (one round trip when the token is there).
/// - **One fetch for all replicas**: on a miss in Redis too, a short Redis lock (`SET NX PX`)
///   elects one fetcher; `get` returns `None` to it alone, and the client fetches and
///   [`set`](TokenStore::set)s, which also releases the lock. Every other replica waits, looking
///   again every 10–100 ms, up to the [fetch wait](Self::fetch_wait) (default 3 s), then fetches
///   locally. A fetcher that dies frees the lock after its [lifetime](Self::lock_ttl)
///   (default 10 s).
/// - **Compare-and-delete eviction**: [`evict_if`](TokenStore::evict_if), called by the client
///   after the platform rejected a token, deletes the shared entry only if it still holds that
///   token (atomic, in Lua); a fresh token written by another replica survives, and so does one
///   this process fetched while older calls were still being rejected.
/// - **Redis down**: `get` answers from the local cache or `None` (the client fetches
///   locally), `set` and `evict` act locally; see the [module](super) for the one warning and the
///   recovery.
///
/// Keys carry the app id and a hash of the app secret (two apps with one id but different
/// secrets never share tokens), the token kind and the tenant. The Redis entry expires at the
/// token's [`use_until`](StoredToken::use_until) (already before the platform's expiry by the
/// refresh margin). Make one store per app: the secret it hashes must be the client's.
///
/// ```no_run
/// use lark_runtime::redis::{RedisConnection, RedisTokenStore};
/// use lark_runtime::Client;
/// use std::sync::Arc;
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .token_store(Arc::new(RedisTokenStore::new(&redis, "app-secret")))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub struct RedisTokenStore {
    redis: RedisConnection,
    /// 16 hex digits of SHA-256 of the app secret.
    secret_tag: String,
    /// Value of this store's fetch locks.
    owner: String,
    local: RwLock<HashMap<TokenKey, StoredToken>>,
    /// One Redis look-up per key at a time in this process; the others wait for its answer.
    lookups: Mutex<HashMap<TokenKey, Arc<tokio::sync::Mutex<()>>>>,
    local_capacity: usize,
    fetch_wait: Duration,
    lock_ttl: Duration,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("redis", &self.redis)
            .field("local_tokens", &self.read_local().len())
            .field("fetch_wait", &self.fetch_wait)
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStore {
    /// A store for the app whose secret is `app_secret`, with the default fetch wait (3 s),
    /// lock lifetime (10 s) and local capacity (4096 tokens).
    pub fn new(redis: &RedisConnection, app_secret: impl Into<Secret>) -> Self {
        Self {
            redis: redis.clone(),
            secret_tag: secret_tag(&app_secret.into()),
            owner: owner_id(),
            local: RwLock::default(),
            lookups: Mutex::default(),
            local_capacity: DEFAULT_LOCAL_CAPACITY,
            fetch_wait: DEFAULT_FETCH_WAIT,
            lock_ttl: DEFAULT_LOCK_TTL,
        }
    }

    /// Longest wait for another replica's fetch before fetching locally; keep it well under the
    /// client's retry budget (30 s by default).
    #[must_use]
    pub fn fetch_wait(mut self, wait: Duration) -> Self {
        self.fetch_wait = wait;
        self
    }

    /// Lifetime of the fetch lock; longer than a token fetch takes.
    #[must_use]
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// Most tokens kept in the local cache (at least 1); beyond it, the stalest go first.
    #[must_use]
    pub fn local_capacity(mut self, capacity: usize) -> Self {
        self.local_capacity = capacity.max(1);
        self
    }

    fn redis_key(&self, key: &TokenKey) -> String {
        let tenant = key
            .tenant_key
            .as_deref()
            .map_or(String::new(), |t| format!(":{t}"));
        self.redis.key(format_args!(
            "token:{}:{}:{}{tenant}",
            key.app_id,
            self.secret_tag,
            key.kind.as_str()
        ))
    }

    fn read_local(&self) -> std::sync::RwLockReadGuard<'_, HashMap<TokenKey, StoredToken>> {
        self.local.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_local(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<TokenKey, StoredToken>> {
        self.local.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn local_fresh(&self, key: &TokenKey) -> Option<StoredToken> {
        self.read_local().get(key).filter(|t| t.is_fresh()).cloned()
    }

    fn remember(&self, key: &TokenKey, token: StoredToken) {
        let mut local = self.write_local();
        if local.len() >= self.local_capacity && !local.contains_key(key) {
            local.retain(|_, t| t.is_fresh());
            if local.len() >= self.local_capacity {
                // Still full of fresh tokens: drop the one that goes stale first.
                let first = local
                    .iter()
                    .min_by_key(|(_, t)| t.use_until)
                    .map(|(k, _)| k.clone());
                if let Some(first) = first {
                    local.remove(&first);
                }
            }
        }
        local.insert(key.clone(), token);
    }

    fn lookup_lock(&self, key: &TokenKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut lookups = self.lookups.lock().unwrap_or_else(PoisonError::into_inner);
        if lookups.len() >= self.local_capacity {
            lookups.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        lookups.entry(key.clone()).or_default().clone()
    }

    async fn get_shared(&self, key: &TokenKey) -> Option<StoredToken> {
        if let Some(token) = self.local_fresh(key) {
            return Some(token);
        }
        let lock = self.lookup_lock(key);
        let _one_lookup = lock.lock().await;
        // Another task of this process may have looked while this one waited.
        if let Some(token) = self.local_fresh(key) {
            return Some(token);
        }
        let found = match key.kind {
            // Pushed by the platform, never fetched: nobody to wait for.
            CachedTokenKind::AppTicket => self.read_plain(key).await,
            _ => self.read_or_elect(key).await,
        };
        if let Some(token) = &found {
            self.remember(key, token.clone());
        }
        found
    }

    async fn read_plain(&self, key: &TokenKey) -> Option<StoredToken> {
        let redis_key = self.redis_key(key);
        let value: Option<String> = self
            .redis
            .run(KeyKind::Token, |mut con| async move {
                ::redis::cmd("GET")
                    .arg(&redis_key)
                    .query_async(&mut con)
                    .await
            })
            .await
            .ok()?;
        value
            .as_deref()
            .and_then(decode)
            .filter(StoredToken::is_fresh)
    }

    /// The shared token, or `None` when this process must fetch (it holds the lock, Redis is
    /// down, or the wait ran out).
    async fn read_or_elect(&self, key: &TokenKey) -> Option<StoredToken> {
        let redis_key = self.redis_key(key);
        let lock_key = format!("{redis_key}:lock");
        let lock_ms = millis(self.lock_ttl);
        // A wait the clock cannot add is as good as none: fetch locally at once.
        let deadline = Instant::now()
            .checked_add(self.fetch_wait)
            .unwrap_or_else(Instant::now);
        let mut pause = POLL_FIRST;
        loop {
            let (redis_key, lock_key, owner) = (&redis_key, &lock_key, &self.owner);
            let answer: (u8, String) = self
                .redis
                .run(KeyKind::Token, |mut con| async move {
                    TOKEN_GET_OR_LOCK
                        .key(redis_key)
                        .key(lock_key)
                        .arg(owner)
                        .arg(lock_ms)
                        .invoke_async(&mut con)
                        .await
                })
                .await
                .ok()?;
            match answer {
                (1, value) => match decode(&value).filter(StoredToken::is_fresh) {
                    Some(token) => return Some(token),
                    // Stale by this machine's clock: fetch (the others will read the new one).
                    None => return None,
                },
                (2, _) => return None,
                _ => {}
            }
            let now = Instant::now();
            if now >= deadline {
                tracing::warn!(
                    kind = key.kind.as_str(),
                    app_id = %key.app_id,
                    waited_ms = millis(self.fetch_wait),
                    "another replica's token fetch did not finish in time; fetching locally"
                );
                return None;
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    async fn set_shared(&self, key: &TokenKey, token: StoredToken) {
        let remaining = token
            .use_until
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        let value = encode(&token);
        self.remember(key, token);
        let ttl_ms = millis(remaining);
        if ttl_ms == 0 {
            return;
        }
        let redis_key = self.redis_key(key);
        let lock_key = format!("{redis_key}:lock");
        let (redis_key, lock_key, owner, value) = (&redis_key, &lock_key, &self.owner, &value);
        let _ = self
            .redis
            .run(KeyKind::Token, |mut con| async move {
                TOKEN_SET
                    .key(redis_key)
                    .key(lock_key)
                    .arg(value)
                    .arg(ttl_ms)
                    .arg(owner)
                    .invoke_async::<i64>(&mut con)
                    .await
            })
            .await;
    }

    async fn evict_shared(&self, key: &TokenKey) {
        // The token this process was using is the one the platform rejected.
        let Some(rejected) = self.write_local().remove(key) else {
            return;
        };
        self.evict_token(key, &rejected.value).await;
    }

    /// Deletes the shared token under `key` only if it is `rejected` (compare-and-delete), and
    /// drops `rejected` from the local cache ([`TokenStore::evict_if`], which the client calls
    /// after a rejection; [`TokenStore::evict`] compares with the token this store last handed
    /// out).
    pub async fn evict_token(&self, key: &TokenKey, rejected: &Secret) {
        {
            let mut local = self.write_local();
            if local.get(key).is_some_and(|t| t.value == *rejected) {
                local.remove(key);
            }
        }
        let redis_key = self.redis_key(key);
        let (redis_key, rejected) = (&redis_key, rejected.expose());
        let _ = self
            .redis
            .run(KeyKind::Token, |mut con| async move {
                TOKEN_EVICT_IF
                    .key(redis_key)
                    .arg(rejected)
                    .invoke_async::<i64>(&mut con)
                    .await
            })
            .await;
    }
}

impl TokenStore for RedisTokenStore {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<StoredToken>> {
        Box::pin(self.get_shared(key))
    }

    fn set<'a>(&'a self, key: &'a TokenKey, token: StoredToken) -> BoxFuture<'a, ()> {
        Box::pin(self.set_shared(key, token))
    }

    fn evict<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, ()> {
        Box::pin(self.evict_shared(key))
    }

    fn evict_if<'a>(&'a self, key: &'a TokenKey, rejected: &'a Secret) -> BoxFuture<'a, ()> {
        Box::pin(self.evict_token(key, rejected))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `<use_until in ms since the epoch>:<token>`.
fn encode(token: &StoredToken) -> String {
    let until = token
        .use_until
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0);
    format!("{until}:{}", token.value.expose())
}

/// The inverse of [`encode`]; `None` for anything else (never panics on foreign values).
fn decode(value: &str) -> Option<StoredToken> {
    let (until, token) = value.split_once(':')?;
    let until = UNIX_EPOCH.checked_add(Duration::from_millis(until.parse().ok()?))?;
    Some(StoredToken {
        value: Secret::from(token),
        use_until: until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip_and_foreign_ones_are_refused() {
        let token = StoredToken {
            value: Secret::from("t-a:b"),
            use_until: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
        };
        assert_eq!(encode(&token), "1700000000123:t-a:b");
        assert_eq!(decode(&encode(&token)), Some(token));
        for foreign in ["", "t-abc", "x:t-abc", "99999999999999999999999:t"] {
            assert_eq!(decode(foreign), None, "{foreign:?}");
        }
    }
}
