//! The surface generated code is written against.
//!
//! Generated files refer to the runtime only as `<runtime path>::rt::…` (default
//! `::lark_runtime::rt`), so the same text works in a checked-in family crate and in a crate
//! expanded by the `lark-codegen-macros` front end. Not a stable API for callers.

pub use crate::auth::{Secret, Tenant, TenantOnly, TokenKind, User, UserOnly};
pub use crate::client::{items, pages, Client, Ctx, Page, Paginated};
pub use crate::error::{Error, Result};
pub use crate::events::dispatch::{
    CallbackHandler, DispatcherBuilder, EventHandler, State, StateCallbackHandler, StateHandler,
};
pub use crate::events::{
    decode_event, peek_event, Event, EventDecodeError, EventEnvelopeV1, EventEnvelopeV2,
    EventHeaderV2, RawEvent,
};
pub use crate::http::{
    decode_response, json_body, push_segment, ApiRequest, Download, FilePart, Multipart, Query,
    DEFAULT_MAX_DOWNLOAD,
};
pub use crate::meta::{
    AppType, ErrorClass, ErrorClasses, EventMeta, EventSchema, Family, HttpMethod, KeyLocation,
    OperationMeta, RatePartition, TokenType,
};
pub use crate::wire::{de_int_enum, de_str_enum, UnknownValue, Validate};

/// Limit checks called by generated `to_request` and `Validate` impls.
pub mod validate {
    pub use crate::wire::{items, join, length, range};
}

/// Table types of `generated/schema.rs` (shapes for drift checks).
pub mod drift {
    pub use crate::drift::shape::{Event, Field, Item, Object, Operation, Values};
    pub use crate::events::{EVENT_ENVELOPE_V1_SHAPE, EVENT_ENVELOPE_V2_SHAPE};
}

/// `#[serde(with = …)]` modules named by generated structs.
pub mod wire {
    pub use crate::wire::{int64_string, lenient_string};
}
pub use futures::Stream;
pub use serde;
pub use serde_json;

/// Response `data` of operations that return `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Empty {}
