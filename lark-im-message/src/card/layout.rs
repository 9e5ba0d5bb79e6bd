//! Containers: column sets and their columns, forms.

use super::element::CardElement;
use super::wire::card_object;

card_object! {
    /// Columns side by side: `{"tag": "column_set", "columns": [{"tag": "column", …}]}`.
    pub struct ColumnSet as "column_set" {
        /// How columns adapt to narrow screens (`none`, `stretch`, `flow`, `bisect`, `trisect`).
        opt flex_mode "flex_mode": Option<String>,
        /// Background style (`default` or a colour).
        opt background_style "background_style": Option<String>,
        /// The columns.
        opt columns "columns": Vec<Column>,
    }
}

impl ColumnSet {
    /// An empty column set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a column.
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Sets `flex_mode`.
    pub fn flex_mode(mut self, mode: impl Into<String>) -> Self {
        self.flex_mode = Some(mode.into());
        self
    }
}

card_object! {
    /// One column of a [`ColumnSet`]: `{"tag": "column", "width": …, "elements": [...]}`.
    pub struct Column as "column" {
        /// `auto`, `weighted` (with `weight`) or a width in px.
        opt width "width": Option<String>,
        /// Share of the width when `width` is `weighted` (1 to 5).
        opt weight "weight": Option<u32>,
        /// `top`, `center` or `bottom`.
        opt vertical_align "vertical_align": Option<String>,
        /// The column's elements.
        opt elements "elements": Vec<CardElement>,
    }
}

impl Column {
    /// An empty column.
    pub fn new() -> Self {
        Self::default()
    }

    /// A column taking `weight` shares of the width (`width: weighted`).
    pub fn weighted(weight: u32) -> Self {
        Self {
            width: Some("weighted".to_owned()),
            weight: Some(weight),
            ..Self::default()
        }
    }

    /// Adds an element.
    pub fn element(mut self, element: impl Into<CardElement>) -> Self {
        self.elements.push(element.into());
        self
    }

    /// Sets `vertical_align`.
    pub fn vertical_align(mut self, align: impl Into<String>) -> Self {
        self.vertical_align = Some(align.into());
        self
    }
}

card_object! {
    /// A form: its fields are sent together, in one callback, when its submit button is
    /// clicked. `{"tag": "form", "name": …, "elements": [...]}`; only at the card's top level.
    pub struct Form as "form" {
        /// The form's name, unique in the card.
        req name "name": String,
        /// Fields and buttons; each field needs a `name` unique in the card.
        opt elements "elements": Vec<CardElement>,
    }
}

impl Form {
    /// An empty form named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Adds an element.
    pub fn element(mut self, element: impl Into<CardElement>) -> Self {
        self.elements.push(element.into());
        self
    }
}
