//! `Callback` builds message events and card action callbacks that a webhook receiver
//! accepts: verified, signed and encrypted like any event.
#![cfg(feature = "testing")]

use lark_runtime::events::dispatch::Dispatcher;
use lark_runtime::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_runtime::testing::{Callback, CARD_ACTION_TRIGGER};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(serde::Serialize)]
struct Receive {
    message: Message,
}

#[derive(serde::Serialize)]
struct Message {
    message_id: &'static str,
    chat_id: &'static str,
    message_type: &'static str,
    content: String,
}

#[tokio::test]
async fn typed_message_events_and_card_actions_are_accepted_encrypted_and_plain() {
    for encrypted in [true, false] {
        let builder = WebhookConfig::builder().verification_token("vt-1");
        let config = if encrypted {
            builder.encrypt_key("ek-1")
        } else {
            builder
        }
        .build()
        .expect("config");
        let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
        let log = Arc::clone(&seen);
        let webhook = Dispatcher::builder()
            .fallback(move |e| {
                let log = Arc::clone(&log);
                async move {
                    log.lock().expect("lock").push(e.to_value()?);
                    Ok(())
                }
            })
            .build()
            .expect("dispatcher")
            .with_webhook(WebhookReceiver::new(config.clone()));
        let message = Receive {
            message: Message {
                message_id: "om_1",
                chat_id: "oc_1",
                message_type: "text",
                content: json!({"text": "help"}).to_string(),
            },
        };
        let (headers, body) =
            Callback::new(&config).event_of("ev_m", "im.message.receive_v1", &message);
        assert_eq!(headers.is_empty(), !encrypted);
        assert!(webhook.dispatch(&headers, &body).await.is_success());
        let click = json!({
            "operator": {"open_id": "ou_1"},
            "action": {"tag": "button", "value": {"action": "hello"}},
            "context": {"open_message_id": "om_1", "open_chat_id": "oc_1"}
        });
        let (headers, body) = Callback::new(&config).card_action("ev_c", &click);
        assert!(webhook.dispatch(&headers, &body).await.is_success());
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(seen.len(), 2, "encrypted={encrypted}");
        assert_eq!(seen[0]["header"]["event_type"], "im.message.receive_v1");
        assert_eq!(seen[0]["header"]["token"], "vt-1");
        assert_eq!(seen[0]["event"]["message"]["chat_id"], "oc_1");
        assert_eq!(seen[1]["header"]["event_type"], CARD_ACTION_TRIGGER);
        assert_eq!(seen[1]["event"]["action"]["value"]["action"], "hello");
    }
}
