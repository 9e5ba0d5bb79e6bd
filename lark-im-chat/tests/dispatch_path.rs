//! The whole webhook path through the [`Dispatcher`]: receiver -> typed decoding ->
//! de-duplication -> handler, and the HTTP answer of every outcome: every event, the challenge,
//! handler results and the builder. Rejections: `dispatch_rejections.rs`; de-duplication:
//! `dispatch_dedup.rs`.

mod dispatch_path_support;

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use dispatch_path_support::*;
use http::{HeaderMap, StatusCode};
use lark_im_chat::events::dispatch::{Dispatcher, DispatcherBuildError, HandlerPanicked, Outcome};
use lark_im_chat::events::webhook::{Received, WebhookError, WebhookReceiver};
use lark_im_chat::{
    events::{ChatDisbandedV1, ChatUpdatedV1},
    ChatEvent,
};
use serde_json::Value;

// --- every event, plain and encrypted -------------------------------------------------------

#[tokio::test]
async fn each_of_the_nine_events_reaches_its_typed_handler_in_plain_text() {
    let seen = Seen::default();
    let dispatcher = all_handlers(plain_config(), &seen);
    for name in KNOWN {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
        assert_eq!(outcome.event().map(|e| e.event_type.as_str()), Some(name));
        coverage_record::record_event(name);
    }
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), KNOWN.len());
    for (name, (event_type, id, chat)) in KNOWN.iter().zip(seen) {
        assert_eq!(&event_type, name);
        assert_eq!((id, chat), expected(name));
    }
}

#[tokio::test]
async fn each_of_the_nine_events_reaches_its_typed_handler_encrypted_and_signed() {
    let seen = Seen::default();
    let dispatcher = all_handlers(encrypted_config(), &seen);
    for (i, name) in KNOWN.iter().enumerate() {
        let body = seal(&fixture(name), i as u8);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
        coverage_record::record_event(name);
    }
    let seen = seen.lock().expect("lock").clone();
    let types: Vec<_> = seen.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(types, KNOWN);
    for (name, (_, id, chat)) in KNOWN.iter().zip(seen) {
        assert_eq!((id, chat), expected(name));
    }
}

