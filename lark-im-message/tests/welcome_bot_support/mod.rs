//! A platform stand-in for the `welcome_bot` example (and the card callback tests) on one
//! 127.0.0.1 port: the token and
//! message endpoints (recording every request; sends can be answered 503 first), the
//! long-connection endpoint and its WebSocket, whose sockets the test drives frame by frame.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lark_im_message::events::long_connection::{header, Frame};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;

pub const APP_ID: &str = "cli_welcome_bot_test";
pub const APP_SECRET: &str = "app-secret-NEVER-PRINTED";
pub const TENANT_TOKEN: &str = "t-tenant-token-NEVER-PRINTED";
pub const ACCESS_KEY: &str = "access-key-NEVER-PRINTED";
pub const TICKET: &str = "ticket-NEVER-PRINTED";
pub const PATIENCE: Duration = Duration::from_secs(15);

/// One API request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub query: String,
    pub body: Value,
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    /// Statuses to answer the next sends with before succeeding.
    send_failures: Mutex<VecDeque<u16>>,
    port: Mutex<u16>,
    sockets: Mutex<Option<mpsc::Sender<WebSocket>>>,
}

/// The stand-in; dropping it stops the server.
pub struct Platform {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    sockets: mpsc::Receiver<WebSocket>,
    server: JoinHandle<()>,
}

impl Drop for Platform {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Platform {
    pub async fn start() -> Self {
        let (tx, sockets) = mpsc::channel(4);
        let shared = Arc::new(Shared::default());
        *shared.sockets.lock().expect("lock") = Some(tx);
        let app = Router::new()
            .route(
                "/open-apis/auth/v3/tenant_access_token/internal",
                post(token),
            )
            .route("/open-apis/im/v1/messages", post(send))
            .route("/open-apis/im/v1/messages/{id}/reply", post(reply))
            .route("/callback/ws/endpoint", post(endpoint))
            .route("/ws", get(upgrade))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        *shared.port.lock().expect("lock") = addr.port();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            sockets,
            server,
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next sends with these statuses (a platform error body) before succeeding.
    pub fn fail_sends_with(&self, statuses: &[u16]) {
        self.shared
            .send_failures
            .lock()
            .expect("lock")
            .extend(statuses);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("lock").clone()
    }

    pub async fn accept(&mut self) -> Conn {
        let ws = timeout(PATIENCE, self.sockets.recv())
            .await
            .expect("a connection in time")
            .expect("server running");
        Conn { ws, seq: 0 }
    }
}

fn record(shared: &Shared, path: String, query: Option<String>, body: &Bytes) {
    shared.requests.lock().expect("lock").push(Recorded {
        path,
        query: query.unwrap_or_default(),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
    });
}

fn message(id: &str) -> Json<Value> {
    Json(json!({"code": 0, "msg": "success", "data": {"message_id": id, "msg_type": "text"}}))
}

async fn token() -> Json<Value> {
    Json(json!({"code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN, "expire": 7200}))
}

async fn send(State(s): State<Arc<Shared>>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    record(&s, "/open-apis/im/v1/messages".into(), q, &body);
    let failure = s.send_failures.lock().expect("lock").pop_front();
    match failure {
        Some(status) => (
            StatusCode::from_u16(status).expect("status"),
            Json(json!({"code": 99991000, "msg": "backend busy", "data": {}})),
        )
            .into_response(),
        None => message("om_welcome_1").into_response(),
    }
}

async fn reply(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Json<Value> {
    record(
        &s,
        format!("/open-apis/im/v1/messages/{id}/reply"),
        q,
        &body,
    );
    message("om_reply_1")
}

async fn endpoint(State(s): State<Arc<Shared>>) -> Json<Value> {
    let port = *s.port.lock().expect("lock");
    let url = format!(
        "ws://127.0.0.1:{port}/ws?device_id=dev_1&service_id=7&access_key={ACCESS_KEY}&ticket={TICKET}"
    );
    Json(
        json!({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": {
            "PingInterval": 120, "ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 1
        }}}),
    )
}

async fn upgrade(State(s): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    let tx = s.sockets.lock().expect("lock").clone();
    ws.on_upgrade(move |socket| async move {
        if let Some(tx) = tx {
            let _ = tx.send(socket).await;
        }
    })
}

/// The server side of one long connection.
pub struct Conn {
    ws: WebSocket,
    seq: u64,
}

impl Conn {
    /// Sends `event` as one event frame.
    pub async fn send_event(&mut self, event: &Value) {
        self.send_data("event", &serde_json::to_vec(event).expect("json"))
            .await;
    }

    /// Sends `payload` as one data frame of type `frame_type` (`event` or `card`).
    pub async fn send_data(&mut self, frame_type: &str, payload: &[u8]) {
        self.seq += 1;
        let frame = Frame {
            seq_id: self.seq,
            log_id: 9000 + self.seq,
            service: 7,
            method: 1,
            headers: vec![
                header("type", frame_type),
                header("message_id", &format!("m{}", self.seq)),
                header("sum", "1"),
                header("seq", "0"),
                header("trace_id", "tr"),
            ],
            payload: Some(payload.to_vec().into()),
            ..Frame::default()
        };
        self.ws
            .send(Message::Binary(frame.to_bytes().into()))
            .await
            .expect("server send");
    }

    /// The `code` of the next ack, skipping pings; `None` when the socket closed.
    pub async fn ack_code(&mut self) -> Option<i64> {
        self.ack()
            .await
            .map(|(_, payload)| payload["code"].as_i64().unwrap_or_default())
    }

    /// The next ack (its frame and JSON payload), skipping pings; `None` when the socket
    /// closed.
    pub async fn ack(&mut self) -> Option<(Frame, Value)> {
        loop {
            let message = timeout(PATIENCE, self.ws.recv())
                .await
                .expect("a frame in time")?
                .ok()?;
            let Message::Binary(bytes) = message else {
                if matches!(message, Message::Close(_)) {
                    return None;
                }
                continue;
            };
            let frame = Frame::from_bytes(&bytes).expect("frame");
            if frame.method == 1 {
                let payload: Value =
                    serde_json::from_slice(frame.payload.as_deref().unwrap_or_default())
                        .expect("ack JSON");
                return Some((frame, payload));
            }
        }
    }

    /// Waits for the client to close the socket.
    pub async fn closed(&mut self) {
        while self.ack_code().await.is_some() {}
    }
}

/// A schema 2.0 event envelope of `event_type` around `event`.
pub fn envelope(event_type: &str, event_id: &str, event: Value) -> Value {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": event_id, "token": "", "create_time": "1733000000000",
            "event_type": event_type, "tenant_key": "736588c9260f175e", "app_id": APP_ID
        },
        "event": event
    })
}
