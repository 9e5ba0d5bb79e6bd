//! The proc-macro front end: `generate!` expands a spec directory into a client that compiles,
//! works, and is made of exactly the text `cargo xtask codegen` writes.

mod support;

use std::collections::BTreeMap;

/// The pagination fixture, expanded in place.
mod fixture_client {
    lark_codegen_macros::generate!("fixtures/pagination");
}

/// Every other fixture must compile too.
mod other_fixtures {
    pub mod open_enum {
        lark_codegen_macros::generate!("fixtures/open_enum");
    }
    pub mod nested_body {
        lark_codegen_macros::generate!("fixtures/nested_body");
    }
    pub mod path_query {
        lark_codegen_macros::generate!("fixtures/path_query");
    }
    pub mod idempotency {
        lark_codegen_macros::generate!("fixtures/idempotency");
    }
    pub mod int64_string {
        lark_codegen_macros::generate!("fixtures/int64_string");
    }
    pub mod name_collisions {
        lark_codegen_macros::generate!("fixtures/name_collisions");
    }
    // A spec without operations makes `decode_operation_response` a match with only a
    // diverging arm, which warns `unreachable_code` (a generator wart).
    #[allow(unreachable_code)]
    pub mod legacy_event {
        lark_codegen_macros::generate!("fixtures/legacy_event");
    }
}

fn client() -> lark_im_chat::Client {
    lark_im_chat::Client::builder("cli_fixture", "secret")
        .base_url("http://127.0.0.1:1")
        .build()
        .expect("valid client settings")
}

#[test]
fn expanded_client_describes_requests() {
    use fixture_client::prelude::*;
    let client = client();
    let api = &client;

    let list = api.chats().list().page_size(50).to_request().unwrap();
    assert_eq!(list.meta.id, "chat.list");
    assert_eq!(list.path_and_query(), "/open-apis/im/v1/chats?page_size=50");
    assert!(list.body.is_none());

    let search = api.chats().search("incident 4711").to_request().unwrap();
    assert_eq!(
        search.path_and_query(),
        "/open-apis/im/v1/chats/search?query=incident%204711"
    );

    // Path variables are escaped as one segment; renamed pagination keys are plain query params.
    let members = api
        .chat("oc_a/b")
        .members()
        .get()
        .limit(10)
        .cursor("c1")
        .to_request()
        .unwrap();
    assert_eq!(
        members.path_and_query(),
        "/open-apis/im/v1/chats/oc_a%2Fb/members?limit=10&cursor=c1"
    );

    // Limits are checked before anything is sent.
    assert!(api.chats().list().page_size(0).to_request().is_err());
    assert!(api.chats().search("x".repeat(65)).to_request().is_err());

    // The same handles exist for a user token.
    let user = client.as_user("u-token");
    let as_user = user.chats().list().to_request().unwrap();
    assert_eq!(as_user.meta.id, "chat.list");
}

#[test]
fn expanded_metadata_and_types() {
    let ids: Vec<&str> = fixture_client::meta::OPERATIONS
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["chat.list", "chat.search", "chat_members.get"]);
    assert!(fixture_client::meta::OPERATIONS.iter().all(|m| m.paginated));

    let page: fixture_client::types::ChatPage = serde_json::from_value(serde_json::json!({
        "items": [{"chat_id": "oc_1", "name": "one"}],
        "has_more": true,
        "page_token": "next",
    }))
    .unwrap();
    let items = page.items.as_deref().unwrap_or_default();
    assert_eq!(items[0].chat_id, "oc_1");

    let decoded = fixture_client::api::decode_operation_response(
        "chat_members.get",
        br#"{"code":0,"msg":"ok","data":{"members":["ou_1"],"more":false}}"#,
    )
    .expect("known operation")
    .unwrap();
    assert_eq!(
        decoded,
        serde_json::json!({"members": ["ou_1"], "more": false})
    );
}

