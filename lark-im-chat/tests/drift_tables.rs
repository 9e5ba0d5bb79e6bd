//! The chat family's generated drift tables (`schema`) under the runtime's public walkers:
//! what a [`DriftLog`](lark_im_chat::drift::DriftLog) would note for responses and callbacks
//! of this family (the runtime's own tests use small tables of their own).

use lark_im_chat::drift::{
    unknown_in_event, unknown_in_response, DriftEntry, DriftKind, DriftLog, DEFAULT_CAPACITY,
};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome};
use lark_im_chat::meta::{self, OperationMeta};
use lark_im_chat::schema;
use serde_json::json;
use std::collections::BTreeSet;

/// Paths longer than this are cut and end in `…` (documented on `DriftEntry::path`).
const MAX_PATH_BYTES: usize = 256;

/// What a log would keep of `found`: each entry once, in the order of `DriftLog::snapshot`.
fn entries(found: impl IntoIterator<Item = DriftEntry>) -> Vec<String> {
    let kept: BTreeSet<DriftEntry> = found.into_iter().collect();
    kept.iter().map(ToString::to_string).collect()
}

fn response(operation: &'static OperationMeta, body: &[u8]) -> Vec<DriftEntry> {
    unknown_in_response(operation.shape, body, DEFAULT_CAPACITY)
}

fn noted(operation: &'static OperationMeta, body: &serde_json::Value) -> Vec<String> {
    entries(response(operation, body.to_string().as_bytes()))
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
    assert_eq!(noted(&meta::CHAT_GET, &body), Vec::<String>::new());
}

#[test]
fn unknown_fields_nested_fields_in_lists_and_enum_values_are_noted_once_each() {
    let item = json!({"chat_id": "oc_1", "chat_status": "normal"});
    let planted =
        json!({"chat_id": "oc_2", "chat_status": "galaxy_state", "brand_new": {"deep": 1}});
    let body = json!({"code": 0, "msg": "success", "request_id": "r-1", "data": {
        "items": [item, planted, planted], "has_more": false, "extra_top": null
    }});
    // Once each within one walk, too.
    let found = response(&meta::CHAT_LIST, body.to_string().as_bytes());
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(
        entries(found),
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
    let found: BTreeSet<DriftEntry> = response(&meta::CHAT_GET, body.as_bytes())
        .into_iter()
        .collect();
    let paths: Vec<String> = found.into_iter().map(|e| e.path).collect();
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0], "data.brand");
    assert!(paths[1].ends_with('…') && paths[1].len() <= MAX_PATH_BYTES + '…'.len_utf8());
}

#[tokio::test]
async fn unknown_items_and_broken_bodies_note_nothing_and_never_panic() {
    // An operation id or event type the family lacks has no table to walk: nothing is noted,
    // not even by a dispatcher with a log that gets such an event.
    assert!(meta::operation("chat.gett").is_none());
    assert!(!schema::OPERATIONS.iter().any(|op| op.id == "chat.gett"));
    assert!(meta::event("im.unknown_v9").is_none());
    assert!(!schema::EVENTS
        .iter()
        .any(|e| e.event_type == "im.unknown_v9"));
    let log = DriftLog::new();
    let dispatcher = Dispatcher::builder()
        .drift_log(log.clone())
        .fallback(|_| async { Ok(()) })
        .build()
        .expect("dispatcher");
    let outcome = dispatcher
        .dispatch_plaintext(
            br#"{"schema":"2.0","header":{"event_id":"e","event_type":"im.unknown_v9"},"event":{"x":1}}"#,
        )
        .await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    assert!(log.is_empty());

    for body in [
        &b"[1,2]"[..],
        b"",
        b"{\"code\":",
        b"nul",
        b"{\"data\":[{\"a\":1}]}",
    ] {
        assert_eq!(response(&meta::CHAT_GET, body), []);
    }
    // A cut body keeps what was found before the cut.
    assert_eq!(
        entries(response(
            &meta::CHAT_GET,
            br#"{"code":0,"data":{"brand_new":1,"name":"#
        )),
        ["chat.get: unknown field data.brand_new"]
    );
}

#[test]
fn events_are_walked_in_their_envelope() {
    let body = json!({"schema": "2.0",
        "header": {"event_id": "e", "event_type": "im.chat.updated_v1", "region": "cn"},
        "event": {"chat_id": "oc_1", "after_change": {"chat_mode": "galaxy", "brand_new": 1}}});
    let found = unknown_in_event(
        &schema::EV_CHAT_UPDATED_V1,
        body.to_string().as_bytes(),
        DEFAULT_CAPACITY,
    );
    assert!(
        found.iter().all(|e| e.item == "im.chat.updated_v1"),
        "{found:?}"
    );
    let paths: Vec<_> = found.iter().map(|e| (e.kind, e.path.as_str())).collect();
    assert!(paths.contains(&(DriftKind::Field, "header.region")));
    assert!(paths.contains(&(DriftKind::Field, "event.after_change.brand_new")));
}

/// The callback fixtures, walked as the dispatcher does: what they carry beyond the spec is
/// what `cargo xtask decode` names for them too.
#[test]
fn the_event_fixtures_note_what_xtask_decode_names() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let mut found = Vec::new();
    for event in schema::EVENTS {
        let body = std::fs::read(dir.join(format!("{}.json", event.event_type)))
            .unwrap_or_else(|e| panic!("fixture of {}: {e}", event.event_type));
        found.extend(unknown_in_event(event, &body, DEFAULT_CAPACITY));
    }
    assert_eq!(
        entries(found),
        [
            "im.chat.disbanded_v1: unknown field event.chat_type",
            "im.chat.member.user.added_v1: unknown field event.users[].is_external",
            "im.chat.updated_v1: unknown field event.after_change.hide_member_count_setting",
            "im.chat.updated_v1: unknown value event.after_change.at_all_permission",
            "p2p_chat_create: unknown field event.locale",
        ]
    );
}
