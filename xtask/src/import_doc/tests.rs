//! The importer on a full fixture page (every item of the spec, in the official page's markup, with
//! the official page's defects), on a small fixture page, and on a copy of the small one with one row
//! added, one removed and one changed. Counts come from the spec, quirk lines from the page text.

use super::compare::Scope;
use super::parse::{parse, Page};
use super::{catalog, import, load_spec};
use lark_codegen::ir::Api;
use std::path::PathBuf;

pub(super) fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The full fixture page, named like the official one so `--write` gives the same catalog file.
const FULL_PAGE: &str = "im-chat/group-chat-overview.md";

/// 1-based number of the only line of `text` containing `needle` (a trailing `\n` in `needle`:
/// ending with it).
fn line_of(text: &str, needle: &str) -> usize {
    let found = |l: &str| match needle.strip_suffix('\n') {
        Some(end) => l.ends_with(end),
        None => l.contains(needle),
    };
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| found(l))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(lines.len(), 1, "{needle:?} must be on exactly one line");
    lines[0]
}

fn spec() -> Api {
    load_spec(&crate::spec_dir()).expect("spec/ loads")
}

/// The spec cut down to the items `page` lists, so a small page can be compared with it.
fn spec_for(page: &Page) -> Api {
    let mut api = spec();
    let keys: Vec<String> = page.operations.iter().map(|o| o.key()).collect();
    api.operations
        .retain(|o| keys.contains(&format!("{} {}", o.method.as_str(), o.path)));
    api.events
        .retain(|e| page.events.iter().any(|p| p.event_type == e.event_type));
    api
}

fn kinds(page: &Page) -> Vec<(usize, &str)> {
    page.quirks
        .iter()
        .map(|q| (q.line, q.kind.as_str()))
        .collect()
}

#[test]
fn full_page_lists_every_spec_item_with_no_drift_and_the_official_pages_quirks() {
    let text = fixture(FULL_PAGE);
    let api = spec();
    let (page, report) = import(&text, &Scope::own("im-chat", &api)).expect("the full page parses");
    assert_eq!(page.operations.len(), api.operations.len());
    assert_eq!(page.events.len(), api.events.len());
    assert!(page
        .operations
        .iter()
        .all(|o| o.path.starts_with("/open-apis/")));
    assert!(page
        .operations
        .iter()
        .all(|o| o.app_types == ["custom", "store"]));
    assert!(page
        .events
        .iter()
        .all(|e| e.app_types == ["custom", "store"]));
    assert_eq!(
        kinds(&page),
        [
            (
                line_of(&text, "<md-tag type=\"token-user\">user\n"),
                "token_split_by_whitespace"
            ),
            (
                line_of(&text, "im:chat:moderation:write_only"),
                "scope_separator_unusual"
            ),
            (
                line_of(&text, "`POST` open-apis/"),
                "path_missing_leading_slash"
            ),
            (line_of(&text, ">usert_access_token<"), "token_typo"),
            (
                line_of(&text, "reference/contact-v3/user/events/deleted"),
                "wrong_doc_link"
            ),
        ]
    );
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    assert_eq!(report.acknowledged.len(), 1, "{:#?}", report.acknowledged);
    let ack = &report.acknowledged[0];
    assert_eq!(
        (ack.id.as_str(), ack.what.as_str()),
        ("chat.update", "tokens")
    );
    assert_eq!(ack.page, serde_json::json!(["tenant"]));

    let create = page
        .operations
        .iter()
        .find(|o| o.title == "创建群")
        .unwrap();
    assert_eq!(create.tokens, ["tenant"]);
    let search = page
        .operations
        .iter()
        .find(|o| o.path.ends_with("/search"))
        .unwrap();
    assert_eq!(search.tokens, ["tenant", "user"]);
    let p2p = page
        .events
        .iter()
        .find(|e| e.event_type == "p2p_chat_create")
        .unwrap();
    assert!(p2p.scopes.is_empty());
    assert_eq!(
        p2p.doc,
        "https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/bot-events"
    );
}

