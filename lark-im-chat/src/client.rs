//! The client: configuration, the shared HTTP connection pool, tokens, retries and tracing.

use crate::auth::{Access, Tenant, TokenKind, User};
use crate::config::Domain;
use crate::error::{ApiError, DecodeError, Error, ErrorDetail, Result};
use crate::metadata::AppType;
use crate::request::ApiRequest;
use crate::retry::{self, RetryPolicy};
use crate::secret::Secret;
use crate::token::{
    CachedTokenKind, MemoryTokenStore, StoredToken, TokenCache, TokenKey, TokenResponse,
    TokenStore, APP_TICKET_RESEND_PATH, STORE_APP_TOKEN_PATH, STORE_TENANT_TOKEN_PATH,
    TENANT_TOKEN_PATH,
};
use serde::de::DeserializeOwned;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tracing::Instrument;

const DEFAULT_USER_AGENT: &str = concat!("lark-im-chat/", env!("CARGO_PKG_VERSION"));
/// How long a pushed `app_ticket` is kept (the Go SDK's choice; the platform pushes hourly).
const APP_TICKET_TTL: Duration = Duration::from_secs(12 * 3600);

/// A client for the group-chat API. Cheap to clone: clones share connections and tokens.
///
/// It dereferences to the tenant-token [`Api`](crate::Api), so every handle is one call away:
///
/// ```no_run
/// # async fn run() -> Result<(), lark_im_chat::Error> {
/// use lark_im_chat::Client;
///
/// let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
/// let chat = client.chat("oc_a0553eda9014c201e6969b478895c230").get().send().await?;
/// println!("{:?}", chat.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    api: crate::Api<Tenant>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("app_id", &self.shared().app_id)
            .field("app_type", &self.shared().app_type)
            .field("base_url", &self.shared().base_url)
            .finish_non_exhaustive()
    }
}

/// State shared by every clone of a client and every handle made from it.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) app_id: String,
    pub(crate) app_secret: Secret,
    pub(crate) app_type: AppType,
    pub(crate) tokens: TokenCache,
    pub(crate) retry: RetryPolicy,
    /// Key of the tenant token of a self-built app (or of a store app called without tenant).
    default_tenant_key: TokenKey,
    /// The `app_ticket` given to the builder, used when the store holds none.
    app_ticket_seed: std::sync::Mutex<Option<Secret>>,
}

impl Client {
    /// Starts configuring a client for an app (self-built by default; see
    /// [`ClientBuilder::app_type`]).
    pub fn builder(app_id: impl Into<String>, app_secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            domain: Domain::default(),
            base_url: None,
            timeout: None,
            connect_timeout: None,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            token_store: None,
            app_type: AppType::Custom,
            app_ticket: None,
        }
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.api.ctx().shared
    }

    /// Handles that call with a user access token instead of the tenant token.
    ///
    /// ```no_run
    /// # async fn run(client: lark_im_chat::Client) -> Result<(), lark_im_chat::Error> {
    /// let mine = client.as_user("u-user-access-token").chats().list().send().await?;
    /// # Ok(()) }
    /// ```
    pub fn as_user(&self, user_access_token: impl Into<Secret>) -> crate::Api<User> {
        crate::Api::new(Ctx {
            shared: self.shared().clone(),
            auth: User::new(user_access_token),
        })
    }

    /// Handles that send this tenant token as is, bypassing the cache. An explicit token always
    /// wins over the cached one.
    pub fn with_tenant_token(&self, tenant_access_token: impl Into<Secret>) -> crate::Api<Tenant> {
        crate::Api::new(Ctx {
            shared: self.shared().clone(),
            auth: Tenant::explicit(tenant_access_token),
        })
    }

    /// Handles that call in one tenant of a store app, with that tenant's cached token (fetched
    /// from the app token and the `tenant_key`). For a self-built app, which has one tenant, the
    /// key is ignored.
    ///
    /// ```no_run
    /// # async fn run(client: lark_im_chat::Client) -> Result<(), lark_im_chat::Error> {
    /// // `tenant_key` comes from an event header or the app-enabled event.
    /// let chats = client.for_tenant("736588c9260f175d").chats().list().send().await?;
    /// # Ok(()) }
    /// ```
    pub fn for_tenant(&self, tenant_key: impl Into<String>) -> crate::Api<Tenant> {
        crate::Api::new(Ctx {
            shared: self.shared().clone(),
            auth: Tenant::cached(Some(tenant_key.into())),
        })
    }

    /// Stores the `app_ticket` the platform pushed (store apps: the hourly `app_ticket` event).
    pub async fn set_app_ticket(&self, app_ticket: impl Into<Secret>) {
        self.shared().set_app_ticket(app_ticket.into()).await;
    }

    /// Asks the platform to push a new `app_ticket` event (store apps).
    pub async fn resend_app_ticket(&self) -> Result<()> {
        self.shared().resend_app_ticket().await
    }

    /// The tenant access token the client would send (cached, fetched if needed). `tenant_key`
    /// is needed for store apps only.
    pub async fn tenant_access_token(&self, tenant_key: Option<&str>) -> Result<Secret> {
        self.shared().tenant_token(tenant_key).await
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared().retry
    }

    /// The Open API base URL in force.
    pub fn base_url(&self) -> &str {
        &self.shared().base_url
    }
}

