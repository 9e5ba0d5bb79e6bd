//! The `welcome_bot` example as a user runs it, against the runtime's stand-ins on 127.0.0.1 (a
//! `LongConnectionServer` passing the REST calls on to a scripted `MockPlatform`, one base URL): a welcome mentioning the operator, sent once per event with a uuid (a
//! retried send keeps it, a redelivered event sends nothing more), the `help` reply, one JSON
//! line per handled event, exit 0 on SIGTERM, and no secret in its output with `RUST_LOG=trace`.
//!
//! `cargo test --all-features` builds the example beside the test binary
//! (`target/<profile>/examples/welcome_bot`); a binary older than its source is refused.
#![cfg(all(feature = "long-connection", unix))]

use std::path::PathBuf;
use std::process::Stdio;

use lark_im_message::testing::{
    Answer, LongConnectionServer, MockPlatform, MOCK_APP_ID, MOCK_APP_SECRET, MOCK_TENANT_TOKEN,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const PATIENCE: std::time::Duration = std::time::Duration::from_secs(15);

const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
const OPERATOR: &str = "ou_7d8a6e6df7621556ce0d21922b676706ccs";

fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = profile_dir.join("examples").join("welcome_bot");
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("build the example first: {}", path.display()));
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/welcome_bot.rs");
    let changed = std::fs::metadata(&source)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert!(
        changed <= built,
        "the example is older than its source: run `cargo build -p lark-im-message --features long-connection --example welcome_bot`"
    );
    path
}

fn run(server: &LongConnectionServer) -> Child {
    Command::new(example())
        .env("LARK_APP_ID", MOCK_APP_ID)
        .env("LARK_APP_SECRET", MOCK_APP_SECRET)
        .env("LARK_BASE_URL", server.base_url())
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("example starts")
}

async fn next_line(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>) -> Value {
    let line = tokio::time::timeout(PATIENCE, lines.next_line())
        .await
        .expect("a line in time")
        .expect("read")
        .expect("a line");
    serde_json::from_str(&line).expect("one JSON document per line")
}

/// A schema 2.0 envelope of `event_type` around `event`.
fn envelope(event_type: &str, event_id: &str, event: Value) -> Value {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": event_id, "token": "", "create_time": "1733000000000",
            "event_type": event_type, "tenant_key": "736588c9260f175e", "app_id": MOCK_APP_ID
        },
        "event": event
    })
}

fn click(event_id: &str) -> Value {
    envelope(
        "card.action.trigger",
        event_id,
        json!({
            "operator": {"open_id": OPERATOR, "tenant_key": "736588c9260f175e"},
            "token": "c-295ee57216a5dc9de90fefd0aadb4b1d7d337777",
            "action": {"value": {"action": "hello"}, "tag": "button"},
            "host": "im_message",
            "context": {"open_message_id": "om_reply_1", "open_chat_id": CHAT}
        }),
    )
}

fn bot_added(event_id: &str) -> Value {
    envelope(
        "im.chat.member.bot.added_v1",
        event_id,
        json!({
            "chat_id": CHAT,
            "operator_id": {"open_id": OPERATOR, "union_id": "on_8ed6aa67826108097d9ee143816345", "user_id": "e33ggbyz"},
            "external": false,
            "operator_tenant_key": "736588c9260f175e",
            "name": "Incident 4711"
        }),
    )
}

