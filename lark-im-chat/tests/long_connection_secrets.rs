//! The app secret and the connection URL's `access_key` and `ticket` never show in logs
//! (every level, spans and events), errors, states or `Debug` output, through a run that
//! connects, loses the connection, fails to connect, is refused and stops.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use long_connection_support::*;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Appends every span field and event field, at every level, to one text.
#[derive(Clone, Default)]
struct Recorder {
    text: Arc<Mutex<String>>,
    ids: Arc<AtomicU64>,
}

impl Recorder {
    fn push(&self, metadata: &Metadata<'_>, fields: impl FnOnce(&mut FieldText)) {
        let mut line = FieldText(format!("{} {}:", metadata.level(), metadata.target()));
        fields(&mut line);
        let mut text = self.text.lock().expect("lock");
        text.push_str(&line.0);
        text.push('\n');
    }
}

struct FieldText(String);

impl Visit for FieldText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {field}={value:?}");
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.push(span.metadata(), |t| span.record(t));
        Id::from_u64(self.ids.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = FieldText(String::new());
        values.record(&mut line);
        self.text.lock().expect("lock").push_str(&line.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.push(event.metadata(), |t| event.record(t));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn assert_clean(what: &str, text: &str) {
    for secret in [APP_SECRET, ACCESS_KEY, TICKET] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs_errors_states_and_debug() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let mut platform = LongConnectionServer::start().await;
    // 2nd attempt: a URL whose port refuses connections (the error must not quote it);
    // 3rd: a retryable handshake refusal; 4th: a permanent one.
    platform
        .push_endpoint_answer(json!({"code": 0, "data": {"ClientConfig": {"ReconnectNonce": 0}}}));
    let builder = platform.connection(dispatcher().build().expect("dispatcher"));
    assert_clean("the builder's Debug", &format!("{builder:?}"));
    let client = builder.start().expect("start");
    let mut states = client.states();

    // First endpoint answer has no URL: retried.
    let conn = platform.accept().await;
    assert_clean("the client's Debug", &format!("{client:?}"));
    platform.push_endpoint_answer(json!({"code": 0, "data": {
        "URL": format!("ws://127.0.0.1:1/ws?service_id=14&access_key={ACCESS_KEY}&ticket={TICKET}")
    }}));
    platform.push_refusal(Refusal {
        http_status: 500,
        headers: vec![("Handshake-Status", "500".into())],
    });
    platform.refuse_always(Refusal {
        http_status: 403,
        headers: vec![("Handshake-Status", "403".into())],
    });
    conn.close().await;
    let error = client.stopped().await.expect("stopped by the 403");
    assert_clean("the final error", &format!("{error} {error:?}"));
    let mut seen = Vec::new();
    while let Some(state) = states.next().await {
        seen.push(format!("{state:?}"));
    }
    assert!(seen.len() >= 8, "{seen:?}");
    assert_clean("the states", &seen.join("\n"));
    assert_clean("the stats", &format!("{:?}", client.stats()));

    let logs = recorder.text.lock().expect("lock").clone();
    // The run did log its failures, so the check below is not vacuous.
    assert!(
        logs.contains("127.0.0.1:1") || logs.contains("WebSocket error"),
        "{logs}"
    );
    assert!(logs.contains("403"), "{logs}");
    assert_clean("the logs", &logs);
}
