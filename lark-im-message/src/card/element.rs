//! [`CardElement`]: any element of a card body, typed by its `tag`.

use super::button::Button;
use super::display::{Div, Hr, Image, Markdown};
use super::input::{DatePicker, Input, SelectPerson, SelectStatic};
use super::layout::{Column, ColumnSet, Form};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

macro_rules! card_elements {
    ($($(#[$vmeta:meta])* $variant:ident($ty:ty),)*) => {
        /// An element of a card body (or of a column or a form), typed by its `tag`.
        ///
        /// An element of a tag this version does not type, and an element of a known tag whose
        /// required fields are missing or of another shape, is kept unchanged as
        /// [`Raw`](CardElement::Raw); so is anything given to [`CardElement::raw`].
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum CardElement {
            $($(#[$vmeta])* $variant($ty),)*
            /// Any other element, as JSON.
            Raw(Value),
        }

        impl CardElement {
            /// The element's `tag` (`None` for raw JSON without a string `tag`).
            pub fn tag(&self) -> Option<&str> {
                match self {
                    $(Self::$variant(_) => Some(<$ty>::TAG),)*
                    Self::Raw(value) => value.get("tag").and_then(Value::as_str),
                }
            }
        }

        impl Serialize for CardElement {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Self::$variant(element) => element.serialize(serializer),)*
                    Self::Raw(value) => value.serialize(serializer),
                }
            }
        }

        impl<'de> Deserialize<'de> for CardElement {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = Value::deserialize(deserializer)?;
                let tag = value.get("tag").and_then(Value::as_str).map(str::to_owned);
                $(
                    if tag.as_deref() == Some(<$ty>::TAG) {
                        return Ok(match <$ty>::deserialize(&value) {
                            Ok(element) => Self::$variant(element),
                            Err(_) => Self::Raw(value),
                        });
                    }
                )*
                Ok(Self::Raw(value))
            }
        }

        $(
            impl From<$ty> for CardElement {
                fn from(element: $ty) -> Self {
                    Self::$variant(element)
                }
            }
        )*
    };
}

card_elements! {
    /// `markdown`
    Markdown(Markdown),
    /// `div` (plain text)
    Div(Div),
    /// `hr` (divider)
    Hr(Hr),
    /// `img`
    Image(Image),
    /// `button`
    Button(Button),
    /// `column_set`
    ColumnSet(ColumnSet),
    /// `column` (inside a column set)
    Column(Column),
    /// `form`
    Form(Form),
    /// `input`
    Input(Input),
    /// `select_static`
    SelectStatic(SelectStatic),
    /// `select_person`
    SelectPerson(SelectPerson),
    /// `date_picker`
    DatePicker(DatePicker),
}

impl CardElement {
    /// Any element given as its JSON (for elements this version does not type).
    pub fn raw(element: Value) -> Self {
        Self::Raw(element)
    }
}

impl From<Value> for CardElement {
    fn from(element: Value) -> Self {
        Self::Raw(element)
    }
}
