//! User tokens against a platform on 127.0.0.1 whose OAuth endpoint issues single-use refresh
//! tokens and counts requests: the code exchange, refresh before expiry and after a rejection,
//! single flight, re-authorization errors, transient refresh errors, a caller dropped
//! mid-refresh, and no secret in logs, errors or Debug.

mod user_tokens_support;

use lark_im_chat::auth::user::{pkce_challenge, MemoryUserTokenStore, UserTokenStore};
use lark_im_chat::error::ReauthorizationReason;
use lark_im_chat::prelude::*;
use lark_im_chat::{Client, Domain, Error, ErrorCode};
use serde_json::json;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::time::Duration;
use user_tokens_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn pkce_challenge_matches_rfc_7636_appendix_b() {
    assert_eq!(
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[test]
fn authorization_url_carries_state_and_an_s256_challenge() {
    let client = Client::builder("cli_user", APP_SECRET)
        .domain(Domain::Lark)
        .build()
        .expect("client");
    let tokens = client.user_tokens().build();
    let first = tokens.authorization(REDIRECT, &["im:chat:readonly", "offline_access"]);
    let second = tokens.authorization(REDIRECT, &["offline_access"]);
    let url = reqwest::Url::parse(&first.url).expect("a URL");
    assert_eq!(url.host_str(), Some("accounts.larksuite.com"));
    assert_eq!(url.path(), "/open-apis/authen/v1/authorize");
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "cli_user");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["redirect_uri"], REDIRECT);
    assert_eq!(query["scope"], "im:chat:readonly offline_access");
    assert_eq!(query["state"], first.state);
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(
        query["code_challenge"],
        pkce_challenge(first.code_verifier.expose())
    );
    assert!(first.code_verifier.expose().len() >= 43);
    assert_ne!(first.state, second.state, "state is fresh per request");
    assert_ne!(first.code_verifier, second.code_verifier);
    assert!(!format!("{first:?}").contains(first.code_verifier.expose()));
}

