//! The client: configuration and the state its clones and handles share.

use crate::auth::{Tenant, User};
use crate::config::Domain;
use crate::error::{Error, Result};
use crate::metadata::AppType;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::token::{CachedTokenKind, MemoryTokenStore, TokenCache, TokenKey, TokenStore};
use crate::transport::Ctx;
use std::sync::Arc;
use std::time::Duration;

const DEFAULT_USER_AGENT: &str = concat!("lark-im-chat/", env!("CARGO_PKG_VERSION"));

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
    pub(crate) default_tenant_key: TokenKey,
    /// The `app_ticket` given to the builder, used when the store holds none.
    pub(crate) app_ticket_seed: std::sync::Mutex<Option<Secret>>,
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
