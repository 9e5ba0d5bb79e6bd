//! `cargo xtask import-sdk <dir> --scaffold <family> <resources…> [--out DIR] [--force]`: drafts
//! the spec of some lark-oapi resources (their operations, the types those reach, their events)
//! for a new family, marking what the SDK cannot know with `TODO`. Writes into `--out` (default
//! `spec/<family>/`), never over an existing file unless `--force`; stderr counts what was drafted
//! and the TODOs left, per kind, and says whether the draft loads once the placeholders the format
//! rejects (`doc_url: TODO`, empty `scopes` and `app_types`) are filled.

pub mod draft;
pub mod render;

use crate::import_sdk::parse;
use crate::{flag_value, root};
use std::collections::BTreeMap;
use std::path::Path;

pub const USAGE: &str =
    "usage: cargo xtask import-sdk <dir> --scaffold <family> <resource>… [--out DIR] [--force]";

pub fn run(args: &[String]) -> Result<(), String> {
    let positional = crate::positional(args, &["--scaffold", "--force"], &["--out"], USAGE)?;
    let [dir, family, resources @ ..] = &positional[..] else {
        return Err(USAGE.into());
    };
    if resources.is_empty() || family.is_empty() {
        return Err(USAGE.into());
    }
    let force = args.iter().any(|a| a == "--force");
    let out = flag_value(args, "--out").unwrap_or_else(|| root().join("spec").join(family));
    let out = if out.is_absolute() {
        out
    } else {
        std::env::current_dir()
            .map_err(|e| e.to_string())?
            .join(out)
    };
    let sdk = parse::read(Path::new(dir)).map_err(|errors| {
        format!(
            "{} unreadable SDK file(s):\n  {}",
            errors.len(),
            errors.join("\n  ")
        )
    })?;
    let resources: Vec<String> = resources.iter().map(|r| (*r).to_owned()).collect();
    let d = draft::draft(&sdk, family, &resources)?;
    let errors_path = crate::spec_dir().join("errors.yaml");
    let errors_source = std::fs::read_to_string(&errors_path)
        .map_err(|e| format!("{}: {e}", errors_path.display()))?;
    let rendered = render::render(&d, &errors_source)?;
    let (written, kept) = write(&out, &rendered.files, force)?;
    eprint!(
        "{}",
        summary(
            &d,
            &rendered,
            &out,
            &written,
            &kept,
            &check(&rendered.files)
        )
    );
    Ok(())
}

/// Writes `files` under `out`; an existing file is kept unless `force`. (written, kept).
fn write(
    out: &Path,
    files: &BTreeMap<String, String>,
    force: bool,
) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (rel, text) in files {
        let path = out.join(rel);
        if path.exists() && !force {
            kept.push(rel.clone());
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(rel.clone());
    }
    Ok((written, kept))
}

/// The placeholders the format rejects, filled with valid stand-ins: `doc_url: TODO` becomes an
/// https link, empty `scopes` and `app_types` one entry each. Nothing else changes.
pub fn fill_placeholders(text: &str) -> String {
    text.replace(
        "doc_url: TODO",
        "doc_url: https://open.feishu.cn/document/TODO",
    )
    .replace("scopes: []", "scopes: [\"todo:scope\"]")
    .replace("app_types: []", "app_types: [custom]")
}

/// Whether the draft loads with the generator once its placeholders are filled.
fn check(files: &BTreeMap<String, String>) -> Result<(), String> {
    let filled = files
        .iter()
        .map(|(k, v)| (k.clone(), fill_placeholders(v)))
        .collect();
    lark_codegen::load_ir(&filled)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn summary(
    d: &draft::Draft,
    r: &render::Rendered,
    out: &Path,
    written: &[String],
    kept: &[String],
    check: &Result<(), String>,
) -> String {
    let shown = out
        .strip_prefix(root())
        .unwrap_or(out)
        .display()
        .to_string();
    let count = |fields: &mut dyn Iterator<Item = usize>| fields.sum::<usize>();
    let query = count(&mut d.ops.iter().map(|o| o.query.len()));
    let path = count(&mut d.ops.iter().map(|o| o.path_params.len()));
    let body = count(&mut d.ops.iter().map(|o| o.body.as_ref().map_or(0, Vec::len)));
    let response = count(&mut d.ops.iter().map(|o| match &o.response {
        draft::Response::Fields(f) => f.len(),
        _ => 0,
    }));
    let event_fields = count(&mut d.events.iter().map(|e| e.fields.len()));
    let type_fields = count(&mut d.types.values().map(Vec::len));
    let mut s = format!(
        "scaffolded {} from lark-oapi {} into {shown}:\n  \
         {} operations ({path} path params, {query} query params, {body} body fields, \
         {response} response fields; {} paginated), {} events ({event_fields} fields), \
         {} types ({type_fields} fields), {} handles, 0 enums (lark-oapi declares none)\n",
        d.family,
        d.sdk_version,
        d.ops.len(),
        d.ops.iter().filter(|o| o.pagination.is_some()).count(),
        d.events.len(),
        d.types.len(),
        d.handles.len(),
    );
    if !written.is_empty() {
        s.push_str(&format!("  wrote: {}\n", written.join(", ")));
    }
    if !kept.is_empty() {
        s.push_str(&format!(
            "  kept (exists; --force overwrites): {}\n",
            kept.join(", ")
        ));
    }
    let total: usize = r.todos.values().sum();
    s.push_str(&format!(
        "  {total} TODO(s) left for the maintainer (grep -rn TODO {shown}):\n"
    ));
    for (kind, n) in &r.todos {
        s.push_str(&format!("    {n:>5}  {kind}\n"));
    }
    match check {
        Ok(()) => s.push_str(
            "  the draft loads with the generator once doc_url, scopes and app_types are filled\n",
        ),
        Err(e) => s.push_str(&format!(
            "  the draft does NOT load yet, even with doc_url, scopes and app_types filled:\n{e}\n"
        )),
    }
    s
}

#[cfg(test)]
mod tests;
