//! A family generated from a downstream spec works like the shipped ones: its operation is a
//! method of the runtime's `Client` (tokens, retry and the drift log apply), and its event is
//! dispatched typed with `.on::<E>` over an HTTP callback and over the long connection,
//! next to a chat event in the same dispatcher.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use extend_by_spec::notes;
use extend_by_spec::notes::events::NotesNotePinnedV1;
use extend_by_spec::notes::prelude::*;
use extend_by_spec::notes::types::NoteColor;
use futures::{SinkExt as _, StreamExt as _};
use lark_im_chat::events::ChatDisbandedV1;
use lark_im_chat::prelude::ImChatEvents as _;
use lark_runtime::drift::DriftLog;
use lark_runtime::events::dispatch::{Dispatcher, DispatcherBuilder};
use lark_runtime::events::long_connection::{header, Frame, LongConnection};
use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_runtime::events::{Event as _, EventEnvelopeV2};
use lark_runtime::testing::Callback;
use lark_runtime::{Client, RetryPolicy};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

const PATIENCE: Duration = Duration::from_secs(10);

/// What the stand-in platform saw and what the handlers received.
#[derive(Default)]
struct Seen {
    token_requests: AtomicUsize,
    note_requests: AtomicUsize,
    authorizations: Mutex<Vec<String>>,
    acks: Mutex<Vec<i64>>,
}

