//! A card sent as a message: the builder's card becomes `interactive` content whose JSON text
//! reaches a platform stand-in on 127.0.0.1 unchanged; the content module's 30 KB limit applies
//! (a card exactly at the limit is accepted, one byte over is refused before any request, for
//! create, reply and patch); a template card goes out as `{"type": "template", "data"}`; the
//! same card answers a click as the response's raw card.

use lark_im_message::card::{
    Button, ButtonType, Card, CardActionResponse, HeaderTemplate, TemplateCard,
};
use lark_im_message::content::limits::{INTERACTIVE_BODY_MAX_BYTES, PATCH_CARD_MAX_BYTES};
use lark_im_message::content::{ContentError, MessageContent};
use lark_im_message::prelude::*;
use lark_im_message::types::{
    MessageCreateBody, MessagePatchBody, MessageReplyBody, ReceiveIdType,
};
use lark_im_message::{Client, Error};
use serde_json::{json, Value};

mod content_support;
use content_support::{client, platform, requests, requests_to};

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

fn hello_card(filler: usize) -> Card {
    Card::new()
        .update_multi(true)
        .title("Welcome")
        .template(HeaderTemplate::Blue)
        .markdown("a".repeat(filler))
        .element(
            Button::callback("Say hello", json!({"action": "hello"})).kind(ButtonType::Primary),
        )
}

async fn send(client: &Client, card: &Card) -> Result<(), Error> {
    let body = MessageCreateBody::with_content(CHAT, &card.to_content()?)?;
    client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await?;
    Ok(())
}

/// The sent body's `msg_type` and its `content` parsed back into JSON.
fn sent_content(request: &wiremock::Request) -> (String, Value) {
    let body: Value = serde_json::from_slice(&request.body).expect("test data");
    let content = body["content"].as_str().expect("content is a JSON string");
    (
        body["msg_type"].as_str().expect("test data").to_owned(),
        serde_json::from_str(content).expect("test data"),
    )
}

#[tokio::test]
async fn a_built_card_is_sent_as_interactive_content_unchanged() {
    let server = platform(json!({"message_id": "om_new"})).await;
    let client = client(&server);
    let card = hello_card(5);
    send(&client, &card).await.expect("sent");

    let sent = requests_to(&server, "/open-apis/im/v1/messages").await;
    assert_eq!(sent.len(), 1);
    let (msg_type, content) = sent_content(&sent[0]);
    assert_eq!(msg_type, "interactive");
    assert_eq!(content, serde_json::to_value(&card).unwrap());
    assert_eq!(
        content["body"]["elements"][1]["behaviors"][0]["value"],
        json!({"action": "hello"})
    );
    // Decoded back from what was sent: the same card.
    let text = serde_json::to_string(&content).unwrap();
    let MessageContent::Interactive(received) =
        MessageContent::decode("interactive", &text).unwrap()
    else {
        panic!("interactive")
    };
    assert_eq!(Card::from_content(&received).unwrap(), card);
    // The same card answers a click as the response's raw card.
    let answer = serde_json::to_value(CardActionResponse::card(card.clone())).unwrap();
    assert_eq!(answer["card"]["data"], content);
}

#[tokio::test]
async fn a_template_card_is_sent_as_a_template() {
    let server = platform(json!({"message_id": "om_new"})).await;
    let client = client(&server);
    let template = TemplateCard::new("AAqk1xNnoVXtq")
        .version("1.0.2")
        .variable("name", "Tom");
    let body = MessageCreateBody::with_content(CHAT, &template.to_content().unwrap()).unwrap();
    client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await
        .unwrap();
    let sent = requests_to(&server, "/open-apis/im/v1/messages").await;
    let (msg_type, content) = sent_content(&sent[0]);
    assert_eq!(msg_type, "interactive");
    assert_eq!(
        content,
        json!({"type": "template", "data": {"template_id": "AAqk1xNnoVXtq",
            "template_version_name": "1.0.2", "template_variable": {"name": "Tom"}}})
    );
}

/// The markdown length that makes the create body of [`hello_card`] exactly the limit.
fn filler_at_limit() -> usize {
    let empty =
        MessageCreateBody::with_content(CHAT, &hello_card(0).to_content().expect("test data"))
            .expect("test data")
            .check_content_size()
            .expect("test data");
    INTERACTIVE_BODY_MAX_BYTES - empty
}

#[tokio::test]
async fn an_oversize_card_is_refused_before_sending() {
    let server = platform(json!({"message_id": "om_new"})).await;
    let client = client(&server);
    let n = filler_at_limit();

    let over = hello_card(n + 1);
    assert_eq!(
        MessageCreateBody::with_content(CHAT, &over.to_content().unwrap()).unwrap_err(),
        ContentError::TooLarge {
            msg_type: "interactive".into(),
            limit: INTERACTIVE_BODY_MAX_BYTES,
            actual: INTERACTIVE_BODY_MAX_BYTES + 1,
        }
    );
    let err = send(&client, &over).await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "body.content"),
        "{err:?}"
    );
    assert_eq!(
        requests(&server).await.len(),
        0,
        "nothing sent, not even a token fetch"
    );

    let at = hello_card(n);
    send(&client, &at)
        .await
        .expect("exactly at the limit is sent");
    let sent = requests_to(&server, "/open-apis/im/v1/messages").await;
    assert_eq!(sent.len(), 1);
    let wire = sent[0].body.len();
    assert!(wire <= INTERACTIVE_BODY_MAX_BYTES, "{wire}");
    eprintln!(
        "card message: limit {INTERACTIVE_BODY_MAX_BYTES} B; {} B refused with no request; {INTERACTIVE_BODY_MAX_BYTES} B accepted, {wire} B sent",
        INTERACTIVE_BODY_MAX_BYTES + 1
    );

    // Reply and patch refuse an oversize card too.
    let huge = hello_card(INTERACTIVE_BODY_MAX_BYTES).to_content().unwrap();
    assert!(matches!(
        MessageReplyBody::with_content(&huge),
        Err(ContentError::TooLarge {
            limit: INTERACTIVE_BODY_MAX_BYTES,
            ..
        })
    ));
    let patch = MessagePatchBody::with_content(&huge).unwrap_err();
    assert!(
        matches!(patch, ContentError::TooLarge { limit: PATCH_CARD_MAX_BYTES, actual, .. } if actual > PATCH_CARD_MAX_BYTES)
    );
    eprintln!("reply/patch: refused ({patch})");
}
