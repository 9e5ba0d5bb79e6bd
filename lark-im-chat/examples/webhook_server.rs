//! A webhook server for the chat events, with axum.
//!
//! ```text
//! LARK_VERIFICATION_TOKEN=… LARK_ENCRYPT_KEY=… \
//!     cargo run -p lark-im-chat --features axum --example webhook_server
//! ```
//!
//! Then set the request URL of the app's event subscription (developer console, "Events and
//! callbacks") to `https://<your host>/lark/events`: the console's `url_verification` request is
//! answered automatically. `LARK_ENCRYPT_KEY` is optional but recommended (encrypted, signed
//! callbacks); `LISTEN` defaults to `127.0.0.1:8080`.

use lark_im_chat::prelude::*;
use std::error::Error;

use lark_im_chat::events::dispatch::Dispatcher;
use lark_im_chat::events::webhook::{WebhookConfig, WebhookReceiver};
use lark_im_chat::events::RawEvent;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut config =
        WebhookConfig::builder().verification_token(std::env::var("LARK_VERIFICATION_TOKEN")?);
    if let Ok(key) = std::env::var("LARK_ENCRYPT_KEY") {
        config = config.encrypt_key(key);
    }
    let receiver = WebhookReceiver::new(config.build()?);

    // One handler per event type; registering an event twice makes `build` fail. Handlers run
    // before the platform gets its answer (it waits 3 s): hand long work to a task or a queue.
    let dispatcher = Dispatcher::builder()
        .on_chat_member_user_added(|e| async move {
            for user in e.event.users.unwrap_or_default() {
                println!(
                    "{} joined {}",
                    user.name.unwrap_or_default(),
                    e.event.chat_id.as_deref().unwrap_or("?")
                );
            }
            Ok(())
        })
        .on_chat_updated(|e| async move {
            if let Some(after) = e.event.after_change {
                println!("chat {:?} now named {:?}", e.event.chat_id, after.name);
            }
            Ok(())
        })
        .on_chat_disbanded(|e| async move {
            println!("chat {:?} disbanded", e.event.chat_id);
            Ok(())
        })
        .on_p2p_chat_create(|e| async move {
            // A failure answers 500, and the platform redelivers the event later.
            let chat = e.event.chat_id.ok_or("p2p_chat_create without chat_id")?;
            println!("first one-to-one chat: {chat}");
            Ok(())
        })
        // Every other event, including types this client does not know.
        .fallback(|event: RawEvent| async move {
            println!("{} event, not handled", event.event_type());
            Ok(())
        })
        .build()?;
    // HTTP callbacks are verified (signature, decryption, Verification Token) before dispatch.
    let webhook = dispatcher.with_webhook(receiver);

    let app = axum::Router::new().nest("/lark/events", lark_im_chat::events::axum::router(webhook));
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{listen}/lark/events");
    // Closes connections that do not deliver their headers within 5 s (slow-loris sockets).
    lark_im_chat::events::axum::serve(listener, app).await;
    Ok(())
}
