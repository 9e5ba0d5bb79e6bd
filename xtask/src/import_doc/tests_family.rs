//! The importer with two families: the message family's page against its own spec (the
//! acknowledged off-page rows, *not on this page*, stale acknowledgements), items of the other
//! family listed apart, and which family a page belongs to.

use super::compare::Scope;
use super::family::infer;
use super::offpage::{self, OffPage};
use super::parse::parse;
use super::tests::{facts, fixture};
use super::{catalog, compared, load_spec};
use lark_codegen::ir::Api;

const MESSAGE_PAGE: &str = "im-message/message-overview.md";
const CHAT_PAGE: &str = "im-chat/group-chat-overview.md";

fn api(family: &str) -> Api {
    load_spec(&crate::family(family).unwrap().spec_dir()).unwrap()
}

/// Both families, named.
fn all() -> Vec<(String, Api)> {
    ["im-chat", "im-message"]
        .iter()
        .map(|f| ((*f).to_owned(), api(f)))
        .collect()
}

fn acknowledged() -> Vec<OffPage> {
    offpage::read(&crate::family("im-message").unwrap().spec_dir()).unwrap()
}

/// `text` without the `<md-tr>` row containing `needle`.
fn without_row(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("the row is on the page");
    let start = text[..at].rfind("<md-tr>").unwrap();
    let end = at + text[at..].find("</md-tr>").unwrap() + "</md-tr>".len();
    format!("{}{}", &text[..start], &text[end..])
}

fn drift_of(report: &super::Report) -> Vec<(&str, &str)> {
    report
        .drift
        .iter()
        .map(|d| (d.kind.as_str(), d.key.as_str()))
        .collect()
}

#[test]
fn the_message_page_matches_its_family_with_three_acknowledged_page_only_rows_and_one_off_page_callback(
) {
    let text = fixture(MESSAGE_PAGE);
    let (message, acks) = (api("im-message"), acknowledged());
    let others = vec![("im-chat".to_owned(), api("im-chat"))];
    let scope = Scope {
        family: "im-message",
        api: &message,
        acknowledged: &acks,
        others: &others,
    };
    let (page, report) = compared(parse(&text).unwrap(), &scope);
    assert_eq!(page.operations.len(), message.operations.len() + 3);
    // The card action callback is documented with the cards, not on this page.
    assert_eq!(page.events.len(), message.events.len() - 1);
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    assert!(report.elsewhere.is_empty(), "{:#?}", report.elsewhere);
    assert!(page.quirks.is_empty(), "{:#?}", page.quirks);
    let acked: Vec<(&str, &str)> = report
        .acknowledged
        .iter()
        .map(|a| (a.what.as_str(), a.key.as_str()))
        .collect();
    assert_eq!(
        acked,
        [
            ("not_on_page", "card.action.trigger"),
            (
                "added",
                "PATCH /open-apis/im/v1/messages/:message_id/urgent_app"
            ),
            ("added", "POST /open-apis/im/v1/messages/merge_forward"),
            ("added", "POST /open-apis/message/v4/batch_send/"),
        ]
    );
    assert!(report.acknowledged.iter().all(|a| !a.reason.is_empty()));

    // The fixture page carries the facts of the family's recorded catalog.
    let ours = catalog::render(&page, &text, "message-overview.md");
    let path = crate::family("im-message")
        .unwrap()
        .spec_dir()
        .join("catalog/message-overview.yaml");
    let recorded = std::fs::read_to_string(&path).unwrap();
    assert_eq!(facts(&ours), facts(&recorded), "{}", path.display());

    // Without the acknowledgements the four items are drift, worded for this family.
    let bare = Scope {
        acknowledged: &[],
        ..scope
    };
    let (_, report) = compared(parse(&text).unwrap(), &bare);
    assert_eq!(report.drift.len(), 4, "{:#?}", report.drift);
    assert!(report.drift.iter().all(|d| (d.kind == "added"
        && d.details.ends_with("not in spec/im-message"))
        || (d.kind == "not_on_page" && d.details.ends_with("not on this page"))));
}

#[test]
fn a_spec_item_missing_from_the_page_is_not_on_this_page_unless_acknowledged() {
    let text = without_row(&fixture(MESSAGE_PAGE), "reference/im-v1/message/patch)");
    let message = api("im-message");
    let mut acks = acknowledged();
    let plain = Scope {
        family: "im-message",
        api: &message,
        acknowledged: &acks,
        others: &[],
    };
    let (_, report) = compared(parse(&text).unwrap(), &plain);
    assert_eq!(
        drift_of(&report),
        [("not_on_page", "PATCH /open-apis/im/v1/messages/:message_id")]
    );
    assert_eq!(
        report.drift[0].details,
        "message.patch is in spec/im-message but not on this page"
    );

    acks.push(OffPage {
        kind: "not_on_page".into(),
        item: "operation".into(),
        key: "PATCH /open-apis/im/v1/messages/:message_id".into(),
        reason: "card updates are listed with the card docs".into(),
    });
    let scope = Scope {
        family: "im-message",
        api: &message,
        acknowledged: &acks,
        others: &[],
    };
    let (_, report) = compared(parse(&text).unwrap(), &scope);
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    let patch = report
        .acknowledged
        .iter()
        .find(|a| a.what == "not_on_page" && a.id == "message.patch")
        .unwrap();
    assert_eq!(patch.id, "message.patch");

    // Once the row is back, the acknowledgement is stale: drift naming the entry.
    let (_, report) = compared(parse(&fixture(MESSAGE_PAGE)).unwrap(), &scope);
    assert_eq!(
        drift_of(&report),
        [(
            "stale_acknowledgement",
            "PATCH /open-apis/im/v1/messages/:message_id"
        )]
    );
    assert!(report.drift[0]
        .details
        .contains("overview-acknowledged.yaml"));
}

