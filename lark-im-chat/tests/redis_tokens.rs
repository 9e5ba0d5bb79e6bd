//! Tokens shared by replicas through a real `redis-server` on 127.0.0.1: several processes
//! (this test binary started again as children) against one counting token server.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

use lark_im_chat::auth::{CachedTokenKind, MemoryTokenStore, StoredToken, TokenKey, TokenStore};
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisOptions, RedisTokenStore};
use lark_im_chat::Client;
use redis_server::RedisServer;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, SystemTime};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";
const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
const APP_ID: &str = "cli_replicas";
const SECRET: &str = "replica-secret";
const CHILD_ENV: &str = "LARK_REDIS_TOKEN_CHILD";
const REPLICAS: usize = 4;

/// What the token and API endpoints saw, and which tokens the API refuses.
#[derive(Default)]
struct Platform {
    fetches: AtomicUsize,
    /// Requests per bearer token.
    used: Mutex<HashMap<String, usize>>,
    /// Tokens refused on every request.
    revoked: Mutex<HashSet<String>>,
    /// A token refused on its next request only.
    reject_once: Mutex<Option<String>>,
}

impl Platform {
    fn used(&self, token: &str) -> usize {
        self.used
            .lock()
            .expect("lock")
            .get(token)
            .copied()
            .unwrap_or(0)
    }
}

struct TokenEndpoint(Arc<Platform>);

impl Respond for TokenEndpoint {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetches.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            // Slow enough that every replica starts while the first fetch is under way.
            .set_delay(Duration::from_millis(300))
            .set_body_json(json!({"code": 0, "msg": "ok", "tenant_access_token": format!("t-{n}"), "expire": 7200}))
    }
}

struct ChatEndpoint(Arc<Platform>);

impl Respond for ChatEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let token = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned();
        *self
            .0
            .used
            .lock()
            .expect("lock")
            .entry(token.clone())
            .or_default() += 1;
        let once = {
            let mut once = self.0.reject_once.lock().expect("lock");
            if once.as_deref() == Some(token.as_str()) {
                once.take().is_some()
            } else {
                false
            }
        };
        if once || self.0.revoked.lock().expect("lock").contains(&token) {
            return ResponseTemplate::new(400).set_body_json(
                json!({"code": 99991663, "msg": "Invalid access token for authorization"}),
            );
        }
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"name": "Incident 4711"}}))
    }
}

/// The chat endpoint answering request `n` (from 0) after `n × 40 ms`, so rejections of one
/// token keep arriving after its replacement was fetched.
struct StaggeredChat {
    inner: ChatEndpoint,
    seen: AtomicUsize,
}

impl Respond for StaggeredChat {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst) as u64;
        self.inner
            .respond(request)
            .set_delay(Duration::from_millis(40 * n.min(25)))
    }
}

/// A token endpoint and a chat endpoint on 127.0.0.1 recording into `platform`.
async fn serve(platform: &Arc<Platform>, chat: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(TokenEndpoint(platform.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(chat)
        .mount(&server)
        .await;
    server
}

/// A child replica: builds a client on the shared Redis, then answers `call` lines on stdin
/// with `RESULT ok` or `RESULT err …` on stdout.
#[test]
#[ignore = "child process of several_processes_share_one_token_fetch_and_one_refetch"]
fn child_replica() {
    let Ok(config) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (base_url, redis_url) = config.split_once(' ').expect("base url and redis url");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let redis = RedisConnection::open(redis_url).expect("redis url");
        let client = Client::builder(APP_ID, SECRET)
            .base_url(base_url)
            .token_store(Arc::new(RedisTokenStore::new(&redis, SECRET)))
            .build()
            .expect("client");
        println!("READY");
        let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(4);
        std::thread::spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        while let Some(line) = rx.recv().await {
            match line.as_str() {
                "call" => match client.chat(CHAT).get().send().await {
                    Ok(_) => println!("RESULT ok"),
                    Err(e) => println!("RESULT err {e}"),
                },
                _ => break,
            }
        }
    });
}

