//! The client: configuration, the shared HTTP connection pool and the token cache.

use crate::auth::{Access, Tenant, TokenKind, User};
use crate::error::{ApiError, DecodeError, Error, ErrorDetail, Result};
use crate::request::ApiRequest;
use crate::secret::Secret;
use crate::token::{TokenCache, TokenKey, TokenResponse, TENANT_TOKEN_PATH};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// Feishu (China) Open Platform host.
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";
/// Lark (international) Open Platform host.
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";

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
    pub(crate) tokens: TokenCache,
}

impl Client {
    /// Starts configuring a client for a self-built app.
    pub fn builder(app_id: impl Into<String>, app_secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            base_url: FEISHU_BASE_URL.to_owned(),
            timeout: Some(Duration::from_secs(30)),
            http: None,
        }
    }

    fn shared(&self) -> &Shared {
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
            shared: self.api.ctx().shared.clone(),
            auth: User::new(user_access_token),
        })
    }

    /// Handles that send this tenant token as is, bypassing the cache.
    pub fn with_tenant_token(&self, tenant_access_token: impl Into<Secret>) -> crate::Api<Tenant> {
        crate::Api::new(Ctx {
            shared: self.api.ctx().shared.clone(),
            auth: Tenant::explicit(tenant_access_token),
        })
    }
}

impl std::ops::Deref for Client {
    type Target = crate::Api<Tenant>;

    fn deref(&self) -> &Self::Target {
        &self.api
    }
}

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    app_id: String,
    app_secret: Secret,
    base_url: String,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Open Platform host, e.g. [`LARK_BASE_URL`] or a local test server. Default: Feishu.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Timeout of each HTTP exchange; `None` for none. Default: 30 s.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses a caller-configured `reqwest::Client` (proxies, TLS roots, pools); `timeout` is then ignored.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        if self.app_id.trim().is_empty() {
            return Err(Error::Config("app id is empty".into()));
        }
        if self.app_secret.expose().is_empty() {
            return Err(Error::Config("app secret is empty".into()));
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(Error::Config(format!(
                "base URL must start with https:// or http://, got {base_url:?}"
            )));
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder()
                    .user_agent(concat!("lark-im-chat/", env!("CARGO_PKG_VERSION")));
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let shared = Arc::new(Shared {
            http,
            base_url,
            app_id: self.app_id,
            app_secret: self.app_secret,
            tokens: TokenCache::default(),
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

/// Codes meaning "this access token is not (or no longer) valid" (reference §1.5).
const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];

const LOG_ID_HEADERS: [&str; 2] = ["x-tt-logid", "x-request-id"];
const MAX_BODY_IN_ERROR: usize = 64 * 1024;

impl<T: TokenKind> Ctx<T> {
    /// Sends a described request and decodes the response `data`.
    ///
    /// A cached tenant token the platform rejects as invalid is evicted, and the call is retried
    /// once with a fresh one.
    pub async fn send<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R> {
        match self.send_once(&req).await {
            Err(Error::Api(e))
                if TOKEN_INVALID_CODES.contains(&e.code) && self.uses_cached_token() =>
            {
                if let Some(key) = self.cache_key() {
                    self.shared.tokens.evict(&key);
                }
                self.send_once(&req).await
            }
            other => other,
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
            } => Some((
                self.shared.app_id.as_str().into(),
                tenant_key.map(Into::into),
            )),
            _ => None,
        }
    }

    async fn send_once<R: DeserializeOwned>(&self, req: &ApiRequest) -> Result<R> {
        let token = self.token().await?;
        let url = format!("{}{}", self.shared.base_url, req.path_and_query());
        let method = reqwest::Method::from_bytes(req.meta.method.as_str().as_bytes())
            .map_err(|e| Error::Config(e.to_string()))?;
        let mut builder = self.shared.http.request(method, url).header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", token.expose()),
        );
        if let Some(body) = &req.body {
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.clone());
        }
        let resp = builder.send().await.map_err(|source| Error::Transport {
            operation: req.meta.id,
            source,
        })?;
        let status = resp.status().as_u16();
        let log_id = log_id(resp.headers());
        let bytes = resp.bytes().await.map_err(|source| Error::Transport {
            operation: req.meta.id,
            source,
        })?;
        decode_response(req.meta.id, status, log_id, &bytes)
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
            } => {
                let key: TokenKey = (
                    self.shared.app_id.as_str().into(),
                    tenant_key.map(Into::into),
                );
                self.shared
                    .tokens
                    .get_or_fetch(&key, || self.fetch_tenant_token())
                    .await
            }
        }
    }

    async fn fetch_tenant_token(&self) -> Result<(Secret, Duration)> {
        const OP: &str = "auth.tenant_access_token";
        let body = serde_json::json!({
            "app_id": self.shared.app_id,
            "app_secret": self.shared.app_secret.expose(),
        });
        let resp = self
            .shared
            .http
            .post(format!("{}{}", self.shared.base_url, TENANT_TOKEN_PATH))
            .json(&body)
            .send()
            .await
            .map_err(|source| Error::Transport {
                operation: OP,
                source,
            })?;
        let status = resp.status().as_u16();
        let log_id = log_id(resp.headers());
        let bytes = resp.bytes().await.map_err(|source| Error::Transport {
            operation: OP,
            source,
        })?;
        let parsed: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Decode(Box::new(DecodeError {
                operation: OP,
                status,
                code: None,
                msg: None,
                log_id: log_id.clone(),
                path: String::new(),
                message: e.to_string(),
                // The body may hold a token: never keep it.
                body: String::new(),
            }))
        })?;
        parsed.into_token(status, log_id)
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
        }))
    };
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
