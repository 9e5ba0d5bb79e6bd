//! What the long-connection tests share beyond the runtime's `testing::LongConnectionServer`
//! (the platform stand-in itself): this crate's event fixtures, short names for the server's
//! constants, and a polling helper.
#![allow(dead_code, unused_imports)] // each test binary uses part of it

use std::time::Duration;

use lark_im_chat::events::dispatch::{Dispatcher, DispatcherBuilder};
pub use lark_im_chat::testing::{
    Ack, LongConnectionServer, Refusal, ServerConn, MOCK_APP_ID as APP_ID,
    MOCK_APP_SECRET as APP_SECRET,
};
use serde_json::Value;
use tokio::time::Instant;

pub const ACCESS_KEY: &str = LongConnectionServer::ACCESS_KEY;
pub const TICKET: &str = LongConnectionServer::TICKET;
pub const SERVICE_ID: i32 = LongConnectionServer::SERVICE_ID;
/// One unit of the server's `ClientConfig` in these tests.
pub const UNIT: Duration = LongConnectionServer::TIME_UNIT;
/// Longest wait for anything the tests expect to happen.
pub const PATIENCE: Duration = LongConnectionServer::PATIENCE;

/// Compact JSON of a fixture event, with its event id replaced by `event_id`.
pub fn fixture(name: &str, event_id: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/events/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read(path).expect("fixture");
    let mut value: Value = serde_json::from_slice(&text).expect("json");
    if value.get("schema").is_some() {
        value["header"]["event_id"] = event_id.into();
    } else {
        value["uuid"] = event_id.into();
    }
    serde_json::to_vec(&value).expect("json")
}

/// A dispatcher builder: it has no webhook receiver, so the long connection cannot apply an
/// HTTP callback's Verification Token.
pub fn dispatcher() -> DispatcherBuilder {
    Dispatcher::builder()
}

/// A dispatcher without handlers.
pub fn no_handlers() -> Dispatcher {
    dispatcher().build().expect("dispatcher")
}

/// Waits until `check` holds, polling every 5 ms, for at most [`PATIENCE`].
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
