//! The body of every family's `decode_<family>` example (what `cargo xtask decode` runs): decode an
//! operation's response or an event body with the family's generated types, print what was
//! understood on stdout and, on stderr, every field and enum value the spec does not know. A
//! family's example only names its decoders.

use super::shape;
use super::{inspect_event, inspect_response, Finding};
use serde_json::Value;
use std::process::ExitCode;

/// Findings at most; a sample with more is not a sample.
const LIMIT: usize = 10_000;

/// Decodes an operation's response body by operation id (the generated
/// `api::decode_operation_response`); `None` for an id without a decoder.
pub type ResponseDecoder = fn(&str, &[u8]) -> Option<crate::Result<Value>>;
/// Decodes an event body with the family's event enum: its event type and typed value as JSON.
pub type EventDecoder = fn(&[u8]) -> Result<(String, Value), String>;

/// One family's shapes and decoders, as its generated code provides them.
#[derive(Debug, Clone, Copy)]
pub struct Decoders {
    /// The drift shape of an operation, by id (`meta::operation(id).map(|op| op.shape)`).
    pub operation: fn(&str) -> Option<&'static shape::Operation>,
    /// The drift shape of an event, by type (`meta::event(t).map(|e| e.shape)`).
    pub event_shape: fn(&str) -> Option<&'static shape::Event>,
    /// The family's response decoder.
    pub response: ResponseDecoder,
    /// The family's event decoder.
    pub event: EventDecoder,
}

fn decode(d: &Decoders, what: &str, body: &[u8]) -> Result<(Value, Vec<Finding>), String> {
    if let Some(op) = (d.operation)(what) {
        let findings = inspect_response(op, body, LIMIT);
        let data = (d.response)(what, body)
            .ok_or_else(|| format!("`{what}` has no decoder"))?
            .map_err(|e| e.to_string())?;
        let envelope: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let value =
            serde_json::json!({ "code": envelope["code"], "msg": envelope["msg"], "data": data });
        return Ok((value, findings));
    }
    if let Some(event) = (d.event_shape)(what) {
        let findings = inspect_event(event, body, LIMIT);
        let (event_type, value) = (d.event)(body)?;
        if event_type != what {
            return Err(format!("the body is a `{event_type}` event, not `{what}`"));
        }
        return Ok((value, findings));
    }
    Err(format!(
        "`{what}` is neither an operation id nor an event type of the spec"
    ))
}

/// Runs the tool on the process arguments: `<operation-id|event-type> <file.json> [--strict]`.
/// Exits 0, 1 on a failure (or, with `--strict`, when anything is unknown), 2 on bad usage.
pub fn main(decoders: Decoders) -> ExitCode {
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
            let _: Value =
                serde_json::from_slice(&body).map_err(|e| format!("{file}: not JSON: {e}"))?;
            decode(&decoders, what, &body)
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
