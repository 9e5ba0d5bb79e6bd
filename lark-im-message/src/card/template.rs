//! Template cards: a card made in the card builder tool, filled with variables.

use super::wire::card_object;
use serde_json::{Map, Value};

card_object! {
    /// A template card: `{"template_id": …, "template_version_name"?: …, "template_variable"?: {…}}`.
    ///
    /// Sent as a message it is wrapped as `{"type": "template", "data": …}`
    /// ([`TemplateCard::to_content`]); in a callback response as `{"type": "template", "data": …}`
    /// too ([`CallbackCard::Template`](super::CallbackCard::Template)).
    pub struct TemplateCard {
        /// Template id (`AAq…`).
        req template_id "template_id": String,
        /// Version to use (e.g. `1.0.0`); the latest published version when absent.
        opt template_version_name "template_version_name": Option<String>,
        /// Values of the template's variables.
        opt template_variable "template_variable": Option<Map<String, Value>>,
    }
}

impl TemplateCard {
    /// The template `template_id`, latest version, no variables.
    pub fn new(template_id: impl Into<String>) -> Self {
        Self {
            template_id: template_id.into(),
            ..Self::default()
        }
    }

    /// Uses the version `name` of the template.
    pub fn version(mut self, name: impl Into<String>) -> Self {
        self.template_version_name = Some(name.into());
        self
    }

    /// Sets the variable `name` to `value`.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.template_variable
            .get_or_insert_with(Map::new)
            .insert(name.into(), value.into());
        self
    }
}
