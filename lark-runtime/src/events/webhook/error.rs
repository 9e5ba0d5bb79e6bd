//! Why a webhook request was refused.

// Without the `webhook` feature the verification items these docs link to do not exist.
#![cfg_attr(not(feature = "webhook"), allow(rustdoc::broken_intra_doc_links))]

use http::StatusCode;

/// The reason a webhook request was rejected by
/// [`WebhookReceiver::receive`](super::WebhookReceiver::receive) or by one of the
/// lower-level helpers of this module.
///
/// Every variant is a reason, never a wrapped parser error: the [`Display`](std::fmt::Display)
/// text names the failed check and at most a few numbers (sizes, ages). It never contains the
/// request body, a header value, the Encrypt Key or the Verification Token, so it is safe to log
/// and safe to send back to the caller.
///
/// Use [`WebhookError::status`] to pick the HTTP status of the response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is larger than [`WebhookConfig::max_body_size`](super::WebhookConfig::max_body_size).
    #[error("request body of {size} bytes exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// Size of the received body, in bytes.
        size: usize,
        /// Configured limit, in bytes.
        limit: usize,
    },
    /// The body or the decrypted plaintext is not UTF-8.
    #[error("payload is not valid UTF-8")]
    InvalidUtf8,
    /// The body or the decrypted plaintext is not a JSON object, or a field the receiver relies
    /// on is malformed (for example a duplicated key).
    #[error("payload is not a well-formed JSON object")]
    InvalidJson,
    /// The `encrypt` field is not standard, padded base64.
    #[error("encrypted payload is not valid base64")]
    InvalidBase64,
    /// After base64 decoding, the data is not a 16-byte IV followed by a non-empty whole number
    /// of 16-byte AES blocks.
    #[error("encrypted payload has {len} bytes after the IV; expected a non-zero multiple of 16")]
    CiphertextLength {
        /// Number of bytes that followed the IV (0 when the data was shorter than the IV).
        len: usize,
    },
    /// The decrypted data does not end with valid PKCS#7 padding (wrong key or tampered data).
    #[error("decrypted payload has invalid PKCS#7 padding")]
    BadPadding,
    /// An Encrypt Key is configured but the body is not an `{"encrypt": ...}` envelope.
    #[error("payload is not encrypted although an encrypt key is configured")]
    NotEncrypted,
    /// The body is an `{"encrypt": ...}` envelope but no Encrypt Key is configured.
    #[error("payload is encrypted but no encrypt key is configured")]
    EncryptKeyMissing,
    /// The `X-Lark-Signature` header is absent.
    #[error("missing X-Lark-Signature header")]
    MissingSignature,
    /// The `X-Lark-Request-Nonce` header is absent.
    #[error("missing X-Lark-Request-Nonce header")]
    MissingNonce,
    /// The `X-Lark-Request-Timestamp` header is absent.
    #[error("missing X-Lark-Request-Timestamp header")]
    MissingTimestamp,
    /// The `X-Lark-Signature` header does not match the signature computed over the request.
    #[error("signature does not match")]
    SignatureMismatch,
    /// The `X-Lark-Request-Timestamp` header is not a whole number of Unix seconds.
    #[error("X-Lark-Request-Timestamp is not a Unix time in seconds")]
    InvalidTimestamp,
    /// The request timestamp is older than the configured window allows.
    #[error("request timestamp is {age_secs} s old, outside the accepted window")]
    StaleTimestamp {
        /// How many seconds before the receiver's clock the timestamp lies.
        age_secs: u64,
    },
    /// The request timestamp is further in the future than the configured window allows.
    #[error("request timestamp is {ahead_secs} s in the future, outside the accepted window")]
    FutureTimestamp {
        /// How many seconds after the receiver's clock the timestamp lies.
        ahead_secs: u64,
    },
    /// A Verification Token is configured and the payload carries a different one, or none.
    #[error("verification token does not match")]
    TokenMismatch,
    /// A `url_verification` request without a string `challenge` field.
    #[error("url_verification request has no challenge")]
    MissingChallenge,
    /// The payload has a `schema` other than `"2.0"`.
    #[error("unsupported event schema")]
    UnsupportedSchema,
    /// An event without an event type (`header.event_type` in schema 2.0, `event.type` in 1.0).
    #[error("event has no event type")]
    MissingEventType,
    /// An event without an id to de-duplicate on (`header.event_id` in schema 2.0, `uuid` in 1.0).
    #[error("event has no event id")]
    MissingEventId,
}

impl WebhookError {
    /// The HTTP status to answer with.
    ///
    /// | status | variants |
    /// | --- | --- |
    /// | 413 Payload Too Large | [`BodyTooLarge`](Self::BodyTooLarge) |
    /// | 401 Unauthorized | the request could not be authenticated: missing or wrong signature, missing nonce, missing, malformed or out-of-window timestamp, or a plaintext body where encryption is required ([`NotEncrypted`](Self::NotEncrypted)) |
    /// | 403 Forbidden | [`TokenMismatch`](Self::TokenMismatch): the payload names another app |
    /// | 400 Bad Request | everything else: malformed JSON, UTF-8, base64, ciphertext or padding, missing routing fields, and [`EncryptKeyMissing`](Self::EncryptKeyMissing) (the receiver cannot read the body) |
    ///
    /// Any non-2xx answer makes the platform redeliver the event later (15 s, 5 min, 1 h, 6 h).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MissingSignature
            | Self::MissingNonce
            | Self::MissingTimestamp
            | Self::SignatureMismatch
            | Self::InvalidTimestamp
            | Self::StaleTimestamp { .. }
            | Self::FutureTimestamp { .. }
            | Self::NotEncrypted => StatusCode::UNAUTHORIZED,
            Self::TokenMismatch => StatusCode::FORBIDDEN,
            Self::InvalidUtf8
            | Self::InvalidJson
            | Self::InvalidBase64
            | Self::CiphertextLength { .. }
            | Self::BadPadding
            | Self::EncryptKeyMissing
            | Self::MissingChallenge
            | Self::UnsupportedSchema
            | Self::MissingEventType
            | Self::MissingEventId => StatusCode::BAD_REQUEST,
        }
    }

    /// `true` when the request was refused because it could not be authenticated or authorised
    /// (HTTP 401 or 403), as opposed to being malformed or too large.
    pub fn is_auth_failure(&self) -> bool {
        matches!(
            self.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        )
    }
}
