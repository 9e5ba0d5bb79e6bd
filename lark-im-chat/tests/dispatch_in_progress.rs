//! "In progress is not done": a redelivery that arrives while the first run of its event is
//! still in its handler is never acknowledged with 200, so a first run that then fails does
//! not lose the event. Over the in-memory store and over a real `redis-server` on 127.0.0.1
//! (one replica, and two replicas sharing the marks).

#[cfg(feature = "redis")]
#[path = "support/redis_server.rs"]
mod redis_server;

#[path = "support/deliveries.rs"]
mod deliveries;

use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome, WebhookDispatcher};
use lark_im_chat::events::webhook::{DedupStore, InMemoryDedup, WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const TOKEN: &str = "v3rificati0n-t0ken";
const APP_ID: &str = "cli_9f5343c580712544";
/// How long the first run stays in its handler before failing.
const FIRST_RUN: Duration = Duration::from_millis(400);

/// A plaintext `im.chat.updated_v1` callback with event id `id`.
fn delivery(id: &str) -> Vec<u8> {
    deliveries::chat_updated(id, TOKEN, APP_ID)
}

/// Handler calls, and a signal that the first one started.
#[derive(Default)]
struct Calls {
    count: AtomicUsize,
    started: Notify,
}

/// A dispatcher whose first handler call is slow and then fails; later calls succeed.
fn dispatcher(store: Arc<dyn DedupStore>, calls: &Arc<Calls>) -> WebhookDispatcher {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    let calls = Arc::clone(calls);
    Dispatcher::builder()
        .dedup(store)
        .handler_deadline(Duration::from_secs(30))
        .on_chat_updated(move |_| {
            let calls = Arc::clone(&calls);
            async move {
                if calls.count.fetch_add(1, Ordering::SeqCst) == 0 {
                    calls.started.notify_one();
                    tokio::time::sleep(FIRST_RUN).await;
                    return Err("first run failed".into());
                }
                Ok(())
            }
        })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config))
}

/// First delivery on `first` (slow, then failing), a redelivery on `second` while it runs, a
/// later redelivery on `second`, and one more. Asserts nothing is lost or handled twice.
async fn redelivery_while_the_first_run_fails(
    first_store: Arc<dyn DedupStore>,
    second_store: Arc<dyn DedupStore>,
    label: &str,
) {
    let calls = Arc::new(Calls::default());
    let first = dispatcher(first_store, &calls);
    let second = dispatcher(second_store, &calls);
    let body = delivery("ev-in-flight");
    let first_run = tokio::spawn({
        let body = body.clone();
        async move { first.dispatch(&HeaderMap::new(), &body).await }
    });
    tokio::time::timeout(Duration::from_secs(10), calls.started.notified())
        .await
        .expect("first run started");
    let during = second.dispatch(&HeaderMap::new(), &body).await;
    let first_outcome = first_run.await.expect("first run task");
    let later = second.dispatch(&HeaderMap::new(), &body).await;
    let again = second.dispatch(&HeaderMap::new(), &body).await;
    let handled = calls.count.load(Ordering::SeqCst);
    eprintln!(
        "{label}: redelivery during the first run answered {} ({during:?}); first run {}; \
         later redelivery {}; once more {}; handler ran {handled} times",
        during.status(),
        first_outcome.status(),
        later.status(),
        again.status()
    );
    assert_ne!(during.status(), StatusCode::OK, "{during:?}");
    assert!(
        matches!(during, Outcome::InProgress { .. }),
        "typed outcome: {during:?}"
    );
    assert!(
        matches!(first_outcome, Outcome::HandlerFailed { .. }),
        "{first_outcome:?}"
    );
    assert!(matches!(later, Outcome::Handled { .. }), "{later:?}");
    assert!(again.is_duplicate(), "{again:?}");
    assert_eq!(handled, 2, "handled once per run that could succeed");
}

#[tokio::test]
async fn in_memory_redelivery_during_a_failing_first_run_is_not_acknowledged() {
    let store: Arc<dyn DedupStore> = Arc::new(InMemoryDedup::new());
    redelivery_while_the_first_run_fails(Arc::clone(&store), store, "in-memory").await;
}

#[tokio::test]
async fn in_progress_answers_503_with_its_own_body() {
    let store: Arc<dyn DedupStore> = Arc::new(InMemoryDedup::new());
    let calls = Arc::new(Calls::default());
    let dispatcher = dispatcher(Arc::clone(&store), &calls);
    // Marked in progress by another run that has not finished.
    let key = "20:cli_9f5343c580712544:ev-busy";
    assert!(store.check_and_mark(key).await.expect("mark").is_new());
    let outcome = dispatcher
        .dispatch(&HeaderMap::new(), &delivery("ev-busy"))
        .await;
    let (status, body) = outcome.into_response();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        &body[..],
        br#"{"msg":"event is being handled; deliver it again later"}"#
    );
    assert_eq!(calls.count.load(Ordering::SeqCst), 0);
}

#[cfg(feature = "redis")]
mod on_redis {
    use super::*;
    use lark_im_chat::redis::{RedisConnection, RedisDedup, RedisOptions};
    use redis_server::RedisServer;

    fn store(redis: &RedisServer) -> Arc<dyn DedupStore> {
        let options = RedisOptions::default().retry_interval(Duration::from_millis(50));
        let connection = RedisConnection::with_options(&redis.url(), options).expect("url");
        Arc::new(RedisDedup::new(&connection, APP_ID))
    }

    #[tokio::test]
    async fn redis_redelivery_during_a_failing_first_run_is_not_acknowledged() {
        let redis = RedisServer::start().expect("redis-server");
        let store = store(&redis);
        redelivery_while_the_first_run_fails(Arc::clone(&store), store, "redis, one replica").await;
    }

    #[tokio::test]
    async fn redis_redelivery_to_another_replica_during_a_failing_first_run_is_not_acknowledged() {
        let redis = RedisServer::start().expect("redis-server");
        redelivery_while_the_first_run_fails(store(&redis), store(&redis), "redis, two replicas")
            .await;
    }
}
