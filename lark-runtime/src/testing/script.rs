//! Scripted answers per operation: rules (an operation, optionally a path and query
//! parameters), each a FIFO queue of [`Answer`]s followed by a default, and page sequences.

use super::answer::Answer;
use crate::meta::OperationMeta;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Prefix of the page tokens [`Script::pages`] hands out (the offset follows).
const PAGE_TOKEN_PREFIX: &str = "mock-page-";

/// What answers once a rule's queue is empty.
#[derive(Debug, Clone)]
pub(super) enum Responder {
    Fixed(Answer),
    Pages(Pages),
}

/// Items served page by page, following `page_token`.
#[derive(Debug, Clone)]
pub(super) struct Pages {
    items: Vec<Value>,
    page_size: usize,
    /// The `data` field holding the items (from the operation's shape; `items` by default).
    field: &'static str,
}

impl Pages {
    fn answer(&self, page_token: Option<&str>) -> Answer {
        let start = match page_token {
            None | Some("") => 0,
            Some(token) => match token
                .strip_prefix(PAGE_TOKEN_PREFIX)
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= self.items.len())
            {
                Some(n) => n,
                None => {
                    return Answer::error(
                        99992402,
                        &format!("mock platform: unknown page_token {token:?}"),
                    )
                }
            },
        };
        let end = (start + self.page_size).min(self.items.len());
        let has_more = end < self.items.len();
        let mut data = json!({ self.field: self.items[start..end].to_vec(), "has_more": has_more });
        if has_more {
            data["page_token"] = Value::String(format!("{PAGE_TOKEN_PREFIX}{end}"));
        }
        Answer::data(data)
    }
}

/// One rule: which requests it takes, its queue and its default.
#[derive(Debug)]
pub(super) struct Rule {
    pub(super) meta: &'static OperationMeta,
    /// Exact decoded path, when set.
    pub(super) path: Option<String>,
    /// Query parameters the request must carry (with these values).
    pub(super) query: Vec<(String, String)>,
    pub(super) queue: VecDeque<Answer>,
    pub(super) default: Option<Responder>,
}

impl Rule {
    /// How many conditions beyond the operation it sets: more specific rules answer first.
    pub(super) fn specificity(&self) -> usize {
        usize::from(self.path.is_some()) + self.query.len()
    }

    pub(super) fn takes(&self, path: &str, query: &[(String, String)]) -> bool {
        self.path.as_deref().map_or(true, |p| p == path)
            && self.query.iter().all(|kv| query.contains(kv))
    }

    /// The next answer: the queue's head, else the default; `None` when it has neither.
    pub(super) fn next(&mut self, query: &[(String, String)]) -> Option<Answer> {
        if let Some(answer) = self.queue.pop_front() {
            return Some(answer);
        }
        match self.default.as_ref()? {
            Responder::Fixed(answer) => Some(answer.clone()),
            Responder::Pages(pages) => {
                let token = query.iter().find(|(k, _)| k == "page_token");
                Some(pages.answer(token.map(|(_, v)| v.as_str())))
            }
        }
    }
}

/// Scripts the answers of one operation (and, with [`path`](Self::path) /
/// [`query`](Self::query), of the requests that match): got from
/// [`MockPlatform::on`](super::MockPlatform::on).
///
/// Queued answers are consumed in order, then the default answers every further request;
/// a request with neither gets a 404 naming its operation. Among the rules of an operation,
/// the most specific one that has an answer replies (a rule with a path and a query before one
/// with a path, before the operation's plain rule).
///
/// ```no_run
/// # async fn f(platform: lark_runtime::testing::MockPlatform) {
/// use lark_runtime::testing::Answer;
/// platform
///     .on("chat.get")
///     .then(Answer::status(503))
///     .then(Answer::status(503))
///     .then(Answer::data(serde_json::json!({"name": "Incident"})))
///     .otherwise(Answer::error(232011, "no permission"));
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a script does nothing until answers are added"]
pub struct Script {
    rules: Arc<Mutex<Vec<Rule>>>,
    meta: &'static OperationMeta,
    path: Option<String>,
    query: Vec<(String, String)>,
}

impl Script {
    pub(super) fn new(rules: Arc<Mutex<Vec<Rule>>>, meta: &'static OperationMeta) -> Self {
        Self {
            rules,
            meta,
            path: None,
            query: Vec::new(),
        }
    }

    /// Only requests to this exact path (decoded, e.g. `/open-apis/im/v1/chats/oc_1`).
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// Only requests carrying this query parameter with this value (several calls: all of them).
    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Queues an answer.
    pub fn then(self, answer: Answer) -> Self {
        self.with_rule(|rule| rule.queue.push_back(answer));
        self
    }

    /// Queues a success answer with this `data` (shorthand of `then(Answer::data(data))`).
    pub fn then_data(self, data: impl serde::Serialize) -> Self {
        self.then(Answer::data(data))
    }

    /// Sets the answer given once the queue is empty (replacing any earlier default).
    pub fn otherwise(self, answer: Answer) -> Self {
        self.with_rule(|rule| rule.default = Some(Responder::Fixed(answer)));
        self
    }

    /// Serves `items` as pages of `page_size` once the queue is empty: the first page without
    /// `page_token`, then each page's `page_token` (set while `has_more` is true) gives the
    /// next; an unknown token gets a platform error. The items go into the `data` field the
    /// operation's shape lists as an array (`items` when it lists none).
    ///
    /// # Panics
    ///
    /// When `page_size` is 0 or an item does not serialize: mistakes in the test.
    pub fn pages<T: serde::Serialize>(
        self,
        items: impl IntoIterator<Item = T>,
        page_size: usize,
    ) -> Self {
        assert!(page_size > 0, "pages need a page_size of at least 1");
        let items = items
            .into_iter()
            .map(|item| match serde_json::to_value(item) {
                Ok(v) => v,
                Err(e) => panic!("a page item does not serialize: {e}"),
            })
            .collect();
        let field = self
            .meta
            .shape
            .data
            .fields
            .iter()
            .find(|f| f.arrays > 0)
            .map_or("items", |f| f.wire);
        let pages = Pages {
            items,
            page_size,
            field,
        };
        self.with_rule(|rule| rule.default = Some(Responder::Pages(pages)));
        self
    }

    fn with_rule(&self, f: impl FnOnce(&mut Rule)) {
        // A panic elsewhere while holding the lock leaves plain rules: still usable.
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let found = rules
            .iter_mut()
            .find(|r| r.meta.id == self.meta.id && r.path == self.path && r.query == self.query);
        match found {
            Some(rule) => f(rule),
            None => {
                let mut rule = Rule {
                    meta: self.meta,
                    path: self.path.clone(),
                    query: self.query.clone(),
                    queue: VecDeque::new(),
                    default: None,
                };
                f(&mut rule);
                rules.push(rule);
            }
        }
    }
}
