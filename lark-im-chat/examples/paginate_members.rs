//! Paginate the members of a chat as a stream: one page in memory at a time, the query kept on
//! every page, and an error (not an endless loop) if the platform repeats or omits a cursor.
//!
//! ```sh
//! LARK_APP_ID=cli_xxx LARK_APP_SECRET=xxx LARK_CHAT_ID=oc_xxx cargo run --example paginate_members
//! ```

use futures::{StreamExt, TryStreamExt};
use lark_im_chat::prelude::*;
use lark_im_chat::{types::MemberListIdType, Client};

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder(env("LARK_APP_ID")?, env("LARK_APP_SECRET")?).build()?;
    let chat = client.chat(env("LARK_CHAT_ID")?);

    // Item by item, stopping after 500 members: no page is fetched past the last one taken.
    let mut members = chat
        .members()
        .get()
        .member_id_type(MemberListIdType::OpenId)
        .page_size(100)
        .items()
        .take(500)
        .boxed();
    let mut n = 0;
    while let Some(member) = members.try_next().await? {
        n += 1;
        println!(
            "{n:>4} {} {}",
            member.member_id.as_deref().unwrap_or("?"),
            member.name.as_deref().unwrap_or("")
        );
    }

    // Page by page, e.g. to read the total the platform reports.
    let pages: Vec<_> = chat
        .members()
        .get()
        .page_size(100)
        .pages()
        .try_collect()
        .await?;
    let total = pages.first().and_then(|p| p.member_total);
    println!("{} pages, member_total {:?}", pages.len(), total);
    Ok(())
}
