//! HTTP: requests described apart from being sent, the one exchange function used by API and
//! token calls alike, decoding of the response envelope, and the retry policy.
//!
//! Nothing here knows about tokens or handles: the client feeds it a described request and a
//! bearer token.

mod envelope;
mod exchange;
mod partition;
mod request;
mod retry;

pub use envelope::{decode_response, RESPONSE_ENVELOPE_KEYS};
pub(crate) use exchange::{Incoming, Outgoing, Transport, DEFAULT_MAX_BODY};
pub use request::{json_body, push_segment, ApiRequest, Query};
pub use retry::RetryPolicy;
