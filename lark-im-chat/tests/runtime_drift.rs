//! Spec drift seen in production: with a [`DriftLog`], a client (over real HTTP on 127.0.0.1)
//! and a dispatcher note every response or event path and enum value the spec does not know,
//! once each, as a `tracing` event without the value; without one they note nothing.

use http::HeaderMap;
use lark_im_chat::drift::{DriftKind, DriftLog};
use lark_im_chat::events::dispatch::{Dispatcher, WebhookDispatcher};
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::prelude::*;
use lark_im_chat::Client;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A value that must never reach the logs.
const PRIVATE: &str = "private-value-4711";
const VERIFICATION_TOKEN: &str = "drift-verification-token";

/// Keeps the events of target `lark_runtime::drift`, one line each: `level message fields`.
#[derive(Clone, Default)]
struct DriftEvents(Arc<Mutex<Vec<String>>>);

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl DriftEvents {
    fn lines(&self) -> Vec<String> {
        self.0.lock().expect("lock").clone()
    }
}

impl Subscriber for DriftEvents {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() == "lark_runtime::drift" {
            let mut line = event.metadata().level().to_string();
            event.record(&mut Line(&mut line));
            self.0.lock().expect("lock").push(line);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// A local platform answering the token endpoint and `GET path` with `data`.
async fn platform(answers: &[(&str, Value)]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-drift", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    for (p, data) in answers {
        Mock::given(method("GET"))
            .and(path(*p))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"code": 0, "msg": "success", "data": data})),
            )
            .mount(&server)
            .await;
    }
    server
}

fn client(server: &MockServer, drift: Option<&DriftLog>) -> Client {
    let builder = Client::builder("cli_drift", "drift-secret").base_url(server.uri());
    match drift {
        Some(log) => builder.drift_log(log.clone()),
        None => builder,
    }
    .build()
    .expect("client")
}

/// `chat.list` data with a new top-level field, a new field inside the listed items and a new
/// value of `chat_status`; the values are [`PRIVATE`].
fn drifted_listing() -> Value {
    json!({
        "items": [
            {"chat_id": "oc_1", "name": "known", "chat_status": "normal"},
            {"chat_id": "oc_2", "chat_status": PRIVATE, "brand_new": {"deep": PRIVATE}},
            {"chat_id": "oc_3", "chat_status": PRIVATE, "brand_new": PRIVATE},
        ],
        "has_more": false,
        "page_token": "",
        "sudden_total": PRIVATE,
    })
}

/// Every field `chat.get` answers in the spec, with listed enum values.
fn known_chat() -> Value {
    json!({
        "name": "Incident 4711", "description": "war room", "avatar": "https://example.invalid/a",
        "i18n_names": {"zh_cn": "事故", "en_us": "Incident"}, "chat_mode": "group",
        "chat_type": "private", "chat_tag": "inner", "owner_id_type": "open_id", "owner_id": "ou_1",
        "user_manager_id_list": ["ou_2"], "external": false, "user_count": "12", "bot_count": "1",
        "restricted_mode_setting": {"status": false}, "chat_status": "normal", "labels": []
    })
}

fn entries(log: &DriftLog) -> Vec<(String, DriftKind, String)> {
    log.snapshot()
        .into_iter()
        .map(|e| (e.item.to_owned(), e.kind, e.path))
        .collect()
}

#[tokio::test]
async fn a_client_notes_each_unknown_path_once_without_its_value() {
    let events = DriftEvents::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let server = platform(&[
        ("/open-apis/im/v1/chats", drifted_listing()),
        ("/open-apis/im/v1/chats/oc_1", known_chat()),
    ])
    .await;
    let log = DriftLog::new();
    let client = client(&server, Some(&log));

    for _ in 0..2 {
        let page = client.chats().list().send().await.expect("decodes");
        assert_eq!(page.items.map(|i| i.len()), Some(3));
    }
    client.chat("oc_1").get().send().await.expect("decodes");

    let item = |kind, p: &str| ("chat.list".to_owned(), kind, p.to_owned());
    assert_eq!(
        entries(&log),
        [
            item(DriftKind::Field, "data.items[].brand_new"),
            item(DriftKind::Field, "data.sudden_total"),
            item(DriftKind::Value, "data.items[].chat_status"),
        ]
    );
    let lines = events.lines();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    for (kind, p) in [
        ("field", "data.sudden_total"),
        ("field", "data.items[].brand_new"),
        ("value", "data.items[].chat_status"),
    ] {
        let wanted = format!("item=\"chat.list\" kind=\"{kind}\" path={p}");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("WARN") && l.contains(&wanted)),
            "{wanted} in {lines:#?}"
        );
    }
    assert!(!format!("{lines:?} {log:?}").contains(PRIVATE));
}

