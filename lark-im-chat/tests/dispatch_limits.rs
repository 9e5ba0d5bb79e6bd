//! The dispatcher under hung handlers, floods, shared de-duplication stores, huge event ids
//! and deeply nested unknown events, over real HTTP on 127.0.0.1 (axum router, reqwest).

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::HeaderMap;
use lark_im_chat::events::dispatch::{
    Dispatcher, DispatcherBuilder, HandlerTimedOut, Outcome, State, WebhookDispatcher,
    MAX_DEDUP_KEY_LEN,
};
use lark_im_chat::events::webhook::{
    DedupForgetFuture, DedupFuture, DedupStore, InMemoryDedup, WebhookConfig, WebhookReceiver,
    DEDUP_ENTRY_OVERHEAD, DEFAULT_DEDUP_MAX_BYTES,
};
use lark_im_chat::events::{ChatDisbandedV1, EventEnvelopeV2};
use lark_im_chat::testing::Callback;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

const TOKEN: &str = "v3rificati0n-t0ken";
const KEY: &str = "encrypt-key-for-tests";

fn config() -> WebhookConfig {
    WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .build()
        .expect("config")
}

fn builder() -> DispatcherBuilder {
    Dispatcher::builder()
}

/// Verifies callbacks with [`config`].
fn receiver() -> WebhookReceiver {
    WebhookReceiver::new(config())
}

/// A disbanded-chat event of `app_id` with id `event_id`, as a signed, encrypted callback.
fn disbanded(app_id: &str, event_id: &str) -> (HeaderMap, Vec<u8>) {
    let envelope =
        EventEnvelopeV2::of(event_id, ChatDisbandedV1::new().chat_id("oc_1")).with_app_id(app_id);
    Callback::new(&config()).event(&envelope)
}

/// Serves `dispatcher` on 127.0.0.1; returns the callback URL.
async fn serve(dispatcher: WebhookDispatcher) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().nest("/events", lark_im_chat::events::axum::router(dispatcher));
    tokio::spawn(lark_im_chat::events::axum::serve(listener, app));
    format!("http://{addr}/events")
}

/// Posts a callback; every wait is bounded, so that a regression fails instead of hanging.
async fn post(url: &str, (headers, body): (HeaderMap, Vec<u8>)) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let response = client
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let json = response.json().await.unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn a_hung_handler_answers_500_at_its_deadline_and_the_redelivery_runs_it_again() {
    let calls = Arc::new(AtomicUsize::new(0));
    let dispatcher = builder()
        .handler_deadline(Duration::from_millis(300))
        .state(Arc::clone(&calls))
        .on_chat_disbanded(|State(calls), _| async move {
            // The first delivery hangs forever; the redelivery is quick.
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                std::future::pending::<()>().await;
            }
            Ok(())
        })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let url = serve(dispatcher.clone()).await;
    let callback = disbanded("cli_a", "ev-hung");

    let started = Instant::now();
    let (status, body) = post(&url, callback.clone()).await;
    assert_eq!(status, 500);
    assert_eq!(body, json!({"msg": "event handler failed"}));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The platform's redelivery is not taken for a duplicate: the handler runs again.
    let (status, _) = post(&url, callback.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // And once handled, a further redelivery is a duplicate.
    let (status, _) = post(&url, callback).await;
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The outcome names the deadline.
    let (headers, body) = disbanded("cli_a", "ev-hung-2");
    calls.store(0, Ordering::SeqCst);
    let outcome = dispatcher.dispatch(&headers, &body).await;
    let error = outcome.handler_error().expect("handler failed");
    assert_eq!(
        error.downcast_ref::<HandlerTimedOut>().map(|e| e.deadline),
        Some(Duration::from_millis(300))
    );
}

#[tokio::test]
async fn the_default_deadline_is_under_the_platforms_three_seconds() {
    assert_eq!(
        lark_im_chat::events::dispatch::DEFAULT_HANDLER_DEADLINE,
        Duration::from_millis(2500)
    );
}

#[tokio::test]
async fn dispatches_beyond_the_bound_are_answered_503_at_once_and_redelivered_later() {
    let release = Arc::new(Semaphore::new(0));
    let entered = Arc::new(AtomicUsize::new(0));
    let dispatcher = builder()
        .max_concurrent_dispatches(2)
        .state((Arc::clone(&release), Arc::clone(&entered)))
        .on_chat_disbanded(|State((release, entered)), e| async move {
            entered.fetch_add(1, Ordering::SeqCst);
            if e.header.event_id.starts_with("slow") {
                release.acquire().await.expect("open").forget();
            }
            Ok(())
        })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let url = serve(dispatcher).await;

    let slow: Vec<_> = (0..2)
        .map(|i| {
            tokio::spawn(post_owned(
                url.clone(),
                disbanded("cli_a", &format!("slow-{i}")),
            ))
        })
        .collect();
    while entered.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let (status, body) = post(&url, disbanded("cli_a", "third")).await;
    assert_eq!(status, 503);
    assert_eq!(body, json!({"msg": "too many events in progress"}));
    assert!(started.elapsed() < Duration::from_secs(1));

    release.add_permits(2);
    for task in slow {
        assert_eq!(task.await.expect("joined").0, 200);
    }
    // Refused without a de-duplication mark: the redelivery is handled.
    assert_eq!(post(&url, disbanded("cli_a", "third")).await.0, 200);
    assert_eq!(entered.load(Ordering::SeqCst), 3);
}

