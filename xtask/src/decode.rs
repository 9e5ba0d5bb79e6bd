//! `cargo xtask decode <operation-id|event-type> <file.json> [--strict]`.
//!
//! Runs the `decode_<family>` example (`decode_im_chat`, `decode_im_message`: one name per family,
//! so the examples of two crates never share an output file) of the family whose spec has the
//! operation or event: it names on
//! stderr, one per line, every JSON path of the sample the spec does not have and every enum
//! value it does not list (`unknown field: data.items[].brand_new`, `unknown value:
//! data.chat_mode = "galaxy_mode"`) with the runtime's drift walker over the family's generated
//! shapes (the one walker there is), then decodes the sample with the generated types and
//! prints what they understood on stdout. `--strict` fails when anything is unknown.
//!
//! xtask itself depends on no family crate, or a broken generated client could not be
//! regenerated: the example runs in a child process.

use crate::{flag_value, root, FAMILIES};

const USAGE: &str =
    "usage: cargo xtask decode <operation-id|event-type> <file.json> [--strict] [--spec DIR]";

pub fn run(args: &[String]) -> Result<(), String> {
    let [what, file] = crate::positional(args, &["--strict"], &["--spec"], USAGE)?[..] else {
        return Err(USAGE.into());
    };
    let (package, example) = family_of(what, flag_value(args, "--spec"))?;
    let file = std::path::absolute(file).map_err(|e| format!("{file}: {e}"))?;
    let mut command = crate::cargo();
    command
        .args([
            "run",
            "--quiet",
            "-p",
            &package,
            "--example",
            &example,
            "--",
        ])
        .arg(what)
        .arg(&file);
    if args.iter().any(|a| a == "--strict") {
        command.arg("--strict");
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(String::new())
    }
}

/// The crate and its decode example, of the family whose spec (`--spec`, else every family's)
/// has `what`.
fn family_of(what: &str, spec: Option<std::path::PathBuf>) -> Result<(String, String), String> {
    for family in FAMILIES {
        let dir = root().join(family.spec);
        if spec.as_ref().is_some_and(|s| *s != dir) {
            continue;
        }
        let normalized = crate::normalized::from_dir(&dir)?;
        if crate::normalized::operation(&normalized, what).is_some()
            || crate::normalized::event(&normalized, what).is_some()
        {
            let example = format!("decode_{}", family.name.replace('-', "_"));
            return Ok((family.package().to_owned(), example));
        }
    }
    Err(format!(
        "`{what}` is neither an operation id nor an event type of any family's spec"
    ))
}

#[cfg(test)]
mod tests {
    use super::family_of;

    #[test]
    fn the_family_crate_is_chosen_by_the_id() {
        for (what, package) in [
            ("chat.get", "lark-im-chat"),
            ("im.chat.updated_v1", "lark-im-chat"),
            ("message.get", "lark-im-message"),
            ("pin.list", "lark-im-message"),
            ("im.message.receive_v1", "lark-im-message"),
        ] {
            let (found, example) = family_of(what, None).unwrap();
            assert_eq!(found, package, "{what}");
            assert_eq!(
                example,
                format!("decode_{}", &package["lark-".len()..].replace('-', "_"))
            );
        }
        let err = family_of("message.gett", None).unwrap_err();
        assert!(err.contains("any family"), "{err}");
        // --spec narrows the search to that family.
        let chat = crate::family("im-chat").unwrap().spec_dir();
        assert!(family_of("message.get", Some(chat)).is_err());
    }
}
