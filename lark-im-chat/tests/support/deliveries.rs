//! Plaintext callbacks for dispatch tests. Include it with
//! `#[path = "support/deliveries.rs"] mod deliveries;`.

#![allow(dead_code)]

/// A plaintext schema 2.0 `im.chat.updated_v1` callback with event id `id`, carrying the
/// Verification Token `token` and the app id `app_id`.
pub fn chat_updated(id: &str, token: &str, app_id: &str) -> Vec<u8> {
    serde_json::json!({
        "schema": "2.0",
        "header": {
            "event_id": id,
            "event_type": "im.chat.updated_v1",
            "create_time": "1603977298000000",
            "token": token,
            "app_id": app_id,
            "tenant_key": "2ca1d211f64f6438"
        },
        "event": {"chat_id": "oc_413871c6cde5ed1f1d6ad2f8e07e9b55"}
    })
    .to_string()
    .into_bytes()
}
