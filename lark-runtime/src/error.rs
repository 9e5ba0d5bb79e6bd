//! The one error type of the client, carrying the evidence of what went wrong.

use crate::meta::{ErrorClass, ErrorClasses};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Result with the client's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Anything that can go wrong calling the platform.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The platform answered with a non-zero `code` (whatever the HTTP status).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The response was not the JSON the spec describes.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request broke a limit the spec declares; nothing was sent.
    #[error("invalid request: `{field}` {reason}")]
    Validation {
        /// Path of the offending field, e.g. `body.user_id_list`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP exchange failed (connect, TLS, timeout, reset).
    #[error("transport error during {operation}: {source}")]
    Transport {
        /// Operation id, or the token endpoint.
        operation: &'static str,
        /// What reqwest reported.
        #[source]
        source: reqwest::Error,
    },
    /// A paginated listing could not continue safely.
    #[error("pagination of {operation} stopped: {reason}")]
    Pagination {
        /// Operation id.
        operation: &'static str,
        /// Why, e.g. a repeated page token.
        reason: String,
    },
    /// The client is configured in a way that cannot work.
    #[error("configuration error: {0}")]
    Config(String),
    /// No access token could be obtained, for a reason other than the platform's answer (which
    /// is an [`Error::Api`] from the token endpoint), e.g. a store app without an `app_ticket`.
    #[error("cannot obtain an access token: {0}")]
    Auth(String),
    /// A response body was larger than the client accepts
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)). Never
    /// retried: the same request would get the same answer.
    #[error(
        "the response to {operation} (HTTP {status}) is larger than the {limit}-byte body limit{}",
        declared_note(*.declared)
    )]
    BodyTooLarge {
        /// Operation id, or the token endpoint.
        operation: &'static str,
        /// The limit in force, in bytes.
        limit: usize,
        /// HTTP status of the response.
        status: u16,
        /// The `Content-Length` the server declared, if any; `None` when the body outgrew the
        /// limit while it streamed in.
        declared: Option<u64>,
        /// Request log id (`X-Tt-Logid`).
        log_id: Option<String>,
    },
    /// A file part of an upload is larger than its operation accepts (the spec's `max_bytes`).
    /// Checked before any request is made for bytes, files and readers of declared length; a
    /// reader of unknown length is cut off as it passes the limit (that request is aborted).
    #[error("{operation}: file part `{part}` has {actual} bytes{}, over its {limit}-byte limit; nothing was uploaded", if *.streamed { " or more" } else { "" })]
    UploadTooLarge {
        /// Operation id.
        operation: &'static str,
        /// Name of the form part.
        part: &'static str,
        /// The limit, in bytes.
        limit: u64,
        /// The size found: the declared or measured size, or the bytes read when `streamed`.
        actual: u64,
        /// Whether the size was found by reading a reader of unknown length (then `actual` is a
        /// lower bound and the aborted request may have reached the server in part).
        streamed: bool,
    },
    /// A download is larger than its limit: the declared `Content-Length` is (nothing is read),
    /// or more bytes arrived than the limit (or than declared). Never retried.
    #[error("the download of {operation} is larger than its {limit}-byte limit{}", download_note(*.declared, *.received))]
    DownloadTooLarge {
        /// Operation id.
        operation: &'static str,
        /// The limit in force, in bytes.
        limit: u64,
        /// The `Content-Length` the server declared, if any.
        declared: Option<u64>,
        /// Bytes received when the download was cut off (0 when refused on its declared size).
        received: u64,
        /// Request log id (`X-Tt-Logid`).
        log_id: Option<String>,
    },
    /// Reading a file or reader to upload, or writing a download, failed.
    #[error("{operation}: {what}: {source}")]
    Io {
        /// Operation id.
        operation: &'static str,
        /// What was being done, e.g. `reading upload part image`.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// One failure handed to several callers whose original cannot be copied (e.g. a transport
    /// error of a token fetch that many calls waited for). Accessors such as
    /// [`code`](Self::code) and [`is_retryable`](Self::is_retryable) answer for the original.
    #[error(transparent)]
    Shared(Arc<Error>),
    /// A user must authorize the app again (OAuth): the user token source holds no usable
    /// refresh token for them, or the platform refused it (expired, revoked, already used).
    #[error("user {user:?} must authorize the app again: {reason}")]
    ReauthorizationNeeded {
        /// The key the user's token is stored under.
        user: String,
        /// Why the token cannot be refreshed.
        reason: ReauthorizationReason,
    },
}

fn declared_note(declared: Option<u64>) -> String {
    match declared {
        Some(n) => format!(" (Content-Length {n})"),
        None => " (more arrived while streaming)".to_owned(),
    }
}

