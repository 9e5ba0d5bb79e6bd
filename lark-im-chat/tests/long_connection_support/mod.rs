//! A fake platform for long-connection tests: the endpoint route and the WebSocket route on
//! 127.0.0.1, in the test process. Each accepted socket is handed to the test, which plays
//! the server side frame by frame.
#![allow(dead_code)] // each test binary uses part of it

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use lark_im_chat::events::dispatch::{Dispatcher, DispatcherBuilder};
use lark_im_chat::events::long_connection::{header, Frame, LongConnection, LongConnectionBuilder};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

pub const APP_ID: &str = "cli_longconn_test";
pub const APP_SECRET: &str = "app-secret-NEVER-LOGGED";
pub const ACCESS_KEY: &str = "access-key-NEVER-LOGGED";
pub const TICKET: &str = "ticket-NEVER-LOGGED";
pub const SERVICE_ID: i32 = 14;
/// One unit of the server's `ClientConfig` in these tests.
pub const UNIT: Duration = Duration::from_millis(10);
/// Longest wait for anything the tests expect to happen.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A handshake refusal: HTTP status and `Handshake-*` headers.
#[derive(Clone)]
pub struct Refusal {
    pub http_status: u16,
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Script {
    /// Endpoint answers to give before the default one.
    endpoint: Mutex<VecDeque<Value>>,
    /// Handshake refusals to give before accepting.
    refusals: Mutex<VecDeque<Refusal>>,
    /// `ClientConfig` of the default endpoint answer.
    client_config: Mutex<Value>,
    /// Refuse every handshake with this, when set.
    always_refuse: Mutex<Option<Refusal>>,
    endpoint_hits: Mutex<Vec<Instant>>,
    ws_attempts: AtomicUsize,
    port: AtomicUsize,
    sockets: Mutex<Option<mpsc::Sender<WebSocket>>>,
    bodies: Mutex<Vec<Value>>,
}

/// The fake platform. Dropping it stops its server.
pub struct Platform {
    pub addr: SocketAddr,
    script: Arc<Script>,
    sockets: mpsc::Receiver<WebSocket>,
    server: JoinHandle<()>,
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Platform {
    /// Starts the server; the default `ClientConfig` pings every 100 units (1 s), reconnects
    /// within 1 unit and backs off up to 5 units.
    pub async fn start() -> Self {
        let (tx, sockets) = mpsc::channel(16);
        let script = Arc::new(Script::default());
        *script.client_config.lock().expect("lock") = json!({
            "PingInterval": 100, "ReconnectCount": -1, "ReconnectInterval": 5, "ReconnectNonce": 1
        });
        *script.sockets.lock().expect("lock") = Some(tx);
        let app = Router::new()
            .route("/callback/ws/endpoint", post(endpoint))
            .route("/ws", get(upgrade))
            .with_state(Arc::clone(&script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        script.port.store(addr.port().into(), Ordering::SeqCst);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            script,
            sockets,
            server,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the server with `config` as the endpoint's `ClientConfig`.
    pub async fn with_client_config(config: Value) -> Self {
        let platform = Self::start().await;
        platform.set_client_config(config);
        platform
    }

    pub fn set_client_config(&self, config: Value) {
        *self.script.client_config.lock().expect("lock") = config;
    }

    pub fn push_endpoint_answer(&self, answer: Value) {
        self.script.endpoint.lock().expect("lock").push_back(answer);
    }

    pub fn push_refusal(&self, refusal: Refusal) {
        self.script
            .refusals
            .lock()
            .expect("lock")
            .push_back(refusal);
    }

    pub fn refuse_always(&self, refusal: Refusal) {
        *self.script.always_refuse.lock().expect("lock") = Some(refusal);
    }

    pub fn endpoint_hits(&self) -> Vec<Instant> {
        self.script.endpoint_hits.lock().expect("lock").clone()
    }

    /// Drops the recorded endpoint hits and bodies (their memory included), e.g. before a
    /// memory measurement.
    pub fn forget_records(&self) {
        *self.script.endpoint_hits.lock().expect("lock") = Vec::new();
        *self.script.bodies.lock().expect("lock") = Vec::new();
    }

    pub fn endpoint_bodies(&self) -> Vec<Value> {
        self.script.bodies.lock().expect("lock").clone()
    }

    pub fn ws_attempts(&self) -> usize {
        self.script.ws_attempts.load(Ordering::SeqCst)
    }

    /// The next accepted socket.
    pub async fn accept(&mut self) -> Conn {
        let ws = timeout(PATIENCE, self.sockets.recv())
            .await
            .expect("a connection in time")
            .expect("server running");
        Conn { ws, seq: 100 }
    }

    /// The next accepted socket, if one comes within `wait`.
    pub async fn try_accept(&mut self, wait: Duration) -> Option<Conn> {
        let ws = timeout(wait, self.sockets.recv()).await.ok()??;
        Some(Conn { ws, seq: 100 })
    }

    /// A client with the test's short schedules and a dispatcher without handlers.
    pub fn plain_client(&self) -> LongConnectionBuilder {
        self.client(dispatcher().build().expect("dispatcher"))
    }

    /// A client with the test's short schedules.
    pub fn client(&self, dispatcher: Dispatcher) -> LongConnectionBuilder {
        let client = lark_im_chat::Client::builder(APP_ID, APP_SECRET)
            .base_url(self.base_url())
            .build()
            .expect("client");
        LongConnection::builder(&client, dispatcher)
            .config_time_unit(UNIT)
            .ping_interval_bounds(Duration::from_millis(10), Duration::from_secs(60))
            .reconnect_interval_bounds(Duration::from_millis(1), Duration::from_secs(60))
            .initial_backoff(Duration::from_millis(20))
            .max_reconnect_nonce(Duration::from_millis(50))
            .liveness_grace(Duration::from_secs(5))
            .endpoint_timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(5))
            .write_timeout(Duration::from_secs(2))
    }
}

async fn endpoint(State(script): State<Arc<Script>>, Json(body): Json<Value>) -> Json<Value> {
    script
        .endpoint_hits
        .lock()
        .expect("lock")
        .push(Instant::now());
    script.bodies.lock().expect("lock").push(body);
    if let Some(answer) = script.endpoint.lock().expect("lock").pop_front() {
        return Json(answer);
    }
    let port = script.port.load(Ordering::SeqCst);
    let url = format!(
        "ws://127.0.0.1:{port}/ws?device_id=dev_7&service_id={SERVICE_ID}&access_key={ACCESS_KEY}&ticket={TICKET}"
    );
    let config = script.client_config.lock().expect("lock").clone();
    Json(json!({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}}))
}

async fn upgrade(State(script): State<Arc<Script>>, ws: WebSocketUpgrade) -> Response {
    script.ws_attempts.fetch_add(1, Ordering::SeqCst);
    let refusal = script.refusals.lock().expect("lock").pop_front();
    let refusal = refusal.or_else(|| script.always_refuse.lock().expect("lock").clone());
    if let Some(refusal) = refusal {
        let mut response = StatusCode::from_u16(refusal.http_status)
            .expect("status")
            .into_response();
        for (name, value) in refusal.headers {
            response
                .headers_mut()
                .insert(name, value.parse().expect("header value"));
        }
        return response;
    }
    let tx = script.sockets.lock().expect("lock").clone();
    ws.on_upgrade(move |socket| async move {
        if let Some(tx) = tx {
            let _ = tx.send(socket).await;
        }
    })
}

/// The server side of one connection.
pub struct Conn {
    ws: WebSocket,
    seq: u64,
}

impl Conn {
    pub async fn send(&mut self, frame: &Frame) {
        self.send_raw(Message::Binary(frame.to_bytes().into()))
            .await;
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("server send");
    }

    /// Sends `payload` as one unsplit event frame; returns its SeqID.
    pub async fn send_event(&mut self, payload: &[u8]) -> u64 {
        self.seq += 1;
        let frame = data_frame(self.seq, &format!("m{}", self.seq), 1, 0, payload);
        self.send(&frame).await;
        self.seq
    }

    /// The next frame from the client, skipping nothing; `None` when the socket closed.
    pub async fn recv(&mut self) -> Option<Frame> {
        loop {
            let message = timeout(PATIENCE, self.ws.recv())
                .await
                .expect("client frame in time")?
                .ok()?;
            match message {
                Message::Binary(bytes) => return Some(Frame::from_bytes(&bytes).expect("frame")),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next ack (data frame), skipping pings.
    pub async fn recv_ack(&mut self) -> Frame {
        loop {
            let frame = self.recv().await.expect("socket open");
            if frame.method == 1 {
                return frame;
            }
        }
    }

    /// Waits for the client to close or drop the socket, skipping its frames.
    pub async fn closed(&mut self) {
        while self.recv().await.is_some() {}
    }

    /// The socket itself, e.g. to split it into a sender and a reader task.
    pub fn into_socket(self) -> WebSocket {
        self.ws
    }

    /// Closes from the server side.
    pub async fn close(mut self) {
        let _ = self.ws.send(Message::Close(None)).await;
    }
}

/// A data frame of type `event`.
pub fn data_frame(seq_id: u64, message_id: &str, sum: u32, seq: u32, payload: &[u8]) -> Frame {
    Frame {
        seq_id,
        log_id: 7000 + seq_id,
        service: SERVICE_ID,
        method: 1,
        headers: vec![
            header("type", "event"),
            header("message_id", message_id),
            header("sum", &sum.to_string()),
            header("seq", &seq.to_string()),
            header("trace_id", "tr"),
        ],
        payload: Some(Bytes::copy_from_slice(payload)),
        ..Frame::default()
    }
}

/// A pong carrying `config`.
pub fn pong(config: &Value) -> Frame {
    Frame {
        service: SERVICE_ID,
        headers: vec![header("type", "pong")],
        payload: Some(Bytes::from(config.to_string())),
        ..Frame::default()
    }
}

/// The ack's `code`.
pub fn ack_code(frame: &Frame) -> i64 {
    let payload = frame.payload.as_deref().expect("ack payload");
    let value: Value = serde_json::from_slice(payload).expect("ack JSON");
    value["code"].as_i64().expect("code")
}

/// Compact JSON of a fixture event, with its event id replaced by `event_id`.
pub fn fixture(name: &str, event_id: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/events/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(path).expect("fixture");
    let mut value: Value = serde_json::from_slice(&text).expect("json");
    if value.get("schema").is_some() {
        value["header"]["event_id"] = event_id.into();
    } else {
        value["uuid"] = event_id.into();
    }
    serde_json::to_vec(&value).expect("json")
}

/// A dispatcher builder: it has no webhook receiver, so the long connection cannot apply an
/// HTTP callback's Verification Token.
pub fn dispatcher() -> DispatcherBuilder {
    Dispatcher::builder()
}

/// Waits until `check` holds, polling every 5 ms, for at most [`PATIENCE`].
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
