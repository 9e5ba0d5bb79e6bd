//! The pbbp2 frame every long-connection WebSocket message carries (proto2), and the few
//! frames the client builds: pings and acks.
//!
//! The messages are declared here with `prost` derives rather than generated from a `.proto`
//! file, so the build needs no `protoc`. Fields marked `required` are always written, zeros
//! included, as proto2 requires and the platform expects.

use std::time::Duration;

use bytes::Bytes;
use prost::Message as _;

/// `method` of control frames (ping, pong).
pub const METHOD_CONTROL: i32 = 0;
/// `method` of data frames (events, cards).
pub const METHOD_DATA: i32 = 1;

/// Header key naming the frame type: `ping`, `pong`, `event` or `card`.
pub const HEADER_TYPE: &str = "type";
/// Header key of the message id that groups fragments.
pub const HEADER_MESSAGE_ID: &str = "message_id";
/// Header key of the fragment count (`1` when not split).
pub const HEADER_SUM: &str = "sum";
/// Header key of the 0-based fragment index.
pub const HEADER_SEQ: &str = "seq";
/// Header key of the platform's trace id.
pub const HEADER_TRACE_ID: &str = "trace_id";
/// Header key of the send time in milliseconds.
pub const HEADER_TIMESTAMP: &str = "timestamp";
/// Header key the client adds to an ack: handler time in milliseconds.
pub const HEADER_BIZ_RT: &str = "biz_rt";

/// Header key of the sending instance.
const HEADER_INSTANCE_ID: &str = "instance_id";

/// The headers the protocol defines on a data frame, the only ones an ack copies back
/// (each at most once), so an ack stays small whatever the frame carried.
pub(crate) const PROTOCOL_HEADERS: [&str; 7] = [
    HEADER_TYPE,
    HEADER_MESSAGE_ID,
    HEADER_SUM,
    HEADER_SEQ,
    HEADER_TRACE_ID,
    HEADER_TIMESTAMP,
    HEADER_INSTANCE_ID,
];

/// One `key`/`value` header of a [`Frame`].
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Header {
    /// Header name, e.g. `type`.
    #[prost(string, required, tag = "1")]
    pub key: String,
    /// Header value, always a string on the wire.
    #[prost(string, required, tag = "2")]
    pub value: String,
}

/// A pbbp2 `Frame`: the envelope of every message on the long connection.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Frame {
    /// `SeqID`, echoed in acks.
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    /// `LogID`, echoed in acks.
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    /// Service id (from the connection URL's `service_id`).
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    /// [`METHOD_CONTROL`] or [`METHOD_DATA`].
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    /// Headers, in wire order.
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    /// `payload_encoding`, unused by the platform so far.
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    /// `payload_type`, unused by the platform so far.
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    /// Event JSON, pong `ClientConfig` JSON, or ack JSON.
    #[prost(bytes = "bytes", optional, tag = "8")]
    pub payload: Option<Bytes>,
    /// `LogIDNew`.
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

/// A WebSocket message or frame that does not fit the protocol. Never fatal: the frame is
/// skipped (or, for a data frame, acknowledged with 500) and the connection kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The bytes are not a pbbp2 frame.
    #[error("{len}-byte message is not a pbbp2 frame: {reason}")]
    Protobuf {
        /// Size of the message.
        len: usize,
        /// What the protobuf decoder reported.
        reason: String,
    },
    /// A text message, where only binary ones are defined.
    #[error("{len}-byte text message where a binary frame was expected")]
    NotBinary {
        /// Size of the message.
        len: usize,
    },
    /// A header the frame needs is absent.
    #[error("frame header `{name}` is missing")]
    MissingHeader {
        /// The header key.
        name: &'static str,
    },
    /// A numeric header does not hold a number.
    #[error("frame header `{name}` is not a number: {value:?}")]
    InvalidHeader {
        /// The header key.
        name: &'static str,
        /// The value received (at most 64 bytes of it).
        value: String,
    },
    /// `seq` is not below `sum`, or `sum` is zero.
    #[error("fragment {seq} does not fit a message of {sum} fragments")]
    FragmentOutOfRange {
        /// The fragment index.
        seq: u32,
        /// The fragment count.
        sum: u32,
    },
    /// The frame has more headers than the per-frame limit.
    #[error("frame has {count} headers, above the limit of {limit}")]
    TooManyHeaders {
        /// Headers in the frame.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The frame's headers and other string fields exceed the per-frame byte limit.
    #[error("frame headers take {bytes} bytes, above the limit of {limit}")]
    HeadersTooLarge {
        /// Bytes of the headers and string fields.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A pong's payload is not a `ClientConfig` object.
    #[error("pong payload is not a ClientConfig object: {reason}")]
    InvalidClientConfig {
        /// What the JSON decoder reported.
        reason: String,
    },
}

/// Where a data frame sits in its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentInfo {
    /// Groups the fragments of one message; may be empty for an unsplit message.
    pub message_id: String,
    /// Fragment count, at least 1.
    pub sum: u32,
    /// Fragment index, below `sum`.
    pub seq: u32,
}

