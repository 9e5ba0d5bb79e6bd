//! The request pipeline: size limit, decryption, signature, timestamp window, Verification
//! Token, routing facts.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderMap;

use super::envelope::{self, Envelope};
use super::event::{locate, Facts, Received, VerifiedEvent};
use super::signature::{verify_signature, TIMESTAMP_HEADER};
use super::{WebhookConfig, WebhookError};

/// How the signature of an encrypted request came out.
enum Auth {
    /// No Encrypt Key configured: nothing to verify.
    NoKey,
    /// Signature verified over the raw body.
    Signed,
    /// Signature missing or wrong; only a `url_verification` request may still pass.
    Failed(WebhookError),
}

/// What a payload turned out to be, before its plaintext is moved into the result.
enum Checked {
    Challenge(String),
    Event(Facts),
}

/// Verifies and classifies webhook requests of one app, as plain function calls over the
/// headers and the raw body: plug it into any HTTP server.
///
/// `receive` is synchronous, takes no lock and allocates little (the base64 decode buffer, which
/// becomes the plaintext, or one copy of a plaintext body): call it directly on the request
/// task. Clones share the configuration.
///
/// # Checks, in order
///
/// 1. The body size against [`WebhookConfig::max_body_size`] ([`WebhookError::BodyTooLarge`]).
/// 2. The body must be a UTF-8 JSON object.
/// 3. Encryption: with an Encrypt Key, the body must be `{"encrypt":"…"}`
///    ([`WebhookError::NotEncrypted`]); without one, it must not be
///    ([`WebhookError::EncryptKeyMissing`]).
/// 4. With an Encrypt Key, `X-Lark-Signature` is verified over the raw body **before** the
///    ciphertext is trusted. A request whose signature is missing or wrong is still decrypted,
///    because `url_verification` requests may come unsigned, but it is accepted only if it is
///    such a request; otherwise the signature error is returned whatever went wrong while
///    decrypting, so unsigned requests cannot be used as a padding oracle.
/// 5. The plaintext must be a UTF-8 JSON object.
/// 6. `url_verification` (`"type":"url_verification"`): the Verification Token is checked when
///    configured, and the challenge is returned. No signature or timestamp check.
/// 7. Events: signature (step 4), then, for signed requests, `X-Lark-Request-Timestamp` against
///    the [timestamp window](WebhookConfig::timestamp_window), then the Verification Token when
///    configured (`header.token` in schema 2.0, top-level `token` in 1.0), then the routing
///    facts.
///
/// De-duplication is left to the caller (see [`DedupStore`](super::DedupStore)), which keeps
/// this type free of shared state.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    config: Arc<WebhookConfig>,
}

