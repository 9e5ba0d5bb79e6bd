//! The `long_connection` example as a user runs it: one JSON line per event on stdout, exit 0
//! after a graceful shutdown on SIGINT, exit 1 with the reason on stderr when refused for good.
//!
//! `cargo test` builds the example (its required feature is on whenever this test is); it is
//! found beside the test binary, in `target/<profile>/examples/`, and refused when older than
//! its sources.
#![cfg(all(feature = "long-connection", unix))]

mod long_connection_support;

use std::path::PathBuf;
use std::process::Stdio;

use long_connection_support::*;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let path = profile_dir.join("examples").join("long_connection");
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("build the example first: {}", path.display()));
    // `cargo test --test long_connection_example` alone does not rebuild examples: refuse to
    // test a binary older than the code it is built from.
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The long connection lives in the runtime crate, beside this one.
    let sources = std::fs::read_dir(manifest.join("../lark-runtime/src/events/long_connection"))
        .expect("sources")
        .map(|e| e.expect("entry").path())
        .chain([manifest.join("examples/long_connection.rs")]);
    for source in sources {
        let changed = std::fs::metadata(&source)
            .and_then(|m| m.modified())
            .expect("mtime");
        assert!(
            changed <= built,
            "the example is older than {}: run `cargo build --example long_connection --features long-connection`",
            source.display()
        );
    }
    path
}

fn run(platform: &LongConnectionServer) -> Child {
    Command::new(example())
        .env("LARK_APP_ID", APP_ID)
        .env("LARK_APP_SECRET", APP_SECRET)
        .env("LARK_BASE_URL", platform.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("example starts")
}

#[tokio::test]
async fn prints_one_json_line_per_event_and_exits_0_on_sigint() {
    let mut platform = LongConnectionServer::start().await;
    let mut child = run(&platform);
    let mut conn = platform.accept().await;
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for (name, id) in [("im.chat.updated_v1", "ev_a"), ("p2p_chat_create", "ev_b")] {
        conn.send_event(&fixture(name, id)).await;
        assert_eq!(Ack::code_of(&conn.recv_ack().await), 200);
        let line = lines.next_line().await.expect("read").expect("a line");
        let value: Value = serde_json::from_str(&line).expect("one JSON document per line");
        assert_eq!(
            value,
            serde_json::json!({"event_type": name, "event_id": id})
        );
    }
    let pid = child.id().expect("running").to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    conn.closed().await;
    drop(conn);
    let status = tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("exits in time")
        .expect("status");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn exits_1_with_the_reason_when_refused_for_good() {
    let platform = LongConnectionServer::start().await;
    platform.refuse_always(Refusal {
        http_status: 403,
        headers: vec![("Handshake-Status", "403".into())],
    });
    let child = run(&platform);
    let output = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .expect("exits in time")
        .expect("output");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("handshake refused"), "{stderr}");
    assert!(
        !stderr.contains(APP_SECRET) && !stderr.contains(ACCESS_KEY),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}