struct Replica {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Replica {
    fn spawn(base_url: &str, redis_url: &str) -> Self {
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--ignored", "--exact", "child_replica", "--nocapture"])
            .arg("--test-threads=1")
            .env(CHILD_ENV, format!("{base_url} {redis_url}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn child");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            // libtest may print `test child_replica ... ` before the first line.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let at = line.find("READY").or_else(|| line.find("RESULT "));
                if let Some(at) = at {
                    if tx.send(line[at..].to_owned()).is_err() {
                        break;
                    }
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
        }
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(30))
            .expect("child answered in time")
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("write to child");
        self.stdin.flush().expect("flush");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `call` to each replica in `which` at once, and checks every answer is `ok`.
fn call_all(replicas: &mut [Replica], which: &[usize]) {
    for &i in which {
        replicas[i].send("call");
    }
    for &i in which {
        let answer = replicas[i].next_line();
        assert_eq!(answer, "RESULT ok", "replica {i}");
    }
}

#[test]
fn several_processes_share_one_token_fetch_and_one_refetch() {
    let redis =
        RedisServer::start().expect("redis-server (install it: apt-get install redis-server)");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let platform = Arc::new(Platform::default());
    let server = runtime.block_on(serve(&platform, ChatEndpoint(platform.clone())));
    let mut replicas: Vec<Replica> = (0..REPLICAS)
        .map(|_| Replica::spawn(&server.uri(), &redis.url()))
        .collect();
    for r in &replicas {
        assert_eq!(r.next_line(), "READY");
    }
    let all: Vec<usize> = (0..REPLICAS).collect();

    // Cold start: every process calls at once; one of them fetches.
    call_all(&mut replicas, &all);
    assert_eq!(
        platform.fetches.load(Ordering::SeqCst),
        1,
        "one fetch for all"
    );
    assert_eq!(platform.used("t-1"), REPLICAS);

    // One replica gets an invalid-token answer: it alone refetches; the others keep working
    // with the token they hold.
    *platform.reject_once.lock().expect("lock") = Some("t-1".into());
    call_all(&mut replicas, &[0]);
    assert_eq!(platform.fetches.load(Ordering::SeqCst), 2, "one refetch");
    assert_eq!(platform.used("t-2"), 1);
    call_all(&mut replicas, &[1, 2, 3]);
    assert_eq!(platform.fetches.load(Ordering::SeqCst), 2);
    assert_eq!(platform.used("t-1"), 2 * REPLICAS);

    // The old token is revoked for everybody: the others evict it, but compare-and-delete
    // keeps the fresh token in Redis, so they read it instead of fetching.
    platform.revoked.lock().expect("lock").insert("t-1".into());
    call_all(&mut replicas, &all);
    assert_eq!(
        platform.fetches.load(Ordering::SeqCst),
        2,
        "no further fetch"
    );
    assert_eq!(platform.used("t-2"), 1 + REPLICAS);
    drop(replicas);
}

/// A connection that probes a lost Redis every 100 ms.
fn connection(redis: &RedisServer) -> RedisConnection {
    let options = RedisOptions::default().retry_interval(Duration::from_millis(100));
    RedisConnection::with_options(&redis.url(), options).expect("url")
}

fn store(redis: &RedisServer, secret: &str) -> RedisTokenStore {
    RedisTokenStore::new(&connection(redis), secret)
}

fn token(value: &str) -> StoredToken {
    StoredToken {
        value: value.into(),
        use_until: SystemTime::now() + Duration::from_secs(600),
    }
}

#[tokio::test]
async fn apps_with_one_id_but_different_secrets_do_not_share_tokens() {
    let redis = RedisServer::start().expect("redis-server");
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, APP_ID, None);
    let first = store(&redis, "secret-a");
    first.set(&key, token("t-of-a")).await;
    let same = store(&redis, "secret-a");
    assert_eq!(same.get(&key).await.map(|t| t.value), Some("t-of-a".into()));
    // Another secret: a miss (and this store becomes the fetcher), not the other app's token.
    let other = store(&redis, "secret-b");
    assert_eq!(other.get(&key).await, None);
}

#[tokio::test]
async fn a_waiting_replica_fetches_locally_when_the_fetcher_never_finishes() {
    let redis = RedisServer::start().expect("redis-server");
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, APP_ID, None);
    let fetcher = store(&redis, SECRET);
    let waiter = store(&redis, SECRET).fetch_wait(Duration::from_millis(300));
    assert_eq!(fetcher.get(&key).await, None, "elected to fetch");
    let started = std::time::Instant::now();
    assert_eq!(waiter.get(&key).await, None, "gave up waiting");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    // The fetcher's token arrives while another replica waits: it gets it.
    let patient = store(&redis, SECRET);
    let (seen, ()) = tokio::join!(patient.get(&key), async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        fetcher.set(&key, token("t-late")).await;
    });
    assert_eq!(seen.map(|t| t.value), Some("t-late".into()));
}

