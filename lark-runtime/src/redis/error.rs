//! Why a Redis command failed, and whether the failure is the server's (the store is down) or
//! one key's (only that operation fails).
//!
//! A connection-level failure (refused, timed out, authentication, `LOADING`, read-only
//! replica, out of memory…) marks the connection down, so every store takes its documented
//! fallback. A command-level failure (`WRONGTYPE`, a script error, a value this library did not
//! write) fails the one operation on that key: the server answered, so nothing else is
//! affected.

use std::fmt;
use std::time::Duration;

/// The kind of key an operation was about: named in errors instead of the key itself, whose
/// segments (user ids, event ids) belong to callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// No key (`PING`).
    None,
    /// An app or tenant access token, or its fetch lock ([`RedisTokenStore`](super::RedisTokenStore)).
    Token,
    /// A user's tokens ([`RedisUserTokenStore`](super::RedisUserTokenStore)).
    UserToken,
    /// An event's de-duplication mark ([`RedisDedup`](super::RedisDedup)).
    Dedup,
    /// A rate budget or pause ([`RedisRateBudget`](super::RedisRateBudget)).
    RateBudget,
    /// A durable event queue or its dead letters ([`RedisDurable`](super::RedisDurable)).
    Durable,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "connection",
            Self::Token => "access token",
            Self::UserToken => "user token",
            Self::Dedup => "de-dup mark",
            Self::RateBudget => "rate budget",
            Self::Durable => "durable queue",
        })
    }
}

/// Why a Redis command was not carried out. Never names a key's caller-given part, a secret,
/// the password or a stored value.
///
/// [`is_connection_level`](Self::is_connection_level) tells the two families apart: the
/// connection-level ones mark the connection down (the stores' fallbacks apply), the others
/// fail one operation on one key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisError {
    /// Redis is marked down and the next probe is not due yet: nothing was sent.
    #[error("Redis at {addr} is marked unreachable; waiting for the next probe")]
    MarkedDown {
        /// `host:port` of the server.
        addr: String,
    },
    /// The command (or connecting) took longer than [`RedisOptions::command_timeout`](super::RedisOptions::command_timeout).
    #[error("Redis at {addr} did not answer within {timeout:?}")]
    Timeout {
        /// `host:port` of the server.
        addr: String,
        /// The bound that was exceeded.
        timeout: Duration,
    },
    /// Redis refused the credentials (wrong or missing password or user in the URL).
    #[error("Redis at {addr} refused authentication: check the user and password of the URL")]
    Authentication {
        /// `host:port` of the server.
        addr: String,
    },
    /// The connection, or the server as a whole, failed (refused, reset, loading its data,
    /// read-only replica, out of memory…).
    #[error("Redis at {addr} failed: {source}")]
    Failed {
        /// `host:port` of the server.
        addr: String,
        /// What the `redis` crate reported.
        #[source]
        source: ::redis::RedisError,
    },
    /// Redis refused the command on one key (e.g. `WRONGTYPE`: the key holds another type of
    /// value, or a script error): only this operation failed.
    #[error("Redis at {addr} refused the command on a {key} key ({code})")]
    Command {
        /// `host:port` of the server.
        addr: String,
        /// What the key is for.
        key: KeyKind,
        /// The error code, e.g. `WRONGTYPE` or `ERR`.
        code: String,
    },
    /// The key holds a value this library did not write: it is left alone and the operation
    /// fails (a de-dup mark that is not ours is never taken for "already handled").
    #[error("Redis at {addr} holds a {key} key with a value this library did not write")]
    Foreign {
        /// `host:port` of the server.
        addr: String,
        /// What the key is for.
        key: KeyKind,
    },
}

/// The former name of [`RedisError`].
pub type RedisUnavailable = RedisError;

impl RedisError {
    /// `true` when Redis as a whole is unreachable or unusable (the stores' fallbacks apply);
    /// `false` for a failure on one key ([`Command`](Self::Command),
    /// [`Foreign`](Self::Foreign)), which leaves every other key and caller unaffected.
    pub fn is_connection_level(&self) -> bool {
        !matches!(self, Self::Command { .. } | Self::Foreign { .. })
    }

    /// Classifies an error of the `redis` crate for an operation on a `key` key.
    pub(super) fn classify(addr: &str, key: KeyKind, source: ::redis::RedisError) -> Self {
        use ::redis::ErrorKind as K;
        let addr = addr.to_owned();
        match source.kind() {
            K::AuthenticationFailed => Self::Authentication { addr },
            // Answers about one command: the server is up and other keys are fine. (A
            // `TypeError` is the client's: the reply did not have the expected shape.)
            K::TypeError
            | K::ResponseError
            | K::ExecAbortError
            | K::NoScriptError
            | K::CrossSlot
            | K::NotBusy
            | K::NoSub => Self::command(addr, key, &source),
            K::ExtensionError => match source.code() {
                Some("NOAUTH" | "WRONGPASS") => Self::Authentication { addr },
                // Server-wide refusals: out of memory, failed persistence, a long script.
                Some("OOM" | "MISCONF" | "BUSY") | None => Self::Failed { addr, source },
                Some(_) => Self::command(addr, key, &source),
            },
            // I/O, protocol, `LOADING`, `READONLY`, cluster and client set-up failures.
            _ => Self::Failed { addr, source },
        }
    }

    fn command(addr: String, key: KeyKind, source: &::redis::RedisError) -> Self {
        // Only the code: a detail may quote a script, never a value, but stays out anyway.
        let code = source.code().unwrap_or(source.category()).to_owned();
        Self::Command { addr, key, code }
    }
}
