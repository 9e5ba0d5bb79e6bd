//! De-duplication of redeliveries by the in-memory store: defaults, in-progress leases,
//! capacity, TTL, a clock going backwards, and the store as a shared trait object.

mod webhook_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lark_im_chat::events::webhook::{
    Clock, DedupOutcome, DedupStore, InMemoryDedup, DEFAULT_DEDUP_CAPACITY, DEFAULT_DEDUP_TTL,
};
use webhook_support::*;

// ---------------------------------------------------------------------------------------------
// De-duplication

#[derive(Debug)]
struct ManualClock {
    start: Instant,
    elapsed: Mutex<Duration>,
}

impl ManualClock {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        })
    }

    fn advance(&self, by: Duration) {
        *self.elapsed.lock().expect("clock lock") += by;
    }

    fn rewind(&self, by: Duration) {
        let mut elapsed = self.elapsed.lock().expect("clock lock");
        *elapsed = elapsed.saturating_sub(by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().expect("clock lock")
    }
}

#[test]
fn dedup_defaults_outlast_the_redelivery_window() {
    let store = InMemoryDedup::new();
    assert_eq!(store.capacity(), 100_000);
    assert_eq!(store.capacity(), DEFAULT_DEDUP_CAPACITY);
    assert_eq!(store.ttl(), DEFAULT_DEDUP_TTL);
    // 15 s + 5 min + 1 h + 6 h of redeliveries.
    assert!(store.ttl() > Duration::from_secs(15 + 5 * 60 + 3600 + 6 * 3600));
    assert!(store.is_empty());
}

#[test]
fn dedup_reports_a_key_new_exactly_once() {
    let store = InMemoryDedup::new();
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::New);
    // In progress is not done: until the first run finishes, a redelivery is not a duplicate.
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::InProgress);
    store.mark_done_sync("ev-1");
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("ev-1"), DedupOutcome::Duplicate);
    assert!(store.check_and_mark_sync("ev-2").is_new());
    assert_eq!(store.len(), 2);
}

#[test]
fn dedup_in_progress_marks_lapse_after_the_lease_and_done_ones_do_not() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::new()
        .with_lease(Duration::from_secs(60))
        .with_clock(clock.clone());
    assert!(store.check_and_mark_sync("stuck").is_new());
    assert!(store.check_and_mark_sync("done").is_new());
    store.mark_done_sync("done");
    clock.advance(Duration::from_secs(59));
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::InProgress);
    clock.advance(Duration::from_secs(1));
    // The run holding the mark is taken for dead: this delivery takes it over, once.
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::New);
    assert_eq!(store.check_and_mark_sync("stuck"), DedupOutcome::InProgress);
    assert_eq!(store.check_and_mark_sync("done"), DedupOutcome::Duplicate);
    assert_eq!(store.len(), 2);
    // Forgetting an in-progress key lets the next delivery run.
    store.forget_sync("stuck");
    assert!(store.check_and_mark_sync("stuck").is_new());
}

#[test]
fn dedup_evicts_the_oldest_keys_at_capacity() {
    let store = InMemoryDedup::with_limits(3, DEFAULT_DEDUP_TTL);
    for key in ["a", "b", "c", "d"] {
        assert!(store.check_and_mark_sync(key).is_new());
        store.mark_done_sync(key);
    }
    assert_eq!(store.len(), 3);
    assert_eq!(store.check_and_mark_sync("d"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("c"), DedupOutcome::Duplicate);
    assert_eq!(store.check_and_mark_sync("b"), DedupOutcome::Duplicate);
    // "a" was evicted: a late redelivery would be processed again.
    assert_eq!(store.check_and_mark_sync("a"), DedupOutcome::New);
    // ... and that pushed "b" out.
    assert_eq!(store.check_and_mark_sync("b"), DedupOutcome::New);
    assert_eq!(store.len(), 3);

    let tiny = InMemoryDedup::with_limits(0, DEFAULT_DEDUP_TTL);
    assert_eq!(tiny.capacity(), 1);
    assert!(tiny.check_and_mark_sync("x").is_new());
    assert!(!tiny.check_and_mark_sync("x").is_new());
}

#[test]
fn dedup_forgets_keys_after_the_ttl() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::with_limits(100, Duration::from_secs(60)).with_clock(clock.clone());
    assert!(store.check_and_mark_sync("first").is_new());
    clock.advance(Duration::from_secs(30));
    assert!(store.check_and_mark_sync("second").is_new());
    clock.advance(Duration::from_secs(29));
    assert!(!store.check_and_mark_sync("first").is_new());
    clock.advance(Duration::from_secs(1));
    // 60 s after "first": expired, and purged.
    assert!(store.check_and_mark_sync("first").is_new());
    assert_eq!(store.len(), 2);
    assert!(!store.check_and_mark_sync("second").is_new());
    clock.advance(Duration::from_secs(31));
    assert!(store.check_and_mark_sync("second").is_new());
}

#[test]
fn dedup_keeps_keys_when_the_clock_goes_backwards() {
    let clock = ManualClock::new();
    clock.advance(Duration::from_secs(1000));
    let store = InMemoryDedup::with_limits(10, Duration::from_secs(60)).with_clock(clock.clone());
    assert!(store.check_and_mark_sync("k").is_new());
    clock.rewind(Duration::from_secs(500));
    assert!(!store.check_and_mark_sync("k").is_new());
    clock.advance(Duration::from_secs(559));
    assert!(!store.check_and_mark_sync("k").is_new());
}

#[test]
fn dedup_long_ttl_redeliveries_are_caught() {
    let clock = ManualClock::new();
    let store = InMemoryDedup::new().with_clock(clock.clone());
    assert!(store
        .check_and_mark_sync("5e3702a84e847582be8db7fb73283c02")
        .is_new());
    store.mark_done_sync("5e3702a84e847582be8db7fb73283c02");
    for retry in [15, 5 * 60, 3600, 6 * 3600] {
        clock.advance(Duration::from_secs(retry));
        assert!(!store
            .check_and_mark_sync("5e3702a84e847582be8db7fb73283c02")
            .is_new());
    }
    let huge_ttl = InMemoryDedup::with_limits(10, Duration::MAX);
    assert!(huge_ttl.check_and_mark_sync("k").is_new());
    assert!(!huge_ttl.check_and_mark_sync("k").is_new());
}

#[tokio::test]
async fn dedup_store_works_as_a_shared_trait_object() {
    let store: Arc<dyn DedupStore> = Arc::new(InMemoryDedup::new());
    let event = event(receive_sealed(
        &secured(),
        member_added_v2(TOKEN).as_bytes(),
    ));

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        let key = event.dedup_key().to_owned();
        tasks.push(tokio::spawn(async move {
            store.check_and_mark(&key).await.unwrap()
        }));
    }
    let mut new = 0;
    for task in tasks {
        if task.await.unwrap().is_new() {
            new += 1;
        }
    }
    assert_eq!(new, 1, "exactly one concurrent delivery is processed");
    assert_eq!(
        store.check_and_mark(event.dedup_key()).await.unwrap(),
        DedupOutcome::InProgress
    );
    store.mark_done(event.dedup_key()).await.unwrap();
    assert_eq!(
        store.check_and_mark(event.dedup_key()).await.unwrap(),
        DedupOutcome::Duplicate
    );
}
