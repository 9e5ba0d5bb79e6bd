//! What tests against a mock platform share: the chat they call and the paths they count.

use wiremock::MockServer;

/// The chat every call reads.
pub const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
/// Path of `chat.get` on [`CHAT`].
pub const CHAT_PATH: &str = "/open-apis/im/v1/chats/oc_a0553eda9014c201e6969b478895c230";
/// Path of the self-built app's tenant token endpoint.
pub const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// How many requests `server` received on path `p`.
pub async fn count(server: &MockServer, p: &str) -> usize {
    let received = server.received_requests().await.expect("recording");
    received.iter().filter(|r| r.url.path() == p).count()
}
