//! Fragment `message_id`s count in the reassembly budget and their length is limited:
//! 147 incomplete messages with 4 MiB ids and empty payloads are refused (acked 500) instead
//! of holding 588 MiB the budget does not see, and ids of accepted fragments show in
//! `Stats::fragment_bytes`. Measured with dhat's counting allocator in a process of its own.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::time::Duration;

use long_connection_support::*;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const HUGE_IDS: usize = 147;
const HUGE_ID_BYTES: usize = 4 << 20;
const SMALL_IDS: usize = 100;
const SMALL_ID_BYTES: usize = 200;
const MIB: f64 = 1024.0 * 1024.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_ids_are_limited_and_counted_in_the_fragment_budget() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut platform = LongConnectionServer::start().await;
    // Hashing 4 MiB ids is slow in a debug build: no expiry or liveness cut meanwhile.
    let client = platform
        .connection(no_handlers())
        .fragment_ttl(Duration::from_secs(300))
        .liveness_grace(Duration::from_secs(300))
        .start()
        .expect("start");
    let mut conn = platform.accept().await;
    let before = dhat::HeapStats::get().curr_bytes;

    for n in 0..HUGE_IDS {
        let mut id = format!("{n:08}");
        id.extend(std::iter::repeat_n('i', HUGE_ID_BYTES - id.len()));
        // The first of two fragments, no payload: the message stays incomplete.
        conn.send(&LongConnectionServer::event_frame(
            n as u64 + 1,
            &id,
            2,
            0,
            b"",
        ))
        .await;
    }
    // Each fragment either waits in the buffer or was refused with an ack.
    let acks = {
        let mut acks = 0;
        let wait = tokio::time::Instant::now();
        while client.stats().fragment_messages + acks < HUGE_IDS {
            let ack = tokio::time::timeout(Duration::from_millis(200), conn.recv_ack());
            match ack.await {
                Ok(ack) => {
                    assert_eq!(Ack::code_of(&ack), 500);
                    acks += 1;
                }
                Err(_) => assert!(wait.elapsed() < PATIENCE * 6, "fragments not processed"),
            }
        }
        acks
    };
    let stats = client.stats();
    let held = dhat::HeapStats::get().curr_bytes.saturating_sub(before);
    eprintln!(
        "{HUGE_IDS} incomplete messages with {} MiB ids: held {:.1} MiB; buffer reports {} messages, {} bytes; {acks} refused",
        HUGE_ID_BYTES >> 20,
        held as f64 / MIB,
        stats.fragment_messages,
        stats.fragment_bytes
    );
    assert!(held < 16 << 20, "held {held} bytes");
    assert_eq!(acks, HUGE_IDS, "every fragment with a 4 MiB id refused");

    // Ids under the length limit are accepted and counted, payloads empty as before.
    for n in 0..SMALL_IDS {
        let id = format!("{n:0width$}", width = SMALL_ID_BYTES);
        conn.send(&LongConnectionServer::event_frame(
            1000 + n as u64,
            &id,
            2,
            0,
            b"",
        ))
        .await;
    }
    eventually("the small ids to be buffered", || {
        client.stats().fragment_messages == SMALL_IDS
    })
    .await;
    let bytes = client.stats().fragment_bytes;
    eprintln!("{SMALL_IDS} incomplete messages with {SMALL_ID_BYTES}-byte ids and empty payloads: buffer reports {bytes} bytes");
    assert!(
        bytes >= SMALL_IDS * SMALL_ID_BYTES,
        "{bytes} bytes reported"
    );
}
