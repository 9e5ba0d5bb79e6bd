//! One accepted long connection, played from the platform's side: [`ServerConn`], its split
//! halves, and the client's decoded [`Ack`]s.

use super::LongConnectionServer;
use crate::events::long_connection::{Frame, HEADER_BIZ_RT, HEADER_MESSAGE_ID, METHOD_DATA};
use ::axum::extract::ws::{Message, WebSocket};
use base64::Engine as _;
use futures::stream::{SplitSink, SplitStream};
use futures::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use std::time::Duration;
use tokio::time::timeout;

/// SeqIDs of pushed frames start after this.
const FIRST_SEQ_ID: u64 = 100;

/// A client's ack of a data frame, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ack {
    /// SeqID of the acked frame (the last fragment's, for a fragmented message).
    pub seq_id: u64,
    /// The `message_id` header.
    pub message_id: Option<String>,
    /// `code` of the payload (200 handled, 500 failed).
    pub code: i64,
    /// The `biz_rt` header: handler time in milliseconds.
    pub biz_rt_ms: Option<u64>,
    /// `data` of the payload, where a card callback's response travels: base64 of JSON,
    /// decoded to that JSON (a string that is not base64 of JSON is kept as a string).
    pub data: Option<Value>,
    /// The frame itself.
    pub frame: Frame,
}

impl Ack {
    /// Decodes an ack frame; `Err` says what is missing.
    pub fn from_frame(frame: &Frame) -> Result<Self, String> {
        let payload = frame.payload.as_deref().ok_or("an ack without payload")?;
        let value: Value =
            serde_json::from_slice(payload).map_err(|e| format!("ack payload is not JSON: {e}"))?;
        let code = value["code"].as_i64().ok_or("an ack without code")?;
        let data = match value.get("data") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                    .unwrap_or_else(|| Value::String(s.clone())),
            ),
            Some(other) => Some(other.clone()),
        };
        Ok(Self {
            seq_id: frame.seq_id,
            message_id: frame.header(HEADER_MESSAGE_ID).map(str::to_owned),
            code,
            biz_rt_ms: frame.header(HEADER_BIZ_RT).and_then(|v| v.parse().ok()),
            data,
            frame: frame.clone(),
        })
    }

    /// The `code` of an ack frame.
    ///
    /// # Panics
    ///
    /// When the frame is no ack.
    pub fn code_of(frame: &Frame) -> i64 {
        match Self::from_frame(frame) {
            Ok(ack) => ack.code,
            Err(e) => panic!("{e}"),
        }
    }
}

/// What one WebSocket message from the client is to the test.
fn frame_of(message: Message) -> Option<Option<Frame>> {
    match message {
        Message::Binary(bytes) => match Frame::from_bytes(&bytes) {
            Ok(frame) => Some(Some(frame)),
            Err(e) => panic!("the client sent a frame that does not decode: {e}"),
        },
        Message::Close(_) => Some(None),
        _ => None,
    }
}

/// The server side of one connection: frames to push, the client's frames to read. Reads
/// wait at most [`LongConnectionServer::PATIENCE`].
#[derive(Debug)]
pub struct ServerConn {
    ws: WebSocket,
    seq: u64,
}

impl ServerConn {
    pub(super) fn new(ws: WebSocket) -> Self {
        Self {
            ws,
            seq: FIRST_SEQ_ID,
        }
    }

    async fn send_message(&mut self, message: Message) {
        if let Err(e) = self.ws.send(message).await {
            panic!("the server could not send on the long connection: {e}");
        }
    }

    /// Sends a frame.
    ///
    /// # Panics
    ///
    /// When the socket is closed (as do the other `send_*` and `push_*`).
    pub async fn send(&mut self, frame: &Frame) {
        self.send_message(Message::Binary(frame.to_bytes().into()))
            .await;
    }

    /// Sends these bytes as one binary message (e.g. a frame that does not decode).
    pub async fn send_bytes(&mut self, bytes: Vec<u8>) {
        self.send_message(Message::Binary(bytes.into())).await;
    }

    /// Sends a text message (the protocol has none).
    pub async fn send_text(&mut self, text: &str) {
        self.send_message(Message::Text(text.into())).await;
    }

    /// Sends a WebSocket-level ping.
    pub async fn send_ping(&mut self, payload: &[u8]) {
        self.send_message(Message::Ping(bytes::Bytes::copy_from_slice(payload)))
            .await;
    }

    /// Sends `payload` as `fragments` data frames of `frame_type` (`event` or `card`) sharing a
    /// message id, in order; returns the last frame's SeqID (the one the ack carries).
    pub async fn send_fragmented(
        &mut self,
        frame_type: &str,
        payload: &[u8],
        fragments: u32,
    ) -> u64 {
        let fragments = fragments.max(1);
        let n = usize::try_from(fragments).unwrap_or(usize::MAX);
        let size = payload.len().div_ceil(n).max(1);
        let message_id = format!("m{}", self.seq + 1);
        for i in 0..fragments {
            self.seq += 1;
            let start = (i as usize * size).min(payload.len());
            let end = ((i as usize + 1) * size).min(payload.len());
            let frame = LongConnectionServer::data_frame(
                frame_type,
                self.seq,
                &message_id,
                fragments,
                i,
                &payload[start..end],
            );
            self.send(&frame).await;
        }
        self.seq
    }

