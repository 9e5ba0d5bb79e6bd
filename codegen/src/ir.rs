//! The intermediate representation: references resolved, every Rust name assigned once, facts
//! computed. Emitters read only this; they never invent names.

use crate::diag::Loc;
use serde::{Serialize, Serializer};
use std::fmt;

/// Index of a struct in [`Api::structs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StructId(pub(crate) usize);

/// Index of an enum in [`Api::enums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnumId(pub(crate) usize);

/// Index of a handle in [`Api::handles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HandleId(pub(crate) usize);

/// A resolved reference: the id to look the item up with, and its name for printing.
///
/// Lookups go through the id ([`Api::struct_def`], …), never through the name; the name is carried
/// so that emitters can print it and the IR serializes as it reads (a reference is its name).
/// Derefs to the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<I> {
    pub id: I,
    pub name: String,
}

impl<I> std::ops::Deref for Named<I> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.name
    }
}

impl<I> fmt::Display for Named<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<I> Serialize for Named<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name)
    }
}

/// The whole API, ordered by stable keys so generation is deterministic.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub name: String,
    pub title: String,
    pub base_urls: Vec<(String, String)>,
    /// Rust names of the family's own items (one per family, not per spec item).
    pub family: FamilyNames,
    /// Enums, sorted by Rust name; an [`EnumId`] is a position here.
    pub enums: Vec<EnumDef>,
    /// Every struct: shared types, operation bodies and responses, event bodies; sorted by name.
    /// A [`StructId`] is a position here.
    pub structs: Vec<StructDef>,
    /// Handles, sorted by key (parents before children); a [`HandleId`] is a position here.
    pub handles: Vec<Handle>,
    /// Operations, sorted by id.
    pub operations: Vec<Operation>,
    /// Events, sorted by event type.
    pub events: Vec<Event>,
    /// Error catalog, sorted by code.
    pub errors: Vec<ErrorCode>,
    /// Codes nearly every operation can return.
    pub common_errors: Vec<i64>,
}

/// Names of the items a family has once: its crate path (for doc examples), the extension
/// traits it puts on the runtime's client and dispatcher builder, its event enum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FamilyNames {
    /// Rust path of the family crate, e.g. `lark_im_chat`.
    pub crate_name: String,
    /// Extension trait on `rt::Client<T>` with the root handles, e.g. `ImChatApi`.
    pub api_trait: String,
    /// Extension trait on the dispatcher builder with one shorthand per event, e.g. `ImChatEvents`.
    pub events_trait: String,
    /// The same on the builder with state, e.g. `ImChatStateEvents`.
    pub state_events_trait: String,
    /// Enum of every event plus `Unknown`, e.g. `ChatEvent`.
    pub event_enum: String,
}

/// Where an emitted item lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Module {
    /// `generated/shared.rs`
    Types,
    /// `generated/ops/<group>.rs`
    Group(String),
    /// `generated/events.rs`
    Events,
}

