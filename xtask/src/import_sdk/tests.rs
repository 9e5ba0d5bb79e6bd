//! The comparison on fixtures in the SDK's layout and declaration style (written for these tests):
//! a package matching the fixture spec exactly, and copies with planted changes, each of which must
//! be reported, and nothing else.

use super::compare::{compare, Acknowledged, Comparison};
use super::parse::{py_type, read, PyType};
use crate::normalized;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

const MODEL: &str = "lark_oapi/api/im/v1/model";

fn run(sdk_dir: &Path, acknowledged: &[Acknowledged]) -> Comparison {
    let spec = normalized::from_dir(&fixtures().join("spec-two-ops")).unwrap();
    let sdk = read(sdk_dir).unwrap();
    compare(&spec, &sdk, acknowledged)
}

/// A copy of the fixture package with `edits` (file, from, to) applied; `to` = None deletes the file.
fn planted(edits: &[(&str, &str, Option<&str>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixtures().join("sdk-two-ops");
    for sub in ["lark_oapi-9.9.9.dist-info", MODEL] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(from.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(sub).join(entry.file_name())).unwrap();
        }
    }
    for (file, old, new) in edits {
        let path = dir.path().join(MODEL).join(file);
        match new {
            Some(new) => {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(text.contains(old), "{file}: {old}");
                std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
            }
            None => std::fs::remove_file(&path).unwrap(),
        }
    }
    dir
}

fn listed(cmp: &Comparison) -> Vec<(String, String, String)> {
    cmp.drift
        .iter()
        .map(|d| (d.kind.clone(), d.item.clone(), d.path.clone()))
        .collect()
}

#[test]
fn a_package_matching_the_spec_has_no_drift() {
    let cmp = run(&fixtures().join("sdk-two-ops"), &[]);
    assert_eq!((cmp.operations_matched, cmp.events_matched), (2, 2));
    assert!(cmp.drift.is_empty(), "{:#?}", cmp.drift);
    assert_eq!(
        read(&fixtures().join("sdk-two-ops")).unwrap().version,
        "9.9.9"
    );
}

#[test]
fn every_planted_change_is_reported_and_nothing_else() {
    let dir = planted(&[
        (
            "get_chat_response_body.py",
            "\"name\": str,\n",
            Some("\"brand_new\": List[ChatThing],\n"),
        ),
        (
            "get_chat_response_body.py",
            "\"chat_mode\": str,",
            Some("\"chat_mode\": int,"),
        ),
        (
            "get_chat_request.py",
            "self._request.paths",
            Some("self._request.add_query(\n            \"user_id_type\", user_id_type\n        )\n        self._request.paths"),
        ),
        (
            "create_chat_request.py",
            "AccessTokenType.TENANT,",
            Some("AccessTokenType.TENANT,\n            AccessTokenType.USER,"),
        ),
        ("p2_im_chat_updated_v1.py", "", None),
    ]);
    let cmp = run(dir.path(), &[]);
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        listed(&cmp),
        [
            s("tokens", "chat.create", "tokens"),
            s("param_missing_in_spec", "chat.get", "query.user_id_type"),
            s("missing_in_spec", "chat.get", "data.brand_new"),
            s("type_mismatch", "chat.get", "data.chat_mode"),
            s("missing_in_sdk", "chat.get", "data.name"),
            s("unmatched", "im.chat.updated_v1", ""),
        ]
    );
    assert_eq!(cmp.drift[0].details, "SDK [tenant, user], spec [tenant]");
    assert_eq!(cmp.drift[3].details, "SDK integer, spec string");
    assert_eq!((cmp.operations_matched, cmp.events_matched), (2, 1));

    // Acknowledged differences are listed apart.
    let ack = Acknowledged {
        kind: "tokens".into(),
        item: "chat.create".into(),
        path: "tokens".into(),
        reason: "fixture".into(),
    };
    let cmp = run(dir.path(), &[ack]);
    assert_eq!(cmp.drift.len(), 5);
    assert_eq!(cmp.acknowledged.len(), 1);
    assert_eq!(cmp.acknowledged[0].item, "chat.create");
}

