//! The long connection against a fake platform on 127.0.0.1 (endpoint route and WebSocket in
//! this process): delivery, acks, fragments, pings, liveness, reconnects, refusals, handler
//! concurrency, de-duplication, malformed input, shutdown and drop.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::Message;
use futures::StreamExt;
use lark_im_chat::dispatch::{DispatchEvent, DispatcherBuilder};
use lark_im_chat::long_connection::{header, ConnectionState, Frame, LongConnectionError};
use lark_im_chat::{
    ChatAccessEventBotP2pChatEnteredV1, ChatDisbandedV1, ChatMemberBotAddedV1,
    ChatMemberBotDeletedV1, ChatMemberUserAddedV1, ChatMemberUserDeletedV1,
    ChatMemberUserWithdrawnV1, ChatUpdatedV1, P2pChatCreate,
};
use long_connection_support::*;
use serde_json::json;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

const NINE: [&str; 9] = [
    "im.chat.access_event.bot_p2p_chat_entered_v1",
    "im.chat.disbanded_v1",
    "im.chat.member.bot.added_v1",
    "im.chat.member.bot.deleted_v1",
    "im.chat.member.user.added_v1",
    "im.chat.member.user.deleted_v1",
    "im.chat.member.user.withdrawn_v1",
    "im.chat.updated_v1",
    "p2p_chat_create",
];