#[test]
fn fixture_page_mends_every_defect_and_reports_it_with_its_line() {
    let text = fixture("im-chat/overview-small.md");
    let page = parse(&text).expect("fixture parses");
    let keys: Vec<String> = page.operations.iter().map(|o| o.key()).collect();
    assert_eq!(
        keys,
        [
            "POST /open-apis/im/v1/chats",
            "GET /open-apis/im/v1/chats/search",
            "PUT /open-apis/im/v1/chats/:chat_id",
            "POST /open-apis/im/v1/chats/:chat_id/members",
            "GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat",
        ]
    );
    let events: Vec<&str> = page.events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        events,
        [
            "im.chat.disbanded_v1",
            "im.chat.member.user.withdrawn_v1",
            "p2p_chat_create"
        ]
    );
    for o in &page.operations[1..] {
        if o.method != "PUT" {
            assert_eq!(o.tokens, ["tenant", "user"], "{}", o.key());
        }
    }
    assert_eq!(page.operations[0].scopes, ["im:chat", "im:chat:create"]);
    assert_eq!(page.operations[0].section, "群组管理");
    assert_eq!(page.operations[3].section, "群成员");
    assert_eq!(
        page.operations[0].doc,
        "https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/chat/create"
    );
    assert!(page.events[2].scopes.is_empty());
    // Parsing alone sees the page's own defects; the wrong link needs the spec.
    let split = line_of(&text, "<md-tag type=\"token-user\">user\n");
    assert_eq!(
        kinds(&page),
        [
            (split, "token_split_by_whitespace"),
            (
                line_of(&text, "`POST` open-apis/"),
                "path_missing_leading_slash"
            ),
            (line_of(&text, ">usert_access_token<"), "token_typo")
        ]
    );
    assert_eq!(
        text.lines().nth(split).map(str::trim),
        Some("_access_token</md-tag>")
    );

    let (page, report) = import(&text, &Scope::own("im-chat", &spec_for(&page))).unwrap();
    let wrong: Vec<_> = page
        .quirks
        .iter()
        .filter(|q| q.kind == "wrong_doc_link")
        .collect();
    assert_eq!(wrong.len(), 1);
    assert_eq!(
        wrong[0].line,
        line_of(&text, "reference/contact-v3/user/events/deleted")
    );
    assert!(wrong[0].text.contains("im.chat.member.user.withdrawn_v1"));
    assert!(report.drift.is_empty(), "{:#?}", report.drift);
    assert_eq!(report.acknowledged.len(), 1);
    assert_eq!(report.acknowledged[0].id, "chat.update");
}

#[test]
fn changed_copy_reports_one_added_one_not_on_the_page_and_one_changed_row() {
    let base = parse(&fixture("im-chat/overview-small.md")).unwrap();
    let api = spec_for(&base);
    let (_, report) = import(
        &fixture("im-chat/overview-small-changed.md"),
        &Scope::own("im-chat", &api),
    )
    .unwrap();
    let drift: Vec<(&str, &str, &str)> = report
        .drift
        .iter()
        .map(|d| (d.kind.as_str(), d.item.as_str(), d.key.as_str()))
        .collect();
    assert_eq!(
        drift,
        [
            ("not_on_page", "event", "im.chat.disbanded_v1"),
            (
                "changed",
                "operation",
                "GET /open-apis/im/v1/chats/:chat_id/members/is_in_chat"
            ),
            (
                "added",
                "operation",
                "GET /open-apis/im/v1/chats/:chat_id/pins"
            ),
        ]
    );
    let changed = &report.drift[1];
    assert_eq!(changed.id.as_deref(), Some("chat_members.is_in_chat"));
    assert!(
        changed
            .details
            .contains("tokens: page [tenant], spec [tenant, user]"),
        "{}",
        changed.details
    );
    assert!(
        changed.details.contains("scopes: page"),
        "{}",
        changed.details
    );
    assert!(
        changed.details.contains("im:chat.group_info:readonly"),
        "{}",
        changed.details
    );
    assert!(
        !changed.details.contains("app_types"),
        "{}",
        changed.details
    );
    assert!(report.drift[2].details.contains("获取群置顶消息"));
    // The acknowledged difference stays apart.
    assert_eq!(report.acknowledged.len(), 1);
}

