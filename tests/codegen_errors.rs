//! Bad specs: every problem is reported with its file, YAML path, line and a message that says
//! what to fix, all of them at once, and nothing is generated.

mod support;

use lark_codegen::Diagnostic;
use std::collections::BTreeMap;

const API: &str = "name: bad\ntitle: Bad spec\n";

const HANDLES: &str = "\
handles:
  chats: {doc: All chats.}
  chat: {params: [chat_id], doc: One chat.}
";

/// A valid operation file; line 4 is `chat.get:`, line 10 `tokens`, line 13 `path_params`.
const CHAT_OPS: &str = "\
# Operations of the `chat` group.
operations:

  chat.get:
    summary: Get a chat.
    doc_url: https://open.feishu.cn/document/chat/get
    method: GET
    path: /open-apis/im/v1/chats/:chat_id
    handle: chat
    tokens: [tenant, user]
    scopes: [\"im:chat\"]
    app_types: [custom]
    path_params:
      chat_id: {type: string, doc: Chat id, required: true}
    response:
      fields:
        name: {type: string, doc: Chat name}
    overview: {title: 获取群信息, section: 群组管理}
";

/// A spec that generates: api.yaml, handles.yaml and operations/chat.yaml.
fn valid() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("api.yaml".to_owned(), API.to_owned()),
        ("handles.yaml".to_owned(), HANDLES.to_owned()),
        ("operations/chat.yaml".to_owned(), CHAT_OPS.to_owned()),
    ])
}

/// `valid()` with one file replaced or added.
fn with(file: &str, text: &str) -> BTreeMap<String, String> {
    let mut files = valid();
    files.insert(file.to_owned(), text.to_owned());
    files
}

/// `valid()` with `from` replaced by `to` in operations/chat.yaml.
fn edit_ops(from: &str, to: &str) -> BTreeMap<String, String> {
    assert!(CHAT_OPS.contains(from), "{from:?} is not in CHAT_OPS");
    with("operations/chat.yaml", &CHAT_OPS.replacen(from, to, 1))
}

/// The problems of a spec that must not generate; also checks `load_ir` agrees with `generate`.
fn problems(files: &BTreeMap<String, String>) -> Vec<Diagnostic> {
    let err = match lark_codegen::generate(files) {
        Ok(_) => panic!("the spec generated, but it has a problem"),
        Err(e) => e,
    };
    let ir_err = lark_codegen::load_ir(files).expect_err("load_ir accepted what generate refused");
    assert_eq!(err, ir_err);
    err.diagnostics
}

/// The only problem of a spec.
fn only_problem(files: &BTreeMap<String, String>) -> Diagnostic {
    let mut all = problems(files);
    assert_eq!(all.len(), 1, "expected exactly one problem, got {all:#?}");
    all.remove(0)
}

/// Asserts file, line, YAML path, and that the message holds every fragment.
#[track_caller]
fn assert_problem(d: &Diagnostic, file: &str, line: usize, path: &str, fragments: &[&str]) {
    assert_eq!(d.file, file, "file of {d:#?}");
    assert_eq!(d.line, Some(line), "line of {d:#?}");
    assert_eq!(d.path, path, "YAML path of {d:#?}");
    for f in fragments {
        assert!(d.message.contains(f), "message {:?} lacks {f:?}", d.message);
    }
}

/// A problem with the type of the response field `name` (line 17 of `CHAT_OPS`).
#[track_caller]
fn assert_name_type_problem(d: &Diagnostic, fragments: &[&str]) {
    assert_problem(
        d,
        "operations/chat.yaml",
        17,
        "operations[\"chat.get\"].response.fields.name.type",
        fragments,
    );
}

#[test]
fn the_base_spec_is_valid() {
    lark_codegen::generate(&valid()).unwrap();
}

#[test]
fn unknown_type() {
    let files = edit_ops(
        "name: {type: string, doc: Chat name}",
        "name: {type: ChatNam, doc: Chat name}",
    );
    let d = only_problem(&files);
    assert_name_type_problem(&d, &["unknown type `ChatNam`"]);
    // Display puts it all on one line, as xtask and the macro print it.
    assert_eq!(
        d.to_string(),
        "operations/chat.yaml:17: operations[\"chat.get\"].response.fields.name.type: unknown type `ChatNam`"
    );
}

