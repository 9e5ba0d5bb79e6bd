//! The raw model: mirrors the YAML files one to one, strictly (unknown keys are errors).

use indexmap::IndexMap;
use serde::Deserialize;

/// Ordered mapping, as written in the file.
pub type Map<T> = IndexMap<String, T>;

/// `api.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub base_urls: Map<String>,
    /// Rust path of the crate the family is generated into, as doc examples name it
    /// (default: `lark_` + the name with `_` for `-`).
    #[serde(default, rename = "crate")]
    pub crate_name: Option<String>,
    /// Name of the enum of every event (default: the name in UpperCamelCase + `Event`).
    #[serde(default)]
    pub event_enum: Option<String>,
}

/// `handles.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlesFile {
    pub handles: Map<RawHandle>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHandle {
    pub doc: String,
    #[serde(default)]
    pub params: Vec<String>,
    #[serde(default)]
    pub accessor: Option<String>,
}

/// `enums.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumsFile {
    pub enums: Map<RawEnum>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnum {
    #[serde(rename = "type")]
    pub repr: String,
    pub doc: String,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub note: Option<String>,
    pub values: Vec<RawEnumValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnumValue {
    pub value: serde_json::Value,
    #[serde(default)]
    pub name: Option<String>,
    pub doc: String,
}

/// `types.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesFile {
    pub types: Map<RawType>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawType {
    pub doc: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub constraints: Vec<String>,
    pub fields: Map<RawField>,
    /// Keep fields the spec does not name in an `extra` map (round trips lose nothing).
    #[serde(default)]
    pub keep_unknown: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    #[serde(rename = "type")]
    pub ty: String,
    pub doc: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub example: Option<serde_json::Value>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub min_length: Option<u64>,
    #[serde(default)]
    pub max_length: Option<u64>,
    #[serde(default)]
    pub min_items: Option<u64>,
    #[serde(default)]
    pub max_items: Option<u64>,
    #[serde(rename = "const", default)]
    pub constant: Option<serde_json::Value>,
    #[serde(default)]
    pub sdk_only: bool,
    #[serde(default)]
    pub constraint: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub rust_name: Option<String>,
    #[serde(default)]
    pub field_scope: Option<String>,
    /// Largest size of a file part (`type: file`), in bytes.
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

/// `errors.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsFile {
    pub errors: IndexMap<i64, RawError>,
    #[serde(default)]
    pub common: Vec<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawError {
    pub name: String,
    #[serde(default)]
    pub http_status: Option<u16>,
    pub meaning: String,
    #[serde(default)]
    pub retryable: bool,
    /// What the runtime does on this code; see [`ErrorClass`].
    #[serde(default)]
    pub class: Option<ErrorClass>,
}

/// Classes of error codes the runtime reacts to. Closed: the runtime has one reaction per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The platform throttled the call: wait (its reset header, else the backoff) and retry.
    RateLimited,
    /// The app's tenant or app token was rejected: evict it and fetch a new one.
    TokenInvalid,
    /// A user access token was rejected or expired: refresh it.
    UserTokenInvalid,
    /// The app or token lacks a scope.
    PermissionDenied,
    /// The refresh token can no longer be used: the user must authorize again.
    ReauthorizationNeeded,
}

/// `operations/<group>.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationsFile {
    pub operations: Map<RawOperation>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOperation {
    pub summary: String,
    pub doc_url: String,
    pub method: String,
    pub path: String,
    pub handle: String,
    #[serde(default)]
    pub name: Option<String>,
    pub tokens: Vec<String>,
    pub scopes: Vec<String>,
    /// The platform documents that no scope is needed: `scopes` is then empty on purpose.
    #[serde(default)]
    pub no_scopes: bool,
    #[serde(default)]
    pub field_scopes: Vec<String>,
    pub app_types: Vec<String>,
    #[serde(default)]
    pub rate_limit: Option<String>,
    #[serde(default)]
    pub path_params: Map<RawField>,
    #[serde(default)]
    pub query: Map<RawField>,
    #[serde(default)]
    pub body: Option<RawBody>,
    pub response: RawResponse,
    #[serde(default)]
    pub pagination: Option<RawPagination>,
    #[serde(default)]
    pub idempotency: Option<RawIdempotency>,
    #[serde(default)]
    pub rate_partition: Option<RawRatePartition>,
    #[serde(default)]
    pub errors: Vec<i64>,
    #[serde(default)]
    pub constraints: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    pub overview: RawOverview,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    #[serde(default)]
    pub required: bool,
    /// Sent as `multipart/form-data` (text parts and `type: file` parts) instead of JSON.
    #[serde(default)]
    pub multipart: bool,
    pub fields: Map<RawField>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub fields: Option<Map<RawField>>,
    #[serde(default)]
    pub empty: bool,
    /// The success answer is a file (bytes), not the JSON envelope.
    #[serde(default)]
    pub download: bool,
    /// Default largest download, in bytes (with `download: true`).
    #[serde(default)]
    pub max_bytes: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPagination {
    #[serde(default)]
    pub token_param: Option<String>,
    #[serde(default)]
    pub size_param: Option<String>,
    #[serde(default)]
    pub token_field: Option<String>,
    #[serde(default)]
    pub has_more_field: Option<String>,
    #[serde(default)]
    pub items_field: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRatePartition {
    /// Exactly one of `query`, `body` and `path` names the field the limit applies per value of.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub bucket: String,
    pub per_second: u32,
    pub code: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdempotency {
    /// Exactly one of `query` and `body` names the key.
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOverview {
    pub title: String,
    pub section: String,
    #[serde(default)]
    pub acknowledged: Vec<RawAcknowledged>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAcknowledged {
    pub what: String,
    pub page: serde_json::Value,
    pub reason: String,
}

/// `events.yaml`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsFile {
    pub events: Map<RawEvent>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub summary: String,
    pub doc_url: String,
    pub schema: String,
    pub scopes: Vec<String>,
    pub app_types: Vec<String>,
    pub fields: Map<RawField>,
    pub overview: RawOverview,
    #[serde(default)]
    pub notes: Vec<String>,
    /// A callback (answered with the handler's response, e.g. a card action) rather than an
    /// event.
    #[serde(default)]
    pub callback: bool,
}
