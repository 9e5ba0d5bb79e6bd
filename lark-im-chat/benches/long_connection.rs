//! Throughput of the long connection for `im.chat.member.user.added_v1` events of about 1 KB.
//!
//! ```text
//! cargo bench -p lark-im-chat --features long-connection --bench long_connection
//! ```
//!
//! - `frame path`: pbbp2 decode, fragment headers, typed decoding, de-duplication, dispatch to
//!   a handler, ack encode; in process, one thread.
//! - `webhook plaintext path`: the same event as an unencrypted HTTP callback body through
//!   `Dispatcher::dispatch`, in the same run, as the baseline of the ratio.
//! - `loopback`: batches of 1,000 events from a WebSocket server on 127.0.0.1 through a running
//!   `LongConnection` and back as acks. The client runs on a current-thread runtime of its own
//!   OS thread (one core), the server and the benchmark's driver on another, so the figure is
//!   the client's throughput per core, not shared with the server's work.
//!
//! Every delivery carries a distinct event id (the de-duplication store is smaller than the
//! pool), so each one reaches the handler.

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::{SinkExt, StreamExt};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome};
use lark_im_chat::events::long_connection::{header, Frame, LongConnection};
use lark_im_chat::events::webhook::{InMemoryDedup, WebhookConfig, WebhookReceiver};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const POOL: usize = 4096;
const BATCH: usize = 1000;

/// Compact JSON of the fixture with event id `n`.
fn payload(n: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/events/im.chat.member.user.added_v1.json"
    );
    let mut value: Value =
        serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json");
    value["header"]["event_id"] = format!("5e3702a84e847582be8db7fb{n:08x}").into();
    serde_json::to_vec(&value).expect("json")
}

fn frame(n: usize) -> Frame {
    Frame {
        seq_id: n as u64,
        log_id: 7000 + n as u64,
        service: 14,
        method: 1,
        headers: vec![
            header("type", "event"),
            header("message_id", &format!("msg_{n}")),
            header("sum", "1"),
            header("seq", "0"),
            header("trace_id", "tr"),
        ],
        payload: Some(Bytes::from(payload(n))),
        ..Frame::default()
    }
}

fn dispatcher(handled: &Arc<AtomicU64>) -> Dispatcher {
    let handled = Arc::clone(handled);
    Dispatcher::builder()
        .dedup(InMemoryDedup::with_limits(
            POOL / 2,
            Duration::from_secs(3600),
        ))
        .on_chat_member_user_added(move |_| {
            handled.fetch_add(1, Ordering::Relaxed);
            async { Ok(()) }
        })
        .build()
        .expect("dispatcher")
}

fn in_process(c: &mut Criterion) {
    let frames: Vec<Vec<u8>> = (0..POOL).map(|n| frame(n).to_bytes()).collect();
    println!(
        "event payload {} bytes, frame {} bytes",
        payload(0).len(),
        frames[0].len()
    );
    let bodies: Vec<Vec<u8>> = (0..POOL).map(payload).collect();
    // The dispatcher's handler deadline needs the time driver.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let handled = Arc::new(AtomicU64::new(0));
    let dispatcher = dispatcher(&handled);

    let mut group = c.benchmark_group("long_connection");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("frame path (decode + dedup + dispatch + ack)", |b| {
        b.iter(|| {
            let received = Instant::now();
            let mut frame = Frame::from_bytes(&frames[i % POOL]).expect("frame");
            i += 1;
            let info = frame.fragment_info().expect("headers");
            assert_eq!(info.sum, 1);
            let payload = frame.payload.take().expect("payload");
            let outcome = runtime.block_on(dispatcher.dispatch_plaintext(&payload));
            assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
            frame.ack(200, received.elapsed()).to_bytes()
        })
    });
    let now = SystemTime::now();
    let headers = http::HeaderMap::new();
    // A fresh de-duplication store: the frame path marked the same event ids.
    let dispatcher =
        self::dispatcher(&handled).with_webhook(WebhookReceiver::new(WebhookConfig::default()));
    let mut i = 0;
    group.bench_function("webhook plaintext path (same handler, fresh store)", |b| {
        b.iter(|| {
            let outcome =
                runtime.block_on(dispatcher.dispatch_at(&headers, &bodies[i % POOL], now));
            i += 1;
            assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
            outcome.into_response()
        })
    });
    group.finish();
    assert!(handled.load(Ordering::Relaxed) > 0);
}

/// A server that hands each accepted socket to the benchmark.
async fn server(sockets: mpsc::Sender<WebSocket>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("ws://{addr}/ws?device_id=bench&service_id=14");
    let answer = json!({"code": 0, "data": {"URL": url, "ClientConfig": {"PingInterval": 120}}});
    let app = Router::new()
        .route(
            "/callback/ws/endpoint",
            post(move || async move { Json(answer) }),
        )
        .route(
            "/ws",
            get(move |ws: WebSocketUpgrade| async move {
                ws.on_upgrade(move |socket| async move {
                    let _ = sockets.send(socket).await;
                })
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

fn loopback(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let frames: Vec<Bytes> = (0..POOL).map(|n| frame(n).to_bytes().into()).collect();
    let handled = Arc::new(AtomicU64::new(0));
    let (tx, mut sockets) = mpsc::channel(1);
    let base = runtime.block_on(server(tx));
    // The client on a thread and runtime of its own; it stops when `stop` is dropped.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let client_handled = handled.clone();
    let client_thread = std::thread::spawn(move || {
        let client_runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        client_runtime.block_on(async move {
            let api = lark_im_chat::Client::builder("cli_bench", "secret")
                .base_url(base)
                .build()
                .expect("client");
            let client = LongConnection::builder(&api, dispatcher(&client_handled))
                .start()
                .expect("start");
            let _ = stopped.await;
            drop(client);
        });
    });
    let socket = runtime.block_on(async { sockets.recv().await.expect("socket") });

    let mut group = c.benchmark_group("long_connection");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(20);
    let (mut sink, mut stream) = socket.split();
    let mut next = 0;
    group.bench_function("loopback WebSocket, 1000 events and acks", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    // Send and read at once, so neither side's socket buffer fills up.
                    let send = async {
                        for _ in 0..BATCH {
                            let message = Message::Binary(frames[next % POOL].clone());
                            next += 1;
                            sink.feed(message).await.expect("send");
                        }
                        sink.flush().await.expect("flush");
                    };
                    let receive = async {
                        let mut acks = 0;
                        while acks < BATCH {
                            let message = stream.next().await.expect("open").expect("frame");
                            if let Message::Binary(bytes) = message {
                                if Frame::from_bytes(&bytes).expect("ack").method == 1 {
                                    acks += 1;
                                }
                            }
                        }
                    };
                    tokio::join!(send, receive);
                }
                start.elapsed()
            })
        })
    });
    group.finish();
    drop(stop);
    client_thread.join().expect("client thread");
    assert!(handled.load(Ordering::Relaxed) > 0);
}

criterion_group!(benches, in_process, loopback);
criterion_main!(benches);