impl std::ops::Deref for Client {
    type Target = crate::Api<Tenant>;

    fn deref(&self) -> &Self::Target {
        &self.api
    }
}

/// Configures a [`Client`].
///
/// ```
/// use lark_im_chat::{Client, Domain, RetryPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .domain(Domain::Lark)
///     .timeout(Some(Duration::from_secs(10)))
///     .user_agent("my-bot/1.2")
///     .retry(RetryPolicy::default().max_attempts(4))
///     .build()?;
/// assert_eq!(client.base_url(), "https://open.larksuite.com");
/// # Ok::<(), lark_im_chat::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    app_id: String,
    app_secret: Secret,
    domain: Domain,
    base_url: Option<String>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    token_store: Option<Arc<dyn TokenStore>>,
    app_type: AppType,
    app_ticket: Option<Secret>,
}

impl ClientBuilder {
    /// Feishu or Lark. Default: Feishu.
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// Open Platform base URL, overriding the domain: a private deployment or a local test
    /// server, e.g. `http://127.0.0.1:8080`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Timeout of each HTTP exchange; `None` for none. Default: 30 s.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Timeout of establishing a connection. Default: none beyond [`timeout`](Self::timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// `User-Agent` header. Default: `lark-im-chat/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses a caller-configured `reqwest::Client` (proxies, TLS roots, pools). Timeouts and the
    /// user agent are then the caller's: setting them here too is a build error.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Retry policy. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where tokens are cached. Default: in memory, per client ([`MemoryTokenStore`]).
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Self-built ([`AppType::Custom`], the default) or store ([`AppType::Store`]) app. Store
    /// apps get tokens from the `app_ticket` (see [`Client::set_app_ticket`]) and call per tenant
    /// ([`Client::for_tenant`]).
    pub fn app_type(mut self, app_type: AppType) -> Self {
        self.app_type = app_type;
        self
    }

