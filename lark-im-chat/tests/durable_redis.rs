//! The durable path on a real `redis-server` (127.0.0.1): retries, dead letters and replay,
//! the bounds (503), one record per event id, Redis outages (with and without persistence),
//! and shutdown with handlers in flight.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

mod durable_support;

use durable_support::*;
use lark_im_chat::events::dispatch::Outcome;
use lark_im_chat::events::durable::{DurableError, QueueLimits};
use lark_im_chat::redis::RedisDurable;
use redis_server::RedisServer;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

fn server() -> RedisServer {
    RedisServer::start().expect("redis-server (apt-get install redis-server)")
}

/// Runs a worker of `dispatcher` until the returned sender fires.
fn spawn_worker(
    dispatcher: &lark_im_chat::events::dispatch::Dispatcher,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<lark_im_chat::events::durable::WorkerReport>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let worker = dispatcher.durable_worker().expect("worker");
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    (stop, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_handler_failing_twice_then_succeeding_takes_3_attempts() {
    let redis = server();
    let attempts = Arc::new(AtomicU32::new(0));
    let seen = attempts.clone();
    let dispatcher = dispatcher(redis_queue(&redis.url(), quick_options()), move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            if n <= 2 {
                Err(format!("failure {n}"))
            } else {
                Ok(())
            }
        }
    });
    // Acknowledged at once, although the handler has not run yet.
    assert!(matches!(
        deliver(&dispatcher, "ev-flaky").await,
        Outcome::Queued { .. }
    ));
    assert_eq!(attempts.load(Ordering::SeqCst), 0);
    let (stop, task) = spawn_worker(&dispatcher);
    let queue = dispatcher.durable_queue().expect("queue").clone();
    assert!(
        eventually(Duration::from_secs(20), || attempts.load(Ordering::SeqCst)
            >= 3)
        .await
    );
    assert!(
        eventually(Duration::from_secs(20), || {
            futures::executor::block_on(queue.stats())
                .is_ok_and(|s| s.depth == 0 && s.scheduled_retries == 0)
        })
        .await
    );
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    eprintln!(
        "attempts: {}, report: {report:?}",
        attempts.load(Ordering::SeqCst)
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(
        (
            report.attempts,
            report.retried,
            report.handled,
            report.dead_lettered
        ),
        (3, 2, 1, 0)
    );
    assert!(deliver(&dispatcher, "ev-flaky").await.is_duplicate());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_poison_event_dead_lettered_after_n_attempts_and_replayable() {
    let redis = server();
    let poisoned = Arc::new(AtomicBool::new(true));
    let runs = Arc::new(AtomicU32::new(0));
    let (p, r) = (poisoned.clone(), runs.clone());
    let options = quick_options().max_attempts(3);
    let dispatcher = dispatcher(redis_queue(&redis.url(), options), move |_| {
        r.fetch_add(1, Ordering::SeqCst);
        let fail = p.load(Ordering::SeqCst);
        async move {
            if fail {
                Err("poison: cannot parse chat".to_owned())
            } else {
                Ok(())
            }
        }
    });
    let queue = dispatcher.durable_queue().expect("queue").clone();
    assert!(matches!(
        deliver(&dispatcher, "ev-poison").await,
        Outcome::Queued { .. }
    ));
    let (stop, task) = spawn_worker(&dispatcher);
    assert!(
        eventually(Duration::from_secs(20), || {
            futures::executor::block_on(queue.stats()).is_ok_and(|s| s.dead_letters == 1)
        })
        .await
    );
    let dead = queue.dead_letters(10).await.expect("list");
    eprintln!(
        "dead letters: {dead:?}; runs: {}",
        runs.load(Ordering::SeqCst)
    );
    assert_eq!(dead.len(), 1);
    let letter = &dead[0];
    assert_eq!(
        (letter.attempts, letter.event_type.as_str()),
        (3, "im.chat.updated_v1")
    );
    assert!(letter.error.contains("poison") && letter.key.ends_with(":ev-poison"));
    assert!(letter.payload.contains("ev-poison"));
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(
        queue
            .dead_letter(&letter.id)
            .await
            .expect("inspect")
            .as_ref(),
        Some(letter)
    );
    let stats = queue.stats().await.expect("stats");
    assert_eq!(
        (stats.depth, stats.bytes, stats.dead_letters),
        (0, 0, 1),
        "{stats:?}"
    );
    // Not recorded again on a redelivery while dead.
    assert!(deliver(&dispatcher, "ev-poison").await.is_duplicate());

    poisoned.store(false, Ordering::SeqCst);
    assert!(queue.replay(&letter.id).await.expect("replay"));
    assert!(!queue.replay(&letter.id).await.expect("second replay"));
    assert!(eventually(Duration::from_secs(20), || runs.load(Ordering::SeqCst) == 4).await);
    assert!(
        eventually(Duration::from_secs(20), || {
            futures::executor::block_on(queue.stats())
                .is_ok_and(|s| s.depth == 0 && s.dead_letters == 0)
        })
        .await
    );
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    assert_eq!((report.handled, report.dead_lettered), (1, 1), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_redelivery_of_recorded_event_is_not_queued_twice() {
    let redis = server();
    let dispatchers: Vec<_> = (0..4)
        .map(|_| {
            dispatcher(redis_queue(&redis.url(), quick_options()), |_| async {
                Ok(())
            })
        })
        .collect();
    let mut queued = 0;
    let mut duplicates = 0;
    for round in 0..25 {
        let id = format!("ev-{round}");
        let outcomes = futures::future::join_all(dispatchers.iter().map(|d| deliver(d, &id))).await;
        for outcome in outcomes {
            match outcome {
                Outcome::Queued { .. } => queued += 1,
                Outcome::Duplicate { .. } => duplicates += 1,
                other => panic!("{other:?}"),
            }
        }
    }
    eprintln!(
        "100 deliveries of 25 events from 4 replicas: {queued} recorded, {duplicates} duplicates"
    );
    assert_eq!((queued, duplicates), (25, 75));
    let xlen = redis
        .command(&format!("XLEN lark:durable:{APP_ID}:stream"))
        .expect("xlen");
    assert_eq!(xlen.trim(), ":25");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_stream_at_its_bound_answers_503() {
    let redis = server();
    let limits = QueueLimits::default().max_entries(50);
    let queue = lark_im_chat::events::durable::DurableQueue::from(
        RedisDurable::new(&connection(&redis.url()), APP_ID).limits(limits),
    )
    .options(quick_options());
    let dispatcher = dispatcher(queue, |_| async { Ok(()) });
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for n in 0..60 {
        let outcome = deliver(&dispatcher, &format!("ev-{n}")).await;
        if let Outcome::NotQueued { error, .. } = &outcome {
            assert!(
                matches!(error, DurableError::Full { entries: 50, .. }),
                "{error}"
            );
        }
        *statuses.entry(outcome.status().as_u16()).or_default() += 1;
    }
    eprintln!("60 deliveries into a queue bounded at 50 entries: {statuses:?}");
    assert_eq!((statuses[&200], statuses[&503]), (50, 10));
    let stats = dispatcher
        .durable_queue()
        .expect("queue")
        .stats()
        .await
        .expect("stats");
    assert_eq!(stats.depth, 50);

    // The byte bound: one event is about 330 bytes.
    let small = lark_im_chat::events::durable::DurableQueue::from(
        RedisDurable::new(&connection(&redis.url()), "cli_bytes")
            .limits(QueueLimits::default().max_bytes(1000)),
    );
    let d = dispatcher_for_bytes(small);
    let outcomes: Vec<u16> = futures::future::join_all((0..5).map(|n| {
        let d = d.clone();
        async move { deliver(&d, &format!("ev-b{n}")).await.status().as_u16() }
    }))
    .await;
    eprintln!("5 deliveries into a queue bounded at 1,000 bytes: {outcomes:?}");
    assert_eq!(outcomes.iter().filter(|s| **s == 503).count(), 2);

    // Drained by a worker, the queue takes events again.
    let (stop, task) = spawn_worker(&dispatcher);
    let queue = dispatcher.durable_queue().expect("queue").clone();
    assert!(
        eventually(Duration::from_secs(20), || {
            futures::executor::block_on(queue.stats()).is_ok_and(|s| s.depth == 0)
        })
        .await
    );
    assert!(matches!(
        deliver(&dispatcher, "ev-after").await,
        Outcome::Queued { .. }
    ));
    stop.send(()).expect("stop");
    task.await.expect("worker");
}

fn dispatcher_for_bytes(
    queue: lark_im_chat::events::durable::DurableQueue,
) -> lark_im_chat::events::dispatch::Dispatcher {
    dispatcher(queue, |_| async { Ok(()) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_redis_down_answers_503_and_workers_resume() {
    let mut redis = server();
    let counts: Counts = Arc::default();
    let c = counts.clone();
    let dispatcher = dispatcher(redis_queue(&redis.url(), quick_options()), move |id| {
        bump(&c, &id);
        async { Ok(()) }
    });
    let (stop, task) = spawn_worker(&dispatcher);
    assert!(matches!(
        deliver(&dispatcher, "ev-before").await,
        Outcome::Queued { .. }
    ));
    assert!(
        eventually(Duration::from_secs(20), || counts
            .lock()
            .expect("lock")
            .len()
            == 1)
        .await
    );
    redis.stop();
    let started = Instant::now();
    let outcome = deliver(&dispatcher, "ev-during").await;
    let took = started.elapsed();
    eprintln!(
        "delivery while Redis is down: {} in {took:?}",
        outcome.status()
    );
    assert!(
        matches!(
            outcome,
            Outcome::NotQueued {
                error: DurableError::Unavailable(_),
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(took < Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(500)).await;
    redis.restart().expect("restart");
    // The platform redelivers the 503'd event; the worker picks it up.
    let end = Instant::now() + Duration::from_secs(20);
    while !matches!(
        deliver(&dispatcher, "ev-during").await,
        Outcome::Queued { .. }
    ) {
        assert!(Instant::now() < end, "never recorded after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        eventually(Duration::from_secs(20), || counts
            .lock()
            .expect("lock")
            .len()
            == 2)
        .await
    );
    stop.send(()).expect("stop");
    task.await.expect("worker");
    assert!(counts.lock().expect("lock").values().all(|n| *n == 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_redis_killed_and_restarted_mid_run_loses_nothing() {
    let mut redis = PersistentRedis::start();
    let counts: Counts = Arc::default();
    let c = counts.clone();
    let dispatcher = dispatcher(redis_queue(&redis.url(), quick_options()), move |id| {
        bump(&c, &id);
        async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok(())
        }
    });
    let ids: Vec<String> = (0..300).map(|n| format!("ev-{n:04}")).collect();
    for id in &ids[..200] {
        assert!(matches!(
            deliver(&dispatcher, id).await,
            Outcome::Queued { .. }
        ));
    }
    let (stop, task) = spawn_worker(&dispatcher);
    assert!(
        eventually(Duration::from_secs(20), || counts
            .lock()
            .expect("lock")
            .len()
            >= 40)
        .await
    );
    redis.kill();
    let handled_at_kill = counts.lock().expect("lock").len();
    // Deliveries during the outage are answered 503: the platform keeps them.
    let mut refused = Vec::new();
    for id in &ids[200..] {
        let outcome = deliver(&dispatcher, id).await;
        if !matches!(outcome, Outcome::Queued { .. }) {
            assert_eq!(outcome.status().as_u16(), 503);
            refused.push(id.clone());
        }
        if refused.len() >= 10 {
            break;
        }
    }
    redis.restart();
    let mut redelivered = 0;
    for id in ids[200..].iter() {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            let outcome = deliver(&dispatcher, id).await;
            if outcome.is_success() {
                break;
            }
            assert!(Instant::now() < end, "{id} never recorded: {outcome:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        redelivered += 1;
    }
    let all = ids.len();
    assert!(
        eventually(Duration::from_secs(60), || counts
            .lock()
            .expect("lock")
            .len()
            == all)
        .await,
        "handled {} of {all}",
        counts.lock().expect("lock").len()
    );
    let queue = dispatcher.durable_queue().expect("queue").clone();
    assert!(
        eventually(Duration::from_secs(30), || {
            futures::executor::block_on(queue.stats())
                .is_ok_and(|s| s.depth == 0 && s.scheduled_retries == 0)
        })
        .await
    );
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    let counts = counts.lock().expect("lock");
    let twice = counts.values().filter(|n| **n > 1).count();
    eprintln!(
        "{all} events: {handled_at_kill} handled before Redis was killed, {} answered 503 during the outage, {redelivered} delivered after; all handled, {twice} twice; {report:?}",
        refused.len()
    );
    assert_eq!(counts.len(), all);
    assert_eq!(twice, 0, "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_shutdown_lets_running_handlers_finish_and_leaves_the_rest() {
    let redis = server();
    let started: Arc<Mutex<Vec<String>>> = Arc::default();
    let finished: Counts = Arc::default();
    let (s, f) = (started.clone(), finished.clone());
    let options = quick_options()
        .attempt_deadline(Duration::from_secs(120))
        .concurrency(2)
        .shutdown_grace(Duration::from_secs(2));
    let dispatcher = dispatcher(redis_queue(&redis.url(), options), move |id| {
        s.lock().expect("lock").push(id.clone());
        let f = f.clone();
        async move {
            // One handler outlives the grace period; the others finish within it.
            let pause = if id == "ev-0" { 60_000 } else { 400 };
            tokio::time::sleep(Duration::from_millis(pause)).await;
            bump(&f, &id);
            Ok(())
        }
    });
    for n in 0..10 {
        assert!(deliver(&dispatcher, &format!("ev-{n}")).await.is_success());
    }
    let (stop, task) = spawn_worker(&dispatcher);
    assert!(
        eventually(Duration::from_secs(20), || started
            .lock()
            .expect("lock")
            .len()
            >= 2)
        .await
    );
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    let started_at_stop = started.lock().expect("lock").len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stats = dispatcher
        .durable_queue()
        .expect("queue")
        .stats()
        .await
        .expect("stats");
    eprintln!("shutdown: {report:?}; started {started_at_stop}; queue after: {stats:?}");
    assert_eq!(
        report.cancelled, 1,
        "the 60 s handler is cancelled at the end of the grace"
    );
    assert!(report.handled >= 1 && report.handled as usize == finished.lock().expect("lock").len());
    assert_eq!(
        started.lock().expect("lock").len(),
        started_at_stop,
        "no entry taken after shutdown"
    );
    // The cancelled entry stays pending (claimed by another worker after the visibility
    // timeout); the untaken ones wait.
    assert_eq!(stats.depth, 10 - report.handled);
    assert_eq!(stats.in_flight, 1);
}
