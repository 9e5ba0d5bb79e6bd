//! Sending: typed content for every message type serializes to the exact JSON text the platform
//! documents and decodes back equal; the mention helpers write the exact `<at>` syntax; the body
//! constructors set `msg_type` and `content` and refuse types an operation does not take; a
//! text with a mention reaches a platform stand-in on 127.0.0.1 as the JSON string it should.

use lark_im_message::content::{
    at_user, AudioContent, ContentError, FileContent, ImageContent, InteractiveContent,
    MediaContent, MessageContent, PostBody, PostContent, PostNode, RawContent, ShareChatContent,
    ShareUserContent, StickerContent, TextContent, TextStyle, AT_ALL,
};
use lark_im_message::prelude::*;
use lark_im_message::types::{
    MessageCreateBody, MessagePatchBody, MessageReplyBody, MessageUpdateBody, ReceiveIdType,
    SendMsgType, UpdateMsgType,
};
use serde_json::{json, Value};

mod content_support;
use content_support::{client, platform, requests_to};

const OPEN_ID: &str = "ou_84aad35d084aa403a838cf73ee18467";
const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

fn with_extra<T>(
    mut value: T,
    extra: impl FnOnce(&mut T) -> &mut serde_json::Map<String, Value>,
) -> T {
    extra(&mut value).insert("x_future".into(), json!({"kept": [1, "two"]}));
    value
}

/// One value of every sendable type, each with the JSON text it must become.
fn every_type() -> Vec<(MessageContent, Value)> {
    let post = PostContent::new(
        "zh_cn",
        PostBody::new()
            .title("发布")
            .paragraph([
                PostNode::text("hi "),
                PostNode::at(OPEN_ID),
                PostNode::at_all(),
            ])
            .paragraph([PostNode::image("img_v3_cover")]),
    )
    .locale(
        "en_us",
        PostBody::new()
            .title("Release")
            .paragraph([
                PostNode::styled("bold", [TextStyle::Bold, TextStyle::LineThrough]),
                PostNode::link("notes", "https://example.com/n"),
                PostNode::emotion("SMILE"),
            ])
            .paragraph([PostNode::media(
                "file_v3_video",
                Some("img_v3_cover".into()),
            )])
            .paragraph([PostNode::rule()])
            .paragraph([PostNode::code_block(Some("RUST".into()), "fn main() {}")])
            .paragraph([PostNode::markdown("**done** <at user_id=\"all\"></at>")]),
    );
    let card = json!({"schema": "2.0", "config": {"update_multi": true},
        "body": {"elements": [{"tag": "markdown", "content": "<at id=all></at> deploy?"}]}});
    vec![
        (
            MessageContent::text("line 1\nline \"2\""),
            json!({"text": "line 1\nline \"2\""}),
        ),
        (
            MessageContent::Post(post),
            json!({
                "zh_cn": {"title": "发布", "content": [
                    [{"tag": "text", "text": "hi "}, {"tag": "at", "user_id": OPEN_ID}, {"tag": "at", "user_id": "all"}],
                    [{"tag": "img", "image_key": "img_v3_cover"}]]},
                "en_us": {"title": "Release", "content": [
                    [{"tag": "text", "text": "bold", "style": ["bold", "lineThrough"]},
                     {"tag": "a", "text": "notes", "href": "https://example.com/n"},
                     {"tag": "emotion", "emoji_type": "SMILE"}],
                    [{"tag": "media", "file_key": "file_v3_video", "image_key": "img_v3_cover"}],
                    [{"tag": "hr"}],
                    [{"tag": "code_block", "language": "RUST", "text": "fn main() {}"}],
                    [{"tag": "md", "text": "**done** <at user_id=\"all\"></at>"}]]}
            }),
        ),
        (
            ImageContent::new("img_v3_key").into(),
            json!({"image_key": "img_v3_key"}),
        ),
        (
            FileContent::new("file_v3_key").into(),
            json!({"file_key": "file_v3_key"}),
        ),
        (
            AudioContent::new("file_v3_opus").into(),
            json!({"file_key": "file_v3_opus"}),
        ),
        (
            MediaContent::new("file_v3_mp4", "img_v3_cover").into(),
            json!({"file_key": "file_v3_mp4", "image_key": "img_v3_cover"}),
        ),
        (
            StickerContent::new("file_v3_sticker").into(),
            json!({"file_key": "file_v3_sticker"}),
        ),
        (InteractiveContent::new(card.clone()).into(), card),
        (
            InteractiveContent::template("AAqk1234", Some("1.0.2"), Some(json!({"name": "Tom"})))
                .into(),
            json!({"type": "template", "data": {"template_id": "AAqk1234", "template_version_name": "1.0.2", "template_variable": {"name": "Tom"}}}),
        ),
        (ShareChatContent::new(CHAT).into(), json!({"chat_id": CHAT})),
        (
            ShareUserContent::new(OPEN_ID).into(),
            json!({"user_id": OPEN_ID}),
        ),
        (
            RawContent::new(
                "system",
                r#"{"type":"divider","params":{"divider_text":{"text":"New"}}}"#,
            )
            .into(),
            json!({"type": "divider", "params": {"divider_text": {"text": "New"}}}),
        ),
    ]
}

