//! `RedisServer`: a missing binary is a clear error, not a hang or a panic; a present one
//! starts, answers, stops and restarts on the same port.
#![cfg(feature = "testing")]

use lark_runtime::testing::RedisServer;

#[test]
fn a_missing_binary_is_named_with_how_to_install_it() {
    let dir = std::env::temp_dir().join(format!("no-redis-{}", std::process::id()));
    let missing = dir.join("redis-server");
    let error = RedisServer::start_binary(&missing).expect_err("no binary there");
    eprintln!("{error}");
    assert!(
        error.contains("cannot run the redis-server binary"),
        "{error}"
    );
    assert!(error.contains(&*missing.to_string_lossy()), "{error}");
    assert!(error.contains("apt-get install redis-server"), "{error}");
}

#[test]
fn a_missing_binary_on_an_empty_path_is_the_same_clear_error() {
    // In a child process, so this process's PATH stays as it is.
    if std::env::var_os("REDIS_SERVER_EMPTY_PATH_CHILD").is_some() {
        assert!(!RedisServer::available());
        let error = RedisServer::start().expect_err("nothing on the PATH");
        assert!(error.contains("apt-get install redis-server"), "{error}");
        return;
    }
    let empty = std::env::temp_dir().join(format!("empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temp dir");
    let status = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_missing_binary_on_an_empty_path_is_the_same_clear_error",
            "--nocapture",
        ])
        .env("REDIS_SERVER_EMPTY_PATH_CHILD", "1")
        .env("PATH", &empty)
        .status()
        .expect("child test");
    let _ = std::fs::remove_dir(&empty);
    assert!(status.success(), "the child run failed: {status}");
}

#[test]
fn starts_stops_and_restarts_on_the_same_port() {
    if !RedisServer::available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let mut server = RedisServer::start().expect("start");
    assert!(server.command("SET k v").expect("set").starts_with("+OK"));
    let port = server.port();
    server.stop();
    assert!(server.command("PING").is_err());
    server.restart().expect("restart");
    assert_eq!(server.port(), port);
    assert_eq!(server.command("DBSIZE").expect("dbsize"), ":0\r\n");
    assert!(server.url().ends_with(&format!(":{port}/")));
}
