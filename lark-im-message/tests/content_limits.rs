//! Size limits of the reference (`content_formats.size_limits`): the request body of a text
//! message may take 150 KB, of a post or a card 30 KB, of a card update 30 KB (error 230025
//! beyond). Content one byte over is refused before anything is sent (a platform stand-in on
//! 127.0.0.1 sees no request at all, not even a token fetch); content exactly at the limit is
//! sent; the size counted is the size that goes over the wire.

use lark_im_message::content::limits::{
    INTERACTIVE_BODY_MAX_BYTES, PATCH_CARD_MAX_BYTES, POST_BODY_MAX_BYTES, TEXT_BODY_MAX_BYTES,
};
use lark_im_message::content::{
    ContentError, InteractiveContent, MessageContent, PostBody, PostContent, PostNode,
};
use lark_im_message::prelude::*;
use lark_im_message::types::{
    MessageCreateBody, MessagePatchBody, MessageReplyBody, MessageUpdateBody, ReceiveIdType,
};
use lark_im_message::{Client, Error};

mod content_support;
use content_support::{client, platform, requests, requests_to};
use serde_json::json;

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const MESSAGE: &str = "om_dc13264520392913993dd051dba21dcf";

/// Makes content of one type whose body grows by one byte per filler character.
type Filler = fn(usize) -> MessageContent;

fn text(n: usize) -> MessageContent {
    MessageContent::text("a".repeat(n))
}

fn post(n: usize) -> MessageContent {
    PostContent::new(
        "en_us",
        PostBody::new().paragraph([PostNode::text("a".repeat(n))]),
    )
    .into()
}

fn card(n: usize) -> MessageContent {
    InteractiveContent::new(json!({"elements": [{"tag": "markdown", "content": "a".repeat(n)}]}))
        .into()
}

/// What a bot does: build the body from typed content (`?` turns the content error into the
/// client's error) and send it.
async fn send(client: &Client, content: &MessageContent) -> Result<(), Error> {
    let body = MessageCreateBody::with_content(CHAT, content)?;
    client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await?;
    Ok(())
}

/// The filler length that makes a create body exactly `limit` bytes.
fn filler_at_limit(make: Filler, limit: usize) -> usize {
    let empty = MessageCreateBody::with_content(CHAT, &make(0)).expect("an empty body fits");
    limit - empty.check_content_size().expect("an empty body fits")
}

#[tokio::test]
async fn create_refuses_limit_plus_one_before_any_request_and_sends_exactly_the_limit() {
    let cases: [(&str, Filler, usize); 3] = [
        ("text", text, TEXT_BODY_MAX_BYTES),
        ("post", post, POST_BODY_MAX_BYTES),
        ("interactive", card, INTERACTIVE_BODY_MAX_BYTES),
    ];
    for (msg_type, make, limit) in cases {
        let server = platform(json!({"message_id": "om_new"})).await;
        let client = client(&server);
        let n = filler_at_limit(make, limit);

        let over = MessageCreateBody::with_content(CHAT, &make(n + 1)).unwrap_err();
        assert_eq!(
            over,
            ContentError::TooLarge {
                msg_type: msg_type.into(),
                limit,
                actual: limit + 1
            }
        );
        let err = send(&client, &make(n + 1)).await.unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "body.content"),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&format!("{}-byte limit", limit)),
            "{err}"
        );
        assert_eq!(
            requests(&server).await.len(),
            0,
            "nothing sent, not even a token fetch"
        );

        let at = MessageCreateBody::with_content(CHAT, &make(n)).unwrap();
        assert_eq!(at.check_content_size(), Ok(limit));
        send(&client, &make(n))
            .await
            .expect("exactly at the limit is sent");
        let api = requests_to(&server, "/open-apis/im/v1/messages").await;
        assert_eq!(api.len(), 1);
        // The filled-in uuid (36 characters) is shorter than the room kept for it (50).
        let wire = api[0].body.len();
        assert!(wire <= limit, "{msg_type}: {wire} > {limit}");
        eprintln!(
            "{msg_type}: limit {limit} B; {} B refused with no request; {limit} B counted, {wire} B sent",
            limit + 1
        );
    }
}

