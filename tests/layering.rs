//! Downstream users pay nothing for our tooling: the client crate must not depend on the
//! generator, syn or a YAML crate.

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

#[test]
fn the_client_crate_does_not_depend_on_the_generator() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lark-im-chat/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut section = String::new();
    let mut checked = 0;
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
                let name = name.trim();
                checked += 1;
                assert!(!FORBIDDEN.contains(&name), "lark-im-chat depends on {name}");
            }
        }
    }
    assert!(
        checked > 5,
        "no [dependencies] found in {}",
        manifest.display()
    );
}