    /// An `app_ticket` already received (store apps), e.g. persisted from the last event.
    pub fn app_ticket(mut self, app_ticket: impl Into<Secret>) -> Self {
        self.app_ticket = Some(app_ticket.into());
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let config = |m: String| Error::Config(m);
        if self.app_id.trim().is_empty() {
            return Err(config("app id is empty".into()));
        }
        if self.app_secret.expose().is_empty() {
            return Err(config("app secret is empty".into()));
        }
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.domain.base_url().to_owned())
            .trim_end_matches('/')
            .to_owned();
        match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(config(format!(
                        "base URL must not carry a query or fragment, got {base_url:?}"
                    )));
                }
            }
            _ => {
                return Err(config(format!(
                    "base URL must be an http:// or https:// URL with a host, got {base_url:?}"
                )))
            }
        }
        if self.timeout == Some(Some(Duration::ZERO))
            || self.connect_timeout == Some(Duration::ZERO)
        {
            return Err(config("a timeout of zero can never succeed".into()));
        }
        if let Some(ua) = &self.user_agent {
            if reqwest::header::HeaderValue::from_str(ua).is_err() || ua.is_empty() {
                return Err(config(format!("invalid user agent {ua:?}")));
            }
        }
        let http = match self.http {
            Some(http) => {
                if self.timeout.is_some()
                    || self.connect_timeout.is_some()
                    || self.user_agent.is_some()
                {
                    return Err(config(
                        "timeouts and user agent belong to the caller-supplied reqwest::Client; \
                         set them there"
                            .into(),
                    ));
                }
                http
            }
            None => {
                let mut b = reqwest::Client::builder()
                    .user_agent(self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT));
                if let Some(t) = self.timeout.unwrap_or(Some(Duration::from_secs(30))) {
                    b = b.timeout(t);
                }
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                b.build()
                    .map_err(|e| config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let store = self
            .token_store
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::new()));
        let default_tenant_key = TokenKey::new(
            CachedTokenKind::TenantAccessToken,
            self.app_id.as_str(),
            None,
        );
        let shared = Arc::new(Shared {
            default_tenant_key,
            http,
            base_url,
            app_id: self.app_id,
            app_secret: self.app_secret,
            app_type: self.app_type,
            tokens: TokenCache::new(store),
            retry: self.retry,
            app_ticket_seed: std::sync::Mutex::new(self.app_ticket),
        });
        Ok(Client {
            api: crate::Api::new(Ctx {
                shared,
                auth: Tenant::default(),
            }),
        })
    }
}

/// What every generated handle carries: the shared client state and the token kind to send.
#[derive(Clone)]
pub struct Ctx<T: TokenKind> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) auth: T,
}

impl<T: TokenKind> std::fmt::Debug for Ctx<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// The platform's response envelope with `data` left raw, decoded in a second step so a
/// failure can name its JSON path.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    code: i64,
    #[serde(default, borrow)]
    msg: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    data: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

/// The envelope with `data` decoded in the same pass: the fast path of a well-formed response.
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "R: DeserializeOwned"))]
struct TypedEnvelope<R> {
    code: i64,
    #[serde(default)]
    data: Option<R>,
}

/// Codes meaning "this access token is not (or no longer) valid" (reference §1.5).
const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];

const LOG_ID_HEADERS: [&str; 2] = ["x-tt-logid", "x-request-id"];
const MAX_BODY_IN_ERROR: usize = 64 * 1024;

impl<T: TokenKind> Ctx<T> {
    /// Sends a described request and decodes the response `data`, retrying per the client's
    /// [`RetryPolicy`].
    ///
    /// A cached tenant token the platform rejects as invalid is evicted, and the call is repeated
    /// once with a fresh one (on top of the policy's attempts).
    pub async fn send<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R> {
        let span = tracing::debug_span!(
            "lark_im_chat.call",
            operation = req.meta.id,
            method = req.meta.method.as_str(),
            attempts = tracing::field::Empty,
        );
        self.send_with_retries(&req, &span)
            .instrument(span.clone())
            .await
    }

