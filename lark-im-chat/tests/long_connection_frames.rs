//! The pbbp2 frame codec against known-answer vectors (encoded by the official Python SDK's
//! protobuf module), plus acks, fragments and malformed input.
#![cfg(feature = "long-connection")]

use bytes::Bytes;
use lark_im_chat::events::long_connection::{header, Frame, FrameError, METHOD_DATA};
use serde_json::Value;
use std::time::Duration;

fn vectors() -> Vec<Value> {
    let text = include_str!("fixtures/ws-frames.json");
    let doc: Value = serde_json::from_str(text).expect("fixture is JSON");
    doc["ws_frames"].as_array().expect("ws_frames").clone()
}

fn vector(id: &str) -> Value {
    vectors()
        .into_iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("vector {id}"))
}

/// The frame a vector describes, built field by field.
fn frame_of(v: &Value) -> Frame {
    let f = &v["fields"];
    Frame {
        seq_id: f["SeqID"].as_u64().expect("SeqID"),
        log_id: f["LogID"].as_u64().expect("LogID"),
        service: i32::try_from(f["service"].as_i64().expect("service")).expect("i32"),
        method: i32::try_from(f["method"].as_i64().expect("method")).expect("i32"),
        headers: f["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|h| header(h[0].as_str().expect("key"), h[1].as_str().expect("value")))
            .collect(),
        payload: f["payload_utf8"]
            .as_str()
            .map(|p| Bytes::from(p.as_bytes().to_vec())),
        ..Frame::default()
    }
}

fn expected(v: &Value) -> Vec<u8> {
    hex::decode(v["expected_protobuf_hex"].as_str().expect("hex")).expect("hex")
}

#[test]
fn every_vector_encodes_and_decodes_exactly() {
    let all = vectors();
    assert_eq!(all.len(), 6);
    for v in &all {
        let frame = frame_of(v);
        assert_eq!(frame.to_bytes(), expected(v), "encoding of {}", v["id"]);
        assert_eq!(
            Frame::from_bytes(&expected(v)).expect("decodes"),
            frame,
            "decoding of {}",
            v["id"]
        );
    }
}

#[test]
fn ping_builder_matches_the_vector() {
    assert_eq!(Frame::ping(14).to_bytes(), expected(&vector("ping")));
}

#[test]
fn ack_of_the_data_frame_matches_the_vector() {
    let data = Frame::from_bytes(&expected(&vector("event-data-frame"))).expect("decodes");
    assert_eq!(data.method, METHOD_DATA);
    assert_eq!(data.frame_type(), "event");
    let ack = data.ack(200, Duration::from_millis(5));
    assert_eq!(ack.to_bytes(), expected(&vector("event-ack")));
    // The handler time is positive even for a handler faster than a millisecond.
    let fast = data.ack(500, Duration::ZERO);
    assert_eq!(fast.header("biz_rt"), Some("1"));
    assert_eq!(fast.payload.as_deref(), Some(&b"{\"code\":500}"[..]));
}

#[test]
fn fragments_concatenate_to_the_whole_payload() {
    let whole = frame_of(&vector("event-data-frame"))
        .payload
        .expect("payload");
    let mut joined = Vec::new();
    for (i, id) in ["fragment-0-of-2", "fragment-1-of-2"].iter().enumerate() {
        let frame = Frame::from_bytes(&expected(&vector(id))).expect("decodes");
        let info = frame.fragment_info().expect("fragment headers");
        assert_eq!(
            (info.message_id.as_str(), info.sum, info.seq),
            ("msg_2", 2, i as u32)
        );
        joined.extend_from_slice(frame.payload.as_deref().expect("payload"));
    }
    assert_eq!(joined, whole);
}

#[test]
fn malformed_input_gives_typed_errors() {
    assert!(matches!(
        Frame::from_bytes(&[0xff, 0xff, 0xff]),
        Err(FrameError::Protobuf { len: 3, .. })
    ));
    // A truncated vector is an error, never a panic.
    let bytes = expected(&vector("event-data-frame"));
    for cut in 0..bytes.len() {
        let _ = Frame::from_bytes(&bytes[..cut]);
    }
    let mut frame = frame_of(&vector("event-data-frame"));
    frame.headers.retain(|h| h.key != "sum");
    frame.headers.push(header("sum", "two"));
    assert!(matches!(
        frame.fragment_info(),
        Err(FrameError::InvalidHeader { name: "sum", .. })
    ));
    let mut split = frame_of(&vector("fragment-1-of-2"));
    split.headers.retain(|h| h.key != "seq");
    split.headers.push(header("seq", "2"));
    assert_eq!(
        split.fragment_info(),
        Err(FrameError::FragmentOutOfRange { seq: 2, sum: 2 })
    );
    split
        .headers
        .retain(|h| h.key != "message_id" && h.key != "seq");
    assert_eq!(
        split.fragment_info(),
        Err(FrameError::MissingHeader { name: "message_id" })
    );
}
