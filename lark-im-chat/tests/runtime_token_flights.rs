//! Token fetches under a failing, hanging or lying token endpoint on 127.0.0.1: one fetch per
//! key whose result (success or failure) every waiter gets, a short memory of failures, waits
//! bounded by the call's budget, and any `expire` the server sends handled without a panic.

use lark_im_chat::prelude::*;
use lark_im_chat::{
    auth::{CachedTokenKind, MemoryTokenStore, TokenKey, TokenStore},
    meta::AppType,
    Client, Error, RetryPolicy,
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/platform.rs"]
mod platform;
use platform::{count, CHAT, CHAT_PATH, TOKEN_PATH};

/// A platform whose token endpoint answers `token` and whose `chat.get` succeeds.
async fn platform(token: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(token)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": {"name": "x"}})),
        )
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, policy: RetryPolicy) -> Client {
    Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(policy)
        .build()
        .expect("client")
}

/// Runs `n` concurrent `chat.get` calls; returns each one's result and how long it took.
async fn concurrent_calls(client: &Client, n: usize) -> Vec<(lark_im_chat::Result<()>, Duration)> {
    let calls = (0..n).map(|_| {
        let client = client.clone();
        tokio::spawn(async move {
            let start = Instant::now();
            let result = client.chat(CHAT).get().send().await.map(drop);
            (result, start.elapsed())
        })
    });
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("no task panics"))
        .collect()
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503).set_body_string("upstream unavailable")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_callers_and_a_failing_token_endpoint_make_a_few_token_requests() {
    let server = platform(unavailable()).await;
    // The default policy: 3 attempts; a retry waits until the remembered failure (1 s) is over.
    let client = client(&server, RetryPolicy::default());
    let results = concurrent_calls(&client, 1000).await;
    for (result, _) in &results {
        let err = result.as_ref().expect_err("the token endpoint fails");
        assert_eq!(err.status(), Some(503), "{err}");
        assert!(err.is_retryable(), "{err}");
    }
    // Today every caller fetched on every attempt: 3,000 requests.
    let fetches = count(&server, TOKEN_PATH).await;
    assert!(
        (1..=3).contains(&fetches),
        "{fetches} token requests for 1,000 callers"
    );
    assert_eq!(count(&server, CHAT_PATH).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_shared_then_remembered_for_the_configured_time() {
    let server = platform(unavailable()).await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .token_failure_cache(Duration::from_millis(300))
        .build()
        .expect("client");
    let results = concurrent_calls(&client, 200).await;
    assert!(results.iter().all(|(r, _)| r.is_err()));
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
    // Remembered: answered at once, the endpoint is not asked.
    let err = client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
    // Forgotten after its time: asked again.
    tokio::time::sleep(Duration::from_millis(350)).await;
    client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(count(&server, TOKEN_PATH).await, 2);

    // Zero turns the memory off (single flight stays).
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .token_failure_cache(Duration::ZERO)
        .build()
        .expect("client");
    client.chat(CHAT).get().send().await.unwrap_err();
    client.chat(CHAT).get().send().await.unwrap_err();
    assert_eq!(count(&server, TOKEN_PATH).await, 4);
    let too_long = Client::builder("cli_test", "secret-value")
        .token_failure_cache(Duration::from_secs(3600))
        .build();
    assert!(matches!(too_long, Err(Error::Config(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_token_endpoint_bounds_every_callers_wait() {
    let server = platform(ResponseTemplate::new(200).set_delay(Duration::from_secs(60))).await;
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .timeout(Some(Duration::from_millis(500)))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    // Ten callers arriving 40 ms apart: today the tenth waited for nine timeouts, 5 s.
    let calls = (0..10u64).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(40 * i)).await;
            let start = Instant::now();
            let err = client.chat(CHAT).get().send().await.unwrap_err();
            (err, start.elapsed())
        })
    });
    for done in futures::future::join_all(calls).await {
        let (err, waited) = done.expect("task");
        assert!(err.is_retryable(), "{err}");
        assert!(waited < Duration::from_millis(1500), "waited {waited:?}");
    }
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_token_counts_against_the_retry_budget() {
    let server = platform(ResponseTemplate::new(200).set_delay(Duration::from_secs(60))).await;
    // No HTTP timeout at all: only the budget bounds the wait.
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .timeout(None)
        .retry(RetryPolicy::default().total_budget(Duration::from_millis(400)))
        .build()
        .expect("client");
    for (result, waited) in concurrent_calls(&client, 20).await {
        let err = result.expect_err("no token");
        assert!(
            matches!(&err, Error::Auth(m) if m.contains("budget")),
            "{err}"
        );
        assert!(
            waited >= Duration::from_millis(350) && waited < Duration::from_millis(1500),
            "waited {waited:?}"
        );
    }
    assert_eq!(count(&server, TOKEN_PATH).await, 1);
}

/// What two sequential token look-ups make of one `expire` value.
struct Outcome {
    results: Vec<lark_im_chat::Result<String>>,
    fetches: usize,
    /// How long the stored token is used, if one was stored.
    used_for: Option<Duration>,
}

async fn expire_outcome(expire: Value) -> Outcome {
    let body = json!({"code": 0, "msg": "ok", "tenant_access_token": "t-x", "expire": expire});
    let server = platform(ResponseTemplate::new(200).set_body_json(body)).await;
    let store = Arc::new(MemoryTokenStore::new());
    let client = Client::builder("cli_test", "secret-value")
        .base_url(server.uri())
        .token_store(store.clone())
        .build()
        .expect("client");
    let mut results = Vec::new();
    for _ in 0..2 {
        let client = client.clone();
        // In a task, so that a panic shows as a failed look-up, not a dead test.
        let got = tokio::spawn(async move { client.tenant_access_token(None).await })
            .await
            .expect("the client never panics");
        results.push(got.map(|t| t.expose().to_owned()));
    }
    let key = TokenKey::new(CachedTokenKind::TenantAccessToken, "cli_test", None);
    let used_for = store.get(&key).await.map(|t| {
        t.use_until
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    });
    Outcome {
        results,
        fetches: count(&server, TOKEN_PATH).await,
        used_for,
    }
}

fn assert_cached_for(outcome: &Outcome, low: u64, high: u64, case: &str) {
    assert!(
        outcome
            .results
            .iter()
            .all(|r| matches!(r, Ok(t) if t == "t-x")),
        "{case}: {:?}",
        outcome.results
    );
    assert_eq!(outcome.fetches, 1, "{case}: cached, fetched once");
    let used = outcome.used_for.expect("stored");
    assert!(
        used > Duration::from_secs(low) && used <= Duration::from_secs(high),
        "{case}: used for {used:?}"
    );
}

#[tokio::test]
async fn any_expire_is_clamped_or_a_typed_error_and_never_a_panic() {
    // Short lifetimes are cached for half their life at least (today: not at all below 181 s).
    assert_cached_for(&expire_outcome(json!(100)).await, 45, 50, "100");
    assert_cached_for(&expire_outcome(json!(181)).await, 85, 91, "181");
    assert_cached_for(&expire_outcome(json!("7200")).await, 6400, 6480, "\"7200\"");
    // Absurd lifetimes are cut to 24 h (used for 24 h - 10 %); today u64::MAX panicked.
    let day = 24 * 3600;
    for huge in [
        json!(1.03e19),
        json!(10_300_000_000_000_000_000u64),
        json!(u64::MAX),
    ] {
        let case = huge.to_string();
        assert_cached_for(
            &expire_outcome(huge).await,
            day * 9 / 10 - 60,
            day * 9 / 10,
            &case,
        );
    }
    // A token that expires at once serves the call that fetched it and is not reused.
    let zero = expire_outcome(json!(0)).await;
    assert!(zero
        .results
        .iter()
        .all(|r| matches!(r, Ok(t) if t == "t-x")));
    assert_eq!(zero.fetches, 2);
    // Not a number of seconds: a typed decode error naming `expire`, remembered like any failure.
    for bad in [json!(-1), json!("soon"), json!(true)] {
        let case = bad.to_string();
        let outcome = expire_outcome(bad).await;
        for r in &outcome.results {
            match r {
                Err(Error::Decode(d)) => {
                    assert_eq!(d.path, "expire", "{case}");
                    assert!(!d.message.contains("t-x") && d.body.is_empty(), "{case}");
                }
                other => panic!("{case}: {other:?}"),
            }
        }
        assert_eq!(outcome.fetches, 1, "{case}");
        assert!(outcome.used_for.is_none(), "{case}");
    }
}

#[tokio::test]
async fn a_new_app_ticket_lifts_remembered_failures() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_ticket/resend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-app", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-a", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    let client = Client::builder("cli_store", "store-secret")
        .app_type(AppType::Store)
        .base_url(server.uri())
        .token_failure_cache(Duration::from_secs(60))
        .build()
        .expect("client");
    let err = client.tenant_access_token(Some("tenant-a")).await;
    assert!(matches!(err, Err(Error::Auth(m)) if m.contains("app_ticket")));
    // The platform pushes a ticket: the remembered failure is stale, the next call fetches.
    client.set_app_ticket("ticket-1").await;
    let token = client
        .tenant_access_token(Some("tenant-a"))
        .await
        .expect("token");
    assert_eq!(token.expose(), "t-a");
}