    async fn send_with_retries<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        span: &tracing::Span,
    ) -> Result<R> {
        let policy = &self.shared.retry;
        let start = Instant::now();
        let mut attempt = 0u32;
        let mut refreshed_token = false;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            let attempt_span = tracing::debug_span!(
                "lark_im_chat.attempt",
                operation = req.meta.id,
                attempt,
                status = tracing::field::Empty,
                log_id = tracing::field::Empty,
                code = tracing::field::Empty,
            );
            let result = self
                .send_once(req, &attempt_span)
                .instrument(attempt_span.clone())
                .await;
            let err = match result {
                Ok(data) => return Ok(data),
                Err(e) => e,
            };
            if let Some(code) = err.code() {
                attempt_span.record("code", code);
            }
            if !refreshed_token
                && matches!(err.code(), Some(c) if TOKEN_INVALID_CODES.contains(&c))
                && self.uses_cached_token()
            {
                refreshed_token = true;
                if let Some(key) = self.cache_key() {
                    self.shared.tokens.evict(&key).await;
                }
                tracing::debug!(
                    operation = req.meta.id,
                    "access token rejected; fetching a new one"
                );
                // The token refresh is not one of the policy's attempts.
                attempt -= 1;
                continue;
            }
            match policy.next_delay(req, &err, attempt, start.elapsed()) {
                Some(delay) => {
                    tracing::debug!(
                        operation = req.meta.id,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %err,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => return Err(err),
            }
        }
    }

    fn uses_cached_token(&self) -> bool {
        matches!(self.auth.access(), Access::Tenant { explicit: None, .. })
    }

    fn cache_key(&self) -> Option<TokenKey> {
        match self.auth.access() {
            Access::Tenant {
                tenant_key,
                explicit: None,
            } => Some(self.shared.tenant_key_of(tenant_key).into_owned()),
            _ => None,
        }
    }

    async fn send_once<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        span: &tracing::Span,
    ) -> Result<R> {
        let token = self.token().await?;
        let url = format!("{}{}", self.shared.base_url, req.path_and_query());
        let method = match req.meta.method {
            crate::HttpMethod::Get => reqwest::Method::GET,
            crate::HttpMethod::Post => reqwest::Method::POST,
            crate::HttpMethod::Put => reqwest::Method::PUT,
            crate::HttpMethod::Patch => reqwest::Method::PATCH,
            crate::HttpMethod::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self
            .shared
            .http
            .request(method, url)
            .header(reqwest::header::AUTHORIZATION, bearer(&token)?);
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.clone());
        }
        let transport = |source| Error::Transport {
            operation: req.meta.id,
            source,
        };
        let resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let log_id = log_id(resp.headers());
        let retry_after = retry::retry_after(resp.headers());
        span.record("status", status);
        if let Some(id) = &log_id {
            span.record("log_id", id.as_str());
        }
        let bytes = resp.bytes().await.map_err(transport)?;
        decode_response(req.meta.id, status, log_id, &bytes).map_err(|e| match e {
            Error::Api(mut api) => {
                api.retry_after = retry_after;
                api.required_scopes = req.meta.scopes;
                Error::Api(api)
            }
            Error::Decode(mut d) => {
                d.retry_after = retry_after;
                Error::Decode(d)
            }
            other => other,
        })
    }

    async fn token(&self) -> Result<Secret> {
        match self.auth.access() {
            Access::User(token) => Ok(token.clone()),
            Access::Tenant {
                explicit: Some(token),
                ..
            } => Ok(token.clone()),
            Access::Tenant {
                tenant_key,
                explicit: None,
            } => self.shared.tenant_token(tenant_key).await,
        }
    }
}

