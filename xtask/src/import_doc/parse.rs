//! Reads the official overview page in its own markup: `<md-table>`s whose `<md-tr>` rows hold
//! `<md-td>` cells with `<md-text>` names and doc links, `METHOD /path` lines, `<md-perm>` scopes,
//! `<md-tag>` token types, ✓ columns for store and self-built apps, and event types.
//!
//! A small tag scanner over byte offsets: every fact keeps the line it came from. The page's known
//! defects are mended and reported as quirks; a row that cannot be read is an error naming its line.

use super::scan::{next_tag, strip_tags};
use serde::Serialize;

/// Everything the page states.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Page {
    /// `source:` of the page's header comment, if any.
    #[serde(skip)]
    pub source: Option<String>,
    pub operations: Vec<PageOperation>,
    pub events: Vec<PageEvent>,
    pub quirks: Vec<Quirk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageOperation {
    pub method: String,
    /// Always starts with `/` (mended when the page forgets it).
    pub path: String,
    pub title: String,
    /// Absolute URL (`/ssl:ttdoc/…` links mapped to `https://open.feishu.cn/document/…`).
    pub doc: String,
    /// `tenant`, `user`, in page order.
    pub tokens: Vec<String>,
    pub scopes: Vec<String>,
    /// `custom`, `store`.
    pub app_types: Vec<String>,
    pub section: String,
    /// Line of the row's `<md-tr>`.
    pub line: usize,
    /// Line of the doc link.
    #[serde(skip)]
    pub doc_line: usize,
}

impl PageOperation {
    /// `METHOD /path`, the key operations are compared by.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageEvent {
    pub event_type: String,
    pub title: String,
    pub doc: String,
    pub scopes: Vec<String>,
    pub app_types: Vec<String>,
    pub section: String,
    pub line: usize,
    #[serde(skip)]
    pub doc_line: usize,
}

/// A defect of the page that the importer tolerated (and mended where it could).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Quirk {
    pub line: usize,
    pub kind: String,
    pub text: String,
}

/// A row or table the importer cannot read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Maps a page link to the absolute URL the spec uses.
pub fn absolute_doc_url(link: &str) -> String {
    if let Some(rest) = link.strip_prefix("/ssl:ttdoc/") {
        format!("https://open.feishu.cn/document/{rest}")
    } else if link.starts_with('/') {
        format!("https://open.feishu.cn{link}")
    } else {
        link.to_owned()
    }
}

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    Unknown,
    Resources,
    Operations,
    Events,
}

struct Table {
    kind: TableKind,
    line: usize,
    headers: Vec<String>,
}

impl Table {
    /// Index of the column whose header contains `word`.
    fn column(&self, word: &str, default: usize) -> usize {
        self.headers
            .iter()
            .position(|h| h.contains(word))
            .unwrap_or(default)
    }
}

struct Parser<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    headings: Vec<(usize, String)>,
    page: Page,
    errors: Vec<ParseError>,
}

/// Parses a page. Every unreadable row is reported; quirks are sorted by line.
pub fn parse(text: &str) -> Result<Page, Vec<ParseError>> {
    let mut line_starts = vec![0];
    let mut headings = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(h) = line.trim_end().strip_prefix("### ") {
            headings.push((offset, h.trim().to_owned()));
        }
        offset += line.len();
        line_starts.push(offset);
    }
    let mut p = Parser {
        text,
        line_starts,
        headings,
        page: Page {
            source: header_source(text),
            ..Page::default()
        },
        errors: Vec::new(),
    };
    p.run();
    if p.errors.is_empty() {
        p.page.quirks.sort();
        Ok(p.page)
    } else {
        p.errors.sort();
        Err(p.errors)
    }
}

/// `source:` from the header comment.
fn header_source(text: &str) -> Option<String> {
    let body = text.trim_start().strip_prefix("<!--")?;
    let body = &body[..body.find("-->")?];
    body.lines()
        .find_map(|l| l.trim().strip_prefix("source:"))
        .map(|s| s.trim().to_owned())
}

