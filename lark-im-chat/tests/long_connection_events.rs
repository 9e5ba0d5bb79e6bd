//! Events over the long connection against a fake platform on 127.0.0.1 (endpoint route and
//! WebSocket in this process): typed delivery and acks, fragments, handler concurrency and
//! failures, de-duplication across a reconnect, malformed input, shutdown and drop.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lark_im_chat::events::dispatch::DispatcherBuilder;
use lark_im_chat::events::long_connection::{header, LongConnection, LongConnectionBuilder};
use lark_im_chat::events::{
    ChatAccessEventBotP2pChatEnteredV1, ChatDisbandedV1, ChatMemberBotAddedV1,
    ChatMemberBotDeletedV1, ChatMemberUserAddedV1, ChatMemberUserDeletedV1,
    ChatMemberUserWithdrawnV1, ChatUpdatedV1, Event, P2pChatCreate,
};
use lark_im_chat::prelude::*;
use long_connection_support::*;
use serde_json::json;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

/// The nine chat event types, from the spec.
fn nine() -> Vec<&'static str> {
    lark_im_chat::meta::EVENTS
        .iter()
        .map(|e| e.event_type)
        .collect()
}

/// Registers a handler for `T` that logs its event type.
fn logging<T: Event>(b: DispatcherBuilder, log: &Arc<Mutex<Vec<String>>>) -> DispatcherBuilder {
    let log = Arc::clone(log);
    b.on::<T>(move |_| {
        log.lock().expect("lock").push(T::EVENT_TYPE.to_owned());
        async { Ok(()) }
    })
}

fn all_nine(log: &Arc<Mutex<Vec<String>>>) -> DispatcherBuilder {
    let b = dispatcher();
    let b = logging::<ChatAccessEventBotP2pChatEnteredV1>(b, log);
    let b = logging::<ChatDisbandedV1>(b, log);
    let b = logging::<ChatMemberBotAddedV1>(b, log);
    let b = logging::<ChatMemberBotDeletedV1>(b, log);
    let b = logging::<ChatMemberUserAddedV1>(b, log);
    let b = logging::<ChatMemberUserDeletedV1>(b, log);
    let b = logging::<ChatMemberUserWithdrawnV1>(b, log);
    let b = logging::<ChatUpdatedV1>(b, log);
    logging::<P2pChatCreate>(b, log)
}

/// A dispatcher that counts `im.chat.updated_v1` deliveries.
fn counting(count: &Arc<AtomicUsize>) -> DispatcherBuilder {
    let count = Arc::clone(count);
    dispatcher().on_chat_updated(move |_| {
        count.fetch_add(1, Ordering::SeqCst);
        async { Ok(()) }
    })
}

/// A platform, a started client counting `im.chat.updated_v1` deliveries, its connection.
async fn counting_client(
    configure: impl FnOnce(LongConnectionBuilder) -> LongConnectionBuilder,
) -> (
    LongConnectionServer,
    LongConnection,
    Arc<AtomicUsize>,
    ServerConn,
) {
    let mut platform = LongConnectionServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let builder = platform.connection(counting(&count).build().expect("dispatcher"));
    let client = configure(builder).start().expect("start");
    let conn = platform.accept().await;
    (platform, client, count, conn)
}

