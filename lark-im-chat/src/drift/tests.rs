//! The walker against the generated tables and against small tables of its own.

use super::shape::{Field, Object, Values};
use super::walk::{walk, Found, MAX_PATH_BYTES};
use super::{schema, DriftEntry, DriftKind, DriftLog, RESPONSE_ENVELOPE};
use serde_json::json;

fn entries(log: &DriftLog) -> Vec<String> {
    log.snapshot().iter().map(ToString::to_string).collect()
}

fn noted(operation: &str, body: &serde_json::Value) -> Vec<String> {
    let log = DriftLog::new();
    log.note_response(operation, body.to_string().as_bytes());
    entries(&log)
}

#[test]
fn the_generated_tables_are_sorted_for_binary_search() {
    assert!(schema::OPERATIONS.windows(2).all(|w| w[0].id < w[1].id));
    assert!(schema::EVENTS
        .windows(2)
        .all(|w| w[0].event_type < w[1].event_type));
    for op in schema::OPERATIONS {
        assert!(
            op.data.fields.windows(2).all(|w| w[0].wire < w[1].wire),
            "{}",
            op.data.name
        );
    }
}

#[test]
fn a_body_with_only_known_fields_and_values_notes_nothing() {
    let body = json!({"code": 0, "msg": "success", "data": {
        "name": "n", "chat_mode": "group", "chat_type": "private",
        "i18n_names": {"zh_cn": "z", "en_us": "e"}, "labels": ["a", "b"], "user_count": "3",
        "restricted_mode_setting": {"status": false}, "owner_id": null, "external": false
    }});
    assert_eq!(noted("chat.get", &body), Vec::<String>::new());
}

#[test]
fn unknown_fields_nested_fields_in_lists_and_enum_values_are_noted_once_each() {
    let item = json!({"chat_id": "oc_1", "chat_status": "normal"});
    let planted =
        json!({"chat_id": "oc_2", "chat_status": "galaxy_state", "brand_new": {"deep": 1}});
    let body = json!({"code": 0, "msg": "success", "request_id": "r-1", "data": {
        "items": [item, planted, planted], "has_more": false, "extra_top": null
    }});
    assert_eq!(
        noted("chat.list", &body),
        [
            "chat.list: unknown field data.extra_top",
            "chat.list: unknown field data.items[].brand_new",
            "chat.list: unknown field request_id",
            "chat.list: unknown value data.items[].chat_status",
        ]
    );
}

#[test]
fn escaped_keys_are_unescaped_and_long_paths_cut() {
    let long = "k".repeat(1000);
    let body = format!(r#"{{"code":0,"data":{{"br\u0061nd":1,"{long}":2}}}}"#);
    let log = DriftLog::new();
    log.note_response("chat.get", body.as_bytes());
    let paths: Vec<String> = log.snapshot().into_iter().map(|e| e.path).collect();
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0], "data.brand");
    assert!(paths[1].ends_with('…') && paths[1].len() <= MAX_PATH_BYTES + '…'.len_utf8());
}

