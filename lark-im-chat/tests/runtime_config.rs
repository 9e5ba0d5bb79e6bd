//! Client configuration, the scope check and the error-code lookup.

use lark_im_chat::prelude::*;
use lark_im_chat::{
    meta::{event, operation, EVENTS, OPERATIONS},
    Client, Domain, Error, ErrorCode, RetryPolicy, ScopeSet, FAMILY,
};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config_error(result: Result<Client, Error>) -> String {
    match result {
        Err(Error::Config(m)) => m,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn domains_and_base_urls() {
    let feishu = Client::builder("cli_a", "s").build().expect("feishu");
    assert_eq!(feishu.base_url(), "https://open.feishu.cn");
    let lark = Client::builder("cli_a", "s")
        .domain(Domain::Lark)
        .build()
        .expect("lark");
    assert_eq!(lark.base_url(), "https://open.larksuite.com");
    let private = Client::builder("cli_a", "s")
        .domain(Domain::Lark)
        .base_url("https://open.feishu-boe.cn/")
        .build()
        .expect("override");
    assert_eq!(
        private.base_url(),
        "https://open.feishu-boe.cn",
        "override wins, trailing slash dropped"
    );
}

#[test]
fn builder_errors() {
    assert!(config_error(Client::builder(" ", "s").build()).contains("app id"));
    assert!(config_error(Client::builder("cli_a", "").build()).contains("app secret"));
    for bad in [
        "open.feishu.cn",
        "ftp://open.feishu.cn",
        "https://",
        "https://h/?x=1",
    ] {
        let m = config_error(Client::builder("cli_a", "s").base_url(bad).build());
        assert!(m.contains("base URL"), "{bad}: {m}");
    }
    assert!(config_error(
        Client::builder("cli_a", "s")
            .timeout(Some(Duration::ZERO))
            .build()
    )
    .contains("zero"));
    assert!(config_error(
        Client::builder("cli_a", "s")
            .user_agent("bad\nagent")
            .build()
    )
    .contains("user agent"));
    let m = config_error(
        Client::builder("cli_a", "s")
            .http_client(reqwest::Client::new())
            .timeout(Some(Duration::from_secs(1)))
            .build(),
    );
    assert!(m.contains("reqwest::Client"), "{m}");
    Client::builder("cli_a", "s")
        .http_client(reqwest::Client::new())
        .build()
        .expect("caller client");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let builder = Client::builder("cli_a", "very-secret-value").app_ticket("ticket-secret");
    let text = format!("{builder:?}");
    assert!(
        !text.contains("very-secret-value") && !text.contains("ticket-secret"),
        "{text}"
    );
    let client = builder.build().expect("client");
    let text = format!(
        "{client:?} {:?} {:?}",
        client.as_user("u-secret-user"),
        client.with_tenant_token("t-secret")
    );
    assert!(!text.contains("very-secret-value"), "{text}");
    assert!(
        !text.contains("u-secret-user") && !text.contains("t-secret"),
        "{text}"
    );
}

#[tokio::test]
async fn user_agent_and_timeout_are_applied() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_1"))
        .and(header("user-agent", "incident-bot/2.1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(3))
                .set_body_json(json!({"code": 0})),
        )
        .mount(&server)
        .await;
    let client = Client::builder("cli_a", "s")
        .base_url(server.uri())
        .user_agent("incident-bot/2.1")
        .timeout(Some(Duration::from_millis(200)))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let api = client.with_tenant_token("t-1");
    api.chat("oc_1")
        .get()
        .send()
        .await
        .expect("user agent matched");
    let err = api.chat("oc_slow").get().send().await.unwrap_err();
    let Error::Transport { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(source.is_timeout(), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn default_user_agent_names_the_crate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_1"))
        .and(header(
            "user-agent",
            // The runtime sends the requests (same workspace version).
            concat!("lark-runtime/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        )
        .mount(&server)
        .await;
    let client = Client::builder("cli_a", "s")
        .base_url(server.uri())
        .build()
        .expect("client");
    client
        .with_tenant_token("t-1")
        .chat("oc_1")
        .get()
        .send()
        .await
        .expect("default user agent");
}

#[test]
fn scope_check_over_operations_and_events() {
    let none = ScopeSet::default();
    assert!(
        none.operations(&FAMILY).is_empty(),
        "every operation needs a scope"
    );
    // Events with no scopes need none.
    let free: Vec<_> = none.events(&FAMILY).iter().map(|e| e.event_type).collect();
    assert_eq!(
        free,
        [
            "im.chat.access_event.bot_p2p_chat_entered_v1",
            "p2p_chat_create"
        ]
    );

    let all = ScopeSet::new(["im:chat"]);
    assert_eq!(all.operations(&FAMILY).len(), OPERATIONS.len());
    assert_eq!(all.events(&FAMILY).len(), EVENTS.len());
    assert!(all.denied_operations(&FAMILY).is_empty());

    let read = ScopeSet::new(["im:chat:readonly"]);
    let get = operation("chat.get").expect("chat.get");
    let create = operation("chat.create").expect("chat.create");
    assert!(read.allows(get));
    assert_eq!(read.missing_for(get), None);
    assert_eq!(read.missing_for(create), Some(create.scopes));
    assert!(read
        .operations(&FAMILY)
        .iter()
        .all(|op| op.scopes.contains(&"im:chat:readonly")));
    assert!(read
        .denied_operations(&FAMILY)
        .iter()
        .any(|op| op.id == "chat.create"));
    assert_eq!(
        read.missing_field_scopes(get),
        ["contact:user.employee_id:readonly"]
    );
    let updated = event("im.chat.updated_v1").expect("event");
    assert!(read.allows_event(updated));
    let bot_added = event("im.chat.member.bot.added_v1").expect("event");
    assert!(ScopeSet::new(["im:chat.members:bot_access"]).allows_event(bot_added));
    assert_eq!(
        ScopeSet::new(["im:chat:read"]).missing_for_event(bot_added),
        Some(bot_added.scopes)
    );
    // Operation and scope counts agree with OPERATIONS: every operation is in exactly one list.
    assert_eq!(
        read.operations(&FAMILY).len() + read.denied_operations(&FAMILY).len(),
        OPERATIONS.len()
    );
}

#[test]
fn documented_error_codes_are_an_open_enum() {
    let rate = ErrorCode::from(99991400);
    assert!(rate.is_retryable());
    assert_eq!(rate.http_status(), Some(429));
    let chat = ErrorCode::from(232009);
    assert_eq!(chat.meaning(), Some("chat has already been disbanded"));
    assert_eq!(chat.http_status(), Some(400));
    assert!(!chat.is_retryable());
    assert!(ErrorCode::from(232019).is_retryable());
    // Codes the spec does not document are kept, not lost.
    assert_eq!(ErrorCode::from(123), ErrorCode::Unknown(123));
    assert_eq!(ErrorCode::from(123).code(), 123);
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from(code.code()), *code, "{code}");
        assert!(code.meaning().is_some());
    }
}

#[test]
fn retry_policy_decisions() {
    let client = Client::builder("cli_a", "s").build().expect("client");
    let get = client.chat("oc_1").get().to_request().expect("get");
    let create = client.chats().create().to_request().expect("create");
    let create_keyed = client
        .chats()
        .create()
        .uuid("k")
        .to_request()
        .expect("create with uuid");
    let err = |status: u16, code: i64| {
        let body = format!(r#"{{"code":{code},"msg":"m"}}"#);
        let mut err = lark_im_chat::http::decode_response::<serde_json::Value>(
            "chat.get",
            status,
            None,
            body.as_bytes(),
        )
        .unwrap_err();
        // As the client does: the code's class comes from the operation's family table.
        if let Error::Api(api) = &mut err {
            api.class = lark_im_chat::ERROR_CLASSES.class(api.code);
        }
        err
    };
    let policy = RetryPolicy::default()
        .max_attempts(6)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(350))
        .total_budget(Duration::from_secs(10))
        .jitter(false);
    let server_error = err(503, 1);
    // Exponential, capped.
    let delays: Vec<_> = (1..6)
        .map(|n| policy.next_delay(&get, &server_error, n, Duration::ZERO))
        .collect();
    let ms = |n| Some(Duration::from_millis(n));
    assert_eq!(delays, [ms(100), ms(200), ms(350), ms(350), ms(350)]);
    // Attempts and budget bound it.
    assert_eq!(
        policy.next_delay(&get, &server_error, 6, Duration::ZERO),
        None
    );
    assert_eq!(
        policy.next_delay(&get, &server_error, 1, Duration::from_secs(10)),
        None
    );
    // Only retry-safe requests are retried after a 5xx.
    assert_eq!(
        policy.next_delay(&create, &server_error, 1, Duration::ZERO),
        None
    );
    assert_eq!(
        policy.next_delay(&create_keyed, &server_error, 1, Duration::ZERO),
        ms(100)
    );
    // Rate limiting is retried for any request; business errors never are.
    assert!(policy
        .next_delay(&create, &err(400, 99991400), 1, Duration::ZERO)
        .is_some());
    assert_eq!(
        policy.next_delay(&get, &err(400, 232006), 1, Duration::ZERO),
        None
    );
    assert_eq!(
        RetryPolicy::none().next_delay(&get, &server_error, 1, Duration::ZERO),
        None
    );
    // With jitter, a backoff stays within [50 %, 100 %].
    let jittered = RetryPolicy::default().base_delay(Duration::from_millis(100));
    for _ in 0..100 {
        let d = jittered
            .next_delay(&get, &server_error, 1, Duration::ZERO)
            .expect("delay");
        assert!(
            d >= Duration::from_millis(50) && d <= Duration::from_millis(100),
            "{d:?}"
        );
    }
}
