//! [`RedisUserTokenStore`]: users' tokens shared by replicas and kept across restarts.

use super::{bounded_segment, secret_tag, KeyKind, RedisConnection};
use crate::auth::user::{UserToken, UserTokenStore, UserTokenStoreError};
use crate::auth::Secret;
use futures::future::BoxFuture;
use std::fmt;
use std::time::{Duration, SystemTime};

/// A [`UserTokenStore`] in Redis: every replica sees the newest token of each user (refresh
/// tokens are single use, so a replica must never refresh with one another replica already
/// spent).
///
/// One JSON value per user under `<prefix>:user_token:<app_id>:<secret hash>:<user>` (user keys
/// above 128 bytes are replaced by their SHA-256). The entry expires with the refresh token
/// (or, without one, with the access token); a refresh token without a known expiry keeps it
/// until it is replaced or removed.
///
/// Unlike the app's tokens, user tokens cannot be fetched again without the user: when Redis is
/// unreachable, every operation fails with a [`UserTokenStoreError`] (never a token value), and
/// the [`UserTokenSource`](crate::auth::user::UserTokenSource) keeps a refreshed token in memory
/// until it can be written.
///
/// ```no_run
/// use lark_runtime::redis::{RedisConnection, RedisUserTokenStore};
/// use lark_runtime::Client;
/// use std::sync::Arc;
///
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let redis = RedisConnection::open("redis://127.0.0.1:6379/")?;
/// let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
/// let users = client
///     .user_tokens()
///     .store(Arc::new(RedisUserTokenStore::new(&redis, "cli_a1b2c3", "app-secret")))
///     .build();
/// # let _ = users; Ok(()) }
/// ```
pub struct RedisUserTokenStore {
    redis: RedisConnection,
    app_id: String,
    secret_tag: String,
}

impl fmt::Debug for RedisUserTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisUserTokenStore")
            .field("redis", &self.redis)
            .field("app_id", &self.app_id)
            .finish_non_exhaustive()
    }
}

impl RedisUserTokenStore {
    /// A store for the users of the app `app_id` whose secret is `app_secret`.
    pub fn new(
        redis: &RedisConnection,
        app_id: impl Into<String>,
        app_secret: impl Into<Secret>,
    ) -> Self {
        Self {
            redis: redis.clone(),
            app_id: app_id.into(),
            secret_tag: secret_tag(&app_secret.into()),
        }
    }

    fn redis_key(&self, user: &str) -> String {
        let (app, tag, user) = (&self.app_id, &self.secret_tag, bounded_segment(user));
        self.redis
            .key(format_args!("user_token:{app}:{tag}:{user}"))
    }

    async fn read(&self, user: &str) -> Result<Option<UserToken>, UserTokenStoreError> {
        let key = self.redis_key(user);
        let key = &key;
        let value: Option<String> = self
            .redis
            .run(KeyKind::UserToken, |mut con| async move {
                ::redis::cmd("GET").arg(key).query_async(&mut con).await
            })
            .await
            .map_err(|e| UserTokenStoreError(e.to_string()))?;
        match value {
            None => Ok(None),
            // The value is not echoed: it holds tokens.
            Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
                UserTokenStoreError(format!(
                    "the stored token of {user:?} is not a user token (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            }),
        }
    }

    async fn write(&self, user: &str, token: UserToken) -> Result<(), UserTokenStoreError> {
        let key = self.redis_key(user);
        let json = serde_json::to_string(&token)
            .map_err(|_| UserTokenStoreError("a user token could not be encoded".into()))?;
        let expires_at = match &token.refresh_token {
            Some(_) => token.refresh_expires_at,
            None => Some(token.access_expires_at),
        };
        let ttl_ms = expires_at.map(|at| {
            let left = at
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            u64::try_from(left.as_millis()).unwrap_or(u64::MAX).max(1)
        });
        let (key, json) = (&key, &json);
        self.redis
            .run(KeyKind::UserToken, |mut con| async move {
                let mut cmd = ::redis::cmd("SET");
                cmd.arg(key).arg(json);
                if let Some(ms) = ttl_ms {
                    cmd.arg("PX").arg(ms);
                }
                cmd.query_async::<()>(&mut con).await
            })
            .await
            .map_err(|e| UserTokenStoreError(e.to_string()))
    }

    async fn delete(&self, user: &str) -> Result<(), UserTokenStoreError> {
        let key = self.redis_key(user);
        let key = &key;
        self.redis
            .run(KeyKind::UserToken, |mut con| async move {
                ::redis::cmd("DEL")
                    .arg(key)
                    .query_async::<i64>(&mut con)
                    .await
            })
            .await
            .map(drop)
            .map_err(|e| UserTokenStoreError(e.to_string()))
    }
}

impl UserTokenStore for RedisUserTokenStore {
    fn get<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserToken>, UserTokenStoreError>> {
        Box::pin(self.read(user))
    }

    fn set<'a>(
        &'a self,
        user: &'a str,
        token: UserToken,
    ) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        Box::pin(self.write(user, token))
    }

    fn remove<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        Box::pin(self.delete(user))
    }
}
