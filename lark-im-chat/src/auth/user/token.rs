//! A user's tokens as one typed value: the access token, the refresh token, when each expires
//! and the scopes granted.

use crate::auth::Secret;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A user access token and what comes with it, as issued by the OAuth token endpoint.
///
/// `Debug` shows neither token (they are [`Secret`]s). `Serialize` writes them in clear, for
/// [`UserTokenStore`](super::UserTokenStore)s that persist tokens: keep such stores private.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct UserToken {
    /// The `user_access_token` sent as `Authorization: Bearer …`.
    pub access_token: Secret,
    /// When the platform stops accepting the access token.
    #[serde(with = "unix_seconds")]
    pub access_expires_at: SystemTime,
    /// The single-use refresh token; only present when `offline_access` was granted.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// When the refresh token expires, if the platform said.
    #[serde(default, with = "opt_unix_seconds")]
    pub refresh_expires_at: Option<SystemTime>,
    /// Scopes granted to the token (the response's space-separated `scope`).
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl UserToken {
    /// A token whose lifetimes count from `now`.
    pub fn new(
        access_token: impl Into<Secret>,
        expires_in: Duration,
        refresh_token: Option<Secret>,
        refresh_expires_in: Option<Duration>,
        scopes: Vec<String>,
    ) -> Self {
        let now = SystemTime::now();
        Self {
            access_token: access_token.into(),
            access_expires_at: now + expires_in,
            refresh_token,
            refresh_expires_at: refresh_expires_in.map(|d| now + d),
            scopes,
        }
    }

    /// Whether the access token expires within `margin` from now (or has expired).
    pub fn access_expires_within(&self, margin: Duration) -> bool {
        SystemTime::now() + margin >= self.access_expires_at
    }

    /// The refresh token, if there is one and its own lifetime is not over.
    pub fn usable_refresh_token(&self) -> Option<&Secret> {
        let alive = match self.refresh_expires_at {
            Some(at) => SystemTime::now() < at,
            None => true,
        };
        self.refresh_token.as_ref().filter(|_| alive)
    }
}

/// Seconds since the Unix epoch: a plain number in persisted tokens.
mod unix_seconds {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        at: &SystemTime,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        s.serialize_u64(secs)
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<SystemTime, D::Error> {
        let secs = <u64 as serde::Deserialize>::deserialize(d)?;
        Ok(UNIX_EPOCH + Duration::from_secs(secs))
    }
}

mod opt_unix_seconds {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        at: &Option<SystemTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::unix_seconds::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SystemTime>, D::Error> {
        let secs = <Option<u64> as serde::Deserialize>::deserialize(d)?;
        Ok(secs.map(|s| UNIX_EPOCH + Duration::from_secs(s)))
    }
}
