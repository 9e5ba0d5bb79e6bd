//! Reading the cells of one table row: the name cell's link and `METHOD /path` line, scopes,
//! access tokens and the app-type ticks. Each reader mends the page's known defects (reported as
//! quirks) and reports what it cannot read as an error at its offset.

use super::{absolute_doc_url, Parser, METHODS};
use crate::import_doc::scan::{next_tag, strip_tags};

impl Parser<'_> {
    /// The first `[title](link)` of the name cell: (title, absolute URL, offset of the link).
    pub(super) fn link(&mut self, (at, cell): (usize, &str)) -> Option<(String, String, usize)> {
        let found = cell.find('[').and_then(|open| {
            let mid = open + cell[open..].find("](")?;
            let close = mid + cell[mid..].find(')')?;
            Some((open, &cell[open + 1..mid], &cell[mid + 2..close]))
        });
        match found {
            Some((open, title, link)) if !title.trim().is_empty() && !link.trim().is_empty() => {
                Some((
                    title.trim().to_owned(),
                    absolute_doc_url(link.trim()),
                    at + open,
                ))
            }
            _ => {
                self.error(at, "no [title](doc link) in the name cell");
                None
            }
        }
    }

    /// The `` `METHOD` /path `` line of the name cell.
    pub(super) fn method_line(&mut self, (at, cell): (usize, &str)) -> Option<(String, String)> {
        for method in METHODS {
            let needle = format!("`{method}`");
            let Some(i) = cell.find(&needle) else {
                continue;
            };
            let after = &cell[i + needle.len()..];
            let line_end = after.find('\n').unwrap_or(after.len());
            let raw = after[..line_end].split_whitespace().next().unwrap_or("");
            let path_at = at + i + needle.len() + after.find(raw).unwrap_or(0);
            if !raw.contains("open-apis") {
                self.error(
                    path_at,
                    format!("cannot read the path after `{method}`: {raw:?}"),
                );
                return None;
            }
            let path = if raw.starts_with('/') {
                raw.to_owned()
            } else {
                self.quirk(
                    path_at,
                    "path_missing_leading_slash",
                    format!("`{method}` {raw} (read as /{raw})"),
                );
                format!("/{raw}")
            };
            return Some((method.to_owned(), path));
        }
        self.error(at, "no `METHOD` /open-apis/… line in the name cell");
        None
    }

    /// `<md-perm name=…>` scopes, or none when the cell says 无. A scope whose
    /// `support_app_types` (`custom`, `isv` = store) lacks an app type the row ticks is a quirk.
    pub(super) fn scopes(
        &mut self,
        (at, cell): (usize, &str),
        app_types: &[String],
    ) -> Option<Vec<String>> {
        let mut scopes = Vec::new();
        let mut from = 0;
        while let Some(tag) = next_tag(cell, from) {
            from = tag.end;
            if tag.name != "md-perm" || tag.closing {
                continue;
            }
            let Some(name) = tag.attr("name").filter(|n| !n.trim().is_empty()) else {
                self.error(at + tag.start, "<md-perm> without a name");
                return None;
            };
            if name.matches(':').count() > 2 {
                self.quirk(
                    at + tag.start,
                    "scope_separator_unusual",
                    format!("{name} (more colons than its siblings; kept as written)"),
                );
            }
            if let Some(support) = tag.attr("support_app_types") {
                let support: Vec<&str> = support
                    .split(',')
                    .map(|t| match t.trim() {
                        "isv" => "store",
                        other => other,
                    })
                    .collect();
                let missing: Vec<&str> = app_types
                    .iter()
                    .map(String::as_str)
                    .filter(|t| !support.contains(t))
                    .collect();
                if !missing.is_empty() {
                    self.quirk(
                        at + tag.start,
                        "scope_app_types_disagree",
                        format!(
                            "{name}: support_app_types lacks {} that the row ticks",
                            missing.join(", ")
                        ),
                    );
                }
            }
            if !scopes.contains(&name) {
                scopes.push(name);
            }
        }
        if scopes.is_empty() {
            let text = strip_tags(cell);
            match text.trim() {
                "无" | "None" | "none" | "-" => {}
                "" => {
                    self.error(at, "scopes cell is empty (expected <md-perm> tags or 无)");
                    return None;
                }
                other => {
                    self.error(at, format!("cannot read the scopes cell: {other:?}"));
                    return None;
                }
            }
        }
        Some(scopes)
    }

    /// `<md-tag type="token-…">…_access_token</md-tag>` tokens, mended.
    pub(super) fn tokens(&mut self, (at, cell): (usize, &str)) -> Option<Vec<String>> {
        let mut tokens = Vec::new();
        let mut from = 0;
        while let Some(tag) = next_tag(cell, from) {
            from = tag.end;
            if tag.name != "md-tag" || tag.closing {
                continue;
            }
            let end = cell[tag.end..]
                .find("</md-tag>")
                .map_or(cell.len(), |e| tag.end + e);
            let raw = &cell[tag.end..end];
            let joined: String = raw.split_whitespace().collect();
            if raw.trim() != joined {
                self.quirk(
                    at + tag.end,
                    "token_split_by_whitespace",
                    format!("{raw:?} (read as {joined})"),
                );
            }
            let by_type = tag
                .attr("type")
                .and_then(|t| t.strip_prefix("token-").map(str::to_owned))
                .filter(|k| k == "tenant" || k == "user");
            let by_text = joined
                .strip_suffix("_access_token")
                .filter(|k| *k == "tenant" || *k == "user")
                .map(str::to_owned);
            let kind = match (by_type, by_text) {
                (Some(t), Some(x)) if t == x => t,
                (Some(t), _) => {
                    self.quirk(
                        at + tag.end,
                        "token_typo",
                        format!("{joined} (read as {t}_access_token from type=\"token-{t}\")"),
                    );
                    t
                }
                (None, Some(x)) => x,
                (None, None) => {
                    self.error(at + tag.start, format!("unknown access token {joined:?}"));
                    return None;
                }
            };
            if !tokens.contains(&kind) {
                tokens.push(kind);
            }
        }
        if tokens.is_empty() {
            self.error(
                at,
                "no access token (<md-tag type=\"token-…\">) in the tokens cell",
            );
            return None;
        }
        Some(tokens)
    }

    /// The store and self-built ✓ columns.
    pub(super) fn app_types(
        &mut self,
        store: (usize, &str),
        custom: (usize, &str),
    ) -> Option<Vec<String>> {
        let mut types = Vec::new();
        for ((at, cell), name) in [(custom, "custom (self-built)"), (store, "store")] {
            let text = strip_tags(cell).replace('*', "");
            match text.trim() {
                "✓" | "✔" | "√" => {
                    types.push(name.split(' ').next().unwrap_or(name).to_owned())
                }
                "" | "✗" | "×" | "-" => {}
                other => {
                    self.error(at, format!("cannot read the {name} app column: {other:?}"));
                    return None;
                }
            }
        }
        Some(types)
    }
}
