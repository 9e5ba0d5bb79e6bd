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
use lark_im_chat::{client::FEISHU_BASE_URL, Client};
use serde_json::json;

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

    // No webhook verification: the long connection's events arrive as plaintext over the
    // authenticated socket. The event id is `header.event_id` (schema 2.0) or `uuid` (1.0).
    let dispatcher = Dispatcher::builder()
        .fallback(|event| async move {
            let line = json!({"event_type": event.event_type(), "event_id": event.event_id()});
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
    // The connection uses the client's credentials, base URL and HTTP transport.
    let client = match Client::builder(app_id, app_secret)
        .base_url(base_url)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let connection = match LongConnection::builder(&client, dispatcher).start() {
        Ok(connection) => connection,
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
            match connection.shutdown().await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("stopped: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        error = connection.stopped() => {
            eprintln!("stopped: {}", error.map_or_else(|| "shut down".to_owned(), |e| e.to_string()));
            ExitCode::FAILURE
        }
    }
}
