//! The client: its configuration, the token of a call, and the call pipeline every family's
//! generated handles share.
//!
//! [`Client`] names no operation: each family adds its handles with a generated extension
//! trait (the group-chat family's `ImChatApi` gives `client.chat(id)`), so one client value
//! serves every family.

mod answer;
mod builder;
mod ctx;
mod domain;
mod local_rate_budget;
mod pagination;
mod rate_budget;
mod shared;

pub use builder::ClientBuilder;
pub use ctx::Ctx;
pub use domain::{Domain, FEISHU_BASE_URL, LARK_BASE_URL};
pub use local_rate_budget::{LocalRateBudget, DEFAULT_MAX_RATE_KEYS};
pub use pagination::{items, pages, Page, Paginated};
#[cfg(feature = "redis")]
pub(crate) use rate_budget::bounded_partition;
pub use rate_budget::{Admission, NoRateBudget, RateBudget, RateKey};

use crate::auth::user::{SourcedUser, UserTokenSourceBuilder};
use crate::auth::TokenKind;
use crate::auth::{Secret, Tenant, User};
use crate::error::Result;
use crate::http::RetryPolicy;
use shared::Shared;
use std::sync::Arc;

/// A client of the Feishu/Lark Open Platform: the entry point to every family's operations.
/// Cheap to clone: clones share connections and tokens.
///
/// `T` is the kind of access token its calls send: [`Tenant`] (the default, from
/// [`Client::builder`]) or [`User`] ([`as_user`](Client::as_user),
/// [`as_user_with`](Client::as_user_with)). Families generate extension traits on it, so the
/// operations of every family in scope are methods of the same value:
///
/// ```no_run
/// # async fn run() -> Result<(), lark_runtime::Error> {
/// use lark_runtime::Client;
///
/// let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
/// // With `use lark_runtime::prelude::*;`:
/// // let chat = client.chat("oc_a0553eda9014c201e6969b478895c230").get().send().await?;
/// # let _ = client;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client<T: TokenKind = Tenant> {
    ctx: Ctx<T>,
}

impl<T: TokenKind> Client<T> {
    /// A client over a call context (what generated handles carry).
    pub fn new(ctx: Ctx<T>) -> Self {
        Self { ctx }
    }

    /// The call context the handles send with.
    pub fn ctx(&self) -> &Ctx<T> {
        &self.ctx
    }
}

impl Client<Tenant> {
    /// Starts configuring a client for an app (self-built by default; see
    /// [`ClientBuilder::app_type`]).
    pub fn builder(app_id: impl Into<String>, app_secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder::new(app_id.into(), app_secret.into())
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.ctx().shared
    }

    /// A client that calls with a user access token instead of the tenant token. Operations a
    /// family's spec allows only with a tenant token do not exist on it (they require
    /// [`TenantOnly`](crate::auth::TenantOnly)).
    ///
    /// ```no_run
    /// # fn run(client: lark_runtime::Client) {
    /// let mine = client.as_user("u-user-access-token");
    /// // mine.chats().list().send().await? with the group-chat family in scope
    /// # let _ = mine; }
    /// ```
    pub fn as_user(&self, user_access_token: impl Into<Secret>) -> Client<User> {
        Client::new(Ctx {
            shared: self.shared().clone(),
            auth: User::new(user_access_token),
        })
    }

    /// Handles that call as a user whose token a
    /// [`UserTokenSource`](crate::auth::user::UserTokenSource) keeps fresh: refreshed before it
    /// expires, and once more (then the call repeated once) if the platform rejects it.
    /// Tenant-only operations do not exist on these handles either.
    ///
    /// ```no_run
    /// # fn run(client: lark_runtime::Client) {
    /// let tokens = client.user_tokens().build();
    /// let alice = client.as_user_with(tokens.user("ou_alice"));
    /// // alice.chats().list().send().await? with the group-chat family in scope
    /// # let _ = alice; }
    /// ```
    pub fn as_user_with(&self, user: SourcedUser) -> Client<User> {
        Client::new(Ctx {
            shared: self.shared().clone(),
            auth: User::from_source(user),
        })
    }

    /// Configures a source of user tokens (OAuth code exchange, refresh, storage) for this app,
    /// sharing the client's HTTP connections.
    pub fn user_tokens(&self) -> UserTokenSourceBuilder {
        UserTokenSourceBuilder::new(&self.shared().tokens)
    }

    /// Handles that send this tenant token as is, bypassing the cache. An explicit token always
    /// wins over the cached one.
    pub fn with_tenant_token(&self, tenant_access_token: impl Into<Secret>) -> Client<Tenant> {
        Client::new(Ctx {
            shared: self.shared().clone(),
            auth: Tenant::explicit(tenant_access_token),
        })
    }

    /// Handles that call in one tenant of a store app, with that tenant's cached token (fetched
    /// from the app token and the `tenant_key`). For a self-built app, which has one tenant, the
    /// key is ignored.
    ///
    /// ```no_run
    /// # fn run(client: lark_runtime::Client) {
    /// // `tenant_key` comes from an event header or the app-enabled event.
    /// let tenant = client.for_tenant("736588c9260f175d");
    /// # let _ = tenant; }
    /// ```
    pub fn for_tenant(&self, tenant_key: impl Into<String>) -> Client<Tenant> {
        Client::new(Ctx {
            shared: self.shared().clone(),
            auth: Tenant::cached(Some(tenant_key.into())),
        })
    }

    /// Stores the `app_ticket` the platform pushed (store apps: the hourly `app_ticket` event).
    pub async fn set_app_ticket(&self, app_ticket: impl Into<Secret>) {
        self.shared().tokens.set_app_ticket(app_ticket.into()).await;
    }

    /// Asks the platform to push a new `app_ticket` event (store apps).
    pub async fn resend_app_ticket(&self) -> Result<()> {
        self.shared().tokens.resend_app_ticket().await
    }

    /// The tenant access token the client would send (cached, fetched if needed). `tenant_key`
    /// is needed for store apps only.
    pub async fn tenant_access_token(&self, tenant_key: Option<&str>) -> Result<Secret> {
        self.shared().tokens.tenant_token(tenant_key).await
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.shared().retry
    }

    /// The Open API base URL in force.
    pub fn base_url(&self) -> &str {
        &self.shared().transport.base_url
    }
}