#[test]
fn unknown_response_ref() {
    // Without types, and misspelt next to a declared type (which is suggested).
    for (mut files, name, message) in [
        (valid(), "ChatDetail", "unknown type `ChatDetail`"),
        (
            with_detail_types(),
            "ChatDetails",
            "unknown type `ChatDetails`; did you mean `ChatDetail`?",
        ),
    ] {
        files.insert(
            "operations/chat.yaml".into(),
            CHAT_OPS.replacen(
                "    response:\n      fields:\n        name: {type: string, doc: Chat name}\n",
                &format!("    response: {{ref: {name}}}\n"),
                1,
            ),
        );
        let d = only_problem(&files);
        assert_problem(
            &d,
            "operations/chat.yaml",
            15,
            "operations[\"chat.get\"].response.ref",
            &[message],
        );
        assert_eq!(d.message, message);
    }
}

/// `types.yaml` declaring `ChatDetail` and the enum `ChatMode`, for "did you mean" tests.
fn with_detail_types() -> BTreeMap<String, String> {
    let types =
        "types:\n  ChatDetail:\n    doc: D.\n    fields:\n      name: {type: string, doc: N.}\n";
    let enums = "enums:\n  ChatMode:\n    type: string\n    doc: D.\n    values:\n      - {value: group, doc: G.}\n";
    let mut files = with("types.yaml", types);
    files.insert("enums.yaml".into(), enums.into());
    files
}

#[test]
fn misspelt_type_names_suggest_the_nearest_known_name() {
    for (typo, near) in [
        ("ChatDetial", "ChatDetail"),
        ("[chatdetail]", "ChatDetail"),
        ("ChatMod", "ChatMode"),
        ("strng", "string"),
    ] {
        let mut files = with_detail_types();
        let ops = CHAT_OPS.replacen(
            "name: {type: string, doc: Chat name}",
            &format!("name: {{type: \"{typo}\", doc: Chat name}}"),
            1,
        );
        files.insert("operations/chat.yaml".into(), ops);
        let d = only_problem(&files);
        assert_name_type_problem(&d, &["unknown type", &format!("did you mean `{near}`?")]);
    }
}

#[test]
fn misspelt_handle_suggests_the_nearest_handle() {
    let d = only_problem(&edit_ops("    handle: chat\n", "    handle: chta\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        9,
        "operations[\"chat.get\"].handle",
        &["unknown handle `chta`; did you mean `chat`?"],
    );
}

#[test]
fn no_suggestion_when_nothing_is_near() {
    let d = only_problem(&edit_ops(
        "name: {type: string, doc: Chat name}",
        "name: {type: Completely, doc: Chat name}",
    ));
    assert!(!d.message.contains("did you mean"), "{}", d.message);
}

#[test]
fn duplicate_operation_id_in_two_files() {
    // The same id again, in a second file of the same group name.
    let files = with(
        "operations/chat_copy.yaml",
        &CHAT_OPS.replace("# Operations", "# A copy of the operations"),
    );
    let all = problems(&files);
    let dup: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.message.contains("duplicate operation id"))
        .collect();
    assert_eq!(dup.len(), 1, "{all:#?}");
    assert_problem(
        dup[0],
        "operations/chat_copy.yaml",
        4,
        "operations[\"chat.get\"]",
        &[
            "duplicate operation id `chat.get`",
            "first in operations/chat.yaml",
        ],
    );
}

#[test]
fn undeclared_path_variable() {
    let files = edit_ops(
        "    path_params:\n      chat_id: {type: string, doc: Chat id, required: true}\n",
        "",
    );
    let d = only_problem(&files);
    assert_problem(
        &d,
        "operations/chat.yaml",
        8,
        "operations[\"chat.get\"].path",
        &["undeclared path variable `:chat_id`", "path_params"],
    );
}

