//! Reassembly of messages the platform split into fragments (`sum > 1`), bounded in count,
//! bytes and time.
//!
//! Fragments of one message share a `message_id`; each lands in slot `seq`, and the message
//! is complete when every slot is filled. An incomplete message is dropped once it is older
//! than the time to live (a lost fragment never arrives; the platform redelivers the event
//! after the missed ack), or earlier when the byte or count budget needs room for newer ones.

use std::collections::HashMap;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::time::Instant;

/// Limits of the fragment buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FragmentLimits {
    /// How long an incomplete message is kept after its first fragment.
    pub(crate) ttl: Duration,
    /// Incomplete messages kept at once.
    pub(crate) max_messages: usize,
    /// Bytes kept at once, payloads and message ids, over all incomplete messages; also the
    /// largest message.
    pub(crate) max_bytes: usize,
    /// Longest `message_id` of a split message.
    pub(crate) max_id_bytes: usize,
    /// Largest accepted `sum`.
    pub(crate) max_fragments: u32,
}

/// Why a fragment was refused; the fragment's message is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FragmentError {
    /// `sum` is above the configured limit.
    #[error("message split into {sum} fragments, above the limit of {limit}")]
    TooManyFragments {
        /// The fragment count announced.
        sum: u32,
        /// The limit.
        limit: u32,
    },
    /// The message would exceed the byte budget of the fragment buffer.
    #[error("message of at least {size} bytes exceeds the fragment buffer of {limit} bytes")]
    TooLarge {
        /// Bytes of the message so far.
        size: usize,
        /// The budget.
        limit: usize,
    },
    /// The `message_id` of a split message is longer than the limit.
    #[error("fragment message id of {len} bytes, above the limit of {limit}")]
    MessageIdTooLong {
        /// Length of the id.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// A fragment announces another `sum` than the earlier fragments of its message.
    #[error("fragment announces {sum} fragments, earlier ones announced {expected}")]
    SumMismatch {
        /// This fragment's `sum`.
        sum: u32,
        /// The `sum` of the first fragment.
        expected: u32,
    },
}

/// An incomplete message.
#[derive(Debug)]
struct Partial {
    started: Instant,
    slots: Vec<Option<Bytes>>,
    missing: usize,
    /// Payload bytes so far plus the length of the message id.
    bytes: usize,
}

/// The buffer of incomplete messages of one connection.
#[derive(Debug)]
pub(crate) struct Reassembler {
    limits: FragmentLimits,
    pending: HashMap<Box<str>, Partial>,
    bytes: usize,
}

impl Reassembler {
    pub(crate) fn new(limits: FragmentLimits) -> Self {
        Self {
            limits,
            pending: HashMap::new(),
            bytes: 0,
        }
    }

    /// Adds fragment `seq` of `sum` (`seq < sum`, checked by the frame decoder) and returns
    /// the whole payload once the last missing fragment arrived. A repeated fragment is
    /// ignored.
    ///
    /// # Errors
    ///
    /// [`FragmentError`]; the message's earlier fragments are released.
    pub(crate) fn push(
        &mut self,
        message_id: &str,
        sum: u32,
        seq: u32,
        payload: Bytes,
        now: Instant,
    ) -> Result<Option<Bytes>, FragmentError> {
        self.expire(now);
        if sum <= 1 {
            return self.fit(payload.len()).map(|()| Some(payload));
        }
        if message_id.len() > self.limits.max_id_bytes {
            return Err(FragmentError::MessageIdTooLong {
                len: message_id.len(),
                limit: self.limits.max_id_bytes,
            });
        }
        if sum > self.limits.max_fragments {
            self.release(message_id);
            return Err(FragmentError::TooManyFragments {
                sum,
                limit: self.limits.max_fragments,
            });
        }
        let expected = self.pending.get(message_id).map(|p| p.slots.len());
        if let Some(expected) = expected.filter(|&n| n != sum as usize) {
            self.release(message_id);
            return Err(FragmentError::SumMismatch {
                sum,
                expected: u32::try_from(expected).unwrap_or(u32::MAX),
            });
        }
        // The id is held as long as the message: it counts like payload.
        let id_bytes = if expected.is_none() {
            message_id.len()
        } else {
            0
        };
        let so_far = self.pending.get(message_id).map_or(0, |p| p.bytes);
        if let Err(e) = self.fit(so_far + id_bytes + payload.len()) {
            self.release(message_id);
            return Err(e);
        }
        if expected.is_none() {
            self.make_room_for_one();
        }
        self.make_room_for_bytes(id_bytes + payload.len(), message_id);

        let partial = self
            .pending
            .entry(message_id.into())
            .or_insert_with(|| Partial {
                started: now,
                slots: vec![None; sum as usize],
                missing: sum as usize,
                bytes: id_bytes,
            });
        if expected.is_none() {
            self.bytes += id_bytes;
        }
        let slot = &mut partial.slots[seq as usize];
        if slot.is_some() {
            return Ok(None);
        }
        partial.bytes += payload.len();
        partial.missing -= 1;
        self.bytes += payload.len();
        *slot = Some(payload);
        if partial.missing > 0 {
            return Ok(None);
        }
        let Some(done) = self.take(message_id) else {
            return Ok(None);
        };
        let mut whole = BytesMut::with_capacity(done.bytes - message_id.len());
        for part in done.slots.into_iter().flatten() {
            whole.extend_from_slice(&part);
        }
        Ok(Some(whole.freeze()))
    }