/// Whether a struct is sent, received, or both; decides validation and constructors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub request: bool,
    pub response: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StructDef {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<Field>,
    /// Unknown fields are kept in an `extra` map (`keep_unknown: true`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub keep_unknown: bool,
    pub module: Module,
    pub usage: Usage,
    /// A multipart request body: its fields are text parts and file parts, not JSON.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub form: bool,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Vec<String>,
    pub limits: Limits,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constant: Option<serde_json::Value>,
    pub sdk_only: bool,
    /// Whether `rust` came from the spec's `rust_name` (rather than from `wire`).
    #[serde(skip)]
    pub rust_given: bool,
    #[serde(skip)]
    pub loc: Loc,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Ty {
    String,
    Integer,
    Boolean,
    /// i64 carried as a JSON string (also for Unix times).
    Int64String,
    /// String that may arrive as a number.
    LenientString,
    Json,
    /// A file part of a multipart body (bytes, a file or a reader).
    File,
    Struct(Named<StructId>),
    Enum(Named<EnumId>),
    Array(Box<Ty>),
}

impl Ty {
    /// JSON type name used by `spec-json`.
    /// The struct this type refers to, directly or through arrays.
    pub fn struct_ref(&self) -> Option<&Named<StructId>> {
        match self {
            Ty::Struct(n) => Some(n),
            Ty::Array(inner) => inner.struct_ref(),
            _ => None,
        }
    }

    pub fn json_type(&self) -> &'static str {
        match self {
            Ty::String | Ty::Int64String | Ty::LenientString => "string",
            Ty::Integer => "integer",
            Ty::Boolean => "boolean",
            Ty::Json => "object",
            Ty::File => "file",
            Ty::Struct(_) => "object",
            Ty::Enum(_) => "string",
            Ty::Array(_) => "array",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Limits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// Largest size of a file part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        *self == Limits::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EnumRepr {
    String,
    Integer,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumDef {
    pub name: String,
    pub doc: Vec<String>,
    pub repr: EnumRepr,
    pub variants: Vec<Variant>,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WireValue {
    Str(String),
    Int(i64),
}

#[derive(Debug, Clone, Serialize)]
pub struct Variant {
    pub name: String,
    pub value: WireValue,
    pub doc: String,
    /// What the name was made from (the `name:` or the value), for problems with it.
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct Handle {
    pub key: String,
    pub struct_name: String,
    pub accessor: String,
    pub parent: Option<Named<HandleId>>,
    /// Path variables this handle adds.
    pub own_params: Vec<String>,
    /// Path variables along the chain from the root, in order.
    pub params: Vec<String>,
    pub doc: String,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TokenType {
    Tenant,
    User,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Tenant => "tenant",
            TokenType::User => "user",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum AppType {
    Custom,
    Store,
}

impl AppType {
    pub fn as_str(self) -> &'static str {
        match self {
            AppType::Custom => "custom",
            AppType::Store => "store",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Segment {
    Lit(String),
    Var(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub required: bool,
    pub struct_name: Named<StructId>,
    /// Sent as `multipart/form-data`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub multipart: bool,
}

#[derive(Debug, Clone, Serialize)]
pub enum Response {
    Struct(Named<StructId>),
    Empty,
    /// A file, not the JSON envelope; `max_bytes` is the default largest size.
    Download {
        max_bytes: Option<u64>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub token_param: String,
    pub size_param: String,
    pub token_field: String,
    pub has_more_field: String,
    pub items_field: String,
    /// Rust names of the response fields above.
    pub token_field_rust: String,
    pub has_more_field_rust: String,
    pub items_field_rust: String,
    /// Rust name of the query parameter carrying the cursor.
    pub token_param_rust: String,
    pub item: Ty,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Idempotency {
    /// Wire name of the query parameter or top-level body field.
    pub key: String,
    pub location: KeyLocation,
    pub window: Option<String>,
    pub rule: Option<String>,
    /// Where the key is named (`idempotency.query` or `idempotency.body`).
    #[serde(skip)]
    pub loc: Loc,
}

/// A limit the platform applies per value of one request field (`rate_partition:`).
#[derive(Debug, Clone, Serialize)]
pub struct RatePartition {
    /// Wire name of the query parameter, top-level body field or path variable.
    pub key: String,
    pub location: KeyLocation,
    /// Operations naming the same bucket share one budget per value.
    pub bucket: String,
    pub per_second: u32,
    /// The business code answered beyond the limit.
    pub code: i64,
    #[serde(skip)]
    pub loc: Loc,
}

/// Where an idempotency key or a rate partition's field travels (only a rate partition names
/// a path variable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KeyLocation {
    Query,
    Body,
    Path,
}

impl KeyLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Body => "body",
            Self::Path => "path",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub title: String,
    pub section: String,
    pub acknowledged: Vec<Acknowledged>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Acknowledged {
    pub what: String,
    pub page: serde_json::Value,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub id: String,
    pub group: String,
    pub summary: String,
    pub doc_url: String,
    pub method: Method,
    pub path: String,
    pub segments: Vec<Segment>,
    /// The handle the method is on; `None` only in an IR with problems.
    pub handle: Option<Named<HandleId>>,
    pub fn_name: String,
    pub request_name: String,
    /// Name of the metadata constant, e.g. `CHAT_MEMBERS_GET`.
    pub meta_const: String,
    /// Name of its drift shape static in `schema.rs`, e.g. `OP_CHAT_GET`.
    pub shape_static: String,
    pub tokens: Vec<TokenType>,
    pub scopes: Vec<String>,
    /// `scopes` is empty because the platform needs none (`no_scopes: true`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_scopes: bool,
    pub field_scopes: Vec<String>,
    pub app_types: Vec<AppType>,
    pub rate_limit: Option<String>,
    pub path_params: Vec<Field>,
    pub query: Vec<Field>,
    pub body: Option<Body>,
    pub response: Response,
    pub pagination: Option<Pagination>,
    pub idempotency: Option<Idempotency>,
    pub rate_partition: Option<RatePartition>,
    pub errors: Vec<i64>,
    pub constraints: Vec<String>,
    pub notes: Vec<String>,
    pub overview: Overview,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Schema {
    V2,
    V1,
}

impl Schema {
    pub fn as_str(self) -> &'static str {
        match self {
            Schema::V2 => "2.0",
            Schema::V1 => "1.0",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub event_type: String,
    /// Variant of the events enum and name of the body struct.
    pub name: String,
    /// Name of the metadata constant.
    pub meta_const: String,
    /// Name of its drift shape static in `schema.rs`, e.g. `EV_CHAT_UPDATED_V1`.
    pub shape_static: String,
    /// Name of the dispatcher's registration method, e.g. `on_chat_updated`.
    pub handler_name: String,
    /// A callback: its handler's return value is the answer (`on_callback`), and it is never
    /// de-duplicated.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub callback: bool,
    /// The body struct, named `name`.
    #[serde(skip)]
    pub body: StructId,
    pub schema: Schema,
    pub summary: String,
    pub doc_url: String,
    pub scopes: Vec<String>,
    pub app_types: Vec<AppType>,
    pub notes: Vec<String>,
    pub overview: Overview,
    #[serde(skip)]
    pub loc: Loc,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorCode {
    pub code: i64,
    /// Variant of the generated `ErrorCode` enum.
    pub name: String,
    pub http_status: Option<u16>,
    pub meaning: String,
    pub retryable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<crate::raw::ErrorClass>,
    /// The spec's name the variant was made from.
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    pub loc: Loc,
}

impl Api {
    pub fn struct_def(&self, id: StructId) -> &StructDef {
        &self.structs[id.0]
    }

    pub fn enum_def(&self, id: EnumId) -> &EnumDef {
        &self.enums[id.0]
    }

    pub fn handle(&self, id: HandleId) -> &Handle {
        &self.handles[id.0]
    }

    /// The handle an operation's method is on, when resolved.
    pub fn op_handle(&self, op: &Operation) -> Option<&Handle> {
        op.handle.as_ref().map(|h| self.handle(h.id))
    }

    pub fn event_struct(&self, event: &Event) -> &StructDef {
        self.struct_def(event.body)
    }
}
