//! Webhook requests that must be accepted: events of both schemas with their routing facts,
//! and the URL-verification challenge (plain and encrypted, and its refusals).

mod webhook_support;

use http::{HeaderMap, StatusCode};
use lark_im_chat::events::webhook::{challenge_response_body, Schema, WebhookError};
use webhook_support::*;

// ---------------------------------------------------------------------------------------------
// Accepted events and their routing facts

#[test]
fn v2_event_routing_facts_encrypted() {
    let plaintext = member_added_v2(TOKEN);
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
    assert_eq!(event.dedup_key(), "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(event.tenant_key(), Some("2ca1d211f64f6438"));
    assert_eq!(event.app_id(), Some("cli_a5d3c8b2e1f0900d"));
    assert_eq!(event.plaintext(), plaintext.as_bytes());
    assert_eq!(event.plaintext_bytes(), plaintext.as_bytes());
}

#[test]
fn v2_event_routing_facts_plain_with_token() {
    let plaintext = member_added_v2(TOKEN);
    let event = event(token_only().receive(&HeaderMap::new(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V2);
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
    assert_eq!(event.dedup_key(), "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(event.plaintext(), plaintext.as_bytes());
}

#[test]
fn v1_p2p_chat_create_routing_facts_encrypted() {
    let plaintext = p2p_chat_create_v1(TOKEN);
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V1);
    assert_eq!(event.event_type(), "p2p_chat_create");
    assert_eq!(event.dedup_key(), "a3b9c1d2e4f5061728394a5b6c7d8e9f");
    assert_eq!(event.tenant_key(), Some("736588c9260f175c"));
    assert_eq!(event.app_id(), Some("cli_a5d3c8b2e1f0900d"));
    assert_eq!(event.plaintext(), plaintext.as_bytes());
}

#[test]
fn v1_p2p_chat_create_routing_facts_plain() {
    let plaintext = p2p_chat_create_v1("anything");
    let event = event(open().receive(&HeaderMap::new(), plaintext.as_bytes()));
    assert_eq!(event.schema(), Schema::V1);
    assert_eq!(event.event_type(), "p2p_chat_create");
    assert_eq!(event.dedup_key(), "a3b9c1d2e4f5061728394a5b6c7d8e9f");
}

#[test]
fn escaped_routing_fields_are_unescaped() {
    let plaintext = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"ev\u005f1\/2","event_type":"im.chat.updated_v1","token":"{TOKEN}","tenant_key":"t\"k"}},"event":{{}}}}"#
    );
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.dedup_key(), "ev_1/2");
    assert_eq!(event.event_type(), "im.chat.updated_v1");
    assert_eq!(event.tenant_key(), Some("t\"k"));
    assert_eq!(event.app_id(), None);
}

#[test]
fn unusual_types_in_unread_or_optional_fields_do_not_reject_an_event() {
    // `event.type` is a number and `event` holds arrays: irrelevant for schema 2.0 routing.
    let plaintext = format!(
        r#"{{"schema":"2.0","header":{{"event_id":"e-9","event_type":"x.y_v1","token":"{TOKEN}","app_id":17,"tenant_key":null}},"event":{{"type":3,"app_id":["a"],"items":[1,{{"k":[]}}]}},"challenge":{{"not":"a string"}},"uuid":5}}"#
    );
    let event = event(receive_sealed(&secured(), plaintext.as_bytes()));
    assert_eq!(event.event_type(), "x.y_v1");
    assert_eq!(event.app_id(), None);
    assert_eq!(event.tenant_key(), None);
}

#[test]
fn events_are_accepted_without_any_secret_configured() {
    let event = event(open().receive(&HeaderMap::new(), member_added_v2("whatever").as_bytes()));
    assert_eq!(event.event_type(), "im.chat.member.user.added_v1");
}

// ---------------------------------------------------------------------------------------------
// Challenges

#[test]
fn plain_challenge_is_answered_with_or_without_configured_token() {
    let body = challenge_plain(TOKEN);
    for receiver in [token_only(), open()] {
        let value = challenge(receiver.receive(&HeaderMap::new(), body.as_bytes()));
        assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
        assert_eq!(
            challenge_response_body(&value),
            br#"{"challenge":"b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90"}"#
        );
    }
}

#[test]
fn plain_challenge_with_wrong_or_missing_token_is_refused() {
    let wrong = challenge_plain("not-our-token");
    let err = error(token_only().receive(&HeaderMap::new(), wrong.as_bytes()));
    assert_eq!(err, WebhookError::TokenMismatch);
    assert_eq!(err.status(), StatusCode::FORBIDDEN);

    let tokenless = br#"{"challenge":"c","type":"url_verification"}"#;
    assert_eq!(
        error(token_only().receive(&HeaderMap::new(), tokenless)),
        WebhookError::TokenMismatch
    );
}

#[test]
fn challenge_without_challenge_value_is_malformed() {
    let body = format!(r#"{{"token":"{TOKEN}","type":"url_verification"}}"#);
    assert_eq!(
        error(token_only().receive(&HeaderMap::new(), body.as_bytes())),
        WebhookError::MissingChallenge
    );
}

#[test]
fn encrypted_challenge_needs_no_signature_headers() {
    let body = seal(challenge_plain(TOKEN).as_bytes());
    let value = challenge(secured().receive(&HeaderMap::new(), &body));
    assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
    // Signed and stale: still answered, the window does not apply to challenges.
    let value = challenge(secured().receive_at(&signed(&body), &body, at(SENT + 86_400)));
    assert_eq!(value, "b6f1e0a2-77c4-4f0e-9d3a-5c2b8e1f4a90");
}

#[test]
fn encrypted_challenge_with_wrong_token_is_refused() {
    let body = seal(challenge_plain("not-our-token").as_bytes());
    assert_eq!(
        error(secured().receive(&HeaderMap::new(), &body)),
        WebhookError::TokenMismatch
    );
}

#[test]
fn plaintext_challenge_is_refused_when_encryption_is_configured() {
    let err = error(secured().receive(&HeaderMap::new(), challenge_plain(TOKEN).as_bytes()));
    assert_eq!(err, WebhookError::NotEncrypted);
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
}

#[test]
fn challenge_response_body_escapes_the_value() {
    let tricky = "a\"b\\c\n\u{1}\u{1f}é🎉/";
    let body = challenge_response_body(tricky);
    let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(parsed, serde_json::json!({ "challenge": tricky }));
    assert_eq!(challenge_response_body(""), br#"{"challenge":""}"#);
}
