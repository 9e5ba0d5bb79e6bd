//! Users' tokens shared by replicas through a real `redis-server` on 127.0.0.1.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

use lark_im_chat::auth::user::{UserToken, UserTokenStore};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisOptions, RedisUserTokenStore};
use lark_im_chat::Client;
use redis_server::RedisServer;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_ID: &str = "cli_users";
const SECRET: &str = "users-secret";

fn store(redis: &RedisServer, secret: &str) -> RedisUserTokenStore {
    let options = RedisOptions::default().retry_interval(Duration::from_millis(50));
    let connection = RedisConnection::with_options(&redis.url(), options).expect("url");
    RedisUserTokenStore::new(&connection, APP_ID, secret)
}

fn alice_token() -> UserToken {
    UserToken::new(
        "u-alice-access",
        Duration::from_secs(7200),
        Some("ur-alice-refresh".into()),
        Some(Duration::from_secs(86_400)),
        vec!["offline_access".into()],
    )
}

/// Whether `read` is alice's token (times are stored to the second).
fn is_alice(read: Option<UserToken>) -> bool {
    let Some(read) = read else { return false };
    let expected = alice_token();
    let close = |a: std::time::SystemTime, b: std::time::SystemTime| {
        a.duration_since(b)
            .or_else(|_| b.duration_since(a))
            .expect("ordered")
            < Duration::from_secs(2)
    };
    read.access_token == expected.access_token
        && read.refresh_token == expected.refresh_token
        && read.scopes == expected.scopes
        && close(read.access_expires_at, expected.access_expires_at)
        && matches!((read.refresh_expires_at, expected.refresh_expires_at), (Some(a), Some(b)) if close(a, b))
}

#[tokio::test]
async fn a_token_written_by_one_replica_is_read_by_another_until_removed() {
    let redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let (a, b) = (store(&redis, SECRET), store(&redis, SECRET));
    assert_eq!(b.get("ou_alice").await.expect("get"), None);
    a.set("ou_alice", alice_token()).await.expect("set");
    assert!(is_alice(b.get("ou_alice").await.expect("get")));
    // Another app with the same id but another secret sees nothing.
    assert_eq!(
        store(&redis, "other").get("ou_alice").await.expect("get"),
        None
    );
    // The entry lives as long as the refresh token (one day), not forever.
    let keys = redis.command("KEYS *user_token*").expect("keys");
    let key = keys
        .lines()
        .find(|l| l.contains("user_token"))
        .expect("one key")
        .to_owned();
    let ttl = redis.command(&format!("PTTL {key}")).expect("pttl");
    let ttl_ms: i64 = ttl
        .trim()
        .trim_start_matches(':')
        .parse()
        .expect("integer reply");
    assert!(ttl_ms > 86_000_000 && ttl_ms <= 86_400_000, "{ttl_ms}");
    b.remove("ou_alice").await.expect("remove");
    assert_eq!(a.get("ou_alice").await.expect("get"), None);
    // Long user keys are bounded (hashed) and still work.
    let long = "u".repeat(5000);
    a.set(&long, alice_token()).await.expect("set long");
    assert!(is_alice(b.get(&long).await.expect("get long")));
}

#[tokio::test]
async fn a_replica_calls_as_a_user_signed_in_on_another() {
    let redis = RedisServer::start().expect("redis-server");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats"))
        .and(header("authorization", "Bearer u-alice-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "success", "data": {"items": [], "has_more": false}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let replica = |redis: &RedisServer| {
        let client = Client::builder(APP_ID, SECRET)
            .base_url(server.uri())
            .build()
            .expect("client");
        let users = client
            .user_tokens()
            .store(Arc::new(store(redis, SECRET)))
            .build();
        (client, users)
    };
    let (_, signed_in_here) = replica(&redis);
    let (other_client, other_users) = replica(&redis);
    signed_in_here
        .save("ou_alice", alice_token())
        .await
        .expect("save");
    other_client
        .as_user_with(other_users.user("ou_alice"))
        .chats()
        .list()
        .send()
        .await
        .expect("call as alice on the other replica");
}

#[tokio::test]
async fn while_redis_is_down_the_store_reports_errors_without_token_values() {
    let mut redis = RedisServer::start().expect("redis-server");
    let store = store(&redis, SECRET);
    store.set("ou_alice", alice_token()).await.expect("set");
    redis.stop();
    let errors = [
        store
            .get("ou_alice")
            .await
            .map(drop)
            .expect_err("get fails"),
        store
            .set("ou_alice", alice_token())
            .await
            .expect_err("set fails"),
        store.remove("ou_alice").await.expect_err("remove fails"),
    ];
    for error in errors {
        let text = error.to_string();
        assert!(
            !text.contains("u-alice") && !text.contains("ur-alice"),
            "{text}"
        );
    }
    redis.restart().expect("restart");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while store.get("ou_alice").await.is_err() {
        assert!(std::time::Instant::now() < deadline, "never recovered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    store
        .set("ou_alice", alice_token())
        .await
        .expect("set after restart");
    assert!(is_alice(store.get("ou_alice").await.expect("get")));
}
