//! 1,000 reconnect cycles (endpoint request, handshake, server close) leave no trace: the
//! number of live tokio tasks and the live heap bytes after cycle 1,000 are those after
//! cycle 100, and never more than one connection loop runs.
//!
//! Counted, not timed: tasks with tokio's runtime metrics, bytes with dhat's allocator.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::time::Duration;

use long_connection_support::*;
use serde_json::json;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const CYCLES: usize = 1_000;
const WARM_UP: usize = 100;

fn live_bytes() -> usize {
    dhat::HeapStats::get().curr_bytes
}

#[tokio::test]
async fn a_thousand_reconnect_cycles_do_not_grow_tasks_or_memory() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut platform = LongConnectionServer::with_client_config(json!({
        "PingInterval": 10_000, "ReconnectInterval": 1, "ReconnectNonce": 0, "ReconnectCount": -1
    }))
    .await;
    let client = platform
        .connection(no_handlers())
        .config_time_unit(Duration::from_millis(1))
        .initial_backoff(Duration::from_millis(1))
        // Every connection here dies young: keep their growing backoff short.
        .max_backoff(Duration::from_millis(2))
        .start()
        .expect("start");
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut warm = None;
    for cycle in 1..=CYCLES {
        let conn = platform.accept().await;
        assert!(
            client.stats().live_sessions <= 1,
            "two connection loops at once"
        );
        conn.close().await;
        if cycle == WARM_UP {
            // Let the closed connection's tasks end before measuring.
            tokio::time::sleep(Duration::from_millis(50)).await;
            platform.forget_records();
            warm = Some((metrics.num_alive_tasks(), live_bytes()));
        }
    }
    let (tasks, bytes) = warm.expect("warm-up measured");
    let hits = platform.endpoint_hits().len();
    platform.forget_records();
    // Let the last closed connection's tasks end, then compare.
    let mut now = (metrics.num_alive_tasks(), live_bytes());
    for _ in 0..100 {
        if now.0 <= tasks {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        now = (metrics.num_alive_tasks(), live_bytes());
    }
    println!("after {WARM_UP} cycles: {tasks} tasks, {bytes} bytes; after {CYCLES}: {now:?}");
    assert!(now.0 <= tasks, "tasks grew from {tasks} to {}", now.0);
    assert!(
        now.1 <= bytes + 64 * 1024,
        "live heap grew from {bytes} to {} bytes",
        now.1
    );
    // The hit of cycle 101 may land before the records are forgotten.
    assert!(hits >= CYCLES - WARM_UP - 1, "{hits} endpoint requests");
    eventually("the last handshake to be counted", || {
        client.stats().connections >= CYCLES as u64
    })
    .await;
}