#[test]
fn unknown_items_and_broken_bodies_note_nothing_and_never_panic() {
    let log = DriftLog::new();
    log.note_response("chat.gett", br#"{"code":0,"data":{"x":1}}"#);
    log.note_event("im.unknown_v9", br#"{"schema":"2.0","event":{"x":1}}"#);
    for body in [
        &b"[1,2]"[..],
        b"",
        b"{\"code\":",
        b"nul",
        b"{\"data\":[{\"a\":1}]}",
    ] {
        log.note_response("chat.get", body);
    }
    assert!(log.is_empty());
    // A cut body keeps what was found before the cut.
    log.note_response("chat.get", br#"{"code":0,"data":{"brand_new":1,"name":"#);
    assert_eq!(entries(&log), ["chat.get: unknown field data.brand_new"]);
}

#[test]
fn events_are_walked_in_their_envelope() {
    let log = DriftLog::new();
    let body = json!({"schema": "2.0",
        "header": {"event_id": "e", "event_type": "im.chat.updated_v1", "region": "cn"},
        "event": {"chat_id": "oc_1", "after_change": {"chat_mode": "galaxy", "brand_new": 1}}});
    log.note_event("im.chat.updated_v1", body.to_string().as_bytes());
    let found: Vec<_> = log.snapshot().into_iter().collect();
    assert!(
        found.iter().all(|e| e.item == "im.chat.updated_v1"),
        "{found:?}"
    );
    let paths: Vec<_> = found.iter().map(|e| (e.kind, e.path.as_str())).collect();
    assert!(paths.contains(&(DriftKind::Field, "header.region")));
    assert!(paths.contains(&(DriftKind::Field, "event.after_change.brand_new")));
}

static LEVEL: Values = Values {
    name: "Level",
    strings: &[],
    integers: &[1, 2],
};

static NODE: Object = Object {
    name: "Node",
    fields: &[
        Field::object("children", &NODE).array(),
        Field::value("grid", &LEVEL).array().array(),
        Field::value("level", &LEVEL),
    ],
};

fn walk_node(body: &str, limit: usize) -> Vec<(DriftKind, String)> {
    let mut found = Found::new(limit);
    walk(
        body.as_bytes(),
        &RESPONSE_ENVELOPE,
        "data",
        &NODE,
        &mut found,
    );
    found.items
}

#[test]
fn recursive_types_nested_lists_and_integer_enums() {
    let body = r#"{"data":{"level":1,"grid":[[1,2],[3]],"children":[
        {"level":"1","children":[{"level":2.5,"odd":true}]},{"level":true}]}}"#;
    assert_eq!(
        walk_node(body, 100),
        [
            (DriftKind::Value, "data.grid[][]".to_owned()),
            (DriftKind::Value, "data.children[].level".to_owned()),
            (
                DriftKind::Value,
                "data.children[].children[].level".to_owned()
            ),
            (
                DriftKind::Field,
                "data.children[].children[].odd".to_owned()
            ),
        ]
    );
}

#[test]
fn a_walk_and_a_log_stay_within_their_capacity() {
    let body = r#"{"data":{"a":1,"b":2,"c":3}}"#;
    assert_eq!(walk_node(body, 2).len(), 2);

    let log = DriftLog::with_capacity(2);
    log.note_response("chat.get", br#"{"data":{"a":1,"b":2}}"#);
    log.note_response("chat.get", br#"{"data":{"c":1,"a":2}}"#);
    assert_eq!(log.len(), 2);
    assert_eq!(log.dropped(), 1);
    assert!(format!("{log:?}").contains("dropped: 1"));
}

#[test]
fn clones_share_one_record_and_entries_print_without_values() {
    let log = DriftLog::new();
    let clone = log.clone();
    clone.note_response("chat.get", br#"{"data":{"chat_mode":"secret-value"}}"#);
    let entry = DriftEntry {
        item: "chat.get",
        kind: DriftKind::Value,
        path: "data.chat_mode".into(),
    };
    assert_eq!(log.snapshot().into_iter().collect::<Vec<_>>(), [entry]);
    assert!(!format!("{:?}", log.snapshot()).contains("secret-value"));
    assert_eq!(DriftLog::global().inner.capacity, super::DEFAULT_CAPACITY);
}

/// The callback fixtures, walked as the dispatcher does: what they carry beyond the spec is
/// what `cargo xtask decode` names for them too.
#[test]
fn the_event_fixtures_note_what_xtask_decode_names() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let log = DriftLog::new();
    for event in schema::EVENTS {
        let body = std::fs::read(dir.join(format!("{}.json", event.event_type)))
            .unwrap_or_else(|e| panic!("fixture of {}: {e}", event.event_type));
        log.note_event(event.event_type, &body);
    }
    assert_eq!(
        entries(&log),
        [
            "im.chat.disbanded_v1: unknown field event.chat_type",
            "im.chat.member.user.added_v1: unknown field event.users[].is_external",
            "im.chat.updated_v1: unknown field event.after_change.hide_member_count_setting",
            "im.chat.updated_v1: unknown value event.after_change.at_all_permission",
            "p2p_chat_create: unknown field event.locale",
        ]
    );
}
