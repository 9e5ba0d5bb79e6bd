//! Where tokens are kept: the [`TokenStore`] seam, its keys and the in-memory default.
//!
//! A shared store (e.g. Redis) lets several processes reuse one another's tokens.

use crate::auth::Secret;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::sync::RwLock;
use std::time::{Duration, SystemTime};

/// What a cached token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CachedTokenKind {
    /// `tenant_access_token` of an app in a tenant.
    TenantAccessToken,
    /// `app_access_token` of a store app.
    AppAccessToken,
    /// The `app_ticket` the platform pushes to store apps every hour.
    AppTicket,
}

impl CachedTokenKind {
    /// `"tenant_access_token"`, `"app_access_token"` or `"app_ticket"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TenantAccessToken => "tenant_access_token",
            Self::AppAccessToken => "app_access_token",
            Self::AppTicket => "app_ticket",
        }
    }
}

/// Key of a cached token: its kind, the app and, for store apps' tenant tokens, the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenKey {
    /// What the token is.
    pub kind: CachedTokenKind,
    /// The app id (`cli_…`).
    pub app_id: String,
    /// The tenant, for a store app's tenant token.
    pub tenant_key: Option<String>,
}

impl TokenKey {
    /// A key.
    pub fn new(
        kind: CachedTokenKind,
        app_id: impl Into<String>,
        tenant_key: Option<String>,
    ) -> Self {
        Self {
            kind,
            app_id: app_id.into(),
            tenant_key,
        }
    }
}

/// `kind:app_id` or `kind:app_id:tenant_key`, a flat key for external stores.
impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.app_id)?;
        if let Some(t) = &self.tenant_key {
            write!(f, ":{t}")?;
        }
        Ok(())
    }
}

/// A token in a store, and until when the client may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token.
    pub value: Secret,
    /// Wall-clock time after which the client no longer uses it. For access tokens this is
    /// already `max(180 s, 10 %)` before the platform's expiry (at most half the token's
    /// lifetime early), so a store with TTLs can use it as is.
    pub use_until: SystemTime,
}

impl StoredToken {
    /// Whether it may still be used now.
    pub fn is_fresh(&self) -> bool {
        SystemTime::now() < self.use_until
    }
}

/// Where the client keeps tokens. The default is in memory ([`MemoryTokenStore`]); plug another
/// one (shared cache, persistent store) with
/// [`ClientBuilder::token_store`](crate::ClientBuilder::token_store).
///
/// Implementations must never log token values.
pub trait TokenStore: Send + Sync + fmt::Debug + 'static {
    /// The token under `key`, if any (expired or not: the client checks `use_until`).
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<StoredToken>>;
    /// Stores a token under `key`, replacing any other.
    fn set<'a>(&'a self, key: &'a TokenKey, token: StoredToken) -> BoxFuture<'a, ()>;
    /// Removes the token under `key` (e.g. after the platform rejected it).
    fn evict<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, ()>;

    /// Removes the token under `key` only if it is still `rejected`, the token the platform
    /// refused: a newer token another call (or process) stored meanwhile survives. The client
    /// calls this, not [`evict`](Self::evict), after a rejection. The default calls `evict`;
    /// shared stores should compare and delete in one atomic step.
    fn evict_if<'a>(&'a self, key: &'a TokenKey, rejected: &'a Secret) -> BoxFuture<'a, ()> {
        let _ = rejected;
        self.evict(key)
    }
}

/// The default [`TokenStore`]: a map in memory, per client.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: RwLock<HashMap<TokenKey, StoredToken>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryTokenStore {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<StoredToken>> {
        let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
        let found = tokens.get(key).cloned();
        Box::pin(std::future::ready(found))
    }

    fn set<'a>(&'a self, key: &'a TokenKey, token: StoredToken) -> BoxFuture<'a, ()> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.insert(key.clone(), token);
        Box::pin(std::future::ready(()))
    }

    fn evict<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, ()> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.remove(key);
        Box::pin(std::future::ready(()))
    }

    fn evict_if<'a>(&'a self, key: &'a TokenKey, rejected: &'a Secret) -> BoxFuture<'a, ()> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        if tokens.get(key).is_some_and(|t| t.value == *rejected) {
            tokens.remove(key);
        }
        Box::pin(std::future::ready(()))
    }
}

/// Least time before expiry at which a token is refreshed; 10 % of a longer lifetime is used
/// instead.
pub(crate) const REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// When a token with `lifetime` left stops being used: `max(180 s, 10 %)` before it expires, but
/// never more than half its lifetime early, so a short-lived token is still cached (100 s → used
/// for 50 s) instead of being fetched again on every call.
pub(crate) fn use_until(lifetime: Duration) -> SystemTime {
    valid_until(lifetime.saturating_sub(refresh_margin(lifetime, REFRESH_MARGIN)))
}

/// How long before expiry a token with `lifetime` is replaced: `max(least, 10 %)`, but never
/// more than half its lifetime, so that a short-lived token is used for a while rather than
/// replaced on every call.
pub(crate) fn refresh_margin(lifetime: Duration, least: Duration) -> Duration {
    least.max(lifetime / 10).min(lifetime / 2)
}

/// `now + d`, or `now` if the clock cannot represent that (no arithmetic here may panic).
pub(crate) fn valid_until(d: Duration) -> SystemTime {
    let now = SystemTime::now();
    now.checked_add(d).unwrap_or(now)
}
