//! Decodes a response body of an operation, or an event callback body, with the generated types
//! and prints what was understood as JSON on stdout; names on stderr, one per line, every field
//! and enum value the spec does not know (the runtime's drift walker over this family's shapes).
//! Used by `cargo xtask decode`.
//!
//! ```text
//! cargo run --example decode_im_chat -- chat.get response.json [--strict]
//! cargo run --example decode_im_chat -- im.chat.updated_v1 callback.json
//! ```

use lark_im_chat::drift::{inspect_event, inspect_response, Finding};
use lark_im_chat::meta;
use std::process::ExitCode;

/// Findings at most; a sample with more is not a sample.
const LIMIT: usize = 10_000;

fn run(what: &str, body: &[u8]) -> Result<(serde_json::Value, Vec<Finding>), String> {
    if let Some(op) = meta::operation(what) {
        let findings = inspect_response(op.shape, body, LIMIT);
        let data = lark_im_chat::api::decode_operation_response(what, body)
            .ok_or_else(|| format!("`{what}` has no decoder"))?
            .map_err(|e| e.to_string())?;
        let envelope: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let value =
            serde_json::json!({ "code": envelope["code"], "msg": envelope["msg"], "data": data });
        return Ok((value, findings));
    }
    if let Some(event) = meta::event(what) {
        let findings = inspect_event(event.shape, body, LIMIT);
        let decoded = lark_im_chat::ChatEvent::from_json(body).map_err(|e| e.to_string())?;
        if decoded.event_type() != what {
            return Err(format!(
                "the body is a `{}` event, not `{what}`",
                decoded.event_type()
            ));
        }
        let value = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
        return Ok((value, findings));
    }
    Err(format!(
        "`{what}` is neither an operation id nor an event type of the spec"
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let strict = args.iter().any(|a| a == "--strict");
    let positional: Vec<&String> = args.iter().filter(|a| *a != "--strict").collect();
    let [what, file] = positional.as_slice() else {
        eprintln!("usage: decode <operation-id|event-type> <file.json> [--strict]");
        return ExitCode::from(2);
    };
    let result = std::fs::read(file)
        .map_err(|e| format!("{file}: {e}"))
        .and_then(|body| {
            let _: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("{file}: not JSON: {e}"))?;
            run(what, &body)
        });
    match result {
        Ok((value, findings)) => {
            for finding in &findings {
                eprintln!("{finding}");
            }
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            if strict && !findings.is_empty() {
                eprintln!(
                    "{} thing(s) in {file} the spec does not know (--strict)",
                    findings.len()
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
