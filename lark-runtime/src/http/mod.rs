//! HTTP: requests described apart from being sent, the one exchange function used by API and
//! token calls alike, decoding of the response envelope, multipart uploads, downloads, and the
//! retry policy.
//!
//! Nothing here knows about tokens or handles: the client feeds it a described request and a
//! bearer token.

pub(crate) mod download;
mod envelope;
pub(crate) mod exchange;
pub(crate) mod multipart;
mod partition;
mod request;
mod retry;

pub use download::{Download, DEFAULT_MAX_DOWNLOAD};
pub use envelope::{decode_response, RESPONSE_ENVELOPE_KEYS};
pub(crate) use exchange::{
    Incoming, Opened, Outgoing, Transport, DEFAULT_MAX_BODY, DEFAULT_TRANSFER_TIMEOUT,
};
pub use multipart::{FilePart, Multipart};
pub use request::{json_body, push_segment, ApiRequest, Query};
pub use retry::RetryPolicy;
