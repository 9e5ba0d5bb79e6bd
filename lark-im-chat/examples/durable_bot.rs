//! A bot whose "added to a chat" work takes longer than the platform's 3-second window: the
//! event is acknowledged as soon as it is recorded in a Redis stream, and a worker does the
//! slow part afterwards (here: three pages of "members" at 1.5 s each), with retries.
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p lark-im-chat --features redis --example durable_bot
//! ```
//!
//! Without `REDIS_URL`, a throwaway `redis-server` is started on a free loopback port (it must
//! be installed). The example delivers one `im.chat.member.bot.added_v1` event the way the
//! webhook and the long connection do (through the dispatcher), prints the answer the platform
//! would get and how fast, then lets the worker do the slow work and prints one JSON line per
//! step. Run several copies against one Redis: each event is handled by one of them, and the
//! work of a killed copy is finished by another after the visibility timeout.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::durable::{DurableOptions, DurableQueue};
use lark_im_chat::events::ChatMemberBotAddedV1;
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisDurable};
use std::time::{Duration, Instant};

const APP_ID: &str = "cli_9f5343c580712544";

fn bot_added(event_id: &str) -> Vec<u8> {
    serde_json::json!({
        "schema": "2.0",
        "header": {"event_id": event_id, "event_type": "im.chat.member.bot.added_v1",
                   "create_time": "1608725989000", "app_id": APP_ID, "tenant_key": "2ca1d211f64f6438"},
        "event": {"chat_id": "oc_413871c6cde5ed1f1d6ad2f8e07e9b55", "name": "launch",
                  "operator_id": {"open_id": "ou_9d8a3f2e1c"}}
    })
    .to_string()
    .into_bytes()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_server, url) = match std::env::var("REDIS_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let server = redis_server::RedisServer::start()?;
            let url = server.url();
            (Some(server), url)
        }
    };
    let redis = RedisConnection::open(&url)?;
    let queue = DurableQueue::from(RedisDurable::new(&redis, APP_ID)).options(
        DurableOptions::default()
            .attempt_deadline(Duration::from_secs(120))
            .max_attempts(5),
    );
    let dispatcher = Dispatcher::builder()
        .durable_queue(queue)
        .on_chat_member_bot_added(|e| async move {
            let chat = e.event.chat_id.clone().unwrap_or_default();
            // The slow part: page through the members, then greet (stand-ins for API calls).
            for page in 1..=3 {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                println!(
                    r#"{{"event_id":"{}","chat_id":"{chat}","members_page":{page}}}"#,
                    e.header.event_id
                );
            }
            println!(
                r#"{{"event_id":"{}","chat_id":"{chat}","welcomed":true}}"#,
                e.header.event_id
            );
            Ok(())
        })
        .durable::<ChatMemberBotAddedV1>()
        .build()?;

    // What the webhook route or the long connection does with a delivery:
    let started = Instant::now();
    let outcome = dispatcher
        .dispatch_plaintext(&bot_added("5e3702a84e847582be8db7fb73283c02"))
        .await;
    println!(
        r#"{{"answer":{},"answered_in_ms":{}}}"#,
        outcome.status().as_u16(),
        started.elapsed().as_millis()
    );

    let queue = dispatcher
        .durable_queue()
        .cloned()
        .ok_or("no durable queue")?;
    let worker = dispatcher.durable_worker().ok_or("no durable queue")?;
    // Stop when the work is done (a real bot stops on SIGTERM instead).
    let done = async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            match queue.stats().await {
                Ok(s) if s.depth == 0 && s.scheduled_retries == 0 => return,
                _ => {}
            }
        }
    };
    let report = worker.run(done).await;
    println!(
        r#"{{"handled":{},"attempts":{},"dead_lettered":{}}}"#,
        report.handled, report.attempts, report.dead_lettered
    );
    Ok(())
}