#[test]
fn unused_path_variable() {
    let files = edit_ops(
        "      chat_id: {type: string, doc: Chat id, required: true}\n",
        "      chat_id: {type: string, doc: Chat id, required: true}\n      \
         menu_id: {type: string, doc: Menu id, required: true}\n",
    );
    let d = only_problem(&files);
    assert_problem(
        &d,
        "operations/chat.yaml",
        15,
        "operations[\"chat.get\"].path_params.menu_id",
        &["unused path variable `menu_id`", "no `:menu_id`"],
    );
}

#[test]
fn path_variables_must_match_the_handle_chain() {
    let files = edit_ops("    handle: chat\n", "    handle: chats\n");
    let d = only_problem(&files);
    assert_problem(
        &d,
        "operations/chat.yaml",
        9,
        "operations[\"chat.get\"].handle",
        &["handle `chats` supplies path variables [] but the path has [\"chat_id\"]"],
    );
}

#[test]
fn bad_method() {
    let files = edit_ops("    method: GET\n", "    method: FETCH\n");
    let d = only_problem(&files);
    assert_problem(
        &d,
        "operations/chat.yaml",
        7,
        "operations[\"chat.get\"].method",
        &["bad method `FETCH`", "GET, POST, PUT, PATCH or DELETE"],
    );
}

/// `CHAT_OPS` as a POST with a body `{name, size}` (lines 15–18), then `extra` from line 19.
fn post_with_body(extra: &str) -> BTreeMap<String, String> {
    let ops = CHAT_OPS
        .replacen("    method: GET\n", "    method: POST\n", 1)
        .replacen(
            "    response:\n",
            &format!(
                "    body:\n      fields:\n        name: {{type: string, doc: Name}}\n        \
                 size: {{type: integer, doc: Size}}\n{extra}    response:\n"
            ),
            1,
        );
    with("operations/chat.yaml", &ops)
}

/// `post_with_body` with `idempotency` at line 19 whose key lines follow.
fn with_idempotency(idempotency: &str) -> BTreeMap<String, String> {
    post_with_body(&format!("    idempotency:\n{idempotency}"))
}

/// `post_with_body` with `rate_partition` (line 19) and `errors: [230020]`, a code of
/// `errors.yaml`.
fn with_rate_partition(partition: &str) -> BTreeMap<String, String> {
    let mut files = post_with_body(&format!(
        "    rate_partition: {partition}\n    errors: [230020]\n"
    ));
    files.insert(
        "errors.yaml".to_owned(),
        "errors:\n  230020: {name: chat_send_rate_limited, http_status: 400, meaning: Too many \
         messages in one chat., class: rate_limited}\ncommon: []\n"
            .to_owned(),
    );
    files
}

#[test]
fn rate_partition_on_a_body_field_is_valid() {
    lark_codegen::generate(&with_rate_partition(
        "{body: name, bucket: receiver, per_second: 5, code: 230020}",
    ))
    .unwrap();
}

#[test]
fn rate_partition_field_must_exist_and_be_a_string() {
    let d = only_problem(&with_rate_partition(
        "{body: size, bucket: receiver, per_second: 5, code: 230020}",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].rate_partition.body",
        &["rate_partition field `size` must be a body field of type `string`"],
    );
    let d = only_problem(&with_rate_partition(
        "{path: chat, bucket: receiver, per_second: 5, code: 230020}",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].rate_partition.path",
        &["rate_partition field `chat` is not a path variable"],
    );
}

#[test]
fn rate_partition_names_one_field_a_positive_rate_and_a_documented_code() {
    let d = only_problem(&with_rate_partition(
        "{body: name, query: name, bucket: receiver, per_second: 5, code: 230020}",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].rate_partition",
        &["names its field once"],
    );
    let d = only_problem(&with_rate_partition(
        "{body: name, bucket: receiver, per_second: 0, code: 230020}",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].rate_partition.per_second",
        &["at least 1"],
    );
    let d = only_problem(&with_rate_partition(
        "{body: name, bucket: receiver, per_second: 5, code: 230047}",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].rate_partition.body",
        &["code 230047 is not in the operation's `errors`"],
    );
}

