//! The layout stays readable: in the generator, the runtime and the family crate (generated code
//! included) no two modules import each other, and no hand-written file grows much above 500
//! lines.
//!
//! The module graph is read off the source: every `crate::…` and `super::…` path (in `use`
//! lines and inline) is an edge from the file's module to the deepest module the path names.
//! Two levels are checked: the crate's top-level modules (with the crate root), and every module
//! file on its own. A child naming its own parent (`use super::ident` in `emit/structs.rs`) is
//! not an edge: a parent module and its children are one unit whose helpers the children share;
//! naming the crate root from a module is an edge, since the root imports every module.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type ModPath = Vec<String>;

/// Every `.rs` file below `dir`, as (module path, text).
fn modules(src: &Path) -> BTreeMap<ModPath, String> {
    fn walk(src: &Path, dir: &Path, out: &mut BTreeMap<ModPath, String>) {
        for entry in std::fs::read_dir(dir).expect("readable source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(src, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("below src");
                let mut parts: ModPath = rel
                    .iter()
                    .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).expect("readable file");
                out.insert(parts, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths named after `crate::` or `super::` (repeated) in `text`, resolved against `module`,
/// with `{a, b::c}` groups expanded one level.
fn named_paths(module: &[String], text: &str) -> Vec<ModPath> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = find_path_start(rest) {
            let before_ok = at == 0 || !rest[..at].ends_with(is_ident_char);
            let (base, tail) = resolve_base(module, &rest[at..]);
            rest = tail;
            if !before_ok {
                continue;
            }
            let (segments, after) = read_segments(tail);
            rest = after;
            let mut path = base.clone();
            path.extend(segments);
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let (segments, _) = read_segments(item.trim());
                    let mut p = path.clone();
                    p.extend(segments);
                    out.push(p);
                }
                rest = &group[end..];
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn find_path_start(s: &str) -> Option<usize> {
    [s.find("crate::"), s.find("super::")]
        .into_iter()
        .flatten()
        .min()
}

/// The module a path starts from, and the text after its `crate::`/`super::` prefixes.
fn resolve_base<'a>(module: &[String], mut s: &'a str) -> (ModPath, &'a str) {
    if let Some(rest) = s.strip_prefix("crate::") {
        return (Vec::new(), rest);
    }
    let mut base = module.to_vec();
    while let Some(rest) = s.strip_prefix("super::") {
        base.pop();
        s = rest;
    }
    (base, s)
}

/// `a::b::c` at the start of `s` (stopping before `{`, `*` or anything else).
fn read_segments(mut s: &str) -> (Vec<String>, &str) {
    let mut segments = Vec::new();
    loop {
        let len = s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
        if len == 0 {
            break;
        }
        segments.push(s[..len].to_owned());
        s = &s[len..];
        match s.strip_prefix("::") {
            Some(rest) => s = rest,
            None => break,
        }
    }
    (segments, s)
}

/// The deepest known module that `path` names.
fn target(known: &BTreeSet<ModPath>, path: &[String]) -> ModPath {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
        .unwrap_or_default()
}

/// Edges between modules: from each module to what it names, without child -> own ancestor
/// (the crate root excepted).
fn edges(mods: &BTreeMap<ModPath, String>) -> BTreeSet<(ModPath, ModPath)> {
    let known: BTreeSet<ModPath> = mods.keys().cloned().collect();
    let mut out = BTreeSet::new();
    for (module, text) in mods {
        for path in named_paths(module, text) {
            let to = target(&known, &path);
            let to_ancestor = module.starts_with(&to) && !to.is_empty();
            if to != *module && !to_ancestor {
                out.insert((module.clone(), to));
            }
        }
    }
    out
}

/// A cycle in the graph, if there is one, as the modules along it.
fn find_cycle(edges: &BTreeSet<(ModPath, ModPath)>) -> Option<Vec<ModPath>> {
    let mut next: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    // Depth-first search with the current path on a stack.
    fn visit<'a>(
        node: &'a ModPath,
        next: &BTreeMap<&'a ModPath, Vec<&'a ModPath>>,
        on_path: &mut Vec<&'a ModPath>,
        done: &mut BTreeSet<&'a ModPath>,
    ) -> Option<Vec<ModPath>> {
        if let Some(i) = on_path.iter().position(|n| *n == node) {
            let mut cycle: Vec<ModPath> = on_path[i..].iter().map(|n| (*n).clone()).collect();
            cycle.push(node.clone());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        on_path.push(node);
        for n in next.get(node).into_iter().flatten() {
            if let Some(c) = visit(n, next, on_path, done) {
                return Some(c);
            }
        }
        on_path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for start in next.keys() {
        if let Some(c) = visit(start, &next, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

fn show(cycle: &[ModPath]) -> String {
    cycle
        .iter()
        .map(|m| {
            if m.is_empty() {
                "crate".to_owned()
            } else {
                m.join("::")
            }
        })
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// Fails naming a cycle of `src`, file by file and folded to top-level modules; at least
/// `min_edges` imports must be found, so a parser that finds none cannot pass.
fn assert_acyclic(src: &Path, expect: &str, min_edges: usize) {
    let mods = modules(src);
    assert!(
        mods.contains_key(&vec![expect.to_owned()]),
        "{expect}/ is read"
    );
    let file_edges = edges(&mods);
    assert!(
        file_edges.len() >= min_edges,
        "too few imports found: {file_edges:?}"
    );
    if let Some(cycle) = find_cycle(&file_edges) {
        panic!(
            "{}: modules import each other: {}",
            src.display(),
            show(&cycle)
        );
    }
    // The same, with every module folded into its top-level module.
    let top = |m: &ModPath| m.iter().take(1).cloned().collect::<ModPath>();
    let top_edges: BTreeSet<(ModPath, ModPath)> = file_edges
        .iter()
        .map(|(a, b)| (top(a), top(b)))
        .filter(|(a, b)| a != b)
        .collect();
    if let Some(cycle) = find_cycle(&top_edges) {
        panic!(
            "{}: top-level modules import each other: {}",
            src.display(),
            show(&cycle)
        );
    }
}

#[test]
fn generator_modules_do_not_import_each_other() {
    assert_acyclic(&root().join("codegen/src"), "lower", 30);
}

#[test]
fn runtime_modules_do_not_import_each_other() {
    assert_acyclic(&root().join("lark-runtime/src"), "auth", 30);
}

/// The family crate with its generated code: the generated files name their siblings through
/// the parent's glob and the runtime through one `rt` import, and the hand-written root only
/// re-exports; the checker sees every `crate::`/`super::` path among them.
#[test]
fn family_modules_do_not_import_each_other_generated_code_included() {
    let src = root().join("lark-im-chat/src");
    assert!(
        modules(&src).contains_key(&vec!["generated".to_owned(), "ops".to_owned()]),
        "generated code is read"
    );
    assert_acyclic(&src, "generated", 2);
}

#[test]
fn the_checker_sees_a_cycle() {
    let mods: BTreeMap<ModPath, String> = [
        (vec![], "mod a;\nmod b;\npub use a::x;\n"),
        (vec!["a".to_owned()], "use crate::b::{y, z};\n"),
        (vec!["b".to_owned()], "fn f() { super::a::x(); }\n"),
        (
            vec!["c".to_owned()],
            "// use crate::a::x;\nuse crate::Generated;\n",
        ),
    ]
    .into_iter()
    .map(|(m, t)| (m, t.to_owned()))
    .collect();
    let e = edges(&mods);
    let a = vec!["a".to_owned()];
    let b = vec!["b".to_owned()];
    let c = vec!["c".to_owned()];
    assert!(e.contains(&(a.clone(), b.clone())));
    assert!(e.contains(&(b.clone(), a.clone())));
    assert!(
        e.contains(&(c.clone(), vec![])),
        "naming the root is an edge"
    );
    assert!(!e.contains(&(c, a.clone())), "comments are skipped");
    let cycle = find_cycle(&e).expect("a <-> b is a cycle");
    assert!(show(&cycle).contains("a -> b -> a") || show(&cycle).contains("b -> a -> b"));
    // A child naming its parent is not an edge.
    let nested: BTreeMap<ModPath, String> = [
        (vec![], "mod p;\n".to_owned()),
        (
            vec!["p".to_owned()],
            "mod q;\nfn f() { q::g(); }\n".to_owned(),
        ),
        (
            vec!["p".to_owned(), "q".to_owned()],
            "use super::helper;\n".to_owned(),
        ),
    ]
    .into_iter()
    .collect();
    assert!(find_cycle(&edges(&nested)).is_none());
}

/// Hand-written files stay small enough to read; the limit leaves room for a little growth.
#[test]
fn no_hand_written_file_is_much_above_500_lines() {
    let root = root();
    let mut checked = 0;
    for dir in [
        "codegen/src",
        "codegen/macros/src",
        "codegen/benches",
        "lark-runtime/src",
        "lark-im-chat/src",
        "lark-im-chat/benches",
        "lark-im-chat/examples",
        "xtask/src",
    ] {
        let dir = root.join(dir);
        let mut mods = modules(&dir);
        mods.retain(|m, _| m.first().map(String::as_str) != Some("generated"));
        for (module, text) in mods {
            checked += 1;
            let lines = text.lines().count();
            assert!(
                lines <= 550,
                "{}/{}: {lines} lines; split it by what it owns",
                dir.display(),
                module.join("/")
            );
        }
    }
    assert!(checked > 20, "only {checked} files read");
}