    /// Sends `payload` (event JSON) as one `type=event` frame; returns its SeqID.
    pub async fn send_event(&mut self, payload: &[u8]) -> u64 {
        self.send_fragmented("event", payload, 1).await
    }

    /// Sends `payload` (callback JSON) as one `type=card` frame; returns its SeqID.
    pub async fn send_card(&mut self, payload: &[u8]) -> u64 {
        self.send_fragmented("card", payload, 1).await
    }

    /// Sends a typed event (an envelope, a family's event, or JSON) as a `type=event` frame.
    ///
    /// # Panics
    ///
    /// When `event` does not serialize.
    pub async fn push_event(&mut self, event: &impl serde::Serialize) -> u64 {
        self.send_event(&to_json(event)).await
    }

    /// Sends a card callback (typed or JSON) as a `type=card` frame.
    ///
    /// # Panics
    ///
    /// When `callback` does not serialize.
    pub async fn push_card(&mut self, callback: &impl serde::Serialize) -> u64 {
        self.send_card(&to_json(callback)).await
    }

    /// Pushes a `ClientConfig` in a pong, as the platform does.
    pub async fn push_client_config(&mut self, config: &Value) {
        self.send(&LongConnectionServer::pong_frame(config)).await;
    }

    /// The next frame from the client (pings included); `None` when the socket closed.
    ///
    /// # Panics
    ///
    /// When nothing comes within [`LongConnectionServer::PATIENCE`], or a frame does not decode.
    pub async fn recv(&mut self) -> Option<Frame> {
        loop {
            let message = match timeout(LongConnectionServer::PATIENCE, self.ws.recv()).await {
                Ok(message) => message?.ok()?,
                Err(_) => panic!(
                    "no frame from the client within {:?}",
                    LongConnectionServer::PATIENCE
                ),
            };
            if let Some(frame) = frame_of(message) {
                return frame;
            }
        }
    }

    /// The next ack (data frame) from the client, skipping pings.
    ///
    /// # Panics
    ///
    /// When the socket closes first, or nothing comes in time.
    pub async fn recv_ack(&mut self) -> Frame {
        loop {
            match self.recv().await {
                Some(frame) if frame.method == METHOD_DATA => return frame,
                Some(_) => {}
                None => panic!("the client closed the long connection before acking"),
            }
        }
    }

    /// The next ack, decoded.
    ///
    /// # Panics
    ///
    /// As [`recv_ack`](Self::recv_ack), or when the ack does not decode.
    pub async fn next_ack(&mut self) -> Ack {
        match Ack::from_frame(&self.recv_ack().await) {
            Ok(ack) => ack,
            Err(e) => panic!("{e}"),
        }
    }

    /// Waits for the client to close or drop the socket, skipping its frames.
    pub async fn closed(&mut self) {
        while self.recv().await.is_some() {}
    }

    /// Closes from the server side.
    pub async fn close(mut self) {
        let _ = self.ws.send(Message::Close(None)).await;
    }

    /// Splits into a sender and a receiver, e.g. to read acks in another task while sending.
    pub fn into_split(self) -> (ServerSender, ServerReceiver) {
        let (sink, stream) = self.ws.split();
        (ServerSender { sink }, ServerReceiver { stream })
    }
}

fn to_json(value: &impl serde::Serialize) -> Vec<u8> {
    match serde_json::to_vec(value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("the pushed value does not serialize: {e}"),
    }
}

/// The sending half of a [`ServerConn`].
#[derive(Debug)]
pub struct ServerSender {
    sink: SplitSink<WebSocket, Message>,
}

impl ServerSender {
    /// Sends a frame; `Err` when the socket is closed.
    pub async fn send(&mut self, frame: &Frame) -> Result<(), String> {
        self.sink
            .send(Message::Binary(frame.to_bytes().into()))
            .await
            .map_err(|e| e.to_string())
    }
}

/// The receiving half of a [`ServerConn`].
#[derive(Debug)]
pub struct ServerReceiver {
    stream: SplitStream<WebSocket>,
}

impl ServerReceiver {
    /// The next frame from the client; `None` when the socket closed or nothing came within
    /// `wait`.
    ///
    /// # Panics
    ///
    /// When a frame does not decode.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<Frame> {
        loop {
            let message = timeout(wait, self.stream.next()).await.ok()??.ok()?;
            if let Some(frame) = frame_of(message) {
                return frame;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::long_connection::header;

    #[test]
    fn an_ack_decodes_code_biz_rt_and_base64_data() {
        let data =
            base64::engine::general_purpose::STANDARD.encode(br#"{"toast":{"type":"success"}}"#);
        let frame = Frame {
            seq_id: 7,
            headers: vec![header("message_id", "m7"), header("biz_rt", "12")],
            payload: Some(
                format!(r#"{{"code":200,"data":"{data}"}}"#)
                    .into_bytes()
                    .into(),
            ),
            ..Frame::default()
        };
        let ack = Ack::from_frame(&frame).expect("ack");
        assert_eq!((ack.seq_id, ack.code, ack.biz_rt_ms), (7, 200, Some(12)));
        assert_eq!(ack.message_id.as_deref(), Some("m7"));
        assert_eq!(
            ack.data,
            Some(serde_json::json!({"toast": {"type": "success"}}))
        );
        let plain = Frame {
            payload: Some(br#"{"code":500}"#.to_vec().into()),
            ..Frame::default()
        };
        assert_eq!(Ack::code_of(&plain), 500);
        assert!(Ack::from_frame(&Frame::default()).is_err());
    }
}
