//! Test helpers for code that uses this client (feature `testing`): a scripted local Open
//! Platform ([`MockPlatform`](crate::testing::MockPlatform)), signed and encrypted callbacks ([`Callback`](crate::testing::Callback)), an in-process
//! long-connection platform ([`LongConnectionServer`](crate::testing::LongConnectionServer), with `long-connection` too) and a
//! throwaway `redis-server` ([`RedisServer`](crate::testing::RedisServer)).
//!
//! [`MockPlatform::start_with`](crate::testing::MockPlatform::start_with) serves on `127.0.0.1` for the families given, answers the
//! token endpoints, and answers each operation as scripted: [`MockPlatform::on`](crate::testing::MockPlatform::on) queues
//! [`Answer`](crate::testing::Answer)s (data, platform errors, statuses, headers, delays, dropped connections) consumed
//! in order, then a default; [`Script::pages`](crate::testing::Script::pages) serves a list page by page. Every request is
//! recorded ([`MockPlatform::requests_for`](crate::testing::MockPlatform::requests_for), with JSON, typed and multipart decoders), and
//! [`MockPlatform::expect`](crate::testing::MockPlatform::expect) counts are checked when the platform is dropped. Operations are
//! named by their metadata or their id, so every family's operations work; generated response
//! types are constructible (`ChatDetail::new().name(..)`), so the data can be typed or plain
//! JSON.
//!
//! With the group-chat family (a sketch; the `downstream-bot` test crate runs the real thing):
//!
//! ```text
//! let platform = MockPlatform::start_with(&[&FAMILY]).await; // the family crate's FAMILY
//! platform.on("chat.get")
//!     .then(Answer::status(503))                                  // retried
//!     .then_data(ChatDetail::new().name("Incident 4711"));
//! platform.on("chat_members.get").pages(members, 20);               // page_token / has_more
//! platform.expect("chat.get").times(2);                             // checked on drop
//! let chat = platform.client().chat("oc_1").get().send().await?;
//! assert_eq!(platform.requests_for("chat.get")[1].path, "/open-apis/im/v1/chats/oc_1");
//! ```

mod answer;
mod callback;
#[cfg(feature = "long-connection")]
mod long_connection;
mod platform;
mod received;
mod redis_server;
mod script;
mod serve;

pub use answer::{Answer, RATE_LIMIT_CODE};
pub use callback::{Callback, CALLBACK_NONCE, CARD_ACTION_TRIGGER};
#[cfg(feature = "long-connection")]
pub use long_connection::{
    Ack, LongConnectionServer, Refusal, ServerConn, ServerReceiver, ServerSender,
};
pub use platform::{Expect, MockPlatform, MAX_RECORDED_REQUESTS};
pub use received::{Part, ReceivedRequest};
pub use redis_server::RedisServer;
pub use script::Script;

use crate::meta::{Family, OperationMeta};

/// App id of [`MockPlatform::client`].
pub const MOCK_APP_ID: &str = "cli_mock_app";
/// App secret of [`MockPlatform::client`].
pub const MOCK_APP_SECRET: &str = "mock-app-secret";
/// Tenant token the mock platform issues.
pub const MOCK_TENANT_TOKEN: &str = "t-mock-tenant-token";
/// App token the mock platform issues (store apps).
pub const MOCK_APP_TOKEN: &str = "a-mock-app-token";

/// Names an operation: its metadata, or its id (`"chat.get"`) in one of the platform's
/// families.
pub trait OperationRef {
    /// The operation's metadata. Panics on an unknown id: a test setup mistake.
    fn meta(&self, families: &[&'static Family]) -> &'static OperationMeta;
}

impl OperationRef for &'static OperationMeta {
    fn meta(&self, _: &[&'static Family]) -> &'static OperationMeta {
        self
    }
}

impl OperationRef for &str {
    fn meta(&self, families: &[&'static Family]) -> &'static OperationMeta {
        match families.iter().find_map(|f| f.operation(self)) {
            Some(meta) => meta,
            None => {
                let names: Vec<_> = families.iter().map(|f| f.name).collect();
                panic!("no operation {self:?} in the mock platform's families {names:?}")
            }
        }
    }
}
