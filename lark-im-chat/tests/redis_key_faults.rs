//! One bad key is not "Redis down": on a real `redis-server` on 127.0.0.1, a value of the wrong
//! type at one key fails the operations on that key only, with an error naming the kind of
//! key; every other key, event and caller goes on; a de-dup key holding something this library
//! did not write is never taken for "already handled"; a wrong password says so.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

#[path = "support/deliveries.rs"]
mod deliveries;

use http::{HeaderMap, StatusCode};
use lark_im_chat::auth::user::{UserToken, UserTokenStore};
use lark_im_chat::events::dispatch::{Dispatcher, Outcome, WebhookDispatcher};
use lark_im_chat::events::webhook::{DedupStore, WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisDedup, RedisOptions, RedisUserTokenStore};
use redis_server::RedisServer;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "v3rificati0n-t0ken";
const APP_ID: &str = "cli_9f5343c580712544";
const SECRET: &str = "users-secret";

/// A plaintext `im.chat.updated_v1` callback with event id `id`.
fn delivery(id: &str) -> Vec<u8> {
    deliveries::chat_updated(id, TOKEN, APP_ID)
}

/// The default options (1 s between probes while down, as in production).
fn connection(redis: &RedisServer) -> RedisConnection {
    RedisConnection::with_options(&redis.url(), RedisOptions::default()).expect("url")
}

fn dispatcher(connection: &RedisConnection, calls: &Arc<AtomicUsize>) -> WebhookDispatcher {
    let config = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    let calls = Arc::clone(calls);
    Dispatcher::builder()
        .dedup(RedisDedup::new(connection, APP_ID))
        .on_chat_updated(move |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config))
}

fn token(name: &str) -> UserToken {
    UserToken::new(
        format!("u-{name}-access"),
        Duration::from_secs(7200),
        Some(format!("ur-{name}-refresh").into()),
        Some(Duration::from_secs(86_400)),
        vec![],
    )
}

