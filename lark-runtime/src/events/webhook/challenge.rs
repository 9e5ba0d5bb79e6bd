//! The answer to `url_verification` requests.
//!
//! When a request URL is saved in the developer console the platform POSTs
//! `{"challenge":"…","token":"…","type":"url_verification"}` (encrypted when an Encrypt Key is
//! set) and expects, within one second, HTTP 200 with the body `{"challenge":"<same value>"}`.

/// `Content-Type` to send with [`challenge_response_body`].
pub const CHALLENGE_CONTENT_TYPE: &str = "application/json";

/// Builds the JSON response body `{"challenge":"<challenge>"}`, escaping the value as a JSON
/// string.
pub fn challenge_response_body(challenge: &str) -> Vec<u8> {
    const PREFIX: &[u8] = b"{\"challenge\":\"";
    const SUFFIX: &[u8] = b"\"}";
    let mut out = Vec::with_capacity(PREFIX.len() + challenge.len() + SUFFIX.len());
    out.extend_from_slice(PREFIX);
    push_json_string_contents(&mut out, challenge);
    out.extend_from_slice(SUFFIX);
    out
}

/// Appends `s` escaped for use between the quotes of a JSON string.
fn push_json_string_contents(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut clean_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => &[],
            _ => continue,
        };
        out.extend_from_slice(&bytes[clean_from..i]);
        clean_from = i + 1;
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
    }
    out.extend_from_slice(&bytes[clean_from..]);
}
