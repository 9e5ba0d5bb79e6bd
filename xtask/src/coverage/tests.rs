//! Coverage: the record the tests write, how it maps to operations, and drop detection.

use super::drops::drops;
use super::markdown::markdown as report_markdown;
use super::record::{match_template, Record};
use super::report::{self, combine, gaps, measure, validate, FamilyCoverage, Sources};
use crate::import_doc::{catalog, load_spec};
use std::collections::{BTreeMap, BTreeSet};

/// The report of one family, named `family`.
fn one(family: &str, coverage: report::Coverage) -> report::Report {
    combine(vec![FamilyCoverage {
        family: family.into(),
        coverage,
    }])
}

/// The Markdown of the chat family alone.
fn markdown(coverage: &report::Coverage) -> String {
    report_markdown(&one("im-chat", coverage.clone()))
}

fn gen() -> (BTreeMap<String, String>, String) {
    super::read_gen(&crate::generated_dir()).unwrap()
}

fn coverage(
    record: &Record,
    doc_ops: &BTreeSet<String>,
    doc_events: &BTreeSet<String>,
) -> Result<report::Coverage, String> {
    let api = load_spec(&crate::spec_dir()).unwrap();
    let (gen_ops, gen_events) = gen();
    measure(&Sources {
        api: &api,
        doc_ops,
        doc_events,
        gen_ops: &gen_ops,
        gen_events: &gen_events,
        record,
        sdk: None,
    })
}

#[test]
fn the_most_specific_path_template_wins() {
    assert_eq!(
        match_template(
            "/open-apis/im/v1/chats/:chat_id",
            "/open-apis/im/v1/chats/search"
        ),
        Some(5)
    );
    assert_eq!(
        match_template(
            "/open-apis/im/v1/chats/search",
            "/open-apis/im/v1/chats/search"
        ),
        Some(6)
    );
    assert_eq!(
        match_template(
            "/open-apis/im/v1/chats/:chat_id",
            "/open-apis/im/v1/chats/oc_1/members"
        ),
        None
    );
    assert_eq!(
        match_template("/open-apis/im/v1/chats/:chat_id", "/open-apis/im/v1/chats/"),
        None
    );

    let mut rec = Record::default();
    rec.requests
        .insert(("GET".into(), "/open-apis/im/v1/chats/search".into()));
    rec.requests
        .insert(("GET".into(), "/open-apis/im/v1/chats/oc_1/members".into()));
    rec.requests.insert((
        "POST".into(),
        "/open-apis/auth/v3/tenant_access_token/internal".into(),
    ));
    rec.operations.insert("chat_tab.list_tabs".into());
    rec.events.insert("p2p_chat_create".into());
    let c = coverage(&rec, &BTreeSet::new(), &BTreeSet::new()).unwrap();
    let tested: Vec<&str> = c
        .operations
        .iter()
        .filter(|o| o.e2e_tested)
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(
        tested,
        ["chat.search", "chat_members.get", "chat_tab.list_tabs"]
    );
    let decoded: Vec<&str> = c
        .events
        .iter()
        .filter(|e| e.decode_tested)
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(decoded, ["p2p_chat_create"]);
    assert_eq!(c.totals["operations"]["e2e_tested"], 3);
    assert_eq!(c.totals["events"]["decode_tested"], 1);
}

#[test]
fn every_generated_operation_and_event_is_found_and_documented() {
    let (ops, events) = catalog::read_keys(&crate::spec_dir().join("catalog")).unwrap();
    let c = coverage(&Record::default(), &ops, &events).unwrap();
    let api = load_spec(&crate::spec_dir()).unwrap();
    assert_eq!(c.operations.len(), api.operations.len());
    assert_eq!(c.events.len(), api.events.len());
    assert!(
        c.operations
            .iter()
            .all(|o| o.in_spec && o.generated && o.documented),
        "{:#?}",
        c.operations
    );
    assert!(
        c.events.iter().all(|e| e.in_spec && e.generated),
        "{:#?}",
        c.events
    );
    assert_eq!(
        c.totals["operations"]["e2e_tested"], 0,
        "nothing recorded, nothing tested"
    );
}

