//! Per-chat send limits (`rate_partition` of the spec): 230020 is waited out, a
//! `LocalRateBudget` paces sends per chat in one process, and a `RedisRateBudget` shares the
//! pacing and the pause after 230020 across replicas — on 127.0.0.1 with a real `redis-server`.

use lark_im_message::client::{Admission, LocalRateBudget, RateBudget, RateKey};
use lark_im_message::meta::{MESSAGE_CREATE, MESSAGE_FORWARD, MESSAGE_REPLY};
use lark_im_message::prelude::*;
use lark_im_message::redis::{RedisConnection, RedisRateBudget};
use lark_im_message::testing::RedisServer;
use lark_im_message::types::{MessageCreateBody, ReceiveIdType, SendMsgType};
use lark_im_message::Client;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const APP_ID: &str = "cli_a5f3c9e7d2b4100d";
const CHAT_A: &str = "oc_a0553eda9014c201e6969b478895c230";
const CHAT_B: &str = "oc_5ad11d72b830411d72b836c20";

/// Answers sends, recording when each arrived, for which chat and with which uuid; the first
/// send into `throttle` (if any) is answered 230020.
struct Sends {
    log: Arc<Mutex<Vec<(Instant, String, String)>>>,
    throttle: Option<&'static str>,
}

impl Respond for Sends {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let chat = body["receive_id"].as_str().unwrap_or_default().to_owned();
        let uuid = body["uuid"].as_str().unwrap_or_default().to_owned();
        let mut log = self.log.lock().expect("log");
        let first_into_throttled = Some(chat.as_str()) == self.throttle
            && !log
                .iter()
                .any(|(_, c, _)| Some(c.as_str()) == self.throttle);
        log.push((Instant::now(), chat, uuid));
        if first_into_throttled {
            return ResponseTemplate::new(400).set_body_json(json!({
                "code": 230020, "msg": "This operation triggers the frequency limit.", "data": {}
            }));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success",
            "data": {"message_id": "om_dc13264520392913993dd051dba21dcf", "chat_id": CHAT_A, "msg_type": "text"}
        }))
    }
}

type Log = Arc<Mutex<Vec<(Instant, String, String)>>>;

async fn platform(throttle: Option<&'static str>) -> (MockServer, Log) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": "t-g1044qeGEDXTB6NDJOGV4JQ", "expire": 7200
        })))
        .mount(&server)
        .await;
    let log: Log = Arc::default();
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/messages"))
        .respond_with(Sends {
            log: log.clone(),
            throttle,
        })
        .mount(&server)
        .await;
    (server, log)
}

fn client(server: &MockServer, budget: Arc<dyn RateBudget>) -> Client {
    Client::builder(APP_ID, "app-secret")
        .base_url(server.uri())
        .rate_budget(budget)
        .build()
        .expect("client")
}