/// The size counted is the size sent: escapes of the content string inside the JSON body and
/// multi-byte characters included.
#[tokio::test]
async fn the_size_counted_is_the_body_sent() {
    let server = platform(json!({"message_id": "om_new"})).await;
    let client = client(&server);
    let tricky = "say \"hi\"\n\t\\ 你好 🎉 <b>x</b>".repeat(200);
    let body = MessageCreateBody::with_content(CHAT, &MessageContent::text(tricky))
        .unwrap()
        .uuid("u".repeat(50));
    let counted = body.check_content_size().unwrap();
    client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await
        .unwrap();
    let sent = requests_to(&server, "/open-apis/im/v1/messages").await;
    let wire = sent.first().expect("sent").body.len();
    eprintln!("counted {counted} B, sent {wire} B");
    assert_eq!(counted, wire);
}

#[test]
fn reply_update_and_patch_check_their_limits_too() {
    // Reply keeps room for `uuid` and `reply_in_thread` while unset.
    let empty = MessageReplyBody::with_content(&text(0))
        .unwrap()
        .check_content_size()
        .unwrap();
    let n = TEXT_BODY_MAX_BYTES - empty;
    assert_eq!(
        MessageReplyBody::with_content(&text(n))
            .unwrap()
            .check_content_size(),
        Ok(TEXT_BODY_MAX_BYTES)
    );
    assert!(matches!(
        MessageReplyBody::with_content(&text(n + 1)),
        Err(ContentError::TooLarge { actual, .. }) if actual == TEXT_BODY_MAX_BYTES + 1
    ));
    // Update: text 150 KB, post 30 KB.
    for (make, limit) in [
        (text as Filler, TEXT_BODY_MAX_BYTES),
        (post, POST_BODY_MAX_BYTES),
    ] {
        let n = limit
            - MessageUpdateBody::with_content(&make(0))
                .unwrap()
                .check_content_size()
                .unwrap();
        assert_eq!(
            MessageUpdateBody::with_content(&make(n))
                .unwrap()
                .check_content_size(),
            Ok(limit)
        );
        assert!(matches!(
            MessageUpdateBody::with_content(&make(n + 1)),
            Err(ContentError::TooLarge { actual, limit: l, .. }) if actual == limit + 1 && l == limit
        ));
    }
    // Patch: the card update body, 30 KB.
    let n = PATCH_CARD_MAX_BYTES
        - MessagePatchBody::with_content(&card(0))
            .unwrap()
            .check_content_size()
            .unwrap();
    assert_eq!(
        MessagePatchBody::with_content(&card(n))
            .unwrap()
            .check_content_size(),
        Ok(PATCH_CARD_MAX_BYTES)
    );
    assert_eq!(
        MessagePatchBody::with_content(&card(n + 1)),
        Err(ContentError::TooLarge {
            msg_type: "interactive".into(),
            limit: PATCH_CARD_MAX_BYTES,
            actual: PATCH_CARD_MAX_BYTES + 1
        })
    );
    eprintln!("reply/update/patch: limit accepted, limit + 1 refused");
}

/// A patch one byte over sends nothing either, through the client's error.
#[tokio::test]
async fn an_oversized_card_update_sends_nothing() {
    let server = platform(json!({"message_id": "om_new"})).await;
    let client = client(&server);
    let n = PATCH_CARD_MAX_BYTES
        - MessagePatchBody::with_content(&card(0))
            .unwrap()
            .check_content_size()
            .unwrap();
    let patch = async {
        let body = MessagePatchBody::with_content(&card(n + 1))?;
        client.message(MESSAGE).patch(body).send().await?;
        Ok::<(), Error>(())
    };
    assert!(patch.await.is_err());
    assert_eq!(requests(&server).await.len(), 0);
    let body = MessagePatchBody::with_content(&card(n)).unwrap();
    client
        .message(MESSAGE)
        .patch(body)
        .send()
        .await
        .expect("at the limit");
    let sent = requests(&server).await;
    let patched: Vec<_> = sent
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .collect();
    assert_eq!(patched.len(), 1);
    assert_eq!(
        patched[0].url.path(),
        format!("/open-apis/im/v1/messages/{MESSAGE}")
    );
    assert_eq!(patched[0].body.len(), PATCH_CARD_MAX_BYTES);
    eprintln!(
        "patch: {} B refused with no request, {} B sent",
        PATCH_CARD_MAX_BYTES + 1,
        patched[0].body.len()
    );
}
