//! The connection URL's `access_key` and `ticket` reach no logger, ours or a dependency's,
//! through `log` or `tracing`, at any level: a `log` logger and a `tracing` subscriber, both
//! global and at TRACE, record everything while the client connects, exchanges frames, is
//! closed, reconnects and is refused. Both captures are searched; each must also hold a known
//! line, so that an empty capture cannot pass.
#![cfg(feature = "long-connection")]

mod long_connection_support;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use long_connection_support::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Everything either facade recorded.
static LOG_TEXT: Mutex<String> = Mutex::new(String::new());
static TRACING_TEXT: Mutex<String> = Mutex::new(String::new());

struct LogCapture;

static LOG_CAPTURE: LogCapture = LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "{} {}: {}\n",
            record.level(),
            record.target(),
            record.args()
        );
        LOG_TEXT.lock().expect("lock").push_str(&line);
    }
    fn flush(&self) {}
}

struct FieldText(String);

impl Visit for FieldText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {field}={value:?}");
    }
}

#[derive(Default)]
struct TracingCapture(AtomicU64);

impl TracingCapture {
    fn push(metadata: &Metadata<'_>, record: impl FnOnce(&mut FieldText)) {
        let mut line = FieldText(format!("{} {}:", metadata.level(), metadata.target()));
        record(&mut line);
        line.0.push('\n');
        TRACING_TEXT.lock().expect("lock").push_str(&line.0);
    }
}

impl Subscriber for TracingCapture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        Self::push(span.metadata(), |t| span.record(t));
        Id::from_u64(self.0.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = FieldText(String::new());
        values.record(&mut line);
        TRACING_TEXT.lock().expect("lock").push_str(&line.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        Self::push(event.metadata(), |t| event.record(t));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        log::set_logger(&LOG_CAPTURE).expect("one log logger");
        log::set_max_level(log::LevelFilter::Trace);
        tracing::subscriber::set_global_default(TracingCapture::default())
            .expect("one tracing subscriber");
    });
}

fn hits(text: &str) -> usize {
    [ACCESS_KEY, TICKET]
        .iter()
        .map(|secret| text.matches(secret).count())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_key_and_ticket_reach_no_logger_at_any_level() {
    install();
    let mut platform = LongConnectionServer::start().await;
    let client = platform.connection(no_handlers()).start().expect("start");
    let mut conn = platform.accept().await;
    // Frames both ways, so that the WebSocket library's frame-level traces run too.
    let seq = conn
        .send_event(&fixture("im.chat.disbanded_v1", "ev-logs-1"))
        .await;
    let ack = conn.recv_ack().await;
    assert_eq!(ack.seq_id, seq);
    conn.close().await;
    // A second connection, then a refusal, then shutdown.
    let mut second = platform.accept().await;
    second
        .send_event(&fixture("im.chat.disbanded_v1", "ev-logs-2"))
        .await;
    second.recv_ack().await;
    platform.push_refusal(Refusal {
        http_status: 500,
        headers: vec![("Handshake-Status", "500".into())],
    });
    second.close().await;
    let _third = platform.accept().await;
    client.shutdown().await.expect("clean shutdown");

    let log_text = LOG_TEXT.lock().expect("lock").clone();
    let tracing_text = TRACING_TEXT.lock().expect("lock").clone();
    let (log_hits, tracing_hits) = (hits(&log_text), hits(&tracing_text));
    eprintln!(
        "log capture: {} lines, {log_hits} secret hits; tracing capture: {} lines, {tracing_hits} secret hits",
        log_text.lines().count(),
        tracing_text.lines().count()
    );
    for line in log_text.lines().chain(tracing_text.lines()) {
        if hits(line) > 0 {
            eprintln!("leak: {}", line.chars().take(300).collect::<String>());
        }
    }
    // The captures work: the WebSocket library's frame traces reached the `log` logger, and
    // the client's own reconnect warning reached the `tracing` subscriber.
    assert!(
        log_text.contains("TRACE tungstenite"),
        "no tungstenite trace captured"
    );
    assert!(
        tracing_text.contains("reconnecting"),
        "no reconnect warning captured"
    );
    assert_eq!(log_hits, 0, "access key or ticket in `log` records");
    assert_eq!(tracing_hits, 0, "access key or ticket in `tracing` events");
}