#[test]
fn an_acknowledged_difference_that_went_away_is_drift() {
    let text = fixture("im-chat/overview-small.md").replacen(
        "`PUT` /open-apis/im/v1/chats/:chat_id\n  > 更新群信息。\n</md-td>\n<md-td>\n<md-perm name=\"im:chat\" desc=\"获取与更新群组信息\" support_app_types=\"custom,isv\" tags=\"\">获取与更新群组信息</md-perm>\n            <md-perm name=\"im:chat:update\" desc=\"更新群信息\" support_app_types=\"custom,isv\" tags=\"\">更新群信息</md-perm>\n</md-td>\n<md-td>\n<md-tag type=\"token-tenant\">tenant_access_token</md-tag>\n",
        "`PUT` /open-apis/im/v1/chats/:chat_id\n  > 更新群信息。\n</md-td>\n<md-td>\n<md-perm name=\"im:chat\" desc=\"获取与更新群组信息\" support_app_types=\"custom,isv\" tags=\"\">获取与更新群组信息</md-perm>\n            <md-perm name=\"im:chat:update\" desc=\"更新群信息\" support_app_types=\"custom,isv\" tags=\"\">更新群信息</md-perm>\n</md-td>\n<md-td>\n<md-tag type=\"token-tenant\">tenant_access_token</md-tag>\n<md-tag type=\"token-user\">user_access_token</md-tag>\n",
        1,
    );
    let page = parse(&text).unwrap();
    assert_eq!(page.operations[2].tokens, ["tenant", "user"]);
    let (_, report) = import(&text, &Scope::own("im-chat", &spec_for(&page))).unwrap();
    assert!(report.acknowledged.is_empty());
    assert_eq!(report.drift.len(), 1, "{:#?}", report.drift);
    assert_eq!(report.drift[0].kind, "changed");
    assert!(report.drift[0].details.contains("drop the acknowledgement"));
}

/// One operation table holding `row`; the row's `<md-tr>` is on line 4.
fn page_with_row(row: &str) -> String {
    format!(
        "### 群组管理\n<md-table>\n<tr><md-th>方法 (API)</md-th><md-th>权限</md-th><md-th>访问凭证</md-th><md-th>商店</md-th><md-th>自建</md-th></tr>\n{row}\n</md-table>\n"
    )
}

const GOOD_ROW: &str = "<md-tr>\n<md-td>[创建群](/ssl:ttdoc/a/b)\n`POST` /open-apis/im/v1/chats\n</md-td>\n<md-td><md-perm name=\"im:chat\">x</md-perm></md-td>\n<md-td><md-tag type=\"token-tenant\">tenant_access_token</md-tag></md-td>\n<md-td>**✓**</md-td>\n<md-td>**✓**</md-td>\n</md-tr>";

#[test]
fn unreadable_rows_are_errors_naming_their_line() {
    let page = parse(&page_with_row(GOOD_ROW)).expect("the good row parses");
    assert_eq!(page.operations.len(), 1);
    assert_eq!(
        page.operations[0].doc,
        "https://open.feishu.cn/document/a/b"
    );

    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "`POST` /open-apis/im/v1/chats",
            "POST it somewhere",
            5,
            "no `METHOD`",
        ),
        (
            "[创建群](/ssl:ttdoc/a/b)",
            "创建群",
            5,
            "no [title](doc link)",
        ),
        (
            "<md-td>**✓**</md-td>\n</md-tr>",
            "</md-tr>",
            4,
            "expected 5 cells",
        ),
        (
            "<md-tag type=\"token-tenant\">tenant_access_token",
            "<md-tag>tenant_token",
            9,
            "unknown access token",
        ),
        (
            "token-tenant\">tenant_access_token",
            "token-app\">app_access_token",
            9,
            "unknown access token",
        ),
        (
            "<md-tag type=\"token-tenant\">tenant_access_token</md-tag>",
            "",
            9,
            "no access token",
        ),
        (
            "<md-perm name=\"im:chat\">x</md-perm>",
            "",
            8,
            "scopes cell is empty",
        ),
        (
            "<md-perm name=\"im:chat\">x</md-perm>",
            "read chats",
            8,
            "cannot read the scopes cell",
        ),
        (
            "<md-perm name=\"im:chat\">",
            "<md-perm desc=\"chat\">",
            8,
            "without a name",
        ),
        (
            "<md-td>**✓**</md-td>\n</md-tr>",
            "<md-td>maybe</md-td>\n</md-tr>",
            11,
            "self-built) app column",
        ),
        ("\n</md-tr>", "\n", 4, "not closed"),
    ];
    for (from, to, line, message) in cases {
        assert!(GOOD_ROW.contains(from), "{from}");
        let text = page_with_row(&GOOD_ROW.replacen(from, to, 1));
        let errors = parse(&text).expect_err(message);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, *line, "{message}: {errors:?}\n{text}");
        assert!(errors[0].message.contains(message), "{message}: {errors:?}");
    }

    // Every unreadable row is reported, not just the first; good rows do not hide bad ones.
    let bad = GOOD_ROW.replacen("`POST`", "POST", 1);
    let text = page_with_row(&format!("{bad}\n{GOOD_ROW}\n{bad}"));
    let lines: Vec<usize> = parse(&text).unwrap_err().iter().map(|e| e.line).collect();
    assert_eq!(lines, [5, 23]);

    // A row in a table that is neither an API nor an event table is not silently skipped.
    let text =
        "<md-table>\n<tr><md-th>Something</md-th></tr>\n".to_owned() + GOOD_ROW + "\n</md-table>\n";
    let errors = parse(&text).unwrap_err();
    assert_eq!(errors[0].line, 3);
    assert!(errors[0].message.contains("neither"));
}

