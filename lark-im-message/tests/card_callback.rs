//! The `card.action.trigger` callback: decoded intact (unknown fields and values kept), and
//! answered with the handler's response over HTTP callbacks (signed, encrypted) and the long
//! connection (`type=card` or `type=event` frames: base64 of the response in the ack's `data`),
//! with an empty response in time when the handler is late, and never de-duplicated.

use lark_im_message::events::dispatch::{Dispatcher, Outcome};
use lark_im_message::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_message::events::{CardActionTrigger, EventEnvelopeV2};
use lark_im_message::prelude::*;
use lark_im_message::testing::Callback;
use lark_im_message::types::{CardActionHost, CardActionTag};
use lark_im_message::MessageEvent;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "q7Lm2v9XcR4tYp1WzK8sNf3Hd6Jb0GaE";
const TOKEN: &str = "Vt5pQ2rS8uW1xY4zA7bC0dE3fG6hJ9kL";

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/events/{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> WebhookConfig {
    WebhookConfig::builder()
        .encrypt_key(KEY)
        .verification_token(TOKEN)
        .build()
        .expect("config")
}

/// What the handler answers a click on `{"action":"hello"}` with.
fn hello_response() -> Value {
    json!({
        "toast": {"type": "success", "content": "Hello!", "i18n": {"zh_cn": "你好！", "en_us": "Hello!"}},
        "card": {"type": "raw", "data": {"schema": "2.0", "body": {"elements": [{"tag": "markdown", "content": "Said hello"}]}}}
    })
}

fn dispatcher(clicks: Arc<AtomicUsize>) -> Dispatcher {
    Dispatcher::builder()
        .on_card_action_trigger(move |e: EventEnvelopeV2<CardActionTrigger>| {
            let clicks = clicks.clone();
            async move {
                clicks.fetch_add(1, Ordering::SeqCst);
                let value = e.event.action.and_then(|a| a.value).unwrap_or_default();
                Ok(if value["action"] == "hello" {
                    hello_response()
                } else {
                    json!({})
                })
            }
        })
        .build()
        .expect("dispatcher")
}

#[test]
fn a_button_click_decodes_with_every_value() {
    let MessageEvent::CardActionTrigger(e) =
        MessageEvent::from_json(&fixture("card.action.trigger")).expect("decodes")
    else {
        panic!("not a card action");
    };
    coverage_record::record_event("card.action.trigger");
    let action = e.event.action.as_ref().expect("action");
    assert_eq!(action.tag, Some(CardActionTag::Button));
    assert_eq!(action.value, Some(json!({"action": "hello"})));
    assert_eq!(e.event.host, Some(CardActionHost::ImMessage));
    let context = e.event.context.as_ref().expect("context");
    assert_eq!(
        context.open_message_id.as_deref(),
        Some("om_dc13264520392913993dd051dba21dcf")
    );
    assert_eq!(
        context.open_chat_id.as_deref(),
        Some("oc_a0553eda9014c201e6969b478895c230")
    );
    assert_eq!(
        e.event.operator.as_ref().and_then(|o| o.open_id.as_deref()),
        Some("ou_7d8a6e6df7621556ce0d21922b676706ccs")
    );
    let raw: Value = serde_json::from_slice(&fixture("card.action.trigger")).expect("json");
    assert_eq!(serde_json::to_value(&e.event).expect("json"), raw["event"]);
}

#[test]
fn a_form_submit_keeps_its_form_values_and_fields_newer_than_the_spec() {
    let MessageEvent::CardActionTrigger(e) =
        MessageEvent::from_json(&fixture("card.action.trigger.form")).expect("decodes")
    else {
        panic!("not a card action");
    };
    let action = e.event.action.as_ref().expect("action");
    assert_eq!(action.name.as_deref(), Some("submit"));
    assert_eq!(
        action.form_value.as_ref().expect("form")["severity"],
        "sev1"
    );
    assert_eq!(action.extra["sparkle"], "a field newer than the spec");
    match &e.event.host {
        Some(CardActionHost::Unknown(v)) => assert_eq!(v.as_str(), "im_top_notice_v2"),
        other => panic!("unknown host not kept: {other:?}"),
    }
    let raw: Value = serde_json::from_slice(&fixture("card.action.trigger.form")).expect("json");
    assert_eq!(
        serde_json::to_value(&e.event).expect("json"),
        raw["event"],
        "every value kept"
    );
}

#[tokio::test]
async fn a_plaintext_and_an_encrypted_signed_http_callback_are_answered_with_the_handlers_response()
{
    let clicks = Arc::new(AtomicUsize::new(0));
    let body = fixture("card.action.trigger");
    // Encrypted and signed (an app with an Encrypt Key), and plaintext with the Verification
    // Token only: both answered 200 with the toast and the card.
    let secured = config();
    let (headers, sealed) = Callback::new(&secured).payload(&body);
    let token_only = WebhookConfig::builder()
        .verification_token(TOKEN)
        .build()
        .expect("config");
    let (plain_headers, plain) = Callback::new(&token_only).payload(&body);
    for (config, headers, body) in [
        (secured, headers, sealed),
        (token_only, plain_headers, plain),
    ] {
        let webhook = dispatcher(clicks.clone()).with_webhook(WebhookReceiver::new(config));
        let (status, answer) = webhook.handle(&headers, &body).await;
        assert_eq!(status, 200);
        let answer: Value = serde_json::from_slice(&answer).expect("JSON answer");
        assert_eq!(answer, hello_response());
    }
    assert_eq!(clicks.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_handler_past_the_deadline_is_answered_in_time_with_an_empty_response() {
    let dispatcher = Dispatcher::builder()
        .callback_deadline(Duration::from_millis(200))
        .on_card_action_trigger(|_e| async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(json!({"toast": {"type": "info", "content": "too late"}}))
        })
        .build()
        .expect("dispatcher");
    let started = Instant::now();
    let outcome = dispatcher
        .dispatch_plaintext(&fixture("card.action.trigger"))
        .await;
    let took = started.elapsed();
    eprintln!("late handler answered after {took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(
        matches!(outcome, Outcome::CallbackFailed { .. }),
        "{outcome:?}"
    );
    assert!(outcome.handler_error().is_some());
    let (status, body) = outcome.into_response();
    assert_eq!(status, 200);
    assert_eq!(&body[..], b"{}");
}

#[tokio::test]
async fn a_failing_handler_is_answered_with_an_empty_response_and_a_click_is_never_a_duplicate() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let dispatcher = Dispatcher::builder()
        .on_card_action_trigger(move |_e| {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err("backend down".into())
                } else {
                    Ok(json!({"toast": {"type": "success", "content": "ok"}}))
                }
            }
        })
        .build()
        .expect("dispatcher");
    let body = fixture("card.action.trigger");
    let first = dispatcher.dispatch_plaintext(&body).await;
    assert_eq!(first.callback_response().as_deref(), Some(&b"{}"[..]));
    let second = dispatcher.dispatch_plaintext(&body).await;
    assert!(matches!(second, Outcome::Answered { .. }), "{second:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[cfg(feature = "long-connection")]
mod long_connection {
    use super::*;
    use lark_im_message::testing::LongConnectionServer;

    /// A card action pushed as a `card` frame and as an `event` frame over a real WebSocket:
    /// both acked 200 with `biz_rt` and the handler's response, base64-encoded, in `data`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn card_and_event_frames_are_answered_in_the_acks_data() {
        let mut server = LongConnectionServer::start().await;
        let clicks = Arc::new(AtomicUsize::new(0));
        let connection = server
            .connection(dispatcher(clicks.clone()))
            .start()
            .expect("starts");
        let mut conn = server.accept().await;
        let body = fixture("card.action.trigger");
        conn.send_card(&body).await;
        let card_ack = conn.next_ack().await;
        conn.send_event(&body).await;
        let event_ack = conn.next_ack().await;
        for (frame_type, ack) in [("card", card_ack), ("event", event_ack)] {
            assert_eq!(ack.code, 200, "{frame_type}");
            assert!(ack.biz_rt_ms.is_some(), "{frame_type}");
            // `Ack::data` is the base64 of the response JSON, decoded.
            assert_eq!(ack.data, Some(hello_response()), "{frame_type}");
        }
        assert_eq!(clicks.load(Ordering::SeqCst), 2, "two clicks, both handled");
        connection.shutdown().await.expect("shutdown");
    }
}
