//! Overhead of the client over a raw `reqwest` call to the same local server, in the same run.
//!
//! ```text
//! cargo bench -p lark-im-chat --bench client
//! ```
//!
//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1 (its own thread and runtime) answers a fixed,
//! realistic `chat.get` body (~1.3 KB), the token endpoint, and 100 pages of 100 chat members.
//! Both sides share one `reqwest::Client` (30 s timeout); the raw side sends the same request
//! with the same headers and decodes the same typed response data with `serde_json`, so the
//! difference is what the client adds: request description, token cache, retry loop, tracing
//! spans, envelope decoding.
//!
//! - `get_chat/sequential`: one call at a time.
//! - `get_chat/64_in_flight`: 64 concurrent calls on a current-thread runtime.
//! - `paginate_members/10000`: 10,000 members, 100 per page, collected as a stream.
//! - `drift/get_chat_*`: one `chat.get` at a time without a [`DriftLog`] (`off`), with one on a
//!   body the spec fully knows (`on`), and with one on a body carrying a new field and a new
//!   enum value already noted (`on_drifted`): the cost of the second walk over the body.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use futures::TryStreamExt;
use lark_im_chat::prelude::*;
use lark_im_chat::{
    drift::DriftLog,
    types::{ChatDetail, ChatMembersGetResponse, ListMember},
    Client,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const TOKEN: &str = "t-g1044qeGEDXTB6NDJOGV4JQCYDGHRBARFTGT1234";
const PAGES: usize = 100;
/// Chat id the server answers with [`drifted_chat_body`].
const DRIFTED_CHAT: &str = "oc_drifted";

fn chat_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"code": 0, "msg": "success", "data": {
        "avatar": "https://s1-imfile.feishucdn.com/static-resource/v1/v2_c8d2cd50-ba3d-4d2b-8e4a-1b2c3d4e5f6g~?image_size=72x72",
        "name": "Incident 4711", "description": "Payments outage war room",
        "i18n_names": {"zh_cn": "事故 4711", "en_us": "Incident 4711"},
        "add_member_permission": "all_members", "share_card_permission": "allowed",
        "at_all_permission": "only_owner", "edit_permission": "all_members",
        "owner_id_type": "open_id", "owner_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs",
        "user_manager_id_list": ["ou_9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
        "bot_manager_id_list": ["cli_a5f3c9e7d2b4100d"],
        "group_message_type": "chat", "chat_mode": "group", "chat_type": "private", "chat_tag": "inner",
        "join_message_visibility": "all_members", "leave_message_visibility": "only_owner",
        "membership_approval": "no_approval_required", "moderation_permission": "all_members",
        "external": false, "tenant_key": "736588c9260f175d", "user_count": "1254", "bot_count": "3",
        "restricted_mode_setting": {"status": false, "screenshot_has_permission_setting": "all_members",
            "download_has_permission_setting": "all_members", "message_has_permission_setting": "all_members"},
        "urgent_setting": "all_members", "video_conference_setting": "all_members",
        "pin_manage_setting": "all_members", "hide_member_count_setting": "all_members", "chat_status": "normal"
    }}))
    .expect("json")
}

/// The `chat.get` body with a field and an enum value the spec does not know.
fn drifted_chat_body() -> Vec<u8> {
    let mut body: serde_json::Value = serde_json::from_slice(&chat_body()).expect("json");
    body["data"]["brand_new_setting"] = serde_json::json!({"enabled": true});
    body["data"]["chat_mode"] = "galaxy".into();
    serde_json::to_vec(&body).expect("json")
}

fn member_page(page: usize) -> Vec<u8> {
    let items: Vec<_> = (page * 100..page * 100 + 100)
        .map(|i| {
            serde_json::json!({"member_id_type": "open_id", "member_id": format!("ou_{i:032x}"),
            "name": format!("Member {i}"), "tenant_key": "736588c9260f175d"})
        })
        .collect();
    let more = page + 1 < PAGES;
    let mut data =
        serde_json::json!({"items": items, "has_more": more, "member_total": PAGES * 100});
    if more {
        data["page_token"] = format!("cursor-{}", page + 1).into();
    }
    serde_json::to_vec(&serde_json::json!({"code": 0, "msg": "success", "data": data}))
        .expect("json")
}

struct Bodies {
    chat: Vec<u8>,
    drifted_chat: Vec<u8>,
    token: Vec<u8>,
    pages: Vec<Vec<u8>>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn serve_connection(mut stream: tokio::net::TcpStream, bodies: Arc<Bodies>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // One request head (and body, if any).
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let content_length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_end + content_length {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
        buf.drain(..head_end + content_length);
        let body: &[u8] = if target.starts_with("/open-apis/auth/") {
            &bodies.token
        } else if target.contains("/members") {
            let page = target
                .split("page_token=cursor-")
                .nth(1)
                .and_then(|rest| rest.split('&').next())
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
            &bodies.pages[page.min(PAGES - 1)]
        } else if target.contains(DRIFTED_CHAT) {
            &bodies.drifted_chat
        } else {
            &bodies.chat
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\nx-tt-logid: 20241125103045EC1B3D7E\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let mut out = Vec::with_capacity(head.len() + body.len());
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(body);
        if stream.write_all(&out).await.is_err() {
            return;
        }
    }
}

/// Starts the server on its own thread and runtime; returns its address.
fn start_server() -> SocketAddr {
    let bodies = Arc::new(Bodies {
        chat: chat_body(),
        drifted_chat: drifted_chat_body(),
        token: serde_json::to_vec(&serde_json::json!({
            "code": 0, "msg": "ok", "tenant_access_token": TOKEN, "expire": 7200
        }))
        .expect("json"),
        pages: (0..PAGES).map(member_page).collect(),
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr"))
                .expect("send addr");
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve_connection(stream, bodies.clone()));
            }
        });
    });
    rx.recv().expect("server address")
}

