//! The in-memory backend has the durable path's API and behaviour in one process: acknowledged
//! once recorded, retries, dead letters and replay, bounds (503), one record per event id,
//! and an entry cancelled at shutdown handed back at once.

mod durable_support;

use durable_support::*;
use lark_im_chat::events::dispatch::Outcome;
use lark_im_chat::events::durable::{DurableQueue, QueueLimits};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_in_memory_backend_retries_dead_letters_and_bounds() {
    let limits = QueueLimits::default().max_entries(20);
    let queue = DurableQueue::in_memory(limits).options(quick_options().max_attempts(3));
    let counts: Counts = Arc::default();
    let c = counts.clone();
    let dispatcher = dispatcher(queue.clone(), move |id| {
        let n = bump(&c, &id);
        async move {
            match id.as_str() {
                "ev-poison" => Err("always fails".to_owned()),
                "ev-flaky" if n <= 2 => Err(format!("failure {n}")),
                _ => Ok(()),
            }
        }
    });
    let mut statuses = Vec::new();
    for n in 0..18 {
        statuses.push(
            deliver(&dispatcher, &format!("ev-{n}"))
                .await
                .status()
                .as_u16(),
        );
    }
    for id in ["ev-flaky", "ev-poison", "ev-over"] {
        statuses.push(deliver(&dispatcher, id).await.status().as_u16());
    }
    eprintln!("21 deliveries into a queue bounded at 20: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 503).count(), 1);
    assert!(deliver(&dispatcher, "ev-1").await.is_duplicate());

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = dispatcher.durable_worker().expect("worker");
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    assert!(
        eventually(Duration::from_secs(20), || {
            futures::executor::block_on(queue.stats())
                .is_ok_and(|s| s.dead_letters == 1 && s.depth == 0 && s.scheduled_retries == 0)
        })
        .await
    );
    let dead = queue.dead_letters(10).await.expect("dead");
    assert_eq!((dead.len(), dead[0].attempts), (1, 3));
    assert_eq!(counts.lock().expect("lock")["ev-flaky"], 3);
    assert_eq!(counts.lock().expect("lock")["ev-poison"], 3);
    assert!(queue.replay(&dead[0].id).await.expect("replay"));
    assert!(
        eventually(Duration::from_secs(20), || counts.lock().expect("lock")
            ["ev-poison"]
            == 6)
        .await
    );
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    eprintln!(
        "{report:?}; stats {:?}",
        queue.stats().await.expect("stats")
    );
    assert_eq!(report.handled, 19, "18 events and the flaky one");
    assert_eq!(report.dead_lettered, 2);
    // Now there is room again.
    assert!(matches!(
        deliver(&dispatcher, "ev-over").await,
        Outcome::Queued { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_in_memory_shutdown_hands_cancelled_entries_back() {
    let queue = DurableQueue::in_memory(QueueLimits::default()).options(
        quick_options()
            .attempt_deadline(Duration::from_secs(120))
            .shutdown_grace(Duration::from_millis(300)),
    );
    let runs = Arc::new(AtomicU32::new(0));
    let r = runs.clone();
    let dispatcher = dispatcher(queue.clone(), move |_| {
        let n = r.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
            Ok(())
        }
    });
    assert!(deliver(&dispatcher, "ev-slow").await.is_success());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        dispatcher
            .durable_worker()
            .expect("worker")
            .run(async move {
                let _ = stopped.await;
            }),
    );
    assert!(eventually(Duration::from_secs(20), || runs.load(Ordering::SeqCst) == 1).await);
    stop.send(()).expect("stop");
    let report = task.await.expect("worker");
    assert_eq!(report.cancelled, 1);
    // Handed back: the next worker runs it at once.
    assert!(
        eventually(Duration::from_secs(5), || {
            futures::executor::block_on(queue.stats())
                .is_ok_and(|s| s.depth == 1 && s.in_flight == 0)
        })
        .await
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        dispatcher
            .durable_worker()
            .expect("worker")
            .run(async move {
                let _ = stopped.await;
            }),
    );
    assert!(eventually(Duration::from_secs(20), || runs.load(Ordering::SeqCst) == 2).await);
    stop.send(()).expect("stop");
    assert_eq!(task.await.expect("worker").handled, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_events_over_the_long_connection_entry_point_are_recorded() {
    // The long connection hands events to `dispatch_plaintext_by` with its ack window: a
    // durable event is answered as soon as it is recorded, whatever the handler's length.
    let queue = DurableQueue::in_memory(QueueLimits::default());
    let dispatcher = dispatcher(queue.clone(), |_| async {
        tokio::time::sleep(Duration::from_secs(10)).await;
        Ok(())
    });
    let answer_by = tokio::time::Instant::now() + Duration::from_secs(3);
    let outcome = dispatcher
        .dispatch_plaintext_by(&event("ev-ws"), answer_by)
        .await;
    assert!(matches!(outcome, Outcome::Queued { .. }), "{outcome:?}");
    assert!(tokio::time::Instant::now() < answer_by);
    let stats = queue.stats().await.expect("stats");
    assert_eq!((stats.depth, stats.in_flight), (1, 0));
}
