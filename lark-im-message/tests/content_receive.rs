//! Receiving: the content of event messages and fetched messages decodes by message type into
//! the typed content, mentions resolved; every value is kept (decoding and encoding again gives
//! the same JSON); unknown types stay raw; malformed content of a known type is a typed error,
//! never a panic. Samples written from the reference's received formats.

use lark_im_message::content::{
    ContentError, ContentMention, MessageContent, PostContent, PostNode, TextStyle,
};
use lark_im_message::types::{EventMessage, Message, MessageListResponse};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/content/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

fn event_message(kind: &str) -> EventMessage {
    serde_json::from_value(fixture("event_messages.json")[kind].clone()).expect("EventMessage")
}

fn listed() -> Vec<Message> {
    let page: MessageListResponse =
        serde_json::from_value(fixture("list_items.json")).expect("list page");
    page.items.expect("items")
}

/// Every value kept: the decoded content encodes back to JSON equal to what arrived.
fn assert_kept(decoded: &MessageContent, original: &str) {
    let again = decoded.to_content_string().expect("encodes");
    match (
        serde_json::from_str::<Value>(&again),
        serde_json::from_str::<Value>(original),
    ) {
        (Ok(again), Ok(original)) => assert_eq!(again, original, "{}", decoded.msg_type()),
        // Content that is not JSON can only be raw, and raw is kept byte for byte.
        _ => assert_eq!(again, original),
    }
}