#[tokio::test]
async fn handle_returns_status_and_body() {
    let dispatcher = Dispatcher::builder()
        .on_chat_disbanded(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    let (status, body) = dispatcher
        .handle(&HeaderMap::new(), &fixture("im.chat.disbanded_v1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[..], br#"{"msg":"success"}"#);
}

#[tokio::test]
async fn dispatch_verified_runs_the_rest_of_the_path() {
    let seen = Seen::default();
    let dispatcher = all_handlers(plain_config(), &seen);
    let receiver = WebhookReceiver::new(plain_config());
    let Ok(Received::Event(event)) =
        receiver.receive(&HeaderMap::new(), &fixture("im.chat.updated_v1"))
    else {
        panic!("accepted");
    };
    let outcome = dispatcher.dispatcher().dispatch_verified(event).await;
    assert!(matches!(outcome, Outcome::Handled { .. }));
    assert_eq!(seen_types(&seen), ["im.chat.updated_v1"]);
}

// --- challenge ------------------------------------------------------------------------------

#[tokio::test]
async fn plain_challenge_is_answered_with_the_challenge() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    let body =
        format!(r#"{{"challenge":"ajls384kdjx98XX","token":"{TOKEN}","type":"url_verification"}}"#);
    let (status, answer) = run(&dispatcher, &HeaderMap::new(), body.as_bytes())
        .await
        .into_response();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&answer[..], br#"{"challenge":"ajls384kdjx98XX"}"#);
}

#[tokio::test]
async fn encrypted_unsigned_challenge_is_answered() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(encrypted());
    let plaintext =
        format!(r#"{{"challenge":"c-\"quoted\"","token":"{TOKEN}","type":"url_verification"}}"#);
    let body = seal(plaintext.as_bytes(), 7);
    let outcome = run(&dispatcher, &HeaderMap::new(), &body).await;
    assert!(matches!(&outcome, Outcome::Challenge { challenge } if challenge == "c-\"quoted\""));
    let answer: Value = serde_json::from_slice(&outcome.body()).expect("json");
    assert_eq!(answer, serde_json::json!({ "challenge": "c-\"quoted\"" }));
}

#[tokio::test]
async fn challenge_with_wrong_token_is_forbidden() {
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = br#"{"challenge":"c","token":"someone-else","type":"url_verification"}"#;
    assert_rejected(
        run(&dispatcher, &HeaderMap::new(), body).await,
        StatusCode::FORBIDDEN,
        |e| *e == WebhookError::TokenMismatch,
    );
}

// --- handler results ------------------------------------------------------------------------

#[tokio::test]
async fn handler_error_answers_500_and_the_redelivery_is_processed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let dispatcher = Dispatcher::builder()
        .on_chat_member_user_deleted(move |e| {
            let attempt = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                assert_eq!(e.event.users.map(|u| u.len()), Some(1));
                if attempt == 0 {
                    Err("database unavailable".into())
                } else {
                    Ok(())
                }
            }
        })
        .build()
        .expect("build")
        .with_webhook(encrypted());
    let plaintext = fixture("im.chat.member.user.deleted_v1");

    let body = seal(&plaintext, 1);
    let outcome = run(&dispatcher, &signed(&body), &body).await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(&outcome.body()[..], br#"{"msg":"event handler failed"}"#);
    match &outcome {
        Outcome::HandlerFailed { info, error } => {
            assert_eq!(info.event_id, "9a8b7c6d5e4f30211f2e3d4c5b6a7980");
            assert_eq!(error.to_string(), "database unavailable");
        }
        other => panic!("expected HandlerFailed, got {other:?}"),
    }

    // The platform redelivers: the failed event was not recorded as seen.
    let body = seal(&plaintext, 2);
    let outcome = run(&dispatcher, &signed(&body), &body).await;
    assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    // Once handled, later deliveries are duplicates.
    let body = seal(&plaintext, 3);
    assert!(run(&dispatcher, &signed(&body), &body).await.is_duplicate());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn handler_panic_answers_500() {
    let dispatcher = Dispatcher::builder()
        .on_chat_disbanded(|_| async { must_not_run("handler bug") })
        .on_chat_updated(|_| -> std::future::Ready<Result<(), _>> { panic!("before the future") })
        .build()
        .expect("build")
        .with_webhook(plain());
    for name in ["im.chat.disbanded_v1", "im.chat.updated_v1"] {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
        match outcome {
            Outcome::HandlerFailed { error, .. } => assert!(error.is::<HandlerPanicked>()),
            other => panic!("expected HandlerFailed, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn event_without_handler_is_acknowledged() {
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    for name in [
        "im.chat.disbanded_v1",
        "p2p_chat_create",
        "unknown.im.message.receive_v1",
    ] {
        let outcome = run(&dispatcher, &HeaderMap::new(), &fixture(name)).await;
        assert_success(&outcome);
        assert!(matches!(outcome, Outcome::Unhandled { .. }), "{outcome:?}");
    }
}

#[tokio::test]
async fn unknown_event_types_go_to_the_fallback() {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .fallback(move |event| {
            let sink = Arc::clone(&sink);
            async move {
                sink.lock().expect("lock").push(event);
                Ok(())
            }
        })
        .build()
        .expect("build")
        .with_webhook(encrypted());
    for (i, name) in [
        "unknown.im.message.receive_v1",
        "unknown.add_bot",
        "im.chat.disbanded_v1",
    ]
    .iter()
    .enumerate()
    {
        let body = seal(&fixture(name), i as u8);
        let outcome = run(&dispatcher, &signed(&body), &body).await;
        assert!(matches!(outcome, Outcome::Handled { .. }), "{outcome:?}");
    }
    let got: Vec<ChatEvent> = got
        .lock()
        .expect("lock")
        .iter()
        .map(|raw| ChatEvent::from_raw(raw).expect("decodes"))
        .collect();
    match &got[0] {
        ChatEvent::Unknown { event_type, raw } => {
            assert_eq!(event_type, "im.message.receive_v1");
            assert_eq!(raw["event"]["message"]["message_type"], "text");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    assert!(matches!(&got[1], ChatEvent::Unknown { event_type, .. } if event_type == "add_bot"));
    // A known event without a typed handler reaches the fallback typed.
    assert!(matches!(&got[2], ChatEvent::ChatDisbandedV1(_)));
}

#[tokio::test]
async fn fallback_errors_answer_500_too() {
    let dispatcher = Dispatcher::builder()
        .fallback(|_| async { Err("nope".into()) })
        .build()
        .expect("build")
        .with_webhook(plain());
    let outcome = run(
        &dispatcher,
        &HeaderMap::new(),
        &fixture("unknown.im.message.receive_v1"),
    )
    .await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn undecodable_known_event_answers_500_without_dispatching() {
    let dispatcher = Dispatcher::builder()
        .on_chat_updated(|_| async { must_not_run("must not run") })
        .fallback(|_| async { must_not_run("must not run") })
        .build()
        .expect("build")
        .with_webhook(plain());
    let body = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"e-1","event_type":"im.chat.updated_v1","token":"{TOKEN}"}},"event":{{"external":"yes"}}}}"#
    );
    let outcome = run(&dispatcher, &HeaderMap::new(), body.as_bytes()).await;
    assert_eq!(outcome.status(), StatusCode::INTERNAL_SERVER_ERROR);
    match outcome {
        Outcome::Undecodable { info, error } => {
            assert_eq!(info.event_type, "im.chat.updated_v1");
            assert_eq!(error.path, "event.external");
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
}

// --- builder --------------------------------------------------------------------------------

#[test]
fn registering_an_event_twice_is_a_build_error() {
    let error = Dispatcher::builder()
        .on_chat_updated(|_| async { Ok(()) })
        .on_chat_disbanded(|_| async { Ok(()) })
        .on::<ChatUpdatedV1>(|_| async { Ok(()) })
        .build()
        .expect_err("two handlers for im.chat.updated_v1");
    assert_eq!(
        error,
        DispatcherBuildError::DuplicateHandler {
            event_type: "im.chat.updated_v1"
        }
    );
    assert_eq!(
        error.to_string(),
        "two handlers are registered for `im.chat.updated_v1` events"
    );
}

#[test]
fn registering_two_fallbacks_is_a_build_error() {
    let error = Dispatcher::builder()
        .fallback(|_| async { Ok(()) })
        .fallback(|_| async { Ok(()) })
        .build()
        .expect_err("two fallbacks");
    assert_eq!(error, DispatcherBuildError::DuplicateFallback);
}

#[test]
fn generic_and_named_registration_are_the_same_slot() {
    let ok = Dispatcher::builder()
        .on::<ChatDisbandedV1>(|_| async { Ok(()) })
        .on_chat_updated(|_| async { Ok(()) })
        .build()
        .expect("distinct events")
        .with_webhook(plain());
    let debug = format!("{ok:?}");
    assert!(debug.contains("im.chat.disbanded_v1") && debug.contains("im.chat.updated_v1"));
    assert!(!debug.contains(TOKEN), "secrets stay out of Debug: {debug}");
}

#[test]
fn dispatcher_is_send_sync_and_its_future_is_send() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    fn assert_send<T: Send>(_: &T) {}
    let dispatcher = Dispatcher::builder()
        .build()
        .expect("build")
        .with_webhook(plain());
    assert_send_sync(&dispatcher);
    let headers = HeaderMap::new();
    let future = dispatcher.dispatch(&headers, b"{}");
    assert_send(&future);
}
