//! Cards in Rust: a typed builder for card JSON 2.0, template cards, and the typed answer to a
//! card interaction (`card.action.trigger`).
//!
//! - [`Card`]: `schema: "2.0"`, [`CardConfig`] (`update_multi`), [`CardHeader`] (title,
//!   subtitle, [`HeaderTemplate`] colour) and the body's [`CardElement`]s: [`Markdown`],
//!   plain text ([`Div`]), divider ([`Hr`]), [`Image`], [`Button`] (value, style, size,
//!   [`Confirm`] dialog, [`Behavior`]s), [`ColumnSet`] of [`Column`]s, [`Form`] with [`Input`],
//!   [`SelectStatic`], [`SelectPerson`], [`DatePicker`] and a submit [`Button::submit`], and
//!   [`CardElement::Raw`] for anything else.
//! - [`TemplateCard`]: a card made in the card builder tool (`template_id`, version,
//!   variables).
//! - [`CardActionResponse`]: the answer to a click, `{}`, a [`Toast`], a card replacing the
//!   clicked one ([`CallbackCard`]), or both.
//!
//! Every type decodes any JSON of its shape and encodes it back unchanged: what this version
//! does not type (unknown elements, unknown fields, values of another shape) is kept in
//! [`CardElement::Raw`] or in each object's `extra` map.
//!
//! A card becomes message content with [`Card::to_content`] (an `interactive` message whose
//! 30 KB limit is checked before sending, like any content):
//!
//! ```no_run
//! use lark_im_message::card::{Button, ButtonType, Card, HeaderTemplate};
//! use lark_im_message::prelude::*;
//! use lark_im_message::types::{MessageCreateBody, ReceiveIdType};
//! use lark_im_message::Client;
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), lark_im_message::Error> {
//! let client = Client::builder("cli_a1b2c3", "app-secret").build()?;
//!
//! let card = Card::new()
//!     .title("Welcome")
//!     .template(HeaderTemplate::Blue)
//!     .markdown("Click to say **hello**.")
//!     .element(
//!         Button::callback("Say hello", json!({"action": "hello"})).kind(ButtonType::Primary),
//!     );
//! // `msg_type: interactive` and the card's JSON text; refused here if over 30 KB.
//! let body = MessageCreateBody::with_content("oc_a0553eda9014c201e6969b478895c230", &card.to_content()?)?;
//! client.messages().create(ReceiveIdType::ChatId, body).send().await?;
//! # Ok(()) }
//! ```
//!
//! A click on the button arrives as a `card.action.trigger` callback whose `action.value` is
//! `{"action": "hello"}`; answer it with a [`CardActionResponse`], e.g.
//! `CardActionResponse::toast(ToastKind::Success, "Hello!").with_card(updated_card)`.

mod wire;

mod button;
mod content;
mod display;
mod element;
mod input;
mod layout;
mod response;
mod skeleton;
mod template;
mod text;

pub use button::{Behavior, BehaviorType, Button, ButtonSize, ButtonType, FormActionType};
pub use display::{Div, Hr, Image, Markdown};
pub use element::CardElement;
pub use input::{DatePicker, Input, SelectOption, SelectPerson, SelectStatic};
pub use layout::{Column, ColumnSet, Form};
pub use response::{CallbackCard, CardActionResponse, Toast, ToastKind};
pub use skeleton::{Card, CardBody, CardConfig, CardHeader, HeaderTemplate};
pub use template::TemplateCard;
pub use text::{CardText, Confirm};