#[test]
fn an_unreadable_declaration_is_an_error_naming_file_and_line() {
    let dir = planted(&[(
        "create_chat_request_body.py",
        "\"name\": str,",
        Some("\"name\": str | None,"),
    )]);
    let errors = read(dir.path()).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("create_chat_request_body.py:7: cannot read the _types entry"),
        "{errors:?}"
    );
    let dir = planted(&[(
        "get_chat_request.py",
        "request.uri = ",
        Some("request.url = "),
    )]);
    let errors = read(dir.path()).unwrap_err();
    assert!(
        errors[0].contains("get_chat_request.py:1: a request builder without"),
        "{errors:?}"
    );
    assert!(read(&fixtures().join("no-such-package")).is_err());
}

#[test]
fn types_are_read_as_declared() {
    assert_eq!(
        py_type("List[str]"),
        Some(PyType::List(Box::new(PyType::Str)))
    );
    assert_eq!(
        py_type("Dict[str, List[Chat]]"),
        Some(PyType::Dict(Box::new(PyType::List(Box::new(
            PyType::Class("Chat".into())
        )))))
    );
    assert_eq!(py_type("IO[Any]"), Some(PyType::File));
    assert_eq!(py_type("float").map(|t| t.kind()), Some("number"));
    assert_eq!(py_type("str | None"), None);
    assert_eq!(py_type("lowercase_thing"), None);
}

#[path = "../../tests/support/mod.rs"]
mod support;

/// A package holding the message classes of the scaffold fixture and the chat classes of the
/// two-operation fixture.
fn two_family_package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_dir(&fixtures().join("sdk-scaffold"), dir.path());
    support::copy_dir(&fixtures().join("sdk-two-ops"), dir.path());
    dir
}

#[test]
fn both_families_are_compared_each_with_its_own_acknowledgements() {
    let sdk_dir = two_family_package();
    let sdk = read(sdk_dir.path()).unwrap();
    let message_spec = crate::family("im-message").unwrap().spec_dir();
    let families =
        super::compare_families(&[fixtures().join("spec-two-ops"), message_spec], &sdk).unwrap();
    let names: Vec<&str> = families.iter().map(|f| f.family.as_str()).collect();
    assert_eq!(names, ["fixture-two-ops", "im-message"]);
    assert!(
        families[0].cmp.drift.is_empty(),
        "{:#?}",
        families[0].cmp.drift
    );

    // The message family: the SDK's integer timestamps are the documented conflict, acknowledged
    // in spec/im-message/catalog/sdk-acknowledged.yaml; what the fixture package lacks is drift.
    let message = &families[1].cmp;
    let acked = |item: &str, path: &str| {
        message
            .acknowledged
            .iter()
            .any(|d| d.kind == "type_mismatch" && d.item == item && d.path == path)
    };
    assert!(acked("message.get", "data.items[].create_time"));
    assert!(acked("message.list", "data.items[].create_time"));
    assert!(message
        .drift
        .iter()
        .all(|d| d.kind != "type_mismatch" || !d.path.ends_with("_time")));
    assert!(message
        .drift
        .iter()
        .any(|d| d.kind == "unmatched" && d.item == "message.update"));

    // --check names the failing family only.
    let err = super::check(&sdk.version, &families).unwrap_err();
    assert!(err.starts_with("im-message: "), "{err}");
    assert!(
        err.contains("spec/im-message/catalog/sdk-acknowledged.yaml"),
        "{err}"
    );
    assert!(!err.contains("fixture-two-ops"), "{err}");

    // Without the message family's acknowledgements the conflicts are drift.
    let spec = normalized::from_dir(&crate::family("im-message").unwrap().spec_dir()).unwrap();
    let bare = compare(&spec, &sdk, &[]);
    assert!(bare.drift.iter().any(|d| d.item == "message.get"
        && d.path == "data.items[].create_time"
        && d.details == "SDK integer, spec string"));
}
