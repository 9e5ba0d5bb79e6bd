//! Dispatching a maximum-size callback stays within a documented multiple of its size
//! ([`DECODE_MEMORY_MULTIPLE`](lark_im_chat::events::DECODE_MEMORY_MULTIPLE)), for realistic
//! payloads, for the densest payload still decoded (one small object per 16 bytes), and for
//! the worst shape, a `users` array of empty objects (each of which would become a 120-byte
//! struct: 61 times the body before the density check), which is refused.
//!
//! Measured with dhat's counting allocator (bytes, not time), through the dispatcher's whole
//! path: verification, decryption, decoding and the handler.

use lark_im_chat::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use lark_im_chat::events::dispatch::{Dispatcher, State};
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver, DEFAULT_MAX_BODY_SIZE};
use lark_im_chat::events::DECODE_MEMORY_MULTIPLE;
use lark_im_chat::testing::Callback;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const TOKEN: &str = "v3rificati0n-t0ken";

/// A `im.chat.member.user.added_v1` plaintext of about `size` bytes whose `users` repeat
/// `user`.
fn users_event(user: &str, size: usize) -> Vec<u8> {
    let head = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"ev-big","event_type":"im.chat.member.user.added_v1","token":"{TOKEN}","app_id":"cli_a"}},"event":{{"chat_id":"oc_1","users":["#
    );
    let mut text = head.into_bytes();
    while text.len() + user.len() + 8 < size {
        text.extend_from_slice(user.as_bytes());
        text.push(b',');
    }
    text.extend_from_slice(user.as_bytes());
    text.extend_from_slice(b"]}}");
    text
}

/// Runs one maximum-size callback through the dispatcher; returns the peak of live heap bytes
/// it added over what was live before, the body size and the number of users the handler saw.
async fn peak_of_dispatch(user: &str, encrypted: bool) -> (usize, usize, usize, u16) {
    let mut config = WebhookConfig::builder().verification_token(TOKEN);
    if encrypted {
        config = config.encrypt_key("encrypt-key-for-tests");
    }
    let config = config.build().expect("config");
    // The plaintext is sized so that the request body is the largest accepted.
    let plaintext_size = if encrypted {
        DEFAULT_MAX_BODY_SIZE / 4 * 3 - 1024
    } else {
        DEFAULT_MAX_BODY_SIZE - 512
    };
    let (headers, body) = Callback::new(&config).payload(&users_event(user, plaintext_size));
    assert!(body.len() <= DEFAULT_MAX_BODY_SIZE, "{}", body.len());
    let users = Arc::new(AtomicUsize::new(0));
    let dispatcher = Dispatcher::builder()
        .without_dedup()
        .state(Arc::clone(&users))
        .on_chat_member_user_added(|State(users), e| async move {
            users.fetch_add(e.event.users.map_or(0, |u| u.len()), Ordering::Relaxed);
            Ok(())
        })
        .build()
        .expect("dispatcher")
        .with_webhook(WebhookReceiver::new(config));

    // A profiler of its own, so that the peak is this case's.
    let profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get();
    let outcome = dispatcher.dispatch(&headers, &body).await;
    let after = dhat::HeapStats::get();
    drop(profiler);
    (
        after.max_bytes - before.curr_bytes,
        body.len(),
        users.load(Ordering::Relaxed),
        outcome.status().as_u16(),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn decoding_a_maximum_size_body_stays_within_the_documented_multiple() {
    let realistic = r#"{"name":"Alice Martin","tenant_key":"736588c9260f175d","user_id":{"union_id":"on_cad4860e7af114fb4ff6c5d496d1dd76","user_id":"e33ggbyz","open_id":"ou_7d8a6e6df7621556ce0d21922b676706ccs"}}"#;
    // (case, one user, encrypted, decoded)
    let cases = [
        ("realistic users, plain", realistic, false, true),
        ("realistic users, encrypted", realistic, true, true),
        (
            "one small object per 16 bytes, plain",
            r#"{"name":"ab12"}"#,
            false,
            true,
        ),
        (
            "one small object per 16 bytes, encrypted",
            r#"{"name":"ab12"}"#,
            true,
            true,
        ),
        ("empty user objects, plain", "{}", false, false),
        ("empty user objects, encrypted", "{}", true, false),
    ];
    for (name, user, encrypted, decoded) in cases {
        let (peak, body, users, status) = peak_of_dispatch(user, encrypted).await;
        let multiple = peak as f64 / body as f64;
        eprintln!(
            "{name}: body {body} B, {users} users, answered {status}, peak {peak} B = {multiple:.1} x body"
        );
        if decoded {
            assert_eq!(status, 200, "{name}");
            assert!(users > 1000, "{name}");
        } else {
            // Too dense to decode within the bound: refused before decoding.
            assert_eq!((status, users), (500, 0), "{name}");
        }
        assert!(
            peak <= DECODE_MEMORY_MULTIPLE * body,
            "{name}: peak {peak} B is above {DECODE_MEMORY_MULTIPLE} x the body ({body} B)"
        );
    }
}
