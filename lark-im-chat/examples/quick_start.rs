//! Quick start: build a client from the environment, read a chat, list the bot's chats.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=xxx LARK_CHAT_ID=oc_xxx cargo run --example quick_start
//! ```
//!
//! Set `LARK_DOMAIN=lark` for the international platform, or `LARK_BASE_URL` for another host.

use lark_im_chat::prelude::*;
use lark_im_chat::{types::UserIdType, Client, Domain, RetryPolicy};
use std::time::Duration;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder(env("LARK_APP_ID")?, env("LARK_APP_SECRET")?)
        .timeout(Some(Duration::from_secs(15)))
        .retry(RetryPolicy::default().max_attempts(4));
    if std::env::var("LARK_DOMAIN").as_deref() == Ok("lark") {
        builder = builder.domain(Domain::Lark);
    }
    if let Ok(url) = std::env::var("LARK_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    // One chat: required inputs are arguments, optional ones are setters.
    let chat_id = env("LARK_CHAT_ID")?;
    match client
        .chat(&chat_id)
        .get()
        .user_id_type(UserIdType::OpenId)
        .send()
        .await
    {
        Ok(chat) => println!(
            "{}: {} users, {} bots, owner {}",
            chat.name.as_deref().unwrap_or("(no name)"),
            chat.user_count.unwrap_or_default(),
            chat.bot_count.unwrap_or_default(),
            chat.owner_id.as_deref().unwrap_or("-"),
        ),
        // Errors carry the evidence: code, message, HTTP status, log id, and for permission
        // errors the scopes the operation needs.
        Err(e) if e.is_permission_error() => eprintln!("grant a scope first: {e}"),
        Err(e) => return Err(e.into()),
    }

    // The first page of the chats the bot is in.
    let page = client.chats().list().page_size(20).send().await?;
    for chat in page.items.unwrap_or_default() {
        println!(
            "{}  {}",
            chat.chat_id.as_deref().unwrap_or("?"),
            chat.name.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
