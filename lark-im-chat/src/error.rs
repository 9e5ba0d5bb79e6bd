//! The one error type of the client, carrying the evidence of what went wrong.

use std::fmt;

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
            _ => None,
        }
    }

    /// The request log id, if a response arrived.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.log_id.as_deref(),
            Self::Decode(e) => e.log_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    pub(crate) fn validation(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
