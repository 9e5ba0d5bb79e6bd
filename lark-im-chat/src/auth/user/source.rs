//! The refreshing user-token source: hands out a user's access token, refreshing it before it
//! expires or after the platform rejected it, one refresh per user at a time.

use super::oauth::{default_authorize_base, OAuthEndpoints, AUTHORIZE_PATH};
use super::{AuthorizationRequest, MemoryUserTokenStore, UserToken, UserTokenStore};
use crate::auth::{Secret, TokenProvider};
use crate::error::{ApiError, Error, ReauthorizationReason, Result};
use crate::http::Transport;
use crate::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default time before expiry at which an access token is refreshed.
const DEFAULT_MARGIN: Duration = Duration::from_secs(300);
/// Default number of refresh attempts when the endpoint reports a transient error (20050).
const DEFAULT_REFRESH_ATTEMPTS: u32 = 3;
/// Pause before the second refresh attempt; later ones wait proportionally longer.
const REFRESH_BACKOFF: Duration = Duration::from_millis(200);
/// Above this many idle per-user locks, the idle ones are dropped.
const MAX_IDLE_LOCKS: usize = 1024;

/// Whether an API error says the user access token is expired or invalid (99991677, 99991668;
/// class `user_token_invalid` in `spec/errors.yaml`): refresh it and try once more.
pub(crate) fn is_user_token_rejected(err: &Error) -> bool {
    err.error_code()
        .is_some_and(ErrorCode::is_user_token_invalid)
}

/// Keeps users' tokens fresh: made by [`Client::user_tokens`](crate::Client::user_tokens), used
/// through [`Client::as_user_with`](crate::Client::as_user_with). Cheap to clone.
///
/// - Before expiry (a margin, default 5 minutes) the access token is refreshed.
/// - Refreshes are single flight per user: concurrent calls never spend one refresh token twice.
///   The single flight is per process; when processes sharing a store race, the loser's refusal
///   (20073) is answered with the winner's stored token rather than an error.
/// - The new token is written to the [`UserTokenStore`] before any call uses it, and the refresh
///   runs as a task of its own, so a caller dropped mid-refresh still leaves the new token stored.
/// - A refresh token the platform refuses (expired, revoked, already used) gives
///   [`Error::ReauthorizationNeeded`]; a transient refusal (20050) is retried.
#[derive(Debug, Clone)]
pub struct UserTokenSource {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    oauth: OAuthEndpoints,
    store: Arc<dyn UserTokenStore>,
    margin: Duration,
    refresh_attempts: u32,
    /// One lock per user: the single flight.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Refreshed tokens the store failed to take: their refresh token is the only live one, so
    /// they are kept here and written before anything else happens for that user. Bounded by
    /// the number of users.
    unsaved: Mutex<HashMap<String, UserToken>>,
    /// Per user, the refresh token the platform last refused and its answer: it is not sent
    /// again. Bounded by the number of users.
    refusals: Mutex<HashMap<String, Refusal>>,
}

/// A refused refresh token and the platform's answer.
type Refusal = (Secret, Box<ApiError>);

/// Configures a [`UserTokenSource`]; see [`Client::user_tokens`](crate::Client::user_tokens).
#[derive(Debug)]
pub struct UserTokenSourceBuilder {
    transport: Transport,
    app_id: String,
    app_secret: Secret,
    oauth_base_url: Option<String>,
    authorize_url: Option<String>,
    store: Option<Arc<dyn UserTokenStore>>,
    margin: Duration,
    refresh_attempts: u32,
}

impl UserTokenSourceBuilder {
    pub(crate) fn new(tokens: &TokenProvider) -> Self {
        Self {
            transport: (*tokens.transport).clone(),
            app_id: tokens.app_id.clone(),
            app_secret: tokens.app_secret.clone(),
            oauth_base_url: None,
            authorize_url: None,
            store: None,
            margin: DEFAULT_MARGIN,
            refresh_attempts: DEFAULT_REFRESH_ATTEMPTS,
        }
    }

