//! One fixture spec pair per class: the base fixture against a copy with only breaking, only
//! additive or only documentation changes; and the spec read from a git revision.

use super::compare::{diff, Change, Class};
use super::{markdown, spec_at};
use crate::normalized;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn changes_to(variant: &str) -> Vec<Change> {
    let old = normalized::from_dir(&fixtures().join("spec-two-ops")).unwrap();
    let new = normalized::from_dir(&fixtures().join("spec-diff").join(variant)).unwrap();
    diff(&old, &new)
}

/// The fixture pair `variant` has exactly the `expected` changes (item, path, change), all `class`.
fn assert_only(class: Class, variant: &str, expected: &[(&str, &str, &str)]) {
    let changes = changes_to(variant);
    assert!(changes.iter().all(|c| c.class == class), "{changes:#?}");
    let got: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| (c.item.as_str(), c.path.as_str(), c.change.as_str()))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn the_same_spec_has_no_changes() {
    let spec = normalized::from_dir(&fixtures().join("spec-two-ops")).unwrap();
    assert!(diff(&spec, &spec).is_empty());
    assert!(markdown("a", "b", &[]).contains("No changes"));
}

#[test]
fn breaking_changes_are_classified_breaking() {
    assert_only(
        Class::Breaking,
        "breaking",
        &[
            ("chat.create", "body.owner_id", "added, required"),
            ("chat.get", "tokens", "\"user\" removed"),
            ("chat.get", "data.name", "removed"),
            ("chat.get", "data.chat_mode", "enum value \"topic\" removed"),
            ("im.chat.updated_v1", "", "event removed"),
        ],
    );
}

#[test]
fn additive_changes_are_classified_additive() {
    assert_only(
        Class::Additive,
        "additive",
        &[
            ("chat.create", "tokens", "\"user\" added"),
            ("chat.get", "query.user_id_type", "added, optional"),
            ("chat.get", "data.chat_mode", "enum value \"meeting\" added"),
            ("chat.get", "data.description", "added"),
            ("im.chat.member.bot.added_v1", "", "new event"),
        ],
    );
}

#[test]
fn documentation_changes_are_classified_docs() {
    assert_only(
        Class::Docs,
        "docs",
        &[
            ("chat.create", "scopes", "\"im:chat:create\" added"),
            ("chat.get", "summary", "\"Get one chat.\" → \"Get the facts of one chat.\""),
            (
                "chat.get",
                "doc_url",
                "\"https://open.feishu.cn/document/fixture/chat/get\" → \"https://open.feishu.cn/document/fixture/chat/get-v2\"",
            ),
            ("im.chat.updated_v1", "summary", "\"A chat changed.\" → \"A chat's settings changed.\""),
        ],
    );
}

#[test]
fn the_markdown_fragment_has_one_section_per_class() {
    let md = markdown("HEAD", "working tree", &changes_to("breaking"));
    assert!(
        md.starts_with("## Spec changes (HEAD → working tree)\n\n### Breaking\n\n"),
        "{md}"
    );
    assert!(
        md.contains("- `chat.create` `body.owner_id`: added, required\n"),
        "{md}"
    );
    assert!(
        md.contains("- `im.chat.updated_v1`: event removed\n"),
        "{md}"
    );
    assert!(!md.contains("### Additive"), "{md}");
}

fn git(repo: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(repo)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_spec_is_read_from_a_git_revision() {
    let repo = tempfile::tempdir().unwrap();
    let repo = repo.path();
    copy_dir(&fixtures().join("spec-two-ops"), &repo.join("spec"));
    std::fs::create_dir_all(repo.join("spec/catalog")).unwrap();
    std::fs::write(repo.join("spec/catalog/page.yaml"), "not: [a spec file").unwrap();
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    copy_dir(&fixtures().join("spec-diff/additive"), &repo.join("spec"));

    let old = normalized::from_files(&spec_at(repo, "HEAD").unwrap()).unwrap();
    let new = normalized::from_dir(&repo.join("spec")).unwrap();
    assert_eq!(diff(&old, &new), changes_to("additive"));
    let err = spec_at(repo, "no-such-rev").unwrap_err();
    assert!(err.contains("no-such-rev"), "{err}");
}

#[test]
fn a_second_family_is_read_from_its_own_folder_and_is_all_additive_before_it_existed() {
    let repo = tempfile::tempdir().unwrap();
    let repo = repo.path();
    let message = crate::family("im-message").unwrap();
    // At the base revision only the first family exists.
    copy_dir(
        &fixtures().join("spec-two-ops"),
        &repo.join(crate::FAMILIES[0].spec),
    );
    git(repo, &["init", "-q"]);
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let before = super::family_at(repo, "HEAD", message).unwrap();
    let now = normalized::from_dir(&message.spec_dir()).unwrap();
    let changes = diff(&before, &now);
    let added: Vec<&str> = changes
        .iter()
        .filter(|c| c.change == "new operation")
        .map(|c| c.item.as_str())
        .collect();
    assert_eq!(added.len(), 20, "{changes:#?}");
    assert!(added.contains(&"message.create"));
    assert!(changes.iter().all(|c| c.class == Class::Additive));

    // Once committed, the family is read from its folder: ids of this family, no change.
    copy_dir(&message.spec_dir(), &repo.join(message.spec));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "message family"]);
    let at_head = super::family_at(repo, "HEAD", message).unwrap();
    assert!(normalized::operation(&at_head, "message.get").is_some());
    assert!(diff(&at_head, &now).is_empty());
}