impl Parser<'_> {
    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    fn section(&self, offset: usize) -> String {
        self.headings
            .iter()
            .take_while(|(o, _)| *o <= offset)
            .last()
            .map(|(_, h)| h.clone())
            .unwrap_or_default()
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line(offset);
        self.errors.push(ParseError {
            line,
            message: message.into(),
        });
    }

    fn quirk(&mut self, offset: usize, kind: &str, text: impl Into<String>) {
        let line = self.line(offset);
        self.page.quirks.push(Quirk {
            line,
            kind: kind.to_owned(),
            text: text.into(),
        });
    }

    fn run(&mut self) {
        let text = self.text;
        let mut table: Option<Table> = None;
        let mut at = 0;
        while let Some(tag) = next_tag(text, at) {
            at = tag.end;
            match (tag.name, tag.closing) {
                ("md-table", false) => {
                    if let Some(t) = &table {
                        let line = t.line;
                        self.error(
                            tag.start,
                            format!("table opened at line {line} is not closed"),
                        );
                    }
                    table = Some(Table {
                        kind: TableKind::Unknown,
                        line: self.line(tag.start),
                        headers: Vec::new(),
                    });
                }
                ("md-table", true) => table = None,
                ("md-th", false) => {
                    let end = text[tag.end..]
                        .find("</md-th>")
                        .map_or(text.len(), |e| tag.end + e);
                    if let Some(t) = table.as_mut() {
                        t.headers.push(strip_tags(&text[tag.end..end]));
                        if t.kind == TableKind::Unknown {
                            t.kind = classify(&text[tag.end..end]);
                        }
                    }
                    at = end;
                }
                ("md-tr", false) => {
                    let Some(close) = text[tag.end..].find("</md-tr>").map(|e| tag.end + e) else {
                        self.error(tag.start, "row is not closed (no </md-tr>)");
                        return;
                    };
                    let body = &text[tag.end..close];
                    if let Some(inner) = body.find("<md-tr>") {
                        self.error(tag.start, "row is not closed before the next <md-tr>");
                        at = tag.end + inner;
                        continue;
                    }
                    at = close + "</md-tr>".len();
                    match table.as_mut() {
                        None => self.error(tag.start, "row outside any <md-table>"),
                        Some(t) if body.contains("<md-th") => {
                            // A header row written as <md-tr> (the resource table does this).
                            let mut from = 0;
                            while let Some(th) = next_tag(body, from) {
                                from = th.end;
                                if th.name == "md-th" && !th.closing {
                                    let e = body[th.end..]
                                        .find("</md-th>")
                                        .map_or(body.len(), |e| th.end + e);
                                    t.headers.push(strip_tags(&body[th.end..e]));
                                    if t.kind == TableKind::Unknown {
                                        t.kind = classify(&body[th.end..e]);
                                    }
                                }
                            }
                        }
                        Some(t) => {
                            let (kind, store, custom) =
                                (t.kind, t.column("商店", 3), t.column("自建", 4));
                            self.row(kind, tag.start, tag.end, body, store, custom);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(t) = table {
            let line = t.line;
            self.errors.push(ParseError {
                line,
                message: "table is not closed (no </md-table>)".into(),
            });
        }
    }

    /// One `<md-tr>` row; `base` is the offset of `body` in the page.
    fn row(
        &mut self,
        kind: TableKind,
        row_start: usize,
        base: usize,
        body: &str,
        store: usize,
        custom: usize,
    ) {
        let cells = match self.cells(base, body) {
            Ok(c) => c,
            Err((offset, message)) => return self.error(offset, message),
        };
        let line = self.line(row_start);
        match kind {
            TableKind::Resources => {}
            TableKind::Unknown => self.error(
                row_start,
                "row in a table whose header names neither API methods nor events",
            ),
            TableKind::Operations | TableKind::Events if cells.len() != 5 => self.error(
                row_start,
                format!(
                    "expected 5 cells (name, scopes, {}, store, self-built), found {}",
                    if kind == TableKind::Operations {
                        "tokens"
                    } else {
                        "event type"
                    },
                    cells.len()
                ),
            ),
            TableKind::Operations => {
                if let Some(op) = self.operation(row_start, line, &cells, store, custom) {
                    self.page.operations.push(op);
                }
            }
            TableKind::Events => {
                if let Some(ev) = self.event(row_start, line, &cells, store, custom) {
                    self.page.events.push(ev);
                }
            }
        }
    }

    /// The `<md-td>` cells of a row as (offset of the content in the page, content).
    fn cells<'b>(
        &self,
        base: usize,
        body: &'b str,
    ) -> Result<Vec<(usize, &'b str)>, (usize, String)> {
        let mut cells = Vec::new();
        let mut at = 0;
        while let Some(tag) = next_tag(body, at) {
            at = tag.end;
            if tag.name != "md-td" {
                continue;
            }
            if tag.closing {
                return Err((base + tag.start, "</md-td> without <md-td>".into()));
            }
            let Some(end) = body[tag.end..].find("</md-td>").map(|e| tag.end + e) else {
                return Err((base + tag.start, "cell is not closed (no </md-td>)".into()));
            };
            if body[tag.end..end].contains("<md-td") {
                return Err((
                    base + tag.start,
                    "cell is not closed before the next <md-td>".into(),
                ));
            }
            // Cells start at their first non-blank character, so errors name the content's line.
            let content = body[tag.end..end].trim_start();
            cells.push((base + end - content.len(), content));
            at = end + "</md-td>".len();
        }
        Ok(cells)
    }

    fn operation(
        &mut self,
        row: usize,
        line: usize,
        cells: &[(usize, &str)],
        store: usize,
        custom: usize,
    ) -> Option<PageOperation> {
        let (title, doc, doc_at) = self.link(cells[0])?;
        let (method, path) = self.method_line(cells[0])?;
        let app_types = self.app_types(cells[store], cells[custom])?;
        let scopes = self.scopes(cells[1], &app_types)?;
        let tokens = self.tokens(cells[2])?;
        Some(PageOperation {
            method,
            path,
            title,
            doc,
            tokens,
            scopes,
            app_types,
            section: self.section(row),
            line,
            doc_line: self.line(doc_at),
        })
    }

    fn event(
        &mut self,
        row: usize,
        line: usize,
        cells: &[(usize, &str)],
        store: usize,
        custom: usize,
    ) -> Option<PageEvent> {
        let (title, doc, doc_at) = self.link(cells[0])?;
        let app_types = self.app_types(cells[store], cells[custom])?;
        let scopes = self.scopes(cells[1], &app_types)?;
        let (at, cell) = cells[2];
        let event_type = strip_tags(cell).trim().to_owned();
        let valid = !event_type.is_empty()
            && event_type
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !valid {
            self.error(
                at,
                format!("cannot read the event type cell: {:?}", event_type),
            );
            return None;
        }
        Some(PageEvent {
            event_type,
            title,
            doc,
            scopes,
            app_types,
            section: self.section(row),
            line,
            doc_line: self.line(doc_at),
        })
    }

    /// The first `[title](link)` of the name cell: (title, absolute URL, offset of the link).
    fn link(&mut self, (at, cell): (usize, &str)) -> Option<(String, String, usize)> {
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
    fn method_line(&mut self, (at, cell): (usize, &str)) -> Option<(String, String)> {
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
    fn scopes(&mut self, (at, cell): (usize, &str), app_types: &[String]) -> Option<Vec<String>> {
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
    fn tokens(&mut self, (at, cell): (usize, &str)) -> Option<Vec<String>> {
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
    fn app_types(&mut self, store: (usize, &str), custom: (usize, &str)) -> Option<Vec<String>> {
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

/// The kind of a table, from its first header cell.
fn classify(header: &str) -> TableKind {
    if header.contains("方法") || header.contains("(API)") {
        TableKind::Operations
    } else if header.contains("事件") || header.contains("(Event)") {
        TableKind::Events
    } else if header.contains("资源") {
        TableKind::Resources
    } else {
        TableKind::Unknown
    }
}
