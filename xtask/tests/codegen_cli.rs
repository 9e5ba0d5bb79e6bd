//! `cargo xtask codegen` says which files it wrote, and writes nothing the second time.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn codegen_names_every_file_it_writes_on_stderr() {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec-two-ops");
    let out = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["codegen", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(out.path())
            .output()
            .expect("xtask runs")
    };
    let first = run();
    assert!(first.status.success());
    let stderr = String::from_utf8_lossy(&first.stderr);
    let files = lark_codegen::generate_dir(&spec).unwrap().files;
    for name in files.keys() {
        let path = out.path().join(name);
        assert!(
            stderr.contains(&format!("wrote {}", path.display())),
            "{name} not named:\n{stderr}"
        );
    }
    assert!(first.stdout.is_empty(), "progress goes to stderr");

    std::fs::write(out.path().join("leftover.rs"), "// no longer generated\n").unwrap();
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!stderr.contains("wrote "), "{stderr}");
    assert!(
        stderr.contains("removed ") && stderr.contains("leftover.rs"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!(
        "{} files generated: 0 written, 1 removed",
        files.len()
    )));
}