#[test]
fn page_only_items_are_listed_and_a_missing_method_is_not_generated() {
    let mut ops = BTreeSet::new();
    ops.insert("GET /open-apis/im/v1/chats/:chat_id/pins".to_owned());
    ops.insert("GET /open-apis/im/v1/chats/:chat_id".to_owned());
    let events: BTreeSet<String> = ["im.chat.new_v9".to_owned()].into();
    let c = coverage(&Record::default(), &ops, &events).unwrap();
    let last = c.operations.last().unwrap();
    assert_eq!(
        (last.id.as_str(), last.in_doc, last.in_spec),
        ("GET /open-apis/im/v1/chats/:chat_id/pins", true, false)
    );
    assert!(
        c.operations
            .iter()
            .find(|o| o.id == "chat.get")
            .unwrap()
            .in_doc
    );
    assert!(
        !c.operations
            .iter()
            .find(|o| o.id == "chat.list")
            .unwrap()
            .in_doc
    );
    assert!(c
        .events
        .iter()
        .any(|e| e.event_type == "im.chat.new_v9" && !e.in_spec));

    // A method removed from the generated source is neither generated nor documented.
    let api = load_spec(&crate::spec_dir()).unwrap();
    let (mut gen_ops, gen_events) = gen();
    let chat = gen_ops.get_mut("chat").unwrap();
    *chat = chat.replace("    pub fn get(&self)", "    pub fn got(&self)");
    let rec = Record::default();
    let c = measure(&Sources {
        api: &api,
        doc_ops: &ops,
        doc_events: &events,
        gen_ops: &gen_ops,
        gen_events: &gen_events,
        record: &rec,
        sdk: None,
    })
    .unwrap();
    let get = c.operations.iter().find(|o| o.id == "chat.get").unwrap();
    assert!(!get.generated && !get.documented);
}

#[test]
fn a_recorded_id_that_is_in_no_familys_spec_is_an_error() {
    let chat = load_spec(&crate::spec_dir()).unwrap();
    let message = load_spec(&crate::family("im-message").unwrap().spec_dir()).unwrap();
    let mut rec = Record::default();
    rec.operations.insert("chat.gett".into());
    let err = validate(&rec, &[&chat, &message]).unwrap_err();
    assert!(
        err.contains("chat.gett") && err.contains("no family"),
        "{err}"
    );
    let mut rec = Record::default();
    rec.events.insert("im.chat.nope_v1".into());
    assert!(validate(&rec, &[&chat, &message])
        .unwrap_err()
        .contains("im.chat.nope_v1"));
    // An id of the other family is valid, and the chat family does not count it.
    let mut rec = Record::default();
    rec.operations.insert("message.get".into());
    rec.events.insert("im.message.receive_v1".into());
    assert!(validate(&rec, &[&chat, &message]).is_ok());
    assert!(validate(&rec, &[&chat]).is_err());
    let c = coverage(&rec, &BTreeSet::new(), &BTreeSet::new()).unwrap();
    assert_eq!(c.totals["operations"]["e2e_tested"], 0);
    assert_eq!(c.totals["events"]["decode_tested"], 0);
}

#[test]
fn check_names_every_drop_and_accepts_rises() {
    let mut rec = Record::default();
    rec.operations.insert("chat.get".into());
    rec.operations.insert("chat.list".into());
    let (ops, events) = catalog::read_keys(&crate::spec_dir().join("catalog")).unwrap();
    let value = |rec: &Record| {
        serde_json::to_value(one("im-chat", coverage(rec, &ops, &events).unwrap())).unwrap()
    };
    let before = value(&rec);
    assert!(drops(&before, &before).is_empty());

    rec.operations.insert("chat.create".into());
    let rose = value(&rec);
    assert!(drops(&before, &rose).is_empty());

    rec.operations.remove("chat.list");
    rec.operations.remove("chat.create");
    let mut fell = value(&rec);
    fell["families"][0]["events"]
        .as_array_mut()
        .unwrap()
        .retain(|e| e["event_type"] != "p2p_chat_create");
    let d = drops(&before, &fell);
    assert!(
        d.contains(&"im-chat: operations e2e_tested: 1, was 2".to_owned()),
        "{d:#?}"
    );
    assert!(
        d.contains(&"im-chat: chat.list: no longer e2e tested".to_owned()),
        "{d:#?}"
    );
    assert!(
        d.contains(&"im-chat: events: p2p_chat_create is gone from the report".to_owned()),
        "{d:#?}"
    );
}

