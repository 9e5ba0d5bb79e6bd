//! Faults against real HTTP servers on 127.0.0.1, retries: 5xx and connection resets (only when
//! a repeat cannot duplicate an effect), the bounds by attempts and time, transient business
//! codes, idempotency keys.

mod runtime_faults_support;

use lark_im_chat::prelude::*;
use lark_im_chat::{types::ChatCreateBody, Client, Error, RetryPolicy};
use runtime_faults_support::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_requests() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 1500, "msg": "internal error"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ok(json!({"name": "back"})))
        .mount(&server)
        .await;
    let chat = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("third attempt");
    assert_eq!(chat.name.as_deref(), Some("back"));
    assert_eq!(api_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn server_errors_are_not_retried_for_a_post_without_idempotency_key() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chats()
        .create()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(
        err.is_retryable(),
        "transient, but not safe to repeat: {err}"
    );
    assert_eq!(api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_for_chat_create_with_its_uuid_and_every_attempt_is_identical() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/im/v1/chats"))
        .and(query_param("uuid", "incident-4711"))
        .respond_with(ok(json!({"chat_id": CHAT})))
        .mount(&server)
        .await;
    let created = client_with(&server, fast_policy())
        .chats()
        .create()
        .uuid("incident-4711")
        .body(
            ChatCreateBody::new()
                .name("Incident 4711")
                .user_id_list(["ou_1"]),
        )
        .send()
        .await
        .expect("created on the third attempt");
    assert_eq!(created.chat_id.as_deref(), Some(CHAT));
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.url.query(), Some("uuid=incident-4711"));
        assert_eq!(r.body, requests[0].body);
    }
}

/// A server that accepts connections and drops them at once.
async fn resetting_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn connection_resets_are_retried_for_idempotent_requests_and_end_as_transport_errors() {
    let (url, accepted) = resetting_server().await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(url)
        .retry(fast_policy())
        .build()
        .expect("client");
    let err = client
        .with_tenant_token("t-explicit")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                operation: "chat.get",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        3,
        "one connection per attempt"
    );
}

#[tokio::test]
async fn connection_resets_are_not_retried_for_a_post_without_idempotency_key() {
    let (url, accepted) = resetting_server().await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(url)
        .retry(fast_policy())
        .build()
        .expect("client");
    let err = client
        .with_tenant_token("t-explicit")
        .chat(CHAT)
        .members()
        .me_join()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

/// Answers 503 with a new log id each time.
struct AlwaysUnavailable(Arc<AtomicUsize>);

impl Respond for AlwaysUnavailable {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(503)
            .insert_header("x-tt-logid", format!("log-attempt-{n}").as_str())
            .set_body_json(json!({"code": 99991500 + n as i64, "msg": format!("unavailable #{n}")}))
    }
}

#[tokio::test]
async fn retries_are_bounded_by_attempts_and_keep_the_last_attempts_evidence() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(AlwaysUnavailable(calls.clone()))
        .mount(&server)
        .await;
    let policy = fast_policy().max_attempts(4);
    let err = client_with(&server, policy)
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some(99991504));
    assert_eq!(err.log_id(), Some("log-attempt-4"));
    assert!(err.to_string().contains("unavailable #4"), "{err}");
}

#[tokio::test]
async fn retries_are_bounded_by_the_total_time_budget() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(AlwaysUnavailable(calls.clone()))
        .mount(&server)
        .await;
    let policy = RetryPolicy::default()
        .max_attempts(100)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(100))
        .total_budget(Duration::from_millis(350))
        .jitter(false);
    let started = Instant::now();
    let err = client_with(&server, policy)
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let n = calls.load(Ordering::SeqCst);
    assert!((2..=4).contains(&n), "{n} attempts");
    assert_eq!(err.log_id(), Some(format!("log-attempt-{n}").as_str()));
}

#[tokio::test]
async fn business_errors_are_never_retried_but_documented_transient_ones_are() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 232006, "msg": "invalid chat_id"})),
        )
        .mount(&server)
        .await;
    first_then(
        &server,
        "GET",
        &format!("{CHAT_PATH}/menu_tree"),
        ResponseTemplate::new(400)
            .set_body_json(json!({"code": 232073, "msg": "menu being modified"})),
        ok(json!({"menu_tree": {"chat_menu_top_levels": []}})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(err.code(), Some(232006));
    client
        .chat(CHAT)
        .menu_tree()
        .get()
        .send()
        .await
        .expect("second attempt");
    assert_eq!(api_requests(&server).await.len(), 3);
}

#[tokio::test]
async fn an_automatic_idempotency_key_is_the_same_on_every_attempt() {
    let server = server().await;
    first_then(
        &server,
        "POST",
        "/open-apis/im/v1/chats",
        ResponseTemplate::new(500).set_body_string("oops"),
        ok(json!({"chat_id": CHAT})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    let req = client
        .chats()
        .create()
        .body(ChatCreateBody::new().name("Incident 4711"))
        .to_request()
        .expect("request")
        .with_auto_idempotency_key();
    let key = req.idempotency_key().expect("key").to_owned();
    assert_eq!(key.len(), 36);
    // A key already set is kept.
    let kept = client
        .chats()
        .create()
        .uuid("mine")
        .to_request()
        .expect("request")
        .with_auto_idempotency_key();
    assert_eq!(kept.idempotency_key(), Some("mine"));
    // Operations without an idempotency key are left alone.
    let get = client
        .chat(CHAT)
        .get()
        .to_request()
        .expect("request")
        .with_auto_idempotency_key();
    assert!(get.query.is_empty());

    let created: lark_im_chat::types::ChatCreated =
        client.ctx().send(req).await.expect("second attempt");
    assert_eq!(created.chat_id.as_deref(), Some(CHAT));
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.url.query(), Some(format!("uuid={key}").as_str()));
    }
}
