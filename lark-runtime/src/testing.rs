//! A local stand-in for the Open Platform, for tests of code that uses this client (feature
//! `testing`), and signed event callbacks for tests of event handling ([`Callback`](crate::testing::Callback)).
//!
//! [`MockPlatform::start_with`](crate::testing::MockPlatform::start_with) serves on
//! `127.0.0.1` for the families given, answers the token endpoints, and answers each operation
//! with what the test registered for it;
//! [`MockPlatform::client`](crate::testing::MockPlatform::client) is a
//! [`Client`](crate::Client) pointed at it. Operations are named by their metadata or their
//! id; generated response types are constructible (`ChatDetail::new().name(..)`), so the data
//! can be typed or plain JSON.
//!
//! With the group-chat family (a sketch; its crate's docs run it):
//!
//! ```text
//! let platform = MockPlatform::start_with(&[&FAMILY]).await; // the family crate's FAMILY
//! platform.respond("chat.get", ChatDetail::new().name("Incident 4711"));
//! let chat = platform.client().chat("oc_1").get().send().await?;
//! assert_eq!(platform.requests_for("chat.get")[0].path, "/open-apis/im/v1/chats/oc_1");
//! ```

mod callback;
mod redis_server;

pub use callback::{Callback, CALLBACK_NONCE};
pub use redis_server::RedisServer;

use crate::client::{Client, ClientBuilder};
use crate::meta::{Family, OperationMeta};
use ::axum::body::Bytes;
use ::axum::extract::State;
use ::axum::http::{HeaderMap, Method, StatusCode, Uri};
use ::axum::response::{IntoResponse, Response};
use ::axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// App id of [`MockPlatform::client`].
pub const MOCK_APP_ID: &str = "cli_mock_app";
/// App secret of [`MockPlatform::client`].
pub const MOCK_APP_SECRET: &str = "mock-app-secret";
/// Tenant token the mock platform issues.
pub const MOCK_TENANT_TOKEN: &str = "t-mock-tenant-token";
/// App token the mock platform issues (store apps).
pub const MOCK_APP_TOKEN: &str = "a-mock-app-token";