fn bearer(token: &Secret) -> Result<reqwest::header::HeaderValue> {
    let mut value = reqwest::header::HeaderValue::try_from(format!("Bearer {}", token.expose()))
        .map_err(|_| Error::Auth("the access token is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A token endpoint's answer, before it is judged.
struct TokenAnswer {
    status: u16,
    log_id: Option<String>,
    retry_after: Option<Duration>,
    body: TokenResponse,
}

impl Shared {
    fn ticket_key(&self) -> TokenKey {
        TokenKey::new(CachedTokenKind::AppTicket, self.app_id.as_str(), None)
    }

    fn app_token_key(&self) -> TokenKey {
        TokenKey::new(CachedTokenKind::AppAccessToken, self.app_id.as_str(), None)
    }

    /// Self-built apps have one tenant: their key ignores `tenant_key`. The key without tenant
    /// is made once per client, not per call.
    fn tenant_key_of(&self, tenant_key: Option<&str>) -> Cow<'_, TokenKey> {
        match (self.app_type, tenant_key) {
            (AppType::Store, Some(tenant)) => Cow::Owned(TokenKey::new(
                CachedTokenKind::TenantAccessToken,
                self.app_id.as_str(),
                Some(tenant.to_owned()),
            )),
            _ => Cow::Borrowed(&self.default_tenant_key),
        }
    }

    async fn set_app_ticket(&self, ticket: Secret) {
        let stored = StoredToken {
            value: ticket,
            use_until: SystemTime::now() + APP_TICKET_TTL,
        };
        self.tokens.store.set(&self.ticket_key(), stored).await;
    }

    pub(crate) async fn tenant_token(&self, tenant_key: Option<&str>) -> Result<Secret> {
        let key = self.tenant_key_of(tenant_key);
        // Hot path first; the fetch (a much larger future) is boxed so that every call's future
        // stays small.
        if let Some(token) = self.tokens.fresh(&key).await {
            return Ok(token);
        }
        Box::pin(self.fetch_tenant_token(key, tenant_key)).await
    }

    async fn fetch_tenant_token(
        &self,
        key: Cow<'_, TokenKey>,
        tenant_key: Option<&str>,
    ) -> Result<Secret> {
        match self.app_type {
            AppType::Custom => {
                self.tokens
                    .get_or_fetch(&key, || self.fetch_custom_tenant_token())
                    .await
            }
            AppType::Store => {
                let Some(tenant) = tenant_key else {
                    return Err(Error::Config(
                        "a store app calls in a tenant: use client.for_tenant(tenant_key)".into(),
                    ));
                };
                self.tokens
                    .get_or_fetch(&key, || self.fetch_store_tenant_token(tenant))
                    .await
            }
        }
    }

    async fn fetch_custom_tenant_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.tenant_access_token";
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
        });
        let answer = self.post_token(OP, TENANT_TOKEN_PATH, &body).await?;
        answer.body.into_token(
            OP,
            CachedTokenKind::TenantAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        )
    }

    async fn fetch_store_tenant_token(&self, tenant_key: &str) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.store_tenant_access_token";
        let mut refreshed = false;
        loop {
            let app_token = self.app_token().await?;
            let body = serde_json::json!({
                "app_access_token": app_token.expose(),
                "tenant_key": tenant_key,
            });
            let answer = self.post_token(OP, STORE_TENANT_TOKEN_PATH, &body).await?;
            match answer.body.into_token(
                OP,
                CachedTokenKind::TenantAccessToken,
                answer.status,
                answer.log_id,
                answer.retry_after,
            ) {
                Err(e)
                    if !refreshed
                        && matches!(e.code(), Some(c) if TOKEN_INVALID_CODES.contains(&c)) =>
                {
                    refreshed = true;
                    self.tokens.evict(&self.app_token_key()).await;
                }
                other => return other,
            }
        }
    }

    async fn app_token(&self) -> Result<Secret> {
        let key = self.app_token_key();
        self.tokens
            .get_or_fetch(&key, || self.fetch_store_app_token())
            .await
    }

    async fn fetch_store_app_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.app_access_token";
        let ticket_key = self.ticket_key();
        let ticket = match self.tokens.fresh(&ticket_key).await {
            Some(t) => Some(t),
            None => self
                .app_ticket_seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        };
        let Some(ticket) = ticket else {
            // Best effort: the ticket arrives later as an event.
            let resent = self.resend_app_ticket().await;
            return Err(Error::Auth(format!(
                "no app_ticket yet for this store app; {} — pass the next app_ticket event to \
                 Client::set_app_ticket and call again",
                match resent {
                    Ok(()) => "asked the platform to push one".to_owned(),
                    Err(e) => format!("asking the platform to push one failed: {e}"),
                }
            )));
        };
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
            "app_ticket": ticket.expose(),
        });
        let answer = self.post_token(OP, STORE_APP_TOKEN_PATH, &body).await?;
        let result = answer.body.into_token(
            OP,
            CachedTokenKind::AppAccessToken,
            answer.status,
            answer.log_id,
            answer.retry_after,
        );
        if matches!(&result, Err(e) if e.code() == Some(10012)) {
            // The ticket is invalid: drop it and ask for a new one.
            self.tokens.evict(&ticket_key).await;
            self.app_ticket_seed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            let _ = self.resend_app_ticket().await;
        }
        result
    }

    async fn resend_app_ticket(&self) -> Result<()> {
        const OP: &str = "auth.app_ticket_resend";
        let body = serde_json::json!({
            "app_id": self.app_id,
            "app_secret": self.app_secret.expose(),
        });
        let answer = self.post_token(OP, APP_TICKET_RESEND_PATH, &body).await?;
        match answer.body.code {
            0 => Ok(()),
            code => Err(Error::Api(Box::new(ApiError {
                operation: OP,
                status: answer.status,
                code,
                msg: answer.body.msg,
                log_id: answer.log_id,
                detail: None,
                retry_after: answer.retry_after,
                required_scopes: &[],
            }))),
        }
    }

    /// Posts to an auth/v3 endpoint. Neither the request nor the response body is ever kept
    /// in an error or a log: both hold secrets.
    async fn post_token(
        &self,
        operation: &'static str,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<TokenAnswer> {
        let span = tracing::debug_span!(
            "lark_im_chat.token",
            operation,
            status = tracing::field::Empty,
            log_id = tracing::field::Empty
        );
        let record = span.clone();
        async move {
            let transport = |source| Error::Transport { operation, source };
            let payload = serde_json::to_vec(body)
                .map_err(|e| Error::Auth(format!("cannot encode the token request: {e}")))?;
            let resp = self
                .http
                .post(format!("{}{}", self.base_url, path))
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(payload)
                .send()
                .await
                .map_err(transport)?;
            let status = resp.status().as_u16();
            let log_id = log_id(resp.headers());
            let retry_after = retry::retry_after(resp.headers());
            record.record("status", status);
            if let Some(id) = &log_id {
                record.record("log_id", id.as_str());
            }
            let bytes = resp.bytes().await.map_err(transport)?;
            let body: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
                Error::Decode(Box::new(DecodeError {
                    operation,
                    status,
                    code: None,
                    msg: None,
                    log_id: log_id.clone(),
                    path: String::new(),
                    message: e.to_string(),
                    // The body may hold a token: never keep it.
                    body: String::new(),
                    retry_after,
                }))
            })?;
            Ok(TokenAnswer {
                status,
                log_id,
                retry_after,
                body,
            })
        }
        .instrument(span)
        .await
    }
}

