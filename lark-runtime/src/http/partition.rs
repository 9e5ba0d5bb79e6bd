//! Which value of a request its operation's per-value rate limit applies to (the chat of a
//! send, the message of a card update).

use super::request::body_string;
use super::ApiRequest;
use crate::meta::KeyLocation;

impl ApiRequest {
    /// The value this request counts against in its operation's
    /// [`rate_partition`](crate::meta::OperationMeta::rate_partition): the `receive_id` of a
    /// `message.create`, the `message_id` of a `message.patch`. `None` when the operation has
    /// no such limit or the request does not carry the value (then only the per-app limits
    /// apply). A path variable is given as it stands in the escaped path.
    pub fn rate_partition_value(&self) -> Option<&str> {
        let partition = self.meta.rate_partition.as_ref()?;
        let value = match partition.key_in {
            KeyLocation::Query => self.query_value(partition.key),
            KeyLocation::Body => body_string(self.body.as_deref()?, partition.key),
            KeyLocation::Path => path_variable(self.meta.path, &self.path, partition.key),
        }?;
        (!value.is_empty()).then_some(value)
    }
}

/// The segment of `path` where `template` has `:name`.
fn path_variable<'a>(template: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let index = template
        .split('/')
        .position(|segment| segment.strip_prefix(':') == Some(name))?;
    path.split('/').nth(index)
}

#[cfg(test)]
mod tests {
    use super::path_variable;

    #[test]
    fn path_variables_are_found_by_their_template_position() {
        let t = "/open-apis/im/v1/messages/:message_id/reactions/:reaction_id";
        let p = "/open-apis/im/v1/messages/om_1/reactions/r%2F2";
        assert_eq!(path_variable(t, p, "message_id"), Some("om_1"));
        assert_eq!(path_variable(t, p, "reaction_id"), Some("r%2F2"));
        assert_eq!(path_variable(t, p, "chat_id"), None);
        assert_eq!(path_variable(t, "/short", "reaction_id"), None);
    }
}