#[tokio::test]
async fn each_of_the_nine_events_is_delivered_typed_and_acked() {
    let mut platform = LongConnectionServer::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = platform
        .connection(all_nine(&log).build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    let nine = nine();
    assert_eq!(nine.len(), 9);
    for (i, name) in nine.iter().enumerate() {
        let seq = conn.send_event(&fixture(name, &format!("ev_{i}"))).await;
        let ack = conn.recv_ack().await;
        assert_eq!((ack.seq_id, Ack::code_of(&ack)), (seq, 200), "{name}");
        assert_eq!(ack.header("message_id"), Some(format!("m{seq}").as_str()));
        let rt: u64 = ack.header("biz_rt").expect("biz_rt").parse().expect("ms");
        assert!(rt >= 1);
    }
    // Unknown event types and card frames without a handler are acknowledged 200, not dropped
    // (card frames go to the dispatcher, routed on `header.event_type`).
    conn.send_event(&fixture("unknown.im.message.receive_v1", "ev_u"))
        .await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 200);
    let mut card = LongConnectionServer::event_frame(900, "card_1", 1, 0, br#"{"schema":"2.0","header":{"event_id":"c1","event_type":"card.action.trigger"},"event":{"action":{}}}"#);
    card.headers[0] = header("type", "card");
    conn.send(&card).await;
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (900, 200));

    assert_eq!(*log.lock().expect("lock"), nine);
    let body = &platform.endpoint_bodies()[0];
    assert_eq!(body["AppID"], APP_ID);
    assert_eq!(body["AppSecret"], APP_SECRET);
    client.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn fragments_reassemble_in_any_order_and_an_incomplete_one_expires() {
    let (_platform, client, count, mut conn) =
        counting_client(|b| b.fragment_ttl(Duration::from_millis(300))).await;
    for (n, order) in [[0, 1, 2], [2, 0, 1]].iter().enumerate() {
        let payload = fixture("im.chat.updated_v1", &format!("frag_{n}"));
        let third = payload.len() / 3;
        let parts = [
            &payload[..third],
            &payload[third..2 * third],
            &payload[2 * third..],
        ];
        for &i in order {
            let seq_id = 10 * n as u64 + i as u64;
            conn.send(&LongConnectionServer::event_frame(
                seq_id,
                &format!("split_{n}"),
                3,
                i,
                parts[i as usize],
            ))
            .await;
        }
        let ack = conn.recv_ack().await;
        assert_eq!(Ack::code_of(&ack), 200);
        assert_eq!(
            ack.seq_id,
            10 * n as u64 + order[2] as u64,
            "the completing fragment is acked"
        );
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let payload = fixture("im.chat.updated_v1", "frag_lost");
    conn.send(&LongConnectionServer::event_frame(
        50,
        "lost",
        3,
        0,
        &payload[..100],
    ))
    .await;
    conn.send(&LongConnectionServer::event_frame(
        52,
        "lost",
        3,
        2,
        &payload[200..],
    ))
    .await;
    eventually("both fragments to be held", || {
        let s = client.stats();
        // The message id counts in the budget too.
        s.fragment_messages == 1 && s.fragment_bytes == payload.len() - 100 + "lost".len()
    })
    .await;
    eventually("the incomplete message to expire", || {
        let s = client.stats();
        s.fragment_messages == 0 && s.fragment_bytes == 0 && s.fragments_expired == 1
    })
    .await;
    // The late fragment starts a new incomplete message instead of completing the dropped one.
    conn.send(&LongConnectionServer::event_frame(
        51,
        "lost",
        3,
        1,
        &payload[100..200],
    ))
    .await;
    eventually("the late fragment to be held", || {
        client.stats().fragment_messages == 1
    })
    .await;
    assert_eq!(count.load(Ordering::SeqCst), 2);
    drop(client);
}

#[tokio::test]
async fn a_slow_handler_does_not_delay_other_acks() {
    let mut platform = LongConnectionServer::start().await;
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let dispatcher = dispatcher()
        .on_chat_disbanded(move |_| {
            let gate = Arc::clone(&gate);
            async move {
                gate.notified().await;
                Ok(())
            }
        })
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("dispatcher");
    let _client = platform.connection(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    let slow = conn
        .send_event(&fixture("im.chat.disbanded_v1", "slow"))
        .await;
    let started = Instant::now();
    let mut fast = Vec::new();
    for i in 0..5 {
        fast.push(
            conn.send_event(&fixture("im.chat.updated_v1", &format!("fast_{i}")))
                .await,
        );
    }
    let mut acked = Vec::new();
    for _ in 0..5 {
        acked.push(conn.recv_ack().await.seq_id);
    }
    assert_eq!(
        acked, fast,
        "the slow event's ack must not come first or block the others"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    release.notify_one();
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (slow, 200));
}

#[tokio::test]
async fn a_failing_handler_is_acked_500_and_an_unhandled_event_200() {
    let mut platform = LongConnectionServer::start().await;
    let dispatcher = dispatcher()
        .on_chat_updated(|_| async { Err("database down".into()) })
        .build()
        .expect("dispatcher");
    let _client = platform.connection(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    conn.send_event(&fixture("im.chat.updated_v1", "fails"))
        .await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 500);
    // The failure forgot the de-duplication mark: the redelivery runs the handler again.
    conn.send_event(&fixture("im.chat.updated_v1", "fails"))
        .await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 500);
    // A known event type nobody handles is acknowledged, so it is not pushed again.
    conn.send_event(&fixture("im.chat.disbanded_v1", "unhandled"))
        .await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 200);
}

#[tokio::test]
async fn handlers_run_a_bounded_number_at_once_and_overflow_is_acked_500_at_once() {
    let mut platform = LongConnectionServer::start().await;
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let (now, most, gate) = (
        Arc::clone(&running),
        Arc::clone(&peak),
        Arc::clone(&release),
    );
    let dispatcher = dispatcher()
        .on_chat_updated(move |_| {
            let (now, most, gate) = (Arc::clone(&now), Arc::clone(&most), Arc::clone(&gate));
            async move {
                most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                gate.notified().await;
                now.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .build()
        .expect("dispatcher");
    let client = platform
        .connection(dispatcher)
        .max_concurrent_handlers(2)
        .max_pending_events(3)
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    let mut sent = Vec::new();
    for i in 0..4 {
        sent.push(
            conn.send_event(&fixture("im.chat.updated_v1", &format!("busy_{i}")))
                .await,
        );
    }
    // The fourth finds no room: acknowledged 500 at once, to be redelivered.
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (sent[3], 500));
    eventually("two handlers to run", || {
        running.load(Ordering::SeqCst) == 2
    })
    .await;
    assert_eq!(client.stats().handlers_in_flight, 3);
    let mut acked = Vec::new();
    while acked.len() < 3 {
        release.notify_waiters();
        if let Ok(ack) = tokio::time::timeout(Duration::from_millis(50), conn.recv_ack()).await {
            assert_eq!(Ack::code_of(&ack), 200);
            acked.push(ack.seq_id);
        }
    }
    acked.sort_unstable();
    assert_eq!(acked, sent[..3]);
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_duplicate_across_a_reconnect_is_handled_once() {
    let (mut platform, _client, count, mut first) = counting_client(|b| b).await;
    first
        .send_event(&fixture("im.chat.updated_v1", "twice"))
        .await;
    assert_eq!(Ack::code_of(&first.recv_ack().await), 200);
    first.close().await;
    let mut second = platform.accept().await;
    second
        .send_event(&fixture("im.chat.updated_v1", "twice"))
        .await;
    assert_eq!(Ack::code_of(&second.recv_ack().await), 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn malformed_input_is_skipped_or_acked_500_and_the_connection_kept() {
    let (platform, client, count, mut conn) = counting_client(|b| b).await;
    conn.send_bytes(vec![0xff, 0x01, 0x02]).await;
    conn.send_text("hello").await;
    let mut bad_pong = LongConnectionServer::pong_frame(&json!({}));
    bad_pong.payload = Some(bytes::Bytes::from_static(b"not json"));
    conn.send(&bad_pong).await;
    let mut bad_sum = LongConnectionServer::event_frame(300, "x", 1, 0, b"{}");
    bad_sum.headers[2] = header("sum", "many");
    conn.send(&bad_sum).await;
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (300, 500));
    // Not JSON, and JSON without an event id: answered 500, not a panic.
    conn.send_event(b"\xff\xfe").await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 500);
    conn.send_event(br#"{"schema":"2.0","header":{}}"#).await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 500);

    conn.send_event(&fixture("im.chat.updated_v1", "after_garbage"))
        .await;
    assert_eq!(Ack::code_of(&conn.recv_ack().await), 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(client.stats().malformed_frames >= 4);
    assert_eq!((platform.ws_attempts(), client.stats().connections), (1, 1));
}

#[tokio::test]
async fn shutdown_lets_the_handler_in_flight_finish_and_acks_it() {
    let mut platform = LongConnectionServer::start().await;
    let (started_tx, mut started) = mpsc::channel(1);
    let finished = Arc::new(AtomicUsize::new(0));
    let done = Arc::clone(&finished);
    let dispatcher = dispatcher()
        .on_chat_updated(move |_| {
            let started_tx = started_tx.clone();
            let done = Arc::clone(&done);
            async move {
                let _ = started_tx.send(()).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
                done.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .build()
        .expect("dispatcher");
    let client = platform.connection(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    let seq = conn
        .send_event(&fixture("im.chat.updated_v1", "in_flight"))
        .await;
    started.recv().await.expect("handler started");
    let shutdown = tokio::spawn(client.shutdown());
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (seq, 200));
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    conn.closed().await;
    shutdown.await.expect("joined").expect("clean shutdown");
}

#[tokio::test]
async fn dropping_the_client_stops_its_tasks_and_handlers() {
    let mut platform = LongConnectionServer::start().await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    let token = Arc::new(());
    let held = Arc::downgrade(&token);
    let dispatcher = dispatcher()
        .on_chat_updated(move |_| {
            let token = Arc::clone(&token);
            async move {
                let _token = token;
                std::future::pending::<()>().await;
                Ok(())
            }
        })
        .build()
        .expect("dispatcher");
    let client = platform.connection(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    conn.send_event(&fixture("im.chat.updated_v1", "stuck"))
        .await;
    eventually("the handler to run", || held.strong_count() == 2).await;
    assert!(metrics.num_alive_tasks() > baseline);
    drop(client);
    conn.closed().await;
    // The handler, the loop, and the dispatcher (which held the closure) are all gone.
    eventually("the handler and dispatcher to be dropped", || {
        held.strong_count() == 0
    })
    .await;
    // The server's task for this connection ends with the socket.
    drop(conn);
    eventually("the tasks to end", || metrics.num_alive_tasks() <= baseline).await;
}
