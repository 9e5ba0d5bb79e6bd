//! Error classes: what the runtime does about a business error code. A family's spec gives each
//! code it documents a class (`class:` or `retryable:` in its `errors.yaml`); the generator
//! writes the table, and every operation's metadata points at its family's table.

/// What a business error code means to the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The platform throttled the call: wait (its reset header, else the backoff) and retry;
    /// a shared rate budget pauses every caller.
    RateLimited,
    /// A transient failure: trying again later can succeed.
    Retryable,
    /// The tenant or app access token was rejected: fetch a new one and repeat once.
    TokenInvalid,
    /// A user access token was rejected or expired: refresh it and repeat once.
    UserTokenInvalid,
    /// The app or token lacks a scope.
    PermissionDenied,
    /// A user's refresh token can no longer be used: the user must authorize again.
    ReauthorizationNeeded,
}

impl ErrorClass {
    /// Whether a later attempt of the same request can succeed.
    pub const fn is_retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::Retryable)
    }

    /// The class as the spec writes it (`rate_limited`, `retryable`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "rate_limited",
            Self::Retryable => "retryable",
            Self::TokenInvalid => "token_invalid",
            Self::UserTokenInvalid => "user_token_invalid",
            Self::PermissionDenied => "permission_denied",
            Self::ReauthorizationNeeded => "reauthorization_needed",
        }
    }
}

/// A family's error codes with a class, sorted by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorClasses {
    entries: &'static [(i64, ErrorClass)],
}

impl ErrorClasses {
    /// No code has a class: only HTTP statuses decide (429 throttled, 5xx transient).
    pub const NONE: ErrorClasses = ErrorClasses { entries: &[] };

    /// A table of `(code, class)` entries sorted by code (the generator sorts them; an unsorted
    /// table finds fewer codes, never a wrong class).
    pub const fn new(entries: &'static [(i64, ErrorClass)]) -> Self {
        Self { entries }
    }

    /// The class of `code`, if the family gives it one.
    pub fn class(&self, code: i64) -> Option<ErrorClass> {
        self.entries
            .binary_search_by_key(&code, |(c, _)| *c)
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// Every entry, sorted by code.
    pub fn entries(&self) -> &'static [(i64, ErrorClass)] {
        self.entries
    }

    /// Codes of one class, e.g. every rate-limit code.
    pub fn codes(&self, class: ErrorClass) -> impl Iterator<Item = i64> + '_ {
        self.entries
            .iter()
            .filter(move |(_, c)| *c == class)
            .map(|(code, _)| *code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_classes_and_nothing_else() {
        static TABLE: ErrorClasses = ErrorClasses::new(&[
            (11232, ErrorClass::RateLimited),
            (99991400, ErrorClass::RateLimited),
            (99991663, ErrorClass::TokenInvalid),
        ]);
        assert_eq!(TABLE.class(99991400), Some(ErrorClass::RateLimited));
        assert_eq!(TABLE.class(99991663), Some(ErrorClass::TokenInvalid));
        assert_eq!(TABLE.class(1), None);
        assert_eq!(ErrorClasses::NONE.class(99991400), None);
        assert_eq!(
            TABLE.codes(ErrorClass::RateLimited).collect::<Vec<_>>(),
            [11232, 99991400]
        );
        assert!(ErrorClass::RateLimited.is_retryable());
        assert!(!ErrorClass::TokenInvalid.is_retryable());
    }
}
