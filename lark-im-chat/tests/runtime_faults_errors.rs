//! Faults against real HTTP servers on 127.0.0.1, business errors and malformed bodies: typed
//! errors with their evidence, missing scopes.

mod runtime_faults_support;

use lark_im_chat::prelude::*;
use lark_im_chat::{meta::OperationMeta, Error, ErrorCode};
use runtime_faults_support::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn http_200_with_a_non_zero_code_is_an_error_and_not_retried() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "202411251030450001")
                .set_body_json(json!({
                    "code": 232011, "msg": "operator is not in the chat",
                    "error": {"log_id": "202411251030450001", "troubleshooter": "https://open.feishu.cn/search?log_id=202411251030450001"}
                })),
        )
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code, 232011);
    assert_eq!(api.status, 200);
    assert_eq!(api.msg, "operator is not in the chat");
    assert_eq!(api.log_id.as_deref(), Some("202411251030450001"));
    assert!(api
        .detail
        .as_ref()
        .and_then(|d| d.troubleshooter.as_deref())
        .is_some());
    assert_eq!(
        ErrorCode::from(api.code).meaning(),
        Some("operator is not a member of the chat")
    );
    assert!(!err.is_retryable());
    assert_eq!(api_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_typed_error_with_status_log_id_path_and_raw_body() {
    let server = server().await;
    let truncated = r#"{"code":0,"msg":"success","data":{"name":"Incident 47"#;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log-truncated")
                .set_body_string(truncated),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/chats/oc_wrong_type"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "log-wrong-type")
                .set_body_json(json!({"code": 0, "msg": "success", "data": {
                    "name": "ok", "restricted_mode_setting": {"status": "yes"}
                }})),
        )
        .mount(&server)
        .await;
    let client = client_with(&server, fast_policy());

    let err = client.chat(CHAT).get().send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.operation, "chat.get");
    assert_eq!(d.status, 200);
    assert_eq!(d.log_id.as_deref(), Some("log-truncated"));
    assert_eq!(d.body, truncated);
    assert_eq!(d.path, "");
    assert!(!err.is_retryable());

    let err = client.chat("oc_wrong_type").get().send().await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "data.restricted_mode_setting.status");
    assert_eq!(d.code, Some(0));
    assert_eq!(d.log_id.as_deref(), Some("log-wrong-type"));
    assert!(d.body.contains(r#""status":"yes""#), "{}", d.body);
    assert!(
        err.to_string()
            .contains("data.restricted_mode_setting.status"),
        "{err}"
    );
}

#[tokio::test]
async fn permission_errors_name_the_scopes_the_operation_needs() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(CHAT_PATH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 99991672,
            "msg": "Access denied. One of the following scopes is required: [im:chat:readonly, im:chat]",
            "error": {"permission_violations": [
                {"type": "action_scope_required", "subject": "im:chat:readonly", "description": "read chat"}
            ]}
        })))
        .mount(&server)
        .await;
    let err = client_with(&server, fast_policy())
        .chat(CHAT)
        .get()
        .send()
        .await
        .unwrap_err();
    assert!(err.is_permission_error());
    assert!(!err.is_retryable());
    let chat_get: &OperationMeta = lark_im_chat::meta::operation("chat.get").expect("chat.get");
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.required_scopes, chat_get.scopes);
    assert_eq!(api.missing_scopes(), ["im:chat:readonly"]);
    let text = err.to_string();
    for scope in chat_get.scopes {
        assert!(text.contains(scope), "{text}");
    }
    assert!(
        text.contains("missing scope(s): im:chat:readonly"),
        "{text}"
    );
    assert_eq!(
        ErrorCode::from(api.code).meaning(),
        Some("app has not been granted the required scope")
    );
}
