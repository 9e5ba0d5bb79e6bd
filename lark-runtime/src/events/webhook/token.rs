//! The Verification Token.

use std::fmt;

use subtle::ConstantTimeEq;

/// The Verification Token of an app (developer console, "Events and callbacks" >
/// "Encryption strategy").
///
/// Every event payload carries it (`header.token` in schema 2.0, `token` at the top level in
/// schema 1.0 and in `url_verification` requests). Without an Encrypt Key it is the only proof
/// that a request comes from the platform; with one it is checked in addition to the signature.
///
/// Its [`Debug`] output is a fixed redaction; the token cannot be read back through the public
/// API. The token text is not zeroed on drop.
#[derive(Clone)]
pub struct VerificationToken(Box<str>);

impl VerificationToken {
    /// Wraps the token as shown in the developer console.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().into_boxed_str())
    }

    /// `true` when the token text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token text, for building test callbacks (feature `testing`).
    #[cfg(feature = "testing")]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Compares `candidate` with the token in constant time with respect to their contents
    /// (a length difference returns `false` at once; token lengths are not secret).
    pub fn matches(&self, candidate: &str) -> bool {
        bool::from(self.0.as_bytes().ct_eq(candidate.as_bytes()))
    }
}

impl fmt::Debug for VerificationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerificationToken(<redacted>)")
    }
}
