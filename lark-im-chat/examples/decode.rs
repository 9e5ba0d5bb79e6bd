//! Decodes a response body of an operation, or an event callback body, with the generated types
//! and prints what was understood as JSON. Used by `cargo xtask decode`.
//!
//! ```text
//! cargo run --example decode -- chat.get response.json
//! cargo run --example decode -- im.chat.updated_v1 callback.json
//! ```

use std::process::ExitCode;

fn run(what: &str, body: &[u8]) -> Result<serde_json::Value, String> {
    if let Some(data) = lark_im_chat::api::decode_operation_response(what, body) {
        let data = data.map_err(|e| e.to_string())?;
        let envelope: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| e.to_string())?;
        return Ok(
            serde_json::json!({ "code": envelope["code"], "msg": envelope["msg"], "data": data }),
        );
    }
    if lark_im_chat::meta::EVENTS
        .iter()
        .any(|e| e.event_type == what)
    {
        let event = lark_im_chat::ChatEvent::from_json(body).map_err(|e| e.to_string())?;
        if event.event_type() != what {
            return Err(format!(
                "the body is a `{}` event, not `{what}`",
                event.event_type()
            ));
        }
        return serde_json::to_value(&event).map_err(|e| e.to_string());
    }
    Err(format!(
        "`{what}` is neither an operation id nor an event type of the spec"
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [what, file] = args.as_slice() else {
        eprintln!("usage: decode <operation-id|event-type> <file.json>");
        return ExitCode::from(2);
    };
    let result = std::fs::read(file)
        .map_err(|e| format!("{file}: {e}"))
        .and_then(|body| run(what, &body));
    match result {
        Ok(value) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