#[test]
fn the_markdown_report_is_deterministic() {
    let (ops, events) = catalog::read_keys(&crate::spec_dir().join("catalog")).unwrap();
    let rec = Record::default();
    let a = markdown(&coverage(&rec, &ops, &events).unwrap());
    let b = markdown(&coverage(&rec, &ops, &events).unwrap());
    assert_eq!(a, b);
    // Every operation of the spec is on the page, generated and documented; nothing was recorded.
    let n = load_spec(&crate::spec_dir()).unwrap().operations.len();
    let row =
        format!("| im-chat operations | {n} | {n}/{n} | {n}/{n} | {n}/{n} | 0/{n} | – | {n}/{n} |");
    assert!(a.contains(&row), "{row}\n{a}");
    assert!(
        a.contains("| `chat.get` | `GET /open-apis/im/v1/chats/:chat_id` | ✓ | ✓ | ✓ | ✗ | ✓ |"),
        "{a}"
    );
    let ids: Vec<&str> = a.lines().filter(|l| l.starts_with("| `chat")).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

/// The fixture spec (two operations, two events), generated into a temporary directory.
fn fixture_spec() -> (lark_codegen::ir::Api, BTreeMap<String, String>, String) {
    let spec =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-two-ops");
    let api = load_spec(&spec).unwrap();
    let out = tempfile::tempdir().unwrap();
    let generated = lark_codegen::generate_dir(&spec).unwrap();
    lark_codegen::sync(out.path(), &generated.files, lark_codegen::Mode::Write).unwrap();
    let (ops, events) = super::read_gen(out.path()).unwrap();
    (api, ops, events)
}

#[test]
fn an_untested_operation_is_measured_as_a_gap_named_by_id() {
    let (api, gen_ops, gen_events) = fixture_spec();
    let mut rec = Record::default();
    rec.requests
        .insert(("GET".into(), "/open-apis/im/v1/chats/oc_1".into()));
    rec.events.insert("im.chat.disbanded_v1".into());
    let none = BTreeSet::new();
    let measure_with = |rec: &Record| {
        measure(&Sources {
            api: &api,
            doc_ops: &none,
            doc_events: &none,
            gen_ops: &gen_ops,
            gen_events: &gen_events,
            record: rec,
            sdk: None,
        })
        .unwrap()
    };
    let c = measure_with(&rec);
    let tested: Vec<(&str, bool)> = c
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.e2e_tested))
        .collect();
    assert_eq!(tested, [("chat.create", false), ("chat.get", true)]);
    assert!(c.operations.iter().all(|o| o.generated && o.documented));
    assert_eq!(
        gaps(&c),
        [
            "operation chat.create: not e2e tested",
            "event im.chat.updated_v1: not decode tested"
        ]
    );
    let md = markdown(&c);
    assert!(
        md.contains("| im-chat operations | 2 | 0/2 | 2/2 | 2/2 | 1/2 | – | 2/2 |"),
        "{md}"
    );
    assert!(
        md.contains("| `chat.create` | `POST /open-apis/im/v1/chats` | ✗ | ✓ | ✓ | ✗ | ✓ |"),
        "{md}"
    );

    // With everything recorded there is no gap.
    rec.operations.insert("chat.create".into());
    rec.events.insert("im.chat.updated_v1".into());
    let c = measure_with(&rec);
    assert!(gaps(&c).is_empty(), "{:?}", gaps(&c));
}

#[test]
fn a_recorded_sdk_import_adds_the_fields_vs_sdk_column() {
    use crate::import_sdk::record::{ItemStatus, Record as SdkRecord};
    let (api, gen_ops, gen_events) = fixture_spec();
    let status = |drift| ItemStatus {
        matched: true,
        drift,
        acknowledged: 0,
    };
    let sdk = SdkRecord {
        package: "lark-oapi".into(),
        version: "9.9.9".into(),
        sha256: String::new(),
        items: [
            ("chat.get".to_owned(), status(1)),
            ("chat.create".to_owned(), status(0)),
            ("im.chat.disbanded_v1".to_owned(), status(0)),
        ]
        .into(),
    };
    let none = BTreeSet::new();
    let c = measure(&Sources {
        api: &api,
        doc_ops: &none,
        doc_events: &none,
        gen_ops: &gen_ops,
        gen_events: &gen_events,
        record: &Record::default(),
        sdk: Some(&sdk),
    })
    .unwrap();
    let ops: Vec<(&str, Option<bool>)> = c
        .operations
        .iter()
        .map(|o| (o.id.as_str(), o.sdk_fields))
        .collect();
    assert_eq!(
        ops,
        [("chat.create", Some(true)), ("chat.get", Some(false))]
    );
    assert_eq!(
        c.totals["events"]["sdk_fields"], 1,
        "an item the record lacks is ✗"
    );
    let md = markdown(&c);
    assert!(md.contains("| documented | fields vs SDK |"), "{md}");
    assert!(
        md.contains(
            "| `chat.get` | `GET /open-apis/im/v1/chats/:chat_id` | ✗ | ✓ | ✓ | ✗ | ✓ | ✗ |"
        ),
        "{md}"
    );
    // Without a record, no column.
    assert!(!markdown(&coverage(&Record::default(), &none, &none).unwrap()).contains("SDK"));
}
