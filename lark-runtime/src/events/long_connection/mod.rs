//! Events over the long connection (feature `long-connection`): an outbound WebSocket to the
//! platform instead of a public callback URL.
//!
//! [`LongConnection::builder`] takes the app's credentials and a
//! [`Dispatcher`](crate::events::dispatch::Dispatcher), the same handler table that serves HTTP
//! callbacks: events go through the same typed decoding and de-duplication.
//!
//! What it does, per connection:
//!
//! 1. `POST {base}/callback/ws/endpoint` with `AppID`/`AppSecret` (bounded by a timeout); the
//!    answer's `ClientConfig` is adopted, clamped into configured bounds;
//! 2. the WebSocket handshake (HTTP/1.1 upgrade done here, over rustls for `wss`, so that no
//!    library logs the URL); a refusal with handshake status 403, or 514 with
//!    auth error code 1000040350 (connection limit), stops the client, like endpoint codes
//!    other than 1 and 1000040343; everything else is retried;
//! 3. pbbp2 [`Frame`]s: a ping every ping interval, pongs adopting the server's new
//!    `ClientConfig`, data frames reassembled from fragments (bounded in count, bytes and
//!    time) and acknowledged with the same frame plus `biz_rt` and `{"code":200}` (or 500
//!    when the handler failed); `event` and `card` frames both go to the dispatcher, routed
//!    on `header.event_type`, and a callback's answer (a card action's toast or card) travels
//!    base64-encoded in the ack's `data`; unknown data types are acknowledged at once;
//! 4. liveness from inbound traffic: one ping interval plus a grace period of silence and
//!    the connection is replaced, however well writes go;
//! 5. handlers run in tasks of their own, a bounded number at once, so acks never wait
//!    behind other events' handlers; an event type without a handler is acknowledged 200;
//!    events waiting for a handler are bounded in count and bytes, and one that cannot start
//!    its handler within the platform's 3 s ack window ([`DEFAULT_ACK_WINDOW`]) is
//!    acknowledged with 500 then, to be redelivered.
//!
//! Between connections it waits a random time within the server's `ReconnectNonce`, then
//! backs off with jitter up to `ReconnectInterval`, and gives up after `ReconnectCount`
//! failed attempts in a row. Connections that die within one ping interval, in a row, wait
//! longer: doubling up to [`DEFAULT_MAX_BACKOFF`] (5 min), whatever the server's interval.
//! [`LongConnection::states`] reports each step.
//!
//! The app secret and the connection URL (whose query carries `access_key` and `ticket`)
//! never appear in logs, errors or `Debug` output.

mod backoff;
mod builder;
mod client;
mod config;
mod connect;
mod context;
mod endpoint;
mod error;
mod frame;
mod frame_limits;
mod handlers;
mod liveness;
mod reassembly;
mod session;
mod state;
mod supervisor;
mod upgrade;

pub use builder::LongConnectionBuilder;
pub use client::LongConnection;
pub use config::{
    DEFAULT_ACK_WINDOW, DEFAULT_CONNECT_TIMEOUT, DEFAULT_ENDPOINT_TIMEOUT, DEFAULT_FRAGMENT_TTL,
    DEFAULT_INITIAL_BACKOFF, DEFAULT_LIVENESS_GRACE, DEFAULT_MAX_BACKOFF,
    DEFAULT_MAX_CONCURRENT_HANDLERS, DEFAULT_MAX_FRAGMENTED_MESSAGES, DEFAULT_MAX_FRAGMENTS,
    DEFAULT_MAX_FRAME_HEADERS, DEFAULT_MAX_FRAME_HEADER_BYTES, DEFAULT_MAX_MESSAGE_BYTES,
    DEFAULT_MAX_MESSAGE_ID_BYTES, DEFAULT_MAX_PENDING_BYTES, DEFAULT_MAX_PENDING_EVENTS,
    DEFAULT_MAX_RECONNECT_NONCE, DEFAULT_PING_INTERVAL, DEFAULT_PING_INTERVAL_BOUNDS,
    DEFAULT_RECONNECT_INTERVAL, DEFAULT_RECONNECT_INTERVAL_BOUNDS, DEFAULT_RECONNECT_NONCE,
    DEFAULT_SHUTDOWN_GRACE, DEFAULT_WRITE_TIMEOUT,
};
pub use endpoint::ENDPOINT_PATH;
pub use error::{
    LongConnectionError, AUTH_CONNECTION_LIMIT, CODE_INTERNAL_ERROR, CODE_SYSTEM_BUSY,
    HANDSHAKE_AUTH_FAILED, HANDSHAKE_FORBIDDEN,
};
pub use frame::{
    header, FragmentInfo, Frame, FrameError, Header, HEADER_BIZ_RT, HEADER_MESSAGE_ID, HEADER_SEQ,
    HEADER_SUM, HEADER_TIMESTAMP, HEADER_TRACE_ID, HEADER_TYPE, METHOD_CONTROL, METHOD_DATA,
};
pub use reassembly::FragmentError;
pub use state::{ConnectionState, Stats};
