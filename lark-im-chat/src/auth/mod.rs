//! Access tokens: which kind a handle sends, where tokens are kept, and how they are obtained.
//!
//! - [`Tenant`] / [`User`] ([`TokenKind`]): the token kind in the type system.
//! - [`TokenStore`] ([`MemoryTokenStore`] by default): where tokens are kept.
//! - The provider (internal): cache, single-flight fetch and the auth/v3 token endpoints.
//! - [`user`]: user tokens that stay fresh (OAuth code exchange, refresh, [`user::UserTokenStore`]).

mod cache;
mod endpoints;
mod kinds;
pub(crate) mod provider;
mod secret;
mod store;
pub mod user;

#[doc(hidden)]
pub use kinds::Access;
pub use kinds::{Tenant, TokenKind, User};
pub use secret::Secret;
pub use store::{CachedTokenKind, MemoryTokenStore, StoredToken, TokenKey, TokenStore};

pub(crate) use cache::TokenCache;
pub(crate) use provider::TokenProvider;

/// Codes meaning "this access token is not (or no longer) valid" (reference §1.5).
pub(crate) const TOKEN_INVALID_CODES: [i64; 3] = [99991663, 99991664, 99991671];
