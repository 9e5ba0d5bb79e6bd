//! Path templates: `/open-apis/im/v1/chats/:chat_id/members` -> literal and variable segments.

use crate::diag::{Diagnostics, Loc};
use crate::ir::Segment;

/// Splits a path template into segments; literals keep their slashes, `:name` is a variable.
/// Whether each variable is declared and usable is checked in `validate`.
pub fn parse(path: &str, loc: &Loc, diags: &mut Diagnostics) -> Vec<Segment> {
    if !path.starts_with("/open-apis/") {
        diags.error(loc, format!("path `{path}` must start with `/open-apis/`"));
    }
    let mut segments = Vec::new();
    let mut lit = String::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            lit.push('/');
        }
        if let Some(var) = part.strip_prefix(':') {
            segments.push(Segment::Lit(std::mem::take(&mut lit)));
            segments.push(Segment::Var(var.to_owned()));
        } else {
            lit.push_str(part);
        }
    }
    if !lit.is_empty() {
        segments.push(Segment::Lit(lit));
    }
    segments.retain(|s| !matches!(s, Segment::Lit(l) if l.is_empty()));
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_variables() {
        let mut diags = Diagnostics::default();
        let segments = parse(
            "/open-apis/im/v1/chats/:chat_id/members/:member_id",
            &Loc::default(),
            &mut diags,
        );
        assert!(diags.is_empty());
        assert_eq!(
            segments,
            [
                Segment::Lit("/open-apis/im/v1/chats/".into()),
                Segment::Var("chat_id".into()),
                Segment::Lit("/members/".into()),
                Segment::Var("member_id".into()),
            ]
        );
    }

    #[test]
    fn a_path_outside_open_apis_is_a_problem() {
        let mut diags = Diagnostics::default();
        let segments = parse("/im/v1/chats", &Loc::default(), &mut diags);
        assert!(!diags.is_empty());
        assert_eq!(segments, [Segment::Lit("/im/v1/chats".into())]);
    }
}
