//! Tokens against real HTTP servers on 127.0.0.1: single flight, pluggable stores, store apps
//! (app_ticket -> app_access_token -> tenant_access_token per tenant), explicit tokens.

use futures::future::BoxFuture;
use lark_im_chat::prelude::*;
use lark_im_chat::{
    auth::{CachedTokenKind, MemoryTokenStore, StoredToken, TokenKey, TokenStore},
    meta::AppType,
    Client, Error,
};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

fn ok_chat() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"code": 0, "msg": "success", "data": {"name": "Incident 4711"}}))
}

async fn count(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .expect("recording")
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_first_calls_send_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(200))
                .set_body_json(json!({"code": 0, "msg": "ok", "tenant_access_token": "t-single", "expire": 7200})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-single"))
        .respond_with(ok_chat())
        .mount(&server)
        .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client");
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.chat(CHAT).get().send().await })
    });
    let results = futures::future::join_all(calls).await;
    for r in results {
        r.expect("task").expect("call");
    }
    assert_eq!(
        count(&server, "/open-apis/auth/v3/tenant_access_token/internal").await,
        1
    );
    assert_eq!(count(&server, CHAT_PATH).await, 1000);
}

/// A store that counts its use and starts with a token already in it.
#[derive(Debug, Default)]
struct CountingStore {
    inner: MemoryTokenStore,
    gets: AtomicUsize,
    sets: AtomicUsize,
    evicts: AtomicUsize,
}

impl TokenStore for CountingStore {
    fn get<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Option<StoredToken>> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key)
    }
    fn set<'a>(&'a self, key: &'a TokenKey, token: StoredToken) -> BoxFuture<'a, ()> {
        self.sets.fetch_add(1, Ordering::SeqCst);
        self.inner.set(key, token)
    }
    fn evict<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, ()> {
        self.evicts.fetch_add(1, Ordering::SeqCst);
        self.inner.evict(key)
    }
}

#[tokio::test]
async fn a_pluggable_store_is_read_first_and_written_after_a_fetch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-fetched", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ok_chat())
        .mount(&server)
        .await;

    // A token shared by another process, still fresh: used as is, nothing fetched.
    let store = Arc::new(CountingStore::default());
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, "cli_test", None);
    assert_eq!(key.to_string(), "tenant_access_token:cli_test");
    store
        .set(
            &key,
            StoredToken {
                value: "t-shared".into(),
                use_until: SystemTime::now() + Duration::from_secs(3600),
            },
        )
        .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .token_store(store.clone())
        .build()
        .expect("client");
    client.chat(CHAT).get().send().await.expect("call");
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer t-shared")
    );

    // Once stale, the client fetches and writes the new token back with its use-until time.
    store
        .set(
            &key,
            StoredToken {
                value: "t-shared".into(),
                use_until: SystemTime::now() - Duration::from_secs(1),
            },
        )
        .await;
    let sets_before = store.sets.load(Ordering::SeqCst);
    client.chat(CHAT).get().send().await.expect("call");
    assert_eq!(store.sets.load(Ordering::SeqCst), sets_before + 1);
    let stored = store.get(&key).await.expect("stored");
    assert_eq!(stored.value.expose(), "t-fetched");
    // Used until max(180 s, 10 %) before the 7200 s expiry: 6480 s from now.
    let left = stored
        .use_until
        .duration_since(SystemTime::now())
        .expect("future");
    assert!(
        left > Duration::from_secs(6400) && left <= Duration::from_secs(6480),
        "{left:?}"
    );
    assert!(store.gets.load(Ordering::SeqCst) >= 3);
}

