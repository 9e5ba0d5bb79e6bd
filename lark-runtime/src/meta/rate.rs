//! A limit the platform applies per value of one request field (per chat, per message), beside
//! its per-app limits: what a rate budget needs to pace such sends and share their pauses.

use super::KeyLocation;
use std::time::Duration;

/// The part of an operation's rate limit that applies per value of one request field: e.g.
/// `message.create` may post at most 5 messages per second into one chat (`receive_id`), and
/// answers error 230020 beyond that.
///
/// Operations naming the same [`bucket`](Self::bucket) share one budget per value (sending and
/// forwarding into one chat count together). A [`RateBudget`](crate::client::RateBudget) reads
/// it through [`RateKey`](crate::client::RateKey); the default budget ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RatePartition {
    /// Where the value travels: a query parameter, a top-level body field or a path variable.
    pub key_in: KeyLocation,
    /// The wire name of that parameter, field or variable (`receive_id`).
    pub key: &'static str,
    /// The budget shared per value by every operation naming it (`receiver`).
    pub bucket: &'static str,
    /// Requests allowed per second for one value.
    pub per_second: u32,
    /// The business code the platform answers when one value is over its limit (`230020`).
    pub code: i64,
}

impl RatePartition {
    #[doc(hidden)]
    pub const fn new(
        key_in: KeyLocation,
        key: &'static str,
        bucket: &'static str,
        per_second: u32,
        code: i64,
    ) -> Self {
        Self {
            key_in,
            key,
            bucket,
            per_second,
            code,
        }
    }

    /// How long one value's budget is paused after the platform answered [`code`](Self::code)
    /// without a reset time: one period of the documented rate (a second).
    pub const fn default_pause(&self) -> Duration {
        Duration::from_secs(1)
    }
}
