//! Input elements: text input, static select, person select, date picker.
//!
//! Inside a form each needs a `name` unique in the card (the key of its value in
//! `action.form_value`); `required` only takes effect there.

use super::button::Behavior;
use super::text::CardText;
use super::wire::card_object;

/// The setters every field has: `new(name)`, `placeholder`, `required`.
macro_rules! field_setters {
    ($($ty:ident),*) => {$(
        impl $ty {
            /// A field named `name` (the key of its value in a form's `form_value`).
            pub fn new(name: impl Into<String>) -> Self {
                Self {
                    name: Some(name.into()),
                    ..Self::default()
                }
            }

            /// Sets the plain-text placeholder.
            pub fn placeholder(mut self, text: impl Into<String>) -> Self {
                self.placeholder = Some(CardText::plain(text));
                self
            }

            /// Sets `required` (inside a form: no submit while empty).
            pub fn required(mut self, required: bool) -> Self {
                self.required = Some(required);
                self
            }
        }
    )*};
}

field_setters!(Input, SelectStatic, SelectPerson, DatePicker);

card_object! {
    /// A text input: `{"tag": "input", "name": …, "placeholder": …, "label": …}`.
    pub struct Input as "input" {
        /// Name (required inside a form).
        opt name "name": Option<String>,
        /// Text shown while empty.
        opt placeholder "placeholder": Option<CardText>,
        /// Label.
        opt label "label": Option<CardText>,
        /// Whether the form refuses to submit while it is empty.
        opt required "required": Option<bool>,
        /// Text filled in beforehand.
        opt default_value "default_value": Option<String>,
        /// Behaviours of a standalone input.
        opt behaviors "behaviors": Vec<Behavior>,
    }
}

impl Input {
    /// Sets the plain-text label.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(CardText::plain(text));
        self
    }

    /// Sets the text filled in beforehand.
    pub fn default_value(mut self, text: impl Into<String>) -> Self {
        self.default_value = Some(text.into());
        self
    }
}

card_object! {
    /// An option of a select: `{"text": {"tag": "plain_text", …}, "value": …}` (a person
    /// select's options carry only `value`, an open_id).
    pub struct SelectOption {
        /// The label.
        opt text "text": Option<CardText>,
        /// The value sent back when chosen (unique within the select).
        req value "value": String,
    }
}

impl SelectOption {
    /// An option labelled `text` (plain text) with `value`.
    pub fn new(text: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            text: Some(CardText::plain(text)),
            value: value.into(),
            extra: Default::default(),
        }
    }

    /// A person-select option: the user's open_id.
    pub fn person(open_id: impl Into<String>) -> Self {
        Self {
            text: None,
            value: open_id.into(),
            extra: Default::default(),
        }
    }
}

card_object! {
    /// A single select from fixed options: `{"tag": "select_static", "options": [...]}`; the
    /// choice comes back as `action.option` (or in `form_value`).
    pub struct SelectStatic as "select_static" {
        /// Name (required inside a form).
        opt name "name": Option<String>,
        /// Text shown while nothing is chosen.
        opt placeholder "placeholder": Option<CardText>,
        /// The options.
        opt options "options": Vec<SelectOption>,
        /// Whether the form refuses to submit while nothing is chosen.
        opt required "required": Option<bool>,
        /// Value of the option chosen beforehand.
        opt initial_option "initial_option": Option<String>,
        /// Behaviours of a standalone select.
        opt behaviors "behaviors": Vec<Behavior>,
    }
}

impl SelectStatic {
    /// Adds an option labelled `text` with `value`.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(SelectOption::new(text, value));
        self
    }
}

card_object! {
    /// A single select of a person: `{"tag": "select_person", "options": [{"value": "ou_…"}]}`
    /// (without options: anyone in the chat).
    pub struct SelectPerson as "select_person" {
        /// Name (required inside a form).
        opt name "name": Option<String>,
        /// Text shown while nobody is chosen.
        opt placeholder "placeholder": Option<CardText>,
        /// The people to choose from.
        opt options "options": Vec<SelectOption>,
        /// Whether the form refuses to submit while nobody is chosen.
        opt required "required": Option<bool>,
        /// Behaviours of a standalone select.
        opt behaviors "behaviors": Vec<Behavior>,
    }
}

impl SelectPerson {
    /// Adds the user `open_id` to the choices.
    pub fn person(mut self, open_id: impl Into<String>) -> Self {
        self.options.push(SelectOption::person(open_id));
        self
    }
}

card_object! {
    /// A date picker: `{"tag": "date_picker", "initial_date": "yyyy-MM-dd"}`; the date comes
    /// back as `action.option` with `action.timezone` (or in `form_value`).
    pub struct DatePicker as "date_picker" {
        /// Name (required inside a form).
        opt name "name": Option<String>,
        /// Text shown while no date is chosen (needed without `initial_date`).
        opt placeholder "placeholder": Option<CardText>,
        /// Date chosen beforehand, `yyyy-MM-dd`.
        opt initial_date "initial_date": Option<String>,
        /// Whether the form refuses to submit while no date is chosen.
        opt required "required": Option<bool>,
        /// Behaviours of a standalone picker.
        opt behaviors "behaviors": Vec<Behavior>,
    }
}

impl DatePicker {
    /// Sets the date chosen beforehand (`yyyy-MM-dd`).
    pub fn initial_date(mut self, date: impl Into<String>) -> Self {
        self.initial_date = Some(date.into());
        self
    }
}