#[test]
fn other_expanded_fixtures_work() {
    use other_fixtures::*;

    let unknown: open_enum::types::ChatType = serde_json::from_str(r#""secret""#).unwrap();
    assert_eq!(unknown.as_str(), "secret");
    assert_eq!(serde_json::to_string(&unknown).unwrap(), r#""secret""#);
    assert_eq!(
        open_enum::types::SucceedType::from(2),
        open_enum::types::SucceedType::FailAll
    );
    assert_eq!(
        open_enum::types::MentionTarget::from("@all"),
        open_enum::types::MentionTarget::Everyone
    );

    let tab: name_collisions::types::Tab = serde_json::from_value(serde_json::json!({
        "type": "self", "chatID": "oc_1", "tab-name": "t", "match": "m", "Self": "s",
    }))
    .unwrap();
    assert_eq!(tab.type_, name_collisions::types::TabType::SelfValue);
    assert_eq!(tab.chat_id.as_deref(), Some("oc_1"));
    assert_eq!(tab.match_rule.as_deref(), Some("m"));
    assert_eq!(tab.self_.as_deref(), Some("s"));

    let notice: int64_string::types::TopNotice = serde_json::from_value(serde_json::json!({
        "message_id": "7156553273518882844",
        "pinned_ids": ["1", 2],
        "tenant_key": 42,
    }))
    .unwrap();
    assert_eq!(notice.message_id, 7156553273518882844);
    assert_eq!(notice.pinned_ids, [1, 2]);
    assert_eq!(notice.tenant_key, "42");
    let back = serde_json::to_value(&notice).unwrap();
    assert_eq!(back["message_id"], "7156553273518882844");

    // Limits deep inside an optional body are checked, with the path to the bad value.
    let nested = client();
    let body = nested_body::types::ChatUpdateBody::new().settings(
        nested_body::types::Settings::new().restriction(
            nested_body::types::Restriction::new(true).windows([
                nested_body::types::Window::new(1),
                nested_body::types::Window::new(24),
            ]),
        ),
    );
    // Several expanded families are in this file: their entry points are named by trait.
    let err = nested_body::prelude::FixtureNestedBodyApi::chats(&nested)
        .update()
        .body(body)
        .to_request()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("body.settings.restriction.windows[1].start"),
        "{err}"
    );
    let empty = nested_body::prelude::FixtureNestedBodyApi::chats(&nested)
        .update()
        .to_request()
        .unwrap();
    assert_eq!(empty.body.as_deref(), Some(&b"{}"[..]));

    // Required and array query parameters.
    let pq = client();
    let req = path_query::prelude::FixturePathQueryApi::chat(&pq, "oc_1")
        .menu_item("m 1")
        .get(path_query::types::UserIdType::UserId, ["name", "icon"])
        .tags(["a", "b"])
        .to_request()
        .unwrap();
    assert_eq!(
        req.path_and_query(),
        "/open-apis/im/v1/chats/oc_1/menu_items/m%201?user_id_type=user_id&fields=name&fields=icon&tags=a&tags=b"
    );
    let no_fields: [&str; 0] = [];
    let err = path_query::prelude::FixturePathQueryApi::chat(&pq, "oc_1")
        .menu_item("m")
        .get("open_id", no_fields)
        .to_request()
        .unwrap_err();
    assert!(err.to_string().contains("fields"), "{err}");

    // The idempotency key is a query parameter the request knows about.
    let idem = client();
    let create = idempotency::prelude::FixtureIdempotencyApi::chats(&idem)
        .create(idempotency::types::ChatCreateBody::new("Incident 4711"))
        .uuid("k-1")
        .to_request()
        .unwrap();
    assert!(create.carries_idempotency_key());
    assert_eq!(create.meta.idempotency_key, Some("uuid"));

    let legacy = legacy_event::events::ChatEvent::from_json(
        br#"{"ts":"1.5","uuid":"u-1","type":"event_callback","event":{"type":"p2p_chat_create","chat_id":"oc_1"}}"#,
    )
    .unwrap();
    assert_eq!(legacy.event_type(), "p2p_chat_create");
    assert_eq!(legacy.dedup_key(), Some("u-1"));
    assert!(matches!(
        legacy,
        legacy_event::events::ChatEvent::P2pChatCreate(_)
    ));
}

/// `GENERATED_FILES` is exactly what `cargo xtask codegen --spec <fixture> --out <dir>
/// --doc-examples text` writes.
#[test]
fn generated_files_match_xtask_output() {
    let out = tempfile::tempdir().unwrap();
    let spec = support::fixture_dir("pagination");
    let run = support::xtask_codegen(&[
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--doc-examples",
        "text",
    ]);
    assert!(
        run.status.success(),
        "xtask codegen failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let written: BTreeMap<String, String> = support::read_tree(out.path())
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect();
    let expanded: BTreeMap<String, String> = fixture_client::GENERATED_FILES
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        expanded.keys().collect::<Vec<_>>()
    );
    for (path, text) in &written {
        assert!(
            expanded[path] == *text,
            "{path}: the macro's text differs from the file xtask wrote"
        );
    }
}

/// The macro's client documents itself with text examples; `cargo xtask codegen` without the flag
/// writes compiled ones, and the two differ in nothing else.
#[test]
fn expanded_doc_examples_are_text() {
    let compiled = lark_codegen::generate_dir(&support::fixture_dir("pagination")).unwrap();
    let ops = fixture_client::GENERATED_FILES
        .iter()
        .find(|(path, _)| *path == "ops/chat.rs")
        .map(|(_, text)| *text)
        .expect("ops/chat.rs is generated");
    assert!(ops.contains("/// ```text\n"), "{ops}");
    assert!(!ops.contains("```no_run"), "{ops}");
    assert!(compiled.files["ops/chat.rs"].contains("/// ```no_run\n"));
    // Dropping the hidden doctest lines and the fence kind gives the same text.
    let visible = |text: &str| -> String {
        text.lines()
            .filter(|l| {
                !l.trim_start().starts_with("/// # ") && !l.trim_start().starts_with("/// ```")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (path, text) in fixture_client::GENERATED_FILES {
        assert_eq!(visible(text), visible(&compiled.files[*path]), "{path}");
    }
}