/// Registers a handler for `T` that logs its event type.
fn logging<T: DispatchEvent>(
    b: DispatcherBuilder,
    log: &Arc<Mutex<Vec<String>>>,
) -> DispatcherBuilder {
    let log = Arc::clone(log);
    b.on::<T, _, _>(move |_| {
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

#[tokio::test]
async fn each_of_the_nine_events_is_delivered_typed_and_acked() {
    let mut platform = Platform::start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = platform
        .client(all_nine(&log).build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    for (i, name) in NINE.iter().enumerate() {
        let seq = conn.send_event(&fixture(name, &format!("ev_{i}"))).await;
        let ack = conn.recv_ack().await;
        assert_eq!((ack.seq_id, ack_code(&ack)), (seq, 200), "{name}");
        assert_eq!(ack.header("message_id"), Some(format!("m{seq}").as_str()));
        let rt: u64 = ack.header("biz_rt").expect("biz_rt").parse().expect("ms");
        assert!(rt >= 1);
    }
    // Unknown event types and card frames are acknowledged 200, not dropped.
    conn.send_event(&fixture("unknown.im.message.receive_v1", "ev_u"))
        .await;
    assert_eq!(ack_code(&conn.recv_ack().await), 200);
    let mut card = data_frame(900, "card_1", 1, 0, br#"{"action":{}}"#);
    card.headers[0] = header("type", "card");
    conn.send(&card).await;
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, ack_code(&ack)), (900, 200));

    assert_eq!(*log.lock().expect("lock"), NINE.map(String::from).to_vec());
    let body = &platform.endpoint_bodies()[0];
    assert_eq!(body["AppID"], APP_ID);
    assert_eq!(body["AppSecret"], APP_SECRET);
    client.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn fragments_reassemble_in_any_order_and_an_incomplete_one_expires() {
    let mut platform = Platform::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let client = platform
        .client(counting(&count).build().expect("dispatcher"))
        .fragment_ttl(Duration::from_millis(300))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
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
            conn.send(&data_frame(
                seq_id,
                &format!("split_{n}"),
                3,
                i,
                parts[i as usize],
            ))
            .await;
        }
        let ack = conn.recv_ack().await;
        assert_eq!(ack_code(&ack), 200);
        assert_eq!(
            ack.seq_id,
            10 * n as u64 + order[2] as u64,
            "the completing fragment is acked"
        );
    }
    assert_eq!(count.load(Ordering::SeqCst), 2);

    let payload = fixture("im.chat.updated_v1", "frag_lost");
    conn.send(&data_frame(50, "lost", 3, 0, &payload[..100]))
        .await;
    conn.send(&data_frame(52, "lost", 3, 2, &payload[200..]))
        .await;
    eventually("both fragments to be held", || {
        let s = client.stats();
        s.fragment_messages == 1 && s.fragment_bytes == payload.len() - 100
    })
    .await;
    eventually("the incomplete message to expire", || {
        let s = client.stats();
        s.fragment_messages == 0 && s.fragment_bytes == 0 && s.fragments_expired == 1
    })
    .await;
    // The late fragment starts a new incomplete message instead of completing the dropped one.
    conn.send(&data_frame(51, "lost", 3, 1, &payload[100..200]))
        .await;
    eventually("the late fragment to be held", || {
        client.stats().fragment_messages == 1
    })
    .await;
    assert_eq!(count.load(Ordering::SeqCst), 2);
    drop(client);
}

#[tokio::test]
async fn pings_carry_the_service_id_at_the_configured_interval() {
    let mut platform = Platform::start().await;
    platform.set_client_config(
        json!({"PingInterval": 15, "ReconnectInterval": 5, "ReconnectNonce": 1}),
    );
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    let mut at = Vec::new();
    while at.len() < 5 {
        let frame = conn.recv().await.expect("open");
        assert_eq!(frame.to_bytes(), Frame::ping(SERVICE_ID).to_bytes());
        assert_eq!(frame.service, SERVICE_ID);
        at.push(Instant::now());
        conn.send(&pong(&json!({}))).await;
    }
    for gap in at.windows(2).map(|w| w[1] - w[0]) {
        assert!(gap >= Duration::from_millis(120), "ping too early: {gap:?}");
        assert!(gap <= Duration::from_millis(600), "ping too late: {gap:?}");
    }
    assert!(client.stats().pings_sent >= 5);
}

#[tokio::test]
async fn a_pong_changes_the_ping_interval_and_a_zero_interval_is_ignored() {
    let mut platform = Platform::start().await;
    platform.set_client_config(json!({"PingInterval": 5}));
    let _client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    conn.recv().await.expect("first ping");
    conn.send(&pong(&json!({"PingInterval": 30}))).await;
    let before = Instant::now();
    conn.recv().await.expect("second ping");
    assert!(
        before.elapsed() >= Duration::from_millis(250),
        "interval not adopted"
    );

    // Zero (and missing) values keep the current interval: no busy loop.
    conn.send(&pong(&json!({"PingInterval": 0, "ReconnectCount": 0})))
        .await;
    let before = Instant::now();
    conn.recv().await.expect("third ping");
    assert!(
        before.elapsed() >= Duration::from_millis(250),
        "zero interval adopted"
    );
}

#[tokio::test]
async fn a_silent_server_is_taken_for_half_open_and_replaced_within_the_bound() {
    let mut platform = Platform::start().await;
    platform.set_client_config(
        json!({"PingInterval": 10, "ReconnectNonce": 0, "ReconnectInterval": 5}),
    );
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .liveness_grace(Duration::from_millis(200))
        .start()
        .expect("start");
    let silent = platform.accept().await;
    let connected = Instant::now();
    // The server neither answers nor closes.
    let _replacement = platform.accept().await;
    let took = connected.elapsed();
    // ping interval (100 ms) + grace (200 ms), not a hair trigger, and not much later.
    assert!(
        took >= Duration::from_millis(280),
        "replaced too early: {took:?}"
    );
    assert!(
        took <= Duration::from_millis(800),
        "replaced too late: {took:?}"
    );
    drop(silent);
    eventually("one connection loop", || client.stats().live_sessions == 1).await;
}

#[tokio::test]
async fn a_server_close_leads_to_a_reconnect_with_a_fresh_endpoint_request() {
    let mut platform = Platform::start().await;
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut states = client.states();
    platform.accept().await.close().await;
    let _second = platform.accept().await;
    assert_eq!(platform.endpoint_hits().len(), 2);
    let mut saw_reconnecting = false;
    while let Some(state) = tokio::time::timeout(PATIENCE, states.next())
        .await
        .expect("state")
    {
        match state {
            ConnectionState::Reconnecting { reason, .. } => {
                assert!(
                    matches!(reason, LongConnectionError::Closed { .. }),
                    "{reason:?}"
                );
                saw_reconnecting = true;
            }
            ConnectionState::Connected { device_id } if saw_reconnecting => {
                assert_eq!(device_id.as_deref(), Some("dev_7"));
                break;
            }
            _ => {}
        }
    }
    assert!(saw_reconnecting);
}

async fn refused_for_good(refusal: Refusal) -> (LongConnectionError, usize, usize) {
    let platform = Platform::start().await;
    platform.refuse_always(refusal);
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    let error = tokio::time::timeout(PATIENCE, client.stopped())
        .await
        .expect("stops")
        .expect("with an error");
    // No retry storm afterwards.
    tokio::time::sleep(Duration::from_millis(200)).await;
    (
        error,
        platform.endpoint_hits().len(),
        platform.ws_attempts(),
    )
}

#[tokio::test]
async fn handshake_403_and_connection_limit_stop_without_retrying() {
    let forbidden = Refusal {
        http_status: 403,
        headers: vec![
            ("Handshake-Status", "403".into()),
            ("Handshake-Msg", "forbidden".into()),
        ],
    };
    let (error, hits, attempts) = refused_for_good(forbidden).await;
    assert!(error.is_permanent(), "{error:?}");
    assert!(matches!(
        error,
        LongConnectionError::Handshake {
            status: Some(403),
            ..
        }
    ));
    assert_eq!((hits, attempts), (1, 1));

    let limit = Refusal {
        http_status: 400,
        headers: vec![
            ("Handshake-Status", "514".into()),
            ("Handshake-Autherrcode", "1000040350".into()),
        ],
    };
    let (error, hits, attempts) = refused_for_good(limit).await;
    assert!(matches!(
        error,
        LongConnectionError::Handshake {
            status: Some(514),
            auth_code: Some(1_000_040_350),
            ..
        }
    ));
    assert_eq!((hits, attempts), (1, 1));
}

#[tokio::test]
async fn other_handshake_refusals_are_retried() {
    let mut platform = Platform::start().await;
    platform.push_refusal(Refusal {
        http_status: 400,
        headers: vec![
            ("Handshake-Status", "514".into()),
            ("Handshake-Autherrcode", "1".into()),
        ],
    });
    platform.push_refusal(Refusal {
        http_status: 502,
        headers: vec![],
    });
    let _client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    platform.accept().await;
    assert_eq!(
        (platform.endpoint_hits().len(), platform.ws_attempts()),
        (3, 3)
    );
}

#[tokio::test]
async fn endpoint_codes_1_and_1000040343_are_retried_with_backoff_others_stop() {
    let mut platform = Platform::start().await;
    platform.push_endpoint_answer(json!({"code": 1, "msg": "system busy"}));
    platform.push_endpoint_answer(json!({"code": 1000040343, "msg": "internal error"}));
    platform.push_endpoint_answer(json!({"code": 1, "msg": "system busy"}));
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .initial_backoff(Duration::from_millis(60))
        .start()
        .expect("start");
    if platform.try_accept(Duration::from_secs(3)).await.is_none() {
        panic!(
            "no connection: {:?} after {:?}",
            client.state(),
            platform.endpoint_hits()
        );
    }
    let hits = platform.endpoint_hits();
    assert_eq!(hits.len(), 4);
    // Attempt 2 waits 30..60 ms, attempt 3 60..120 ms: the waits grow.
    assert!(hits[2] - hits[1] >= Duration::from_millis(30));
    assert!(hits[3] - hits[2] >= Duration::from_millis(60));
    drop(client);

    let platform = Platform::start().await;
    platform.push_endpoint_answer(json!({"code": 1000040350, "msg": "connection limit"}));
    let client = platform
        .client(dispatcher().build().expect("dispatcher"))
        .start()
        .expect("start");
    let error = tokio::time::timeout(PATIENCE, client.stopped())
        .await
        .expect("stops");
    assert!(matches!(
        error,
        Some(LongConnectionError::EndpointCode {
            code: 1_000_040_350,
            ..
        })
    ));
    assert_eq!(platform.endpoint_hits().len(), 1);
}

#[tokio::test]
async fn a_slow_handler_does_not_delay_other_acks() {
    let mut platform = Platform::start().await;
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
    let _client = platform.client(dispatcher).start().expect("start");
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
    assert_eq!((ack.seq_id, ack_code(&ack)), (slow, 200));
}

#[tokio::test]
async fn a_failing_handler_is_acked_500() {
    let mut platform = Platform::start().await;
    let dispatcher = dispatcher()
        .on_chat_updated(|_| async { Err("database down".into()) })
        .build()
        .expect("dispatcher");
    let _client = platform.client(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    conn.send_event(&fixture("im.chat.updated_v1", "fails"))
        .await;
    assert_eq!(ack_code(&conn.recv_ack().await), 500);
    // The failure forgot the de-duplication mark: the redelivery runs the handler again.
    conn.send_event(&fixture("im.chat.updated_v1", "fails"))
        .await;
    assert_eq!(ack_code(&conn.recv_ack().await), 500);
}

#[tokio::test]
async fn a_duplicate_across_a_reconnect_is_handled_once() {
    let mut platform = Platform::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let _client = platform
        .client(counting(&count).build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut first = platform.accept().await;
    first
        .send_event(&fixture("im.chat.updated_v1", "twice"))
        .await;
    assert_eq!(ack_code(&first.recv_ack().await), 200);
    first.close().await;
    let mut second = platform.accept().await;
    second
        .send_event(&fixture("im.chat.updated_v1", "twice"))
        .await;
    assert_eq!(ack_code(&second.recv_ack().await), 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn malformed_input_is_skipped_or_acked_500_and_the_connection_kept() {
    let mut platform = Platform::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let client = platform
        .client(counting(&count).build().expect("dispatcher"))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    conn.send_raw(Message::Binary(vec![0xff, 0x01, 0x02].into()))
        .await;
    conn.send_raw(Message::Text("hello".into())).await;
    let mut bad_pong = pong(&json!({}));
    bad_pong.payload = Some(bytes::Bytes::from_static(b"not json"));
    conn.send(&bad_pong).await;
    let mut bad_sum = data_frame(300, "x", 1, 0, b"{}");
    bad_sum.headers[2] = header("sum", "many");
    conn.send(&bad_sum).await;
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, ack_code(&ack)), (300, 500));
    // Not JSON, and JSON without an event id: answered 500, not a panic.
    conn.send_event(b"\xff\xfe").await;
    assert_eq!(ack_code(&conn.recv_ack().await), 500);
    conn.send_event(br#"{"schema":"2.0","header":{}}"#).await;
    assert_eq!(ack_code(&conn.recv_ack().await), 500);

    conn.send_event(&fixture("im.chat.updated_v1", "after_garbage"))
        .await;
    assert_eq!(ack_code(&conn.recv_ack().await), 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(client.stats().malformed_frames >= 4);
    assert_eq!((platform.ws_attempts(), client.stats().connections), (1, 1));
}

#[tokio::test]
async fn shutdown_lets_the_handler_in_flight_finish_and_acks_it() {
    let mut platform = Platform::start().await;
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
    let client = platform.client(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;
    let seq = conn
        .send_event(&fixture("im.chat.updated_v1", "in_flight"))
        .await;
    started.recv().await.expect("handler started");
    let shutdown = tokio::spawn(client.shutdown());
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, ack_code(&ack)), (seq, 200));
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    conn.closed().await;
    shutdown.await.expect("joined").expect("clean shutdown");
}

#[tokio::test]
async fn dropping_the_client_stops_its_tasks_and_handlers() {
    let mut platform = Platform::start().await;
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
    let client = platform.client(dispatcher).start().expect("start");
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
