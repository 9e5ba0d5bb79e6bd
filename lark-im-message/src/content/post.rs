//! `post` (rich text) messages: locales, paragraphs and the post body.
//!
//! Sent posts have a locale level (`{"zh_cn": {"title": …, "content": […]}}`); received posts
//! may come without it (`{"title": …, "content": […]}`). [`PostContent`] keeps which form it
//! was, so a round trip gives the same JSON.

use super::post_node::PostNode;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Content of a `post` message.
#[derive(Debug, Clone, PartialEq)]
pub enum PostContent {
    /// One body per locale key (`zh_cn`, `en_us`, …): the form sent, and sometimes received.
    Localized(BTreeMap<String, PostBody>),
    /// A body without locale level, as received posts may come.
    Unlocalized(PostBody),
}

impl Default for PostContent {
    fn default() -> Self {
        Self::Localized(BTreeMap::new())
    }
}

impl PostContent {
    /// A post with one locale (`zh_cn`, `en_us`, …); add more with [`locale`](Self::locale).
    pub fn new(locale: impl Into<String>, body: PostBody) -> Self {
        Self::default().locale(locale, body)
    }

    /// Adds (or replaces) the body of one locale; a post without locale level gets one.
    pub fn locale(self, locale: impl Into<String>, body: PostBody) -> Self {
        let mut locales = match self {
            Self::Localized(locales) => locales,
            Self::Unlocalized(_) => BTreeMap::new(),
        };
        locales.insert(locale.into(), body);
        Self::Localized(locales)
    }

    /// The bodies with their locale (`None` for a post without locale level).
    pub fn bodies(&self) -> Vec<(Option<&str>, &PostBody)> {
        match self {
            Self::Localized(locales) => locales
                .iter()
                .map(|(locale, body)| (Some(locale.as_str()), body))
                .collect(),
            Self::Unlocalized(body) => vec![(None, body)],
        }
    }

    /// The body of `locale`, or of a post without locale level whatever `locale` is.
    pub fn body(&self, locale: &str) -> Option<&PostBody> {
        match self {
            Self::Localized(locales) => locales.get(locale),
            Self::Unlocalized(body) => Some(body),
        }
    }
}

impl Serialize for PostContent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Localized(locales) => locales.serialize(s),
            Self::Unlocalized(body) => body.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for PostContent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        // A body has `content`; a locale level has only locale keys whose values are bodies.
        if map.contains_key("content") {
            let body = PostBody::deserialize(Value::Object(map)).map_err(D::Error::custom)?;
            return Ok(Self::Unlocalized(body));
        }
        let mut locales = BTreeMap::new();
        for (locale, body) in map {
            let body = PostBody::deserialize(body)
                .map_err(|e| D::Error::custom(format_args!("locale {locale:?}: {e}")))?;
            locales.insert(locale, body);
        }
        Ok(Self::Localized(locales))
    }
}

/// One locale of a post: an optional title and paragraphs of nodes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PostBody {
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Paragraphs, each a list of nodes (`img`, `media` and `md` take a paragraph alone).
    pub content: Vec<Vec<PostNode>>,
    /// Fields this version does not know, kept so that a round trip loses nothing.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PostBody {
    /// An empty body; add paragraphs with [`paragraph`](Self::paragraph).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Appends a paragraph of nodes.
    pub fn paragraph(mut self, nodes: impl IntoIterator<Item = PostNode>) -> Self {
        self.content.push(nodes.into_iter().collect());
        self
    }

    /// Every node, paragraph after paragraph.
    pub fn nodes(&self) -> impl Iterator<Item = &PostNode> {
        self.content.iter().flatten()
    }
}

/// Points each `at` node whose `user_id` is a placeholder at the mention it stands for.
pub(crate) fn resolve_mentions(post: &mut PostContent, mentions: &[super::ContentMention]) {
    let bodies: Vec<&mut PostBody> = match post {
        PostContent::Localized(locales) => locales.values_mut().collect(),
        PostContent::Unlocalized(body) => vec![body],
    };
    for node in bodies
        .into_iter()
        .flat_map(|b| b.content.iter_mut().flatten())
    {
        if let PostNode::At(at) = node {
            at.mention = mentions.iter().find(|m| m.key == at.user_id).cloned();
        }
    }
}
