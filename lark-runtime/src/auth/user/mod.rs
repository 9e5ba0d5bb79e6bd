//! User access tokens that stay fresh: the OAuth authorization and code exchange, the typed
//! token, where tokens are stored, and the refreshing source the user handles call with.
//!
//! ```no_run
//! # async fn run(client: lark_runtime::Client, code: &str) -> Result<(), lark_runtime::Error> {
//! let tokens = client.user_tokens().build();
//! let request = tokens.authorization("https://example.com/callback", &["offline_access"]);
//! // Send the user to `request.url`; on the callback, check `state`, then:
//! tokens
//!     .sign_in("ou_alice", code, "https://example.com/callback", Some(&request.code_verifier))
//!     .await?;
//! let alice = client.as_user_with(tokens.user("ou_alice"));
//! // With a family's prelude in scope: alice.chats().list().send().await?
//! # let _ = alice; Ok(()) }
//! ```

mod oauth;
mod source;
mod store;
mod token;

pub use oauth::{pkce_challenge, AuthorizationRequest};
pub(crate) use source::is_user_token_rejected;
pub use source::{SourcedUser, UserTokenSource, UserTokenSourceBuilder};
pub use store::{MemoryUserTokenStore, UserTokenStore, UserTokenStoreError};
pub use token::{UserToken, MAX_USER_TOKEN_LIFETIME};
