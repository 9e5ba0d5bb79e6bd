//! A group-chat bot over the long connection, using both families: it welcomes whoever adds
//! it to a chat and answers `help`.
//!
//! ```text
//! LARK_APP_ID=cli_… LARK_APP_SECRET=… \
//!     cargo run -p lark-im-message --features long-connection --example welcome_bot
//! ```
//!
//! - On `im.chat.member.bot.added_v1` it sends into that chat a `text` message mentioning the
//!   operator (`<at user_id="ou_…"></at>`), with a `uuid` made from the event id: a redelivered
//!   event is handled once by the dispatcher's de-duplication, and a retried or repeated send
//!   carries the same uuid, so the platform posts it once.
//! - On `im.message.receive_v1` whose text contains `help`, it replies to that message; when
//!   it contains `card`, it replies with an interactive card holding a button whose callback
//!   value is `{"action":"hello"}`.
//! - On `card.action.trigger` (a click on that button) it answers at once with a `success`
//!   toast saying hello and an updated card (the callback is answered within the platform's
//!   3 seconds; slower work would answer now and change the card later with `message.patch`).
//! - It prints one JSON line `{"event_type": …, "event_id": …}` on stdout per handled event;
//!   errors go to stderr (the runtime keeps secrets out of them).
//!
//! `LARK_BASE_URL` defaults to the Feishu platform (`https://open.feishu.cn`); set it to
//! `https://open.larksuite.com` for Lark. In the developer console, choose "receive events
//! through a persistent connection", subscribe to both events and to the card action callback,
//! and grant `im:message:send_as_bot`.
//! Exits 0 after a graceful shutdown on SIGINT or SIGTERM, 1 when the platform refuses the app
//! for good.

use std::process::ExitCode;

use lark_im_chat::events::ChatMemberBotAddedV1;
use lark_im_chat::prelude::ImChatEvents;
use lark_im_message::card::{Button, Card, CardActionResponse, HeaderTemplate, ToastKind};
use lark_im_message::content::{MessageContent, TextContent};
use lark_im_message::events::dispatch::{Dispatcher, HandlerError};
use lark_im_message::events::long_connection::LongConnection;
use lark_im_message::events::{CardActionTrigger, EventEnvelopeV2, MessageReceiveV1};
use lark_im_message::prelude::*;
use lark_im_message::types::{MessageCreateBody, MessageReplyBody, ReceiveIdType};
use lark_im_message::{client::FEISHU_BASE_URL, Client};
use serde_json::json;

/// The `uuid` of the message answering event `event_id`: the same for every delivery of the
/// event, at most 50 characters as the platform allows.
fn uuid_for(purpose: &str, event_id: &str) -> String {
    let mut uuid = format!("{purpose}-{event_id}");
    uuid.truncate(50);
    uuid
}

fn print_handled(event_type: &str, event_id: &str) {
    println!(
        "{}",
        json!({"event_type": event_type, "event_id": event_id})
    );
}

async fn welcome(
    client: Client,
    e: EventEnvelopeV2<ChatMemberBotAddedV1>,
) -> Result<(), HandlerError> {
    let chat_id = e
        .event
        .chat_id
        .as_deref()
        .ok_or("the event names no chat")?;
    let operator = e
        .event
        .operator_id
        .as_ref()
        .and_then(|o| o.open_id.as_deref())
        .ok_or("the event names no operator")?;
    let text = TextContent::builder()
        .at_user(operator, "")
        .text(" thanks for adding me! Send me `help` to see what I can do.")
        .build();
    let body = MessageCreateBody::with_content(chat_id, &text.into())?
        .uuid(uuid_for("welcome", &e.header.event_id));
    client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await?;
    print_handled(&e.header.event_type, &e.header.event_id);
    Ok(())
}

async fn help(client: Client, e: EventEnvelopeV2<MessageReceiveV1>) -> Result<(), HandlerError> {
    let Some(message) = e.event.message.as_ref() else {
        return Err("the event carries no message".into());
    };
    let text = match message.decode_content() {
        Ok(MessageContent::Text(text)) => text.display_text().to_lowercase(),
        _ => String::new(),
    };
    let reply = if text.contains("help") {
        Some(MessageContent::text(
            "I welcome everyone who adds me to a chat. Mention me with `help` to see this again, \
             or with `card` for a card with a button.",
        ))
    } else if text.contains("card") {
        Some(hello_card("Press the button to say hello.").to_content()?)
    } else {
        None
    };
    if let Some(reply) = reply {
        let message_id = message
            .message_id
            .as_deref()
            .ok_or("the message has no id")?;
        let body =
            MessageReplyBody::with_content(&reply)?.uuid(uuid_for("reply", &e.header.event_id));
        client.message(message_id).reply(body).send().await?;
    }
    print_handled(&e.header.event_type, &e.header.event_id);
    Ok(())
}

/// The card with the hello button: a click sends the callback value `{"action":"hello"}`.
fn hello_card(text: &str) -> Card {
    Card::new()
        .title("welcome_bot")
        .template(HeaderTemplate::Blue)
        .markdown(text)
        .element(Button::callback("Say hello", json!({"action": "hello"})))
}

/// Answers a click on the hello button with a toast and an updated card; other clicks keep
/// the card as it is.
async fn clicked(
    e: EventEnvelopeV2<CardActionTrigger>,
) -> Result<CardActionResponse, HandlerError> {
    let value = e.event.action.as_ref().and_then(|a| a.value.as_ref());
    let response = if value.is_some_and(|v| v["action"] == "hello") {
        let who = e
            .event
            .operator
            .as_ref()
            .and_then(|o| o.open_id.as_deref())
            .unwrap_or("you");
        CardActionResponse::toast(ToastKind::Success, "Hello from welcome_bot!")
            .with_card(hello_card(&format!("Said hello to <at id={who}></at>.")))
    } else {
        CardActionResponse::empty()
    };
    print_handled(&e.header.event_type, &e.header.event_id);
    Ok(response)
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
    // One client serves both families, and the long connection uses its credentials.
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
    let (c1, c2) = (client.clone(), client.clone());
    let dispatcher = Dispatcher::builder()
        .on_chat_member_bot_added(move |e| welcome(c1.clone(), e))
        .on_message_receive(move |e| help(c2.clone(), e))
        .on_card_action_trigger(clicked)
        .build();
    let dispatcher = match dispatcher {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dispatcher: {e}");
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
