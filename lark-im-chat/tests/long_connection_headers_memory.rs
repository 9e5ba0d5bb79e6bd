//! A frame of 4,000,000 empty headers (7.6 MiB) neither decodes into a header list of
//! hundreds of MiB nor is held while a handler runs: it is refused by the per-frame header
//! limits and acknowledged with 500 at once, its ack carrying only the protocol's headers, and
//! the connection is kept. Measured with dhat's counting allocator in a process of its own.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use long_connection_support::*;
use tokio::sync::Semaphore;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const EMPTY_HEADERS: usize = 4_000_000;
const MIB: f64 = 1024.0 * 1024.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_million_empty_headers_are_refused_without_holding_memory() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let gate = Arc::new(Semaphore::new(0));
    let started = Arc::new(AtomicBool::new(false));
    let dispatcher = {
        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
        dispatcher()
            .on_chat_disbanded(move |_| {
                let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
                async move {
                    started.store(true, Ordering::SeqCst);
                    let _ = gate.acquire().await.map(|p| p.forget());
                    Ok(())
                }
            })
            .build()
            .expect("dispatcher")
    };
    let mut platform = LongConnectionServer::start().await;
    let client = platform.connection(dispatcher).start().expect("start");
    let mut conn = platform.accept().await;

    // The frame: a normal event, then 4 M zero-length header entries (field 5, length 0).
    let event = fixture("im.chat.disbanded_v1", "ev-headers-1");
    let mut bytes = LongConnectionServer::event_frame(41, "m41", 1, 0, &event).to_bytes();
    bytes.reserve(EMPTY_HEADERS * 2);
    for _ in 0..EMPTY_HEADERS {
        bytes.extend_from_slice(&[0x2a, 0x00]);
    }
    let frame_len = bytes.len();
    let before = dhat::HeapStats::get();
    conn.send_bytes(bytes).await;

    // Either its ack comes (refused) or its handler starts (accepted, headers held).
    let ack = tokio::select! {
        ack = conn.recv_ack() => Some(ack),
        () = eventually("the handler to start", || started.load(Ordering::SeqCst)) => None,
    };
    let during = dhat::HeapStats::get();
    let held = during.curr_bytes.saturating_sub(before.curr_bytes);
    let peak = during.max_bytes.saturating_sub(before.curr_bytes);
    eprintln!(
        "frame of {:.1} MiB with {EMPTY_HEADERS} empty headers: held {:.1} MiB, peak +{:.1} MiB, acked: {:?}",
        frame_len as f64 / MIB,
        held as f64 / MIB,
        peak as f64 / MIB,
        ack.as_ref().map(|a| (Ack::code_of(a), a.headers.len()))
    );
    gate.add_permits(1);
    let ack = ack.expect("the frame acknowledged at once, not handled");
    assert_eq!(Ack::code_of(&ack), 500);
    assert_eq!(ack.seq_id, 41);
    assert!(
        ack.headers.len() <= 8,
        "{} headers in the ack",
        ack.headers.len()
    );
    assert!(
        !started.load(Ordering::SeqCst),
        "handler ran for a refused frame"
    );
    assert!(held < 16 << 20, "held {held} bytes");
    // The frame itself passes through the server's and the client's buffers a few times.
    assert!(peak < 48 << 20, "peak +{peak} bytes");

    // The connection is kept: a normal event is still handled.
    let seq = conn
        .send_event(&fixture("im.chat.disbanded_v1", "ev-headers-2"))
        .await;
    gate.add_permits(1);
    let ack = conn.recv_ack().await;
    assert_eq!((ack.seq_id, Ack::code_of(&ack)), (seq, 200));
    assert_eq!(client.stats().connections, 1);
}