/// Names an operation: its metadata, or its id (`"chat.get"`) in one of the platform's
/// families.
pub trait OperationRef {
    /// The operation's metadata. Panics on an unknown id: a test setup mistake.
    fn meta(&self, families: &[&'static Family]) -> &'static OperationMeta;
}

impl OperationRef for &'static OperationMeta {
    fn meta(&self, _: &[&'static Family]) -> &'static OperationMeta {
        self
    }
}

impl OperationRef for &str {
    fn meta(&self, families: &[&'static Family]) -> &'static OperationMeta {
        match families.iter().find_map(|f| f.operation(self)) {
            Some(meta) => meta,
            None => {
                let names: Vec<_> = families.iter().map(|f| f.name).collect();
                panic!("no operation {self:?} in the mock platform's families {names:?}")
            }
        }
    }
}

/// One request the mock platform received.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The operation whose method and path template it fits (whether or not an answer is
    /// registered), or `auth.*` for token endpoints; `None` if it fits no operation of the spec.
    pub operation: Option<&'static str>,
    /// Whether a registered answer (or a token endpoint) served it; `false` got the 404.
    pub answered: bool,
    /// HTTP method.
    pub method: String,
    /// Path as sent (escaped).
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// `Authorization` header.
    pub authorization: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// Raw body.
    pub body: Vec<u8>,
}

impl ReceivedRequest {
    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
struct Route {
    meta: &'static OperationMeta,
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

#[derive(Debug, Default)]
struct Inner {
    families: Vec<&'static Family>,
    routes: Mutex<Vec<Route>>,
    received: Mutex<Vec<ReceivedRequest>>,
}

/// A local Open Platform; stops when dropped.
#[derive(Debug)]
pub struct MockPlatform {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
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

    /// Starts serving for these families (each family crate exports its `FAMILY`): their operations
    /// can be named by id, and requests are named with the operation they fit.
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
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = ::axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            addr,
            inner,
            shutdown: Some(tx),
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

    /// Answers the operation with `{"code": 0, "msg": "success", "data": data}`. The latest
    /// answer registered for an operation wins.
    pub fn respond(&self, op: impl OperationRef, data: impl serde::Serialize) -> &Self {
        let data = serde_json::to_value(data).unwrap_or(Value::Null);
        self.respond_raw(op, 200, json!({"code": 0, "msg": "success", "data": data}))
    }

    /// Answers the operation with a business error: `{"code": code, "msg": msg}` and the status.
    pub fn respond_error(
        &self,
        op: impl OperationRef,
        http_status: u16,
        code: i64,
        msg: &str,
    ) -> &Self {
        self.respond_raw(op, http_status, json!({"code": code, "msg": msg}))
    }

    /// Answers the operation with this status and JSON body.
    pub fn respond_raw(&self, op: impl OperationRef, http_status: u16, body: Value) -> &Self {
        let meta = op.meta(&self.inner.families);
        self.push(Route {
            meta,
            status: http_status,
            headers: vec![("x-tt-logid".into(), format!("mock-{}", meta.id))],
            body,
        })
    }

    /// Answers the operation with this status, extra headers and JSON body (e.g. a 429 with
    /// `x-ogw-ratelimit-reset`).
    pub fn respond_with_headers(
        &self,
        op: impl OperationRef,
        http_status: u16,
        headers: &[(&str, &str)],
        body: Value,
    ) -> &Self {
        self.push(Route {
            meta: op.meta(&self.inner.families),
            status: http_status,
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body,
        })
    }

    fn push(&self, route: Route) -> &Self {
        let mut routes = self.inner.routes.lock().unwrap_or_else(|e| e.into_inner());
        routes.retain(|r| r.meta.id != route.meta.id);
        routes.push(route);
        self
    }

    /// Every request received, in order (token requests included).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.inner
            .received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The requests that matched this operation.
    pub fn requests_for(&self, op: impl OperationRef) -> Vec<ReceivedRequest> {
        let id = op.meta(&self.inner.families).id;
        self.requests()
            .into_iter()
            .filter(|r| r.operation == Some(id))
            .collect()
    }
}

impl Drop for MockPlatform {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn template_matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts.starts_with(':') && !ps.is_empty() || ts == ps => {}
            _ => return false,
        }
    }
}

fn json_response(status: u16, headers: &[(String, String)], body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(
        ::axum::http::header::CONTENT_TYPE,
        ::axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            ::axum::http::HeaderName::from_bytes(k.as_bytes()),
            ::axum::http::HeaderValue::from_str(v),
        ) {
            h.insert(k, v);
        }
    }
    resp
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    let decode = |s: &str| {
                        percent_encoding::percent_decode_str(&s.replace('+', " "))
                            .decode_utf8_lossy()
                            .into_owned()
                    };
                    (decode(k), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let token_answer = match path.as_str() {
        "/open-apis/auth/v3/tenant_access_token/internal"
        | "/open-apis/auth/v3/tenant_access_token" => Some((
            "auth.tenant_access_token",
            json!({"code": 0, "msg": "ok", "tenant_access_token": MOCK_TENANT_TOKEN, "expire": 7200}),
        )),
        "/open-apis/auth/v3/app_access_token/internal" | "/open-apis/auth/v3/app_access_token" => {
            Some((
                "auth.app_access_token",
                json!({"code": 0, "msg": "ok", "app_access_token": MOCK_APP_TOKEN, "expire": 7200}),
            ))
        }
        "/open-apis/auth/v3/app_ticket/resend" => {
            Some(("auth.app_ticket_resend", json!({"code": 0, "msg": "ok"})))
        }
        _ => None,
    };
    let route = if token_answer.is_some() {
        None
    } else {
        let routes = inner.routes.lock().unwrap_or_else(|e| e.into_inner());
        routes
            .iter()
            .rev()
            .find(|r| {
                r.meta.method.as_str() == method.as_str() && template_matches(r.meta.path, &path)
            })
            .cloned()
    };
    let fits = |meta: &OperationMeta| {
        meta.method.as_str() == method.as_str() && template_matches(meta.path, &path)
    };
    let operation = token_answer
        .as_ref()
        .map(|(op, _)| *op)
        .or(route.as_ref().map(|r| r.meta.id))
        .or_else(|| {
            inner
                .families
                .iter()
                .flat_map(|f| f.operations)
                .find(|m| fits(m))
                .map(|m| m.id)
        });
    let answered = token_answer.is_some() || route.is_some();
    inner
        .received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(ReceivedRequest {
            operation,
            answered,
            method: method.to_string(),
            path,
            query,
            authorization: header("authorization"),
            content_type: header("content-type"),
            body: body.to_vec(),
        });
    match (token_answer, route) {
        (Some((_, body)), _) => json_response(200, &[], &body),
        (None, Some(route)) => json_response(route.status, &route.headers, &route.body),
        (None, None) => json_response(
            404,
            &[],
            &json!({"code": 404, "msg": format!("mock platform: no answer registered for {method} {}", uri.path())}),
        ),
    }
}
