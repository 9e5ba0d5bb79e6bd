//! A client and an event dispatcher configured for several replicas of one app sharing one
//! Redis: shared app and user tokens, exactly-once event handling, one rate budget.
//!
//! ```text
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p lark-im-chat --features redis --example replicas
//! ```
//!
//! Without `REDIS_URL`, a throwaway `redis-server` is started on a free loopback port (it must
//! be installed). The example makes no API call: it builds what each replica builds, delivers
//! one event to two replicas to show that only one handles it, and saves a user's token on one
//! replica to show that the other sees it.

#[path = "../tests/support/redis_server.rs"]
mod redis_server;

use http::HeaderMap;
use lark_im_chat::auth::user::{UserToken, UserTokenSource};
use lark_im_chat::events::dispatch::{Dispatcher, WebhookDispatcher};
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{
    DedupFallback, Limit, RedisConnection, RedisDedup, RedisRateBudget, RedisTokenStore,
    RedisUserTokenStore,
};
use lark_im_chat::Client;
use std::sync::Arc;
use std::time::Duration;

const APP_ID: &str = "cli_a1b2c3";
const APP_SECRET: &str = "app-secret";
const VERIFICATION_TOKEN: &str = "verification-token";

/// Everything one replica (one process) sets up.
struct Replica {
    client: Client,
    users: UserTokenSource,
    dispatcher: WebhookDispatcher,
}

fn replica(
    name: &'static str,
    redis: &RedisConnection,
) -> Result<Replica, Box<dyn std::error::Error>> {
    // Tokens: one fetch for all replicas, a local cache in front of Redis.
    let tokens = RedisTokenStore::new(redis, APP_SECRET);
    // Rate budget: the default 1000/min & 50/s per operation, 5/s for adding members.
    let budget =
        RedisRateBudget::new(redis, APP_ID).limits("chat_members.create", [Limit::per_second(5)]);
    let client = Client::builder(APP_ID, APP_SECRET)
        .token_store(Arc::new(tokens))
        .rate_budget(Arc::new(budget))
        .build()?;
    // User tokens: a user signed in on one replica can be served by any of them.
    let users = client
        .user_tokens()
        .store(Arc::new(RedisUserTokenStore::new(
            redis, APP_ID, APP_SECRET,
        )))
        .build();

    // Events: each one handled by one replica; while Redis is down, answer 503 so the
    // platform redelivers later (the default).
    let config = WebhookConfig::builder()
        .verification_token(VERIFICATION_TOKEN)
        .build()?;
    let dispatcher = Dispatcher::builder()
        .dedup(RedisDedup::new(redis, APP_ID).fallback(DedupFallback::Reject))
        .on_chat_updated(move |e| async move {
            println!(
                "{name} handles {} for chat {:?}",
                e.header.event_id, e.event.chat_id
            );
            Ok(())
        })
        .build()?
        .with_webhook(WebhookReceiver::new(config));
    Ok(Replica {
        client,
        users,
        dispatcher,
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (url, _server) = match std::env::var("REDIS_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let server = redis_server::RedisServer::start()?;
            (server.url(), Some(server))
        }
    };
    // One connection per process, shared by its stores.
    let a = replica("replica-a", &RedisConnection::open(&url)?)?;
    let b = replica("replica-b", &RedisConnection::open(&url)?)?;
    println!(
        "clients ready for {} and {}",
        a.client.base_url(),
        b.client.base_url()
    );

    let body = serde_json::json!({
        "schema": "2.0",
        "header": {
            "event_id": format!("example-{:x}", rand::random::<u64>()),
            "event_type": "im.chat.updated_v1",
            "token": VERIFICATION_TOKEN,
            "app_id": APP_ID
        },
        "event": {"chat_id": "oc_a0553eda9014c201e6969b478895c230"}
    })
    .to_string();
    let headers = HeaderMap::new();
    let (first, second) = tokio::join!(
        a.dispatcher.dispatch(&headers, body.as_bytes()),
        b.dispatcher.dispatch(&headers, body.as_bytes()),
    );
    for (name, outcome) in [("replica-a", first), ("replica-b", second)] {
        let verdict = if outcome.is_duplicate() {
            "duplicate"
        } else {
            "handled"
        };
        println!("{name}: HTTP {} ({verdict})", outcome.status());
    }

    // A user signs in on replica A (here: a made-up token); replica B sees the token.
    let token = UserToken::new(
        "u-example",
        Duration::from_secs(7200),
        Some("ur-example".into()),
        Some(Duration::from_secs(86_400)),
        vec!["offline_access".into()],
    );
    a.users.save("ou_example", token).await?;
    let seen = b.users.stored("ou_example").await?.is_some();
    println!("replica-b sees the user signed in on replica-a: {seen}");
    Ok(())
}
