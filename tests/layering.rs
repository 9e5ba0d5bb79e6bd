//! Dependencies point one way: downstream users pay nothing for our tooling (neither the runtime
//! nor a family crate depends on the generator, syn or a YAML crate), and the runtime names no
//! family (no dependency on a family crate, no family crate's name in its source), so adding a
//! family changes no runtime file.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "lark-codegen",
    "lark-codegen-macros",
    "syn",
    "quote",
    "proc-macro2",
    "prettyplease",
    "heck",
    "serde_yaml",
    "serde_yaml_ng",
    "saphyr",
    "saphyr-parser",
];

/// The names of `[dependencies]` (and target-specific ones) of a manifest: what reaches users.
fn dependencies(manifest: &Path) -> Vec<String> {
    let text =
        std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let mut section = String::new();
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
            continue;
        }
        // Dev-dependencies only build tests; everything else reaches users.
        if section == "[dependencies]"
            || section.starts_with("[target.") && section.ends_with(".dependencies]")
        {
            if let Some((name, _)) = line.split_once('=') {
                if !name.trim().starts_with('#') {
                    names.push(name.trim().to_owned());
                }
            }
        }
    }
    names
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Family crates of the workspace: every member whose source has a `generated/` directory.
fn family_crates() -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root()).expect("workspace root") {
        let dir = entry.expect("entry").path();
        if dir.join("src/generated").is_dir() {
            let name = dir
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            out.push((name, dir));
        }
    }
    assert!(!out.is_empty(), "no family crate found");
    out
}

#[test]
fn neither_runtime_nor_families_depend_on_the_generator() {
    let mut crates = vec![root().join("lark-runtime")];
    crates.extend(family_crates().into_iter().map(|(_, dir)| dir));
    for dir in crates {
        let deps = dependencies(&dir.join("Cargo.toml"));
        assert!(
            deps.len() > 1,
            "no [dependencies] found in {}",
            dir.display()
        );
        for name in deps {
            assert!(
                !FORBIDDEN.contains(&name.as_str()),
                "{} depends on {name}",
                dir.display()
            );
        }
    }
}

#[test]
fn the_runtime_depends_on_no_family_crate() {
    let deps = dependencies(&root().join("lark-runtime/Cargo.toml"));
    for (family, _) in family_crates() {
        assert!(
            !deps.contains(&family),
            "lark-runtime depends on the family crate {family}"
        );
    }
    // Dev-dependencies too: a cycle through tests would hide a naming of a family.
    let manifest =
        std::fs::read_to_string(root().join("lark-runtime/Cargo.toml")).expect("manifest");
    for (family, _) in family_crates() {
        assert!(
            !manifest.contains(&family),
            "lark-runtime/Cargo.toml names {family}"
        );
    }
}

/// Every file below `dir` (sources, docs, manifests).
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn the_runtime_source_names_no_family() {
    let mut all = Vec::new();
    files(&root().join("lark-runtime"), &mut all);
    assert!(all.len() > 50, "only {} files read", all.len());
    for (family, _) in family_crates() {
        let rust_name = family.replace('-', "_");
        for path in &all {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for name in [&family, &rust_name] {
                assert!(
                    !text.contains(name.as_str()),
                    "{} names the family `{name}`",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn the_emitters_hold_no_crate_path() {
    let mut all = Vec::new();
    files(&root().join("codegen/src/emit"), &mut all);
    assert!(all.len() > 10, "only {} emitter files read", all.len());
    for path in all {
        let text = std::fs::read_to_string(&path).expect("emitter source");
        for name in ["lark_im_chat", "lark_runtime", "lark-im-chat"] {
            assert!(
                !text.contains(name),
                "{} hard-codes `{name}`",
                path.display()
            );
        }
    }
}