#[test]
fn a_received_text_resolves_its_placeholders_to_ids_names_and_at_tags() {
    let message = event_message("text");
    let MessageContent::Text(text) = message.decode_content().expect("decodes") else {
        panic!("not text");
    };
    assert_eq!(
        text.text,
        "@_user_1 @_user_10 help: the build on main is red \u{2014} see @_user_2"
    );
    let ids: Vec<_> = text
        .mentions
        .iter()
        .map(|m| {
            (
                m.key.as_str(),
                m.id.as_deref(),
                m.id_type.as_deref(),
                m.name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            (
                "@_user_1",
                Some("ou_a07a3e0eb5a0d8da6ec24d5c4bbd54ff"),
                Some("open_id"),
                Some("Build Bot")
            ),
            // No open_id granted (empty): the union_id stands in.
            (
                "@_user_10",
                Some("on_2b4e1c0d1f7a3e9b8c6d5a4f3e2d1c0b"),
                Some("union_id"),
                Some("Lin")
            ),
            (
                "@_user_2",
                Some("ou_7d8a6e6df7621556ce0d21922b676706"),
                Some("open_id"),
                Some("Tom")
            ),
        ]
    );
    // `@_user_10` is not read as `@_user_1` followed by `0`.
    assert_eq!(
        text.with_at_tags(),
        "<at user_id=\"ou_a07a3e0eb5a0d8da6ec24d5c4bbd54ff\">Build Bot</at> \
         <at user_id=\"on_2b4e1c0d1f7a3e9b8c6d5a4f3e2d1c0b\">Lin</at> help: the build on main is red \
         \u{2014} see <at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706\">Tom</at>"
    );
    assert_eq!(
        text.display_text(),
        "@Build Bot @Lin help: the build on main is red \u{2014} see @Tom"
    );
    assert!(text.mentions_id("ou_a07a3e0eb5a0d8da6ec24d5c4bbd54ff"));
    assert!(!text.mentions_id("ou_84aad35d084aa403a838cf73ee18467"));
    assert_kept(
        &MessageContent::Text(text),
        message.content.as_deref().unwrap(),
    );
}

#[test]
fn a_received_post_without_locale_keeps_every_node_and_resolves_its_at() {
    let message = event_message("post");
    let decoded = message.decode_content().expect("decodes");
    let MessageContent::Post(PostContent::Unlocalized(body)) = &decoded else {
        panic!("not an unlocalized post: {decoded:?}");
    };
    assert_eq!(body.title.as_deref(), Some("Release 2.4"));
    let tags: Vec<&str> = body.nodes().map(PostNode::tag).collect();
    assert_eq!(
        tags,
        [
            "text",
            "at",
            "text",
            "a",
            "img",
            "media",
            "emotion",
            "text",
            "code_block",
            "hr",
            "sparkline"
        ]
    );
    let nodes: Vec<&PostNode> = body.nodes().collect();
    let PostNode::Text(first) = nodes[0] else {
        panic!()
    };
    assert_eq!(
        first.style.as_deref(),
        Some(
            &[
                TextStyle::Bold,
                TextStyle::LineThrough,
                TextStyle::Other("shadow".into())
            ][..]
        )
    );
    let PostNode::At(at) = nodes[1] else { panic!() };
    assert_eq!(at.user_id, "@_user_1");
    assert_eq!(at.user_name.as_deref(), Some("Tom"));
    assert_eq!(at.id(), "ou_7d8a6e6df7621556ce0d21922b676706");
    let PostNode::Image(img) = nodes[4] else {
        panic!()
    };
    assert_eq!(img.extra["width"], 1280, "unknown fields are kept");
    let PostNode::Other(unknown) = nodes[10] else {
        panic!()
    };
    assert_eq!(unknown["tag"], "sparkline");
    assert_kept(&decoded, message.content.as_deref().unwrap());
}

#[test]
fn fetched_messages_of_every_type_decode_and_keep_every_value() {
    let items = listed();
    assert_eq!(items.len(), 16);
    let mut raw = Vec::new();
    for message in &items {
        let decoded = message.decode_content().expect("decodes");
        let msg_type = message.msg_type.as_ref().unwrap().as_str().into_owned();
        assert_eq!(decoded.msg_type(), msg_type);
        assert_kept(
            &decoded,
            message.body.as_ref().unwrap().content.as_deref().unwrap(),
        );
        if let MessageContent::Raw(r) = &decoded {
            raw.push(r.msg_type.clone());
        }
        match (message.message_id.as_deref().unwrap(), &decoded) {
            ("om_01", MessageContent::Text(t)) => {
                assert_eq!(
                    t.with_at_tags(),
                    "<at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706\">Tom</at> deploy done"
                );
                assert_eq!(
                    t.mentions,
                    [ContentMention::new(
                        "@_user_1",
                        "ou_7d8a6e6df7621556ce0d21922b676706",
                        "Tom"
                    )]
                );
            }
            ("om_02", MessageContent::Post(p)) => {
                assert_eq!(p.bodies().len(), 2);
                assert_eq!(p.body("zh_cn").unwrap().title.as_deref(), Some("周报"));
                let PostNode::At(at) = p.body("en_us").unwrap().content[0][1].clone() else {
                    panic!()
                };
                assert_eq!(at.id(), "all");
            }
            ("om_03", MessageContent::Image(c)) => {
                assert_eq!(
                    c.image_key,
                    "img_v3_02ab_7d1c7f5e-1f3a-4c1b-9a0e-2b9d0c3e4f5g"
                )
            }
            ("om_04", MessageContent::File(c)) => {
                assert_eq!(
                    (c.file_key.as_str(), c.file_name.as_deref()),
                    ("file_v3_00ab_7a7b7c7d", Some("report-2024Q3.pdf"))
                )
            }
            ("om_05", MessageContent::Audio(c)) => assert_eq!(c.duration, Some(2500)),
            ("om_06", MessageContent::Media(c)) => {
                assert_eq!(
                    (c.duration, c.file_name.as_deref(), c.image_key.as_deref()),
                    (Some(61000), Some("demo.mp4"), Some("img_v3_02ab_cover"))
                )
            }
            ("om_07", MessageContent::Sticker(c)) => assert!(c.file_key.starts_with("v2_")),
            ("om_08", MessageContent::Interactive(c)) => {
                assert_eq!(c.card["title"], "Deploy approval")
            }
            ("om_09", MessageContent::ShareChat(c)) => {
                assert_eq!(c.chat_id, "oc_0dd200d32fda15216d2c2ef1ddb32f76")
            }
            ("om_10", MessageContent::ShareUser(c)) => {
                assert_eq!(c.user_id, "ou_9204a37300b3700d61effaa439f34295")
            }
            ("om_11" | "om_12" | "om_13" | "om_14" | "om_15" | "om_16", MessageContent::Raw(_)) => {
            }
            (id, other) => panic!("{id}: unexpected {other:?}"),
        }
    }
    // Types without a variant, non-JSON content and a recalled message are kept raw.
    assert_eq!(
        raw,
        [
            "location",
            "system",
            "merge_forward",
            "vote",
            "holo_note",
            "text"
        ]
    );
}

/// SDKs disagree on the JSON type of counts: a numeric string is read as the count it carries
/// (and written back as a number).
#[test]
fn a_duration_sent_as_a_string_is_read_as_a_count() {
    let decoded = MessageContent::decode("audio", r#"{"file_key":"k","duration":"2500"}"#).unwrap();
    let MessageContent::Audio(audio) = &decoded else {
        panic!()
    };
    assert_eq!(audio.duration, Some(2500));
    assert_eq!(
        decoded.to_content_string().unwrap(),
        r#"{"file_key":"k","duration":2500}"#
    );
}

#[test]
fn malformed_content_of_a_known_type_is_a_typed_error() {
    let cases = [
        ("text", "not json"),
        ("text", r#"{"txt":"hello"}"#),
        ("text", r#"{"text":42}"#),
        ("post", r#"{"zh_cn":{"title":"t","content":"flat"}}"#),
        (
            "post",
            r#"{"title":"t","content":[[{"tag":"a","text":"no href"}]]}"#,
        ),
        ("post", r#"{"zh_cn":"not a body"}"#),
        ("image", "{}"),
        ("file", r#"{"file_key":null}"#),
        ("audio", r#"{"file_key":"k","duration":"long"}"#),
        ("media", r#"{"file_key":"k","duration":-1}"#),
        ("sticker", "[]"),
        ("interactive", "{"),
        ("share_chat", r#"{"chat":"oc_1"}"#),
        ("share_user", ""),
    ];
    for (msg_type, content) in cases {
        match MessageContent::decode(msg_type, content) {
            Err(ContentError::Malformed {
                msg_type: t,
                reason,
            }) => {
                assert_eq!(t, msg_type);
                assert!(!reason.is_empty());
            }
            other => panic!("{msg_type} {content:?}: {other:?}"),
        }
    }
    let missing = EventMessage::new().content("{}").decode_content();
    assert_eq!(
        missing,
        Err(ContentError::Missing {
            field: "message_type"
        })
    );
}

#[test]
fn unknown_types_are_kept_raw_whatever_their_content() {
    for content in ["", "not json", r#"{"a":[1,{"b":null}]}"#, "\u{0}\u{ffff}"] {
        let decoded = MessageContent::decode("future_kind", content).expect("never an error");
        let MessageContent::Raw(raw) = &decoded else {
            panic!()
        };
        assert_eq!(
            (raw.msg_type.as_str(), raw.content.as_str()),
            ("future_kind", content)
        );
        assert_eq!(decoded.to_content_string().unwrap(), content);
    }
}

/// Arbitrary bytes (mutations of real samples) never panic the decoder.
#[test]
fn mutated_content_never_panics() {
    let seeds: Vec<String> = listed()
        .iter()
        .filter_map(|m| m.body.as_ref()?.content.clone())
        .collect();
    let types = [
        "text",
        "post",
        "image",
        "file",
        "audio",
        "media",
        "sticker",
        "interactive",
        "share_chat",
        "share_user",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ok, mut malformed) = (0, 0);
    for round in 0..4_000 {
        let mut bytes = seeds[round % seeds.len()].clone().into_bytes();
        for _ in 0..1 + next() % 4 {
            if bytes.is_empty() {
                break;
            }
            let at = (next() % bytes.len() as u64) as usize;
            match next() % 3 {
                0 => bytes[at] = (next() % 128) as u8,
                1 => drop(bytes.remove(at)),
                _ => bytes.truncate(at),
            }
        }
        let content = String::from_utf8_lossy(&bytes);
        match MessageContent::decode(types[round % types.len()], &content) {
            Ok(_) => ok += 1,
            Err(ContentError::Malformed { .. }) => malformed += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    eprintln!("mutated content: {ok} decoded, {malformed} malformed, 0 panics");
    assert!(malformed > 0);
}

/// Placeholders are found by key lookup at each `@`, so a long text with thousands of mentions
/// resolves in one pass; mentions whose key is not in the text are left out.
#[test]
fn thousands_of_mentions_resolve_in_one_pass() {
    let count = 5_000;
    let mentions: Vec<ContentMention> = (1..=count)
        .map(|i| {
            ContentMention::new(
                format!("@_user_{i}"),
                format!("ou_{i:032}"),
                format!("U{i}"),
            )
        })
        .chain([ContentMention::new("@_user_0", "ou_absent", "Absent")])
        .collect();
    let text: String = (1..=count).map(|i| format!("@_user_{i} @ ")).collect();
    let content = serde_json::json!({ "text": text }).to_string();
    let started = std::time::Instant::now();
    let decoded =
        MessageContent::decode_with_mentions("text", &content, mentions).expect("decodes");
    let MessageContent::Text(decoded) = decoded else {
        panic!()
    };
    let tagged = decoded.with_at_tags();
    eprintln!(
        "{count} mentions in {} B of text: resolved in {:?}",
        text.len(),
        started.elapsed()
    );
    assert_eq!(decoded.mentions.len(), count, "the absent one is left out");
    assert!(!decoded.mentions_id("ou_absent"));
    assert!(tagged.starts_with(&format!("<at user_id=\"ou_{:032}\">U1</at> @ ", 1)));
    assert!(tagged.ends_with(&format!("<at user_id=\"ou_{count:032}\">U{count}</at> @ ")));
    assert!(!tagged.contains("@_user_"));
}
