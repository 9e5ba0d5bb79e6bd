//! The events accepted but not yet acknowledged are bounded in bytes as well as in count:
//! 1,024 events of 0.5 MiB whose handlers block hold at most the pending byte budget (the rest
//! are acknowledged with 500 at once, to be redelivered) instead of +385 MiB. Measured with
//! dhat's counting allocator in a process of its own.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use lark_im_chat::prelude::*;
use std::sync::Arc;

use lark_im_chat::events::long_connection::DEFAULT_MAX_PENDING_BYTES;
use long_connection_support::*;
use serde_json::Value;
use tokio::sync::Semaphore;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const EVENTS: usize = 1024;
const EVENT_BYTES: usize = 512 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

/// A `im.chat.disbanded_v1` event of about [`EVENT_BYTES`], padded with an unknown field.
fn big_event(n: usize) -> Vec<u8> {
    let mut value: Value =
        serde_json::from_slice(&fixture("im.chat.disbanded_v1", &format!("ev-big-{n}")))
            .expect("json");
    value["event"]["padding"] = "p".repeat(EVENT_BYTES - 1024).into();
    serde_json::to_vec(&value).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_events_are_bounded_in_bytes() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let gate = Arc::new(Semaphore::new(0));
    let dispatcher = {
        let gate = Arc::clone(&gate);
        dispatcher()
            .handler_deadline(std::time::Duration::from_secs(120))
            .on_chat_disbanded(move |_| {
                let gate = Arc::clone(&gate);
                async move {
                    let _ = gate.acquire().await.map(|p| p.forget());
                    Ok(())
                }
            })
            .build()
            .expect("dispatcher")
    };
    let mut platform = LongConnectionServer::start().await;
    let client = platform
        .connection(dispatcher)
        // Blocked handlers must not turn into 500s by the ack window while this runs.
        .ack_window(std::time::Duration::from_secs(300))
        .liveness_grace(std::time::Duration::from_secs(300))
        .start()
        .expect("start");
    let (mut tx, mut rx) = platform.accept().await.into_split();
    let reader = tokio::spawn(async move {
        let mut refused = 0_usize;
        // Until the client closes (bounded all the same).
        while let Some(frame) = rx.recv_within(std::time::Duration::from_secs(600)).await {
            if frame.method == 1 && Ack::code_of(&frame) == 500 {
                refused += 1;
            }
        }
        refused
    });
    let before = dhat::HeapStats::get().curr_bytes;
    for n in 0..EVENTS {
        let frame =
            LongConnectionServer::event_frame(n as u64 + 1, &format!("m{n}"), 1, 0, &big_event(n));
        tx.send(&frame).await.expect("send");
    }
    eventually("every event accepted or refused", || {
        let stats = client.stats();
        stats.handlers_in_flight as u64 + stats.acks_sent >= EVENTS as u64
    })
    .await;
    let held = dhat::HeapStats::get().curr_bytes.saturating_sub(before);
    let stats = client.stats();
    eprintln!(
        "{EVENTS} events of {} KiB, handlers blocked: held {:.1} MiB; {} accepted, {} acknowledged at once",
        EVENT_BYTES / 1024,
        held as f64 / MIB,
        stats.handlers_in_flight,
        stats.acks_sent
    );
    gate.add_permits(EVENTS);
    // The budget, plus the WebSocket buffers of the frame in transit and the running
    // handlers' decoded events (their padding is not kept).
    let bound = DEFAULT_MAX_PENDING_BYTES + (16 << 20);
    assert!(held < bound, "held {held} bytes, bound {bound}");
    assert!(stats.handlers_in_flight * EVENT_BYTES <= DEFAULT_MAX_PENDING_BYTES);
    drop(tx);
    drop(client);
    let _ = reader.await;
}
