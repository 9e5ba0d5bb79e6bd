//! What a spec says about each operation and event: the metadata types a family's generated
//! constants are made of ([`OperationMeta`], [`EventMeta`], [`Family`]), the error classes the
//! runtime reacts to ([`ErrorClasses`]), and the scope check ([`ScopeSet`]).

mod errors;
mod family;
mod rate;
mod scope;

pub use errors::{ErrorClass, ErrorClasses};
pub use family::Family;
pub use rate::RatePartition;
pub use scope::ScopeSet;

use crate::drift::shape;
use std::fmt;

/// HTTP method of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Whether repeating the request cannot change the outcome (RFC 9110 §9.2.2).
    pub const fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post | Self::Patch)
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an operation's idempotency key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyLocation {
    /// A query parameter (`uuid` of `chat.create`).
    Query,
    /// A top-level string field of the JSON body (`uuid` of `message.create`).
    Body,
    /// A variable of the path (`message_id` of `message.patch`); only a
    /// [`RatePartition`] names one.
    Path,
}

impl KeyLocation {
    /// `"query"`, `"body"` or `"path"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Body => "body",
            Self::Path => "path",
        }
    }
}

/// A kind of access token an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenType {
    /// `tenant_access_token`: the app acting in a tenant.
    Tenant,
    /// `user_access_token`: the app acting for a signed-in user.
    User,
}

impl TokenType {
    /// `"tenant"` or `"user"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::User => "user",
        }
    }
}

/// A kind of app that may use an operation or event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AppType {
    /// Self-built app (企业自建应用).
    Custom,
    /// App store app (商店应用).
    Store,
}

impl AppType {
    /// `"custom"` or `"store"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::Store => "store",
        }
    }
}

/// Everything the spec says about one operation that the runtime, docs and reports need.
///
/// Generated as one `static` per operation (e.g. `meta::CHAT_GET` of the group-chat family); two values
/// are equal when they describe the same operation (id, method and path).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct OperationMeta {
    /// Operation id, e.g. `chat_members.get`.
    pub id: &'static str,
    /// One-sentence summary.
    pub summary: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template with `:name` variables.
    pub path: &'static str,
    /// Access tokens accepted.
    pub tokens: &'static [TokenType],
    /// Scopes, any one of which is enough.
    pub scopes: &'static [&'static str],
    /// Extra scopes needed to see some field values.
    pub field_scopes: &'static [&'static str],
    /// App types that may call it.
    pub app_types: &'static [AppType],
    /// Official documentation page.
    pub doc_url: &'static str,
    /// Name of the query parameter or body field that makes a retry safe, if any.
    pub idempotency_key: Option<&'static str>,
    /// Where [`idempotency_key`](Self::idempotency_key) travels (`Query` when there is none).
    pub idempotency_key_in: KeyLocation,
    /// Whether the operation is cursor-paginated.
    pub paginated: bool,
    /// Business error codes documented for it.
    pub errors: &'static [i64],
    /// The classes of its family's error codes, which decide retries and token refreshes.
    pub error_classes: &'static ErrorClasses,
    /// What its response `data` looks like, for drift notes.
    pub shape: &'static shape::Operation,
    /// Its limit per value of one request field (per chat, per message), if the spec names one.
    pub rate_partition: Option<RatePartition>,
}

impl PartialEq for OperationMeta {
    fn eq(&self, other: &Self) -> bool {
        (self.id, self.method, self.path) == (other.id, other.method, other.path)
    }
}

impl Eq for OperationMeta {}

impl OperationMeta {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        id: &'static str,
        summary: &'static str,
        method: HttpMethod,
        path: &'static str,
        tokens: &'static [TokenType],
        scopes: &'static [&'static str],
        field_scopes: &'static [&'static str],
        app_types: &'static [AppType],
        doc_url: &'static str,
        idempotency_key: Option<&'static str>,
        idempotency_key_in: KeyLocation,
        paginated: bool,
        errors: &'static [i64],
        error_classes: &'static ErrorClasses,
        shape: &'static shape::Operation,
    ) -> Self {
        Self {
            id,
            summary,
            method,
            path,
            tokens,
            scopes,
            field_scopes,
            app_types,
            doc_url,
            idempotency_key,
            idempotency_key_in,
            paginated,
            errors,
            error_classes,
            shape,
            rate_partition: None,
        }
    }

    #[doc(hidden)]
    pub const fn with_rate_partition(mut self, partition: RatePartition) -> Self {
        self.rate_partition = Some(partition);
        self
    }

    /// Whether the operation accepts this token type.
    pub fn accepts(&self, token: TokenType) -> bool {
        self.tokens.contains(&token)
    }

    /// Whether a retry of this operation can never duplicate its effect: an idempotent method, or
    /// an idempotency key sent with the request.
    pub fn retry_safe(&self, carries_idempotency_key: bool) -> bool {
        self.method.is_idempotent() || (self.idempotency_key.is_some() && carries_idempotency_key)
    }
}

/// Envelope schema of an event callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventSchema {
    /// Schema 2.0: `{schema, header, event}`.
    V2,
    /// Legacy schema 1.0: `{ts, uuid, token, type, event}`.
    V1,
}

impl EventSchema {
    /// `"2.0"` or `"1.0"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2 => "2.0",
            Self::V1 => "1.0",
        }
    }
}

/// Everything the spec says about one event.
///
/// Generated as one `static` per event; two values are equal when they describe the same
/// event type.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EventMeta {
    /// Event type, e.g. `im.chat.updated_v1`.
    pub event_type: &'static str,
    /// One-sentence summary.
    pub summary: &'static str,
    /// Envelope schema.
    pub schema: EventSchema,
    /// Scopes, any one of which is enough to subscribe (empty: none needed).
    pub scopes: &'static [&'static str],
    /// App types that receive it.
    pub app_types: &'static [AppType],
    /// Official documentation page.
    pub doc_url: &'static str,
    /// What its body looks like, for drift notes.
    pub shape: &'static shape::Event,
}

impl PartialEq for EventMeta {
    fn eq(&self, other: &Self) -> bool {
        self.event_type == other.event_type
    }
}

impl Eq for EventMeta {}

impl EventMeta {
    #[doc(hidden)]
    pub const fn new(
        event_type: &'static str,
        summary: &'static str,
        schema: EventSchema,
        scopes: &'static [&'static str],
        app_types: &'static [AppType],
        doc_url: &'static str,
        shape: &'static shape::Event,
    ) -> Self {
        Self {
            event_type,
            summary,
            schema,
            scopes,
            app_types,
            doc_url,
            shape,
        }
    }
}
