//! The answer to a `card.action.trigger` callback serializes exactly to the reference's
//! response body (`CardActionTriggerResponse`): `{}`, a toast of each kind (with i18n), a card
//! replacing the clicked one (raw card JSON or a template), or both; and decodes back, keeping
//! what it does not know.

use lark_im_message::card::{
    Button, CallbackCard, Card, CardActionResponse, TemplateCard, Toast, ToastKind,
};
use serde_json::{json, Value};

/// `response` is exactly `expected` (as JSON text when given) and decodes back equal.
fn check(response: &CardActionResponse, expected: Value) {
    let text = response.to_json().expect("test data");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("test data"),
        expected,
        "{text}"
    );
    let back: CardActionResponse = serde_json::from_str(&text).expect("test data");
    assert_eq!(&back, response);
}

#[test]
fn nothing_is_an_empty_object() {
    let empty = CardActionResponse::empty();
    assert_eq!(empty.to_json().unwrap(), "{}");
    check(&empty, json!({}));
    assert_eq!(CardActionResponse::default(), empty);
}

#[test]
fn a_toast_of_each_kind() {
    for (kind, name) in [
        (ToastKind::Info, "info"),
        (ToastKind::Success, "success"),
        (ToastKind::Error, "error"),
        (ToastKind::Warning, "warning"),
    ] {
        let response = CardActionResponse::toast(kind, "Hello");
        assert_eq!(
            response.to_json().unwrap(),
            format!(r#"{{"toast":{{"type":"{name}","content":"Hello"}}}}"#)
        );
        check(
            &response,
            json!({"toast": {"type": name, "content": "Hello"}}),
        );
    }
}

#[test]
fn a_toast_with_i18n() {
    let response = CardActionResponse::empty().with_toast(
        Toast::new(ToastKind::Info, "Hello")
            .i18n("zh_cn", "你好")
            .i18n("en_us", "Hello"),
    );
    check(
        &response,
        json!({"toast": {"type": "info", "content": "Hello",
                         "i18n": {"zh_cn": "你好", "en_us": "Hello"}}}),
    );
}

fn updated_card() -> Card {
    Card::new()
        .title("Done")
        .markdown("Said **hello**.")
        .element(Button::callback("Again", json!({"action": "hello"})))
}

fn updated_card_json() -> Value {
    json!({
        "schema": "2.0",
        "header": {"title": {"tag": "plain_text", "content": "Done"}},
        "body": {"elements": [
            {"tag": "markdown", "content": "Said **hello**."},
            {"tag": "button", "text": {"tag": "plain_text", "content": "Again"},
             "behaviors": [{"type": "callback", "value": {"action": "hello"}}]}
        ]}
    })
}

#[test]
fn a_raw_card_replacing_the_clicked_one() {
    let response = CardActionResponse::card(updated_card());
    check(
        &response,
        json!({"card": {"type": "raw", "data": updated_card_json()}}),
    );
    // Raw JSON from elsewhere goes out unchanged too.
    let from_json = CardActionResponse::card(CallbackCard::raw_json(updated_card_json()));
    assert_eq!(from_json, response);
}

#[test]
fn a_template_card_replacing_the_clicked_one() {
    let template = TemplateCard::new("AAqk1xNnoVXtq")
        .version("1.0.2")
        .variable("name", "Tom");
    check(
        &CardActionResponse::card(template),
        json!({"card": {"type": "template", "data": {
            "template_id": "AAqk1xNnoVXtq",
            "template_version_name": "1.0.2",
            "template_variable": {"name": "Tom"}
        }}}),
    );
    check(
        &CardActionResponse::card(TemplateCard::new("AAqk1xNnoVXtq")),
        json!({"card": {"type": "template", "data": {"template_id": "AAqk1xNnoVXtq"}}}),
    );
}

#[test]
fn a_toast_and_a_card() {
    let response =
        CardActionResponse::toast(ToastKind::Success, "Hello!").with_card(updated_card());
    check(
        &response,
        json!({"toast": {"type": "success", "content": "Hello!"},
               "card": {"type": "raw", "data": updated_card_json()}}),
    );
    // Toast first, then the card: the order of the reference's examples.
    let text = response.to_json().unwrap();
    assert!(text.starts_with(r#"{"toast":{"type":"success","content":"Hello!"},"card":{"type":"raw","data":{"schema":"2.0""#), "{text}");
}

#[test]
fn unknown_parts_of_a_response_are_kept() {
    let odd = json!({
        "toast": {"type": "neon", "content": "x", "duration": 3},
        "card": {"type": "future", "data": {"id": 1}},
        "x_other": [1, 2]
    });
    let response: CardActionResponse = serde_json::from_value(odd.clone()).unwrap();
    let toast = response.toast.as_ref().unwrap();
    assert_eq!(toast.kind, Some(ToastKind::Other("neon".into())));
    assert_eq!(toast.extra["duration"], 3);
    assert!(matches!(response.card, Some(CallbackCard::Other(_))));
    assert_eq!(serde_json::to_value(&response).unwrap(), odd);

    // A template without an id, raw data that is not an object, extra keys: kept as they came.
    for card in [
        json!({"type": "template", "data": {"template_version_name": "1"}}),
        json!({"type": "raw", "data": "not a card"}),
        json!({"type": "raw", "data": {}, "also": true}),
        json!("just a string"),
    ] {
        let response: CardActionResponse =
            serde_json::from_value(json!({"card": card.clone()})).unwrap();
        assert!(
            matches!(response.card, Some(CallbackCard::Other(_))),
            "{card}"
        );
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"card": card})
        );
    }
    assert_eq!(
        serde_json::to_value(CallbackCard::raw_json(json!("x"))).unwrap(),
        json!({"type": "raw", "data": "x"})
    );
    // Not an object at all is refused.
    assert!(serde_json::from_str::<CardActionResponse>("[]").is_err());
}
