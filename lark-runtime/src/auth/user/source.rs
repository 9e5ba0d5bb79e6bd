//! The refreshing user-token source: hands out a user's access token, refreshing it before it
//! expires or after the platform rejected it, one refresh per user at a time.

use super::oauth::{default_authorize_base, OAuthEndpoints, AUTHORIZE_PATH};
use super::{AuthorizationRequest, MemoryUserTokenStore, UserToken, UserTokenStore};
use crate::auth::flight::{Flights, Run};
use crate::auth::provider::deadline_after;
use crate::auth::{Secret, TokenProvider};
use crate::error::{ApiError, Error, ReauthorizationReason, Result};
use crate::http::Transport;
use crate::meta::{ErrorClass, ErrorClasses};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default time before expiry at which an access token is refreshed.
const DEFAULT_MARGIN: Duration = Duration::from_secs(300);
/// Default number of refresh attempts when the endpoint reports a transient error (20050).
const DEFAULT_REFRESH_ATTEMPTS: u32 = 3;
/// Pause before the second refresh attempt; later ones wait proportionally longer.
const REFRESH_BACKOFF: Duration = Duration::from_millis(200);

/// Whether an API error says the user access token is expired or invalid (class
/// `user_token_invalid` in the family's spec, e.g. 99991677): refresh it and try once more.
pub(crate) fn is_user_token_rejected(err: &Error) -> bool {
    err.class() == Some(ErrorClass::UserTokenInvalid)
}

