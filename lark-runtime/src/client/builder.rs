//! Configuring a [`Client`]: domain or base URL, timeouts, user agent, retries, token store, app
//! type.

use crate::auth::{
    CachedTokenKind, MemoryTokenStore, Secret, Tenant, TokenCache, TokenKey, TokenProvider,
    TokenStore, DEFAULT_FAILURE_TTL,
};
use crate::client::ctx::Ctx;
use crate::client::rate_budget::{NoRateBudget, RateBudget};
use crate::client::shared::Shared;
use crate::client::{Client, Domain};
use crate::drift::DriftLog;
use crate::error::{Error, Result};
use crate::http::{RetryPolicy, Transport, DEFAULT_MAX_BODY, DEFAULT_TRANSFER_TIMEOUT};
use crate::meta::AppType;
use std::sync::Arc;
use std::time::Duration;

const DEFAULT_USER_AGENT: &str = concat!("lark-runtime/", env!("CARGO_PKG_VERSION"));

/// Longest accepted [`ClientBuilder::token_failure_cache`]: a failure remembered longer would
/// outlive the outage it reports.
const MAX_FAILURE_TTL: Duration = Duration::from_secs(60);

/// Configures a [`Client`].
///
/// ```
/// use lark_runtime::{Client, Domain, RetryPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder("cli_a1b2c3", "app-secret")
///     .domain(Domain::Lark)
///     .timeout(Some(Duration::from_secs(10)))
///     .user_agent("my-bot/1.2")
///     .retry(RetryPolicy::default().max_attempts(4))
///     .build()?;
/// assert_eq!(client.base_url(), "https://open.larksuite.com");
/// # Ok::<(), lark_runtime::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    app_id: String,
    app_secret: Secret,
    domain: Domain,
    base_url: Option<String>,
    timeout: Option<Option<Duration>>,
    transfer_timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    token_store: Option<Arc<dyn TokenStore>>,
    rate_budget: Option<Arc<dyn RateBudget>>,
    app_type: AppType,
    app_ticket: Option<Secret>,
    max_response_body: usize,
    token_failure_ttl: Duration,
    drift: Option<DriftLog>,
}

impl ClientBuilder {
    pub(crate) fn new(app_id: String, app_secret: Secret) -> Self {
        Self {
            app_id,
            app_secret,
            domain: Domain::default(),
            base_url: None,
            timeout: None,
            transfer_timeout: None,
            connect_timeout: None,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            token_store: None,
            rate_budget: None,
            app_type: AppType::Custom,
            app_ticket: None,
            max_response_body: DEFAULT_MAX_BODY,
            token_failure_ttl: DEFAULT_FAILURE_TTL,
            drift: None,
        }
    }

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

    /// Timeout of each upload or download exchange, body included, in place of
    /// [`timeout`](Self::timeout) (meant for small JSON answers); `None` for none. Default:
    /// 10 min. With [`http_client`](Self::http_client), that client's timeouts apply instead.
    pub fn transfer_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.transfer_timeout = Some(timeout);
        self
    }

    /// Timeout of establishing a connection. Default: none beyond [`timeout`](Self::timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// `User-Agent` header. Default: `lark-runtime/<version>`.
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

    /// A rate budget consulted before each attempt (e.g. one shared by replicas). Default:
    /// none ([`NoRateBudget`]), the platform's rate-limit answers alone pace the client.
    pub fn rate_budget(mut self, budget: Arc<dyn RateBudget>) -> Self {
        self.rate_budget = Some(budget);
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

    /// Largest response body accepted, in bytes, for API and token calls alike: a larger
    /// `Content-Length`, or a body that grows past it while it streams in, ends the call with
    /// [`Error::BodyTooLarge`] (never retried). Default: 4 MiB.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// How long a failed token fetch is remembered: calls in that time get the same error
    /// without asking the token endpoint again (a retry waits until it is over, if its budget
    /// allows), so a failing endpoint sees a trickle of requests, not one per call. Zero turns
    /// it off; at most 60 s. Default: 1 s.
    pub fn token_failure_cache(mut self, ttl: Duration) -> Self {
        self.token_failure_ttl = ttl;
        self
    }

    /// Notes response fields and enum values the spec does not know in `log` (see
    /// [`DriftLog`]). Default: off, at no cost.
    pub fn drift_log(mut self, log: DriftLog) -> Self {
        self.drift = Some(log);
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
            || self.transfer_timeout == Some(Some(Duration::ZERO))
            || self.connect_timeout == Some(Duration::ZERO)
        {
            return Err(config("a timeout of zero can never succeed".into()));
        }
        if self.max_response_body == 0 {
            return Err(config(
                "a response body limit of zero can never succeed".into(),
            ));
        }
        if self.token_failure_ttl > MAX_FAILURE_TTL {
            return Err(config(format!(
                "token_failure_cache is at most {} s, got {:?}",
                MAX_FAILURE_TTL.as_secs(),
                self.token_failure_ttl
            )));
        }
        if let Some(ua) = &self.user_agent {
            if reqwest::header::HeaderValue::from_str(ua).is_err() || ua.is_empty() {
                return Err(config(format!("invalid user agent {ua:?}")));
            }
        }
        // A caller-supplied HTTP client keeps its own timeouts for transfers too.
        let transfer_timeout = match (&self.http, self.transfer_timeout) {
            (Some(_), _) => None,
            (None, Some(limit)) => limit,
            (None, None) => Some(DEFAULT_TRANSFER_TIMEOUT),
        };
        let http = match self.http {
            Some(http) => {
                if self.timeout.is_some()
                    || self.transfer_timeout.is_some()
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
        let transport = Arc::new(Transport {
            http,
            base_url,
            max_body: self.max_response_body,
            transfer_timeout,
        });
        let shared = Arc::new(Shared {
            rate_budget: self.rate_budget.unwrap_or_else(|| Arc::new(NoRateBudget)),
            transport: transport.clone(),
            tokens: Arc::new(TokenProvider {
                transport,
                default_tenant_key,
                app_id: self.app_id,
                app_secret: self.app_secret,
                app_type: self.app_type,
                cache: TokenCache::new(store, self.token_failure_ttl),
                app_ticket_seed: std::sync::Mutex::new(self.app_ticket),
                max_wait: self.retry.get_total_budget(),
            }),
            drift: self.drift,
            retry: self.retry,
        });
        Ok(Client::new(Ctx {
            shared,
            auth: Tenant::default(),
        }))
    }
}
