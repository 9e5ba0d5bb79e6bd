//! Faults against real HTTP servers on 127.0.0.1: rate limits, 5xx, connection resets, invalid
//! tokens, business errors, malformed bodies and broken pagination.

use futures::{StreamExt, TryStreamExt};
use lark_im_chat::prelude::*;
use lark_im_chat::{
    meta::OperationMeta, types::ChatCreateBody, Client, Error, ErrorCode, RetryPolicy,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("x-tt-logid", "log-ok")
        .set_body_json(json!({"code": 0, "msg": "success", "data": data}))
}

fn token_ok(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200
    }))
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-tenant-token"))
        .mount(&server)
        .await;
    server
}

/// Answers `verb path` with `first` once, then with `then` for every later request.
async fn first_then(
    server: &MockServer,
    verb: &str,
    at: &str,
    first: ResponseTemplate,
    then: ResponseTemplate,
) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(first)
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(then)
        .mount(server)
        .await;
}

fn client_with(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(policy)
        .build()
        .expect("client")
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .jitter(false)
}

async fn api_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("recording")
        .into_iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect()
}

fn rate_limited(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("x-tt-logid", "log-429")
        .set_body_json(json!({"code": 99991400, "msg": "request trigger frequency limit"}))
}

#[tokio::test]
async fn http_429_waits_for_the_ratelimit_reset_then_succeeds() {
    let server = server().await;
    first_then(
        &server,
        "GET",
        CHAT_PATH,
        rate_limited(429)
            .insert_header("x-ogw-ratelimit-limit", "50")
            .insert_header("x-ogw-ratelimit-reset", "1"),
        ok(json!({"name": "Incident 4711"})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    let started = Instant::now();
    let chat = client
        .chat(CHAT)
        .get()
        .send()
        .await
        .expect("succeeds after the wait");
    let waited = started.elapsed();
    assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn code_99991400_with_http_400_is_rate_limiting_and_retry_after_is_the_fallback() {
    let server = server().await;
    // A POST without idempotency key: rate limiting is still retried, the call was refused.
    first_then(
        &server,
        "POST",
        "/open-apis/im/v1/chats",
        rate_limited(400).insert_header("retry-after", "0"),
        ok(json!({"chat_id": CHAT})),
    )
    .await;
    let created = client_with(&server, fast_policy())
        .chats()
        .create()
        .body(ChatCreateBody::new().name("Incident 4711"))
        .send()
        .await
        .expect("created");
    assert_eq!(created.chat_id.as_deref(), Some(CHAT));
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_rate_limit_wait_above_the_cap_returns_the_error_at_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(rate_limited(429).insert_header("x-ogw-ratelimit-reset", "120"))
        .mount(&server)
        .await;
    let policy = fast_policy().max_rate_limit_wait(Duration::from_secs(5));
    let started = Instant::now();
    let err = client_with(&server, policy)
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.is_rate_limited() && err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(err.code(), Some(99991400));
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.log_id(), Some("log-429"));
    assert!(err.to_string().contains("retry after 120"), "{err}");
    assert_eq!(api_requests(&server).await.len(), 1);
}

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

#[tokio::test]
async fn an_invalid_token_is_evicted_and_the_call_repeated_once_with_a_fresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-revoked"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token_ok("t-fresh"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-revoked"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"code": 99991663, "msg": "Invalid access token for authorization."}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .and(header("authorization", "Bearer t-fresh"))
        .respond_with(ok(json!({"name": "Incident 4711"})))
        .expect(2)
        .mount(&server)
        .await;
    // No policy retries: the token refresh happens anyway, once.
    let client = client_with(&server, RetryPolicy::none());
    for _ in 0..2 {
        let chat = client
            .chat(CHAT)
            .get()
            .send()
            .await
            .expect("after one refetch");
        assert_eq!(chat.name.as_deref(), Some("Incident 4711"));
    }
    // expect(1) on each token answer: exactly one refetch, then the fresh token is cached.
}

#[tokio::test]
async fn a_token_rejected_twice_is_refetched_only_once() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    let received = server.received_requests().await.expect("recording");
    let tokens = received
        .iter()
        .filter(|r| r.url.path() == TOKEN_PATH)
        .count();
    assert_eq!(tokens, 2, "first fetch and one refetch");
    assert_eq!(api_requests(&server).await.len(), 2);
}