#[derive(serde::Deserialize)]
struct RawEnvelope<T> {
    code: i64,
    data: Option<T>,
}

async fn raw_get_chat(http: &reqwest::Client, url: &str) -> ChatDetail {
    let bytes = http
        .get(url)
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .expect("send")
        .bytes()
        .await
        .expect("body");
    let env: RawEnvelope<ChatDetail> = serde_json::from_slice(&bytes).expect("decode");
    assert_eq!(env.code, 0);
    env.data.expect("data")
}

async fn raw_members(http: &reqwest::Client, base: &str) -> Vec<ListMember> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut url = format!(
            "{base}/open-apis/im/v1/chats/{CHAT}/members?member_id_type=open_id&page_size=100"
        );
        if let Some(t) = &token {
            url.push_str("&page_token=");
            url.push_str(t);
        }
        let bytes = http
            .get(url)
            .header("authorization", format!("Bearer {TOKEN}"))
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect("body");
        let env: RawEnvelope<ChatMembersGetResponse> =
            serde_json::from_slice(&bytes).expect("decode");
        let page = env.data.expect("data");
        all.extend(page.items.unwrap_or_default());
        if page.has_more != Some(true) {
            return all;
        }
        token = page.page_token;
    }
}

fn benches(c: &mut Criterion) {
    let addr = start_server();
    let base = format!("http://{addr}");
    let chat_url = format!("{base}/open-apis/im/v1/chats/{CHAT}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // One reqwest client, configured as in production (30 s timeout), used by both sides: the
    // difference measured is the client layer alone.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("reqwest");
    let client = Client::builder("cli_bench", "bench-secret")
        .base_url(&base)
        .http_client(http.clone())
        .build()
        .expect("client");
    // Warm up: token fetched and cached, connections open.
    rt.block_on(async {
        client.chat(CHAT).get().send().await.expect("warm client");
        raw_get_chat(&http, &chat_url).await;
    });

    let mut group = c.benchmark_group("get_chat");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sequential/client", |b| {
        b.to_async(&rt).iter(|| async {
            let chat = client.chat(CHAT).get().send().await.expect("call");
            assert_eq!(chat.user_count, Some(1254));
        })
    });
    group.bench_function("sequential/raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let chat = raw_get_chat(&http, &chat_url).await;
            assert_eq!(chat.user_count, Some(1254));
        })
    });
    group.throughput(Throughput::Elements(64));
    group.bench_function("64_in_flight/client", |b| {
        b.to_async(&rt).iter(|| async {
            let calls = (0..64).map(|_| client.chat(CHAT).get().send());
            for r in futures::future::join_all(calls).await {
                r.expect("call");
            }
        })
    });
    group.bench_function("64_in_flight/raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let calls = (0..64).map(|_| raw_get_chat(&http, &chat_url));
            futures::future::join_all(calls).await;
        })
    });
    group.finish();

    let mut group = c.benchmark_group("paginate_members");
    group.throughput(Throughput::Elements((PAGES * 100) as u64));
    group.sample_size(10);
    group.bench_function("10000/client", |b| {
        b.to_async(&rt).iter(|| async {
            let members: Vec<_> = client
                .chat(CHAT)
                .members()
                .get()
                .member_id_type("open_id")
                .page_size(100)
                .items()
                .try_collect()
                .await
                .expect("listing");
            assert_eq!(members.len(), PAGES * 100);
        })
    });
    group.bench_function("10000/raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let members = raw_members(&http, &base).await;
            assert_eq!(members.len(), PAGES * 100);
        })
    });
    group.finish();

    drift(c, &rt, &base, &http, &client);
}

/// The same sequential `chat.get` without and with a [`DriftLog`].
fn drift(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    base: &str,
    http: &reqwest::Client,
    off: &Client,
) {
    let log = DriftLog::new();
    let on = Client::builder("cli_bench", "bench-secret")
        .base_url(base)
        .http_client(http.clone())
        .drift_log(log.clone())
        .build()
        .expect("client");
    rt.block_on(async {
        on.chat(CHAT).get().send().await.expect("warm client");
        on.chat(DRIFTED_CHAT)
            .get()
            .send()
            .await
            .expect("warm client");
    });
    assert_eq!(
        log.len(),
        2,
        "the drifted body is noted: {:?}",
        log.snapshot()
    );

    let mut group = c.benchmark_group("drift");
    group.throughput(Throughput::Elements(1));
    for (name, client, chat) in [
        ("get_chat_off", off, CHAT),
        ("get_chat_on", &on, CHAT),
        ("get_chat_on_drifted", &on, DRIFTED_CHAT),
    ] {
        group.bench_function(name, |b| {
            b.to_async(rt).iter(|| async {
                let chat = client.chat(chat).get().send().await.expect("call");
                assert_eq!(chat.user_count, Some(1254));
            })
        });
    }
    group.finish();
    assert_eq!(log.len(), 2, "noted once: {:?}", log.snapshot());
}

criterion_group! {
    name = client_benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(client_benches);
