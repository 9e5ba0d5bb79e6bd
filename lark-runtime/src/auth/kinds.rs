//! Which access token a call uses, in the type system and at run time.
//!
//! Handles are generic over a [`TokenKind`]: [`Tenant`] (the default) or [`User`]. The generator
//! puts tenant-only operations in `impl Handle<Tenant>` blocks, so calling one through a user-token
//! handle does not compile.

use crate::auth::user::SourcedUser;
use crate::auth::Secret;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Tenant {}
    impl Sealed for super::User {}
}

/// The kind of access token a handle sends. Implemented by [`Tenant`] and [`User`] only.
pub trait TokenKind: sealed::Sealed + Clone + Send + Sync + std::fmt::Debug + 'static {
    /// What the transport needs to authorize a call.
    #[doc(hidden)]
    fn access(&self) -> Access<'_>;
}

/// Token kinds that may call operations the platform allows only with a tenant access token.
/// Implemented by [`Tenant`] only.
#[diagnostic::on_unimplemented(
    message = "this operation accepts only a tenant access token, not a `{Self}` token",
    label = "tenant-only operation",
    note = "call it through `client` (tenant token), not through `client.as_user(..)`"
)]
pub trait TenantOnly: TokenKind {}

impl TenantOnly for Tenant {}

/// Token kinds that may call operations the platform allows only with a user access token.
/// Implemented by [`User`] only.
#[diagnostic::on_unimplemented(
    message = "this operation accepts only a user access token, not a `{Self}` token",
    label = "user-only operation",
    note = "call it through `client.as_user(..)`"
)]
pub trait UserOnly: TokenKind {}

impl UserOnly for User {}

/// How one call is authorized.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// Tenant token: explicit, or from the cache for the app (and tenant, for store apps).
    Tenant {
        /// Tenant of a store app.
        tenant_key: Option<&'a str>,
        /// A token given for this call, which wins over the cache.
        explicit: Option<&'a Secret>,
    },
    /// A user access token given by the caller.
    User(&'a Secret),
    /// A user access token from a refreshing source.
    UserSource(&'a SourcedUser),
}

/// Calls made as the app in a tenant (`tenant_access_token`).
#[derive(Debug, Clone, Default)]
pub struct Tenant {
    pub(crate) tenant_key: Option<String>,
    pub(crate) explicit: Option<Secret>,
}

impl Tenant {
    /// Tenant token fetched and cached by the client (for store apps: of this tenant).
    pub fn cached(tenant_key: Option<String>) -> Self {
        Self {
            tenant_key,
            explicit: None,
        }
    }

    /// A tenant token supplied by the caller, used as is.
    pub fn explicit(token: impl Into<Secret>) -> Self {
        Self {
            tenant_key: None,
            explicit: Some(token.into()),
        }
    }
}

impl TokenKind for Tenant {
    fn access(&self) -> Access<'_> {
        Access::Tenant {
            tenant_key: self.tenant_key.as_deref(),
            explicit: self.explicit.as_ref(),
        }
    }
}

/// Calls made for a signed-in user (`user_access_token`).
#[derive(Debug, Clone)]
pub struct User {
    pub(crate) token: UserTokenOrigin,
}

/// Where a user handle's token comes from.
#[derive(Debug, Clone)]
pub(crate) enum UserTokenOrigin {
    /// Given by the caller, sent as is.
    Given(Secret),
    /// From a source that refreshes it.
    Source(SourcedUser),
}

impl User {
    /// A user access token obtained by the caller's OAuth flow, sent as is.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self {
            token: UserTokenOrigin::Given(token.into()),
        }
    }

    /// The token of a user of a [`UserTokenSource`](crate::auth::user::UserTokenSource), kept
    /// fresh by it.
    pub fn from_source(user: SourcedUser) -> Self {
        Self {
            token: UserTokenOrigin::Source(user),
        }
    }
}

impl TokenKind for User {
    fn access(&self) -> Access<'_> {
        match &self.token {
            UserTokenOrigin::Given(token) => Access::User(token),
            UserTokenOrigin::Source(user) => Access::UserSource(user),
        }
    }
}
