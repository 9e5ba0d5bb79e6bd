//! Reads the official overview page in its own markup: `<md-table>`s whose `<md-tr>` rows hold
//! `<md-td>` cells with `<md-text>` names and doc links, `METHOD /path` lines, `<md-perm>` scopes,
//! `<md-tag>` token types, ✓ columns for store and self-built apps, and event types.
//!
//! A small tag scanner over byte offsets: every fact keeps the line it came from. The page's known
//! defects are mended and reported as quirks; a row that cannot be read is an error naming its line.

mod cells;

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
