//! Card samples written from the reference (`tests/fixtures/cards/`) decode and encode back to
//! exactly the same JSON, as a `Card` and through the `interactive` message content: typed
//! where this version knows the element, kept raw (or in `extra`) where it does not, or where
//! the JSON has another shape. Bad input is an error, never a panic.

use lark_im_message::card::{
    ButtonSize, Card, CardElement, CardText, HeaderTemplate, Markdown, TemplateCard,
};
use lark_im_message::content::{InteractiveContent, MessageContent};
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/cards/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Decodes `name` as a card, checks it encodes back to the same JSON (directly and through
/// `interactive` content), and returns it.
fn round_trip(name: &str) -> Card {
    let text = fixture(name);
    let original: Value = serde_json::from_str(&text).expect("test data");
    let card: Card = serde_json::from_str(&text).expect("test data");
    assert_eq!(
        serde_json::to_value(&card).expect("test data"),
        original,
        "{name}: as a Card"
    );

    let MessageContent::Interactive(received) =
        MessageContent::decode("interactive", &text).expect("test data")
    else {
        panic!("{name}: not interactive content");
    };
    let from_content = Card::from_content(&received).expect("test data");
    assert_eq!(from_content, card);
    let sent = from_content
        .to_content()
        .expect("test data")
        .to_content_string()
        .expect("test data");
    assert_eq!(
        serde_json::from_str::<Value>(&sent).expect("test data"),
        original,
        "{name}: through interactive content"
    );
    card
}

fn body(card: &Card) -> &[CardElement] {
    &card.body.as_ref().expect("body").elements
}

#[test]
fn welcome_card_round_trips_with_every_element_typed() {
    let card = round_trip("welcome_v2.json");
    assert_eq!(card.schema.as_deref(), Some("2.0"));
    let config = card.config.as_ref().unwrap();
    assert_eq!(config.update_multi, Some(true));
    assert_eq!(config.extra["width_mode"], "fill");
    let header = card.header.as_ref().unwrap();
    assert_eq!(header.title, Some(CardText::plain("Welcome")));
    assert_eq!(header.template, Some(HeaderTemplate::Blue));
    assert!(header.extra.contains_key("icon"));

    let elements = body(&card);
    assert_eq!(elements.len(), 6);
    let tags: Vec<_> = elements.iter().map(|e| e.tag().unwrap()).collect();
    assert_eq!(
        tags,
        ["markdown", "div", "hr", "img", "button", "column_set"]
    );
    assert!(elements.iter().all(|e| !matches!(e, CardElement::Raw(_))));
    let CardElement::Button(button) = &elements[4] else {
        panic!()
    };
    assert_eq!(
        button.behaviors[0].value,
        Some(json!({"action": "hello", "n": 1}))
    );
    assert_eq!(button.size, Some(ButtonSize::Medium));
    assert_eq!(button.extra["element_id"], "hello_btn");
    assert!(button.confirm.is_some());
    let CardElement::ColumnSet(set) = &elements[5] else {
        panic!()
    };
    assert_eq!(set.columns.len(), 2);
    assert_eq!(set.columns[1].weight, Some(2));
    assert!(matches!(set.columns[1].elements[0], CardElement::Button(_)));
}

#[test]
fn form_card_round_trips_with_its_fields_typed() {
    let card = round_trip("form_v2.json");
    let [CardElement::Form(form)] = body(&card) else {
        panic!("one form")
    };
    assert_eq!(form.name, "leave_form");
    let tags: Vec<_> = form.elements.iter().map(|e| e.tag().unwrap()).collect();
    assert_eq!(
        tags,
        [
            "input",
            "select_static",
            "select_person",
            "date_picker",
            "button",
            "button"
        ]
    );
    assert!(form
        .elements
        .iter()
        .all(|e| !matches!(e, CardElement::Raw(_))));
    let CardElement::Input(input) = &form.elements[0] else {
        panic!()
    };
    assert_eq!(input.extra["max_length"], 200);
    let CardElement::SelectPerson(people) = &form.elements[2] else {
        panic!()
    };
    assert_eq!(people.options.len(), 2);
    let CardElement::Button(submit) = &form.elements[4] else {
        panic!()
    };
    assert_eq!(submit.form_action_type.as_ref().unwrap().as_str(), "submit");
}

#[test]
fn unknown_and_malformed_parts_are_kept_exactly() {
    let card = round_trip("unknown_v2.json");
    assert!(card.extra.contains_key("card_link"));
    // An explicit null is not typed (it would not come back) but kept.
    let config = card.config.as_ref().unwrap();
    assert_eq!(config.update_multi, None);
    assert_eq!(config.extra["update_multi"], Value::Null);
    // A title given only in other languages.
    let title = card.header.as_ref().unwrap().title.as_ref().unwrap();
    assert_eq!(title.content, None);
    assert!(title.extra.contains_key("i18n_content"));
    assert_eq!(
        card.header.as_ref().unwrap().template,
        Some(HeaderTemplate::Other("sunflower".into()))
    );

    let elements = body(&card);
    let raw: Vec<usize> = elements
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, CardElement::Raw(_)))
        .map(|(i, _)| i)
        .collect();
    // chart, collapsible_panel (unknown tags); markdown without text or with a number; an image
    // without a key; no tag; not an object; a tag that is not a string.
    assert_eq!(raw, [0, 1, 2, 3, 4, 9, 10, 11]);
    let CardElement::Div(div) = &elements[5] else {
        panic!()
    };
    assert_eq!(div.text, None);
    assert_eq!(div.extra["text"], Value::Null);
    let CardElement::Button(button) = &elements[6] else {
        panic!()
    };
    assert!(button.behaviors.is_empty());
    assert_eq!(button.extra["behaviors"], json!([]));
    assert_eq!(button.size, Some(ButtonSize::Other("huge".into())));
    // A column whose weight is not an integer keeps it in `extra`; a list with a non-column
    // stays whole in the set's `extra`.
    let CardElement::ColumnSet(set) = &elements[7] else {
        panic!()
    };
    assert!(set.columns.is_empty());
    assert_eq!(set.extra["columns"][0]["weight"], json!(1.5));
    let CardElement::SelectStatic(select) = &elements[8] else {
        panic!()
    };
    assert!(
        select.options.is_empty(),
        "an option without a value is kept raw"
    );
}

