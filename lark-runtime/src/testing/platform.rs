//! [`MockPlatform`]: the local Open Platform, its scripts, records and expectations.

use super::answer::Answer;
use super::received::ReceivedRequest;
use super::script::{Rule, Script};
use super::{serve, OperationRef, MOCK_APP_ID, MOCK_APP_SECRET};
use crate::client::{Client, ClientBuilder};
use crate::meta::{Family, OperationMeta};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

/// Requests kept for [`MockPlatform::requests`]; later ones are still answered and counted
/// for expectations, but not kept (a bound for soak tests).
pub const MAX_RECORDED_REQUESTS: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How many requests an operation must get.
#[derive(Debug, Clone, Copy)]
enum Times {
    Exactly(usize),
    AtLeast(usize),
}

#[derive(Debug)]
struct Expectation {
    op: &'static str,
    times: Times,
}

/// State shared by the platform handle and its server.
#[derive(Debug, Default)]
pub(super) struct Inner {
    pub(super) families: Vec<&'static Family>,
    rules: Arc<Mutex<Vec<Rule>>>,
    received: Mutex<Vec<ReceivedRequest>>,
    /// Requests per operation id, all of them (not bounded by the record's cap).
    counts: Mutex<HashMap<&'static str, usize>>,
    expectations: Mutex<Vec<Expectation>>,
}

impl Inner {
    pub(super) fn lock_rules(&self) -> MutexGuard<'_, Vec<Rule>> {
        lock(&self.rules)
    }

    /// The operation a request is for: of the operations known (the families' and the scripted
    /// ones) whose method and path template fit, the one with the most literal segments
    /// (`/chats/search` before `/chats/:chat_id`).
    fn operation_of_impl(&self, method: &str, path: &str) -> Option<&'static OperationMeta> {
        let rules = self.lock_rules();
        let scripted = rules.iter().map(|r| r.meta);
        let known = self
            .families
            .iter()
            .flat_map(|f| f.operations.iter().copied());
        known
            .chain(scripted)
            .filter(|m| m.method.as_str() == method)
            .filter_map(|m| literal_segments(m.path, path).map(|n| (n, m)))
            .fold(
                None,
                |best: Option<(usize, &'static OperationMeta)>, (n, m)| match best {
                    Some((b, _)) if b >= n => best,
                    _ => Some((n, m)),
                },
            )
            .map(|(_, m)| m)
    }

    /// The answer of the most specific rule of `op` that takes the request and has one.
    fn answer_impl(
        &self,
        op: &'static str,
        path: &str,
        query: &[(String, String)],
    ) -> Option<Answer> {
        let mut rules = self.lock_rules();
        let mut fitting: Vec<&mut Rule> = rules
            .iter_mut()
            .filter(|r| r.meta.id == op && r.takes(path, query))
            .collect();
        // Stable: among equally specific rules, the first registered answers first.
        fitting.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        fitting.into_iter().find_map(|r| r.next(query))
    }

    fn record_impl(&self, request: ReceivedRequest) {
        if let Some(op) = request.operation {
            *lock(&self.counts).entry(op).or_default() += 1;
        }
        let mut received = lock(&self.received);
        if received.len() < MAX_RECORDED_REQUESTS {
            received.push(request);
        }
    }
}

impl serve::Platform for Inner {
    fn operation_of(&self, method: &str, path: &str) -> Option<&'static OperationMeta> {
        self.operation_of_impl(method, path)
    }

    fn answer(&self, op: &'static str, path: &str, query: &[(String, String)]) -> Option<Answer> {
        self.answer_impl(op, path, query)
    }

    fn record(&self, request: ReceivedRequest) {
        self.record_impl(request)
    }
}

/// The number of literal segments of `template` when `path` fits it.
fn literal_segments(template: &str, path: &str) -> Option<usize> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut literal = 0;
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(literal),
            (Some(ts), Some(ps)) if ts.starts_with(':') && !ps.is_empty() => {}
            (Some(ts), Some(ps)) if ts == ps => literal += 1,
            _ => return None,
        }
    }
}

/// A local Open Platform on 127.0.0.1 for the families given: token endpoints answered,
/// every operation answered as scripted, every request recorded; stops when dropped, and then
/// checks its expectations (see [`expect`](Self::expect)).
#[derive(Debug)]
pub struct MockPlatform {
    addr: SocketAddr,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl MockPlatform {
    /// Starts serving on a free port of 127.0.0.1, on the current tokio runtime, knowing no
    /// family: operations are named by their metadata.
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts serving for these families (each family crate exports its `FAMILY`): their
    /// operations can be named by id, and requests are named with the operation they fit.
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start_with(families: &[&'static Family]) -> Self {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("cannot bind 127.0.0.1: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("no local address: {e}"),
        };
        let inner = Arc::new(Inner {
            families: families.to_vec(),
            ..Inner::default()
        });
        let server = tokio::spawn(serve::serve(listener, Arc::clone(&inner)));
        Self {
            addr,
            inner,
            server,
        }
    }

    /// Base URL, e.g. `http://127.0.0.1:43121`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A builder of a self-built app's client pointed at this platform (retries keep their
    /// defaults; set them as in production).
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(MOCK_APP_ID, MOCK_APP_SECRET).base_url(self.uri())
    }

