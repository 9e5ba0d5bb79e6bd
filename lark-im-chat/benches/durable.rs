//! Events per second through the durable path, on a throwaway `redis-server` on 127.0.0.1
//! beside the in-memory backend, in one run: each event is recorded by the dispatcher (what
//! answers the platform) and handled by one worker (64 handlers at a time, a handler that does
//! nothing), 32 deliveries in flight.
//!
//! ```text
//! cargo bench -p lark-im-chat --features redis --bench durable
//! ```
//!
//! Prints the rate of recording alone and of recording plus handling for both backends, and
//! the Redis-to-memory ratio. Skipped, with a message, when `redis-server` is not installed.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::durable::{DurableOptions, DurableQueue, QueueLimits};
use lark_im_chat::events::ChatUpdatedV1;
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisDurable};
use redis_server::RedisServer;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const APP_ID: &str = "cli_bench";
const EVENTS: usize = 10_000;
const IN_FLIGHT: usize = 32;

fn event(id: usize, round: &str) -> Vec<u8> {
    serde_json::json!({
        "schema": "2.0",
        "header": {"event_id": format!("{round}-{id:08}"), "event_type": "im.chat.updated_v1", "app_id": APP_ID},
        "event": {"chat_id": "oc_413871c6cde5ed1f1d6ad2f8e07e9b55"}
    })
    .to_string()
    .into_bytes()
}

fn options() -> DurableOptions {
    DurableOptions::default()
        .concurrency(64)
        .poll_interval(Duration::from_millis(5))
}

/// Records `EVENTS` events with `IN_FLIGHT` deliveries at a time; with `handle`, a worker runs
/// meanwhile and the time runs until every event was handled. Returns events per second.
async fn run(queue: DurableQueue, round: &str, handle: bool) -> f64 {
    let handled = Arc::new(AtomicU64::new(0));
    let h = handled.clone();
    let dispatcher = Dispatcher::builder()
        .durable_queue(queue)
        .on_chat_updated(move |_| {
            h.fetch_add(1, Ordering::Relaxed);
            async { Ok(()) }
        })
        .durable::<ChatUpdatedV1>()
        .build()
        .expect("dispatcher");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = handle.then(|| {
        let worker = dispatcher.durable_worker().expect("worker");
        tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        }))
    });
    let payloads: Vec<Vec<u8>> = (0..EVENTS).map(|n| event(n, round)).collect();
    let payloads = Arc::new(payloads);
    let started = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|t| {
            let (d, payloads) = (dispatcher.clone(), payloads.clone());
            tokio::spawn(async move {
                for p in payloads.iter().skip(t).step_by(IN_FLIGHT) {
                    let outcome = d.dispatch_plaintext(p).await;
                    assert!(outcome.is_success(), "{outcome:?}");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("delivery task");
    }
    if handle {
        while handled.load(Ordering::Relaxed) < EVENTS as u64 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let rate = EVENTS as f64 / started.elapsed().as_secs_f64();
    let _ = stop.send(());
    if let Some(worker) = worker {
        worker.await.expect("worker");
    }
    rate
}

fn main() {
    if !RedisServer::available() {
        eprintln!("redis-server is not installed: durable bench skipped");
        return;
    }
    let server = RedisServer::start().expect("redis-server");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let limits = QueueLimits::default().max_entries(EVENTS as u64 * 2);
        let redis = RedisConnection::open(&server.url()).expect("url");
        let redis_queue =
            |app: &str| DurableQueue::from(RedisDurable::new(&redis, app).limits(limits.clone())).options(options());
        let memory_queue = || DurableQueue::in_memory(limits.clone()).options(options());
        let redis_record = run(redis_queue("cli_r1"), "r1", false).await;
        let memory_record = run(memory_queue(), "m1", false).await;
        let redis_full = run(redis_queue("cli_r2"), "r2", true).await;
        let memory_full = run(memory_queue(), "m2", true).await;
        println!("durable path, {EVENTS} events, {IN_FLIGHT} deliveries in flight, loopback Redis:");
        println!("  record only:       redis {redis_record:>9.0} ev/s   in-memory {memory_record:>9.0} ev/s   ratio {:.3}", redis_record / memory_record);
        println!("  record + handle:   redis {redis_full:>9.0} ev/s   in-memory {memory_full:>9.0} ev/s   ratio {:.3}", redis_full / memory_full);
    });
}
