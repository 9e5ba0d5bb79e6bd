//! The connection's life against a fake platform on 127.0.0.1: pings and pongs, half-open
//! detection, reconnects after a close, handshake and endpoint refusals (permanent or
//! retried with backoff), and the state stream.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::time::Duration;

use futures::StreamExt;
use lark_im_chat::events::long_connection::{ConnectionState, Frame, LongConnectionError};
use long_connection_support::*;
use serde_json::json;
use tokio::time::Instant;

#[tokio::test]
async fn pings_carry_the_service_id_at_the_configured_interval() {
    let mut platform = LongConnectionServer::with_client_config(
        json!({"PingInterval": 15, "ReconnectInterval": 5, "ReconnectNonce": 1}),
    )
    .await;
    let client = platform.connection(no_handlers()).start().expect("start");
    let mut conn = platform.accept().await;
    let mut at = Vec::new();
    while at.len() < 5 {
        let frame = conn.recv().await.expect("open");
        assert_eq!(frame.to_bytes(), Frame::ping(SERVICE_ID).to_bytes());
        assert_eq!(frame.service, SERVICE_ID);
        at.push(Instant::now());
        conn.send(&LongConnectionServer::pong_frame(&json!({})))
            .await;
    }
    for gap in at.windows(2).map(|w| w[1] - w[0]) {
        assert!(gap >= Duration::from_millis(120), "ping too early: {gap:?}");
        assert!(gap <= Duration::from_secs(1), "ping too late: {gap:?}");
    }
    assert!(client.stats().pings_sent >= 5);
}

#[tokio::test]
async fn a_pong_changes_the_ping_interval_and_a_zero_interval_is_ignored() {
    let mut platform = LongConnectionServer::with_client_config(json!({"PingInterval": 5})).await;
    let _client = platform.connection(no_handlers()).start().expect("start");
    let mut conn = platform.accept().await;
    conn.recv().await.expect("first ping");
    conn.send(&LongConnectionServer::pong_frame(
        &json!({"PingInterval": 30}),
    ))
    .await;
    let before = Instant::now();
    conn.recv().await.expect("second ping");
    assert!(
        before.elapsed() >= Duration::from_millis(250),
        "interval not adopted"
    );

    // Zero (and missing) values keep the current interval: no busy loop.
    conn.send(&LongConnectionServer::pong_frame(
        &json!({"PingInterval": 0, "ReconnectCount": 0}),
    ))
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
    let mut platform = LongConnectionServer::with_client_config(
        json!({"PingInterval": 10, "ReconnectNonce": 0, "ReconnectInterval": 5}),
    )
    .await;
    let client = platform
        .connection(no_handlers())
        .liveness_grace(Duration::from_millis(200))
        .start()
        .expect("start");
    let silent = platform.accept().await;
    let connected = Instant::now();
    // The server neither answers nor closes.
    let _replacement = platform.accept().await;
    let took = connected.elapsed();
    // ping interval (100 ms) + grace (200 ms), not a hair trigger; the upper bound adds a new
    // endpoint request and handshake, with room for a loaded CI machine.
    assert!(
        took >= Duration::from_millis(280),
        "replaced too early: {took:?}"
    );
    assert!(
        took <= Duration::from_millis(1_000),
        "replaced too late: {took:?}"
    );
    drop(silent);
    eventually("one connection loop", || client.stats().live_sessions == 1).await;
}

#[tokio::test]
async fn a_server_close_leads_to_a_reconnect_with_a_fresh_endpoint_request() {
    let mut platform = LongConnectionServer::start().await;
    let client = platform.connection(no_handlers()).start().expect("start");
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
                assert_eq!(device_id.as_deref(), Some(LongConnectionServer::DEVICE_ID));
                break;
            }
            _ => {}
        }
    }
    assert!(saw_reconnecting);
}

async fn refused_for_good(refusal: Refusal) -> (LongConnectionError, usize, usize) {
    let platform = LongConnectionServer::start().await;
    platform.refuse_always(refusal);
    let client = platform.connection(no_handlers()).start().expect("start");
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
    let mut platform = LongConnectionServer::start().await;
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
    let _client = platform.connection(no_handlers()).start().expect("start");
    platform.accept().await;
    assert_eq!(
        (platform.endpoint_hits().len(), platform.ws_attempts()),
        (3, 3)
    );
}