fn download_note(declared: Option<u64>, received: u64) -> String {
    match declared {
        Some(n) if received == 0 => format!(" (Content-Length {n})"),
        Some(n) => format!(" (Content-Length {n}, {received} bytes received)"),
        None => format!(" ({received} bytes received)"),
    }
}

/// Why a user must authorize the app again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ReauthorizationReason {
    /// The store holds no token for the user.
    NoToken,
    /// The token has no refresh token (the `offline_access` scope was not granted).
    NoRefreshToken,
    /// The refresh token's own lifetime is over.
    RefreshTokenExpired,
    /// The platform refused the refresh token (codes 20024, 20026, 20037, 20064, 20073).
    Refused(Box<ApiError>),
}

impl fmt::Display for ReauthorizationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoToken => f.write_str("no token is stored for this user"),
            Self::NoRefreshToken => {
                f.write_str("the token has no refresh token (no offline_access)")
            }
            Self::RefreshTokenExpired => f.write_str("the refresh token has expired"),
            Self::Refused(e) => write!(f, "the refresh was refused: {e}"),
        }
    }
}

/// A business error answered by the platform.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// Operation id, e.g. `chat.get`.
    pub operation: &'static str,
    /// HTTP status of the response.
    pub status: u16,
    /// The platform's `code` (never 0 here).
    pub code: i64,
    /// The platform's `msg`.
    pub msg: String,
    /// Request log id (`X-Tt-Logid`), for the platform's support.
    pub log_id: Option<String>,
    /// The optional `error` object with troubleshooting details.
    pub detail: Option<ErrorDetail>,
    /// How long the platform asked to wait (`x-ogw-ratelimit-reset`, else `Retry-After`).
    pub retry_after: Option<Duration>,
    /// Scopes the operation accepts (any one is enough), from the spec; empty for token endpoints.
    pub required_scopes: &'static [&'static str],
    /// What the code means to the runtime, from the error classes of the operation's family
    /// (`None` when the family gives the code no class).
    pub class: Option<ErrorClass>,
}

impl ApiError {
    /// Whether the platform refused for a missing permission (scope).
    pub fn is_permission_error(&self) -> bool {
        self.class == Some(ErrorClass::PermissionDenied)
            || self
                .detail
                .as_ref()
                .is_some_and(|d| !d.permission_violations.is_empty())
    }

    /// Scopes the platform named as missing (`permission_violations[].subject`).
    pub fn missing_scopes(&self) -> Vec<&str> {
        self.detail
            .iter()
            .flat_map(|d| &d.permission_violations)
            .filter_map(|v| v.subject.as_deref())
            .collect()
    }