#[tokio::test]
async fn an_explicit_token_is_never_refreshed() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .with_tenant_token("t-mine")
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(99991663));
    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 1, "no token request, no repeat");
}

#[tokio::test]
async fn http_200_with_a_non_zero_code_is_an_error_and_not_retried() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "202411251030450001")
                .set_body_json(json!({
                    "code": 232011, "msg": "operator is not in the chat",
                    "error": {"log_id": "202411251030450001", "troubleshooter": "https://open.feishu.cn/search?log_id=202411251030450001"}
                })),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code, 232011);
    assert_eq!(api.status, 200);
    assert_eq!(api.msg, "operator is not in the chat");
    assert_eq!(api.log_id.as_deref(), Some("202411251030450001"));
    assert!(api
        .detail
        .as_ref()
        .and_then(|d| d.troubleshooter.as_deref())
        .is_some());
    assert_eq!(
        ErrorCode::from(api.code).meaning(),
        Some("operator is not a member of the chat")
    );
    assert!(!err.is_retryable());
    assert_eq!(api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_typed_error_with_status_log_id_path_and_raw_body() {
    let server = server().await;
    let truncated = r#"{"code":0,"msg":"success","data":{"name":"Incident 47"#;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log-truncated")
                .set_body_string(truncated),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_wrong_type"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log-wrong-type")
                .set_body_json(json!({"code": 0, "msg": "success", "data": {
                    "name": "ok", "restricted_mode_setting": {"status": "yes"}
                }})),
        )
        .mount(&server)
        .await;
    let client = client_with(&server, fast_policy());

    let err = client.chat(CHAT).get().send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.operation, "chat.get");
    assert_eq!(d.status, 200);
    assert_eq!(d.log_id.as_deref(), Some("log-truncated"));
    assert_eq!(d.body, truncated);
    assert_eq!(d.path, "");
    assert!(!err.is_retryable());

    let err = client.chat("oc_wrong_type").get().send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "data.restricted_mode_setting.status");
    assert_eq!(d.code, Some(0));
    assert_eq!(d.log_id.as_deref(), Some("log-wrong-type"));
    assert!(d.body.contains(r#""status":"yes""#), "{}", d.body);
    assert!(
        err.to_string()
            .contains("data.restricted_mode_setting.status"),
        "{err}"
    );
}

/// Serves `pages` pages of 100 members, keyed by `page_token`.
struct MemberPages {
    pages: usize,
    calls: Arc<AtomicUsize>,
}

impl Respond for MemberPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("page_size").as_deref(),
            Some("100"),
            "query kept on every page"
        );
        assert_eq!(
            get("member_id_type").as_deref(),
            Some("open_id"),
            "query kept on every page"
        );
        let page: usize = get("page_token").map_or(0, |t| {
            t.trim_start_matches("cursor-").parse().expect("token")
        });
        let items: Vec<Value> = (page * 100..page * 100 + 100)
            .map(|i| json!({"member_id_type": "open_id", "member_id": format!("ou_{i:05}"), "name": format!("user {i}"), "tenant_key": "736588c9260f175d"}))
            .collect();
        let more = page + 1 < self.pages;
        let mut data = json!({"items": items, "has_more": more, "member_total": self.pages * 100});
        if more {
            data["page_token"] = json!(format!("cursor-{}", page + 1));
        }
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
    }
}

#[tokio::test]
async fn ten_thousand_members_over_one_hundred_pages() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("{CHAT_PATH}/members")))
        .respond_with(MemberPages {
            pages: 100,
            calls: calls.clone(),
        })
        .mount(&server)
        .await;
    let client = client_with(&server, fast_policy());
    let members: Vec<_> = client
        .chat(CHAT)
        .members()
        .get()
        .page_size(100)
        .member_id_type("open_id")
        .items()
        .try_collect()
        .await
        .expect("all pages");
    assert_eq!(members.len(), 10_000);
    assert_eq!(calls.load(Ordering::SeqCst), 100);
    for (i, m) in members.iter().enumerate() {
        assert_eq!(m.member_id.as_deref(), Some(format!("ou_{i:05}").as_str()));
    }
    // Stopping early fetches no page past the last item taken.
    calls.store(0, Ordering::SeqCst);
    let first: Vec<_> = client
        .chat(CHAT)
        .members()
        .get()
        .page_size(100)
        .member_id_type("open_id")
        .items()
        .take(150)
        .try_collect()
        .await
        .expect("first 150");
    assert_eq!(first.len(), 150);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

