//! The key an event is de-duplicated on: its id, namespaced, with a bounded length.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Longest de-duplication key the dispatcher hands to a
/// [`DedupStore`](crate::events::webhook::DedupStore), in bytes.
///
/// The key is `<namespace length>:<namespace>:<event id>`, the namespace being the
/// [configured one](super::DispatcherBuilder::dedup_namespace) or else the event's app id
/// (the length prefix keeps any two namespaces apart). A key that would be longer than this
/// (the platform's event ids are 32 characters; a longer one can only come from a forged or
/// broken sender) is replaced by `sha256:` and the 64 hex digits of the SHA-256 of that key:
/// redeliveries still match, and a store never holds more than this many bytes per key.
pub const MAX_DEDUP_KEY_LEN: usize = 256;

/// The key of event `event_id` in `namespace`.
pub(super) fn dedup_key(namespace: &str, event_id: &str) -> String {
    let mut prefix =
        String::with_capacity(MAX_DEDUP_KEY_LEN.min(24 + namespace.len() + event_id.len()));
    // Writing to a String cannot fail.
    let _ = write!(prefix, "{}:{namespace}:", namespace.len());
    if prefix.len().saturating_add(event_id.len()) <= MAX_DEDUP_KEY_LEN {
        prefix.push_str(event_id);
        return prefix;
    }
    // Hashed piece by piece: the long id is never copied.
    let digest = Sha256::new()
        .chain_update(prefix.as_bytes())
        .chain_update(event_id.as_bytes())
        .finalize();
    format!("sha256:{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_and_bounded() {
        assert_eq!(dedup_key("cli_a", "e1"), "5:cli_a:e1");
        assert_ne!(dedup_key("a:b", "c"), dedup_key("a", "b:c"));
        let long = "x".repeat(1 << 20);
        let hashed = dedup_key("cli_a", &long);
        assert!(hashed.starts_with("sha256:") && hashed.len() == 71);
        assert_eq!(hashed, dedup_key("cli_a", &long));
        assert_ne!(hashed, dedup_key("cli_b", &long));
    }
}
