//! The card builder: each element serializes to the JSON the card JSON 2.0 documentation
//! gives for it (compared with hand-written JSON and with an insta snapshot), and decodes
//! back to the same typed value; a full card too.

use lark_im_message::card::{
    Behavior, Button, ButtonSize, ButtonType, Card, CardElement, CardText, Column, ColumnSet,
    DatePicker, Div, Form, HeaderTemplate, Hr, Image, Input, Markdown, SelectPerson, SelectStatic,
    TemplateCard,
};
use serde_json::{json, Value};

const OPEN_ID: &str = "ou_84aad35d084aa403a838cf73ee18467";

/// Checks `element` against the hand-written `expected` JSON, both standalone and as a
/// [`CardElement`], and that both decode back to what was built.
fn check<E>(element: E, expected: Value) -> E
where
    E: Into<CardElement> + serde::Serialize + Clone,
{
    let standalone = serde_json::to_value(&element).expect("serializes");
    assert_eq!(standalone, expected);
    let wrapped: CardElement = element.clone().into();
    assert!(
        !matches!(wrapped, CardElement::Raw(_)),
        "typed: {wrapped:?}"
    );
    assert_eq!(
        serde_json::to_value(&wrapped).expect("serializes"),
        expected
    );
    let back: CardElement = serde_json::from_value(expected.clone()).expect("decodes");
    assert_eq!(back, wrapped, "decodes back to the typed element");
    // Snapshots are of the typed element: keys in the order they are sent (`tag` first).
    element
}

#[test]
fn markdown() {
    let element = check(
        Markdown::new("**hi** <at id=all></at>"),
        json!({"tag": "markdown", "content": "**hi** <at id=all></at>"}),
    );
    insta::assert_json_snapshot!("markdown", element);
}

#[test]
fn plain_text() {
    let element = check(
        Div::plain("just text"),
        json!({"tag": "div", "text": {"tag": "plain_text", "content": "just text"}}),
    );
    insta::assert_json_snapshot!("plain_text", element);
    check(
        Div::with_text(CardText::lark_md("*md*")),
        json!({"tag": "div", "text": {"tag": "lark_md", "content": "*md*"}}),
    );
}

#[test]
fn divider() {
    let element = check(Hr::new(), json!({"tag": "hr"}));
    insta::assert_json_snapshot!("divider", element);
}

#[test]
fn image() {
    let element = check(
        Image::new("img_v3_02ab_cover", "cover"),
        json!({"tag": "img", "img_key": "img_v3_02ab_cover",
               "alt": {"tag": "plain_text", "content": "cover"}}),
    );
    insta::assert_json_snapshot!("image", element);
}

#[test]
fn button_with_callback_value_type_size_and_confirm() {
    let button = Button::callback("Say hello", json!({"action": "hello"}))
        .kind(ButtonType::Primary)
        .size(ButtonSize::Small)
        .confirm("Sure?", "This says hello.");
    let element = check(
        button,
        json!({
            "tag": "button",
            "text": {"tag": "plain_text", "content": "Say hello"},
            "type": "primary",
            "size": "small",
            "behaviors": [{"type": "callback", "value": {"action": "hello"}}],
            "confirm": {"title": {"tag": "plain_text", "content": "Sure?"},
                        "text": {"tag": "plain_text", "content": "This says hello."}}
        }),
    );
    insta::assert_json_snapshot!("button", element);
}

#[test]
fn button_opening_a_link() {
    check(
        Button::new("Docs").open_url("https://example.com/docs"),
        json!({"tag": "button", "text": {"tag": "plain_text", "content": "Docs"},
               "behaviors": [{"type": "open_url", "default_url": "https://example.com/docs"}]}),
    );
    assert_eq!(
        serde_json::to_value(Behavior::callback(json!({"k": [1, 2]}))).unwrap(),
        json!({"type": "callback", "value": {"k": [1, 2]}})
    );
}