impl Frame {
    /// Decodes a binary WebSocket message.
    ///
    /// # Errors
    ///
    /// [`FrameError::Protobuf`] when the bytes are not a pbbp2 frame.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FrameError> {
        Self::decode(bytes).map_err(|e| FrameError::Protobuf {
            len: bytes.len(),
            reason: e.to_string(),
        })
    }

    /// Encodes the frame (required fields included even when zero).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }

    /// The value of the first header named `key`.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// The `type` header, or `""` when absent.
    pub fn frame_type(&self) -> &str {
        self.header(HEADER_TYPE).unwrap_or_default()
    }

    /// The ping the client sends every ping interval.
    pub fn ping(service_id: i32) -> Self {
        Self {
            seq_id: 0,
            log_id: 0,
            service: service_id,
            method: METHOD_CONTROL,
            headers: vec![header(HEADER_TYPE, "ping")],
            ..Self::default()
        }
    }

    /// The ack of this data frame: the same frame, its protocol headers (`type`,
    /// `message_id`, `sum`, `seq`, `trace_id`, `timestamp`, `instance_id`, each at most
    /// once; others are not copied) plus `biz_rt` (the handler time in milliseconds, at
    /// least 1), with payload `{"code":<code>}`.
    pub fn ack(&self, code: u16, handler_time: Duration) -> Self {
        self.ack_with_data(code, handler_time, None)
    }

    /// The ack of this data frame carrying a callback's answer: as [`ack`](Self::ack), with
    /// payload `{"code":<code>,"data":"<base64 of data>"}` when `data` is given (how a card
    /// action's response travels back over the long connection).
    pub fn ack_with_data(&self, code: u16, handler_time: Duration, data: Option<&[u8]>) -> Self {
        let millis = handler_time.as_millis().clamp(1, u128::from(u64::MAX));
        let mut headers: Vec<Header> = Vec::with_capacity(PROTOCOL_HEADERS.len() + 1);
        let mut copied = [false; PROTOCOL_HEADERS.len()];
        for h in &self.headers {
            if let Some(i) = PROTOCOL_HEADERS.iter().position(|k| *k == h.key) {
                if !std::mem::replace(&mut copied[i], true) {
                    headers.push(h.clone());
                }
            }
        }
        headers.push(header(HEADER_BIZ_RT, &millis.to_string()));
        Self {
            headers,
            payload: Some(Bytes::from(match data {
                Some(data) => {
                    use base64::Engine as _;
                    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
                    format!(r#"{{"code":{code},"data":"{encoded}"}}"#)
                }
                None => format!(r#"{{"code":{code}}}"#),
            })),
            ..self.clone_without_payload()
        }
    }

    /// A copy without the payload and headers, the parts an ack replaces.
    fn clone_without_payload(&self) -> Self {
        Self {
            seq_id: self.seq_id,
            log_id: self.log_id,
            service: self.service,
            method: self.method,
            headers: Vec::new(),
            payload_encoding: self.payload_encoding.clone(),
            payload_type: self.payload_type.clone(),
            payload: None,
            log_id_new: self.log_id_new.clone(),
        }
    }

    /// Where this data frame sits in its message: `sum` defaults to 1 and `seq` to 0; a split
    /// message must name its `message_id`.
    ///
    /// # Errors
    ///
    /// [`FrameError`] when `sum` or `seq` is not a number or out of range, or a split message
    /// has no `message_id`.
    pub fn fragment_info(&self) -> Result<FragmentInfo, FrameError> {
        let sum = self.number(HEADER_SUM)?.unwrap_or(1);
        let seq = self.number(HEADER_SEQ)?.unwrap_or(0);
        if sum == 0 || seq >= sum {
            return Err(FrameError::FragmentOutOfRange { seq, sum });
        }
        let message_id = self.header(HEADER_MESSAGE_ID).unwrap_or_default();
        if sum > 1 && message_id.is_empty() {
            return Err(FrameError::MissingHeader {
                name: HEADER_MESSAGE_ID,
            });
        }
        Ok(FragmentInfo {
            message_id: message_id.to_owned(),
            sum,
            seq,
        })
    }

    /// A header holding a `u32`, if present.
    fn number(&self, name: &'static str) -> Result<Option<u32>, FrameError> {
        let Some(value) = self.header(name) else {
            return Ok(None);
        };
        value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| FrameError::InvalidHeader {
                name,
                value: value.chars().take(64).collect(),
            })
    }
}

/// A header pair.
pub fn header(key: &str, value: &str) -> Header {
    Header {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}