#[tokio::test]
async fn a_hash_at_one_user_token_key_leaves_other_events_and_users_unaffected() {
    let redis = RedisServer::start().expect("redis-server");
    let connection = connection(&redis);
    let users = RedisUserTokenStore::new(&connection, APP_ID, SECRET);
    users.set("ou_alice", token("alice")).await.expect("set");
    let keys = redis.command("KEYS *user_token*").expect("keys");
    let key = keys
        .lines()
        .find(|l| l.contains("user_token"))
        .expect("alice's key")
        .to_owned();
    redis.command(&format!("DEL {key}")).expect("del");
    redis.command(&format!("HSET {key} f v")).expect("hset");

    let calls = Arc::new(AtomicUsize::new(0));
    let dispatcher = dispatcher(&connection, &calls);
    let (mut events, mut refused, mut alice_errors) = (0usize, 0usize, Vec::new());
    let (mut bob_calls, mut bob_failures) = (0usize, 0usize);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        // Alice's poisoned key is read between the events, as a busy bot would.
        alice_errors.push(users.get("ou_alice").await.map(drop).expect_err("a hash"));
        for _ in 0..5 {
            let outcome = dispatcher
                .dispatch(&HeaderMap::new(), &delivery(&format!("ev-{events}")))
                .await;
            events += 1;
            if outcome.status() != StatusCode::OK {
                refused += 1;
            }
        }
        bob_calls += 1;
        if users.set("ou_bob", token("bob")).await.is_err() {
            bob_failures += 1;
        }
    }
    eprintln!(
        "hash at one user token key: {refused} of {events} unrelated events refused; \
         {bob_failures} of {bob_calls} writes for another user failed; \
         {} errors for that user, e.g. {:?}",
        alice_errors.len(),
        alice_errors[0].to_string()
    );
    assert_eq!(refused, 0, "unrelated events answered non-200");
    assert_eq!(bob_failures, 0, "another user's writes failed");
    assert_eq!(calls.load(Ordering::SeqCst), events);
    assert!(connection.is_available(), "one bad key is not Redis down");
    assert!(users.get("ou_bob").await.expect("bob").is_some());
    for error in &alice_errors {
        let text = error.to_string();
        assert!(text.contains("user token"), "names the key kind: {text}");
        assert!(
            !text.contains("u-alice") && !text.contains("ur-alice"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_list_at_a_dedup_key_is_never_taken_for_handled() {
    let redis = RedisServer::start().expect("redis-server");
    let connection = connection(&redis);
    let calls = Arc::new(AtomicUsize::new(0));
    let dispatcher = dispatcher(&connection, &calls);
    let prefix = format!("lark:dedup:{APP_ID}:20:{APP_ID}");
    redis
        .command(&format!("RPUSH {prefix}:ev-list a b"))
        .expect("rpush");
    redis
        .command(&format!("SET {prefix}:ev-foreign not-ours"))
        .expect("set");

    let mut answers = Vec::new();
    for id in ["ev-list", "ev-foreign"] {
        let outcome = dispatcher.dispatch(&HeaderMap::new(), &delivery(id)).await;
        eprintln!("{id}: answered {} ({outcome:?})", outcome.status());
        assert_ne!(outcome.status(), StatusCode::OK, "{outcome:?}");
        assert!(!outcome.is_duplicate());
        let Outcome::DedupFailed { error, .. } = &outcome else {
            panic!("a store error: {outcome:?}");
        };
        let text = format!(
            "{error}: {}",
            std::error::Error::source(error).expect("cause")
        );
        assert!(text.contains("de-dup"), "names the key kind: {text}");
        answers.push(outcome.status());
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "nothing handled on a foreign key"
    );
    // Every other event goes on, and Redis is not taken for down.
    for i in 0..50 {
        let outcome = dispatcher
            .dispatch(&HeaderMap::new(), &delivery(&format!("ev-ok-{i}")))
            .await;
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    }
    assert!(connection.is_available());
    // The store itself reports an error, never a duplicate.
    let store = RedisDedup::new(&connection, APP_ID);
    let key = format!("20:{APP_ID}:ev-list");
    assert!(store.check_and_mark(&key).await.is_err());
    assert!(store.forget(&key).await.is_err());
    // Once the operator removes the stray value, the event is handled.
    redis
        .command(&format!("DEL {prefix}:ev-list"))
        .expect("del");
    let outcome = dispatcher
        .dispatch(&HeaderMap::new(), &delivery("ev-list"))
        .await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    eprintln!("planted de-dup keys answered {answers:?}; 50 other events handled");
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_an_authentication_failure() {
    let redis = RedisServer::start_with_password("s3cret-pass").expect("redis-server");
    let good = connection(&redis);
    good.ping().await.expect("the right password works");

    let url = format!("redis://:wr0ng-pass@127.0.0.1:{}/", redis.port());
    let wrong = RedisConnection::with_options(&url, RedisOptions::default()).expect("url");
    let started = Instant::now();
    let error = wrong.ping().await.expect_err("refused");
    let text = error.to_string();
    eprintln!("wrong password: {text:?} after {:?}", started.elapsed());
    assert!(text.contains("authentication"), "{text}");
    assert!(!text.contains("did not answer"), "{text}");
    assert!(
        !text.contains("wr0ng-pass") && !text.contains("s3cret-pass"),
        "{text}"
    );
    assert!(!format!("{error:?}").contains("wr0ng-pass"));
    assert!(error.is_connection_level(), "auth makes the store down");
    assert!(!wrong.is_available());

    // No password at all against a server that needs one: also an authentication failure.
    let url = format!("redis://127.0.0.1:{}/", redis.port());
    let none = RedisConnection::with_options(&url, RedisOptions::default()).expect("url");
    let text = none.ping().await.expect_err("refused").to_string();
    eprintln!("no password: {text:?}");
    assert!(text.contains("authentication"), "{text}");
}
