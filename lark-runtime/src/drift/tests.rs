//! The walker and the log against small tables of their own (a family's generated tables are
//! tested in its crate).

use super::shape::{Field, Object, Operation, Values};
use super::walk::{walk, Found};
use super::{DriftEntry, DriftKind, DriftLog, RESPONSE_ENVELOPE};

static MODE: Values = Values {
    name: "Mode",
    strings: &["group", "p2p"],
    integers: &[],
};

static NOTE: Object = Object {
    name: "Note",
    fields: &[Field::value("mode", &MODE), Field::any("name")],
};

static NOTE_GET_SHAPE: Operation = Operation {
    id: "note.get",
    data: &NOTE,
};

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
    log.note_response(&NOTE_GET_SHAPE, br#"{"data":{"a":1,"b":2}}"#);
    log.note_response(&NOTE_GET_SHAPE, br#"{"data":{"c":1,"a":2}}"#);
    assert_eq!(log.len(), 2);
    assert_eq!(log.dropped(), 1);
    assert!(format!("{log:?}").contains("dropped: 1"));
}

#[test]
fn clones_share_one_record_and_entries_print_without_values() {
    let log = DriftLog::new();
    let clone = log.clone();
    clone.note_response(&NOTE_GET_SHAPE, br#"{"data":{"mode":"secret-value"}}"#);
    let entry = DriftEntry {
        item: "note.get",
        kind: DriftKind::Value,
        path: "data.mode".into(),
    };
    assert_eq!(log.snapshot().into_iter().collect::<Vec<_>>(), [entry]);
    assert!(!format!("{:?}", log.snapshot()).contains("secret-value"));
    assert_eq!(DriftLog::global().inner.capacity, super::DEFAULT_CAPACITY);
}
