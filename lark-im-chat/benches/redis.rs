//! What Redis costs the replicas, against a throwaway `redis-server` on 127.0.0.1:
//!
//! - tokens: a local-cache hit, and a local miss answered by Redis, with the Redis round trips
//!   per lookup counted (expected: 0 and 1);
//! - webhook: plaintext `im.chat.updated_v1` deliveries, each with a new event id, through a
//!   dispatcher with Redis de-duplication and with the in-memory store, on one thread
//!   (events per second per core is the inverse of the time per delivery).
//!
//! ```text
//! cargo bench -p lark-im-chat --features redis --bench redis
//! ```
//!
//! Skipped, with a message, when `redis-server` is not installed.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use criterion::{criterion_group, Criterion, Throughput};
use http::HeaderMap;
use lark_im_chat::auth::{CachedTokenKind, StoredToken, TokenKey, TokenStore};
use lark_im_chat::events::dispatch::{Dispatcher, WebhookDispatcher};
use lark_im_chat::events::webhook::{DedupStore, InMemoryDedup, WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisDedup, RedisTokenStore};
use redis_server::RedisServer;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

const TOKEN: &str = "v3rificati0n-t0ken";
const APP_ID: &str = "cli_bench";

/// A `redis-server` for one benchmark group, stopped when the group ends (a static would never
/// be dropped, leaving the process behind).
fn server() -> RedisServer {
    RedisServer::start().expect("redis-server")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Redis round trips and lookups, summed over every sample of one benchmark.
#[derive(Default)]
struct Trips {
    trips: AtomicU64,
    lookups: AtomicU64,
}

impl Trips {
    fn report(&self, label: &str) {
        let (trips, lookups) = (
            self.trips.load(Ordering::Relaxed),
            self.lookups.load(Ordering::Relaxed),
        );
        eprintln!(
            "{label}: {trips} Redis round trips for {lookups} lookups ({:.3} per lookup)",
            trips as f64 / lookups.max(1) as f64
        );
    }
}

/// Runs `op` `iters` times, adding the Redis round trips it took to `trips`.
fn counted<F, Fut>(
    rt: &tokio::runtime::Runtime,
    trips: &Trips,
    connection: &RedisConnection,
    iters: u64,
    mut op: F,
) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = connection.round_trips();
    let start = Instant::now();
    rt.block_on(async {
        for _ in 0..iters {
            op().await;
        }
    });
    let elapsed = start.elapsed();
    trips
        .trips
        .fetch_add(connection.round_trips() - before, Ordering::Relaxed);
    trips.lookups.fetch_add(iters, Ordering::Relaxed);
    elapsed
}

fn tokens(c: &mut Criterion) {
    let server = server();
    let connection = RedisConnection::open(&server.url()).expect("url");
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, APP_ID, None);
    let token = StoredToken {
        value: "t-bench".into(),
        use_until: SystemTime::now() + Duration::from_secs(3600),
    };
    let store = RedisTokenStore::new(&connection, "secret");
    // One runtime for the whole group: the connection's driver task lives in it.
    let rt = runtime();
    rt.block_on(store.set(&key, token));

    let (hit, miss) = (Trips::default(), Trips::default());
    let mut group = c.benchmark_group("redis_tokens");
    group.throughput(Throughput::Elements(1));
    group.bench_function("local_hit", |b| {
        b.iter_custom(|iters| {
            counted(&rt, &hit, &connection, iters, || async {
                assert!(store.get(&key).await.is_some());
            })
        })
    });
    group.bench_function("local_miss_redis_hit", |b| {
        b.iter_custom(|iters| {
            counted(&rt, &miss, &connection, iters, || async {
                // A new store per lookup: its local cache is empty, Redis has the token.
                let cold = RedisTokenStore::new(&connection, "secret");
                assert!(cold.get(&key).await.is_some());
            })
        })
    });
    group.finish();
    hit.report("token, local cache hit");
    miss.report("token, local miss answered by Redis");
}

fn delivery(n: u64) -> Vec<u8> {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"bench-{n:016x}","event_type":"im.chat.updated_v1","token":"{TOKEN}","app_id":"{APP_ID}"}},"event":{{"chat_id":"oc_a0553eda9014c201e6969b478895c230"}}}}"#
    )
    .into_bytes()
}

fn dispatcher(store: impl DedupStore + 'static) -> WebhookDispatcher {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    Dispatcher::builder()
        .dedup(store)
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config))
}

fn webhook(c: &mut Criterion) {
    let server = server();
    let connection = RedisConnection::open(&server.url()).expect("url");
    // Ids never repeat across both runs, so every delivery is new and reaches its handler.
    let next = Arc::new(AtomicU64::new(0));
    let mut group = c.benchmark_group("redis_webhook");
    group.throughput(Throughput::Elements(1));
    let runs = [
        ("in_memory_dedup", dispatcher(InMemoryDedup::new())),
        (
            "redis_dedup",
            dispatcher(RedisDedup::new(&connection, APP_ID)),
        ),
    ];
    let rt = runtime();
    for (name, dispatcher) in runs {
        let headers = HeaderMap::new();
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| {
                let body = delivery(next.fetch_add(1, Ordering::Relaxed));
                let (dispatcher, headers) = (&dispatcher, &headers);
                async move {
                    let outcome = dispatcher.dispatch(headers, &body).await;
                    assert!(outcome.is_success() && !outcome.is_duplicate());
                }
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = tokens, webhook
}

fn main() {
    if !RedisServer::available() {
        eprintln!("redis-server is not installed: the Redis benchmarks are skipped");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