    /// Drops the incomplete messages older than the time to live; returns how many.
    pub(crate) fn expire(&mut self, now: Instant) -> usize {
        let ttl = self.limits.ttl;
        let before = self.pending.len();
        let mut freed = 0;
        self.pending.retain(|id, p| {
            let keep = now.saturating_duration_since(p.started) < ttl;
            if !keep {
                tracing::warn!(
                    message_id = %id,
                    missing = p.missing,
                    of = p.slots.len(),
                    "incomplete fragmented message dropped after its time to live"
                );
                freed += p.bytes;
            }
            keep
        });
        self.bytes -= freed;
        if self.pending.is_empty() {
            // Give the table's memory back after a burst.
            self.pending = HashMap::new();
        }
        before - self.pending.len()
    }

    /// When the oldest incomplete message expires.
    pub(crate) fn next_expiry(&self) -> Option<Instant> {
        self.pending
            .values()
            .map(|p| p.started + self.limits.ttl)
            .min()
    }

    /// Incomplete messages held.
    pub(crate) fn pending_messages(&self) -> usize {
        self.pending.len()
    }

    /// Bytes held: payloads and message ids.
    pub(crate) fn pending_bytes(&self) -> usize {
        self.bytes
    }

    fn fit(&self, size: usize) -> Result<(), FragmentError> {
        if size > self.limits.max_bytes {
            Err(FragmentError::TooLarge {
                size,
                limit: self.limits.max_bytes,
            })
        } else {
            Ok(())
        }
    }

    fn take(&mut self, message_id: &str) -> Option<Partial> {
        let partial = self.pending.remove(message_id)?;
        self.bytes -= partial.bytes;
        Some(partial)
    }

    fn release(&mut self, message_id: &str) {
        self.take(message_id);
    }

    /// Evicts the oldest message while the count budget is full.
    fn make_room_for_one(&mut self) {
        while self.pending.len() >= self.limits.max_messages.max(1) {
            if !self.evict_oldest(None) {
                break;
            }
        }
    }

    /// Evicts the oldest other messages until `extra` more bytes fit.
    fn make_room_for_bytes(&mut self, extra: usize, keep: &str) {
        while self.bytes + extra > self.limits.max_bytes {
            if !self.evict_oldest(Some(keep)) {
                break;
            }
        }
    }

    fn evict_oldest(&mut self, keep: Option<&str>) -> bool {
        let oldest = self
            .pending
            .iter()
            .filter(|(id, _)| Some(&***id) != keep)
            .min_by_key(|(_, p)| p.started)
            .map(|(id, _)| id.clone());
        let Some(id) = oldest else {
            return false;
        };
        tracing::warn!(message_id = %id, "incomplete fragmented message evicted: buffer full");
        self.release(&id);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> FragmentLimits {
        FragmentLimits {
            ttl: Duration::from_secs(5),
            max_messages: 2,
            max_bytes: 10,
            max_id_bytes: 4,
            max_fragments: 4,
        }
    }

    #[test]
    fn assembles_out_of_order_and_ignores_repeats() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(r.push("m", 3, 2, Bytes::from("c"), now), Ok(None));
        assert_eq!(r.push("m", 3, 0, Bytes::from("a"), now), Ok(None));
        assert_eq!(r.push("m", 3, 0, Bytes::from("x"), now), Ok(None));
        let whole = r.push("m", 3, 1, Bytes::from("b"), now);
        assert_eq!(whole, Ok(Some(Bytes::from("abc"))));
        assert_eq!((r.pending_messages(), r.pending_bytes()), (0, 0));
    }

    #[test]
    fn expires_and_bounds() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        r.push("a", 2, 0, Bytes::from("1234"), now).ok();
        assert_eq!(r.next_expiry(), Some(now + Duration::from_secs(5)));
        assert_eq!(r.expire(now + Duration::from_secs(5)), 1);
        assert_eq!(r.pending_bytes(), 0);

        r.push("a", 2, 0, Bytes::from("1234"), now).ok();
        r.push("b", 2, 0, Bytes::from("1234"), now).ok();
        // A third message evicts the oldest; bytes stay within budget.
        r.push("c", 2, 0, Bytes::from("12345"), now).ok();
        assert!(r.pending_messages() <= 2 && r.pending_bytes() <= 10);
        assert!(matches!(
            r.push("d", 9, 0, Bytes::new(), now),
            Err(FragmentError::TooManyFragments { .. })
        ));
        assert!(matches!(
            r.push("e", 2, 0, Bytes::from("12345678901"), now),
            Err(FragmentError::TooLarge { .. })
        ));
        assert!(matches!(
            r.push("c", 3, 1, Bytes::from("x"), now),
            Err(FragmentError::SumMismatch { .. })
        ));
    }

    #[test]
    fn message_ids_are_limited_and_counted() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(
            r.push("12345", 2, 0, Bytes::new(), now),
            Err(FragmentError::MessageIdTooLong { len: 5, limit: 4 })
        );
        r.push("abcd", 2, 0, Bytes::new(), now).ok();
        r.push("efgh", 2, 0, Bytes::from("12"), now).ok();
        assert_eq!((r.pending_messages(), r.pending_bytes()), (2, 10));
        // A third id does not fit the budget beside them: the oldest is evicted.
        r.push("ijkl", 2, 0, Bytes::new(), now).ok();
        assert!(r.pending_bytes() <= 10, "{}", r.pending_bytes());
        let whole = r.push("ijkl", 2, 1, Bytes::from("z"), now);
        assert_eq!(whole, Ok(Some(Bytes::from("z"))));
    }
}