/// A loopback platform: the tenant token, `note.get` (400 with the family's retryable code
/// 990001 once, then the note with a field
/// the spec does not know), the long connection's endpoint and WebSocket.
async fn platform(events: Vec<Vec<u8>>) -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let events = Arc::new(Mutex::new(events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = Router::new()
        .route(
            "/open-apis/auth/v3/tenant_access_token/internal",
            post(|State((seen, _)): State<(Arc<Seen>, SocketAddr)>| async move {
                seen.token_requests.fetch_add(1, Ordering::SeqCst);
                Json(json!({"code": 0, "msg": "ok", "tenant_access_token": "t-notes", "expire": 7200}))
            }),
        )
        .route(
            "/open-apis/notes/v1/notes/{note_id}",
            get(
                |State((seen, _)): State<(Arc<Seen>, SocketAddr)>,
                 Path(note_id): Path<String>,
                 headers: http::HeaderMap| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    seen.authorizations.lock().expect("lock").push(auth);
                    if seen.note_requests.fetch_add(1, Ordering::SeqCst) == 0 {
                        // HTTP 400: only the family's class for 990001 makes it retryable.
                        return (
                            http::StatusCode::BAD_REQUEST,
                            Json(json!({"code": 990001, "msg": "busy"})),
                        );
                    }
                    let data = json!({"note_id": note_id, "title": "Standup", "color": "blue", "sticker": "star"});
                    (http::StatusCode::OK, Json(json!({"code": 0, "msg": "success", "data": data})))
                },
            ),
        )
        .route(
            "/callback/ws/endpoint",
            post(|State((_, addr)): State<(Arc<Seen>, SocketAddr)>| async move {
                let url = format!("ws://{addr}/ws?device_id=d1&service_id=7&access_key=AK&ticket=TK");
                Json(json!({"code": 0, "data": {"URL": url, "ClientConfig": {
                    "PingInterval": 120, "ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0
                }}}))
            }),
        )
        .route(
            "/ws",
            get({
                let events = Arc::clone(&events);
                move |State((seen, _)): State<(Arc<Seen>, SocketAddr)>, ws: WebSocketUpgrade| {
                    let events = std::mem::take(&mut *events.lock().expect("lock"));
                    async move { ws.on_upgrade(move |socket| serve_socket(socket, events, seen)) }
                }
            }),
        )
        .with_state((Arc::clone(&seen), addr));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

/// Sends each event as one data frame, then records the code of every ack.
async fn serve_socket(socket: WebSocket, events: Vec<Vec<u8>>, seen: Arc<Seen>) {
    let (mut tx, mut rx) = socket.split();
    for (n, payload) in events.into_iter().enumerate() {
        let frame = Frame {
            seq_id: n as u64 + 1,
            service: 7,
            method: 1,
            headers: vec![
                header("type", "event"),
                header("message_id", &format!("m{n}")),
                header("sum", "1"),
                header("seq", "0"),
                header("trace_id", "tr"),
            ],
            payload: Some(Bytes::from(payload)),
            ..Frame::default()
        };
        if tx
            .send(Message::Binary(frame.to_bytes().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    while let Some(Ok(message)) = rx.next().await {
        let Message::Binary(bytes) = message else {
            continue;
        };
        let Ok(frame) = Frame::from_bytes(&bytes) else {
            continue;
        };
        if frame.method != 1 || frame.frame_type() != "event" {
            continue;
        }
        let ack: Value = frame
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_slice(p).ok())
            .unwrap_or_default();
        seen.acks
            .lock()
            .expect("lock")
            .push(ack["code"].as_i64().unwrap_or(-1));
    }
}

/// A dispatcher with the made-up family's event and a chat event side by side; each handled
/// event is reported on the channel as `(event type, id of the thing it is about)`.
fn dispatcher(tx: mpsc::UnboundedSender<(String, String)>) -> DispatcherBuilder {
    let chat_tx = tx.clone();
    Dispatcher::builder()
        .on::<NotesNotePinnedV1>(move |e| {
            let tx = tx.clone();
            async move {
                assert_eq!(e.event.color, Some(NoteColor::Blue));
                let _ = tx.send((e.header.event_type, e.event.note_id));
                Ok(())
            }
        })
        .on_chat_disbanded(move |e| {
            let tx = chat_tx.clone();
            async move {
                let _ = tx.send((e.header.event_type, e.event.chat_id.unwrap_or_default()));
                Ok(())
            }
        })
}

fn pinned(event_id: &str) -> EventEnvelopeV2<NotesNotePinnedV1> {
    EventEnvelopeV2::of(
        event_id,
        NotesNotePinnedV1::new("n_1").color(NoteColor::Blue),
    )
}

fn disbanded(event_id: &str) -> EventEnvelopeV2<ChatDisbandedV1> {
    EventEnvelopeV2::of(event_id, ChatDisbandedV1::new().chat_id("oc_1"))
}

#[tokio::test]
async fn the_operation_goes_through_the_runtime_pipeline() {
    let (addr, seen) = platform(Vec::new()).await;
    let drift = DriftLog::new();
    let client = Client::builder("cli_notes", "secret")
        .base_url(format!("http://{addr}"))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(10)))
        .drift_log(drift.clone())
        .build()
        .expect("client");

    let note = client.note("n_1").get().send().await.expect("note");
    assert_eq!(note.note_id, "n_1");
    assert_eq!(note.title.as_deref(), Some("Standup"));
    assert_eq!(note.color, Some(NoteColor::Blue));
    // The 400 with the family's retryable code 990001 was retried (GET is idempotent): the
    // class comes from the family's spec, not from the runtime.
    assert_eq!(seen.note_requests.load(Ordering::SeqCst), 2);
    assert_eq!(seen.token_requests.load(Ordering::SeqCst), 1);
    assert!(seen
        .authorizations
        .lock()
        .expect("lock")
        .iter()
        .all(|a| a == "Bearer t-notes"));
    // The drift log walked the answer against the family's own shapes.
    let noted: Vec<String> = drift.snapshot().iter().map(ToString::to_string).collect();
    assert_eq!(noted, ["note.get: unknown field data.sticker"]);
    // The family's metadata and error classes reach the runtime.
    assert_eq!(notes::meta::NOTE_GET.error_classes, &notes::ERROR_CLASSES);
    assert_eq!(
        notes::FAMILY.operation("note.get"),
        Some(&notes::meta::NOTE_GET)
    );
    assert_eq!(NotesNotePinnedV1::meta().event_type, "notes.note.pinned_v1");
}

#[tokio::test]
async fn its_event_is_dispatched_typed_over_an_http_callback_next_to_a_chat_event() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let config = WebhookConfig::builder()
        .verification_token("vt")
        .encrypt_key("ek")
        .build()
        .expect("config");
    let webhook = dispatcher(tx)
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config.clone()));

    for (headers, body) in [
        Callback::new(&config).event(&pinned("ev-note-1")),
        Callback::new(&config).event(&disbanded("ev-chat-1")),
    ] {
        let outcome = webhook.dispatch(&headers, &body).await;
        assert!(outcome.is_success(), "{outcome:?}");
    }
    let mut got = vec![rx.recv().await.expect("one"), rx.recv().await.expect("two")];
    got.sort();
    assert_eq!(
        got,
        [
            ("im.chat.disbanded_v1".to_owned(), "oc_1".to_owned()),
            ("notes.note.pinned_v1".to_owned(), "n_1".to_owned()),
        ]
    );
}

#[tokio::test]
async fn its_event_is_dispatched_typed_over_the_long_connection_next_to_a_chat_event() {
    let events = vec![
        serde_json::to_vec(&pinned("ev-note-2")).expect("json"),
        serde_json::to_vec(&disbanded("ev-chat-2")).expect("json"),
    ];
    let (addr, seen) = platform(events).await;
    let client = Client::builder("cli_notes", "secret")
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let connection = LongConnection::builder(&client, dispatcher(tx).build().expect("dispatcher"))
        .start()
        .expect("start");

    let mut got = Vec::new();
    for _ in 0..2 {
        let event = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("an event in time")
            .expect("open channel");
        got.push(event);
    }
    got.sort();
    assert_eq!(
        got,
        [
            ("im.chat.disbanded_v1".to_owned(), "oc_1".to_owned()),
            ("notes.note.pinned_v1".to_owned(), "n_1".to_owned()),
        ]
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while seen.acks.lock().expect("lock").len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*seen.acks.lock().expect("lock"), [200, 200]);
    connection.shutdown().await.expect("shutdown");
}