#[tokio::test]
async fn sign_in_exchanges_the_code_stores_the_token_and_calls_as_the_user() {
    let s = setup(7200).await;
    let request = s.tokens.authorization(REDIRECT, &["offline_access"]);
    let token = s
        .tokens
        .sign_in(USER, "code-ok", REDIRECT, Some(&request.code_verifier))
        .await
        .expect("exchange");
    let sent = s.platform.state().last_exchange.clone().expect("exchanged");
    assert_eq!(sent["code_verifier"], request.code_verifier.expose());
    assert_eq!(token.scopes, ["im:chat:readonly", "offline_access"]);
    assert!(token.refresh_expires_at.is_some());
    assert!(!token.access_expires_within(Duration::from_secs(7000)));
    assert_eq!(s.stored().await, token);
    assert_eq!(
        s.call().await.expect("call").as_deref(),
        Some("Incident 4711")
    );
    assert_eq!(s.platform.state().refreshes, 0);

    let err = s
        .tokens
        .sign_in(USER, "code-wrong", REDIRECT, None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(20003), "{err}");

    s.tokens.sign_out(USER).await.expect("sign out");
    let err = s.call().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReauthorizationNeeded {
                reason: ReauthorizationReason::NoToken,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_access_token_near_expiry_is_refreshed_before_the_call() {
    let s = setup(7200).await;
    // 60 s left: inside the default 5-minute margin.
    let old = s.platform.signed_in(60);
    s.tokens.save(USER, old.clone()).await.expect("save");
    assert!(s.call().await.is_ok());
    let counts = {
        let state = s.platform.state();
        (state.refreshes, state.api_calls)
    };
    assert_eq!(counts, (1, 1));
    let now = s.stored().await;
    assert_ne!(
        now.refresh_token, old.refresh_token,
        "the new refresh token is stored"
    );
    assert!(!now.access_expires_within(Duration::from_secs(3600)));
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_once_and_the_call_repeated() {
    let s = setup(7200).await;
    s.save_rejected_token().await;
    assert!(s.call().await.is_ok());
    let state = s.platform.state();
    assert_eq!((state.refreshes, state.api_calls), (1, 2));
}

#[tokio::test]
async fn a_token_rejected_again_after_the_refresh_fails_without_a_loop() {
    let s = setup(7200).await;
    s.tokens
        .save(USER, s.platform.signed_in(7200))
        .await
        .expect("save");
    // Every token is rejected: one refresh, one repeat, then the error.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 99991668, "msg": "invalid"})),
        )
        .with_priority(1)
        .mount(&s.server)
        .await;
    let err = s.call().await.unwrap_err();
    assert_eq!(
        err.code().map(ErrorCode::from),
        Some(ErrorCode::UserAccessTokenInvalid)
    );
    assert_eq!(s.platform.state().refreshes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_at_expiry_spend_one_refresh_token() {
    let s = Arc::new(setup(7200).await);
    s.platform.state().token_delay = Duration::from_millis(100);
    s.tokens
        .save(USER, s.platform.signed_in(1))
        .await
        .expect("save");
    s.hundred_concurrent_calls().await;
    let state = s.platform.state();
    assert_eq!((state.refreshes, state.api_calls), (1, 100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_rejections_spend_one_refresh_token() {
    let s = Arc::new(setup(7200).await);
    s.save_rejected_token().await;
    s.hundred_concurrent_calls().await;
    assert_eq!(s.platform.state().refreshes, 1);
}

#[tokio::test]
async fn a_reused_refresh_token_asks_for_reauthorization_once() {
    let s = setup(7200).await;
    let token = s.platform.signed_in(1);
    // Someone else spent it (e.g. a process that crashed before saving its answer).
    let refresh = token.refresh_token.clone().expect("refresh token");
    s.tokens.save(USER, token).await.expect("save");
    {
        let mut state = s.platform.state();
        state.live_refresh.remove(refresh.expose());
        state.spent_refresh.insert(refresh.expose().to_owned());
    }
    let err = s.call().await.unwrap_err();
    match &err {
        Error::ReauthorizationNeeded {
            user,
            reason: ReauthorizationReason::Refused(api),
        } => {
            assert_eq!(user, USER);
            assert_eq!(
                ErrorCode::from(api.code),
                ErrorCode::RefreshTokenAlreadyUsed
            );
        }
        other => panic!("expected a re-authorization error, got {other:?}"),
    }
    assert_eq!(err.code(), Some(20073));
    // The refusal is remembered: the next call fails the same way without sending it again.
    let again = s.call().await.unwrap_err();
    assert_eq!(again.code(), Some(20073), "{again:?}");
    assert!(
        s.stored().await.refresh_token.is_some(),
        "the store entry is left alone"
    );
    let state = s.platform.state();
    assert_eq!((state.refreshes, state.api_calls), (1, 0));
}

#[tokio::test]
async fn expired_revoked_or_foreign_refresh_tokens_ask_for_reauthorization() {
    for code in [
        ErrorCode::RefreshTokenExpired,
        ErrorCode::RefreshTokenRevoked,
        ErrorCode::RefreshTokenClientMismatch,
        ErrorCode::RefreshTokenInvalid,
    ] {
        let s = setup(7200).await;
        s.platform.state().refuse_with = Some(code.code());
        s.tokens
            .save(USER, s.platform.signed_in(1))
            .await
            .expect("save");
        let err = s.call().await.unwrap_err();
        assert!(
            matches!(&err, Error::ReauthorizationNeeded { reason: ReauthorizationReason::Refused(e), .. } if ErrorCode::from(e.code) == code),
            "{code}: {err:?}"
        );
        assert_eq!(s.platform.state().refreshes, 1, "{code}: no retry");
    }
}

#[tokio::test]
async fn a_token_without_refresh_token_asks_for_reauthorization() {
    let s = setup(7200).await;
    let mut token = s.platform.signed_in(1);
    token.refresh_token = None;
    s.tokens.save(USER, token).await.expect("save");
    let err = s.call().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ReauthorizationNeeded {
                reason: ReauthorizationReason::NoRefreshToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(s.platform.state().refreshes, 0);
}

#[tokio::test]
async fn a_transient_refresh_error_is_retried() {
    let s = setup(7200).await;
    s.platform.state().transient_failures = 1;
    s.tokens
        .save(USER, s.platform.signed_in(1))
        .await
        .expect("save");
    assert!(s.call().await.is_ok());
    let state = s.platform.state();
    assert_eq!((state.refreshes, state.spent_refresh.len()), (2, 1));
}

#[tokio::test]
async fn a_call_dropped_mid_refresh_leaves_the_new_token_stored() {
    let s = setup(7200).await;
    s.platform.state().token_delay = Duration::from_millis(300);
    let old = s.platform.signed_in(1);
    s.tokens.save(USER, old.clone()).await.expect("save");
    // The caller gives up as soon as the platform has spent the old refresh token, while its
    // answer is still on the way.
    let refresh_spent = async {
        while s.platform.state().refreshes == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    };
    tokio::select! {
        _ = s.call() => panic!("the call ended before the refresh was answered"),
        _ = tokio::time::timeout(Duration::from_secs(5), refresh_spent) => {}
    }
    assert_eq!(s.platform.state().refreshes, 1);
    let mut stored = s.stored().await;
    for _ in 0..100 {
        if stored.refresh_token != old.refresh_token {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        stored = s.stored().await;
    }
    let refresh = stored.refresh_token.clone().expect("refresh token");
    assert!(
        s.platform.state().live_refresh.contains(refresh.expose()),
        "the stored refresh token is the new, unspent one"
    );
    // The next call uses it without another refresh.
    assert!(s.call().await.is_ok());
    assert_eq!(s.platform.state().refreshes, 1);
}

#[tokio::test]
async fn no_token_or_secret_in_logs_errors_or_debug() {
    let s = setup(7200).await;
    let request = s.tokens.authorization(REDIRECT, &["offline_access"]);
    s.tokens
        .sign_in(USER, "code-ok", REDIRECT, Some(&request.code_verifier))
        .await
        .expect("exchange");
    let stored = format!("{:?}", s.tokens.stored(USER).await);
    assert!(stored.contains("Secret(***)"), "{stored}");
    // A rejection, a refresh, a transient error, then a refused refresh token.
    s.platform.state().valid_access.clear();
    s.platform.state().transient_failures = 1;
    let rejected = s.call().await;
    s.platform.state().refuse_with = Some(20064);
    s.platform.state().valid_access.clear();
    let err = s.call().await.unwrap_err();
    let text = logs().0.lock().expect("logs").clone();
    assert!(
        text.contains("authen.oauth_token"),
        "token calls are traced: {text}"
    );
    assert!(text.contains("refreshed and stored"), "{text}");
    let everything = format!(
        "{text} {err} {err:?} {rejected:?} {:?} {:?} {:?}",
        s.tokens,
        s.tokens.user(USER),
        s.client.as_user_with(s.tokens.user(USER)),
    );
    for secret in [
        APP_SECRET,
        "u-access-",
        "ur-refresh-",
        request.code_verifier.expose(),
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked into:\n{everything}"
        );
        assert!(!stored.contains(secret), "{secret} leaked into:\n{stored}");
    }
}

#[tokio::test]
async fn the_oauth_endpoint_may_live_on_another_host() {
    let s = setup(7200).await;
    let accounts = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/authen/v2/oauth/token"))
        .respond_with(s.platform.clone())
        .mount(&accounts)
        .await;
    let tokens = s
        .client
        .user_tokens()
        .oauth_base_url(accounts.uri())
        .build();
    tokens
        .save(USER, s.platform.signed_in(1))
        .await
        .expect("save");
    let alice = s.client.as_user_with(tokens.user(USER));
    assert!(alice.chat(CHAT).get().send().await.is_ok());
    let on_accounts = accounts.received_requests().await.expect("recording");
    let on_api = s.server.received_requests().await.expect("recording");
    assert_eq!(on_accounts.len(), 1, "the refresh went to the OAuth host");
    assert!(on_api
        .iter()
        .all(|r| r.url.path() != "/open-apis/authen/v2/oauth/token"));
    // The authorization page follows the Open API host unless configured.
    let url = tokens.authorization(REDIRECT, &[]).url;
    assert!(
        url.starts_with(&format!(
            "{}/open-apis/authen/v1/authorize?",
            s.server.uri()
        )),
        "{url}"
    );
}

#[tokio::test]
async fn a_refreshed_token_the_store_refused_is_stored_before_it_is_used() {
    let s = setup(7200).await;
    let store = Arc::new(FaultyStore::default());
    let tokens = s.client.user_tokens().store(store.clone()).build();
    let old = s.platform.signed_in(1);
    tokens.save(USER, old.clone()).await.expect("save");
    store.fail_next_set.store(true, SeqCst);
    let alice = s.client.as_user_with(tokens.user(USER));
    let err = alice.chat(CHAT).get().send().await.unwrap_err();
    assert!(err.to_string().contains("database unavailable"), "{err}");
    assert_eq!(
        s.platform.state().api_calls,
        0,
        "not used before it is stored"
    );
    // The next call stores the refreshed token first, then uses it: no second refresh.
    assert!(alice.chat(CHAT).get().send().await.is_ok());
    let stored = tokens.stored(USER).await.expect("store").expect("a token");
    assert_ne!(stored.refresh_token, old.refresh_token);
    let state = s.platform.state();
    assert_eq!((state.refreshes, state.api_calls), (1, 1));
}

#[tokio::test]
async fn losing_a_refresh_race_to_another_process_uses_its_token() {
    let s = setup(7200).await;
    let shared = Arc::new(MemoryUserTokenStore::new());
    let before = s.platform.signed_in(1);
    shared.set(USER, before.clone()).await.expect("save");
    // Process A refreshes first and stores the new pair.
    let a = s.client.user_tokens().store(shared.clone()).build();
    assert!(s
        .client
        .as_user_with(a.user(USER))
        .chat(CHAT)
        .get()
        .send()
        .await
        .is_ok());
    // Process B read the old pair before A's write, so it presents the spent refresh token.
    let b = s
        .client
        .user_tokens()
        .store(Arc::new(FaultyStore {
            inner: shared.clone(),
            before: Some(before.clone()),
            lag: 2.into(),
            ..FaultyStore::default()
        }))
        .build();
    assert!(s
        .client
        .as_user_with(b.user(USER))
        .chat(CHAT)
        .get()
        .send()
        .await
        .is_ok());
    let after = shared.get(USER).await.expect("store").expect("a token");
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "A's pair stays stored"
    );
    let state = s.platform.state();
    assert_eq!(
        (state.refreshes, state.api_calls),
        (2, 2),
        "B's refusal did not end the session"
    );
}