fn member_page(ids: &[&str], has_more: bool, token: Option<&str>) -> ResponseTemplate {
    let items: Vec<Value> = ids
        .iter()
        .map(|id| json!({"member_id": id, "member_id_type": "open_id"}))
        .collect();
    let mut data = json!({"items": items, "has_more": has_more});
    if let Some(t) = token {
        data["page_token"] = json!(t);
    }
    ok(data)
}

#[tokio::test]
async fn a_repeated_page_token_yields_the_pages_then_a_pagination_error() {
    let server = server().await;
    let members = format!("{CHAT_PATH}/members");
    Mock::given(method("GET"))
        .and(path(members.as_str()))
        .and(query_param("page_token", "p2"))
        .respond_with(member_page(&["ou_3", "ou_4"], true, Some("p2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(members.as_str()))
        .respond_with(member_page(&["ou_1", "ou_2"], true, Some("p2")))
        .mount(&server)
        .await;
    let results: Vec<_> = client_with(&server, fast_policy())
        .chat(CHAT)
        .members()
        .get()
        .items()
        .collect()
        .await;
    let ids: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|m| m.member_id.clone())
        .collect();
    assert_eq!(ids, ["ou_1", "ou_2", "ou_3", "ou_4"]);
    let last = results.last().expect("an error ends the stream");
    assert!(
        matches!(last, Err(Error::Pagination { operation: "chat_members.get", reason }) if reason.contains("repeated")),
        "{last:?}"
    );
    assert_eq!(api_requests(&server).await.len(), 2, "no loop");
}

#[tokio::test]
async fn has_more_without_a_page_token_yields_the_page_then_a_pagination_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{CHAT_PATH}/members")))
        .respond_with(member_page(&["ou_1"], true, None))
        .mount(&server)
        .await;
    let pages: Vec<_> = client_with(&server, fast_policy())
        .chat(CHAT)
        .members()
        .get()
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0]
            .as_ref()
            .expect("first page")
            .items
            .as_ref()
            .map(Vec::len),
        Some(1)
    );
    let err = pages[1].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::Pagination { reason, .. } if reason.contains("no page_token")),
        "{err}"
    );
    assert_eq!(api_requests(&server).await.len(), 1);
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
async fn permission_errors_name_the_scopes_the_operation_needs() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 99991672,
            "msg": "Access denied. One of the following scopes is required: [im:chat:readonly, im:chat]",
            "error": {"permission_violations": [
                {"type": "action_scope_required", "subject": "im:chat:readonly", "description": "read chat"}
            ]}
        })))
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_permission_error());
    assert!(!err.is_retryable());
    let chat_get: &OperationMeta = lark_im_chat::meta::operation("chat.get").expect("chat.get");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.required_scopes, chat_get.scopes);
    assert_eq!(api.missing_scopes(), ["im:chat:readonly"]);
    let text = err.to_string();
    for scope in chat_get.scopes {
        assert!(text.contains(scope), "{text}");
    }
    assert!(
        text.contains("missing scope(s): im:chat:readonly"),
        "{text}"
    );
    assert_eq!(
        ErrorCode::from(api.code).meaning(),
        Some("app has not been granted the required scope")
    );
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
async fn a_429_without_a_json_body_is_still_rate_limiting() {
    let server = server().await;
    first_then(
        &server,
        "DELETE",
        CHAT_PATH,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "0")
            .set_body_string("Too Many Requests"),
        ok(json!({})),
    )
    .await;
    let client = client_with(&server, fast_policy());
    client
        .chat(CHAT)
        .delete()
        .send()
        .await
        .expect("retried after the 429");
    assert_eq!(api_requests(&server).await.len(), 2);
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
