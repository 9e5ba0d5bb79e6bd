//! "Did you mean …?": the known name nearest to a misspelt one.

/// The candidate nearest to `name` by edit distance, if it is close enough to be a likely typo
/// (at most a third of the name's length, and at least one edit allowed).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// `message`, followed by "; did you mean `x`?" when a candidate is near `name`.
pub fn with_suggestion<'a>(
    message: String,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    match nearest(name, candidates) {
        Some(near) => format!("{message}; did you mean `{near}`?"),
        None => message,
    }
}

/// Levenshtein distance over chars (insertions, deletions and substitutions cost one).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("ChatDetial", "ChatDetail"), 2);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn nearest_is_close_or_nothing() {
        let known = ["ChatDetail", "ChatMember", "string"];
        assert_eq!(nearest("ChatDetial", known), Some("ChatDetail"));
        assert_eq!(nearest("strng", known), Some("string"));
        assert_eq!(nearest("chatdetail", known), Some("ChatDetail"));
        assert_eq!(nearest("Totally", known), None);
    }
}
