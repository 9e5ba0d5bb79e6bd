//! Unknown fields and values: a sample built from the spec itself is fully known; every change
//! planted in it is reported, and nothing else.

use super::unknown::{unknowns, Unknown};
use crate::normalized;
use crate::root;
use serde_json::{json, Map, Value};

fn spec() -> Value {
    normalized::from_dir(&crate::spec_dir()).unwrap()
}

/// A value for every field node: the first listed enum value, one array item, nested objects.
fn sample_of(fields: &[Value]) -> Value {
    let mut obj = Map::new();
    for f in fields {
        obj.insert(f["name"].as_str().unwrap().to_owned(), value_of(f));
    }
    Value::Object(obj)
}

fn value_of(node: &Value) -> Value {
    if let Some(first) = node["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    if let Some(fields) = node["fields"].as_array() {
        return sample_of(fields);
    }
    match node["type"].as_str() {
        Some("array") => json!([value_of(&node["items"])]),
        Some("integer") => json!(7),
        Some("boolean") => json!(true),
        Some("object") => json!({"free": "form"}),
        _ => json!("text"),
    }
}

fn response_of(spec: &Value, id: &str) -> Value {
    let op = normalized::operation(spec, id).unwrap();
    json!({"code": 0, "msg": "success", "data": sample_of(normalized::fields(&op["response"]))})
}

fn names(found: &[Unknown]) -> Vec<String> {
    found.iter().map(ToString::to_string).collect()
}

#[test]
fn a_sample_built_from_the_spec_is_fully_known_for_every_operation_and_event() {
    let spec = spec();
    for op in normalized::items(&spec, "operations") {
        let id = op["id"].as_str().unwrap();
        let found = unknowns(&spec, id, &response_of(&spec, id)).unwrap();
        assert!(found.is_empty(), "{id}: {found:?}");
    }
    for ev in normalized::items(&spec, "events") {
        let event_type = ev["event_type"].as_str().unwrap();
        let event = sample_of(normalized::fields(&ev["fields"]));
        let body = if ev["schema"] == "1.0" {
            json!({"ts": "1", "uuid": "u", "token": "t", "type": "event_callback", "event": event})
        } else {
            json!({"schema": "2.0", "header": {"event_id": "e", "event_type": event_type,
                   "create_time": "1", "token": "t", "app_id": "cli_1", "tenant_key": "k"},
                   "event": event})
        };
        let found = unknowns(&spec, event_type, &body).unwrap();
        assert!(found.is_empty(), "{event_type}: {found:?}");
    }
}

#[test]
fn planted_fields_and_enum_values_are_named_by_path_once_each() {
    let spec = spec();
    let mut body = response_of(&spec, "chat.list");
    let item = body["data"]["items"][0].clone();
    assert!(
        item["chat_status"].is_string(),
        "chat.list items carry chat_status"
    );
    let mut planted = item.clone();
    planted["brand_new"] = json!({"deep": 1});
    planted["chat_status"] = json!("galaxy_state");
    // Three items: the planted one twice, so each finding is reported once.
    body["data"]["items"] = json!([item, planted.clone(), planted]);
    body["data"]["extra_top"] = json!(null);
    let found = unknowns(&spec, "chat.list", &body).unwrap();
    assert_eq!(
        names(&found),
        [
            "unknown field: data.extra_top",
            "unknown field: data.items[].brand_new",
            "unknown value: data.items[].chat_status = \"galaxy_state\"",
        ]
    );

    let mut body = response_of(&spec, "chat.get");
    body["data"]["chat_mode"] = json!("galaxy_mode");
    body["request_id"] = json!("r-1");
    let found = unknowns(&spec, "chat.get", &body).unwrap();
    assert_eq!(
        names(&found),
        [
            "unknown field: request_id",
            "unknown value: data.chat_mode = \"galaxy_mode\""
        ]
    );
}

#[test]
fn events_are_checked_in_their_envelope_and_body() {
    let spec = spec();
    let path = root().join("lark-im-chat/tests/fixtures/events/im.chat.updated_v1.json");
    let mut body: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let known = unknowns(&spec, "im.chat.updated_v1", &body).unwrap();
    body["header"]["region"] = json!("cn");
    body["event"]["after_change"]["brand_new_setting"] = json!("x");
    let found = unknowns(&spec, "im.chat.updated_v1", &body).unwrap();
    let added: Vec<String> = names(&found)
        .into_iter()
        .filter(|f| !names(&known).contains(f))
        .collect();
    assert_eq!(
        added,
        [
            "unknown field: header.region",
            "unknown field: event.after_change.brand_new_setting"
        ]
    );
}

#[test]
fn an_unknown_item_or_a_non_object_body_is_an_error() {
    let spec = spec();
    assert!(unknowns(&spec, "chat.gett", &json!({}))
        .unwrap_err()
        .contains("chat.gett"));
    assert!(unknowns(&spec, "chat.get", &json!([1]))
        .unwrap_err()
        .contains("not a JSON object"));
}