#[test]
fn column_set_with_columns() {
    let set = ColumnSet::new()
        .flex_mode("none")
        .column(Column::weighted(1).element(Markdown::new("left")))
        .column(
            Column::weighted(2)
                .vertical_align("center")
                .element(Button::callback("Go", json!({"go": true}))),
        );
    let element = check(
        set,
        json!({
            "tag": "column_set",
            "flex_mode": "none",
            "columns": [
                {"tag": "column", "width": "weighted", "weight": 1,
                 "elements": [{"tag": "markdown", "content": "left"}]},
                {"tag": "column", "width": "weighted", "weight": 2, "vertical_align": "center",
                 "elements": [{"tag": "button", "text": {"tag": "plain_text", "content": "Go"},
                               "behaviors": [{"type": "callback", "value": {"go": true}}]}]}
            ]
        }),
    );
    insta::assert_json_snapshot!("column_set", element);
}

#[test]
fn input() {
    let element = check(
        Input::new("reason")
            .placeholder("Why?")
            .label("Reason")
            .required(true)
            .default_value("holiday"),
        json!({"tag": "input", "name": "reason",
               "placeholder": {"tag": "plain_text", "content": "Why?"},
               "label": {"tag": "plain_text", "content": "Reason"},
               "required": true, "default_value": "holiday"}),
    );
    insta::assert_json_snapshot!("input", element);
}

#[test]
fn select_static() {
    let element = check(
        SelectStatic::new("kind")
            .placeholder("Kind")
            .option("Annual", "annual")
            .option("Sick", "sick")
            .required(true),
        json!({"tag": "select_static", "name": "kind",
               "placeholder": {"tag": "plain_text", "content": "Kind"},
               "options": [
                   {"text": {"tag": "plain_text", "content": "Annual"}, "value": "annual"},
                   {"text": {"tag": "plain_text", "content": "Sick"}, "value": "sick"}],
               "required": true}),
    );
    insta::assert_json_snapshot!("select_static", element);
}

#[test]
fn select_person() {
    let element = check(
        SelectPerson::new("approver")
            .placeholder("Approver")
            .person(OPEN_ID),
        json!({"tag": "select_person", "name": "approver",
               "placeholder": {"tag": "plain_text", "content": "Approver"},
               "options": [{"value": OPEN_ID}]}),
    );
    insta::assert_json_snapshot!("select_person", element);
}

#[test]
fn date_picker() {
    let element = check(
        DatePicker::new("start")
            .placeholder("Start")
            .initial_date("2024-01-01")
            .required(false),
        json!({"tag": "date_picker", "name": "start",
               "placeholder": {"tag": "plain_text", "content": "Start"},
               "initial_date": "2024-01-01", "required": false}),
    );
    insta::assert_json_snapshot!("date_picker", element);
}

#[test]
fn form_with_fields_and_a_submit_button() {
    let form = Form::new("leave_form")
        .element(Input::new("reason").required(true))
        .element(SelectStatic::new("kind").option("Annual", "annual"))
        .element(SelectPerson::new("approver"))
        .element(DatePicker::new("start").initial_date("2024-01-01"))
        .element(Button::submit("Submit", "submit_btn").kind(ButtonType::PrimaryFilled));
    let element = check(
        form,
        json!({
            "tag": "form",
            "name": "leave_form",
            "elements": [
                {"tag": "input", "name": "reason", "required": true},
                {"tag": "select_static", "name": "kind", "options": [
                    {"text": {"tag": "plain_text", "content": "Annual"}, "value": "annual"}]},
                {"tag": "select_person", "name": "approver"},
                {"tag": "date_picker", "name": "start", "initial_date": "2024-01-01"},
                {"tag": "button", "text": {"tag": "plain_text", "content": "Submit"},
                 "type": "primary_filled", "name": "submit_btn", "form_action_type": "submit"}
            ]
        }),
    );
    insta::assert_json_snapshot!("form", element);
}

