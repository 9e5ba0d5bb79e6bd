//! Shared state for several replicas of one app, on Redis (feature `redis`).
//!
//! A bot that runs as several processes (replicas behind one callback URL, several
//! long-connection clients, old and new processes overlapping in a rolling deploy) shares three
//! things through one Redis:
//!
//! - [`RedisTokenStore`], a [`TokenStore`](crate::auth::TokenStore): one token fetch for all
//!   replicas (a short Redis lock elects the fetcher, the others wait for its result), a local
//!   cache in front of Redis so a hit costs no round trip, and compare-and-delete eviction so a
//!   fresh token written by another replica survives.
//! - [`RedisDedup`], a [`DedupStore`](crate::events::webhook::DedupStore): each event handled
//!   once across replicas; the mark belongs to the replica that set it, so a failed handler's
//!   redelivery can be handled by any replica.
//! - [`RedisUserTokenStore`], a [`UserTokenStore`](crate::auth::user::UserTokenStore): each
//!   user's newest token (refresh tokens are single use) for every replica.
//! - [`RedisRateBudget`], a [`RateBudget`](crate::client::RateBudget): one rate budget per app
//!   and operation family, and a shared pause when any replica is told to back off.
//! - [`RedisDurable`], a durable event queue ([`events::durable`](crate::events::durable)): one
//!   stream per app, events acknowledged once recorded and handled once by any replica.
//!
//! All of them share one [`RedisConnection`] (one multiplexed connection, reconnected when lost).
//!
//! # When Redis is unreachable
//!
//! Every Redis command is bounded by [`RedisOptions::command_timeout`]. When one fails at the
//! connection level ([`RedisError::is_connection_level`]: refused, timed out, authentication
//! refused, `LOADING`, read-only replica, out of memory), the connection is marked down and
//! logged once (`warn`); while it is down, commands are not sent (one probe per
//! [`RedisOptions::retry_interval`]), and its return is logged once (`info`).
//! Meanwhile:
//!
//! | part | while Redis is down |
//! | --- | --- |
//! | user tokens | every operation fails with a `UserTokenStoreError` (they cannot be fetched again without the user) |
//! | tokens | fetched and cached locally, per process (safe: the platform serves one token to concurrent fetchers and keeps old ones valid) |
//! | de-dup | [`DedupFallback::Reject`] (default): the dispatcher answers 503, the platform redelivers later, nothing is lost; [`DedupFallback::HandleAnyway`]: handled, duplicates possible |
//! | rate budget | not enforced (each replica still honours its own rate-limit answers) |
//! | durable queue | durable events answered 503 (redelivered later); workers wait and retry |
//!
//! A failure on one key ([`RedisError::Command`], e.g. `WRONGTYPE` because something else wrote
//! a hash there, or [`RedisError::Foreign`], a value this library did not write) is not an
//! outage: only the operations on that key fail (logged at `warn`, naming the kind of key, never
//! the key's caller-given part or a value), and every other key and caller goes on. For such a
//! key, a user token operation fails, an access token is fetched locally, a de-dup check
//! answers 503 (never "already handled", whatever the fallback) and the rate budget admits.
//!
//! # Keys
//!
//! Every key starts with [`RedisOptions::key_prefix`] (default `lark`) and names the app:
//! `…:token:<app_id>:<secret hash>:<kind>[:<tenant_key>]`, `…:dedup:<app_id>:<event id>`,
//! `…:user_token:<app_id>:<secret hash>:<user>`, `…:rate:<app_id>:<family>:…`; event ids and
//! user keys above 128 bytes are replaced by `sha256:<hex>`. The secret hash (16 hex digits of
//! SHA-256) keeps two apps with one id but different secrets apart.

mod dedup;
mod durable;
mod error;
mod fallback;
mod rate_budget;
mod scripts;
mod tokens;
mod user_tokens;

pub use dedup::{DedupFallback, RedisDedup};
pub use durable::RedisDurable;
pub use error::{KeyKind, RedisError, RedisUnavailable};
pub use rate_budget::{default_limits, Limit, RedisRateBudget};
pub use tokens::RedisTokenStore;
pub use user_tokens::RedisUserTokenStore;

use crate::auth::Secret;
use fallback::Health;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Connection settings shared by the Redis stores.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisOptions {
    /// Time allowed for one command (or script), connecting included. Default: 500 ms.
    pub command_timeout: Duration,
    /// Time allowed to establish a connection. Default: 500 ms.
    pub connect_timeout: Duration,
    /// While Redis is down, how often one command probes it. Default: 1 s.
    pub retry_interval: Duration,
    /// First segment of every key. Default: `lark`.
    pub key_prefix: String,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            command_timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_millis(500),
            retry_interval: Duration::from_secs(1),
            key_prefix: "lark".to_owned(),
        }
    }
}

impl RedisOptions {
    /// Sets [`command_timeout`](Self::command_timeout).
    pub fn command_timeout(mut self, d: Duration) -> Self {
        self.command_timeout = d;
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`retry_interval`](Self::retry_interval).
    pub fn retry_interval(mut self, d: Duration) -> Self {
        self.retry_interval = d;
        self
    }

    /// Sets [`key_prefix`](Self::key_prefix).
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }
}

