//! De-duplication shared by replicas through a real `redis-server` on 127.0.0.1: every event
//! handled once across four dispatchers, failed events handled by another replica, and the
//! configured behaviour while Redis is down.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

#[path = "support/deliveries.rs"]
mod deliveries;

use futures::StreamExt;
use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome, WebhookDispatcher};
use lark_im_chat::events::webhook::{DedupOutcome, DedupStore, WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{DedupFallback, RedisConnection, RedisDedup, RedisOptions};
use rand::seq::SliceRandom;
use redis_server::RedisServer;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "v3rificati0n-t0ken";
const APP_ID: &str = "cli_9f5343c580712544";

/// A plaintext `im.chat.updated_v1` callback with event id `id`.
fn delivery(id: &str) -> Vec<u8> {
    deliveries::chat_updated(id, TOKEN, APP_ID)
}

/// Who handled what: `(replica, event id)` in order.
type Log = Arc<Mutex<Vec<(usize, String)>>>;

/// Event ids whose handler fails once per replica in the set.
type Failing = Arc<Mutex<HashSet<(usize, String)>>>;

fn dispatcher(
    replica: usize,
    store: impl DedupStore + 'static,
    log: &Log,
    failing: &Failing,
) -> WebhookDispatcher {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    let (log, failing) = (log.clone(), failing.clone());
    Dispatcher::builder()
        .dedup(store)
        .on_chat_updated(move |e| {
            let (log, failing) = (log.clone(), failing.clone());
            async move {
                let id = e.header.event_id.clone();
                // Let other deliveries interleave with this one.
                tokio::task::yield_now().await;
                if failing.lock().expect("lock").remove(&(replica, id.clone())) {
                    return Err("handler failed".into());
                }
                log.lock().expect("lock").push((replica, id));
                Ok(())
            }
        })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config))
}

fn connection(redis: &RedisServer) -> RedisConnection {
    let options = RedisOptions::default().retry_interval(Duration::from_millis(50));
    RedisConnection::with_options(&redis.url(), options).expect("url")
}

fn handled_counts(log: &Log) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for (_, id) in log.lock().expect("lock").iter() {
        *counts.entry(id.clone()).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_replicas_receiving_the_same_thousand_deliveries_handle_each_once() {
    let redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let log = Log::default();
    let failing = Failing::default();
    let ids: Vec<String> = (0..1000).map(|n| format!("ev-{n:04}")).collect();
    let replicas: Vec<_> = (0..4)
        .map(|r| {
            // Each replica has its own connection, as separate processes would.
            dispatcher(
                r,
                RedisDedup::new(&connection(&redis), APP_ID),
                &log,
                &failing,
            )
        })
        .collect();
    let runs = replicas.into_iter().map(|replica| {
        let mut order = ids.clone();
        order.shuffle(&mut rand::thread_rng());
        tokio::spawn(async move {
            futures::stream::iter(order)
                .map(|id| {
                    let replica = replica.clone();
                    async move { replica.dispatch(&HeaderMap::new(), &delivery(&id)).await }
                })
                .buffer_unordered(16)
                .collect::<Vec<Outcome>>()
                .await
        })
    });
    let outcomes: Vec<Outcome> = futures::future::join_all(runs)
        .await
        .into_iter()
        .flat_map(|r| r.expect("replica task"))
        .collect();
    assert_eq!(outcomes.len(), 4000);
    // A delivery that meets another still in its handler is answered 503 (the platform
    // delivers it again, and it is then a duplicate); every other one is acknowledged.
    let in_progress = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::InProgress { .. }))
        .count();
    assert!(
        outcomes
            .iter()
            .all(|o| o.status() == StatusCode::OK || matches!(o, Outcome::InProgress { .. })),
        "every delivery acknowledged or in progress"
    );
    let duplicates = outcomes.iter().filter(|o| o.is_duplicate()).count();
    eprintln!("{duplicates} duplicates, {in_progress} met a run in progress");
    assert_eq!(duplicates + in_progress, 3000);
    let counts = handled_counts(&log);
    assert_eq!(counts.len(), 1000, "every event handled");
    assert!(counts.values().all(|&n| n == 1), "no event handled twice");
    // The work was spread: more than one replica handled events.
    let handlers: HashSet<usize> = log.lock().expect("lock").iter().map(|(r, _)| *r).collect();
    assert!(handlers.len() > 1, "{handlers:?}");
}

#[tokio::test]
async fn a_failed_event_is_handled_by_the_replica_that_gets_its_redelivery() {
    let redis = RedisServer::start().expect("redis-server");
    let log = Log::default();
    let failing = Failing::default();
    failing
        .lock()
        .expect("lock")
        .insert((0, "ev-fails".to_owned()));
    let a = dispatcher(
        0,
        RedisDedup::new(&connection(&redis), APP_ID),
        &log,
        &failing,
    );
    let b = dispatcher(
        1,
        RedisDedup::new(&connection(&redis), APP_ID),
        &log,
        &failing,
    );
    let body = delivery("ev-fails");

    let first = a.dispatch(&HeaderMap::new(), &body).await;
    assert!(matches!(first, Outcome::HandlerFailed { .. }), "{first:?}");
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let redelivery = b.dispatch(&HeaderMap::new(), &body).await;
    assert!(
        matches!(redelivery, Outcome::Handled { .. }),
        "{redelivery:?}"
    );
    assert!(a.dispatch(&HeaderMap::new(), &body).await.is_duplicate());
    assert_eq!(*log.lock().expect("lock"), vec![(1, "ev-fails".to_owned())]);
}