    /// Base URL of the OAuth token endpoint (`/open-apis/authen/v2/oauth/token`). Default: the
    /// client's Open API base URL.
    pub fn oauth_base_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Full URL of the authorization page. Default: `/open-apis/authen/v1/authorize` on
    /// `accounts.feishu.cn` / `accounts.larksuite.com` for the official hosts, else on the
    /// client's base URL.
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = Some(url.into());
        self
    }

    /// Where tokens are kept. Default: in memory ([`MemoryUserTokenStore`]).
    pub fn store(mut self, store: Arc<dyn UserTokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// How long before expiry an access token is refreshed. Default: 5 minutes.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// Attempts of a refresh when the endpoint answers a transient error (20050), at least 1.
    /// Default: 3.
    pub fn refresh_attempts(mut self, attempts: u32) -> Self {
        self.refresh_attempts = attempts.max(1);
        self
    }

    /// The source.
    pub fn build(self) -> UserTokenSource {
        let mut transport = self.transport;
        let authorize_url = self.authorize_url.unwrap_or_else(|| {
            format!(
                "{}{AUTHORIZE_PATH}",
                default_authorize_base(&transport.base_url)
            )
        });
        if let Some(base) = self.oauth_base_url {
            transport.base_url = base;
        }
        UserTokenSource {
            inner: Arc::new(Inner {
                oauth: OAuthEndpoints {
                    transport,
                    authorize_url,
                    app_id: self.app_id,
                    app_secret: self.app_secret,
                },
                store: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryUserTokenStore::new())),
                margin: self.margin,
                refresh_attempts: self.refresh_attempts,
                flights: Mutex::default(),
                unsaved: Mutex::default(),
                refusals: Mutex::default(),
            }),
        }
    }
}

impl UserTokenSource {
    /// Where to send a user to authorize the app. Ask for `offline_access` among the `scopes`,
    /// or the token cannot be refreshed.
    pub fn authorization(&self, redirect_uri: &str, scopes: &[&str]) -> AuthorizationRequest {
        self.inner.oauth.authorization(redirect_uri, scopes)
    }

    /// Exchanges the code of the authorization callback (with the request's PKCE verifier) and
    /// stores the token for `user`.
    pub async fn sign_in(
        &self,
        user: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&Secret>,
    ) -> Result<UserToken> {
        let token = self
            .inner
            .oauth
            .exchange_code(code, redirect_uri, code_verifier)
            .await?;
        self.save(user, token.clone()).await?;
        Ok(token)
    }

    /// Stores a token obtained elsewhere for `user`.
    pub async fn save(&self, user: &str, token: UserToken) -> Result<()> {
        self.inner.unsaved_map().remove(user);
        self.inner.refusals_map().remove(user);
        self.inner.store.set(user, token).await.map_err(store_error)
    }

    /// Forgets `user`'s token.
    pub async fn sign_out(&self, user: &str) -> Result<()> {
        self.inner.unsaved_map().remove(user);
        self.inner.refusals_map().remove(user);
        self.inner.store.remove(user).await.map_err(store_error)
    }

    /// The token stored for `user`, as it is (not refreshed).
    pub async fn stored(&self, user: &str) -> Result<Option<UserToken>> {
        self.inner.store.get(user).await.map_err(store_error)
    }

    /// A valid access token for `user`, refreshed first if it expires within the margin.
    pub async fn access_token(&self, user: &str) -> Result<Secret> {
        let token = self.inner.load(user).await?;
        if !token.access_expires_within(self.inner.margin) {
            return Ok(token.access_token);
        }
        let margin = self.inner.margin;
        self.refresh_where(user, move |t| t.access_expires_within(margin))
            .await
    }

    /// `user`, for [`Client::as_user_with`](crate::Client::as_user_with).
    pub fn user(&self, user: impl Into<String>) -> SourcedUser {
        SourcedUser {
            source: self.clone(),
            user: user.into().into(),
        }
    }

    /// The platform rejected `sent`: refresh unless another call already replaced it.
    async fn rejected(&self, user: &str, sent: &Secret) -> Result<()> {
        let sent = sent.clone();
        self.refresh_where(user, move |t| t.access_token == sent)
            .await
            .map(drop)
    }

    /// Under the user's lock, refreshes if the stored token is still `stale`.
    async fn refresh_where(
        &self,
        user: &str,
        stale: impl FnOnce(&UserToken) -> bool,
    ) -> Result<Secret> {
        let guard = self.inner.flight(user).lock_owned().await;
        let current = self.inner.load(user).await?;
        if !stale(&current) {
            return Ok(current.access_token);
        }
        let inner = self.inner.clone();
        let user = user.to_owned();
        // Its own task: dropping the caller must not cancel between the platform's answer (which
        // spent the refresh token) and the store write.
        tokio::spawn(async move {
            let _guard = guard;
            inner.refresh_and_store(&user, current).await
        })
        .await
        .map_err(|e| Error::Auth(format!("the user token refresh stopped: {e}")))?
    }
}