async fn store_platform() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .and(body_json(
            json!({"app_id": "cli_store", "app_secret": "store-secret", "app_ticket": "ticket-1"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-store-app", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    for tenant in ["tenant-a", "tenant-b"] {
        Mock::given(method("POST"))
            .and(path("/open-apis/auth/v3/tenant_access_token"))
            .and(body_json(json!({"app_access_token": "a-store-app", "tenant_key": tenant})))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "msg": "ok", "tenant_access_token": format!("t-{tenant}"), "expire": 7140}),
            ))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_ticket/resend"))
        .and(body_json(
            json!({"app_id": "cli_store", "app_secret": "store-secret"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ok_chat())
        .mount(&server)
        .await;
    server
}

fn store_client(server: &MockServer) -> Client {
    Client::builder("cli_store", "store-secret")
        .app_type(AppType::Store)
        .base_url(server.uri())
        .build()
        .expect("client")
}

fn bearers(received: &[Request]) -> Vec<String> {
    received
        .iter()
        .filter(|r| r.url.path() == CHAT_PATH)
        .filter_map(|r| {
            r.headers
                .get("authorization")?
                .to_str()
                .ok()
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn store_apps_go_from_app_ticket_to_app_token_to_one_tenant_token_per_tenant() {
    let server = store_platform().await;
    let client = store_client(&server);
    client.set_app_ticket("ticket-1").await;
    for tenant in ["tenant-a", "tenant-b", "tenant-a", "tenant-b"] {
        client
            .for_tenant(tenant)
            .chat(CHAT)
            .get()
            .send()
            .await
            .expect("call");
    }
    let received = server.received_requests().await.expect("recording");
    assert_eq!(
        count(&server, "/open-apis/auth/v3/app_access_token").await,
        1
    );
    assert_eq!(
        count(&server, "/open-apis/auth/v3/tenant_access_token").await,
        2
    );
    assert_eq!(
        bearers(&received),
        [
            "Bearer t-tenant-a",
            "Bearer t-tenant-b",
            "Bearer t-tenant-a",
            "Bearer t-tenant-b"
        ]
    );
    assert_eq!(
        client
            .tenant_access_token(Some("tenant-b"))
            .await
            .expect("cached")
            .expose(),
        "t-tenant-b"
    );
}

#[tokio::test]
async fn a_store_app_ticket_can_be_given_to_the_builder() {
    let server = store_platform().await;
    let client = Client::builder("cli_store", "store-secret")
        .app_type(AppType::Store)
        .app_ticket("ticket-1")
        .base_url(server.uri())
        .build()
        .expect("client");
    client
        .for_tenant("tenant-a")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call");
    let received = server.received_requests().await.expect("recording");
    assert_eq!(bearers(&received), ["Bearer t-tenant-a"]);
}

#[tokio::test]
async fn a_store_app_without_ticket_asks_for_one_and_says_so() {
    let server = store_platform().await;
    let client = store_client(&server);
    let err = client
        .for_tenant("tenant-a")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(m) if m.contains("app_ticket")),
        "{err}"
    );
    assert_eq!(
        count(&server, "/open-apis/auth/v3/app_ticket/resend").await,
        1
    );
    assert_eq!(count(&server, CHAT_PATH).await, 0);
}

#[tokio::test]
async fn a_store_app_must_name_its_tenant() {
    let server = store_platform().await;
    let client = store_client(&server);
    client.set_app_ticket("ticket-1").await;
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("for_tenant")),
        "{err}"
    );
}

#[tokio::test]
async fn an_explicit_token_wins_over_the_cache_and_user_tokens_are_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ok_chat())
        .mount(&server)
        .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client");
    client
        .with_tenant_token("t-explicit")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("tenant");
    client
        .as_user("u-user")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("user");
    let received = server.received_requests().await.expect("recording");
    assert_eq!(bearers(&received), ["Bearer t-explicit", "Bearer u-user"]);
}

#[tokio::test]
async fn token_endpoint_refusals_are_api_errors_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-tt-logid", "log-auth")
                .set_body_json(json!({"code": 99991543, "msg": "app_id or app_secret is invalid"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client");
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(err.code(), Some(99991543));
    assert_eq!(err.log_id(), Some("log-auth"));
    assert!(!format!("{err} {err:?}").contains("secret-value"));
    assert_eq!(count(&server, CHAT_PATH).await, 0);
}

#[tokio::test]
async fn a_self_built_app_ignores_the_tenant_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-only", "expire": 7200}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-only"))
        .respond_with(ok_chat())
        .expect(3)
        .mount(&server)
        .await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .build()
        .expect("client");
    client.chat(CHAT).get().send().await.expect("default");
    client
        .for_tenant("x")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("tenant x");
    client
        .for_tenant("y")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("tenant y");
}

#[tokio::test]
async fn a_rejected_app_token_is_refetched_once_for_the_tenant_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-stale", "expire": 7200}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-fresh", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token"))
        .and(body_json(
            json!({"app_access_token": "a-stale", "tenant_key": "tenant-a"}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 99991664, "msg": "invalid app token"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token"))
        .and(body_json(
            json!({"app_access_token": "a-fresh", "tenant_key": "tenant-a"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-tenant-a", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-tenant-a"))
        .respond_with(ok_chat())
        .mount(&server)
        .await;
    let client = Client::builder("cli_store", "store-secret")
        .app_type(AppType::Store)
        .app_ticket("ticket-1")
        .base_url(server.uri())
        .build()
        .expect("client");
    client
        .for_tenant("tenant-a")
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("call");
    assert_eq!(
        count(&server, "/open-apis/auth/v3/app_access_token").await,
        2
    );
    assert_eq!(
        count(&server, "/open-apis/auth/v3/tenant_access_token").await,
        2
    );
}

#[tokio::test]
async fn an_invalid_app_ticket_is_dropped_and_a_new_one_requested() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10012, "msg": "app_ticket is invalid"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_ticket/resend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    let client = Client::builder("cli_store", "store-secret")
        .app_type(AppType::Store)
        .app_ticket("ticket-old")
        .base_url(server.uri())
        // Failures not remembered, so the second call shows the state the first one left.
        .token_failure_cache(Duration::ZERO)
        .build()
        .expect("client");
    let err = client
        .for_tenant("tenant-a")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(10012));
    assert_eq!(
        count(&server, "/open-apis/auth/v3/app_ticket/resend").await,
        1
    );
    // The bad ticket is gone: the next call asks for a ticket instead of reusing it.
    let err = client
        .for_tenant("tenant-a")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth(m) if m.contains("app_ticket")),
        "{err}"
    );
    assert_eq!(
        count(&server, "/open-apis/auth/v3/app_access_token").await,
        1
    );
}
