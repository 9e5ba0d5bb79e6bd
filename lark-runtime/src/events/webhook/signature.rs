//! The `X-Lark-Signature` request signature.
//!
//! `X-Lark-Signature = lowercase_hex(SHA-256(timestamp ‖ nonce ‖ encrypt_key ‖ raw_body))`, where
//! `timestamp` and `nonce` are the values of the `X-Lark-Request-Timestamp` and
//! `X-Lark-Request-Nonce` headers and `raw_body` is the HTTP body exactly as received. It is a
//! plain digest, not an HMAC, and it exists only when an Encrypt Key is configured.
//!
//! # Uppercase hex
//!
//! The platform sends lowercase hex. The received header is compared byte for byte, in constant
//! time, with the lowercase hex of the computed digest, so a signature written in uppercase (or
//! with surrounding whitespace) is rejected as [`WebhookError::SignatureMismatch`], exactly as
//! the official SDKs reject it by string comparison.

use http::header::HeaderName;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{EncryptKey, WebhookError};

/// Header carrying the request signature.
pub const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("x-lark-signature");
/// Header carrying the request time, in Unix seconds.
pub const TIMESTAMP_HEADER: HeaderName = HeaderName::from_static("x-lark-request-timestamp");
/// Header carrying the request nonce.
pub const NONCE_HEADER: HeaderName = HeaderName::from_static("x-lark-request-nonce");

/// Computes the SHA-256 digest behind the signature.
fn digest(timestamp: &[u8], nonce: &[u8], key: &EncryptKey, body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(timestamp);
    hasher.update(nonce);
    hasher.update(key.signing_bytes());
    hasher.update(body);
    hasher.finalize().into()
}

/// Computes the `X-Lark-Signature` value (64 lowercase hex digits) for a request.
///
/// Useful to build signed requests in tests and simulators; receivers should call
/// [`verify_signature`] instead.
pub fn compute_signature(timestamp: &str, nonce: &str, key: &EncryptKey, body: &[u8]) -> String {
    hex::encode(digest(timestamp.as_bytes(), nonce.as_bytes(), key, body))
}

/// Checks the signature headers of a request against `body`, the raw bytes as received.
///
/// Header values are used as raw bytes. The received signature is compared byte for byte, in
/// constant time, with the lowercase hex of the computed digest: the platform sends lowercase,
/// and a signature in uppercase hex (or with surrounding whitespace) is rejected as
/// [`WebhookError::SignatureMismatch`], as the official SDKs reject it by string comparison.
/// The timestamp is only hashed here, not checked against the clock: the receiver does that.
///
/// # Errors
///
/// [`WebhookError::MissingSignature`], [`WebhookError::MissingTimestamp`] or
/// [`WebhookError::MissingNonce`] when a header is absent, and
/// [`WebhookError::SignatureMismatch`] when the signature is wrong.
pub fn verify_signature(
    headers: &HeaderMap,
    key: &EncryptKey,
    body: &[u8],
) -> Result<(), WebhookError> {
    let received = headers
        .get(SIGNATURE_HEADER)
        .ok_or(WebhookError::MissingSignature)?;
    let timestamp = headers
        .get(TIMESTAMP_HEADER)
        .ok_or(WebhookError::MissingTimestamp)?;
    let nonce = headers
        .get(NONCE_HEADER)
        .ok_or(WebhookError::MissingNonce)?;

    let expected = digest(timestamp.as_bytes(), nonce.as_bytes(), key, body);
    let mut expected_hex = [0u8; 64];
    // A 32-byte digest always fits 64 hex digits.
    hex::encode_to_slice(expected, &mut expected_hex)
        .map_err(|_| WebhookError::SignatureMismatch)?;

    // `ct_eq` on slices of different lengths returns false without comparing contents; the
    // expected length is public anyway.
    if bool::from(expected_hex.as_slice().ct_eq(received.as_bytes())) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}
