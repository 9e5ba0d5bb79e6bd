//! Per-frame limits on headers, checked on the wire bytes before decoding: a frame of 7.6 MiB
//! holding 4 M empty headers would otherwise decode into a header list of about 200 MiB.
//!
//! One pass over the frame's top-level fields (no allocation) counts the headers and adds up
//! the bytes of the headers and of the other string fields. A frame within the limits is
//! then decoded as usual; one beyond them is refused, and only what its ack needs is decoded:
//! the numeric fields and the first few protocol headers, each small.

use bytes::Bytes;
use prost::Message as _;

use super::frame::{Frame, FrameError, Header, PROTOCOL_HEADERS};

/// Limits of one frame's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderLimits {
    /// Headers per frame.
    pub(crate) max_count: usize,
    /// Bytes of the headers (keys, values and their framing) and of the frame's other string
    /// fields (`payload_encoding`, `payload_type`, `LogIDNew`) together.
    pub(crate) max_bytes: usize,
}

/// A decoded frame, or one refused by the header limits.
#[derive(Debug)]
pub(crate) enum Decoded {
    /// Within the limits.
    Frame(Frame),
    /// Beyond them: the frame's numeric fields and protocol headers, enough for its ack.
    Refused(Frame, FrameError),
}

/// Field numbers of the pbbp2 frame that carry strings besides the payload.
const HEADERS: u32 = 5;
const PAYLOAD_ENCODING: u32 = 6;
const PAYLOAD_TYPE: u32 = 7;
const LOG_ID_NEW: u32 = 9;
/// Largest header copied into the ack of a refused frame.
const MAX_ACK_HEADER: usize = 512;

/// Decodes `bytes`, refusing a frame beyond `limits`.
///
/// # Errors
///
/// [`FrameError::Protobuf`] when the bytes are not a pbbp2 frame.
pub(crate) fn decode(bytes: &[u8], limits: HeaderLimits) -> Result<Decoded, FrameError> {
    let (mut count, mut total) = (0_usize, 0_usize);
    // A walk that fails leaves the verdict to the decoder below.
    let _ = walk(bytes, |tag, value| {
        if tag == HEADERS {
            count += 1;
        }
        if matches!(tag, HEADERS | PAYLOAD_ENCODING | PAYLOAD_TYPE | LOG_ID_NEW) {
            total = total.saturating_add(value.len());
        }
    });
    let refusal = if count > limits.max_count {
        FrameError::TooManyHeaders {
            count,
            limit: limits.max_count,
        }
    } else if total > limits.max_bytes {
        FrameError::HeadersTooLarge {
            bytes: total,
            limit: limits.max_bytes,
        }
    } else {
        return Frame::from_bytes(bytes).map(Decoded::Frame);
    };
    Ok(Decoded::Refused(skeleton(bytes)?, refusal))
}

/// The numeric fields of `bytes` and the first occurrence of each protocol header that is
/// small; the rest is skipped without being decoded.
fn skeleton(bytes: &[u8]) -> Result<Frame, FrameError> {
    let mut frame = Numbers::decode(bytes).map_or_else(
        |e| {
            Err(FrameError::Protobuf {
                len: bytes.len(),
                reason: e.to_string(),
            })
        },
        |n| {
            Ok(Frame {
                seq_id: n.seq_id,
                log_id: n.log_id,
                service: n.service,
                method: n.method,
                ..Frame::default()
            })
        },
    )?;
    let _ = walk(bytes, |tag, value| {
        if tag != HEADERS || value.len() > MAX_ACK_HEADER {
            return;
        }
        let Ok(header) = Header::decode(Bytes::copy_from_slice(value)) else {
            return;
        };
        if PROTOCOL_HEADERS.contains(&header.key.as_str()) && frame.header(&header.key).is_none() {
            frame.headers.push(header);
        }
    });
    Ok(frame)
}

/// The frame's numeric fields; prost skips every other field without allocating.
#[derive(Clone, PartialEq, prost::Message)]
struct Numbers {
    #[prost(uint64, required, tag = "1")]
    seq_id: u64,
    #[prost(uint64, required, tag = "2")]
    log_id: u64,
    #[prost(int32, required, tag = "3")]
    service: i32,
    #[prost(int32, required, tag = "4")]
    method: i32,
}

/// Calls `field` with the number and content of every length-delimited top-level field;
/// `Err` at the first malformed key or length.
fn walk(mut bytes: &[u8], mut field: impl FnMut(u32, &[u8])) -> Result<(), ()> {
    while !bytes.is_empty() {
        let key = varint(&mut bytes)?;
        let tag = u32::try_from(key >> 3).map_err(|_| ())?;
        let skip = match key & 7 {
            0 => {
                varint(&mut bytes)?;
                0
            }
            1 => 8,
            5 => 4,
            2 => {
                let len = usize::try_from(varint(&mut bytes)?).map_err(|_| ())?;
                let value = bytes.get(..len).ok_or(())?;
                field(tag, value);
                len
            }
            _ => return Err(()),
        };
        bytes = bytes.get(skip..).ok_or(())?;
    }
    Ok(())
}

/// A base-128 varint of at most 10 bytes.
fn varint(bytes: &mut &[u8]) -> Result<u64, ()> {
    let mut value = 0_u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *bytes = &bytes[i + 1..];
            return Ok(value);
        }
    }
    Err(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::long_connection::frame::header;

    const LIMITS: HeaderLimits = HeaderLimits {
        max_count: 8,
        max_bytes: 256,
    };

    fn event() -> Frame {
        Frame {
            seq_id: 300,
            log_id: 7,
            service: 14,
            method: 1,
            headers: vec![header("type", "event"), header("trace_id", "t")],
            payload: Some(Bytes::from_static(b"{}")),
            ..Frame::default()
        }
    }

    #[test]
    fn frames_within_the_limits_decode_as_usual() {
        let frame = event();
        match decode(&frame.to_bytes(), LIMITS) {
            Ok(Decoded::Frame(decoded)) => assert_eq!(decoded, frame),
            other => panic!("{other:?}"),
        }
        assert!(decode(&[0xff; 3], LIMITS).is_err());
    }

    #[test]
    fn too_many_or_too_large_headers_are_refused_with_the_ack_headers_kept() {
        let mut many = event();
        many.headers.extend((0..20).map(|_| header("x", "")));
        match decode(&many.to_bytes(), LIMITS) {
            Ok(Decoded::Refused(
                skeleton,
                FrameError::TooManyHeaders {
                    count: 22,
                    limit: 8,
                },
            )) => {
                assert_eq!(
                    (skeleton.seq_id, skeleton.log_id, skeleton.method),
                    (300, 7, 1)
                );
                assert_eq!(skeleton.headers, event().headers);
                assert_eq!(skeleton.payload, None);
            }
            other => panic!("{other:?}"),
        }
        let mut large = event();
        large.log_id_new = Some("n".repeat(300));
        assert!(matches!(
            decode(&large.to_bytes(), LIMITS),
            Ok(Decoded::Refused(_, FrameError::HeadersTooLarge { .. }))
        ));
    }
}
