//! Mentions: the `<at>` syntax written into sent text, and the `@_user_N` placeholders of
//! received messages resolved through the message's `mentions` list.

use crate::types::{Mention, MentionEvent};
use std::collections::{HashMap, HashSet};

/// The `<at>` tag mentioning one user in a text message: `<at user_id="ou_…">Name</at>`.
///
/// `user_id` may be an open_id, a union_id or a user_id; `name` is only what the tag shows before
/// the client renders it (it may be empty).
///
/// ```
/// assert_eq!(
///     lark_im_message::content::at_user("ou_84aad35d084aa403a838cf73ee18467", "Tom"),
///     r#"<at user_id="ou_84aad35d084aa403a838cf73ee18467">Tom</at>"#
/// );
/// ```
pub fn at_user(user_id: &str, name: &str) -> String {
    format!("<at user_id=\"{user_id}\">{name}</at>")
}

/// The `<at>` tag mentioning everyone in the chat: `<at user_id="all"></at>` (only where the chat
/// allows `@all`).
pub const AT_ALL: &str = "<at user_id=\"all\"></at>";

/// A mention of a received message, with the placeholder its content uses and the id it stands
/// for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ContentMention {
    /// Placeholder in the content, `@_user_1`, `@_user_2`, …
    pub key: String,
    /// Id of the mentioned user or bot: the open_id when the message carries one, else the
    /// union_id, else the user_id.
    pub id: Option<String>,
    /// Kind of `id` (`open_id`, `union_id`, `user_id`).
    pub id_type: Option<String>,
    /// Name shown for the mention.
    pub name: Option<String>,
}

impl ContentMention {
    /// A mention of the user `id` (an open_id) shown as `name`, standing for `key` in the
    /// content.
    pub fn new(key: impl Into<String>, id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            id: Some(id.into()),
            id_type: Some("open_id".to_owned()),
            name: Some(name.into()),
        }
    }

    /// The `<at user_id="…">Name</at>` tag for this mention, or `None` without an id.
    pub fn at_tag(&self) -> Option<String> {
        let id = self.id.as_deref()?;
        Some(at_user(id, self.name.as_deref().unwrap_or("")))
    }

    /// The mentions of an event message that have a placeholder key (the others cannot be
    /// found in the content).
    pub fn from_event(mentions: Option<&[MentionEvent]>) -> Vec<Self> {
        let mentions = mentions.unwrap_or_default();
        mentions
            .iter()
            .filter_map(|m| {
                let key = non_empty(m.key.as_deref())?;
                let ids = m.id.as_ref();
                // The first id kind the event filled in; empty strings stand for "not granted".
                let (id_type, id) = [
                    ("open_id", ids.and_then(|i| i.open_id.as_deref())),
                    ("union_id", ids.and_then(|i| i.union_id.as_deref())),
                    ("user_id", ids.and_then(|i| i.user_id.as_deref())),
                ]
                .into_iter()
                .find_map(|(kind, id)| non_empty(id).map(|id| (kind, id)))
                .unzip();
                Some(Self {
                    key: key.to_owned(),
                    id: id.map(str::to_owned),
                    id_type: id_type.map(str::to_owned),
                    name: m.name.clone(),
                })
            })
            .collect()
    }

    /// The mentions of a fetched message that have a placeholder key.
    pub fn from_rest(mentions: Option<&[Mention]>) -> Vec<Self> {
        let mentions = mentions.unwrap_or_default();
        mentions
            .iter()
            .filter_map(|m| {
                let key = non_empty(m.key.as_deref())?;
                let id = non_empty(m.id.as_deref());
                Some(Self {
                    key: key.to_owned(),
                    id: id.map(str::to_owned),
                    // The platform documents open_id as the only kind today.
                    id_type: id.map(|_| m.id_type.clone().unwrap_or_else(|| "open_id".into())),
                    name: m.name.clone(),
                })
            })
            .collect()
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// Finds placeholders in text: a lookup by key, tried at each `@` for each key length (longest
/// first, so `@_user_10` is not read as `@_user_1`). Work is linear in the text times the few
/// distinct key lengths, whatever the number of mentions.
pub(crate) struct KeyFinder<'m> {
    by_key: HashMap<&'m str, &'m ContentMention>,
    lengths: Vec<usize>,
}

impl<'m> KeyFinder<'m> {
    pub(crate) fn new(mentions: &'m [ContentMention]) -> Self {
        let by_key: HashMap<&str, &ContentMention> = mentions
            .iter()
            .filter(|m| m.key.starts_with('@'))
            .map(|m| (m.key.as_str(), m))
            .collect();
        let mut lengths: Vec<usize> = by_key.keys().map(|k| k.len()).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        Self { by_key, lengths }
    }

    /// The mention whose key starts `text`.
    fn at(&self, text: &str) -> Option<&'m ContentMention> {
        self.lengths
            .iter()
            .find_map(|&len| self.by_key.get(text.get(..len)?).copied())
    }

    /// `text` with every placeholder replaced by what `render` makes of its mention;
    /// placeholders without a mention (or that `render` declines) stay as they are.
    pub(crate) fn replace(
        &self,
        text: &str,
        render: impl Fn(&ContentMention) -> Option<String>,
    ) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('@') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            match self.at(rest).and_then(|m| Some((m.key.len(), render(m)?))) {
                Some((len, rendered)) => {
                    out.push_str(&rendered);
                    rest = &rest[len..];
                }
                None => {
                    out.push('@');
                    rest = &rest[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The keys that occur in `text`.
    pub(crate) fn keys_in(&self, text: &str) -> HashSet<String> {
        let mut found = HashSet::new();
        for (at, _) in text.match_indices('@') {
            if let Some(m) = self.at(&text[at..]) {
                found.insert(m.key.clone());
            }
        }
        found
    }
}