impl WebhookReceiver {
    /// Creates a receiver. Logs a warning when neither an Encrypt Key nor a Verification Token
    /// is configured, since requests then cannot be authenticated.
    pub fn new(config: WebhookConfig) -> Self {
        if config.encrypt_key().is_none() && config.verification_token().is_none() {
            tracing::warn!(
                "webhook receiver has neither an encrypt key nor a verification token: \
                 any well-formed request will be accepted"
            );
        }
        Self {
            config: Arc::new(config),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &WebhookConfig {
        &self.config
    }

    /// Verifies and classifies one request, with the system clock as the time of receipt.
    ///
    /// `body` must be the HTTP body exactly as received: the signature covers its bytes.
    ///
    /// # Errors
    ///
    /// A [`WebhookError`] naming the failed check; answer with [`WebhookError::status`].
    pub fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<Received, WebhookError> {
        self.receive_at(headers, body, SystemTime::now())
    }

    /// Same as [`receive`](Self::receive) with an explicit time of receipt, for tests and for
    /// replaying stored requests.
    ///
    /// # Errors
    ///
    /// A [`WebhookError`] naming the failed check; answer with [`WebhookError::status`].
    pub fn receive_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Received, WebhookError> {
        let limit = self.config.max_body_size();
        if body.len() > limit {
            return Err(WebhookError::BodyTooLarge {
                size: body.len(),
                limit,
            });
        }
        let text = envelope::utf8(body)?;
        let outer = envelope::parse(text)?;

        match (outer.encrypt.as_str(), self.config.encrypt_key()) {
            (None, None) => {
                let checked = self.check(outer, text, Auth::NoKey, headers, now)?;
                Ok(finish(checked, || Bytes::copy_from_slice(body)))
            }
            (Some(_), None) => Err(WebhookError::EncryptKeyMissing),
            (None, Some(_)) => Err(WebhookError::NotEncrypted),
            (Some(encrypted), Some(key)) => {
                let auth = match verify_signature(headers, key, body) {
                    Ok(()) => Auth::Signed,
                    Err(e) => Auth::Failed(e),
                };
                // Unless the request is authentic, any failure reports the signature error.
                let fail = |e: WebhookError| match &auth {
                    Auth::Failed(sig) => sig.clone(),
                    Auth::NoKey | Auth::Signed => e,
                };
                let plaintext = key.decrypt(encrypted).map_err(fail)?;
                let inner_text = envelope::utf8(&plaintext).map_err(fail)?;
                let inner = envelope::parse(inner_text).map_err(fail)?;
                let checked = self.check(inner, inner_text, auth, headers, now)?;
                Ok(finish(checked, || Bytes::from(plaintext)))
            }
        }
    }

    /// Steps 6 and 7 on a parsed plaintext payload; `base` is its text.
    fn check(
        &self,
        env: Envelope<'_>,
        base: &str,
        auth: Auth,
        headers: &HeaderMap,
        now: SystemTime,
    ) -> Result<Checked, WebhookError> {
        let header_token = env.header.0.as_ref().and_then(|h| h.token.as_str());

        if env.kind.as_str() == Some("url_verification") {
            // The token sits at the top level; a schema 2.0 shaped request carries it in
            // `header` instead.
            let token = env.token.as_str().or(header_token);
            self.check_token(token)?;
            let challenge = env
                .challenge
                .into_string()
                .ok_or(WebhookError::MissingChallenge)?;
            return Ok(Checked::Challenge(challenge));
        }

        match auth {
            Auth::Failed(e) => return Err(e),
            Auth::Signed => self.check_timestamp(headers, now)?,
            Auth::NoKey => {}
        }

        let token = match env.schema.as_str() {
            None => env.token.as_str(),
            Some(_) => header_token,
        };
        // The schema itself is checked when the facts are located, after the token.
        self.check_token(token)?;
        let facts = locate(env, base)?;
        Ok(Checked::Event(facts))
    }

    /// Compares the payload token with the configured one, if any, in constant time.
    fn check_token(&self, received: Option<&str>) -> Result<(), WebhookError> {
        match self.config.verification_token() {
            None => Ok(()),
            Some(expected) if received.is_some_and(|r| expected.matches(r)) => Ok(()),
            Some(_) => Err(WebhookError::TokenMismatch),
        }
    }

    /// Checks `X-Lark-Request-Timestamp` (Unix seconds) against the window, in both directions.
    fn check_timestamp(&self, headers: &HeaderMap, now: SystemTime) -> Result<(), WebhookError> {
        let Some(window) = self.config.timestamp_window() else {
            return Ok(());
        };
        let value = headers
            .get(TIMESTAMP_HEADER)
            .ok_or(WebhookError::MissingTimestamp)?;
        let sent: i64 = std::str::from_utf8(value.as_bytes())
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(WebhookError::InvalidTimestamp)?;
        let now_secs: i128 = match now.duration_since(UNIX_EPOCH) {
            Ok(since) => i128::from(since.as_secs()),
            Err(before) => -i128::from(before.duration().as_secs()),
        };
        let age = now_secs - i128::from(sent);
        let window = i128::from(window.as_secs());
        if age > window {
            Err(WebhookError::StaleTimestamp {
                age_secs: u64::try_from(age).unwrap_or(u64::MAX),
            })
        } else if -age > window {
            Err(WebhookError::FutureTimestamp {
                ahead_secs: u64::try_from(-age).unwrap_or(u64::MAX),
            })
        } else {
            Ok(())
        }
    }
}

/// Builds the result, moving the plaintext in only for events.
fn finish(checked: Checked, plaintext: impl FnOnce() -> Bytes) -> Received {
    match checked {
        Checked::Challenge(challenge) => Received::Challenge { challenge },
        Checked::Event(facts) => Received::Event(VerifiedEvent::new(plaintext(), facts)),
    }
}
