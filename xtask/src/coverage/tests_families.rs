//! Coverage of both families from one record: rows, totals per family and over all, gaps named
//! with their family, the Markdown sections and drops per family.

use super::drops::drops;
use super::markdown::markdown;
use super::record::Record;
use super::report::{combine, measure, report_gaps, FamilyCoverage, Report, Sources};
use crate::import_doc::{catalog, load_spec};

/// Both families measured from `record`, with their catalogs and generated code.
fn both(record: &Record) -> Report {
    let mut families = Vec::new();
    for f in crate::FAMILIES {
        let api = load_spec(&f.spec_dir()).unwrap();
        let (doc_ops, doc_events) = catalog::read_keys(&f.spec_dir().join("catalog")).unwrap();
        let (gen_ops, gen_events) = super::read_gen(&f.generated_dir()).unwrap();
        let sdk = crate::import_sdk::record::Record::read(&f.spec_dir().join("catalog")).unwrap();
        let coverage = measure(&Sources {
            api: &api,
            doc_ops: &doc_ops,
            doc_events: &doc_events,
            gen_ops: &gen_ops,
            gen_events: &gen_events,
            record,
            sdk: sdk.as_ref(),
        })
        .unwrap();
        families.push(FamilyCoverage {
            family: f.name.into(),
            coverage,
        });
    }
    combine(families)
}

fn record() -> Record {
    let mut rec = Record::default();
    rec.requests
        .insert(("GET".into(), "/open-apis/im/v1/chats/oc_1".into()));
    rec.requests
        .insert(("GET".into(), "/open-apis/im/v1/messages/om_1".into()));
    rec.events.insert("im.message.receive_v1".into());
    rec.events.insert("p2p_chat_create".into());
    rec
}

#[test]
fn both_families_have_their_rows_and_totals_and_all_of_them_are_summed() {
    let r = both(&record());
    let names: Vec<&str> = r.families.iter().map(|f| f.family.as_str()).collect();
    assert_eq!(names, ["im-chat", "im-message"]);
    let message = &r.families[1].coverage;
    let spec_ops = message.operations.iter().filter(|o| o.in_spec).count();
    let t = &message.totals["operations"];
    eprintln!("im-message operations: {t:?}");
    assert_eq!(spec_ops, 20);
    assert_eq!(
        t["total"], 23,
        "20 of the spec and the page's 3 page-only rows"
    );
    assert_eq!((t["in_spec"], t["in_doc"]), (20, 23));
    assert_eq!((t["generated"], t["documented"]), (20, 20));
    assert_eq!(t["e2e_tested"], 1, "message.get only");
    assert_eq!(
        t["sdk_fields"], 20,
        "every difference from lark-oapi is acknowledged"
    );
    assert_eq!(message.totals["events"]["decode_tested"], 1);
    let get = message
        .operations
        .iter()
        .find(|o| o.id == "message.get")
        .unwrap();
    assert!(get.e2e_tested && get.in_doc);
    // The chat family counts only its own: chat.get and p2p_chat_create.
    let chat = &r.families[0].coverage;
    assert_eq!(chat.totals["operations"]["e2e_tested"], 1);
    assert_eq!(chat.totals["events"]["decode_tested"], 1);
    for group in ["operations", "events"] {
        for (col, n) in &r.totals[group] {
            assert_eq!(
                *n,
                chat.totals[group][col] + message.totals[group][col],
                "{group} {col}"
            );
        }
    }

    // Gaps name their family; the page-only rows are not gaps.
    let gaps = report_gaps(&r);
    assert!(gaps.contains(&"im-message: operation message.create: not e2e tested".to_owned()));
    assert!(gaps.contains(&"im-chat: operation chat.list: not e2e tested".to_owned()));
    assert!(!gaps
        .iter()
        .any(|g| g.contains("message.get") || g.contains("merge_forward")));

    // The Markdown: a totals row per family and over all, then a section per family.
    let md = markdown(&r);
    assert!(
        md.contains(
            "| im-message operations | 23 | 23/23 | 20/23 | 20/23 | 1/23 | – | 20/23 | 20/23 |"
        ),
        "{md}"
    );
    let all = chat.totals["operations"]["total"] + 23;
    assert!(
        md.contains(&format!("| all families operations | {all} |")),
        "{md}"
    );
    assert!(
        md.contains("\n## im-chat\n") && md.contains("\n## im-message\n"),
        "{md}"
    );
    assert!(md.contains("| `message.get` | `GET /open-apis/im/v1/messages/:message_id` | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |"), "{md}");
    assert!(md.contains("| `POST /open-apis/message/v4/batch_send/` | `POST /open-apis/message/v4/batch_send/` | ✓ | ✗ |"), "{md}");
}

#[test]
fn drops_are_named_per_family() {
    let before = serde_json::to_value(both(&record())).unwrap();
    assert!(drops(&before, &before).is_empty());
    let mut rec = record();
    rec.requests
        .remove(&("GET".into(), "/open-apis/im/v1/messages/om_1".into()));
    let now = serde_json::to_value(both(&rec)).unwrap();
    let d = drops(&before, &now);
    assert!(
        d.contains(&"all families: operations e2e_tested: 1, was 2".to_owned()),
        "{d:#?}"
    );
    assert!(
        d.contains(&"im-message: operations e2e_tested: 0, was 1".to_owned()),
        "{d:#?}"
    );
    assert!(
        d.contains(&"im-message: message.get: no longer e2e tested".to_owned()),
        "{d:#?}"
    );
    assert!(!d.iter().any(|l| l.starts_with("im-chat")), "{d:#?}");

    // A family missing from the measurement is a drop, not silence.
    let mut one = now.clone();
    one["families"].as_array_mut().unwrap().pop();
    assert!(
        drops(&before, &one).contains(&"im-message: the family is gone from the report".to_owned())
    );
}