#[tokio::test]
async fn without_a_log_a_client_notes_nothing() {
    let events = DriftEvents::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let server = platform(&[("/open-apis/im/v1/chats", drifted_listing())]).await;
    let client = client(&server, None);
    client.chats().list().send().await.expect("decodes");
    assert_eq!(events.lines(), Vec::<String>::new());
}

#[tokio::test]
async fn a_response_with_only_known_fields_notes_nothing() {
    let events = DriftEvents::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let server = platform(&[("/open-apis/im/v1/chats/oc_1", known_chat())]).await;
    let log = DriftLog::new();
    let chat = client(&server, Some(&log))
        .chat("oc_1")
        .get()
        .send()
        .await
        .expect("decodes");
    assert_eq!(chat.user_count, Some(12));
    assert!(log.is_empty(), "{:?}", log.snapshot());
    assert_eq!(events.lines(), Vec::<String>::new());
}

fn dispatcher(drift: Option<&DriftLog>) -> WebhookDispatcher {
    let config = WebhookConfig::builder()
        .verification_token(VERIFICATION_TOKEN)
        .build()
        .expect("config");
    let builder = Dispatcher::builder().on_chat_updated(|_| async { Ok(()) });
    match drift {
        Some(log) => builder.drift_log(log.clone()),
        None => builder,
    }
    .build()
    .expect("dispatcher")
    .with_webhook(WebhookReceiver::new(config))
}

/// An `im.chat.updated_v1` callback; `after_change` gets `extra` merged in.
fn chat_updated(event_id: &str, extra: Value) -> Vec<u8> {
    let mut after_change = json!({"name": "renamed", "share_card_permission": "allowed"});
    if let (Some(a), Value::Object(extra)) = (after_change.as_object_mut(), extra) {
        a.extend(extra);
    }
    let body = json!({"schema": "2.0",
        "header": {"event_id": event_id, "event_type": "im.chat.updated_v1",
                   "token": VERIFICATION_TOKEN, "create_time": "1700000000000"},
        "event": {"chat_id": "oc_1", "after_change": after_change,
                  "operator_id": {"open_id": "ou_1"}}});
    serde_json::to_vec(&body).expect("json")
}

#[tokio::test]
async fn a_dispatcher_notes_each_unknown_event_path_once_without_its_value() {
    let events = DriftEvents::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let log = DriftLog::new();
    let dispatcher = dispatcher(Some(&log));
    let drifted =
        json!({"share_card_permission": PRIVATE, "brand_new": PRIVATE, "labels": [PRIVATE]});
    for event_id in ["e1", "e1", "e2"] {
        let body = chat_updated(event_id, drifted.clone());
        let outcome = dispatcher.dispatch(&HeaderMap::new(), &body).await;
        assert!(outcome.into_response().0.is_success());
    }
    let item = |kind, p: &str| ("im.chat.updated_v1".to_owned(), kind, p.to_owned());
    assert_eq!(
        entries(&log),
        [
            item(DriftKind::Field, "event.after_change.brand_new"),
            item(DriftKind::Value, "event.after_change.share_card_permission"),
        ]
    );
    let lines = events.lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines
        .iter()
        .all(|l| l.contains("item=\"im.chat.updated_v1\"")));
    assert!(!format!("{lines:?}").contains(PRIVATE));

    // Known fields only: nothing more.
    let body = chat_updated("e3", json!({"description": "d"}));
    dispatcher.dispatch(&HeaderMap::new(), &body).await;
    assert_eq!(log.len(), 2);
}

#[tokio::test]
async fn without_a_log_a_dispatcher_notes_nothing() {
    let events = DriftEvents::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let body = chat_updated("e1", json!({"brand_new": PRIVATE}));
    let outcome = dispatcher(None).dispatch(&HeaderMap::new(), &body).await;
    assert!(outcome.into_response().0.is_success());
    assert_eq!(events.lines(), Vec::<String>::new());
}
