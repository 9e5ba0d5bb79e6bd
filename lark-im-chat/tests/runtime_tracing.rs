//! Tracing: one span per call and per attempt (operation id, attempt, status, log id), and no
//! secret (app secret, tenant, app or user token, app ticket) in spans, events, errors or Debug.

use lark_im_chat::prelude::*;
use lark_im_chat::{meta::AppType, Client, RetryPolicy};
use serde_json::json;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP_SECRET: &str = "S3cr3t-app-secret-XYZ";
const TENANT_TOKEN: &str = "t-tenant-token-SECRET1";
const FRESH_TOKEN: &str = "t-tenant-token-SECRET2";
const USER_TOKEN: &str = "u-user-token-SECRET3";
const APP_TOKEN: &str = "a-app-token-SECRET4";
const TICKET: &str = "ticket-SECRET5";

/// Writes every span, field and event, at every level, into one string.
#[derive(Clone, Default)]
struct Capture {
    out: Arc<Mutex<String>>,
    next: Arc<AtomicU64>,
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Capture {
    fn text(&self) -> String {
        self.out.lock().expect("lock").clone()
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.out.lock().expect("lock");
        let _ = write!(out, "\nspan {}:", span.metadata().name());
        span.record(&mut Writer(&mut out));
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut out = self.out.lock().expect("lock");
        out.push_str("\nrecord:");
        values.record(&mut Writer(&mut out));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.out.lock().expect("lock");
        let _ = write!(
            out,
            "\nevent {} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Writer(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn assert_no_secret(text: &str) {
    for secret in [
        APP_SECRET,
        TENANT_TOKEN,
        FRESH_TOKEN,
        USER_TOKEN,
        APP_TOKEN,
        TICKET,
    ] {
        assert!(!text.contains(secret), "{secret} leaked into:\n{text}");
    }
}

#[tokio::test]
async fn spans_name_operation_attempt_and_log_id_and_no_secret_leaks() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN, "expire": 7200}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": FRESH_TOKEN, "expire": 7200}),
        ))
        .mount(&server)
        .await;
    let chat = "/open-apis/im/v1/chats/oc_1";
    // Token rejected once, then a 503, then success.
    Mock::given(method("GET"))
        .and(path(chat))
        .and(header(
            "authorization",
            format!("Bearer {TENANT_TOKEN}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid token"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(chat))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("x-tt-logid", "log-503")
                .set_body_string("busy"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(chat))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log-200")
                .set_body_json(json!({"code": 0, "msg": "success", "data": {"name": "n"}})),
        )
        .mount(&server)
        .await;
    // A user-token call that fails with a permission error.
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_2"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"code": 99991679, "msg": "unauthorized scope"})),
        )
        .mount(&server)
        .await;

    let client = Client::builder("cli_trace", APP_SECRET)
        .base_url(server.uri())
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(5))
                .jitter(false),
        )
        .build()
        .expect("client");
    client
        .chat("oc_1")
        .get()
        .send()
        .await
        .expect("succeeds in the end");
    let err = client
        .as_user(USER_TOKEN)
        .chat("oc_2")
        .get()
        .send()
        .await
        .unwrap_err();

    let text = capture.text();
    assert!(
        text.contains("span lark_runtime.call: operation=chat.get method=GET"),
        "{text}"
    );
    assert!(
        text.contains("span lark_runtime.attempt: operation=chat.get attempt=2"),
        "{text}"
    );
    assert!(text.contains("log_id=log-503"), "{text}");
    assert!(text.contains("log_id=log-200"), "{text}");
    assert!(
        text.contains("span lark_runtime.token: operation=auth.tenant_access_token"),
        "{text}"
    );
    assert!(text.contains("retrying"), "{text}");
    assert!(text.contains("attempts=2"), "{text}");
    assert_no_secret(&text);
    assert_no_secret(&format!("{err} {err:?} {client:?}"));
}

#[tokio::test]
async fn store_app_tokens_and_tickets_never_appear_either() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": APP_TOKEN, "expire": 7200}),
        ))
        .mount(&server)
        .await;
    // The tenant token endpoint answers garbage that contains the app token: never echoed.
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(format!("{{\"code\":0,\"app_access_token\":\"{APP_TOKEN}\"")),
        )
        .mount(&server)
        .await;
    let client = Client::builder("cli_store", APP_SECRET)
        .app_type(AppType::Store)
        .app_ticket(TICKET)
        .base_url(server.uri())
        .build()
        .expect("client");
    let err = client
        .for_tenant("tenant-a")
        .chat("oc_1")
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, lark_im_chat::Error::Decode(_)), "{err:?}");
    assert_no_secret(&format!("{err} {err:?} {client:?}"));
    assert_no_secret(&capture.text());
}
