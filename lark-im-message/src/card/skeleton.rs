//! The card itself: schema, config, header and body.

use super::display::{Div, Hr, Markdown};
use super::element::CardElement;
use super::text::CardText;
use super::wire::{card_object, open_enum};

open_enum! {
    /// Colour of the header (`header.template`).
    pub enum HeaderTemplate {
        /// `blue`
        Blue = "blue",
        /// `wathet` (light blue)
        Wathet = "wathet",
        /// `turquoise`
        Turquoise = "turquoise",
        /// `green`
        Green = "green",
        /// `yellow`
        Yellow = "yellow",
        /// `orange`
        Orange = "orange",
        /// `red`
        Red = "red",
        /// `carmine`
        Carmine = "carmine",
        /// `violet`
        Violet = "violet",
        /// `purple`
        Purple = "purple",
        /// `indigo`
        Indigo = "indigo",
        /// `grey`
        Grey = "grey",
        /// `default`
        Default = "default",
    }
}

card_object! {
    /// Card-wide settings (`config`).
    pub struct CardConfig {
        /// Whether the card is shared: an update shows to everyone who received it. JSON 2.0
        /// cards only support `true` (their default).
        opt update_multi "update_multi": Option<bool>,
    }
}

card_object! {
    /// The header: title, subtitle and colour.
    pub struct CardHeader {
        /// Title.
        opt title "title": Option<CardText>,
        /// Subtitle (one line).
        opt subtitle "subtitle": Option<CardText>,
        /// Colour.
        opt template "template": Option<HeaderTemplate>,
    }
}

card_object! {
    /// The body: its elements, top to bottom.
    pub struct CardBody {
        /// The elements.
        opt elements "elements": Vec<CardElement>,
    }
}

card_object! {
    /// A card, in JSON 2.0 form: `{"schema": "2.0", "config"?, "header"?, "body": {"elements"}}`.
    ///
    /// Build one with [`Card::new`] and the chained setters; send it with
    /// [`Card::to_content`]; answer a click with it through
    /// [`CardActionResponse::with_card`](super::CardActionResponse::with_card). Any card JSON
    /// decodes (a 1.0 card keeps its top-level `elements` in `extra`) and encodes back
    /// unchanged.
    pub struct Card {
        /// `"2.0"` for JSON 2.0 cards; absent on 1.0 cards.
        opt schema "schema": Option<String>,
        /// Settings.
        opt config "config": Option<CardConfig>,
        /// Header.
        opt header "header": Option<CardHeader>,
        /// Body.
        opt body "body": Option<CardBody>,
    }
}

impl Card {
    /// An empty JSON 2.0 card: `{"schema": "2.0"}`.
    pub fn new() -> Self {
        Self {
            schema: Some("2.0".to_owned()),
            ..Self::default()
        }
    }

    /// Sets `config.update_multi` (a shared card).
    pub fn update_multi(mut self, shared: bool) -> Self {
        self.config
            .get_or_insert_with(CardConfig::default)
            .update_multi = Some(shared);
        self
    }

    /// Sets the plain-text header title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.header_mut().title = Some(CardText::plain(title));
        self
    }

    /// Sets the plain-text header subtitle.
    pub fn subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.header_mut().subtitle = Some(CardText::plain(subtitle));
        self
    }

    /// Sets the header colour.
    pub fn template(mut self, colour: HeaderTemplate) -> Self {
        self.header_mut().template = Some(colour);
        self
    }

    /// Appends an element to the body: any typed element, or raw JSON
    /// (`serde_json::Value`) for anything else.
    pub fn element(mut self, element: impl Into<CardElement>) -> Self {
        self.elements_mut().push(element.into());
        self
    }

    /// Appends elements to the body.
    pub fn elements<E: Into<CardElement>>(mut self, elements: impl IntoIterator<Item = E>) -> Self {
        self.elements_mut()
            .extend(elements.into_iter().map(Into::into));
        self
    }

    /// Appends a markdown element.
    pub fn markdown(self, content: impl Into<String>) -> Self {
        self.element(Markdown::new(content))
    }

    /// Appends a plain-text block (`div` with `plain_text`).
    pub fn plain_text(self, text: impl Into<String>) -> Self {
        self.element(Div::plain(text))
    }

    /// Appends a divider (`hr`).
    pub fn divider(self) -> Self {
        self.element(Hr::new())
    }

    /// Appends an element given as JSON, for anything this version does not type.
    pub fn raw(self, element: serde_json::Value) -> Self {
        self.element(CardElement::Raw(element))
    }

    /// The body's elements, for editing in place (the body is created if absent).
    pub fn elements_mut(&mut self) -> &mut Vec<CardElement> {
        &mut self.body.get_or_insert_with(CardBody::default).elements
    }

    fn header_mut(&mut self) -> &mut CardHeader {
        self.header.get_or_insert_with(CardHeader::default)
    }
}