#[tokio::test]
async fn only_the_owner_releases_a_mark() {
    let redis = RedisServer::start().expect("redis-server");
    let a = RedisDedup::new(&connection(&redis), APP_ID);
    let b = RedisDedup::new(&connection(&redis), APP_ID);
    assert_ne!(a.owner(), b.owner());
    assert_eq!(
        a.check_and_mark("ev-1").await.expect("mark"),
        DedupOutcome::New
    );
    // Another replica's release (e.g. a late one after its own failed attempt) is a no-op.
    b.forget("ev-1").await.expect("forget");
    assert_eq!(
        b.check_and_mark("ev-1").await.expect("mark"),
        DedupOutcome::InProgress
    );
    a.forget("ev-1").await.expect("forget");
    assert_eq!(
        b.check_and_mark("ev-1").await.expect("mark"),
        DedupOutcome::New
    );
    // Another app's events with the same id are not duplicates.
    let other_app = RedisDedup::new(&connection(&redis), "cli_other");
    assert_eq!(
        other_app.check_and_mark("ev-1").await.expect("mark"),
        DedupOutcome::New
    );
    // Very long keys are hashed, and still de-duplicated.
    let long = "x".repeat(10_000);
    assert_eq!(
        a.check_and_mark(&long).await.expect("mark"),
        DedupOutcome::New
    );
    a.mark_done(&long).await.expect("done");
    assert_eq!(
        b.check_and_mark(&long).await.expect("mark"),
        DedupOutcome::Duplicate
    );
    // A handled event stays handled for the time to live; only the in-progress mark leases.
    let short = RedisDedup::new(&connection(&redis), APP_ID).lease(Duration::from_millis(50));
    assert_eq!(
        short.check_and_mark("ev-2").await.expect("mark"),
        DedupOutcome::New
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The run holding the mark is taken for dead: another delivery is handled.
    assert_eq!(
        b.check_and_mark("ev-2").await.expect("mark"),
        DedupOutcome::New
    );
    b.mark_done("ev-2").await.expect("done");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        a.check_and_mark("ev-2").await.expect("mark"),
        DedupOutcome::Duplicate
    );
}

/// Two replicas; each event is delivered to both, one after the other; answers other than 2xx
/// are redelivered later (the platform's behaviour). Redis is killed after event 100 and
/// restarted after event 200. Returns how often each event was handled and how many 5xx
/// answers were given.
async fn run_through_an_outage(fallback: DedupFallback) -> (HashMap<String, usize>, usize) {
    let mut redis = RedisServer::start().expect("redis-server");
    let log = Log::default();
    let failing = Failing::default();
    let connections = [connection(&redis), connection(&redis)];
    let replicas: Vec<_> = connections
        .iter()
        .enumerate()
        .map(|(r, c)| {
            dispatcher(
                r,
                RedisDedup::new(c, APP_ID).fallback(fallback),
                &log,
                &failing,
            )
        })
        .collect();
    let mut queue: std::collections::VecDeque<(usize, String)> = (0..300)
        .flat_map(|n| [(0, format!("ev-{n:03}")), (1, format!("ev-{n:03}"))])
        .collect();
    let mut delivered = 0usize;
    let mut server_errors = 0usize;
    while let Some((replica, id)) = queue.pop_front() {
        delivered += 1;
        if delivered == 201 {
            redis.stop();
        }
        if delivered == 401 {
            redis.restart().expect("restart");
            // Both replicas notice the return (within the probe interval) before going on, so
            // the outage window is exactly events 100 to 199.
            for c in &connections {
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                while c.ping().await.is_err() {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "Redis never came back"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        let outcome = replicas[replica]
            .dispatch(&HeaderMap::new(), &delivery(&id))
            .await;
        if outcome.status().is_server_error() {
            server_errors += 1;
            queue.push_back((replica, id));
        }
        assert!(delivered < 2000, "redeliveries never end");
    }
    (handled_counts(&log), server_errors)
}

#[tokio::test]
async fn while_redis_is_down_the_default_answers_503_and_nothing_is_handled_twice() {
    let (counts, server_errors) = run_through_an_outage(DedupFallback::Reject).await;
    assert!(server_errors > 0, "the outage was noticed");
    assert_eq!(counts.len(), 300, "every event handled in the end");
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[tokio::test]
async fn while_redis_is_down_handle_anyway_handles_every_delivery() {
    let (counts, server_errors) = run_through_an_outage(DedupFallback::HandleAnyway).await;
    assert_eq!(server_errors, 0);
    assert_eq!(counts.len(), 300);
    // Events delivered during the outage (100..200) were handled by both replicas; the
    // others once.
    for (id, n) in &counts {
        let number: usize = id[3..].parse().expect("number");
        let expected = if (100..200).contains(&number) { 2 } else { 1 };
        assert_eq!(*n, expected, "{id}");
    }
}