#[test]
fn items_of_the_other_family_are_listed_apart_never_as_drift() {
    // The message page checked against the chat family: every message row belongs to the other
    // family; every chat item is not on this page; the three rows no family has are added.
    let chat = api("im-chat");
    let others = vec![("im-message".to_owned(), api("im-message"))];
    let scope = Scope {
        family: "im-chat",
        api: &chat,
        acknowledged: &[],
        others: &others,
    };
    let (page, report) = compared(parse(&fixture(MESSAGE_PAGE)).unwrap(), &scope);
    assert_eq!(
        report.elsewhere.len(),
        page.operations.len() - 3 + page.events.len()
    );
    assert!(report.elsewhere.iter().all(|e| e.family == "im-message"));
    assert!(report
        .elsewhere
        .iter()
        .any(|e| e.id == "message.create" && e.key == "POST /open-apis/im/v1/messages"));
    let count = |kind: &str| report.drift.iter().filter(|d| d.kind == kind).count();
    assert_eq!(count("added"), 3);
    assert_eq!(
        count("not_on_page"),
        chat.operations.len() + chat.events.len()
    );
    assert!(!report.drift.iter().any(|d| d.kind == "removed"));

    // A chat row on the message page is the chat family's, not drift of the message family.
    let chat_text = fixture(CHAT_PAGE);
    let at = chat_text.find("reference/im-v1/chat/get)").unwrap();
    let row_start = chat_text[..at].rfind("<md-tr>").unwrap();
    let row_end = at + chat_text[at..].find("</md-tr>").unwrap() + "</md-tr>".len();
    let message_text = fixture(MESSAGE_PAGE).replacen(
        "</md-tbody>",
        &format!("{}\n</md-tbody>", &chat_text[row_start..row_end]),
        1,
    );
    let (message, acks) = (api("im-message"), acknowledged());
    let others = vec![("im-chat".to_owned(), chat)];
    let scope = Scope {
        family: "im-message",
        api: &message,
        acknowledged: &acks,
        others: &others,
    };
    let (_, report) = compared(parse(&message_text).unwrap(), &scope);
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    let keys: Vec<(&str, &str)> = report
        .elsewhere
        .iter()
        .map(|e| (e.family.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(keys, [("im-chat", "chat.get")]);
}

#[test]
fn the_family_of_a_page_is_inferred_only_when_unambiguous() {
    let families = all();
    let message = parse(&fixture(MESSAGE_PAGE)).unwrap();
    let chat = parse(&fixture(CHAT_PAGE)).unwrap();
    assert_eq!(
        families[infer(&message, &families).unwrap()].0,
        "im-message"
    );
    assert_eq!(families[infer(&chat, &families).unwrap()].0, "im-chat");

    // Neither family has any item of the page.
    let unknown = parse(&without_row(
        &without_row(
            &fixture(MESSAGE_PAGE),
            "reference/im-v1/message/urgent_app)",
        ),
        "reference/im-v1/message/merge_forward)",
    ))
    .unwrap();
    let mut none = unknown.clone();
    none.operations
        .retain(|o| o.path.starts_with("/open-apis/message/v4"));
    none.events.clear();
    let err = infer(&none, &families).unwrap_err();
    assert!(err.contains("--family"), "{err}");
    assert!(err.contains("im-chat: 0, im-message: 0"), "{err}");

    // As many items of each family: ambiguous.
    let mut tie = chat.clone();
    tie.operations.truncate(1);
    tie.events.clear();
    tie.operations.push(message.operations[0].clone());
    let err = infer(&tie, &families).unwrap_err();
    assert!(err.contains("im-chat: 1, im-message: 1"), "{err}");
}

#[test]
fn a_bad_acknowledgement_is_an_error_naming_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("catalog")).unwrap();
    let write = |body: &str| {
        std::fs::write(dir.path().join("catalog").join(offpage::FILE), body).unwrap();
    };
    assert!(
        offpage::read(dir.path()).unwrap().is_empty(),
        "no file, none"
    );
    write("acknowledged:\n  - {kind: removed, item: operation, key: \"GET /x\", reason: \"r\"}\n");
    let err = offpage::read(dir.path()).unwrap_err();
    assert!(err.contains("entry 1 (operation GET /x)"), "{err}");
    assert!(err.contains("`added` or `not_on_page`"), "{err}");
    write("acknowledged:\n  - {kind: added, item: event, key: \"im.x_v1\", reason: \" \"}\n");
    assert!(offpage::read(dir.path())
        .unwrap_err()
        .contains("a reason is required"));
    write("acknowledged:\n  - {kind: added, item: event, key: \"im.x_v1\", why: \"r\"}\n");
    assert!(offpage::read(dir.path()).is_err());
}
