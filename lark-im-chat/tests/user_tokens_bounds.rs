//! User-token refresh bounded like tenant tokens, against a platform on 127.0.0.1: a failing
//! OAuth endpoint sees a handful of requests and every call ends within its retry budget; a
//! failed refresh is remembered; short-lived tokens are not refreshed on every call; an odd
//! `expires_in` in a refresh answer never loses the new refresh token.

mod user_tokens_support;

use lark_im_chat::{Error, RetryPolicy};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use user_tokens_support::*;

const BUDGET: Duration = Duration::from_secs(2);

fn short_retries() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(200))
        .total_budget(BUDGET)
}

/// The stored token has expired: the next call must refresh.
async fn save_expired(s: &Setup) {
    s.tokens
        .save(USER, s.platform.signed_in(0))
        .await
        .expect("save");
}

type TimedCall = tokio::task::JoinHandle<(Duration, Result<Option<String>, Error>)>;

/// `n` calls at once, each on a task of its own, each timed.
fn timed_calls(s: &Arc<Setup>, n: usize) -> Vec<TimedCall> {
    (0..n)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move {
                let start = Instant::now();
                let result = s.call().await;
                (start.elapsed(), result)
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_calls_against_a_failing_oauth_endpoint_are_bounded() {
    let s = Arc::new(
        setup_with(json!(7200), |b| {
            b.retry(short_retries())
                .token_failure_cache(Duration::from_millis(500))
        })
        .await,
    );
    save_expired(&s).await;
    s.platform.state().fail_status = Some(500);
    let started = Instant::now();
    let calls = timed_calls(&s, 200);
    // Before the fix the calls queued behind one another for minutes: give up well before.
    let mut times = Vec::new();
    let mut unfinished = 0;
    for call in calls {
        let left = (BUDGET + Duration::from_secs(15)).saturating_sub(started.elapsed());
        match tokio::time::timeout(left, call).await {
            Ok(done) => {
                let (took, result) = done.expect("task");
                assert!(result.is_err(), "the endpoint only fails");
                times.push(took);
            }
            Err(_) => unfinished += 1,
        }
    }
    times.sort();
    let requests = s.platform.state().refreshes;
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let slowest = times.last().copied().unwrap_or_default();
    eprintln!(
        "200 calls, OAuth endpoint answering 500, budget {BUDGET:?}: {requests} token requests, \
         median call {median:?}, slowest {slowest:?}, {unfinished} unfinished after {:?}",
        started.elapsed()
    );
    assert_eq!(unfinished, 0);
    assert!(requests <= 12, "{requests} token requests");
    assert!(
        slowest <= BUDGET + Duration::from_secs(3),
        "a call took {slowest:?}"
    );
}

#[tokio::test]
async fn a_failed_refresh_is_remembered_for_the_token_failure_cache() {
    let s = setup_with(json!(7200), |b| {
        b.retry(RetryPolicy::none())
            .token_failure_cache(Duration::from_secs(30))
    })
    .await;
    save_expired(&s).await;
    s.platform.state().fail_status = Some(500);
    let first = s.call().await.unwrap_err();
    let after_first = s.platform.state().refreshes;
    let start = Instant::now();
    let again = s.call().await.unwrap_err();
    let after_second = s.platform.state().refreshes;
    eprintln!(
        "failed refresh: {after_first} requests, then {} more for the next call ({:?}): {again}",
        after_second - after_first,
        start.elapsed()
    );
    assert_eq!(first.to_string(), again.to_string());
    assert_eq!(after_second, after_first, "the failure is remembered");
    // A new token makes the remembered failure stale.
    s.platform.state().fail_status = None;
    save_expired(&s).await;
    assert!(s.call().await.is_ok());
}

#[tokio::test]
async fn short_lived_user_tokens_are_not_refreshed_on_every_call() {
    for expires_in in [0, 60, 299] {
        let s = setup(expires_in).await;
        save_expired(&s).await;
        for _ in 0..20 {
            s.call().await.expect("call");
        }
        let sequential = s.platform.state().refreshes;

        let s = Arc::new(setup(expires_in).await);
        save_expired(&s).await;
        s.concurrent_calls(200).await;
        let concurrent = s.platform.state().refreshes;
        eprintln!(
            "expires_in {expires_in}: 20 sequential calls → {sequential} refreshes, \
             200 concurrent → {concurrent}"
        );
        assert_eq!(sequential, 1, "expires_in {expires_in}");
        assert!(concurrent <= 2, "expires_in {expires_in}: {concurrent}");
    }
}

#[tokio::test]
async fn an_odd_expires_in_keeps_the_new_refresh_token() {
    for expires_in in [
        json!(-1),
        json!(1e30),
        json!(7200.5),
        json!("7200"),
        Value::Null,
        json!("soon"),
        json!({"seconds": 7200}),
    ] {
        let s = setup_with(expires_in.clone(), |b| b).await;
        save_expired(&s).await;
        let first = s.call().await;
        let second = s.call().await;
        let stored = s.stored().await;
        let state = s.platform.state();
        let live = stored
            .refresh_token
            .as_ref()
            .is_some_and(|r| state.live_refresh.contains(r.expose()));
        eprintln!(
            "expires_in {expires_in}: first call ok {}, second {}, stored refresh token live \
             {live}, {} refreshes",
            first.is_ok(),
            match &second {
                Ok(_) => "ok".to_owned(),
                Err(e) => format!("{e:?}").chars().take(60).collect(),
            },
            state.refreshes
        );
        assert!(
            !matches!(second, Err(Error::ReauthorizationNeeded { .. })),
            "{expires_in}"
        );
        assert!(live, "{expires_in}: the new refresh token is stored");
        assert!(first.is_ok() && second.is_ok(), "{expires_in}");
        assert!(state.refreshes <= 2, "{expires_in}: {}", state.refreshes);
        let day = std::time::SystemTime::now() + Duration::from_secs(25 * 3600);
        assert!(stored.access_expires_at < day, "{expires_in}: clamped");
    }
}

#[tokio::test]
async fn a_success_without_access_token_keeps_the_new_refresh_token() {
    let s = setup_with(json!(7200), |b| {
        b.retry(RetryPolicy::none())
            .token_failure_cache(Duration::ZERO)
    })
    .await;
    save_expired(&s).await;
    s.platform.state().omit_access = true;
    let first = s.call().await.unwrap_err();
    s.platform.state().omit_access = false;
    let second = s.call().await;
    let state = s.platform.state();
    eprintln!(
        "no access_token in a 200: first call {first}; second ok {}, {} refreshes, {} spent",
        second.is_ok(),
        state.refreshes,
        state.spent_refresh.len()
    );
    assert!(second.is_ok(), "{second:?}");
    assert_eq!((state.refreshes, state.spent_refresh.len()), (2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_refresh_is_waited_for_only_within_the_budget_and_still_stored() {
    let budget = Duration::from_secs(1);
    let s = Arc::new(
        setup_with(json!(7200), |b| {
            b.retry(short_retries().total_budget(budget))
        })
        .await,
    );
    save_expired(&s).await;
    s.platform.state().token_delay = Duration::from_secs(3);
    let calls = timed_calls(&s, 50);
    let mut slowest = Duration::ZERO;
    for call in calls {
        let (took, result) = call.await.expect("task");
        assert!(
            result.is_err(),
            "the refresh is not answered within the budget"
        );
        slowest = slowest.max(took);
    }
    // The refresh goes on without the callers, and its token is stored.
    let mut stored = false;
    for _ in 0..100 {
        stored = s
            .stored()
            .await
            .refresh_token
            .is_some_and(|r| s.platform.state().live_refresh.contains(r.expose()));
        if stored {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.platform.state().token_delay = Duration::ZERO;
    let after = s.call().await;
    let refreshes = s.platform.state().refreshes;
    eprintln!("50 calls, refresh answered after 3 s, budget {budget:?}: slowest call {slowest:?}, {refreshes} refreshes, stored {stored}");
    assert!(slowest <= budget + Duration::from_secs(2), "{slowest:?}");
    assert!(stored && after.is_ok(), "{after:?}");
    assert_eq!(refreshes, 1);
}
