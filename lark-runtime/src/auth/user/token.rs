//! A user's tokens as one typed value: the access token, the refresh token, when each expires
//! and the scopes granted.

use crate::auth::store::refresh_margin;
use crate::auth::Secret;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest lifetime taken from the OAuth endpoint (refresh tokens live up to a year); a larger
/// `expires_in` is read as this, so no answer can overflow the clock.
pub const MAX_USER_TOKEN_LIFETIME: Duration = Duration::from_secs(400 * 24 * 3600);

/// `now + d` with `d` clamped to [`MAX_USER_TOKEN_LIFETIME`]; never panics.
fn after(now: SystemTime, d: Duration) -> SystemTime {
    now.checked_add(d.min(MAX_USER_TOKEN_LIFETIME))
        .unwrap_or(now)
}

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
    /// When the access token was issued (`None` for a token stored without it): with
    /// `access_expires_at` it gives the lifetime the refresh margin scales with.
    #[serde(default, with = "opt_unix_seconds")]
    pub access_issued_at: Option<SystemTime>,
}

impl UserToken {
    /// A token whose lifetimes count from now, each clamped to [`MAX_USER_TOKEN_LIFETIME`].
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
            access_expires_at: after(now, expires_in),
            refresh_token,
            refresh_expires_at: refresh_expires_in.map(|d| after(now, d)),
            scopes,
            access_issued_at: Some(now),
        }
    }

    /// Whether the access token is due for a refresh: it expires within `margin` (or 10 % of its
    /// lifetime, if more), but never earlier than half its lifetime, so that a short-lived token
    /// is used for a while instead of being refreshed on every call. Without an issue time, the
    /// lifetime is unknown and `margin` applies as it is.
    pub fn refresh_due(&self, margin: Duration) -> bool {
        let margin = match self.access_issued_at {
            Some(issued) => {
                let lifetime = self
                    .access_expires_at
                    .duration_since(issued)
                    .unwrap_or_default();
                refresh_margin(lifetime, margin)
            }
            None => margin,
        };
        self.access_expires_within(margin)
    }

    /// Whether the access token expires within `margin` from now (or has expired).
    pub fn access_expires_within(&self, margin: Duration) -> bool {
        // A margin the clock cannot add means "any time from now": due.
        match SystemTime::now().checked_add(margin) {
            Some(due) => due >= self.access_expires_at,
            None => true,
        }
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
        UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .ok_or_else(|| serde::de::Error::custom("time out of range"))
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
        secs.map(|s| {
            UNIX_EPOCH
                .checked_add(Duration::from_secs(s))
                .ok_or_else(|| serde::de::Error::custom("time out of range"))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_lifetime_or_stored_time_can_overflow_the_clock() {
        let token = UserToken::new(
            "u-access",
            Duration::MAX,
            Some(Secret::new("ur-refresh")),
            Some(Duration::from_secs(u64::MAX)),
            vec![],
        );
        assert!(token.access_expires_at > SystemTime::now() + Duration::from_secs(3600));
        assert!(token.access_expires_within(Duration::MAX));
        assert!(token.usable_refresh_token().is_some());
        let stored = r#"{"access_token":"u-a","access_expires_at":18446744073709551615}"#;
        assert!(serde_json::from_str::<UserToken>(stored).is_err());
        let stored = r#"{"access_token":"u-a","access_expires_at":1,"refresh_expires_at":18446744073709551615}"#;
        assert!(serde_json::from_str::<UserToken>(stored).is_err());
    }

    #[test]
    fn the_refresh_margin_is_at_most_half_the_lifetime() {
        let five_minutes = Duration::from_secs(300);
        let short = UserToken::new("u-a", Duration::from_secs(60), None, None, vec![]);
        assert!(!short.refresh_due(five_minutes), "used for its first half");
        let mut older = short.clone();
        older.access_issued_at = Some(SystemTime::now() - Duration::from_secs(31));
        older.access_expires_at = SystemTime::now() + Duration::from_secs(29);
        assert!(older.refresh_due(five_minutes));
        // Stored without an issue time: the margin as configured.
        older.access_issued_at = None;
        older.access_expires_at = SystemTime::now() + Duration::from_secs(299);
        assert!(older.refresh_due(five_minutes));
        let long = UserToken::new("u-a", Duration::from_secs(7200), None, None, vec![]);
        assert!(!long.refresh_due(five_minutes));
    }
}