    /// Sets the class of the code from `classes` unless it has one (errors of token endpoints
    /// are classified by the operation they were fetched for).
    pub(crate) fn classify(&mut self, classes: &ErrorClasses) {
        if self.class.is_none() {
            self.class = classes.class(self.code);
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: code {} ({}), HTTP {}",
            self.operation, self.code, self.msg, self.status
        )?;
        if let Some(log_id) = &self.log_id {
            write!(f, ", log id {log_id}")?;
        }
        if self.is_permission_error() {
            let missing = self.missing_scopes();
            if !missing.is_empty() {
                write!(f, "; missing scope(s): {}", missing.join(", "))?;
            }
            if !self.required_scopes.is_empty() {
                write!(
                    f,
                    "; {} needs one of the scopes: {}",
                    self.operation,
                    self.required_scopes.join(", ")
                )?;
            }
        }
        if let Some(wait) = self.retry_after {
            write!(f, "; retry after {} s", wait.as_secs_f64())?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The `error` object the platform may add to a failed response.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Free-text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Log id repeated in the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_id: Option<String>,
    /// Human text with a link to the platform's troubleshooter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub troubleshooter: Option<String>,
    /// Key/value details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<serde_json::Value>,
    /// Missing permissions; `subject` names the scope.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permission_violations: Vec<PermissionViolation>,
    /// Invalid fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_violations: Vec<FieldViolation>,
    /// Help links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helps: Vec<serde_json::Value>,
}

/// One missing permission.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct PermissionViolation {
    /// Kind, e.g. `action_scope_required`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The missing scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One invalid field.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct FieldViolation {
    /// Field name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Value sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A response body that did not match the expected shape.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecodeError {
    /// Operation id.
    pub operation: &'static str,
    /// HTTP status of the response.
    pub status: u16,
    /// The platform's `code`, when the envelope itself was readable.
    pub code: Option<i64>,
    /// The platform's `msg`, when readable.
    pub msg: Option<String>,
    /// Request log id (`X-Tt-Logid`).
    pub log_id: Option<String>,
    /// JSON path where decoding failed, e.g. `data.items[3].owner_id_type`.
    pub path: String,
    /// What serde reported.
    pub message: String,
    /// The raw body (truncated to 64 KiB).
    pub body: String,
    /// How long the platform asked to wait, if it said so in the headers.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot decode response (HTTP {}) at `{}`: {}",
            self.operation, self.status, self.path, self.message
        )?;
        if let Some(log_id) = &self.log_id {
            write!(f, ", log id {log_id}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

impl Error {
    /// The platform's business code, if the platform answered one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api(e) => Some(e.code),
            Self::Decode(e) => e.code,
            Self::Shared(e) => e.code(),
            Self::ReauthorizationNeeded {
                reason: ReauthorizationReason::Refused(e),
                ..
            } => Some(e.code),
            _ => None,
        }
    }

    /// The class of the platform's business code, from the family of the operation that
    /// failed (a family's generated `ErrorCode::from(code)` names the code itself).
    pub fn class(&self) -> Option<ErrorClass> {
        match self {
            Self::Api(e) => e.class,
            Self::Shared(e) => e.class(),
            Self::ReauthorizationNeeded {
                reason: ReauthorizationReason::Refused(e),
                ..
            } => e.class,
            _ => None,
        }
    }

    /// Classifies a business error with `classes` unless it has a class already.
    pub(crate) fn classified(mut self, classes: &ErrorClasses) -> Self {
        if let Self::Api(e) = &mut self {
            e.classify(classes);
        }
        self
    }

    /// The request log id, if a response arrived.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.log_id.as_deref(),
            Self::Decode(e) => e.log_id.as_deref(),
            Self::BodyTooLarge { log_id, .. } | Self::DownloadTooLarge { log_id, .. } => {
                log_id.as_deref()
            }
            Self::Shared(e) => e.log_id(),
            _ => None,
        }
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::Shared(e) => e.status(),
            _ => None,
        }
    }

    /// How long the platform asked to wait before trying again, if it said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api(e) => e.retry_after,
            Self::Decode(e) => e.retry_after,
            Self::Shared(e) => e.retry_after(),
            _ => None,
        }
    }

    /// Whether the platform throttled the call: HTTP 429, or a code its family's spec puts in
    /// the `rate_limited` class (e.g. 99991400) whatever the status.
    pub fn is_rate_limited(&self) -> bool {
        self.class() == Some(ErrorClass::RateLimited) || self.status() == Some(429)
    }

    /// Whether the failure is transient, so the same request may succeed later: rate limiting,
    /// HTTP 5xx, a transport failure (connect, reset, timeout), or a code the spec marks
    /// retryable (e.g. 232019, concurrent member changes). Whether a *retry* is safe also depends
    /// on the request: see [`OperationMeta::retry_safe`](crate::meta::OperationMeta::retry_safe).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => {
                self.is_rate_limited()
                    || e.status >= 500
                    || e.class.is_some_and(ErrorClass::is_retryable)
            }
            Self::Decode(e) => e.status == 429 || e.status >= 500,
            Self::Transport { source, .. } => !source.is_builder() && !source.is_redirect(),
            Self::Shared(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// Whether the platform refused for a missing permission; see [`ApiError::missing_scopes`].
    pub fn is_permission_error(&self) -> bool {
        matches!(self, Self::Api(e) if e.is_permission_error())
    }

    /// A copy of a failure shared by several callers: the error itself where it can be copied,
    /// else [`Error::Shared`].
    pub(crate) fn copy_shared(shared: &Arc<Error>) -> Self {
        match &**shared {
            Self::Api(e) => Self::Api(e.clone()),
            Self::Decode(e) => Self::Decode(e.clone()),
            Self::Validation { field, reason } => Self::validation(field.clone(), reason.clone()),
            Self::Pagination { operation, reason } => Self::Pagination {
                operation,
                reason: reason.clone(),
            },
            Self::Config(m) => Self::Config(m.clone()),
            Self::Auth(m) => Self::Auth(m.clone()),
            Self::BodyTooLarge {
                operation,
                limit,
                status,
                declared,
                log_id,
            } => Self::BodyTooLarge {
                operation,
                limit: *limit,
                status: *status,
                declared: *declared,
                log_id: log_id.clone(),
            },
            Self::UploadTooLarge {
                operation,
                part,
                limit,
                actual,
                streamed,
            } => Self::UploadTooLarge {
                operation,
                part,
                limit: *limit,
                actual: *actual,
                streamed: *streamed,
            },
            Self::DownloadTooLarge {
                operation,
                limit,
                declared,
                received,
                log_id,
            } => Self::DownloadTooLarge {
                operation,
                limit: *limit,
                declared: *declared,
                received: *received,
                log_id: log_id.clone(),
            },
            Self::ReauthorizationNeeded { user, reason } => Self::ReauthorizationNeeded {
                user: user.clone(),
                reason: reason.clone(),
            },
            Self::Transport { .. } | Self::Io { .. } | Self::Shared(_) => {
                Self::Shared(shared.clone())
            }
        }
    }

    pub(crate) fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
