//! Writing generated files, or checking that the checked-in ones are fresh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What to do with the generated text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write changed files and delete stale ones.
    Write,
    /// Change nothing; report what differs.
    Check,
}

/// What a sync found or did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Files whose content differs from the generated text (written in `Write` mode).
    pub changed: Vec<PathBuf>,
    /// Generated files missing on disk (written in `Write` mode).
    pub missing: Vec<PathBuf>,
    /// `.rs` files on disk that the generator no longer produces (deleted in `Write` mode).
    pub stale: Vec<PathBuf>,
}

impl SyncReport {
    /// Whether the directory already matched.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.stale.is_empty()
    }
}

/// Makes `dir` hold exactly `files` (relative path -> text), or reports how it differs.
pub fn sync(
    dir: &Path,
    files: &BTreeMap<String, String>,
    mode: Mode,
) -> std::io::Result<SyncReport> {
    let mut report = SyncReport::default();
    for (rel, text) in files {
        let path = dir.join(rel);
        match std::fs::read_to_string(&path) {
            Ok(current) if current == *text => {}
            Ok(_) => report.changed.push(path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => report.missing.push(path.clone()),
            Err(e) => return Err(e),
        }
    }
    let mut on_disk = Vec::new();
    if dir.exists() {
        collect_rs(dir, dir, &mut on_disk)?;
    }
    for rel in on_disk {
        if !files.contains_key(&rel) {
            report.stale.push(dir.join(rel));
        }
    }
    if mode == Mode::Write {
        for path in report.changed.iter().chain(&report.missing) {
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            // Write to a temporary file and rename, so an interrupted run leaves no torn file.
            let tmp = path.with_extension("rs.tmp");
            std::fs::write(&tmp, &files[&rel])?;
            std::fs::rename(&tmp, path)?;
        }
        for path in &report.stale {
            std::fs::remove_file(path)?;
        }
    }
    Ok(report)
}

fn collect_rs(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    Ok(())
}
