//! Receives the app's chat events over the long connection (no public callback URL needed)
//! and prints one JSON line per event on stdout: `{"event_type": …, "event_id": …}`.
//!
//! ```text
//! LARK_APP_ID=cli_… LARK_APP_SECRET=… \
//!     cargo run -p lark-im-chat --features long-connection --example long_connection
//! ```
//!
//! `LARK_BASE_URL` defaults to the Feishu platform (`https://open.feishu.cn`); set it to
//! `https://open.larksuite.com` for Lark. In the developer console, choose "receive events
//! through a persistent connection" and subscribe to the chat events.
//!
//! Exits 0 after a graceful shutdown on SIGINT or SIGTERM, and 1 with the reason on stderr
//! when the platform refuses the app for good (wrong credentials, connection limit, …).

use std::process::ExitCode;

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::long_connection::LongConnection;
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::{client::FEISHU_BASE_URL, ChatEvent};
use serde_json::{json, Value};

/// `header.event_id` (schema 2.0) or `uuid` (schema 1.0).
fn event_id(event: &ChatEvent) -> Value {
    let value = match event {
        ChatEvent::Unknown { raw, .. } => raw.clone(),
        known => serde_json::to_value(known).unwrap_or_default(),
    };
    value
        .pointer("/header/event_id")
        .or_else(|| value.get("uuid"))
        .cloned()
        .unwrap_or(Value::Null)
}

async fn terminated() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(app_id), Ok(app_secret)) = (
        std::env::var("LARK_APP_ID"),
        std::env::var("LARK_APP_SECRET"),
    ) else {
        eprintln!("set LARK_APP_ID and LARK_APP_SECRET");
        return ExitCode::from(2);
    };
    let base_url = std::env::var("LARK_BASE_URL").unwrap_or_else(|_| FEISHU_BASE_URL.to_owned());

    // The receiver's checks apply to HTTP callbacks only; the long connection's events arrive
    // as plaintext over the authenticated socket.
    let receiver = WebhookReceiver::new(WebhookConfig::default());
    let dispatcher = Dispatcher::builder(receiver)
        .fallback(|event: ChatEvent| async move {
            let line = json!({"event_type": event.event_type(), "event_id": event_id(&event)});
            println!("{line}");
            Ok(())
        })
        .build();
    let dispatcher = match dispatcher {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dispatcher: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = match LongConnection::builder(app_id, app_secret, dispatcher)
        .base_url(base_url)
        .start()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };

    tokio::select! {
        signal = terminated() => {
            if let Err(e) = signal {
                eprintln!("cannot listen for signals: {e}");
            }
            eprintln!("shutting down");
            match client.shutdown().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("stopped: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        error = client.stopped() => {
            eprintln!("stopped: {}", error.map_or_else(|| "shut down".to_owned(), |e| e.to_string()));
            ExitCode::FAILURE
        }
    }
}