async fn post_owned(url: String, callback: (HeaderMap, Vec<u8>)) -> (u16, Value) {
    post(&url, callback).await
}

#[tokio::test]
async fn two_apps_sharing_one_store_do_not_suppress_each_others_events() {
    let store = Arc::new(InMemoryDedup::new());
    let handled = Arc::new(Mutex::new(Vec::new()));
    let dispatcher = |store: Arc<InMemoryDedup>| {
        builder()
            .dedup(store)
            .state(Arc::clone(&handled))
            .on_chat_disbanded(|State(handled), e| async move {
                let app = e.header.app_id.unwrap_or_default();
                handled.lock().expect("lock").push(app);
                Ok(())
            })
            .build()
            .expect("build")
            .with_webhook(receiver())
    };
    // Two instances (one per app, or load-balanced) sharing the store.
    let first = serve(dispatcher(Arc::clone(&store))).await;
    let second = serve(dispatcher(Arc::clone(&store))).await;

    assert_eq!(post(&first, disbanded("cli_a", "same-id")).await.0, 200);
    assert_eq!(post(&second, disbanded("cli_b", "same-id")).await.0, 200);
    // A genuine redelivery of app a's event is still caught, by either instance.
    assert_eq!(post(&second, disbanded("cli_a", "same-id")).await.0, 200);
    assert_eq!(*handled.lock().expect("lock"), ["cli_a", "cli_b"]);
}

#[tokio::test]
async fn a_configured_namespace_replaces_the_app_id() {
    let store = Arc::new(InMemoryDedup::new());
    let build = |namespace: &str| {
        builder()
            .dedup(Arc::clone(&store))
            .dedup_namespace(namespace)
            .on_chat_disbanded(|_| async { Ok(()) })
            .build()
            .expect("build")
            .with_webhook(receiver())
    };
    let (staging, production) = (build("staging"), build("production"));
    let (headers, body) = disbanded("cli_a", "ev-1");
    assert!(matches!(
        staging.dispatch(&headers, &body).await,
        Outcome::Handled { .. }
    ));
    assert!(matches!(
        production.dispatch(&headers, &body).await,
        Outcome::Handled { .. }
    ));
    assert!(staging.dispatch(&headers, &body).await.is_duplicate());
}

/// A store recording the keys it is asked about.
#[derive(Default)]
struct Recording {
    inner: InMemoryDedup,
    keys: Mutex<Vec<String>>,
}

impl DedupStore for Recording {
    fn check_and_mark<'a>(&'a self, key: &'a str) -> DedupFuture<'a> {
        self.keys.lock().expect("lock").push(key.to_owned());
        self.inner.check_and_mark(key)
    }

    fn forget<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        self.inner.forget(key)
    }

    fn mark_done<'a>(&'a self, key: &'a str) -> DedupForgetFuture<'a> {
        self.inner.mark_done(key)
    }
}