async fn send(client: &Client, chat: &str) {
    client
        .messages()
        .create(
            ReceiveIdType::ChatId,
            MessageCreateBody::new(chat, SendMsgType::Text, r#"{"text":"hi"}"#),
        )
        .send()
        .await
        .expect("send");
}

/// Arrival times of the sends into `chat`, as offsets from the first one.
fn span_of(log: &Log, chat: &str) -> (usize, Duration) {
    let log = log.lock().expect("log");
    let times: Vec<Instant> = log
        .iter()
        .filter(|(_, c, _)| c == chat)
        .map(|(t, ..)| *t)
        .collect();
    let span = times
        .last()
        .zip(times.first())
        .map_or(Duration::ZERO, |(l, f)| *l - *f);
    (times.len(), span)
}

#[test]
fn the_local_budget_admits_five_sends_per_chat_then_spreads_them() {
    let budget = LocalRateBudget::new();
    let admit = |op, chat| futures::executor::block_on(budget.admit(RateKey::new(op, chat)));
    for _ in 0..5 {
        assert_eq!(admit(&MESSAGE_CREATE, Some(CHAT_A)), Admission::Now);
    }
    match admit(&MESSAGE_CREATE, Some(CHAT_A)) {
        Admission::Wait(d) => assert!(
            d > Duration::ZERO && d <= Duration::from_millis(200),
            "{d:?}"
        ),
        other => panic!("sixth send into one chat admitted: {other:?}"),
    }
    // Forwarding into the same chat counts against the same budget (bucket `receiver`).
    assert!(matches!(
        admit(&MESSAGE_FORWARD, Some(CHAT_A)),
        Admission::Wait(_)
    ));
    // Another chat, and an operation without a per-chat limit, are not slowed down.
    assert_eq!(admit(&MESSAGE_CREATE, Some(CHAT_B)), Admission::Now);
    assert_eq!(admit(&MESSAGE_REPLY, None), Admission::Now);
    assert_eq!(admit(&MESSAGE_CREATE, None), Admission::Now);
}

#[test]
fn the_local_budget_is_bounded_in_values_and_key_bytes() {
    let budget = LocalRateBudget::new().max_keys(3);
    let long_chat = "oc_".to_owned() + &"x".repeat(1 << 20);
    for n in 0..50 {
        let chat = if n == 0 {
            long_chat.clone()
        } else {
            format!("oc_chat_{n}")
        };
        let key = RateKey::new(&MESSAGE_CREATE, Some(&chat));
        // A full table of busy values admits new ones untracked rather than failing them.
        assert_eq!(
            futures::executor::block_on(budget.admit(key)),
            Admission::Now
        );
    }
    eprintln!(
        "tracked after 50 distinct chats (one of 1 MiB): {}",
        budget.tracked()
    );
    assert!(budget.tracked() <= 3);
    assert!(
        format!("{budget:?}").len() < 4096,
        "a 1 MiB id is not kept as is"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_230020_is_waited_out_for_that_chat_and_the_retry_keeps_its_uuid() {
    let (server, log) = platform(Some(CHAT_A)).await;
    let client = client(&server, Arc::new(LocalRateBudget::new()));
    send(&client, CHAT_A).await;
    let log = log.lock().expect("log").clone();
    assert_eq!(log.len(), 2, "the throttled send is retried once");
    assert!(!log[0].2.is_empty());
    assert_eq!(log[0].2, log[1].2, "the retry carries the same uuid");
    let waited = log[1].0 - log[0].0;
    eprintln!("230020 → retried after {waited:?}");
    // The chat's pause (one second) is waited out before the retry.
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_budget_paces_ten_sends_into_one_chat_over_a_second() {
    let (server, log) = platform(None).await;
    let client = client(&server, Arc::new(LocalRateBudget::new()));
    let sends = (0..10).map(|n| {
        let client = client.clone();
        async move { send(&client, if n < 8 { CHAT_A } else { CHAT_B }).await }
    });
    futures::future::join_all(sends).await;
    let (count, span) = span_of(&log, CHAT_A);
    eprintln!("8 sends into one chat arrived over {span:?}");
    assert_eq!(count, 8);
    // 5 at once, then one every 200 ms: the last at 600 ms at the earliest.
    assert!(span >= Duration::from_millis(550), "{span:?}");
    assert_eq!(span_of(&log, CHAT_B).0, 2);
}

fn redis_budget(redis: &RedisServer) -> Arc<dyn RateBudget> {
    let connection = RedisConnection::open(&redis.url()).expect("redis url");
    Arc::new(RedisRateBudget::new(&connection, APP_ID))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_the_per_chat_pace_and_the_pause_after_230020_on_redis() {
    let redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let (server, log) = platform(Some(CHAT_A)).await;
    let (one, two) = (
        client(&server, redis_budget(&redis)),
        client(&server, redis_budget(&redis)),
    );

    // Replica one is told 230020 for chat A; replica two, sending into chat A just after,
    // waits out the same pause instead of being throttled itself; chat B is not paused.
    let first = tokio::spawn({
        let one = one.clone();
        async move { send(&one, CHAT_A).await }
    });
    while log.lock().expect("log").is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    send(&two, CHAT_B).await;
    send(&two, CHAT_A).await;
    first.await.expect("first send");
    let entries = log.lock().expect("log").clone();
    let throttled_at = entries[0].0;
    let into_a: Vec<Duration> = entries
        .iter()
        .filter(|(_, c, _)| c == CHAT_A)
        .map(|(t, ..)| *t - throttled_at)
        .collect();
    let into_b = entries
        .iter()
        .find(|(_, c, _)| c == CHAT_B)
        .map(|(t, ..)| *t - throttled_at);
    eprintln!("after 230020 on replica one: chat A sends at {into_a:?}, chat B at {into_b:?}");
    assert_eq!(
        into_a.len(),
        3,
        "the throttled send, its retry, replica two's send"
    );
    assert!(
        into_a[1..].iter().all(|d| *d >= Duration::from_millis(900)),
        "{into_a:?}"
    );
    assert!(
        into_b.is_some_and(|b| b < into_a[1]),
        "chat B is not paused"
    );

    // Twelve sends into one chat from two replicas share one pace of 5 per second.
    let sends = (0..12).map(|n| {
        let c = if n % 2 == 0 { one.clone() } else { two.clone() };
        async move { send(&c, "oc_shared_by_two_replicas").await }
    });
    futures::future::join_all(sends).await;
    let (count, span) = span_of(&log, "oc_shared_by_two_replicas");
    eprintln!("12 sends from two replicas into one chat arrived over {span:?}");
    assert_eq!(count, 12);
    assert!(span >= Duration::from_millis(1_200), "{span:?}");
}
