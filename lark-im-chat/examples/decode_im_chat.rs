//! Decodes a response body of an operation, or an event callback body, with the generated types
//! and prints what was understood as JSON on stdout; names on stderr, one per line, every field
//! and enum value the spec does not know (the runtime's drift walker over this family's shapes).
//! Used by `cargo xtask decode`.
//!
//! ```text
//! cargo run --example decode_im_chat -- chat.get response.json [--strict]
//! cargo run --example decode_im_chat -- im.chat.updated_v1 callback.json
//! ```

use lark_im_chat::drift::decode_tool::{main as decode_tool, Decoders};
use std::process::ExitCode;

fn main() -> ExitCode {
    decode_tool(Decoders {
        operation: |id| lark_im_chat::meta::operation(id).map(|op| op.shape),
        event_shape: |t| lark_im_chat::meta::event(t).map(|e| e.shape),
        response: lark_im_chat::api::decode_operation_response,
        event: |body| {
            let event = lark_im_chat::ChatEvent::from_json(body).map_err(|e| e.to_string())?;
            let value = serde_json::to_value(&event).map_err(|e| e.to_string())?;
            Ok((event.event_type().to_owned(), value))
        },
    })
}
