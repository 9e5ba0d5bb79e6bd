//! The scripted `MockPlatform`, driven over raw HTTP for a family this test defines (the
//! runtime names no family): queues then a default, path and query rules, pages, headers,
//! delays, dropped connections, unanswered requests, request decoders and expectations.
#![cfg(feature = "testing")]

use lark_runtime::drift::shape::{Field, Object, Operation};
use lark_runtime::meta::{ErrorClasses, Family, HttpMethod, KeyLocation, OperationMeta, TokenType};
use lark_runtime::testing::{Answer, MockPlatform};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

static LIST_DATA: Object = Object {
    name: "WidgetList",
    // Sorted by wire name, as the generator sorts them.
    fields: &[
        Field::any("has_more"),
        Field::any("page_token"),
        Field::any("widgets").array(),
    ],
};
static LIST_SHAPE: Operation = Operation {
    id: "widget.list",
    data: &LIST_DATA,
};
static GET_SHAPE: Operation = Operation {
    id: "widget.get",
    data: &Object::EMPTY,
};
static SEARCH_SHAPE: Operation = Operation {
    id: "widget.search",
    data: &Object::EMPTY,
};

const fn op(
    id: &'static str,
    method: HttpMethod,
    path: &'static str,
    shape: &'static Operation,
) -> OperationMeta {
    OperationMeta::new(
        id,
        "",
        method,
        path,
        &[TokenType::Tenant],
        &[],
        &[],
        &[],
        "",
        None,
        KeyLocation::Body,
        true,
        &[],
        &ErrorClasses::NONE,
        shape,
    )
}

static LIST: OperationMeta = op(
    "widget.list",
    HttpMethod::Get,
    "/open-apis/w/v1/widgets",
    &LIST_SHAPE,
);
static GET: OperationMeta = op(
    "widget.get",
    HttpMethod::Get,
    "/open-apis/w/v1/widgets/:id",
    &GET_SHAPE,
);
static SEARCH: OperationMeta = op(
    "widget.search",
    HttpMethod::Get,
    "/open-apis/w/v1/widgets/search",
    &SEARCH_SHAPE,
);
static CREATE: OperationMeta = op(
    "widget.create",
    HttpMethod::Post,
    "/open-apis/w/v1/widgets",
    &GET_SHAPE,
);
static WIDGETS: Family = Family::new(
    "widgets",
    "Widgets",
    &[&LIST, &GET, &SEARCH, &CREATE],
    &[],
    &ErrorClasses::NONE,
);

async fn get(platform: &MockPlatform, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = reqwest::get(format!("{}{path}", platform.uri()))
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn queued_answers_come_in_order_then_the_default() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform
        .on("widget.get")
        .then(Answer::status(503))
        .then(Answer::rate_limited(7).header("Retry-After", "8"))
        .then_data(json!({"name": "first"}))
        .otherwise(Answer::error(1234, "gone").with_status(200));
    platform.expect("widget.get").times(4);
    let (s1, _, _) = get(&platform, "/open-apis/w/v1/widgets/w1").await;
    let (s2, h2, b2) = get(&platform, "/open-apis/w/v1/widgets/w1").await;
    let (s3, _, b3) = get(&platform, "/open-apis/w/v1/widgets/w1").await;
    let (s4, h4, b4) = get(&platform, "/open-apis/w/v1/widgets/w1").await;
    assert_eq!((s1, s2, s3, s4), (503, 429, 200, 200));
    assert_eq!(h2["x-ogw-ratelimit-reset"], "7");
    assert_eq!(h2["retry-after"], "8");
    assert_eq!(b2["code"], 99991400);
    assert_eq!(
        b3,
        json!({"code": 0, "msg": "success", "data": {"name": "first"}})
    );
    assert_eq!(
        (b4["code"].as_i64(), b4["msg"].as_str()),
        (Some(1234), Some("gone"))
    );
    assert_eq!(h4["x-tt-logid"], "mock-widget.get");
    platform.verify();
}

#[tokio::test]
async fn path_and_query_rules_answer_before_the_operations_plain_rule() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform
        .on("widget.get")
        .otherwise(Answer::data(json!({"who": "any"})));
    let _ = platform
        .on("widget.get")
        .path("/open-apis/w/v1/widgets/w 2")
        .then_data(json!({"who": "w 2 once"}));
    let _ = platform
        .on("widget.list")
        .query("kind", "round")
        .otherwise(Answer::data(json!({"who": "round"})));
    let _ = platform
        .on("widget.list")
        .otherwise(Answer::data(json!({"who": "all"})));
    let _ = platform
        .on("widget.search")
        .otherwise(Answer::data(json!({"who": "search"})));
    let who = |b: Value| b["data"]["who"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets/w%202").await.2),
        "w 2 once"
    );
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets/w%202").await.2),
        "any"
    );
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets/w3").await.2),
        "any"
    );
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets?kind=round&x=1")
            .await
            .2),
        "round"
    );
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets?kind=square")
            .await
            .2),
        "all"
    );
    // A literal segment fits better than a parameter.
    assert_eq!(
        who(get(&platform, "/open-apis/w/v1/widgets/search").await.2),
        "search"
    );
    assert_eq!(platform.requests_for("widget.search").len(), 1);
    assert_eq!(platform.requests_for(&GET).len(), 3);
}

