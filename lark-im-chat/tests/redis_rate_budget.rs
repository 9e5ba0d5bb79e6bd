//! One rate budget for all replicas through a real `redis-server` on 127.0.0.1: a rate-limit
//! answer seen by one replica pauses the others, and the replicas together stay under a limit.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

use lark_im_chat::prelude::*;
use lark_im_chat::redis::{Limit, RedisConnection, RedisOptions, RedisRateBudget};
use lark_im_chat::Client;
use redis_server::RedisServer;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
const APP_ID: &str = "cli_budget";

/// The chat endpoint: records when each request arrived; the first one is answered with a
/// rate limit (reset in `reset_s` seconds) when `throttle_first` is set.
struct Chat {
    arrivals: Mutex<Vec<Instant>>,
    throttle_first: AtomicBool,
    reset_s: u64,
}

struct ChatEndpoint(Arc<Chat>);

impl Respond for ChatEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let chat = &self.0;
        chat.arrivals.lock().expect("lock").push(Instant::now());
        if chat.throttle_first.swap(false, Ordering::SeqCst) {
            return ResponseTemplate::new(429)
                .insert_header("x-ogw-ratelimit-limit", "50")
                .insert_header("x-ogw-ratelimit-reset", chat.reset_s.to_string().as_str())
                .set_body_json(
                    json!({"code": 99991400, "msg": "request trigger frequency limit"}),
                );
        }
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"name": "Incident 4711"}}))
    }
}

async fn platform(throttle_first: bool, reset_s: u64) -> (MockServer, Arc<Chat>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-budget", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    let chat = Arc::new(Chat {
        arrivals: Mutex::default(),
        throttle_first: AtomicBool::new(throttle_first),
        reset_s,
    });
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ChatEndpoint(chat.clone()))
        .mount(&server)
        .await;
    (server, chat)
}

/// A replica: its own Redis connection and budget, and a client using them.
fn replica(
    server: &MockServer,
    redis: &RedisServer,
    budget: impl Fn(RedisRateBudget) -> RedisRateBudget,
) -> (Client, RedisConnection) {
    let options = RedisOptions::default().retry_interval(Duration::from_millis(50));
    let connection = RedisConnection::with_options(&redis.url(), options).expect("url");
    let client = Client::builder(APP_ID, "secret")
        .base_url(server.uri())
        .rate_budget(Arc::new(budget(RedisRateBudget::new(&connection, APP_ID))))
        .build()
        .expect("client");
    (client, connection)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_seen_by_one_replica_pauses_the_others() {
    let redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let (server, chat) = platform(true, 2).await;
    let replicas: Vec<Client> = (0..3).map(|_| replica(&server, &redis, |b| b).0).collect();

    // Replica 0 is throttled; it pauses the family for everybody, then retries after the reset.
    let first = replicas[0].clone();
    let throttled = tokio::spawn(async move { first.chat(CHAT).get().send().await });
    let deadline = Instant::now() + Duration::from_secs(5);
    while !redis
        .command("KEYS *:chat.get:paused")
        .expect("keys")
        .contains("paused")
    {
        assert!(Instant::now() < deadline, "no pause was shared");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let throttled_at = chat.arrivals.lock().expect("lock")[0];
    let paused_seen = Instant::now();

    // The other replicas call now: their requests wait for the reset.
    let others = replicas[1..].iter().map(|c| {
        let c = c.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            c.chat(CHAT).get().send().await.map(|_| started.elapsed())
        })
    });
    let waits: Vec<Duration> = futures::future::join_all(others)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("call after the pause"))
        .collect();
    throttled
        .await
        .expect("task")
        .expect("retried after the reset");

    let arrivals = chat.arrivals.lock().expect("lock").clone();
    assert_eq!(
        arrivals.len(),
        4,
        "the throttled call, its retry and one per other replica"
    );
    let pause_end = throttled_at + Duration::from_millis(1900);
    let during_pause = arrivals
        .iter()
        .filter(|t| **t > paused_seen && **t < pause_end)
        .count();
    assert_eq!(
        during_pause, 0,
        "no request reached the server during the pause"
    );
    for wait in waits {
        assert!(wait >= Duration::from_millis(1500), "waited {wait:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_together_stay_under_one_limit() {
    let redis = RedisServer::start().expect("redis-server");
    let (server, chat) = platform(false, 0).await;
    let limit = Limit::per_second(10).burst(2);
    let replicas: Vec<Client> = (0..3)
        .map(|_| replica(&server, &redis, |b| b.limits("chat.get", [limit])).0)
        .collect();
    let started = Instant::now();
    let runs = replicas.into_iter().map(|c| {
        tokio::spawn(async move {
            for _ in 0..10 {
                c.chat(CHAT).get().send().await.expect("call");
            }
        })
    });
    for r in futures::future::join_all(runs).await {
        r.expect("task");
    }
    let elapsed = started.elapsed();
    // 30 requests at 10/s after a burst of 2: at least 2.8 s.
    assert!(elapsed >= Duration::from_millis(2600), "{elapsed:?}");
    let arrivals = chat.arrivals.lock().expect("lock").clone();
    assert_eq!(arrivals.len(), 30);
    // In any one-second window: at most the burst plus one second's worth (a little slack for
    // the time between admission and arrival).
    for (i, t) in arrivals.iter().enumerate() {
        let in_window = arrivals[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(in_window <= 15, "{in_window} requests within one second");
    }
}

#[tokio::test]
async fn without_redis_the_budget_admits_and_calls_go_through() {
    let mut redis = RedisServer::start().expect("redis-server");
    let (server, chat) = platform(false, 0).await;
    let (client, connection) = replica(&server, &redis, |b| {
        b.limits("chat.get", [Limit::per_second(1).burst(1)])
    });
    client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call with Redis up");
    redis.stop();
    let started = Instant::now();
    for _ in 0..5 {
        client
            .chat(CHAT)
            .get()
            .send()
            .await
            .expect("call with Redis down");
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(!connection.is_available());
    assert_eq!(chat.arrivals.lock().expect("lock").len(), 6);
}
