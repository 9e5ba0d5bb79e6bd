//! A small group-chat bot, written as a user of `lark-im-chat` and `lark-im-message` writes
//! one; its tests (`tests/`) show how to test such a bot with the crates' `testing` feature:
//! a scripted platform, a long-connection platform and a throwaway Redis, all on 127.0.0.1.
//!
//! - When the bot is added to a chat, it reads the chat's name, lists every member (page by
//!   page) and posts a welcome naming the chat and its member count.
//! - When a message containing `help` arrives, it replies to it with the commands it knows.
//!
//! - Its welcome carries a card with a "Say hello" button (callback value
//!   `{"action":"hello"}`); a click (`card.action.trigger`) is answered with a success toast and
//!   an updated card.

use futures::TryStreamExt as _;
use lark_im_chat::events::dispatch::{DispatcherBuilder, HandlerError};
use lark_im_chat::prelude::{ImChatApi as _, ImChatEvents as _};
use lark_im_chat::Client;
use lark_im_message::card::{Button, Card, CardActionResponse, ToastKind};
use lark_im_message::content::{MessageContent, TextContent};
use lark_im_message::events::{CardActionTrigger, EventEnvelopeV2};
use lark_im_message::prelude::{ImMessageApi as _, ImMessageEvents as _};
use lark_im_message::types::{MessageCreateBody, MessageReplyBody, ReceiveIdType};
use std::sync::Arc;

/// Page size of member listings (the platform allows up to 100).
pub const MEMBER_PAGE_SIZE: i64 = 50;

/// The reply to a message asking for help.
pub const HELP_TEXT: &str = "Commands: `help` shows this; add me to a chat and I say hello.";

/// What the bot did when added to a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The chat.
    pub chat_id: String,
    /// Its name, as `chat.get` gave it.
    pub chat_name: String,
    /// Members counted over every page.
    pub members: usize,
    /// The welcome message's id.
    pub message_id: Option<String>,
}

/// The bot: a client and what it says.
#[derive(Debug, Clone)]
pub struct Bot {
    client: Client,
}

impl Bot {
    /// A bot acting through `client`.
    pub fn new(client: Client) -> Arc<Self> {
        Arc::new(Self { client })
    }

    /// Welcomes the chat the bot was added to: chat info, every member, a welcome message
    /// (sent with a `uuid` derived from the chat, so a retried or redelivered welcome is posted
    /// once).
    pub async fn welcome(&self, chat_id: &str) -> Result<Welcome, lark_im_chat::Error> {
        let chat = self.client.chat(chat_id).get().send().await?;
        let chat_name = chat.name.unwrap_or_default();
        let members: Vec<_> = self
            .client
            .chat(chat_id)
            .members()
            .get()
            .page_size(MEMBER_PAGE_SIZE)
            .items()
            .try_collect()
            .await?;
        let text = format!(
            "Hello {chat_name}! I am here for all {} of you. Say `help` any time.",
            members.len()
        );
        let content = MessageContent::from(TextContent::new(text));
        let body =
            MessageCreateBody::with_content(chat_id, &content)?.uuid(format!("welcome-{chat_id}"));
        let sent = self
            .client
            .messages()
            .create(ReceiveIdType::ChatId, body)
            .send()
            .await?;
        Ok(Welcome {
            chat_id: chat_id.to_owned(),
            chat_name,
            members: members.len(),
            message_id: sent.message_id,
        })
    }

    /// Replies with [`HELP_TEXT`] when `text` asks for help; `Ok(false)` when it does not.
    pub async fn answer(&self, message_id: &str, text: &str) -> Result<bool, lark_im_chat::Error> {
        if !text.to_lowercase().contains("help") {
            return Ok(false);
        }
        let content = MessageContent::from(TextContent::new(HELP_TEXT));
        self.client
            .message(message_id)
            .reply(MessageReplyBody::with_content(&content)?)
            .send()
            .await?;
        Ok(true)
    }

    /// The card with the hello button.
    pub fn hello_card(text: &str) -> Card {
        Card::new()
            .title("Welcome")
            .markdown(text)
            .element(Button::callback(
                "Say hello",
                serde_json::json!({"action": "hello"}),
            ))
    }

    /// The answer to a card click: a success toast and an updated card for the hello button,
    /// nothing (the card stays) for anything else.
    pub fn clicked(e: &EventEnvelopeV2<CardActionTrigger>) -> CardActionResponse {
        let hello = e
            .event
            .action
            .as_ref()
            .and_then(|a| a.value.as_ref())
            .is_some_and(|v| v["action"] == "hello");
        if hello {
            CardActionResponse::toast(ToastKind::Success, "Hello!")
                .with_card(Self::hello_card("You said hello."))
        } else {
            CardActionResponse::empty()
        }
    }

    /// Registers the bot's handlers: `im.chat.member.bot.added_v1` → [`welcome`](Self::welcome),
    /// `im.message.receive_v1` → [`answer`](Self::answer), `card.action.trigger` →
    /// [`clicked`](Self::clicked).
    pub fn register(self: &Arc<Self>, builder: DispatcherBuilder) -> DispatcherBuilder {
        let added = Arc::clone(self);
        let messages = Arc::clone(self);
        builder
            .on_chat_member_bot_added(move |e| {
                let bot = Arc::clone(&added);
                async move {
                    let chat_id = e.event.chat_id.ok_or("an added event without chat_id")?;
                    let welcome = bot.welcome(&chat_id).await?;
                    tracing::info!(chat = %welcome.chat_id, members = welcome.members, "welcomed");
                    Ok::<(), HandlerError>(())
                }
            })
            .on_card_action_trigger(|e| async move { Ok(Self::clicked(&e)) })
            .on_message_receive(move |e| {
                let bot = Arc::clone(&messages);
                async move {
                    let Some(message) = e.event.message else {
                        return Ok(());
                    };
                    let Some(id) = message.message_id.clone() else {
                        return Ok(());
                    };
                    // Only text asks for help; other content types are left alone.
                    if let Ok(MessageContent::Text(text)) = message.decode_content() {
                        bot.answer(&id, &text.display_text()).await?;
                    }
                    Ok::<(), HandlerError>(())
                }
            })
    }
}
