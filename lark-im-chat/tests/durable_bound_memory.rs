//! A durable queue at its bound answers 503 and holds nothing more: the heap stays flat
//! across thousands of refused deliveries (Redis stream and in-memory backend). Measured with
//! dhat's counting allocator (bytes, not time).

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

mod durable_support;

use durable_support::*;
use lark_im_chat::events::durable::{DurableQueue, QueueLimits};
use lark_im_chat::redis::RedisDurable;
use redis_server::RedisServer;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn live() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// Fills `queue` to its bound of 100, then refuses 3,000 deliveries; returns the heap growth
/// between 500 and 3,000 refusals.
async fn growth_at_bound(queue: DurableQueue, name: &str) -> usize {
    let dispatcher = dispatcher(queue, |_| async { Ok(()) });
    for n in 0..100 {
        assert!(deliver(&dispatcher, &format!("ev-{n}")).await.is_success());
    }
    let mut before = 0;
    for n in 0..3000 {
        if n == 500 {
            before = live();
        }
        let outcome = deliver(&dispatcher, &format!("ev-over-{n}")).await;
        assert_eq!(outcome.status().as_u16(), 503);
    }
    let after = live();
    let growth = after.saturating_sub(before);
    eprintln!(
        "{name}: heap {before} B after 500 refusals, {after} B after 3,000 (growth {growth} B)"
    );
    growth
}

#[test]
fn durable_queue_at_its_bound_answers_503_with_flat_memory() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let redis = RedisServer::start().expect("redis-server (apt-get install redis-server)");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let limits = QueueLimits::default().max_entries(100);
        let redis_queue = DurableQueue::from(
            RedisDurable::new(&connection(&redis.url()), APP_ID).limits(limits.clone()),
        );
        let growth = growth_at_bound(redis_queue, "redis stream").await;
        assert!(growth < 64 * 1024, "grew {growth} B");
        let growth = growth_at_bound(DurableQueue::in_memory(limits), "in memory").await;
        assert!(growth < 64 * 1024, "grew {growth} B");
    });
}
