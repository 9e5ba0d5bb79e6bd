//! Wire names of the built-in callback envelopes, which the spec does not describe: the
//! generator emits the envelope structs and the drift tables with these fields, and tools
//! (`cargo xtask decode`) check samples against them.

/// Keys of a schema 2.0 callback.
pub const EVENT_V2_KEYS: &[&str] = &["schema", "header", "event"];

/// Keys of the `header` of a schema 2.0 callback.
pub const EVENT_V2_HEADER_KEYS: &[&str] = &[
    "event_id",
    "event_type",
    "create_time",
    "token",
    "app_id",
    "tenant_key",
];

/// Keys of a legacy schema 1.0 callback.
pub const EVENT_V1_KEYS: &[&str] = &["ts", "uuid", "token", "type", "event"];