#[test]
fn idempotency_key_in_the_body_is_valid() {
    lark_codegen::generate(&with_idempotency("      body: name\n")).unwrap();
}

#[test]
fn idempotency_key_in_query_and_body() {
    let d = only_problem(&with_idempotency(
        "      query: uuid\n      body: name\n      window: 1 hour\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        21,
        "operations[\"chat.get\"].idempotency.body",
        &["`query:` or `body:`, not both"],
    );
}

#[test]
fn idempotency_key_missing() {
    let d = only_problem(&with_idempotency("      window: 1 hour\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].idempotency",
        &["needs its key", "`query: <param>` or `body: <field>`"],
    );
}

#[test]
fn idempotency_key_unknown_body_field() {
    let d = only_problem(&with_idempotency("      body: nmae\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        20,
        "operations[\"chat.get\"].idempotency.body",
        &[
            "idempotency key `nmae` is not a body field",
            "did you mean `name`?",
        ],
    );
}

#[test]
fn idempotency_key_body_field_not_a_string() {
    let d = only_problem(&with_idempotency("      body: size\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        20,
        "operations[\"chat.get\"].idempotency.body",
        &["`size` must be a body field of type `string`"],
    );
}

#[test]
fn idempotency_key_unknown_query_parameter() {
    let d = only_problem(&with_idempotency("      query: uuid\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        20,
        "operations[\"chat.get\"].idempotency.query",
        &["idempotency key `uuid` is not a query parameter"],
    );
}

/// `CHAT_OPS` as a POST whose body (line 15) is a multipart form with the given field lines
/// (from line 18).
fn with_multipart(fields: &str) -> BTreeMap<String, String> {
    let ops = CHAT_OPS
        .replacen("    method: GET\n", "    method: POST\n", 1)
        .replacen(
            "    response:\n",
            &format!(
                "    body:\n      required: true\n      multipart: true\n      fields:\n{fields}    response:\n"
            ),
            1,
        );
    with("operations/chat.yaml", &ops)
}

#[test]
fn multipart_body_with_text_and_file_parts_is_valid() {
    lark_codegen::generate(&with_multipart(
        "        name: {type: string, doc: Name, required: true}\n        \
         file: {type: file, doc: Bytes, required: true, max_bytes: 10}\n",
    ))
    .unwrap();
}

#[test]
fn multipart_field_that_is_neither_text_nor_file() {
    let d = only_problem(&with_multipart(
        "        tags: {type: \"[string]\", doc: Tags}\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].body.fields.tags.type",
        &["text part", "file part (`type: file`)"],
    );
}

#[test]
fn file_type_outside_a_multipart_body() {
    let d = only_problem(&edit_ops(
        "name: {type: string, doc: Chat name}",
        "name: {type: file, doc: Chat name}",
    ));
    assert_name_type_problem(&d, &["only a field of a multipart body", "multipart: true"]);
}

#[test]
fn max_bytes_on_a_text_part() {
    let d = only_problem(&with_multipart(
        "        name: {type: string, doc: Name, max_bytes: 10}\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        19,
        "operations[\"chat.get\"].body.fields.name",
        &["`max_bytes` applies to file parts (`type: file`) only"],
    );
}

#[test]
fn multipart_body_that_is_optional() {
    let files = with_multipart("        file: {type: file, doc: Bytes}\n");
    let text = files["operations/chat.yaml"].replacen("      required: true\n", "", 1);
    let d = only_problem(&with("operations/chat.yaml", &text));
    assert_problem(
        &d,
        "operations/chat.yaml",
        15,
        "operations[\"chat.get\"].body",
        &["a multipart body is always sent"],
    );
}

#[test]
fn download_with_a_size_limit_is_valid() {
    let files = edit_ops(
        "    response:\n      fields:\n        name: {type: string, doc: Chat name}\n",
        "    response: {download: true, max_bytes: 100}\n",
    );
    lark_codegen::generate(&files).unwrap();
}

#[test]
fn download_and_fields_together() {
    let d = only_problem(&edit_ops(
        "    response:\n",
        "    response:\n      download: true\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        15,
        "operations[\"chat.get\"].response",
        &["exactly one of", "`download: true`"],
    );
}

#[test]
fn max_bytes_without_download() {
    let d = only_problem(&edit_ops(
        "    response:\n",
        "    response:\n      max_bytes: 10\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        16,
        "operations[\"chat.get\"].response.max_bytes",
        &["needs `download: true`"],
    );
}

#[test]
fn enum_name_clash() {
    let enums = "\
enums:
  Visibility:
    type: string
    doc: Who sees it.
    values:
      - {value: only-owner, doc: The owner.}
      - {value: only_owner, doc: The owner again.}
";
    let d = only_problem(&with("enums.yaml", enums));
    assert_problem(
        &d,
        "enums.yaml",
        7,
        "enums.Visibility.values[1]",
        &[
            "enum name clash",
            "`only_owner`",
            "\"only-owner\"",
            "`OnlyOwner`",
        ],
    );
}

#[test]
fn enum_value_without_a_rust_name() {
    let enums = "\
enums:
  Level:
    type: integer
    doc: A level.
    values:
      - {value: 1, doc: Low.}
";
    let d = only_problem(&with("enums.yaml", enums));
    assert_problem(
        &d,
        "enums.yaml",
        6,
        "enums.Level.values[0]",
        &["value `1` has no usable Rust name: add `name:`"],
    );
}

#[test]
fn unknown_key_is_a_typo_with_its_line() {
    let files = edit_ops("    summary: Get a chat.\n", "    sumary: Get a chat.\n");
    let d = only_problem(&files);
    assert_eq!(d.file, "operations/chat.yaml");
    assert_eq!(d.line, Some(5), "{d:#?}");
    assert_eq!(d.path, "operations[\"chat.get\"].sumary", "{d:#?}");
    assert!(d.message.contains("unknown field `sumary`"), "{d:#?}");
    assert!(
        d.message.contains("summary"),
        "the message lists the keys: {d:#?}"
    );
}

#[test]
fn unknown_key_in_a_field() {
    let files = edit_ops(
        "name: {type: string, doc: Chat name}",
        "name: {type: string, doc: Chat name, requried: true}",
    );
    let d = only_problem(&files);
    assert_eq!(
        (d.file.as_str(), d.line),
        ("operations/chat.yaml", Some(17))
    );
    assert!(d.message.contains("unknown field `requried`"), "{d:#?}");
}

#[test]
fn invalid_yaml_with_its_line() {
    let files = edit_ops(
        "    tokens: [tenant, user]\n",
        "    tokens: [tenant, user\n",
    );
    let d = only_problem(&files);
    assert_eq!(d.file, "operations/chat.yaml");
    assert!(d.message.starts_with("invalid YAML: "), "{d:#?}");
    // The parser notices the unclosed flow sequence (line 10) on the next line, not at the start
    // of the file.
    assert_eq!(d.line, Some(11), "{d:#?}");
}

#[test]
fn invalid_yaml_tab_indentation() {
    let d = only_problem(&with("handles.yaml", "handles:\n\tchats: {doc: x}\n"));
    assert_eq!(
        (d.file.as_str(), d.line),
        ("handles.yaml", Some(2)),
        "{d:#?}"
    );
    assert!(d.message.starts_with("invalid YAML: "), "{d:#?}");
}

#[test]
fn name_collision_between_a_type_and_a_request_builder() {
    let types = "\
types:
  ChatGetRequest:
    doc: Named like the builder of chat.get.
    fields:
      x: {type: string, doc: X}
";
    let d = only_problem(&with("types.yaml", types));
    // Reported at the later of the two, pointing at the first.
    assert_eq!(d.file, "operations/chat.yaml");
    assert_eq!(d.line, Some(4));
    assert_eq!(d.path, "operations[\"chat.get\"]");
    assert!(
        d.message
            .contains("name collision: request builder `ChatGetRequest`")
            && d.message.contains("struct at types.ChatGetRequest"),
        "{d:#?}"
    );
}

#[test]
fn name_collision_with_a_reserved_name() {
    let types = "types:\n  Api:\n    doc: Clashes with the root handle.\n    fields: {}\n";
    let d = only_problem(&with("types.yaml", types));
    assert_problem(
        &d,
        "types.yaml",
        2,
        "types.Api",
        &["name collision", "`Api`", "reserves"],
    );
}

#[test]
fn name_collision_between_fields() {
    let files = edit_ops(
        "        name: {type: string, doc: Chat name}\n",
        "        chatID: {type: string, doc: Chat id}\n        chat_id: {type: string, doc: Chat id}\n",
    );
    let d = only_problem(&files);
    assert_problem(
        &d,
        "operations/chat.yaml",
        18,
        "operations[\"chat.get\"].response.fields.chat_id",
        &[
            "field name clash",
            "`chat_id` and `chatID`",
            "set `rust_name`",
        ],
    );
}

#[test]
fn type_and_enum_with_the_same_name() {
    let enums = "enums:\n  Chat:\n    type: string\n    doc: D.\n    values:\n      - {value: a, doc: A.}\n";
    let types = "types:\n  Chat:\n    doc: D.\n    fields: {}\n";
    let mut files = with("enums.yaml", enums);
    files.insert("types.yaml".into(), types.into());
    let d = only_problem(&files);
    assert_problem(
        &d,
        "types.yaml",
        2,
        "types.Chat",
        &["name collision: struct `Chat`", "enum at enums.Chat"],
    );
}

#[test]
fn several_problems_are_all_reported_sorted() {
    let mut files = edit_ops("    method: GET\n", "    method: get\n");
    files.insert(
        "operations/chat.yaml".into(),
        files["operations/chat.yaml"].replace(
            "{type: string, doc: Chat name}",
            "{type: Nope, doc: Chat name}",
        ),
    );
    files.insert(
        "handles.yaml".into(),
        format!("{HANDLES}  chat.tabs.items: {{doc: Parent missing.}}\n"),
    );
    files.insert("extra.yml.yaml".into(), "x: 1\n".into());
    let err = lark_codegen::generate(&files).expect_err("four problems");
    // A file that cannot be parsed stops the run before lowering: only the load problem shows.
    assert_eq!(err.diagnostics.len(), 1, "{err}");
    assert!(err.diagnostics[0].message.contains("unexpected file"));

    files.remove("extra.yml.yaml");
    let all = problems(&files);
    let summary: Vec<(String, Option<usize>, String)> = all
        .iter()
        .map(|d| (d.file.clone(), d.line, d.path.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "handles.yaml".to_owned(),
                Some(4),
                "handles[\"chat.tabs.items\"]".to_owned()
            ),
            (
                "operations/chat.yaml".to_owned(),
                Some(7),
                "operations[\"chat.get\"].method".to_owned()
            ),
            (
                "operations/chat.yaml".to_owned(),
                Some(17),
                "operations[\"chat.get\"].response.fields.name.type".to_owned()
            ),
        ],
        "{all:#?}"
    );
    assert!(all[0]
        .message
        .contains("parent handle `chat.tabs` is not declared"));
    assert!(all[1].message.contains("bad method `get`"));
    assert!(all[2].message.contains("unknown type `Nope`"));

    // The error's text lists every problem, one per line.
    let text = lark_codegen::generate(&files).unwrap_err().to_string();
    assert!(text.starts_with("the spec has 3 problem(s):\n"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn parse_problems_in_several_files_are_all_reported() {
    let mut files = valid();
    files.insert("handles.yaml".into(), "handles: [\n".into());
    files.insert("api.yaml".into(), "name: bad\n".into());
    let all = problems(&files);
    let found: Vec<&str> = all.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(found, ["api.yaml", "handles.yaml"], "{all:#?}");
    assert!(all[0].message.contains("missing field `title`"), "{all:#?}");
}

#[test]
fn missing_api_yaml() {
    let mut files = valid();
    files.remove("api.yaml");
    let d = only_problem(&files);
    assert_eq!((d.file.as_str(), d.line), ("api.yaml", None));
    assert!(d.message.contains("every spec needs api.yaml"));
}

/// A failing spec writes nothing: `cargo xtask codegen` exits non-zero, names the file and line,
/// and leaves the output directory empty.
#[test]
fn xtask_writes_nothing_for_a_bad_spec() {
    let out = tempfile::tempdir().unwrap();
    let spec = support::fixture_dir("invalid_spec");
    let run = support::xtask_codegen(&[
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "xtask accepted a bad spec: {stderr}");
    assert!(stderr.contains("the spec has 2 problem(s)"), "{stderr}");
    assert!(
        stderr.contains(
            "operations/chat.yaml:8: operations[\"chat.get\"].method: bad method `FETCH`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("types.yaml:6: types.Chat.fields.owner.type: unknown type `UserID`"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert!(left.is_empty(), "xtask wrote {left:?}");
}

/// The same through the library: `generate_dir` fails, so `sync` is never reached.
#[test]
fn generate_dir_reports_the_bad_fixture() {
    let err = lark_codegen::generate_dir(&support::fixture_dir("invalid_spec")).unwrap_err();
    let files: Vec<&str> = err.diagnostics.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["operations/chat.yaml", "types.yaml"]);
}

// Known generator bugs: these specs are accepted, and the generated request builder does not
// compile. The tests say what should happen; remove `ignore` once the generator rejects them.

/// A query parameter whose Rust name is a path variable of the handle chain: both become fields
/// of the request builder (`chatID` -> `chat_id`).
#[test]

fn query_parameter_clashing_with_a_path_variable() {
    let files = edit_ops(
        "    path_params:",
        "    query:\n      chatID: {type: string, doc: A camelCase wire name}\n    path_params:",
    );
    let d = only_problem(&files);
    assert_eq!(d.file, "operations/chat.yaml");
    assert!(d.path.contains("query"), "{d:#?}");
}

/// Query parameters named like the builder's own members: `ctx` and `body` (fields), `send`,
/// `to_request`, `pages`, `items` (methods).
#[test]

fn query_parameters_clashing_with_builder_members() {
    for name in ["ctx", "send", "to_request"] {
        let files = edit_ops(
            "    path_params:",
            &format!("    query:\n      {name}: {{type: string, doc: Clashes}}\n    path_params:"),
        );
        let d = only_problem(&files);
        assert!(d.path.ends_with(&format!("query.{name}")), "{name}: {d:#?}");
    }
}

#[test]
fn a_type_keeping_unknown_fields_may_not_name_a_field_extra() {
    let types = "types:\n  Action:\n    doc: Keeps what it does not know.\n    keep_unknown: true\n    fields:\n      extra: {type: string, doc: Clashes with the kept fields}\n";
    let d = only_problem(&with("types.yaml", types));
    assert_problem(
        &d,
        "types.yaml",
        6,
        "types.Action.fields.extra",
        &["keep_unknown: true", "rename this field"],
    );
    let fine = "types:\n  Action:\n    doc: Keeps what it does not know.\n    keep_unknown: true\n    fields:\n      value: {type: json, doc: Anything}\n";
    lark_codegen::generate(&with("types.yaml", fine)).unwrap();
}

#[test]
fn an_operation_without_scopes_says_so_with_no_scopes() {
    let d = only_problem(&edit_ops("    scopes: [\"im:chat\"]\n", "    scopes: []\n"));
    assert_problem(
        &d,
        "operations/chat.yaml",
        11,
        "operations[\"chat.get\"].scopes",
        &["at least one scope", "`no_scopes: true`"],
    );
    let none = edit_ops(
        "    scopes: [\"im:chat\"]\n",
        "    scopes: []\n    no_scopes: true\n",
    );
    lark_codegen::generate(&none).unwrap();
    let d = only_problem(&edit_ops(
        "    scopes: [\"im:chat\"]\n",
        "    scopes: [\"im:chat\"]\n    no_scopes: true\n",
    ));
    assert_problem(
        &d,
        "operations/chat.yaml",
        12,
        "operations[\"chat.get\"].no_scopes",
        &["needs no scope", "lists some"],
    );
}