#[test]
fn a_json_1_0_card_and_a_card_entity_round_trip() {
    let v1 = round_trip("v1_card.json");
    assert_eq!(v1.schema, None);
    assert!(v1.body.is_none());
    assert_eq!(v1.extra["elements"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        v1.header.as_ref().unwrap().template,
        Some(HeaderTemplate::Orange)
    );
    let entity = round_trip("card_entity.json");
    assert_eq!(entity.extra["type"], "card");
}

#[test]
fn template_content_round_trips() {
    let text = fixture("template.json");
    let original: Value = serde_json::from_str(&text).unwrap();
    let template: TemplateCard = serde_json::from_value(original["data"].clone()).unwrap();
    assert_eq!(template.template_id, "AAqk1xNnoVXtq");
    assert_eq!(template.template_version_name.as_deref(), Some("1.0.2"));
    assert_eq!(template.extra["future_option"], true);
    let sent = template.to_content().unwrap().to_content_string().unwrap();
    assert_eq!(serde_json::from_str::<Value>(&sent).unwrap(), original);
    // The content module's own template constructor gives the same JSON.
    let vars = original["data"]["template_variable"].clone();
    let plain = InteractiveContent::template("AAqk1xNnoVXtq", Some("1.0.2"), Some(vars));
    let typed = TemplateCard::new("AAqk1xNnoVXtq")
        .version("1.0.2")
        .variable("name", "Tom")
        .variable("items", json!([{"k": "a"}]))
        .variable("count", 3);
    assert_eq!(
        typed.to_content().unwrap(),
        MessageContent::Interactive(plain)
    );
}

#[test]
fn editing_a_decoded_card_keeps_what_it_does_not_type() {
    let mut card: Card = serde_json::from_str(&fixture("unknown_v2.json")).unwrap();
    card.elements_mut().push(Markdown::new("added").into());
    card = card.update_multi(true);
    let text = serde_json::to_string(&card).unwrap();
    // The typed value replaces the kept null: one key, not two.
    assert_eq!(text.matches("\"update_multi\"").count(), 1, "{text}");
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["config"]["update_multi"], true);
    assert_eq!(json["body"]["elements"][0]["tag"], "chart");
    assert_eq!(
        json["body"]["elements"][12],
        json!({"tag": "markdown", "content": "added"})
    );
    assert_eq!(json["body"]["padding"], "12px");
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    for bad in ["[]", "\"card\"", "null", "42", "{\"body\": 5"] {
        assert!(serde_json::from_str::<Card>(bad).is_err(), "{bad}");
    }
    // Odd shapes inside an object are kept, not refused.
    for odd in [
        r#"{"body": 5}"#,
        r#"{"body": {"elements": 5}}"#,
        r#"{"header": [], "config": "x", "schema": 2}"#,
        r#"{"body": {"elements": [null, [], {"tag": null}]}}"#,
    ] {
        let card: Card = serde_json::from_str(odd).unwrap();
        assert_eq!(
            serde_json::to_value(&card).unwrap(),
            serde_json::from_str::<Value>(odd).unwrap()
        );
    }
    // Nesting deeper than the JSON parser's recursion limit is refused, not a stack overflow.
    let depth = 5_000;
    let deep = format!(
        "{}{}",
        r#"{"tag":"column_set","columns":[{"tag":"column","elements":["#.repeat(depth),
        "]}]}".repeat(depth)
    );
    let card = format!(r#"{{"body":{{"elements":[{deep}]}}}}"#);
    let refused = serde_json::from_str::<Card>(&card).unwrap_err();
    eprintln!(
        "{depth} nested column sets ({} bytes): {refused}",
        card.len()
    );
    assert!(refused.to_string().contains("recursion limit"), "{refused}");
}
