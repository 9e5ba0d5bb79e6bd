//! Create a chat so that retries (by the client, or by you after a crash) never create two.
//!
//! `chat.create` is a POST: the client retries it after a 5xx or a dropped connection only when
//! the request carries its idempotency key, the `uuid` query parameter. The platform creates at
//! most one chat per `uuid` (and owner) within 10 hours. Derive the `uuid` from what the chat is
//! for (here: an incident id), set it once; every attempt reuses the same request.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=xxx LARK_USER_OPEN_ID=ou_xxx INCIDENT=4711 \
//!     cargo run --example create_chat_idempotently
//! ```

use lark_im_chat::prelude::*;
use lark_im_chat::{
    types::{ChatCreateBody, ChatType, UserIdType},
    Client, RetryPolicy,
};
use std::time::Duration;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder(env("LARK_APP_ID")?, env("LARK_APP_SECRET")?)
        .retry(
            RetryPolicy::default()
                .max_attempts(5)
                .total_budget(Duration::from_secs(60)),
        )
        .build()?;
    let incident = env("INCIDENT")?;
    let user = env("LARK_USER_OPEN_ID")?;

    // At most 50 characters; the same incident always gives the same key.
    let uuid = format!("incident-{incident}");
    let request = client
        .chats()
        .create()
        .uuid(&uuid)
        .user_id_type(UserIdType::OpenId)
        .body(
            ChatCreateBody::new()
                .name(format!("Incident {incident}"))
                .chat_type(ChatType::Private)
                .user_id_list([user]),
        );

    // The request can be described without sending it: the key is part of it.
    let described = request.to_request()?;
    assert!(described.carries_idempotency_key());
    assert!(described
        .meta
        .retry_safe(described.carries_idempotency_key()));

    let created = request.send().await?;
    println!(
        "chat {} for incident {incident} (uuid {uuid})",
        created.chat_id.as_deref().unwrap_or("?")
    );
    Ok(())
}
