//! Snapshots of the generator: for each small fixture in `fixtures/` (one edge case each), every
//! emitted file and the IR; and a one-line-per-item surface of the real spec.
//!
//! Snapshots live in `snapshots/`. Review changes with `cargo insta review`, or accept them with
//! `INSTA_UPDATE=always cargo test -p workspace-tests --test codegen_snapshots` and read the diff.

mod support;

use lark_codegen::ir::{Api, Module, Response, Ty};
use std::fmt::Write as _;

/// Snapshots of one fixture: the file list, each file, and the IR.
fn snapshot_fixture(name: &str) {
    let files = support::read_fixture(name);
    let generated = lark_codegen::generate(&files).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ir = lark_codegen::load_ir(&files).unwrap_or_else(|e| panic!("{name}: {e}"));
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("fixture tests/fixtures/{name}"),
    }, {
        // The list catches files that appear or disappear.
        let list: Vec<&str> = generated.files.keys().map(String::as_str).collect();
        insta::assert_snapshot!(format!("{name}__files"), list.join("\n"));
        for (path, text) in &generated.files {
            insta::assert_snapshot!(format!("{name}__{}", path.replace('/', "-")), text);
        }
        insta::assert_snapshot!(
            format!("{name}__ir"),
            serde_json::to_string_pretty(&ir).expect("the IR serializes")
        );
    });
}

/// String and integer enums, values that need `name:`.
#[test]
fn open_enum() {
    snapshot_fixture("open_enum");
}

/// An optional body whose field references a type that references a type.
#[test]
fn nested_body() {
    snapshot_fixture("nested_body");
}

/// Two path variables through a handle chain; required, optional and array query parameters with
/// limits.
#[test]
fn path_query() {
    snapshot_fixture("path_query");
}

/// Two paginated operations sharing a response type, and one with every pagination key renamed.
#[test]
fn pagination() {
    snapshot_fixture("pagination");
}

/// An idempotency key and a required body.
#[test]
fn idempotency() {
    snapshot_fixture("idempotency");
}

/// Idempotency keys in the body: a required body and an optional one, each with an optional
/// `uuid` field the builder fills in.
#[test]
fn body_idempotency() {
    snapshot_fixture("body_idempotency");
}

/// A multipart body (enum, string and integer text parts, a required file part with a size limit
/// and an optional one) and two downloads (with a size limit and with the runtime's default).
#[test]
fn multipart_download() {
    snapshot_fixture("multipart_download");
}

/// `int64_string`, Unix-time strings and `lenient_string`, alone and in lists.
#[test]
fn int64_string() {
    snapshot_fixture("int64_string");
}

/// A field named `type`, non-snake wire names, keywords, enum values with spaces.
#[test]
fn name_collisions() {
    snapshot_fixture("name_collisions");
}

/// A legacy 1.0 event and a 2.0 event.
#[test]
fn legacy_event() {
    snapshot_fixture("legacy_event");
}

/// Every fixture has a test above (and so snapshots).
#[test]
fn every_fixture_is_snapshotted() {
    let mut on_disk: Vec<String> = std::fs::read_dir(support::tests_dir().join("fixtures"))
        .expect("tests/fixtures exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| !n.starts_with("invalid_"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = support::FIXTURES.to_vec();
    listed.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "add new fixtures to support::FIXTURES and a test here"
    );
}

fn ty_text(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Int64String => "int64_string".into(),
        Ty::LenientString => "lenient_string".into(),
        Ty::Json => "json".into(),
        Ty::File => "file".into(),
        Ty::Struct(n) => n.to_string(),
        Ty::Enum(n) => n.to_string(),
        Ty::Array(inner) => format!("[{}]", ty_text(inner)),
    }
}

fn join<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// One line per operation, event, enum and struct.
fn surface(api: &Api) -> String {
    let mut out = String::new();
    for op in &api.operations {
        let response = match &op.response {
            Response::Struct(n) => n.to_string(),
            Response::Empty => "Empty".into(),
            Response::Download { max_bytes: Some(m) } => format!("Download(max {m})"),
            Response::Download { max_bytes: None } => "Download".into(),
        };
        let _ = write!(
            out,
            "{} {} {} tokens=[{}] scopes=[{}] app_types=[{}] request={} response={}",
            op.id,
            op.method.as_str(),
            op.path,
            join(op.tokens.iter().map(|t| t.as_str())),
            join(&op.scopes),
            join(op.app_types.iter().map(|a| a.as_str())),
            op.request_name,
            response,
        );
        if let Some(b) = &op.body {
            let _ = write!(
                out,
                " body={}{}{}",
                b.struct_name,
                if b.required { "" } else { "?" },
                if b.multipart { " multipart" } else { "" }
            );
        }
        if let Some(p) = &op.pagination {
            let _ = write!(out, " paginated item={}", ty_text(&p.item));
        }
        if let Some(i) = &op.idempotency {
            let _ = write!(out, " idempotency={}:{}", i.location.as_str(), i.key);
        }
        out.push('\n');
    }
    for e in &api.events {
        let _ = writeln!(
            out,
            "event {} schema={} name={} scopes=[{}] app_types=[{}]",
            e.event_type,
            e.schema.as_str(),
            e.name,
            join(&e.scopes),
            join(e.app_types.iter().map(|a| a.as_str())),
        );
    }
    for e in &api.enums {
        let values = e.variants.iter().map(|v| v.name.as_str());
        let _ = writeln!(out, "enum {} {:?} [{}]", e.name, e.repr, join(values));
    }
    for s in &api.structs {
        let module = match &s.module {
            Module::Types => "types".to_owned(),
            Module::Group(g) => format!("ops/{g}"),
            Module::Events => "events".to_owned(),
        };
        let usage = match (s.usage.request, s.usage.response) {
            (true, true) => "request+response",
            (true, false) => "request",
            (false, true) => "response",
            (false, false) => "unused",
        };
        let _ = writeln!(
            out,
            "struct {} {module} {usage} fields={}",
            s.name,
            s.fields.len()
        );
    }
    out
}

/// The API surface of the real spec, one line per item: a reviewable summary of what a spec
/// change does to the client.
#[test]
fn real_spec_surface() {
    let files = lark_codegen::read_spec_dir(&support::spec_dir()).expect("spec/ is readable");
    let api = lark_codegen::load_ir(&files).unwrap_or_else(|e| panic!("{e}"));
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => "API surface of spec/",
    }, {
        insta::assert_snapshot!("real_spec__surface", surface(&api));
    });
}