    /// A client pointed at this platform.
    ///
    /// # Panics
    ///
    /// Never in practice: the configuration is fixed and valid.
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(c) => c,
            Err(e) => panic!("mock client: {e}"),
        }
    }

    /// Scripts the answers of an operation: queued answers, a default, pages (see [`Script`]).
    pub fn on(&self, op: impl OperationRef) -> Script {
        Script::new(Arc::clone(&self.inner.rules), op.meta(&self.inner.families))
    }

    /// Answers the operation with `{"code": 0, "msg": "success", "data": data}` whenever no
    /// queued answer comes first (the operation's default; the latest one set wins).
    pub fn respond(&self, op: impl OperationRef, data: impl serde::Serialize) -> &Self {
        let _ = self.on(op).otherwise(Answer::data(data));
        self
    }

    /// Answers the operation with a business error: `{"code": code, "msg": msg}` and the status.
    pub fn respond_error(
        &self,
        op: impl OperationRef,
        http_status: u16,
        code: i64,
        msg: &str,
    ) -> &Self {
        let _ = self
            .on(op)
            .otherwise(Answer::error(code, msg).with_status(http_status));
        self
    }

    /// Answers the operation with this status and JSON body.
    pub fn respond_raw(
        &self,
        op: impl OperationRef,
        http_status: u16,
        body: serde_json::Value,
    ) -> &Self {
        let _ = self.on(op).otherwise(Answer::json(http_status, body));
        self
    }

    /// Answers the operation with this status, extra headers and JSON body (e.g. a 429 with
    /// `x-ogw-ratelimit-reset`).
    pub fn respond_with_headers(
        &self,
        op: impl OperationRef,
        http_status: u16,
        headers: &[(&str, &str)],
        body: serde_json::Value,
    ) -> &Self {
        let answer = headers
            .iter()
            .fold(Answer::json(http_status, body), |a, (k, v)| a.header(k, v));
        let _ = self.on(op).otherwise(answer);
        self
    }

    /// Every request received, in order (token requests included; the first
    /// [`MAX_RECORDED_REQUESTS`]).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.inner.received).clone()
    }

    /// The requests that fit this operation, answered or not.
    pub fn requests_for(&self, op: impl OperationRef) -> Vec<ReceivedRequest> {
        let id = op.meta(&self.inner.families).id;
        self.requests()
            .into_iter()
            .filter(|r| r.operation == Some(id))
            .collect()
    }

    /// The requests nothing was scripted for: they got a 404 platform error whose `msg` names
    /// their operation.
    pub fn unanswered(&self) -> Vec<ReceivedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| !r.answered)
            .collect()
    }

    /// Expects a number of requests for the operation (answered or not), checked by
    /// [`verify`](Self::verify) and when the platform is dropped (unless the thread is already
    /// panicking).
    pub fn expect(&self, op: impl OperationRef) -> Expect<'_> {
        Expect {
            platform: self,
            op: op.meta(&self.inner.families).id,
        }
    }

    /// The expectations that do not hold, one line each; `Ok` when all hold.
    pub fn try_verify(&self) -> Result<(), String> {
        let counts = lock(&self.inner.counts);
        let failed: Vec<String> = lock(&self.inner.expectations)
            .iter()
            .filter_map(|e| {
                let got = counts.get(e.op).copied().unwrap_or(0);
                match e.times {
                    Times::Exactly(n) if got != n => {
                        Some(format!("{}: expected {n} request(s), got {got}", e.op))
                    }
                    Times::AtLeast(n) if got < n => Some(format!(
                        "{}: expected at least {n} request(s), got {got}",
                        e.op
                    )),
                    _ => None,
                }
            })
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("\n"))
        }
    }

    /// Checks the expectations now.
    ///
    /// # Panics
    ///
    /// When one does not hold, naming each operation with the count expected and received.
    pub fn verify(&self) {
        if let Err(failed) = self.try_verify() {
            panic!("mock platform expectations not met:\n{failed}");
        }
    }
}

/// An expectation on the number of requests of one operation: from
/// [`MockPlatform::expect`].
#[derive(Debug)]
#[must_use = "an expectation is set by `times` or `at_least`"]
pub struct Expect<'a> {
    platform: &'a MockPlatform,
    op: &'static str,
}

impl Expect<'_> {
    fn set(self, times: Times) {
        lock(&self.platform.inner.expectations).push(Expectation { op: self.op, times });
    }

    /// Exactly `n` requests (`0`: never called).
    pub fn times(self, n: usize) {
        self.set(Times::Exactly(n));
    }

    /// At least `n` requests.
    pub fn at_least(self, n: usize) {
        self.set(Times::AtLeast(n));
    }
}

impl Drop for MockPlatform {
    fn drop(&mut self) {
        self.server.abort();
        if !std::thread::panicking() {
            self.verify();
        }
    }
}