fn log_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    LOG_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Decodes a full response body (`{code, msg, data}`) of an operation into its `data` type.
pub fn decode_response<R: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    log_id: Option<String>,
    body: &[u8],
) -> Result<R> {
    let decode_err = |path: String, message: String, code: Option<i64>, msg: Option<String>| {
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BODY_IN_ERROR)]).into_owned();
        Error::Decode(Box::new(DecodeError {
            operation,
            status,
            code,
            msg,
            log_id: log_id.clone(),
            path,
            message,
            body: text,
            retry_after: None,
        }))
    };
    // Fast path: one pass over a successful response. Anything else (a business error, a body
    // that does not decode) takes the slow path below, which keeps all the evidence.
    if let Ok(TypedEnvelope { code: 0, data }) = serde_json::from_slice::<TypedEnvelope<R>>(body) {
        match data {
            Some(data) => return Ok(data),
            None => {
                if let Ok(empty) = serde_json::from_str::<R>("{}") {
                    return Ok(empty);
                }
            }
        }
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body)
        .map_err(|e| decode_err(String::new(), e.to_string(), None, None))?;
    if envelope.code != 0 {
        return Err(Error::Api(Box::new(ApiError {
            operation,
            status,
            code: envelope.code,
            msg: envelope.msg.into_owned(),
            log_id: log_id
                .clone()
                .or_else(|| envelope.error.as_ref().and_then(|e| e.log_id.clone())),
            detail: envelope.error,
            retry_after: None,
            required_scopes: &[],
        })));
    }
    let data = envelope.data.map_or("{}", |raw| raw.get());
    serde_json::from_str(data).map_err(|_| {
        // Decode again, slowly, only to name the failing path.
        let de = &mut serde_json::Deserializer::from_str(data);
        let (path, message) = match serde_path_to_error::deserialize::<_, R>(de) {
            Err(e) => (format!("data.{}", e.path()), e.into_inner().to_string()),
            Ok(_) => ("data".to_owned(), "inconsistent decode".to_owned()),
        };
        decode_err(
            path,
            message,
            Some(envelope.code),
            Some(envelope.msg.to_string()),
        )
    })
}
