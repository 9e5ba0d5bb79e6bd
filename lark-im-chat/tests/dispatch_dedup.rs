//! De-duplication on the dispatch path: redeliveries, concurrent duplicates, custom and
//! failing stores, and a dispatch cancelled mid-handler.

mod dispatch_path_support;

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dispatch_path_support::*;
use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome};
use lark_im_chat::events::webhook::{
    DedupError, DedupForgetFuture, DedupFuture, DedupStore, InMemoryDedup,
};
use serde_json::Value;

// --- de-duplication -------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_delivery_is_dispatched_once() {
    let seen = Seen::default();
    let dispatcher = all_handlers(encrypted_config(), &seen);
    let plaintext = fixture("im.chat.member.user.added_v1");
    // A redelivery is encrypted again, with another IV.
    for iv in [1, 2, 3] {
        let body = seal(&plaintext, iv);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert_success(&outcome);
        assert_eq!(outcome.is_duplicate(), iv != 1, "{outcome:?}");
    }
    // Schema 1.0, keyed on uuid.
    for _ in 0..2 {
        let body = seal(&fixture("p2p_chat_create"), 9);
        assert_success(&run(&dispatcher, &signed(&body), &body).await);
    }
    assert_eq!(
        seen_types(&seen),
        ["im.chat.member.user.added_v1", "p2p_chat_create"]
    );
}

#[tokio::test]
async fn concurrent_duplicates_are_dispatched_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(move |_| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = fixture("im.chat.updated_v1");
    let headers = HeaderMap::new();
    let (a, b) = tokio::join!(
        run(&dispatcher, &headers, &body),
        run(&dispatcher, &headers, &body)
    );
    // The one that met the other in its handler is answered 503, not acknowledged: that run
    // might still have failed.
    let in_progress = |o: &Outcome| matches!(o, Outcome::InProgress { .. });
    assert!(a.is_success() != b.is_success(), "{a:?} {b:?}");
    assert_eq!(u8::from(in_progress(&a)) + u8::from(in_progress(&b)), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // The platform's redelivery then is a duplicate.
    let again = run(&dispatcher, &headers, &body).await;
    assert!(again.is_duplicate(), "{again:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn without_dedup_every_delivery_is_dispatched() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .without_dedup()
        .on_chat_updated(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    for _ in 0..3 {
        let outcome = run(
            &dispatcher,
            &HeaderMap::new(),
            &fixture("im.chat.updated_v1"),
        )
        .await;
        assert!(matches!(outcome, Outcome::Handled { .. }));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_custom_dedup_store_is_used() {
    let store = Arc::new(InMemoryDedup::new());
    // Keys are namespaced by the app id: `<length>:<app id>:<event id>`.
    let updated: Value = serde_json::from_slice(&fixture("im.chat.updated_v1")).expect("json");
    let app = updated["header"]["app_id"].as_str().expect("app id");
    let id = updated["header"]["event_id"].as_str().expect("event id");
    assert_eq!(id, "f7984f25108f8137722bb63cee927e66");
    let key = format!("{}:{app}:{id}", app.len());
    assert!(store.check_and_mark_sync(&key).is_new());
    store.mark_done_sync(&key);
    let dispatcher = Dispatcher::builder()
        .dedup(Arc::clone(&store))
        .on_chat_updated(|_| async { must_not_run("already seen") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("im.chat.updated_v1"),
    )
    .await;
    assert!(outcome.is_duplicate());
}

/// A store whose backend is down.
struct BrokenStore;

impl DedupStore for BrokenStore {
    fn check_and_mark<'a>(&'a self, _key: &'a str) -> DedupFuture<'a> {
        Box::pin(async { Err(DedupError::new("cache unreachable")) })
    }

    fn forget<'a>(&'a self, _key: &'a str) -> DedupForgetFuture<'a> {
        Box::pin(async { Err(DedupError::new("cache unreachable")) })
    }
}

#[tokio::test]
async fn dedup_store_failure_answers_503_without_dispatching() {
    let dispatcher = Dispatcher::builder()
        .dedup(BrokenStore)
        .on_chat_updated(|_| async { must_not_run("must not run") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("im.chat.updated_v1"),
    )
    .await;
    assert_eq!(outcome.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(matches!(outcome, Outcome::DedupFailed { .. }));
}

#[test]
fn in_memory_dedup_forget_lets_a_key_be_new_again() {
    let store = InMemoryDedup::with_limits(2, Duration::from_secs(60));
    assert!(store.check_and_mark_sync("a").is_new());
    assert!(store.check_and_mark_sync("b").is_new());
    // "a" is not the newest key: its queue entry stays behind, stale.
    store.forget_sync("a");
    assert_eq!(store.len(), 1);
    assert!(store.check_and_mark_sync("a").is_new());
    assert!(!store.check_and_mark_sync("a").is_new());
    // At capacity: the stale entry is popped without dropping the new "a", then "b" goes.
    assert!(store.check_and_mark_sync("c").is_new());
    assert!(!store.check_and_mark_sync("a").is_new());
    assert!(store.check_and_mark_sync("b").is_new());
    assert_eq!(store.len(), 2);
    // The newest key is dropped from the queue right away.
    store.forget_sync("b");
    assert!(store.check_and_mark_sync("b").is_new());
    store.forget_sync("never-seen");
    assert_eq!(store.len(), 2);
}

#[tokio::test]
async fn a_dispatch_cancelled_mid_handler_lets_the_redelivery_through() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(move |_| {
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if attempt == 0 {
                    // The connection will be gone long before this.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = fixture("im.chat.updated_v1");
    let headers = HeaderMap::new();
    let first =
        tokio::time::timeout(Duration::from_millis(20), run(&dispatcher, &headers, &body)).await;
    assert!(first.is_err(), "the first delivery is cancelled");
    // The key is forgotten on a task of the runtime.
    tokio::task::yield_now().await;
    let outcome = run(&dispatcher, &headers, &body).await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    assert!(run(&dispatcher, &headers, &body).await.is_duplicate());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