#[tokio::test]
async fn endpoint_codes_1_and_1000040343_are_retried_with_backoff_others_stop() {
    let mut platform = LongConnectionServer::start().await;
    platform.push_endpoint_answer(json!({"code": 1, "msg": "system busy"}));
    platform.push_endpoint_answer(json!({"code": 1000040343, "msg": "internal error"}));
    platform.push_endpoint_answer(json!({"code": 1, "msg": "system busy"}));
    let client = platform
        .connection(no_handlers())
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

    let platform = LongConnectionServer::start().await;
    platform.push_endpoint_answer(json!({"code": 1000040350, "msg": "connection limit"}));
    let client = platform.connection(no_handlers()).start().expect("start");
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
async fn native_websocket_pings_prove_life() {
    let mut platform = LongConnectionServer::with_client_config(json!({"PingInterval": 10})).await;
    let client = platform
        .connection(no_handlers())
        .liveness_grace(Duration::from_millis(100))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    // No pongs, only native pings, for three times the half-open bound of 200 ms.
    for _ in 0..12 {
        conn.send_ping(b"hi").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(platform.try_accept(Duration::ZERO).await.is_none());
    assert_eq!(client.stats().connections, 1);
    // Silence, and the connection is replaced.
    let _next = platform.accept().await;
}

#[tokio::test]
async fn reconnect_count_bounds_the_failed_attempts_in_a_row() {
    let mut platform = LongConnectionServer::with_client_config(
        json!({"ReconnectCount": 2, "ReconnectInterval": 1, "ReconnectNonce": 0}),
    )
    .await;
    let client = platform.connection(no_handlers()).start().expect("start");
    let conn = platform.accept().await;
    for _ in 0..5 {
        platform.push_endpoint_answer(json!({"code": 1, "msg": "system busy"}));
    }
    conn.close().await;
    let error = tokio::time::timeout(PATIENCE, client.stopped())
        .await
        .expect("stops")
        .expect("with an error");
    assert!(
        matches!(
            &error,
            LongConnectionError::ReconnectsExhausted { attempts: 2, last }
                if matches!(**last, LongConnectionError::EndpointCode { code: 1, .. })
        ),
        "{error:?}"
    );
    // One successful request, then the two failed attempts allowed.
    assert_eq!(platform.endpoint_hits().len(), 3);
}

#[tokio::test]
async fn connections_that_die_young_back_off_exponentially_up_to_the_cap() {
    const WINDOW: Duration = Duration::from_secs(3);
    const CAP: Duration = Duration::from_millis(400);
    // The server's schedule alone would reconnect every 10 ms.
    let mut platform = LongConnectionServer::with_client_config(
        json!({"PingInterval": 100, "ReconnectInterval": 1, "ReconnectNonce": 0}),
    )
    .await;
    let client = platform
        .connection(no_handlers())
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(CAP)
        .start()
        .expect("start");
    let start = Instant::now();
    let mut accepted = Vec::new();
    while let Some(conn) = platform
        .try_accept(WINDOW.saturating_sub(start.elapsed()))
        .await
    {
        accepted.push(Instant::now());
        conn.close().await;
    }
    let gaps: Vec<Duration> = accepted.windows(2).map(|w| w[1] - w[0]).collect();
    eprintln!(
        "server closing every connection at once, ReconnectInterval 1, ReconnectNonce 0: {} connections in {WINDOW:?}; gaps {gaps:?}",
        accepted.len()
    );
    assert!(accepted.len() <= 25, "{} connections", accepted.len());
    // Past the doublings, every wait is at least half the cap (the jitter's floor).
    let late = gaps.iter().skip(6).min().copied().unwrap_or(CAP);
    assert!(
        late >= CAP / 2 - Duration::from_millis(20),
        "late gap {late:?}"
    );

    // A connection that stays up past one ping interval resets the backoff.
    let conn = platform.accept().await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    conn.close().await;
    let closed = Instant::now();
    let _next = platform.accept().await;
    let gap = closed.elapsed();
    eprintln!("after a connection that stayed up 1.3 s: reconnected in {gap:?}");
    assert!(
        gap < CAP / 2,
        "reconnect after a long-lived connection took {gap:?}"
    );
    let expected = accepted.len() as u64 + 2;
    eventually("every handshake counted", || {
        client.stats().connections >= expected
    })
    .await;
}
