//! A hostile server on 127.0.0.1 cannot make the client buffer more than its body limit: a
//! declared 1 GiB body is refused on its `Content-Length`, an endless chunked body is cut off
//! once it passes the limit, both as a typed error, with the peak of live heap near the limit.
//!
//! Measured with dhat's counting allocator (bytes, not time). One test in this binary, so no
//! other test's allocations count.

use lark_im_chat::prelude::*;
use lark_im_chat::{Client, Error, RetryPolicy};
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[path = "support/http1.rs"]
mod http1;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// The default limit (documented in the README).
const LIMIT: usize = 4 * 1024 * 1024;
/// What the server sends at most before it gives up on a client that keeps reading: far more
/// than the limit, so a client without one shows it in its peak.
const SENT_AT_MOST: usize = 64 * 1024 * 1024;
const BLOCK: usize = 64 * 1024;

/// A small HTTP/1.1 server: the token endpoint answers a token; `…/huge` declares 1 GiB and
/// streams zeros; `…/endless` streams chunks of zeros. Nothing is allocated per block sent.
async fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket));
        }
    });
    format!("http://{addr}")
}

async fn connection(socket: TcpStream) {
    static ZEROS: [u8; BLOCK] = [b'0'; BLOCK];
    let mut reader = BufReader::new(socket);
    while let Some(request_line) = http1::next_request(&mut reader).await {
        let socket = reader.get_mut();
        if request_line.starts_with("POST") {
            if !http1::write_json(socket, http1::TOKEN_BODY).await {
                return;
            }
            continue;
        }
        let chunked = request_line.contains("/endless");
        let head = if chunked {
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
                .to_owned()
        } else {
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                1u64 << 30
            )
        };
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let mut sent = 0;
        while sent < SENT_AT_MOST {
            let ok = if chunked {
                socket.write_all(b"10000\r\n").await.is_ok()
                    && socket.write_all(&ZEROS).await.is_ok()
                    && socket.write_all(b"\r\n").await.is_ok()
            } else {
                socket.write_all(&ZEROS).await.is_ok()
            };
            if !ok {
                return;
            }
            sent += BLOCK;
        }
        // Gave up: the client kept reading far past any sane limit.
        return;
    }
}

/// Calls `chat.get` on chat `chat`; returns the error and the peak of live heap bytes so far.
async fn call(client: &Client, chat: &str) -> (Error, usize, Duration) {
    let start = Instant::now();
    let err = client.chat(chat).get().send().await.expect_err("oversized");
    (err, dhat::HeapStats::get().max_bytes, start.elapsed())
}

#[tokio::test(flavor = "current_thread")]
async fn oversized_bodies_are_typed_errors_with_memory_near_the_limit() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let client = Client::builder("cli_x", "secret")
        .base_url(serve().await)
        .retry(RetryPolicy::default())
        .build()
        .expect("client builds");
    // Warm up: token, connection pool.
    client.tenant_access_token(None).await.expect("token");
    let base = dhat::HeapStats::get().max_bytes;

    let (err, peak, took) = call(&client, "huge").await;
    match &err {
        Error::BodyTooLarge {
            operation,
            limit,
            declared,
            status,
            ..
        } => {
            assert_eq!(
                (*operation, *limit, *declared, *status),
                ("chat.get", LIMIT, Some(1 << 30), 200)
            );
        }
        other => panic!("declared 1 GiB: {other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("4194304-byte"), "{err}");
    eprintln!("declared 1 GiB: peak live heap {peak} B (before: {base} B), {took:?}");
    assert!(
        peak < base + LIMIT / 4,
        "declared 1 GiB: peak {peak} B, before {base} B"
    );

    let (err, peak, took) = call(&client, "endless").await;
    assert!(
        matches!(
            &err,
            Error::BodyTooLarge {
                operation: "chat.get",
                limit: LIMIT,
                declared: None,
                ..
            }
        ),
        "endless: {err:?}"
    );
    eprintln!("endless chunked: peak live heap {peak} B (before: {base} B), {took:?}");
    // The buffer never grows past the limit; while it grows, the old and new buffers coexist.
    assert!(
        peak < base + 2 * LIMIT,
        "endless: peak {peak} B with a {LIMIT} B limit, before {base} B"
    );
    assert!(took < Duration::from_secs(10), "endless: took {took:?}");
}
