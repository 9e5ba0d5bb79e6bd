//! [`LongConnectionServer`]: the long-connection side of the platform in the test process —
//! the endpoint request and the WebSocket on 127.0.0.1 — played frame by frame by the test.

mod conn;
mod forward;

pub use conn::{Ack, ServerConn, ServerReceiver, ServerSender};

use super::{MOCK_APP_ID, MOCK_APP_SECRET};
use crate::client::{Client, ClientBuilder};
use crate::events::dispatch::Dispatcher;
use crate::events::long_connection::{
    header, Frame, LongConnection, LongConnectionBuilder, ENDPOINT_PATH, METHOD_DATA,
};
use ::axum::extract::ws::{WebSocket, WebSocketUpgrade};
use ::axum::extract::State;
use ::axum::http::StatusCode;
use ::axum::response::{IntoResponse, Response};
use ::axum::routing::{get, post};
use ::axum::{Json, Router};
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};

/// Records kept of endpoint requests (hits and bodies); later ones are answered, not kept.
const MAX_RECORDS: usize = 10_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A refusal of the WebSocket handshake: an HTTP status and headers (the platform's
/// `Handshake-Status`, `Handshake-Msg`, `Handshake-Autherrcode`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status of the refusal.
    pub http_status: u16,
    /// Headers of the refusal.
    pub headers: Vec<(&'static str, String)>,
}

impl Refusal {
    /// A refusal with this status and no headers.
    pub fn new(http_status: u16) -> Self {
        Self {
            http_status,
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

#[derive(Debug, Default)]
struct Script {
    endpoint: Mutex<VecDeque<Value>>,
    refusals: Mutex<VecDeque<Refusal>>,
    client_config: Mutex<Value>,
    always_refuse: Mutex<Option<Refusal>>,
    endpoint_hits: Mutex<Vec<Instant>>,
    bodies: Mutex<Vec<Value>>,
    ws_attempts: AtomicUsize,
    port: AtomicUsize,
    sockets: Mutex<Option<mpsc::Sender<WebSocket>>>,
    /// Base URL every other request is passed on to (`start_with_api`).
    api: Mutex<Option<String>>,
    http: reqwest::Client,
}

/// The long-connection platform on 127.0.0.1, in the test process; stops when dropped.
///
/// It answers the endpoint request (`POST` [`ENDPOINT_PATH`]) with a `ws://` URL to itself
/// (carrying [`ACCESS_KEY`](Self::ACCESS_KEY) and [`TICKET`](Self::TICKET)) and the
/// `ClientConfig` set (by default: ping every 100 units, reconnect within 5), and accepts the
/// WebSocket, handing each connection to the test as a [`ServerConn`] ([`accept`](Self::accept)).
/// The test then pushes events and card callbacks (whole or fragmented), reads acks, pushes a
/// `ClientConfig` in a pong, or closes; it answers no pings unless told to, so doing nothing
/// is silence. Endpoint answers and handshake refusals can be scripted ahead.
///
/// One line connects a client: [`connection`](Self::connection) is a
/// [`LongConnection`] builder with short test schedules.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use lark_runtime::events::dispatch::Dispatcher;
/// use lark_runtime::testing::LongConnectionServer;
///
/// let mut server = LongConnectionServer::start().await;
/// let client = server.connection(Dispatcher::builder().build()?).start()?;
/// let mut conn = server.accept().await;
/// conn.push_event(&serde_json::json!({
///     "schema": "2.0",
///     "header": {"event_id": "ev_1", "event_type": "im.chat.disbanded_v1"},
///     "event": {"chat_id": "oc_1"}
/// }))
/// .await;
/// assert_eq!(conn.next_ack().await.code, 200);
/// client.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LongConnectionServer {
    addr: SocketAddr,
    script: Arc<Script>,
    sockets: mpsc::Receiver<WebSocket>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for LongConnectionServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl LongConnectionServer {
    /// `service_id` of the connection URL, echoed in every frame.
    pub const SERVICE_ID: i32 = 14;
    /// `device_id` of the connection URL.
    pub const DEVICE_ID: &'static str = "dev_mock";
    /// `access_key` of the connection URL (a secret: never to be logged).
    pub const ACCESS_KEY: &'static str = "mock-access-key-SECRET";
    /// `ticket` of the connection URL (a secret: never to be logged).
    pub const TICKET: &'static str = "mock-ticket-SECRET";
    /// The `ClientConfig` time unit of [`connection`](Self::connection) (the platform counts in
    /// seconds).
    pub const TIME_UNIT: Duration = Duration::from_millis(10);
    /// Longest wait of [`accept`](Self::accept) and of a [`ServerConn`]'s reads.
    pub const PATIENCE: Duration = Duration::from_secs(10);

    /// Starts serving on a free port of 127.0.0.1, on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// If no local port can be bound.
    pub async fn start() -> Self {
        let (tx, sockets) = mpsc::channel(16);
        let script = Arc::new(Script::default());
        *lock(&script.client_config) = json!({
            "PingInterval": 100, "ReconnectCount": -1, "ReconnectInterval": 5, "ReconnectNonce": 1
        });
        *lock(&script.sockets) = Some(tx);
        let app = Router::new()
            .route(ENDPOINT_PATH, post(endpoint))
            .route("/ws", get(upgrade))
            .fallback(forward::forward)
            .with_state(Arc::clone(&script));
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("cannot bind 127.0.0.1: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("no local address: {e}"),
        };
        script.port.store(addr.port().into(), Ordering::SeqCst);
        let server = tokio::spawn(async move {
            let _ = ::axum::serve(listener, app).await;
        });
        Self {
            addr,
            script,
            sockets,
            server,
        }
    }

    /// Starts serving, and passes every request it does not serve itself (tokens, REST
    /// operations) on to `api_base_url` — a [`MockPlatform`](super::MockPlatform)'s
    /// [`uri`](super::MockPlatform::uri) — so that a bot configured with one base URL reaches
    /// both the long connection and the API stand-in through [`base_url`](Self::base_url).
    pub async fn start_with_api(api_base_url: impl Into<String>) -> Self {
        let server = Self::start().await;
        *lock(&server.script.api) = Some(api_base_url.into());
        server
    }

    /// Starts serving with `config` as the endpoint's `ClientConfig`.
    pub async fn with_client_config(config: Value) -> Self {
        let server = Self::start().await;
        server.set_client_config(config);
        server
    }

    /// Base URL, e.g. `http://127.0.0.1:43121`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client builder pointed at this server ([`MOCK_APP_ID`], [`MOCK_APP_SECRET`]).
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(MOCK_APP_ID, MOCK_APP_SECRET).base_url(self.base_url())
    }

    /// A [`LongConnection`] builder for `dispatcher` against this server, with test schedules:
    /// `ClientConfig` units of [`TIME_UNIT`](Self::TIME_UNIT), backoff from 20 ms, 5 s of
    /// grace for a silent server, 5 s to connect or get the endpoint, 2 s per write. Every
    /// setting can still be changed on the builder.
    ///
    /// # Panics
    ///
    /// Never in practice: the client configuration is fixed and valid.
    pub fn connection(&self, dispatcher: Dispatcher) -> LongConnectionBuilder {
        let client = match self.client_builder().build() {
            Ok(c) => c,
            Err(e) => panic!("long-connection test client: {e}"),
        };
        LongConnection::builder(&client, dispatcher)
            .config_time_unit(Self::TIME_UNIT)
            .ping_interval_bounds(Duration::from_millis(10), Duration::from_secs(60))
            .reconnect_interval_bounds(Duration::from_millis(1), Duration::from_secs(60))
            .initial_backoff(Duration::from_millis(20))
            .max_reconnect_nonce(Duration::from_millis(50))
            .liveness_grace(Duration::from_secs(5))
            .endpoint_timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(5))
            .write_timeout(Duration::from_secs(2))
    }

    /// Sets the `ClientConfig` of the default endpoint answer.
    pub fn set_client_config(&self, config: Value) {
        *lock(&self.script.client_config) = config;
    }

    /// Queues an endpoint answer (the whole JSON body) to give before the default one.
    pub fn push_endpoint_answer(&self, answer: Value) {
        lock(&self.script.endpoint).push_back(answer);
    }

    /// Queues a handshake refusal to give before accepting.
    pub fn push_refusal(&self, refusal: Refusal) {
        lock(&self.script.refusals).push_back(refusal);
    }

    /// Refuses every handshake (after the queued refusals) with this.
    pub fn refuse_always(&self, refusal: Refusal) {
        *lock(&self.script.always_refuse) = Some(refusal);
    }

    /// When each endpoint request came.
    pub fn endpoint_hits(&self) -> Vec<Instant> {
        lock(&self.script.endpoint_hits).clone()
    }

    /// The JSON body of each endpoint request (`AppID`, `AppSecret`).
    pub fn endpoint_bodies(&self) -> Vec<Value> {
        lock(&self.script.bodies).clone()
    }

    /// Drops the recorded endpoint hits and bodies (their memory included), e.g. before a
    /// memory measurement.
    pub fn forget_records(&self) {
        *lock(&self.script.endpoint_hits) = Vec::new();
        *lock(&self.script.bodies) = Vec::new();
    }

    /// WebSocket handshakes attempted, refused ones included.
    pub fn ws_attempts(&self) -> usize {
        self.script.ws_attempts.load(Ordering::SeqCst)
    }

    /// The next accepted connection.
    ///
    /// # Panics
    ///
    /// When none comes within [`PATIENCE`](Self::PATIENCE).
    pub async fn accept(&mut self) -> ServerConn {
        match self.try_accept(Self::PATIENCE).await {
            Some(conn) => conn,
            None => panic!(
                "no long connection within {:?}",
                LongConnectionServer::PATIENCE
            ),
        }
    }

    /// The next accepted connection, if one comes within `wait`.
    pub async fn try_accept(&mut self, wait: Duration) -> Option<ServerConn> {
        let ws = timeout(wait, self.sockets.recv()).await.ok()??;
        Some(ServerConn::new(ws))
    }

    /// A data frame of type `event` (`sum` fragments, this one at index `seq`).
    pub fn event_frame(seq_id: u64, message_id: &str, sum: u32, seq: u32, payload: &[u8]) -> Frame {
        Self::data_frame("event", seq_id, message_id, sum, seq, payload)
    }

    /// A data frame of `frame_type` (`event` or `card`).
    pub fn data_frame(
        frame_type: &str,
        seq_id: u64,
        message_id: &str,
        sum: u32,
        seq: u32,
        payload: &[u8],
    ) -> Frame {
        Frame {
            seq_id,
            log_id: 7000 + seq_id,
            service: Self::SERVICE_ID,
            method: METHOD_DATA,
            headers: vec![
                header("type", frame_type),
                header("message_id", message_id),
                header("sum", &sum.to_string()),
                header("seq", &seq.to_string()),
                header("trace_id", "tr"),
            ],
            payload: Some(Bytes::copy_from_slice(payload)),
            ..Frame::default()
        }
    }

    /// A pong carrying `config` (a `ClientConfig` push).
    pub fn pong_frame(config: &Value) -> Frame {
        Frame {
            service: Self::SERVICE_ID,
            headers: vec![header("type", "pong")],
            payload: Some(Bytes::from(config.to_string())),
            ..Frame::default()
        }
    }
}

async fn endpoint(State(script): State<Arc<Script>>, Json(body): Json<Value>) -> Json<Value> {
    {
        let mut hits = lock(&script.endpoint_hits);
        if hits.len() < MAX_RECORDS {
            hits.push(Instant::now());
            lock(&script.bodies).push(body);
        }
    }
    if let Some(answer) = lock(&script.endpoint).pop_front() {
        return Json(answer);
    }
    let port = script.port.load(Ordering::SeqCst);
    let url = format!(
        "ws://127.0.0.1:{port}/ws?device_id={}&service_id={}&access_key={}&ticket={}",
        LongConnectionServer::DEVICE_ID,
        LongConnectionServer::SERVICE_ID,
        LongConnectionServer::ACCESS_KEY,
        LongConnectionServer::TICKET
    );
    let config = lock(&script.client_config).clone();
    Json(json!({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}}))
}

async fn upgrade(State(script): State<Arc<Script>>, ws: WebSocketUpgrade) -> Response {
    script.ws_attempts.fetch_add(1, Ordering::SeqCst);
    let refusal = lock(&script.refusals).pop_front();
    if let Some(refusal) = refusal.or_else(|| lock(&script.always_refuse).clone()) {
        let status = StatusCode::from_u16(refusal.http_status).unwrap_or(StatusCode::FORBIDDEN);
        let mut response = status.into_response();
        for (name, value) in refusal.headers {
            // A value that is no header value is a mistake in the test; it is left out.
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
        return response;
    }
    let tx = lock(&script.sockets).clone();
    ws.on_upgrade(move |socket| async move {
        if let Some(tx) = tx {
            let _ = tx.send(socket).await;
        }
    })
}
