//! The button and its behaviours.

use super::text::{CardText, Confirm};
use super::wire::{card_object, open_enum};
use serde_json::Value;

open_enum! {
    /// Button style (`type`).
    pub enum ButtonType {
        /// `default`: black text, bordered.
        Default = "default",
        /// `primary`: blue text, bordered.
        Primary = "primary",
        /// `danger`: red text, bordered.
        Danger = "danger",
        /// `text`: black text, no border.
        Text = "text",
        /// `primary_text`: blue text, no border.
        PrimaryText = "primary_text",
        /// `danger_text`: red text, no border.
        DangerText = "danger_text",
        /// `primary_filled`: white on blue.
        PrimaryFilled = "primary_filled",
        /// `danger_filled`: white on red.
        DangerFilled = "danger_filled",
        /// `laser`.
        Laser = "laser",
    }
}

open_enum! {
    /// Button size (`size`).
    pub enum ButtonSize {
        /// `tiny`
        Tiny = "tiny",
        /// `small`
        Small = "small",
        /// `medium` (the platform's default)
        Medium = "medium",
        /// `large`
        Large = "large",
    }
}

open_enum! {
    /// What a button inside a form does (`form_action_type`).
    pub enum FormActionType {
        /// `submit`: send the form's values in one `card.action.trigger` callback.
        Submit = "submit",
        /// `reset`: restore the form's initial values.
        Reset = "reset",
    }
}

open_enum! {
    /// Kind of a behaviour (`type`).
    pub enum BehaviorType {
        /// `callback`: the app receives `card.action.trigger` with the behaviour's `value`.
        Callback = "callback",
        /// `open_url`: the client opens a link.
        OpenUrl = "open_url",
    }
}

card_object! {
    /// What an interaction does: `{"type": "callback", "value": {…}}` or
    /// `{"type": "open_url", "default_url": …}`.
    pub struct Behavior {
        /// The kind.
        req kind "type": BehaviorType,
        /// `callback`: the value sent back as `action.value` (any JSON object).
        opt value "value": Option<Value>,
        /// `open_url`: the link on every client without its own.
        opt default_url "default_url": Option<String>,
        /// `open_url`: the link on desktop.
        opt pc_url "pc_url": Option<String>,
        /// `open_url`: the link on iOS.
        opt ios_url "ios_url": Option<String>,
        /// `open_url`: the link on Android.
        opt android_url "android_url": Option<String>,
    }
}

impl Behavior {
    /// A callback carrying `value` back to the app as `action.value`.
    pub fn callback(value: Value) -> Self {
        Self {
            kind: BehaviorType::Callback,
            value: Some(value),
            ..Self::default()
        }
    }

    /// Opens `url` on every client.
    pub fn open_url(url: impl Into<String>) -> Self {
        Self {
            kind: BehaviorType::OpenUrl,
            default_url: Some(url.into()),
            ..Self::default()
        }
    }
}

/// Only for `Behavior::default()`: a callback is the behaviour cards are built for.
impl Default for BehaviorType {
    fn default() -> Self {
        Self::Callback
    }
}

card_object! {
    /// A button: `{"tag": "button", "text": …, "type": …, "behaviors": [...]}`. A button inside a
    /// form submits it instead (`form_action_type`, with a `name`).
    pub struct Button as "button" {
        /// The label.
        opt text "text": Option<CardText>,
        /// Style.
        opt kind "type": Option<ButtonType>,
        /// Size.
        opt size "size": Option<ButtonSize>,
        /// Name (required inside a form, unique in the card).
        opt name "name": Option<String>,
        /// Inside a form: submit or reset it.
        opt form_action_type "form_action_type": Option<FormActionType>,
        /// What a click does (outside forms).
        opt behaviors "behaviors": Vec<Behavior>,
        /// Dialog shown before the click is sent.
        opt confirm "confirm": Option<Confirm>,
        /// Whether the button is disabled.
        opt disabled "disabled": Option<bool>,
    }
}

impl Button {
    /// A button labelled `text` (plain text) that does nothing yet.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: Some(CardText::plain(text)),
            ..Self::default()
        }
    }

    /// A button whose click sends `value` (any JSON object, e.g. `{"action": "hello"}`) to the
    /// app in a `card.action.trigger` callback.
    pub fn callback(text: impl Into<String>, value: Value) -> Self {
        Self::new(text).behavior(Behavior::callback(value))
    }

    /// The submit button of a form, named `name`: a click sends every field of the form in
    /// one callback (`action.form_value`).
    pub fn submit(text: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            form_action_type: Some(FormActionType::Submit),
            ..Self::new(text)
        }
    }

    /// Adds a behaviour.
    pub fn behavior(mut self, behavior: Behavior) -> Self {
        self.behaviors.push(behavior);
        self
    }

    /// Adds a link opened on click.
    pub fn open_url(self, url: impl Into<String>) -> Self {
        self.behavior(Behavior::open_url(url))
    }

    /// Sets the style.
    pub fn kind(mut self, kind: ButtonType) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the size.
    pub fn size(mut self, size: ButtonSize) -> Self {
        self.size = Some(size);
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Asks the user to confirm (plain-text `title` and `text`) before the click is sent.
    pub fn confirm(mut self, title: impl Into<String>, text: impl Into<String>) -> Self {
        self.confirm = Some(Confirm::new(title, text));
        self
    }
}