#[test]
fn raw_elements_go_out_unchanged() {
    let chart = json!({"tag": "chart", "chart_spec": {"type": "bar"}, "height": "auto"});
    let card = Card::new().raw(chart.clone());
    assert_eq!(
        serde_json::to_value(&card).unwrap(),
        json!({"schema": "2.0", "body": {"elements": [chart]}})
    );
}

/// The card of the crate docs: header, config, every element kind.
fn full_card() -> Card {
    Card::new()
        .update_multi(true)
        .title("Welcome")
        .subtitle("to the release chat")
        .template(HeaderTemplate::Blue)
        .markdown("Hello <at id=ou_84aad35d084aa403a838cf73ee18467></at>!")
        .plain_text("Plain text block")
        .divider()
        .element(Image::new("img_v3_02ab_cover", "cover"))
        .element(
            Button::callback("Say hello", json!({"action": "hello"})).kind(ButtonType::Primary),
        )
        .element(
            ColumnSet::new()
                .column(Column::weighted(1).element(Markdown::new("left")))
                .column(Column::weighted(1).element(Markdown::new("right"))),
        )
        .element(
            Form::new("f")
                .element(Input::new("reason").placeholder("Why?"))
                .element(Button::submit("Submit", "submit_btn")),
        )
        .raw(json!({"tag": "chart", "chart_spec": {}}))
}

#[test]
fn full_card_snapshot_and_exact_json() {
    let card = full_card();
    let json = serde_json::to_value(&card).unwrap();
    assert_eq!(
        json,
        json!({
            "schema": "2.0",
            "config": {"update_multi": true},
            "header": {
                "title": {"tag": "plain_text", "content": "Welcome"},
                "subtitle": {"tag": "plain_text", "content": "to the release chat"},
                "template": "blue"
            },
            "body": {"elements": [
                {"tag": "markdown", "content": "Hello <at id=ou_84aad35d084aa403a838cf73ee18467></at>!"},
                {"tag": "div", "text": {"tag": "plain_text", "content": "Plain text block"}},
                {"tag": "hr"},
                {"tag": "img", "img_key": "img_v3_02ab_cover", "alt": {"tag": "plain_text", "content": "cover"}},
                {"tag": "button", "text": {"tag": "plain_text", "content": "Say hello"}, "type": "primary",
                 "behaviors": [{"type": "callback", "value": {"action": "hello"}}]},
                {"tag": "column_set", "columns": [
                    {"tag": "column", "width": "weighted", "weight": 1, "elements": [{"tag": "markdown", "content": "left"}]},
                    {"tag": "column", "width": "weighted", "weight": 1, "elements": [{"tag": "markdown", "content": "right"}]}]},
                {"tag": "form", "name": "f", "elements": [
                    {"tag": "input", "name": "reason", "placeholder": {"tag": "plain_text", "content": "Why?"}},
                    {"tag": "button", "text": {"tag": "plain_text", "content": "Submit"}, "name": "submit_btn", "form_action_type": "submit"}]},
                {"tag": "chart", "chart_spec": {}}
            ]}
        })
    );
    // The snapshot is of the typed card itself: key order as sent (`tag` first).
    insta::assert_json_snapshot!("full_card", card);
    let back: Card = serde_json::from_value(json).unwrap();
    assert_eq!(back, card);
}

#[test]
fn template_card() {
    let template = TemplateCard::new("AAqk1xNnoVXtq")
        .version("1.0.2")
        .variable("name", "Tom")
        .variable("count", 3);
    assert_eq!(
        serde_json::to_value(&template).unwrap(),
        json!({"template_id": "AAqk1xNnoVXtq", "template_version_name": "1.0.2",
               "template_variable": {"name": "Tom", "count": 3}})
    );
    insta::assert_json_snapshot!("template_card", template);
}