fn message_received(event_id: &str, message_id: &str, text: &str) -> Value {
    envelope(
        "im.message.receive_v1",
        event_id,
        json!({
            "sender": {"sender_id": {"open_id": OPERATOR}, "sender_type": "user", "tenant_key": "736588c9260f175e"},
            "message": {
                "message_id": message_id, "chat_id": CHAT, "chat_type": "group",
                "message_type": "text", "create_time": "1733000001000",
                "content": json!({"text": text}).to_string()
            }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn welcomes_once_per_event_with_a_mention_and_a_kept_uuid_answers_help_and_stops_on_sigterm()
{
    let platform =
        MockPlatform::start_with(&[&lark_im_chat::FAMILY, &lark_im_message::FAMILY]).await;
    // The first send of the welcome is answered 503: the retry must carry the same uuid.
    let _ = platform
        .on("message.create")
        .then(Answer::status(503))
        .otherwise(Answer::data(
            json!({"message_id": "om_welcome_1", "msg_type": "text"}),
        ));
    let _ = platform.on("message.reply").otherwise(Answer::data(
        json!({"message_id": "om_reply_1", "msg_type": "text"}),
    ));
    let mut server = LongConnectionServer::start_with_api(platform.uri()).await;
    let mut child = run(&server);
    let mut conn = server.accept().await;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();

    conn.push_event(&bot_added("ev_bot_added_1")).await;
    assert_eq!(conn.next_ack().await.code, 200);
    assert_eq!(
        next_line(&mut lines).await,
        json!({"event_type": "im.chat.member.bot.added_v1", "event_id": "ev_bot_added_1"})
    );
    // The same event again (the platform redelivers): acknowledged, nothing sent.
    conn.push_event(&bot_added("ev_bot_added_1")).await;
    assert_eq!(conn.next_ack().await.code, 200);

    conn.push_event(&message_received(
        "ev_msg_1",
        "om_help_1",
        "@_user_1 help please",
    ))
    .await;
    assert_eq!(conn.next_ack().await.code, 200);
    assert_eq!(
        next_line(&mut lines).await,
        json!({"event_type": "im.message.receive_v1", "event_id": "ev_msg_1"})
    );
    conn.push_event(&message_received("ev_msg_2", "om_hello_2", "hello there"))
        .await;
    assert_eq!(conn.next_ack().await.code, 200);
    assert_eq!(
        next_line(&mut lines).await,
        json!({"event_type": "im.message.receive_v1", "event_id": "ev_msg_2"})
    );

    let requests = platform.requests();
    let sends: Vec<_> = requests
        .iter()
        .filter(|r| r.path == "/open-apis/im/v1/messages")
        .collect();
    assert_eq!(
        sends.len(),
        2,
        "one welcome, sent twice (503 then 200): {requests:#?}"
    );
    for send in &sends {
        assert_eq!(send.query_value("receive_id_type"), Some("chat_id"));
        assert_eq!(send.json()["receive_id"], CHAT);
        assert_eq!(send.json()["msg_type"], "text");
        let content: Value = serde_json::from_str(
            send.json()["content"]
                .as_str()
                .expect("content is a string"),
        )
        .expect("content JSON");
        let text = content["text"].as_str().expect("text");
        assert!(
            text.contains(&format!("<at user_id=\"{OPERATOR}\">")),
            "{text}"
        );
    }
    let first = sends[0].json();
    let uuid = first["uuid"].as_str().expect("a uuid");
    assert!(!uuid.is_empty() && uuid.len() <= 50);
    assert_eq!(
        sends[1].json()["uuid"],
        sends[0].json()["uuid"],
        "the retry keeps its uuid"
    );

    let replies: Vec<_> = requests
        .iter()
        .filter(|r| r.path.ends_with("/reply"))
        .collect();
    assert_eq!(
        replies.len(),
        1,
        "only `help` is answered so far: {requests:#?}"
    );
    assert_eq!(replies[0].path, "/open-apis/im/v1/messages/om_help_1/reply");
    assert_eq!(replies[0].json()["msg_type"], "text");
    assert!(replies[0].json()["uuid"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));

    // `card` → an interactive reply with the hello button; a click on it → a success toast
    // saying hello and an updated card, in the ack's data.
    conn.push_event(&message_received("ev_msg_3", "om_card_3", "show me a card"))
        .await;
    assert_eq!(conn.next_ack().await.code, 200);
    assert_eq!(
        next_line(&mut lines).await,
        json!({"event_type": "im.message.receive_v1", "event_id": "ev_msg_3"})
    );
    let card_reply = platform
        .requests()
        .into_iter()
        .find(|r| r.path == "/open-apis/im/v1/messages/om_card_3/reply")
        .expect("a card reply");
    assert_eq!(card_reply.json()["msg_type"], "interactive");
    let card: Value = serde_json::from_str(card_reply.json()["content"].as_str().expect("content"))
        .expect("card JSON");
    assert!(
        card.to_string().contains(r#"{"action":"hello"}"#),
        "the button's callback value: {card}"
    );
    conn.push_card(&click("ev_click_1")).await;
    let ack = conn.next_ack().await;
    assert_eq!(ack.code, 200);
    assert!(ack.biz_rt_ms.is_some());
    // The ack's `data` is the base64 of the response JSON; `Ack` decodes it.
    let response: Value = ack.data.expect("the response in data");
    assert_eq!(response["toast"]["type"], "success");
    assert!(
        response["toast"]["content"]
            .as_str()
            .is_some_and(|t| t.contains("Hello")),
        "{response}"
    );
    assert_eq!(response["card"]["type"], "raw");
    assert!(
        response["card"]["data"].to_string().contains("Said hello"),
        "{response}"
    );
    assert_eq!(
        next_line(&mut lines).await,
        json!({"event_type": "card.action.trigger", "event_id": "ev_click_1"})
    );

    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    conn.closed().await;
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("exits in time")
        .expect("status");
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    while let Ok(Some(line)) = lines.next_line().await {
        rest.push_str(&line);
    }
    assert!(rest.is_empty(), "nothing more on stdout: {rest}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .await
        .expect("stderr");
    for secret in [
        MOCK_APP_SECRET,
        MOCK_TENANT_TOKEN,
        LongConnectionServer::ACCESS_KEY,
        LongConnectionServer::TICKET,
    ] {
        assert!(!stderr.contains(secret), "{secret} in stderr: {stderr}");
    }
}
