//! Shared parts of the durable tests: deliveries, dispatchers with a durable queue, counts
//! kept in Redis, and a persisting `redis-server` that can be killed and restarted.

#![allow(dead_code)]

use lark_im_chat::events::dispatch::{Dispatcher, Outcome};
use lark_im_chat::events::durable::{DurableOptions, DurableQueue};
use lark_im_chat::events::ChatUpdatedV1;
use lark_im_chat::prelude::*;
use lark_im_chat::redis::{RedisConnection, RedisDurable, RedisOptions};
use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const APP_ID: &str = "cli_durable0000001";

/// A plaintext `im.chat.updated_v1` event with id `id`.
pub fn event(id: &str) -> Vec<u8> {
    serde_json::json!({
        "schema": "2.0",
        "header": {"event_id": id, "event_type": "im.chat.updated_v1", "app_id": APP_ID,
                   "create_time": "1603977298000000", "tenant_key": "2ca1d211f64f6438"},
        "event": {"chat_id": "oc_413871c6cde5ed1f1d6ad2f8e07e9b55"}
    })
    .to_string()
    .into_bytes()
}

/// Options for tests: short deadlines and backoff, generous for a loaded machine.
pub fn quick_options() -> DurableOptions {
    DurableOptions::default()
        .attempt_deadline(Duration::from_secs(2))
        .visibility_timeout(Duration::from_secs(3))
        .backoff_base(Duration::from_millis(20))
        .backoff_max(Duration::from_millis(200))
        .poll_interval(Duration::from_millis(20))
        .shutdown_grace(Duration::from_secs(2))
}

pub fn connection(url: &str) -> RedisConnection {
    let options = RedisOptions::default()
        .retry_interval(Duration::from_millis(50))
        .command_timeout(Duration::from_millis(1500));
    RedisConnection::with_options(url, options).expect("url")
}

pub fn redis_queue(url: &str, options: DurableOptions) -> DurableQueue {
    DurableQueue::from(RedisDurable::new(&connection(url), APP_ID)).options(options)
}

/// A dispatcher whose `im.chat.updated_v1` handler is durable and calls `handler` with the
/// event id.
pub fn dispatcher<F, Fut>(queue: DurableQueue, handler: F) -> Dispatcher
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    Dispatcher::builder()
        .durable_queue(queue)
        .on_chat_updated(move |e| {
            let handler = handler.clone();
            async move { handler(e.header.event_id.clone()).await.map_err(Into::into) }
        })
        .durable::<ChatUpdatedV1>()
        .build()
        .expect("dispatcher")
}

/// Dispatches `id` and returns the outcome.
pub async fn deliver(dispatcher: &Dispatcher, id: &str) -> Outcome {
    dispatcher.dispatch_plaintext(&event(id)).await
}

/// A plain async Redis connection for counting from handlers.
pub async fn counter(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connect")
}

/// Polls `check` every 20 ms until it holds or `within` passes; returns whether it held.
pub async fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check()
}

/// A `redis-server` writing every command to its append-only file (`appendfsync always`), so
/// that a SIGKILL and a restart lose nothing it acknowledged.
pub struct PersistentRedis {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl PersistentRedis {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = std::env::temp_dir().join(format!("durable-redis-{port}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut server = Self {
            port,
            dir,
            child: None,
        };
        server.spawn();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if let Ok(c) = redis::Client::open(self.url()).and_then(|c| c.get_connection()) {
                let mut c = c;
                if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start");
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port, from the append-only file.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for PersistentRedis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Shared per-id counts in this process.
pub type Counts = Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>>;

pub fn bump(counts: &Counts, id: &str) -> u32 {
    let mut counts = counts.lock().expect("lock");
    let n = counts.entry(id.to_owned()).or_insert(0);
    *n += 1;
    *n
}
