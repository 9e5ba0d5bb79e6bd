//! Four worker processes (this test binary run again with `DURABLE_WORKER=1`) share one Redis
//! stream: 1,000 events handled exactly once in all, counted in Redis; the worker that takes
//! the "victim" event is killed with SIGKILL in the middle of its handler, and another worker
//! finishes that event after the visibility timeout.
//!
//! The one exception to "exactly once" is the documented window: an entry whose handler had
//! returned in the killed process but whose completion had not reached Redis is handled again.
//! The test reads what the killed worker held at the kill and allows a second run only there.

#![cfg(feature = "redis")]

#[path = "support/redis_server.rs"]
mod redis_server;

mod durable_support;

use durable_support::*;
use lark_im_chat::events::dispatch::Outcome;
use redis::AsyncCommands;
use redis_server::RedisServer;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TEST: &str = "durable_four_processes_handle_1000_events_exactly_once_despite_sigkill";
const EVENTS: usize = 1000;
const VICTIM: &str = "ev-victim";
const WORKERS: usize = 4;

/// The child's part: a worker that counts each handled event in Redis (`INCR count:<id>`),
/// and hangs in the handler of the victim event (until killed), until `stop` is set.
fn worker_main(url: String, name: String) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let con = counter(&url).await;
        let (handler_con, victim_name) = (con.clone(), name.clone());
        let dispatcher = dispatcher(redis_queue(&url, quick_options()), move |id: String| {
            let (mut con, name) = (handler_con.clone(), victim_name.clone());
            async move {
                // Some work (20 ms) before the count, as a handler calling an API would do.
                tokio::time::sleep(Duration::from_millis(20)).await;
                if id == VICTIM {
                    let first: bool = con
                        .set_nx("victim:holder", &name)
                        .await
                        .map_err(|e| e.to_string())?;
                    if first {
                        // Killed here by the parent.
                        std::future::pending::<()>().await;
                    }
                }
                con.incr::<_, _, i64>(format!("count:{id}"), 1)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(())
            }
        });
        let worker = dispatcher.durable_worker().expect("worker").consumer(name);
        let mut stop_con = con.clone();
        let report = worker
            .run(async move {
                loop {
                    if let Ok(Some(_)) = stop_con.get::<_, Option<String>>("stop").await {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            })
            .await;
        eprintln!("worker report: {report:?}");
    });
}

/// The event keys of the entries `consumer` holds (taken, not finished).
async fn held_by(con: &mut redis::aio::MultiplexedConnection, consumer: &str) -> Vec<String> {
    redis::Script::new(
        r"
local out = {}
for _, p in ipairs(redis.call('XPENDING', KEYS[1], 'workers', '-', '+', 1000, ARGV[1])) do
  local e = redis.call('XRANGE', KEYS[1], p[1], p[1])
  if #e > 0 then
    for i = 1, #e[1][2], 2 do
      if e[1][2][i] == 'k' then table.insert(out, e[1][2][i + 1]) end
    end
  end
end
return out
",
    )
    .key(format!("lark:durable:{APP_ID}:stream"))
    .arg(consumer)
    .invoke_async(con)
    .await
    .expect("pending entries")
}