#[tokio::test]
async fn event_ids_of_a_mebibyte_reach_the_store_as_short_hashes_and_still_match() {
    let store = Arc::new(Recording::default());
    let dispatcher = builder()
        .dedup(Arc::clone(&store))
        .on_chat_disbanded(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let url = serve(dispatcher).await;
    let long_id = "e".repeat(1 << 20);
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .max_body_size(4 << 20)
        .build()
        .expect("config");
    let big_dispatcher = Dispatcher::builder()
        .dedup(Arc::clone(&store))
        .on_chat_disbanded(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(WebhookReceiver::new(config.clone()));
    let big_url = serve(big_dispatcher).await;
    let envelope =
        EventEnvelopeV2::of(long_id.as_str(), ChatDisbandedV1::new()).with_app_id("cli_a");
    let callback = Callback::new(&config).event(&envelope);

    assert_eq!(post(&big_url, callback.clone()).await.0, 200);
    assert_eq!(post(&big_url, callback).await.0, 200);
    assert_eq!(post(&url, disbanded("cli_a", "short")).await.0, 200);
    let keys = store.keys.lock().expect("lock").clone();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter().all(|k| k.len() <= MAX_DEDUP_KEY_LEN),
        "{:?}",
        keys.iter().map(String::len).collect::<Vec<_>>()
    );
    assert_eq!(keys[0], keys[1]);
    assert!(keys[0].starts_with("sha256:"));
    assert_eq!(keys[2], "5:cli_a:short");
    // The second delivery was a duplicate: one key kept for the long id.
    assert_eq!(store.inner.len(), 2);
}

#[test]
fn the_in_memory_store_is_bounded_in_bytes_as_well_as_in_keys() {
    let store = InMemoryDedup::new();
    let mib = "k".repeat(1 << 20);
    for i in 0..64 {
        assert!(store.check_and_mark_sync(&format!("{i}{mib}")).is_new());
        assert!(store.bytes() <= DEFAULT_DEDUP_MAX_BYTES);
    }
    assert!(store.len() < 32, "{}", store.len());
    // The newest keys are the ones kept.
    assert!(!store.check_and_mark_sync(&format!("63{mib}")).is_new());

    let small = InMemoryDedup::new().with_max_bytes(10 * (DEDUP_ENTRY_OVERHEAD + 2));
    for i in 10..40 {
        small.check_and_mark_sync(&i.to_string());
    }
    assert_eq!(small.len(), 10);
    assert_eq!(small.bytes(), 10 * (DEDUP_ENTRY_OVERHEAD + 2));
    // Forgotten keys give their bytes back.
    small.forget_sync("39");
    assert_eq!(small.bytes(), 9 * (DEDUP_ENTRY_OVERHEAD + 2));
}

/// An event of `event_type` whose `event` holds `depth` nested arrays.
fn nested(event_type: &str, id: &str, depth: usize) -> Vec<u8> {
    format!(
        r#"{{"schema":"2.0","header":{{"event_id":"{id}","event_type":"{event_type}","token":"{TOKEN}","app_id":"cli_a"}},"event":{{"chat_id":"oc_1","deep":{}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    )
    .into_bytes()
}

#[tokio::test]
async fn unknown_events_are_acknowledged_however_deep_their_json() {
    let fallback = Arc::new(Mutex::new(Vec::new()));
    let with_fallback = builder()
        .state(Arc::clone(&fallback))
        .fallback(|State(seen), event| async move {
            let id = event.event_id().to_owned();
            seen.lock().expect("lock").push(id);
            Ok(())
        })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let without = builder().build().expect("build").with_webhook(receiver());
    let (with_url, without_url) = (serve(with_fallback).await, serve(without).await);
    let config = config();
    let callback = Callback::new(&config);

    for depth in [10, 126, 127, 128, 1_000, 100_000] {
        let body = nested("im.chat.future_event_v9", &format!("deep-{depth}"), depth);
        let (status, answer) = post(&with_url, callback.payload(&body)).await;
        assert_eq!(
            (status, answer),
            (200, json!({"msg": "success"})),
            "depth {depth}"
        );
        let (status, _) = post(&without_url, callback.payload(&body)).await;
        assert_eq!(status, 200, "depth {depth} without a fallback");
    }
    // Shallow enough for a JSON tree, the fallback saw them; deeper ones were acknowledged
    // without it.
    let seen = fallback.lock().expect("lock").clone();
    assert!(seen.contains(&"deep-10".to_owned()), "{seen:?}");
    assert!(!seen.contains(&"deep-1000".to_owned()), "{seen:?}");

    // A known event with a deep unknown field is decoded and handled too.
    let handled = Arc::new(AtomicUsize::new(0));
    let known = builder()
        .state(Arc::clone(&handled))
        .on_chat_disbanded(|State(handled), e| async move {
            assert_eq!(e.event.chat_id.as_deref(), Some("oc_1"));
            handled.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let url = serve(known).await;
    let body = nested("im.chat.disbanded_v1", "deep-known", 1_000);
    assert_eq!(post(&url, callback.payload(&body)).await.0, 200);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn handlers_with_and_without_state_mix_and_errors_reach_the_outcome() {
    #[derive(Clone)]
    struct App {
        name: &'static str,
        seen: Arc<Mutex<Vec<String>>>,
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stateless_seen = Arc::clone(&seen);
    let dispatcher = builder()
        // Registered before the state: keeps ignoring it.
        .on_chat_updated(move |e| {
            stateless_seen.lock().expect("lock").push(e.header.event_id);
            async { Ok(()) }
        })
        .state(App {
            name: "bot",
            seen: Arc::clone(&seen),
        })
        .on_chat_disbanded(|State(app), e| async move {
            app.seen
                .lock()
                .expect("lock")
                .push(format!("{}:{}", app.name, e.header.event_id));
            Err("the chat store is read-only".into())
        })
        .build()
        .expect("build")
        .with_webhook(receiver());
    let (headers, body) = disbanded("cli_a", "ev-err");
    let outcome = dispatcher.dispatch(&headers, &body).await;
    assert_eq!(outcome.status(), 500);
    assert_eq!(
        outcome.handler_error().map(ToString::to_string).as_deref(),
        Some("the chat store is read-only")
    );
    let updated = EventEnvelopeV2::of("ev-up", lark_im_chat::events::ChatUpdatedV1::new());
    let (headers, body) = Callback::new(&config()).event(&updated);
    assert!(dispatcher.dispatch(&headers, &body).await.is_success());
    assert_eq!(*seen.lock().expect("lock"), ["bot:ev-err", "ev-up"]);
}