#[tokio::test]
async fn a_local_hit_costs_no_round_trip_and_a_redis_hit_one() {
    let redis = RedisServer::start().expect("redis-server");
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, APP_ID, None);
    store(&redis, SECRET).set(&key, token("t-shared")).await;
    let connection = RedisConnection::open(&redis.url()).expect("url");
    let reader = RedisTokenStore::new(&connection, SECRET);
    assert_eq!(
        reader.get(&key).await.map(|t| t.value),
        Some("t-shared".into())
    );
    assert_eq!(connection.round_trips(), 1, "a miss in the local cache");
    for _ in 0..100 {
        assert!(reader.get(&key).await.is_some());
    }
    assert_eq!(connection.round_trips(), 1, "local hits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_calls_keep_working_while_redis_is_down_and_sharing_resumes() {
    let mut redis = RedisServer::start().expect("redis-server");
    let runtime_platform = Arc::new(Platform::default());
    let server = serve(&runtime_platform, ChatEndpoint(runtime_platform.clone())).await;
    let connection = connection(&redis);
    let client = Client::builder(APP_ID, SECRET)
        .base_url(server.uri())
        .token_store(Arc::new(RedisTokenStore::new(&connection, SECRET)))
        .build()
        .expect("client");
    client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call with Redis up");
    assert!(connection.is_available());

    redis.stop();
    // The local token keeps serving; a rejected one is refetched locally.
    client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call with Redis down");
    runtime_platform
        .revoked
        .lock()
        .expect("lock")
        .insert("t-1".into());
    client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("refetch with Redis down");
    assert_eq!(runtime_platform.fetches.load(Ordering::SeqCst), 2);
    assert!(!connection.is_available());

    redis.restart().expect("restart");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while connection.ping().await.is_err() {
        assert!(std::time::Instant::now() < deadline, "never recovered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(connection.is_available());
    // A new fetch (after the next rejection) lands in Redis again.
    runtime_platform
        .revoked
        .lock()
        .expect("lock")
        .insert("t-2".into());
    client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call after restart");
    assert_eq!(runtime_platform.fetches.load(Ordering::SeqCst), 3);
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, APP_ID, None);
    let shared = store(&redis, SECRET).get(&key).await.map(|t| t.value);
    assert_eq!(
        shared,
        Some("t-3".into()),
        "the refetched token is shared again"
    );
}

/// Twenty calls in flight with a token that gets revoked: their rejections arrive before and
/// after the new token is fetched; the late ones must not evict the new token.
async fn late_rejections_cost_one_refetch(store: Arc<dyn TokenStore>) {
    let platform = Arc::new(Platform::default());
    let staggered = StaggeredChat {
        inner: ChatEndpoint(platform.clone()),
        seen: AtomicUsize::new(0),
    };
    let server = serve(&platform, staggered).await;
    let client = Client::builder(APP_ID, SECRET)
        .base_url(server.uri())
        .token_store(store)
        .build()
        .expect("client");
    client.chat(CHAT).get().send().await.expect("first call");
    platform.revoked.lock().expect("lock").insert("t-1".into());
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.chat(CHAT).get().send().await })
    });
    for result in futures::future::join_all(calls).await {
        result.expect("task").expect("call after the revocation");
    }
    assert_eq!(platform.fetches.load(Ordering::SeqCst), 2, "one refetch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_rejections_do_not_evict_a_newer_shared_token() {
    let redis = RedisServer::start().expect("redis-server");
    late_rejections_cost_one_refetch(Arc::new(store(&redis, SECRET))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_rejections_do_not_evict_a_newer_token_in_memory() {
    late_rejections_cost_one_refetch(Arc::new(MemoryTokenStore::new())).await;
}
