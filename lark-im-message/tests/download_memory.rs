//! A 1 GiB download streamed from a server on 127.0.0.1 into a sink keeps the peak of live heap
//! flat: the body is never buffered whole, only chunk by chunk.
//!
//! Measured with dhat's counting allocator (bytes, not time). One test in this binary, so no
//! other test's allocations count; the server writes from a static block, so its heap stays
//! flat too.

use lark_im_message::prelude::*;
use lark_im_message::Client;
use std::time::Instant;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[path = "../../lark-im-chat/tests/support/http1.rs"]
mod http1;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const GIB: u64 = 1 << 30;
/// Large writes keep a debug build fast; static, so the server allocates nothing per block.
const BLOCK: usize = 1 << 20;
static ZEROS: [u8; BLOCK] = [0; BLOCK];
/// The bound asserted on the peak of live heap during the download.
const PEAK_BOUND: usize = 16 * 1024 * 1024;

/// The token endpoint, then for any GET a 1 GiB file with its `Content-Length`.
async fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                while let Some(line) = http1::next_request(&mut reader).await {
                    let socket = reader.get_mut();
                    if line.starts_with("POST") {
                        if !http1::write_json(socket, http1::TOKEN_BODY).await {
                            return;
                        }
                        continue;
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {GIB}\r\n\
                         content-disposition: attachment; filename=\"big.mp4\"\r\n\r\n"
                    );
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    for _ in 0..GIB / BLOCK as u64 {
                        if socket.write_all(&ZEROS).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "current_thread")]
async fn a_1_gib_download_into_a_sink_keeps_memory_flat() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let client = Client::builder("cli_x", "secret")
        .base_url(serve().await)
        .build()
        .expect("client builds");
    // Warm up: token, connection pool.
    client.tenant_access_token(None).await.expect("token");
    let base = dhat::HeapStats::get().max_bytes;
    let start = Instant::now();
    let download = client
        .file("file_big")
        .get()
        .max_bytes(2 * GIB)
        .send()
        .await
        .expect("head");
    assert_eq!(download.content_length(), Some(GIB));
    assert_eq!(download.file_name(), Some("big.mp4"));
    let written = download
        .write_to(&mut tokio::io::sink())
        .await
        .expect("streamed");
    let took = start.elapsed();
    let peak = dhat::HeapStats::get().max_bytes;
    eprintln!(
        "1 GiB download into a sink: {written} B in {took:?}; peak live heap {peak} B \
         (before: {base} B, bound {PEAK_BOUND} B)"
    );
    assert_eq!(written, GIB);
    assert!(peak < PEAK_BOUND, "peak live heap {peak} B");
}