/// Keeps users' tokens fresh: made by [`Client::user_tokens`](crate::Client::user_tokens), used
/// through [`Client::as_user_with`](crate::Client::as_user_with). Cheap to clone.
///
/// - Before expiry (a margin, default 5 minutes, 10 % of the lifetime if more, at most half the
///   lifetime) the access token is refreshed.
/// - Refreshes are single flight per user: concurrent calls never spend one refresh token twice,
///   and the refresh's success or failure reaches every call waiting for it. A failure is
///   remembered as long as the client's
///   [`token_failure_cache`](crate::ClientBuilder::token_failure_cache) says, and a call waits
///   for a refresh only within its retry budget. The single flight is per process; when
///   processes sharing a store race, the loser's refusal (20073) is answered with the winner's
///   stored token rather than an error.
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
    /// Longest wait for a refresh when the caller names no deadline (the client's retry budget).
    max_wait: Duration,
    /// Per user, the refresh in flight or its failure, remembered briefly: the single flight.
    flights: Flights<String, Secret>,
    /// Refreshed tokens the store failed to take: their refresh token is the only live one, so
    /// they are kept here and written before anything else happens for that user. Bounded by
    /// the number of users.
    unsaved: Mutex<HashMap<String, UserToken>>,
    /// Per user, the refresh token the platform last refused and its answer: it is not sent
    /// again. Bounded by the number of users.
    refusals: Mutex<HashMap<String, Refusal>>,
    /// Classes of refusals for [`UserTokenSource::access_token`] called directly.
    classes: &'static ErrorClasses,
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
    max_wait: Duration,
    failure_ttl: Duration,
    classes: &'static ErrorClasses,
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
            max_wait: tokens.max_wait,
            failure_ttl: tokens.cache.failure_ttl(),
            classes: &ErrorClasses::NONE,
        }
    }

    /// The error classes that tell refusals of a refresh (`reauthorization_needed`, e.g. 20073)
    /// and transient failures (e.g. 20050) apart when
    /// [`UserTokenSource::access_token`] is called directly, e.g. a family's
    /// family crate's `ERROR_CLASSES`. Calls made through a client handle use the classes of the
    /// operation's family. Default: none (only HTTP statuses decide).
    pub fn error_classes(mut self, classes: &'static ErrorClasses) -> Self {
        self.classes = classes;
        self
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

    /// How long before expiry an access token is refreshed: at least this, 10 % of the token's
    /// lifetime if more, but never more than half its lifetime (so a short-lived token is not
    /// refreshed on every call). Default: 5 minutes.
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
                max_wait: self.max_wait,
                flights: Flights::new(self.failure_ttl),
                classes: self.classes,
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
        self.inner.forget(user);
        self.inner.store.set(user, token).await.map_err(store_error)
    }

    /// Forgets `user`'s token.
    pub async fn sign_out(&self, user: &str) -> Result<()> {
        self.inner.forget(user);
        self.inner.store.remove(user).await.map_err(store_error)
    }

    /// The token stored for `user`, as it is (not refreshed).
    pub async fn stored(&self, user: &str) -> Result<Option<UserToken>> {
        self.inner.store.get(user).await.map_err(store_error)
    }

    /// A valid access token for `user`, refreshed first if it is due (see
    /// [`refresh_margin`](UserTokenSourceBuilder::refresh_margin)). Waits for a refresh at most
    /// the client's retry budget.
    ///
    /// Refusals of the refresh are classified with the
    /// [error classes](UserTokenSourceBuilder::error_classes) given to the builder; calls
    /// through [`Client::as_user_with`](crate::Client::as_user_with) use those of the
    /// operation's family.
    pub async fn access_token(&self, user: &str) -> Result<Secret> {
        let deadline = deadline_after(Instant::now(), self.inner.max_wait);
        self.access_token_until(user, deadline, self.inner.classes)
            .await
    }

    /// [`access_token`](Self::access_token), waiting for a refresh until `deadline` at most.
    async fn access_token_until(
        &self,
        user: &str,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        let token = self.inner.load(user).await?;
        if !token.refresh_due(self.inner.margin) {
            return Ok(token.access_token);
        }
        self.refresh_where(user, Stale::Due, deadline, classes)
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
    async fn rejected(
        &self,
        user: &str,
        sent: &Secret,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<()> {
        self.refresh_where(user, Stale::Is(sent.clone()), deadline, classes)
            .await
            .map(drop)
    }

    /// Joins the user's refresh in flight, or starts one that refreshes if the stored token is
    /// still `stale`; waits until `deadline` at most. A failure remembered for the user answers
    /// at once.
    async fn refresh_where(
        &self,
        user: &str,
        stale: Stale,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        let inner = self.inner.clone();
        let key = user.to_owned();
        // Detached: dropping the callers must not cancel between the platform's answer (which
        // spent the refresh token) and the store write.
        self.inner
            .flights
            .run(&key, deadline, Run::Detached, "user token refresh", || {
                let user = key.clone();
                Box::pin(async move { inner.refresh_if(&user, stale, classes).await })
            })
            .await
    }
}

/// Which stored token a refresh replaces.
enum Stale {
    /// One due for a refresh.
    Due,
    /// This one, which the platform rejected.
    Is(Secret),
}

impl Inner {
    /// Forgets what was remembered about `user`'s refreshes: a new token makes it stale.
    fn forget(&self, user: &str) {
        self.unsaved_map().remove(user);
        self.refusals_map().remove(user);
        self.flights.forget_failure(&user.to_owned());
    }

    /// Refreshes if the stored token is still `stale`.
    async fn refresh_if(
        &self,
        user: &str,
        stale: Stale,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        let current = self.load(user).await?;
        let still = match &stale {
            Stale::Due => current.refresh_due(self.margin),
            Stale::Is(sent) => current.access_token == *sent,
        };
        if !still {
            return Ok(current.access_token);
        }
        self.refresh_and_store(user, current, classes).await
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

    async fn refresh_and_store(
        &self,
        user: &str,
        current: UserToken,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
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
            match self
                .oauth
                .refresh(refresh)
                .await
                .map_err(|e| e.classified(classes))
            {
                Ok(fresh) => break fresh,
                // Expired, revoked, already used, issued to another client (class
                // `reauthorization_needed`): no retry can help.
                Err(Error::Api(e)) if e.class == Some(ErrorClass::ReauthorizationNeeded) => {
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
        if access.expose().is_empty() {
            // The next refresh uses the new refresh token stored above.
            return Err(Error::Auth(
                "the OAuth token endpoint answered without an access token; its new refresh \
                 token is stored"
                    .into(),
            ));
        }
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

    /// A valid access token, refreshed first if needed, waiting until `deadline` at most.
    pub(crate) async fn access_token(
        &self,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<Secret> {
        self.source
            .access_token_until(&self.user, deadline, classes)
            .await
    }

    /// The platform rejected `sent` (99991677 / 99991668): refresh once for every caller that
    /// saw it rejected, waiting until `deadline` at most.
    pub(crate) async fn rejected(
        &self,
        sent: &Secret,
        deadline: Instant,
        classes: &'static ErrorClasses,
    ) -> Result<()> {
        self.source
            .rejected(&self.user, sent, deadline, classes)
            .await
    }

    /// How long the failed refresh remembered for this user, if any, still answers.
    pub(crate) fn failure_remaining(&self) -> Option<Duration> {
        self.source
            .inner
            .flights
            .failure_remaining(&self.user.to_string())
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
