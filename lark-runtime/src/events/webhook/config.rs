//! Configuration of a [`WebhookReceiver`](super::WebhookReceiver).

use std::time::Duration;

use super::{EncryptKey, VerificationToken};

/// Default accepted distance between the request timestamp and the receiver's clock.
pub const DEFAULT_TIMESTAMP_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Default largest accepted body, in bytes (1 MiB).
pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

/// Security settings of the webhook endpoint of one app.
///
/// Built with [`WebhookConfig::builder`]; [`WebhookConfig::default`] has no secrets, the default
/// timestamp window and the default body limit. Secrets are stored in [`VerificationToken`] and
/// [`EncryptKey`], whose `Debug` output is redacted, so printing a config never shows them.
///
/// What is checked depends on what is configured:
///
/// | configured | checks on events |
/// | --- | --- |
/// | Encrypt Key | body must be encrypted; `X-Lark-Signature` over the raw body; timestamp window |
/// | Verification Token | the token inside the payload, constant time |
/// | neither | none: any well-formed event is accepted (not recommended) |
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    verification_token: Option<VerificationToken>,
    encrypt_key: Option<EncryptKey>,
    timestamp_window: Option<Duration>,
    max_body_size: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            verification_token: None,
            encrypt_key: None,
            timestamp_window: Some(DEFAULT_TIMESTAMP_WINDOW),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }
}

impl WebhookConfig {
    /// Starts a builder with the defaults: no token, no key, a 5-minute timestamp window and a
    /// 1 MiB body limit.
    pub fn builder() -> WebhookConfigBuilder {
        WebhookConfigBuilder {
            config: Self::default(),
        }
    }

    /// The Verification Token, when configured.
    pub fn verification_token(&self) -> Option<&VerificationToken> {
        self.verification_token.as_ref()
    }

    /// The Encrypt Key, when configured.
    pub fn encrypt_key(&self) -> Option<&EncryptKey> {
        self.encrypt_key.as_ref()
    }

    /// How far `X-Lark-Request-Timestamp` may lie from the receiver's clock, in either
    /// direction; `None` disables the check.
    pub fn timestamp_window(&self) -> Option<Duration> {
        self.timestamp_window
    }

    /// Largest accepted body, in bytes.
    pub fn max_body_size(&self) -> usize {
        self.max_body_size
    }
}

/// Builder of [`WebhookConfig`].
#[derive(Debug, Clone)]
#[must_use]
pub struct WebhookConfigBuilder {
    config: WebhookConfig,
}

impl WebhookConfigBuilder {
    /// Sets the Verification Token; every payload must then carry it.
    pub fn verification_token(mut self, token: impl Into<String>) -> Self {
        self.config.verification_token = Some(VerificationToken::new(token));
        self
    }

    /// Sets the Encrypt Key; bodies must then be encrypted and signed. The AES key is derived
    /// here, once.
    pub fn encrypt_key(mut self, key: impl Into<String>) -> Self {
        self.config.encrypt_key = Some(EncryptKey::new(key));
        self
    }

    /// Sets how far the request timestamp (Unix seconds) may lie from the receiver's clock, in
    /// either direction, or disables the check with `None`. Default: 5 minutes.
    ///
    /// The timestamp is only checked on signed requests, that is when an Encrypt Key is
    /// configured: without a signature the header could be set to anything.
    pub fn timestamp_window(mut self, window: Option<Duration>) -> Self {
        self.config.timestamp_window = window;
        self
    }

    /// Sets the largest accepted body, in bytes. Default: 1 MiB.
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.config.max_body_size = bytes;
        self
    }

    /// Checks the settings and builds the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when a secret is an empty string (usually an unset environment
    /// variable, which would otherwise weaken or break verification silently) or the body limit
    /// is zero.
    pub fn build(self) -> Result<WebhookConfig, ConfigError> {
        let config = self.config;
        if config
            .verification_token
            .as_ref()
            .is_some_and(VerificationToken::is_empty)
        {
            return Err(ConfigError::EmptyVerificationToken);
        }
        if config
            .encrypt_key
            .as_ref()
            .is_some_and(EncryptKey::is_empty)
        {
            return Err(ConfigError::EmptyEncryptKey);
        }
        if config.max_body_size == 0 {
            return Err(ConfigError::ZeroMaxBodySize);
        }
        Ok(config)
    }
}

/// A [`WebhookConfigBuilder`] setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The Verification Token is an empty string.
    #[error("verification token is empty")]
    EmptyVerificationToken,
    /// The Encrypt Key is an empty string.
    #[error("encrypt key is empty")]
    EmptyEncryptKey,
    /// The body limit is zero.
    #[error("max body size is zero")]
    ZeroMaxBodySize,
}