/// Why a [`RedisConnection`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("invalid Redis URL: {0}")]
pub struct RedisUrlError(#[source] ::redis::RedisError);

/// A connection to one Redis server, shared (cheaply cloned) by the Redis stores of a process.
///
/// Nothing is sent until the first command: a process starts whether Redis is up or not, and
/// connects when it can. The connection is multiplexed (one TCP connection carries concurrent
/// commands) and re-established after it is lost.
#[derive(Clone)]
pub struct RedisConnection {
    inner: Arc<Link>,
}

struct Link {
    client: ::redis::Client,
    manager: tokio::sync::OnceCell<::redis::aio::ConnectionManager>,
    options: RedisOptions,
    health: Health,
    round_trips: AtomicU64,
    /// `host:port`, for messages (the URL may carry a password).
    addr: String,
}

impl fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConnection")
            .field("addr", &self.inner.addr)
            .field("options", &self.inner.options)
            .field("available", &self.is_available())
            .finish_non_exhaustive()
    }
}

impl RedisConnection {
    /// A connection to `url` (`redis://[:password@]host:port[/db]`) with default
    /// [`RedisOptions`]. Only parses the URL.
    pub fn open(url: &str) -> Result<Self, RedisUrlError> {
        Self::with_options(url, RedisOptions::default())
    }

    /// A connection to `url` with `options`. Only parses the URL.
    pub fn with_options(url: &str, options: RedisOptions) -> Result<Self, RedisUrlError> {
        let client = ::redis::Client::open(url).map_err(RedisUrlError)?;
        let addr = client.get_connection_info().addr.to_string();
        Ok(Self {
            inner: Arc::new(Link {
                client,
                manager: tokio::sync::OnceCell::new(),
                health: Health::new(options.retry_interval),
                options,
                round_trips: AtomicU64::new(0),
                addr,
            }),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &RedisOptions {
        &self.inner.options
    }

    /// Whether the last command succeeded (`true` before the first one).
    pub fn is_available(&self) -> bool {
        !self.inner.health.is_down()
    }

    /// Commands and scripts sent so far (each is one round trip to Redis, except a script's
    /// first use after a Redis restart, which also loads it). For metrics and for checking that
    /// a local cache hit costs none.
    pub fn round_trips(&self) -> u64 {
        self.inner.round_trips.load(Ordering::Relaxed)
    }

    /// Sends `PING`: a readiness check, and a way to notice that Redis is back before the next
    /// command would (subject to the probe interval while it is marked down).
    pub async fn ping(&self) -> Result<(), RedisError> {
        self.run(KeyKind::None, |mut con| async move {
            ::redis::cmd("PING").query_async::<String>(&mut con).await
        })
        .await
        .map(drop)
    }

    /// `host:port` of the server, for messages.
    pub(crate) fn addr(&self) -> &str {
        &self.inner.addr
    }

    /// `<prefix>:<rest>`.
    pub(crate) fn key(&self, rest: fmt::Arguments<'_>) -> String {
        format!("{}:{}", self.inner.options.key_prefix, rest)
    }

    /// Runs one command on a `key` key with the connection, within the command timeout,
    /// tracking health: only a connection-level failure marks the connection down.
    pub(crate) async fn run<T, F, Fut>(&self, key: KeyKind, f: F) -> Result<T, RedisError>
    where
        F: FnOnce(::redis::aio::ConnectionManager) -> Fut,
        Fut: Future<Output = ::redis::RedisResult<T>>,
    {
        let link = &*self.inner;
        if !link.health.may_try() {
            return Err(RedisError::MarkedDown {
                addr: link.addr.clone(),
            });
        }
        let timeout = link.options.command_timeout;
        let attempt = async {
            let manager = link
                .manager
                .get_or_try_init(|| {
                    let config = ::redis::aio::ConnectionManagerConfig::new()
                        .set_connection_timeout(link.options.connect_timeout)
                        .set_response_timeout(timeout)
                        // No retry inside the manager: its back-off sleeps with up to a second
                        // of jitter, which hid a refused password behind the command timeout.
                        // The next command (or probe) connects again.
                        .set_number_of_retries(0)
                        .set_max_delay(100);
                    ::redis::aio::ConnectionManager::new_with_config(link.client.clone(), config)
                })
                .await?
                .clone();
            link.round_trips.fetch_add(1, Ordering::Relaxed);
            f(manager).await
        };
        let result = match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(source)) => Err(RedisError::classify(&link.addr, key, source)),
            Err(_) => Err(RedisError::Timeout {
                addr: link.addr.clone(),
                timeout,
            }),
        };
        match &result {
            Err(e) if e.is_connection_level() => link.health.failed(&link.addr, e),
            Err(e) => {
                // The server answered: it is up, and only this key is wrong.
                link.health.succeeded(&link.addr);
                tracing::warn!(redis = %link.addr, error = %e, "Redis command failed on one key");
            }
            Ok(_) => link.health.succeeded(&link.addr),
        }
        result
    }
}

/// Longest caller-given key segment (event id, user key) used as is.
const MAX_PLAIN_KEY: usize = 128;

/// `segment`, or `sha256:<hex>` of it when it is longer than 128 bytes, so keys stay bounded.
fn bounded_segment(segment: &str) -> Cow<'_, str> {
    if segment.len() <= MAX_PLAIN_KEY {
        Cow::Borrowed(segment)
    } else {
        Cow::Owned(format!(
            "sha256:{}",
            hex::encode(Sha256::digest(segment.as_bytes()))
        ))
    }
}

/// 16 hex digits of SHA-256 of the app secret: tells apart two apps with one id.
fn secret_tag(secret: &Secret) -> String {
    hex::encode(&Sha256::digest(secret.expose().as_bytes())[..8])
}

/// A random id (128 bits, hex) naming one owner of marks and locks.
fn owner_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}
