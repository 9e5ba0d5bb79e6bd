//! Throughput of the webhook path for encrypted `im.chat.member.user.added_v1` callbacks of
//! about 1 KB: signature check, decryption, timestamp and token checks, typed decoding,
//! de-duplication and dispatch to a handler.
//!
//! ```text
//! cargo bench -p lark-im-chat --bench webhook
//! ```
//!
//! Every delivery carries a distinct event id, and the in-memory de-duplication store is
//! smaller than the pool of bodies, so each one is new to the store (inserting, evicting) and
//! reaches the handler. Results are per delivery on one thread; events per second per core is
//! the inverse.

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use http::HeaderMap;
use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{InMemoryDedup, Received, WebhookConfig, WebhookReceiver};
use lark_im_chat::testing::Callback;
use lark_im_chat::ChatEvent;

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-benchmarks";
const POOL: usize = 4096;
const TIMESTAMP: u64 = 1_700_000_000;

/// Compact plaintext of the fixture with event id `n`.
fn plaintext(n: usize) -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/events/im.chat.member.user.added_v1.json"
    );
    let text = std::fs::read(path).expect("fixture");
    let mut value: serde_json::Value = serde_json::from_slice(&text).expect("json");
    value["header"]["event_id"] = format!("5e3702a84e847582be8db7fb{n:08x}").into();
    serde_json::to_vec(&value).expect("json")
}

/// Encrypted, signed requests with distinct event ids.
fn requests() -> Vec<(HeaderMap, Vec<u8>)> {
    let config = config();
    (0..POOL)
        .map(|n| {
            let mut iv = [0u8; 16];
            iv[..8].copy_from_slice(&(n as u64).to_le_bytes());
            Callback::new(&config)
                .timestamp(TIMESTAMP)
                .iv(iv)
                .payload(&plaintext(n))
        })
        .collect()
}

fn config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .build()
        .expect("config")
}

fn bench(c: &mut Criterion) {
    let requests = requests();
    let now = UNIX_EPOCH + Duration::from_secs(TIMESTAMP + 1);
    println!(
        "plaintext {} bytes, encrypted body {} bytes",
        plaintext(0).len(),
        requests[0].1.len()
    );

    let mut group = c.benchmark_group("webhook");
    group.throughput(Throughput::Elements(1));

    let receiver = WebhookReceiver::new(config());
    let mut i = 0;
    group.bench_function("receive (verify + decrypt)", |b| {
        b.iter(|| {
            let (headers, body) = &requests[i % POOL];
            i += 1;
            receiver.receive_at(headers, body, now).expect("accepted")
        })
    });

    let verified: Vec<_> = requests
        .iter()
        .map(
            |(headers, body)| match receiver.receive_at(headers, body, now) {
                Ok(Received::Event(event)) => event,
                other => panic!("unexpected {other:?}"),
            },
        )
        .collect();
    let mut i = 0;
    group.bench_function("decode (typed)", |b| {
        b.iter(|| {
            let event = ChatEvent::from_json(verified[i % POOL].plaintext()).expect("decodes");
            i += 1;
            assert!(matches!(event, ChatEvent::ChatMemberUserAddedV1(_)));
            event
        })
    });

    let handled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&handled);
    let dispatcher = Dispatcher::builder()
        // Smaller than the pool: every delivery is new to the store.
        .dedup(InMemoryDedup::with_limits(
            POOL / 2,
            Duration::from_secs(3600),
        ))
        .on_chat_member_user_added(move |e| {
            let users = e.event.users.map_or(0, |u| u.len() as u64);
            counter.fetch_add(users, Ordering::Relaxed);
            async { Ok(()) }
        })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let mut i = 0;
    group.bench_function(
        "full path (verify + decrypt + decode + dedup + dispatch)",
        |b| {
            b.iter(|| {
                let (headers, body) = &requests[i % POOL];
                i += 1;
                let outcome = runtime.block_on(dispatcher.dispatch_at(headers, body, now));
                assert!(
                    matches!(
                        outcome,
                        lark_im_chat::events::dispatch::Outcome::Handled { .. }
                    ),
                    "{outcome:?}"
                );
                outcome
            })
        },
    );
    group.finish();
    assert!(handled.load(Ordering::Relaxed) > 0);
}

criterion_group!(benches, bench);
criterion_main!(benches);