#[tokio::test]
async fn pages_follow_page_token_into_the_shapes_array_field() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform
        .on("widget.list")
        .pages((1..=5).map(|n| json!({"n": n})), 2);
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..5 {
        let path = match &token {
            Some(t) => format!("/open-apis/w/v1/widgets?page_size=2&page_token={t}"),
            None => "/open-apis/w/v1/widgets?page_size=2".to_owned(),
        };
        let (_, _, body) = get(&platform, &path).await;
        let data = &body["data"];
        seen.extend(
            data["widgets"]
                .as_array()
                .expect("widgets")
                .iter()
                .map(|w| w["n"].clone()),
        );
        if data["has_more"] != true {
            assert!(data.get("page_token").is_none());
            break;
        }
        token = data["page_token"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, [1, 2, 3, 4, 5].map(Value::from));
    assert_eq!(platform.requests_for("widget.list").len(), 3);
    let (status, _, body) = get(&platform, "/open-apis/w/v1/widgets?page_token=forged").await;
    assert_eq!(status, 400);
    assert!(body["msg"].as_str().expect("msg").contains("forged"));
}

#[tokio::test]
async fn delays_and_dropped_connections() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform
        .on("widget.get")
        .then(Answer::dropped())
        .then(Answer::data(json!({})).delay(Duration::from_millis(300)));
    let url = format!("{}/open-apis/w/v1/widgets/w1", platform.uri());
    let dropped = reqwest::get(&url).await;
    assert!(
        dropped.is_err(),
        "a dropped connection is a transport error: {dropped:?}"
    );
    let start = Instant::now();
    let late = reqwest::get(&url).await.expect("late answer");
    eprintln!(
        "delayed answer after {:?} (300 ms scripted)",
        start.elapsed()
    );
    assert_eq!(late.status(), 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn unanswered_requests_name_their_operation_and_requests_decode() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let (status, _, body) = get(&platform, "/open-apis/w/v1/widgets/w9").await;
    assert_eq!(status, 404);
    let msg = body["msg"].as_str().expect("msg");
    assert!(
        msg.contains("widget.get") && msg.contains("/open-apis/w/v1/widgets/w9"),
        "{msg}"
    );
    let (_, _, body) = get(&platform, "/open-apis/nowhere").await;
    assert!(body["msg"]
        .as_str()
        .expect("msg")
        .contains("no operation fits GET /open-apis/nowhere"));
    let unanswered = platform.unanswered();
    assert_eq!(unanswered.len(), 2);
    assert_eq!(unanswered[0].operation, Some("widget.get"));

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Create {
        name: String,
    }
    let _ = platform
        .on("widget.create")
        .otherwise(Answer::data(json!({})));
    reqwest::Client::new()
        .post(format!(
            "{}/open-apis/w/v1/widgets?user_id_type=open_id",
            platform.uri()
        ))
        .header("x-request-id", "r-1")
        .json(&json!({"name": "gear"}))
        .send()
        .await
        .expect("post");
    let sent = &platform.requests_for("widget.create")[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.query_value("user_id_type"), Some("open_id"));
    assert_eq!(sent.header("X-Request-Id"), Some("r-1"));
    assert_eq!(sent.json(), json!({"name": "gear"}));
    assert_eq!(
        sent.decode::<Create>().expect("typed"),
        Create {
            name: "gear".into()
        }
    );
    assert!(sent.multipart().is_err());
}

#[tokio::test]
async fn multipart_uploads_are_recorded_part_by_part() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform
        .on("widget.create")
        .otherwise(Answer::data(json!({})));
    // Shaped by hand as a client shapes it (reqwest's multipart feature is not needed here).
    let mut body =
        b"--b0undary\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nimage\r\n".to_vec();
    body.extend_from_slice(b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"w.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(&[0, 1, 2, 255]);
    body.extend_from_slice(b"\r\n--b0undary--\r\n");
    reqwest::Client::new()
        .post(format!("{}/open-apis/w/v1/widgets", platform.uri()))
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .expect("post");
    let parts = platform.requests_for("widget.create")[0]
        .multipart()
        .expect("multipart");
    assert_eq!(parts.len(), 2);
    assert_eq!(
        (parts[0].name.as_str(), parts[0].text().as_str()),
        ("kind", "image")
    );
    assert_eq!(parts[1].file_name.as_deref(), Some("w.bin"));
    assert_eq!(
        parts[1].content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(parts[1].bytes, [0, 1, 2, 255]);
}

#[tokio::test]
async fn expectations_fail_with_the_operation_and_counts() {
    let platform = MockPlatform::start_with(&[&WIDGETS]).await;
    let _ = platform.on("widget.get").otherwise(Answer::data(json!({})));
    platform.expect("widget.get").times(2);
    platform.expect("widget.list").at_least(1);
    get(&platform, "/open-apis/w/v1/widgets/w1").await;
    let failed = platform.try_verify().expect_err("unmet");
    eprintln!("{failed}");
    assert!(
        failed.contains("widget.get: expected 2 request(s), got 1"),
        "{failed}"
    );
    assert!(
        failed.contains("widget.list: expected at least 1 request(s), got 0"),
        "{failed}"
    );
    // Dropping checks too: the panic names the operation.
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(platform)));
    let message = dropped.expect_err("drop panics");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("widget.get: expected 2"), "{text}");
}