#[test]
fn every_type_serializes_to_its_documented_json_and_decodes_back_equal() {
    let mut seen = Vec::new();
    for (content, expected) in every_type() {
        let text = content.to_content_string().expect("encodes");
        let as_json: Value = serde_json::from_str(&text).expect("content is JSON text");
        assert_eq!(as_json, expected, "{}", content.msg_type());
        let decoded = MessageContent::decode(content.msg_type(), &text).expect("decodes");
        assert_eq!(decoded, content, "{}", content.msg_type());
        seen.push(content.msg_type().to_owned());
    }
    assert_eq!(
        seen,
        [
            "text",
            "post",
            "image",
            "file",
            "audio",
            "media",
            "sticker",
            "interactive",
            "interactive",
            "share_chat",
            "share_user",
            "system"
        ]
    );
}

/// Fields this version does not know survive typed -> string -> typed.
#[test]
fn unknown_fields_round_trip_for_every_type() {
    let contents: Vec<MessageContent> = vec![
        with_extra(TextContent::new("t"), |c| &mut c.extra).into(),
        PostContent::new(
            "ja_jp",
            with_extra(PostBody::new().paragraph([PostNode::rule()]), |b| {
                &mut b.extra
            }),
        )
        .into(),
        with_extra(ImageContent::new("i"), |c| &mut c.extra).into(),
        with_extra(FileContent::new("f"), |c| &mut c.extra).into(),
        with_extra(AudioContent::new("a"), |c| &mut c.extra).into(),
        with_extra(MediaContent::new("m", "c"), |c| &mut c.extra).into(),
        with_extra(StickerContent::new("s"), |c| &mut c.extra).into(),
        with_extra(ShareChatContent::new(CHAT), |c| &mut c.extra).into(),
        with_extra(ShareUserContent::new(OPEN_ID), |c| &mut c.extra).into(),
    ];
    for content in contents {
        let text = content.to_content_string().unwrap();
        assert!(text.contains(r#""x_future":{"kept":[1,"two"]}"#), "{text}");
        assert_eq!(
            MessageContent::decode(content.msg_type(), &text).unwrap(),
            content
        );
    }
}

#[test]
fn the_mention_helpers_write_the_exact_at_syntax() {
    assert_eq!(
        at_user(OPEN_ID, "Tom"),
        format!("<at user_id=\"{OPEN_ID}\">Tom</at>")
    );
    assert_eq!(
        at_user("on_8ed6aa67826108097d9ee143816345", ""),
        "<at user_id=\"on_8ed6aa67826108097d9ee143816345\"></at>"
    );
    assert_eq!(AT_ALL, "<at user_id=\"all\"></at>");
    let text = TextContent::builder()
        .at_user(OPEN_ID, "Tom")
        .text(" and ")
        .at_all()
        .text(": ")
        .bold("b")
        .italic("i")
        .underline("u")
        .strikethrough("s")
        .newline()
        .link("docs", "https://open.feishu.cn")
        .build();
    assert_eq!(
        MessageContent::from(text).to_content_string().unwrap(),
        format!(
            r#"{{"text":"<at user_id=\"{OPEN_ID}\">Tom</at> and <at user_id=\"all\"></at>: <b>b</b><i>i</i><u>u</u><s>s</s>\n[docs](https://open.feishu.cn)"}}"#
        )
    );
}

#[test]
fn the_bodies_take_msg_type_and_content_from_the_typed_value() {
    let content = MessageContent::from(ImageContent::new("img_v3_key"));
    let create = MessageCreateBody::with_content(CHAT, &content).unwrap();
    assert_eq!(
        (create.msg_type.clone(), create.content.as_str()),
        (SendMsgType::Image, r#"{"image_key":"img_v3_key"}"#)
    );
    let reply = MessageReplyBody::with_content(&content).unwrap();
    assert_eq!(reply.msg_type, SendMsgType::Image);

    let update = MessageUpdateBody::with_content(&MessageContent::text("edited")).unwrap();
    assert_eq!(
        (update.msg_type, update.content.as_str()),
        (UpdateMsgType::Text, r#"{"text":"edited"}"#)
    );
    let patch =
        MessagePatchBody::with_content(&InteractiveContent::new(json!({"elements": []})).into())
            .unwrap();
    assert_eq!(patch.content, r#"{"elements":[]}"#);

    let refused = [
        (
            MessageUpdateBody::with_content(&content).err(),
            "image",
            "message.update",
        ),
        (
            MessagePatchBody::with_content(&MessageContent::text("t")).err(),
            "text",
            "message.patch",
        ),
        (
            MessageReplyBody::with_content(&RawContent::new("system", "{}").into()).err(),
            "system",
            "message.reply",
        ),
    ];
    for (err, msg_type, operation) in refused {
        assert_eq!(
            err,
            Some(ContentError::NotAllowed {
                msg_type: msg_type.into(),
                operation
            })
        );
    }
}

/// The main entry's example, for real: a text mentioning a user reaches the platform as the
/// JSON string of its content.
#[tokio::test]
async fn a_text_with_a_mention_is_sent_as_its_json_string() {
    let server = platform(json!({
        "message_id": "om_new", "msg_type": "text",
        "body": {"content": "{\"text\":\"@_user_1 welcome!\"}"},
        "mentions": [{"key": "@_user_1", "id": OPEN_ID, "id_type": "open_id", "name": "Tom"}]
    }))
    .await;
    let client = client(&server);
    let hello = TextContent::builder()
        .at_user(OPEN_ID, "Tom")
        .text(" welcome!")
        .build();
    let body = MessageCreateBody::with_content(CHAT, &hello.into())
        .unwrap()
        .uuid("welcome-1");
    let sent = client
        .messages()
        .create(ReceiveIdType::ChatId, body)
        .send()
        .await
        .unwrap();

    let requests = requests_to(&server, "/open-apis/im/v1/messages").await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.query(), Some("receive_id_type=chat_id"));
    let wire: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        wire,
        json!({"receive_id": CHAT, "msg_type": "text", "uuid": "welcome-1",
               "content": format!("{{\"text\":\"<at user_id=\\\"{OPEN_ID}\\\">Tom</at> welcome!\"}}")})
    );
    // The answer's content decodes with its placeholder resolved to the id sent.
    let MessageContent::Text(echo) = sent.decode_content().unwrap() else {
        panic!()
    };
    assert_eq!(
        echo.with_at_tags(),
        format!("<at user_id=\"{OPEN_ID}\">Tom</at> welcome!")
    );
    coverage_record::record_operation("message.create");
}