impl Inner {
    fn flight(&self, user: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.len() >= MAX_IDLE_LOCKS {
            flights.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        flights.entry(user.to_owned()).or_default().clone()
    }

    /// The user's token: first a refreshed one the store has not taken yet (written now, and
    /// not used unless that succeeds), else the stored one.
    async fn load(&self, user: &str) -> Result<UserToken> {
        let pending = self.unsaved_map().get(user).cloned();
        if let Some(token) = pending {
            self.store
                .set(user, token.clone())
                .await
                .map_err(store_error)?;
            self.unsaved_map().remove(user);
            return Ok(token);
        }
        match self.store.get(user).await.map_err(store_error)? {
            Some(token) => Ok(token),
            None => Err(reauthorize(user, ReauthorizationReason::NoToken)),
        }
    }

    async fn refresh_and_store(&self, user: &str, current: UserToken) -> Result<Secret> {
        let Some(refresh) = current.refresh_token.as_ref() else {
            return Err(reauthorize(user, ReauthorizationReason::NoRefreshToken));
        };
        if let Some((dead, error)) = self.refusals_map().get(user) {
            if dead == refresh {
                return Err(reauthorize(
                    user,
                    ReauthorizationReason::Refused(error.clone()),
                ));
            }
        }
        if current.usable_refresh_token().is_none() {
            return Err(reauthorize(
                user,
                ReauthorizationReason::RefreshTokenExpired,
            ));
        }
        let mut attempt = 0;
        let fresh = loop {
            attempt += 1;
            match self.oauth.refresh(refresh).await {
                Ok(fresh) => break fresh,
                // Expired, revoked, already used, issued to another client (class
                // `reauthorization_needed`): no retry can help.
                Err(Error::Api(e)) if e.error_code().needs_reauthorization() => {
                    return self.refused(user, refresh, e).await;
                }
                Err(e) if e.is_retryable() && attempt < self.refresh_attempts => {
                    tracing::debug!(user, attempt, error = %e, "user token refresh failed; retrying");
                    tokio::time::sleep(REFRESH_BACKOFF * attempt).await;
                }
                Err(e) => return Err(e),
            }
        };
        let access = fresh.access_token.clone();
        if let Err(e) = self.store.set(user, fresh.clone()).await {
            // Not used before it is stored; kept so that the next call stores it.
            self.unsaved_map().insert(user.to_owned(), fresh);
            return Err(store_error(e));
        }
        tracing::debug!(user, "user token refreshed and stored");
        Ok(access)
    }

    fn refusals_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Refusal>> {
        self.refusals.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn unsaved_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, UserToken>> {
        self.unsaved.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The platform refused `spent`. Another process sharing the store may have refreshed first
    /// (reuse, 20073): its newer token is used then. Otherwise the refusal is remembered, so
    /// later calls fail at once instead of presenting the dead token again. The store entry is
    /// left alone: removing it could race with that other process's write of the only live
    /// refresh token.
    async fn refused(&self, user: &str, spent: &Secret, error: Box<ApiError>) -> Result<Secret> {
        let now = self.store.get(user).await.map_err(store_error)?;
        if let Some(newer) = now.filter(|t| t.refresh_token.as_ref() != Some(spent)) {
            return Ok(newer.access_token);
        }
        self.refusals_map()
            .insert(user.to_owned(), (spent.clone(), error.clone()));
        tracing::debug!(
            user,
            code = error.code,
            "refresh token refused; the user must sign in again"
        );
        Err(reauthorize(user, ReauthorizationReason::Refused(error)))
    }
}

/// A user whose token comes from a [`UserTokenSource`]: what
/// [`Client::as_user_with`](crate::Client::as_user_with) takes.
#[derive(Debug, Clone)]
pub struct SourcedUser {
    source: UserTokenSource,
    user: Arc<str>,
}

impl SourcedUser {
    /// The key the user's token is stored under.
    pub fn key(&self) -> &str {
        &self.user
    }

    /// A valid access token, refreshed first if needed.
    pub(crate) async fn access_token(&self) -> Result<Secret> {
        self.source.access_token(&self.user).await
    }

    /// The platform rejected `sent` (99991677 / 99991668): refresh once for every caller that
    /// saw it rejected.
    pub(crate) async fn rejected(&self, sent: &Secret) -> Result<()> {
        self.source.rejected(&self.user, sent).await
    }
}

fn reauthorize(user: &str, reason: ReauthorizationReason) -> Error {
    Error::ReauthorizationNeeded {
        user: user.to_owned(),
        reason,
    }
}

fn store_error(e: super::UserTokenStoreError) -> Error {
    Error::Auth(e.to_string())
}
