//! Memory stays flat while Redis is down: a replica keeps handling webhook deliveries (de-dup
//! fallback "handle anyway") and API calls (tokens cached locally) without buffering anything.
//! Measured with dhat's counting allocator (bytes, not time: no timing is asserted).

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

use http::HeaderMap;
use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{DedupFallback, RedisConnection, RedisDedup, RedisTokenStore};
use lark_im_chat::Client;
use redis_server::RedisServer;
use serde_json::json;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const TOKEN: &str = "v3rificati0n-t0ken";
const APP_ID: &str = "cli_outage";
const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

fn delivery(n: usize) -> Vec<u8> {
    json!({
        "schema": "2.0",
        "header": {"event_id": format!("ev-{n:06}"), "event_type": "im.chat.updated_v1", "token": TOKEN, "app_id": APP_ID},
        "event": {"chat_id": CHAT}
    })
    .to_string()
    .into_bytes()
}

/// A minimal keep-alive HTTP/1.1 platform on 127.0.0.1 (a recording mock server would itself
/// grow with the calls): the token endpoint for POST, a chat for anything else.
async fn serve_platform() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                loop {
                    let (mut first, mut length) = (String::new(), 0usize);
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if first.is_empty() {
                            first = line.clone();
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0u8; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = if first.starts_with("POST") {
                        r#"{"code":0,"msg":"ok","tenant_access_token":"t-outage","expire":7200}"#
                    } else {
                        r#"{"code":0,"msg":"success","data":{"name":"Incident 4711"}}"#
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if stream
                        .get_mut()
                        .write_all(response.as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Bytes live on the heap now.
fn live() -> usize {
    dhat::HeapStats::get().curr_bytes
}

#[test]
fn memory_stays_flat_while_redis_is_down() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let base_url = serve_platform().await;
        let connection = RedisConnection::open(&redis.url()).expect("url");
        let client = Client::builder(APP_ID, "secret")
            .base_url(base_url)
            .token_store(Arc::new(RedisTokenStore::new(&connection, "secret")))
            .build()
            .expect("client");
        let config = WebhookConfig::builder()
            .verification_token(TOKEN)
            .build()
            .expect("config");
        let dispatcher = Dispatcher::builder()
            .dedup(RedisDedup::new(&connection, APP_ID).fallback(DedupFallback::HandleAnyway))
            .on_chat_updated(|_| async { Ok(()) })
            .build()
            .expect("dispatcher")
            .with_webhook(WebhookReceiver::new(config));
        client
            .chat(CHAT)
            .get()
            .send()
            .await
            .expect("call with Redis up");
        redis.stop();

        let headers = HeaderMap::new();
        let round = |from: usize, to: usize| {
            let (client, dispatcher, headers) = (&client, &dispatcher, &headers);
            async move {
                for n in from..to {
                    let outcome = dispatcher.dispatch(headers, &delivery(n)).await;
                    assert!(outcome.is_success(), "{outcome:?}");
                    if n % 10 == 0 {
                        client
                            .chat(CHAT)
                            .get()
                            .send()
                            .await
                            .expect("call with Redis down");
                    }
                }
            }
        };
        round(0, 500).await;
        let after_warm_up = live();
        round(500, 3_000).await;
        let after_more = live();
        eprintln!("live heap: {after_warm_up} bytes after 500 deliveries, {after_more} after 3000");
        // Five times more work, and (almost) no more memory: nothing queues up for Redis.
        assert!(
            after_more <= after_warm_up + 64 * 1024,
            "{after_warm_up} bytes after 500 deliveries, {after_more} after 3000"
        );
        assert!(!connection.is_available());
    });
}
