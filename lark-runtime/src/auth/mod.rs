//! Access tokens: which kind a handle sends, where tokens are kept, and how they are obtained.
//!
//! - [`Tenant`] / [`User`] ([`TokenKind`]): the token kind in the type system.
//! - [`TokenStore`] ([`MemoryTokenStore`] by default): where tokens are kept.
//! - The provider (internal): cache, single-flight fetch and the auth/v3 token endpoints.
//! - [`user`]: user tokens that stay fresh (OAuth code exchange, refresh, [`user::UserTokenStore`]).

mod cache;
mod endpoints;
mod flight;
mod kinds;
pub(crate) mod provider;
mod secret;
mod store;
pub mod user;

#[doc(hidden)]
pub use kinds::Access;
pub use kinds::{Tenant, TenantOnly, TokenKind, User, UserOnly};
pub use secret::Secret;
pub use store::{CachedTokenKind, MemoryTokenStore, StoredToken, TokenKey, TokenStore};

pub(crate) use cache::TokenCache;
pub(crate) use flight::DEFAULT_FAILURE_TTL;
pub(crate) use provider::TokenProvider;

/// Whether the platform rejected the app's tenant or app token: a `token_invalid` code of
/// `spec/errors.yaml`.
pub(crate) fn token_rejected(err: &crate::error::Error) -> bool {
    err.code()
        .is_some_and(|_| err.class() == Some(crate::meta::ErrorClass::TokenInvalid))
}
