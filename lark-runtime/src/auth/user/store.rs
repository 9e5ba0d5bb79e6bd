//! Where user tokens are kept: the [`UserTokenStore`] seam and the in-memory default.
//!
//! The source writes a refreshed token here *before* it hands the new access token to a call:
//! refresh tokens are single use, so the newest one must survive whatever happens next.

use super::UserToken;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::fmt;
use std::sync::RwLock;

/// A store that could not read or write (its own message; never a token value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("user token store: {0}")]
pub struct UserTokenStoreError(pub String);

/// Where a [`UserTokenSource`](super::UserTokenSource) keeps each user's token, under a key the
/// application chooses (its user id, an `open_id`…; not a secret such as a session cookie, since
/// keys appear in errors).
///
/// A persistent store (database, Redis) keeps users signed in across restarts and lets several
/// processes share tokens. Implementations must never log token values.
pub trait UserTokenStore: Send + Sync + fmt::Debug + 'static {
    /// The token stored for `user`, if any.
    fn get<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserToken>, UserTokenStoreError>>;
    /// Stores `token` for `user`, replacing any other. Returns once the token is durable: the
    /// source uses a refreshed access token only after this succeeded, and keeps a token this
    /// refused in memory, to write it again before anything else happens for that user.
    fn set<'a>(
        &'a self,
        user: &'a str,
        token: UserToken,
    ) -> BoxFuture<'a, Result<(), UserTokenStoreError>>;
    /// Forgets the token of `user` (signed out, or the platform refused its refresh token).
    fn remove<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<(), UserTokenStoreError>>;
}

/// The default [`UserTokenStore`]: a map in memory, lost when the process ends.
#[derive(Debug, Default)]
pub struct MemoryUserTokenStore {
    tokens: RwLock<HashMap<String, UserToken>>,
}

impl MemoryUserTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl UserTokenStore for MemoryUserTokenStore {
    fn get<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserToken>, UserTokenStoreError>> {
        let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
        Box::pin(std::future::ready(Ok(tokens.get(user).cloned())))
    }

    fn set<'a>(
        &'a self,
        user: &'a str,
        token: UserToken,
    ) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.insert(user.to_owned(), token);
        Box::pin(std::future::ready(Ok(())))
    }

    fn remove<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        tokens.remove(user);
        Box::pin(std::future::ready(Ok(())))
    }
}