fn spawn_worker(url: &str, n: usize) -> Child {
    Command::new(std::env::current_exe().expect("exe"))
        .args(["--exact", TEST, "--nocapture", "--test-threads", "1"])
        .env("DURABLE_WORKER", "1")
        .env("DURABLE_URL", url)
        .env("DURABLE_NAME", format!("w{n}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("worker process")
}

#[test]
fn durable_four_processes_handle_1000_events_exactly_once_despite_sigkill() {
    if std::env::var_os("DURABLE_WORKER").is_some() {
        let url = std::env::var("DURABLE_URL").expect("url");
        let name = std::env::var("DURABLE_NAME").expect("name");
        return worker_main(url, name);
    }
    let redis = RedisServer::start().expect("redis-server (apt-get install redis-server)");
    let url = redis.url();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        // The receiving side (no worker): every event recorded, the victim among the first.
        let receiver = dispatcher(redis_queue(&url, quick_options()), |_| async { Ok(()) });
        let mut ids: Vec<String> = (1..EVENTS).map(|n| format!("ev-{n:05}")).collect();
        ids.insert(10, VICTIM.to_owned());
        for id in &ids {
            let outcome = deliver(&receiver, id).await;
            assert!(matches!(outcome, Outcome::Queued { .. }), "{id}: {outcome:?}");
        }
        // A redelivery of a recorded event is not recorded again.
        assert!(deliver(&receiver, "ev-00001").await.is_duplicate());

        let mut children: Vec<Child> = (0..WORKERS).map(|n| spawn_worker(&url, n)).collect();
        let mut con = counter(&url).await;
        // Kill whichever worker holds the victim, mid-handler.
        let end = Instant::now() + Duration::from_secs(60);
        let holder = loop {
            if let Some(h) = con.get::<_, Option<String>>("victim:holder").await.expect("get") {
                break h;
            }
            assert!(Instant::now() < end, "no worker took the victim event");
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        let index: usize = holder[1..].parse().expect("name");
        // Well inside the victim's handler, with the other workers' handlers running.
        tokio::time::sleep(Duration::from_millis(200)).await;
        children[index].kill().expect("SIGKILL");
        let _ = children[index].wait();
        let killed_at = Instant::now();
        let held = held_by(&mut con, &holder).await;
        eprintln!("killed worker {holder} in the victim's handler, holding {} entries", held.len());
        assert!(held.iter().any(|k| k.ends_with(VICTIM)), "{held:?}");

        let end = Instant::now() + Duration::from_secs(120);
        let victim_done = loop {
            let n: Option<i64> = con.get(format!("count:{VICTIM}")).await.expect("get");
            if n.is_some() {
                break killed_at.elapsed();
            }
            assert!(Instant::now() < end, "victim never finished");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let end = Instant::now() + Duration::from_secs(120);
        loop {
            let stats = receiver.durable_queue().expect("queue").stats().await.expect("stats");
            if stats.depth == 0 && stats.scheduled_retries == 0 {
                break;
            }
            assert!(Instant::now() < end, "queue never drained: {stats:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _: () = con.set("stop", "1").await.expect("set");
        for (n, child) in children.iter_mut().enumerate() {
            if n != index {
                let status = child.wait().expect("wait");
                assert!(status.success(), "worker {n}: {status}");
            }
        }
        let mut total = 0;
        let mut not_once = Vec::new();
        for id in &ids {
            let n: Option<i64> = con.get(format!("count:{id}")).await.expect("get");
            total += n.unwrap_or(0);
            if n != Some(1) {
                not_once.push((id.clone(), n));
            }
        }
        eprintln!(
            "{} events, {total} handled in all by {WORKERS} processes; victim finished {victim_done:?} after the SIGKILL (visibility timeout 3 s)",
            ids.len()
        );
        let twice: Vec<_> = not_once.iter().filter(|(_, n)| *n == Some(2)).collect();
        eprintln!("handled twice (handler returned in the killed process, completion lost): {}", twice.len());
        assert!(
            not_once.iter().all(|(id, n)| *n == Some(2)
                && held.iter().any(|k| k.ends_with(&format!(":{id}")))),
            "handled other than once outside the killed worker's unacknowledged entries: {not_once:?}"
        );
        assert_eq!(total, (EVENTS + twice.len()) as i64);
        assert!(victim_done < Duration::from_secs(30), "{victim_done:?}");
        let stats = receiver.durable_queue().expect("queue").stats().await.expect("stats");
        assert_eq!((stats.bytes, stats.dead_letters, stats.in_flight), (0, 0, 0), "{stats:?}");
    });
}