#[test]
fn catalog_records_the_page_source_hash_and_facts_deterministically() {
    let text = fixture("im-chat/overview-small.md");
    let (page, _) = import(
        &text,
        &Scope::own("im-chat", &spec_for(&parse(&text).unwrap())),
    )
    .unwrap();
    let yaml = catalog::render(&page, &text, "overview-small.md");
    assert_eq!(yaml, catalog::render(&page, &text, "overview-small.md"));
    assert!(yaml.contains("source: \"https://open.feishu.cn/document/server-docs/group/overview\""));
    assert!(yaml.contains(&format!(
        "sha256: \"{}\"",
        catalog::sha256_hex(text.as_bytes())
    )));
    assert!(
        yaml.contains("  - method: POST\n    path: \"/open-apis/im/v1/chats/:chat_id/members\"")
    );
    let wrong = line_of(&text, "reference/contact-v3/user/events/deleted");
    assert!(yaml.contains(&format!("kind: wrong_doc_link, line: {wrong}")));
    assert_eq!(yaml.matches("  - method: ").count(), 5);
    assert_eq!(yaml.matches("  - event_type: ").count(), 3);
}

#[test]
fn a_scope_not_offered_to_a_ticked_app_type_is_a_quirk() {
    let row = GOOD_ROW.replacen(
        "<md-perm name=\"im:chat\">",
        "<md-perm name=\"im:chat\" support_app_types=\"custom\">",
        1,
    );
    let page = parse(&page_with_row(&row)).unwrap();
    assert_eq!(kinds(&page), [(8, "scope_app_types_disagree")]);
    assert!(page.quirks[0].text.contains("lacks store"));
    let row = GOOD_ROW.replacen(
        "<md-perm name=\"im:chat\">",
        "<md-perm name=\"im:chat\" support_app_types=\"custom,isv\">",
        1,
    );
    assert!(parse(&page_with_row(&row)).unwrap().quirks.is_empty());
}

/// The facts part of a catalog: everything between the header (page, source, hash) and the quirks.
pub(super) fn facts(catalog: &str) -> &str {
    let start = catalog.find("operations:\n").expect("operations");
    let end = catalog.find("quirks:\n").expect("quirks");
    &catalog[start..end]
}

#[test]
fn full_page_carries_the_same_facts_as_the_recorded_official_page() {
    let text = fixture(FULL_PAGE);
    let (page, _) = import(&text, &Scope::own("im-chat", &spec())).unwrap();
    let ours = catalog::render(&page, &text, "group-chat-overview.md");
    let path = crate::spec_dir().join("catalog/group-chat-overview.yaml");
    let recorded = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        facts(&ours),
        facts(&recorded),
        "the fixture page and {} list different facts",
        path.display()
    );
    let kinds = |c: &str| -> Vec<String> {
        c.lines()
            .filter_map(|l| l.strip_prefix("  - {kind: "))
            .map(|l| l.split(',').next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(kinds(&ours), kinds(&recorded), "the same kinds of quirks");
}
