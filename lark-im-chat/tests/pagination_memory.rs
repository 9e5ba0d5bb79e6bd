//! Streaming a listing keeps memory flat in the number of pages: the peak of live heap bytes
//! while streaming 100 pages is about the peak while streaming 10.
//!
//! Measured with dhat's counting allocator (bytes, not time: no timing is asserted).

use futures::StreamExt;
use lark_im_chat::prelude::*;
use lark_im_chat::Client;
use serde_json::json;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};

#[path = "support/http1.rs"]
mod http1;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// Body of page `page` of `pages`: 100 members, chained by page tokens `p1`, `p2`, ….
fn page_body(page: usize, pages: usize) -> Vec<u8> {
    let items: Vec<_> = (0..100)
        .map(|i| {
            json!({"member_id": format!("ou_{page}_{i}"), "member_id_type": "open_id",
                   "name": format!("member {page}/{i} with a realistic display name"), "tenant_key": "736588c9260f175d"})
        })
        .collect();
    let more = page + 1 < pages;
    let mut data = json!({"items": items, "has_more": more, "member_total": pages * 100});
    if more {
        data["page_token"] = json!(format!("p{}", page + 1));
    }
    serde_json::to_vec(&json!({"code": 0, "msg": "success", "data": data})).expect("json")
}

/// A minimal HTTP/1.1 server on 127.0.0.1 that keeps nothing between requests, so the heap it
/// uses does not grow with the number of requests (a full mock server records too much for
/// this measurement). Answers the token endpoint and the member listing.
async fn serve(pages: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(connection(socket, pages));
        }
    });
    format!("http://{addr}")
}

async fn connection(socket: TcpStream, pages: usize) {
    let mut reader = BufReader::new(socket);
    while let Some(request_line) = http1::next_request(&mut reader).await {
        let response = if request_line.starts_with("POST") {
            http1::TOKEN_BODY.to_vec()
        } else {
            let page = request_line
                .split_once("page_token=p")
                .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            page_body(page, pages)
        };
        if !http1::write_json(reader.get_mut(), &response).await {
            return;
        }
    }
}

/// Streams every item of `pages` pages, then returns the process's peak of live heap bytes so far.
async fn peak_after_streaming(pages: usize) -> usize {
    let base_url = serve(pages).await;
    let client = Client::builder("cli_x", "secret")
        .base_url(base_url)
        .build()
        .expect("client builds");
    // Warm up: token, connection pool, first page buffers.
    let mut warm = Box::pin(client.chat("oc_1").members().get().page_size(100).items());
    warm.next().await.expect("one member").expect("member");
    drop(warm);

    let mut count = 0usize;
    let mut stream = Box::pin(client.chat("oc_1").members().get().page_size(100).items());
    while let Some(item) = stream.next().await {
        let member = item.expect("member");
        count += usize::from(member.member_id.is_some());
    }
    assert_eq!(count, pages * 100);
    dhat::HeapStats::get().max_bytes
}

#[tokio::test(flavor = "current_thread")]
async fn memory_is_flat_in_the_number_of_pages() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // The peak only grows: if 100 pages needed more memory than 10, it would show here.
    let after_small = peak_after_streaming(10).await;
    let after_large = peak_after_streaming(100).await;
    // Keeping the items of 90 more pages would add several MB; streaming holds one page at a
    // time, so the peak barely moves.
    assert!(
        after_large < after_small + after_small / 2,
        "peak grew with the page count: after 10 pages {after_small} B, after 100 pages {after_large} B"
    );
    eprintln!(
        "peak live heap: after streaming 10 pages {after_small} B, after 100 pages {after_large} B"
    );
}
