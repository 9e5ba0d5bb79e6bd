//! A platform on 127.0.0.1 for user-token tests: its OAuth endpoint issues single-use refresh
//! tokens and counts requests, its chat endpoint accepts only the access tokens it issued.
//! Also a log capture and a store with faults.
#![allow(dead_code)] // each test binary uses part of it

use futures::future::BoxFuture;
use lark_im_chat::auth::user::{
    MemoryUserTokenStore, UserToken, UserTokenSource, UserTokenStore, UserTokenStoreError,
};
use lark_im_chat::prelude::*;
use lark_im_chat::{Client, ClientBuilder, Error, Secret};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const APP_SECRET: &str = "app-secret-NEVER-LOGGED";
pub const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";
pub const REDIRECT: &str = "https://app.example/callback?from=lark";
pub const USER: &str = "ou_alice";

/// The platform's state: which tokens it issued, which refresh tokens are spent, what it counted.
#[derive(Default)]
pub struct State {
    pub issued: u32,
    pub valid_access: HashSet<String>,
    pub live_refresh: HashSet<String>,
    pub spent_refresh: HashSet<String>,
    pub refreshes: usize,
    pub exchanges: usize,
    pub api_calls: usize,
    /// `expires_in` of issued access tokens (left out when null).
    pub expires_in: Value,
    /// Answer every refresh with this HTTP status and a body that is not JSON.
    pub fail_status: Option<u16>,
    /// Leave `access_token` out of token answers (the refresh token is still issued).
    pub omit_access: bool,
    /// Answer this many refreshes with 20050 first.
    pub transient_failures: u32,
    /// Answer every refresh with this code.
    pub refuse_with: Option<i64>,
    /// Hold token answers this long.
    pub token_delay: Duration,
    /// Last authorization-code request body.
    pub last_exchange: Option<Value>,
}

#[derive(Clone)]
pub struct Platform(pub Arc<Mutex<State>>);

impl Platform {
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().expect("platform state")
    }

    /// A new token pair, valid at once.
    fn issue(state: &mut State) -> Value {
        state.issued += 1;
        let (access, refresh) = (
            format!("u-access-{}", state.issued),
            format!("ur-refresh-{}", state.issued),
        );
        state.valid_access.insert(access.clone());
        state.live_refresh.insert(refresh.clone());
        let mut answer = json!({
            "code": 0,
            "access_token": access,
            "expires_in": state.expires_in,
            "refresh_token": refresh,
            "refresh_token_expires_in": 604800,
            "scope": "im:chat:readonly offline_access",
            "token_type": "Bearer",
        });
        if state.expires_in.is_null() {
            answer.as_object_mut().map(|a| a.remove("expires_in"));
        }
        if state.omit_access {
            answer.as_object_mut().map(|a| a.remove("access_token"));
        }
        answer
    }

    /// A token pair issued out of band two hours ago, as if signed in earlier (access expiring in
    /// `expires_in`).
    pub fn signed_in(&self, expires_in: u64) -> UserToken {
        let mut state = self.state();
        let answer = Self::issue(&mut state);
        let mut token = UserToken::new(
            answer["access_token"].as_str().expect("access").to_owned(),
            Duration::from_secs(expires_in),
            Some(Secret::new(
                answer["refresh_token"].as_str().expect("refresh"),
            )),
            Some(Duration::from_secs(604800)),
            vec!["im:chat:readonly".into(), "offline_access".into()],
        );
        token.access_issued_at = Some(
            token.access_expires_at
                - Duration::from_secs(7200).max(Duration::from_secs(expires_in)),
        );
        token
    }

    fn refuse(code: i64, error: &str) -> ResponseTemplate {
        ResponseTemplate::new(400).set_body_json(
            json!({"code": code, "error": error, "error_description": "refused by the test platform"}),
        )
    }

    fn token_endpoint(&self, body: &Value) -> ResponseTemplate {
        let mut state = self.state();
        let delay = state.token_delay;
        if body["client_id"] != "cli_user" || body["client_secret"] != APP_SECRET {
            return Self::refuse(20002, "invalid_client");
        }
        let answer = match body["grant_type"].as_str() {
            Some("authorization_code") => {
                state.exchanges += 1;
                state.last_exchange = Some(body.clone());
                if body["code"] != "code-ok" || body["redirect_uri"] != REDIRECT {
                    return Self::refuse(20003, "invalid_grant");
                }
                Self::issue(&mut state)
            }
            Some("refresh_token") => {
                state.refreshes += 1;
                let presented = body["refresh_token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if let Some(status) = state.fail_status {
                    return ResponseTemplate::new(status).set_body_string("upstream failed");
                }
                if let Some(code) = state.refuse_with {
                    return Self::refuse(code, "invalid_grant");
                }
                if state.transient_failures > 0 {
                    state.transient_failures -= 1;
                    return Self::refuse(20050, "server_error");
                }
                if state.spent_refresh.contains(&presented) {
                    return Self::refuse(20073, "invalid_grant");
                }
                if !state.live_refresh.remove(&presented) {
                    return Self::refuse(20026, "invalid_grant");
                }
                state.spent_refresh.insert(presented);
                Self::issue(&mut state)
            }
            _ => return Self::refuse(20001, "unsupported_grant_type"),
        };
        ResponseTemplate::new(200)
            .set_delay(delay)
            .set_body_json(answer)
    }

    fn chat_get(&self, req: &Request) -> ResponseTemplate {
        let mut state = self.state();
        state.api_calls += 1;
        let bearer = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if state.valid_access.contains(bearer) {
            ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "msg": "success", "data": {"name": "Incident 4711"}}),
            )
        } else {
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991677, "msg": "user access token expired"}))
        }
    }
}

impl Respond for Platform {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if req.url.path() == "/open-apis/authen/v2/oauth/token" {
            match req.body_json::<Value>() {
                Ok(body) => self.token_endpoint(&body),
                Err(_) => ResponseTemplate::new(400),
            }
        } else {
            self.chat_get(req)
        }
    }
}

pub struct Setup {
    pub server: MockServer,
    pub platform: Platform,
    pub client: Client,
    pub tokens: UserTokenSource,
}

pub async fn setup(access_lifetime: u64) -> Setup {
    setup_with(json!(access_lifetime), |b| b).await
}

/// The platform issuing access tokens with this `expires_in`, and a client configured by
/// `configure`.
pub async fn setup_with(
    expires_in: Value,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Setup {
    logs();
    let server = MockServer::start().await;
    let platform = Platform(Arc::new(Mutex::new(State {
        expires_in,
        ..State::default()
    })));
    Mock::given(method("POST"))
        .and(path("/open-apis/authen/v2/oauth/token"))
        .respond_with(platform.clone())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/open-apis/im/v1/chats/{CHAT}")))
        .respond_with(platform.clone())
        .mount(&server)
        .await;
    let client = configure(Client::builder("cli_user", APP_SECRET).base_url(server.uri()))
        .build()
        .expect("client");
    let tokens = client.user_tokens().build();
    Setup {
        server,
        platform,
        client,
        tokens,
    }
}

impl Setup {
    pub async fn call(&self) -> Result<Option<String>, Error> {
        let alice = self.client.as_user_with(self.tokens.user(USER));
        Ok(alice.chat(CHAT).get().send().await?.name)
    }

    /// Stores a token that looks fresh but that the platform no longer accepts (99991677).
    pub async fn save_rejected_token(&self) {
        let token = self.platform.signed_in(7200);
        self.platform
            .state()
            .valid_access
            .remove(token.access_token.expose());
        self.tokens.save(USER, token).await.expect("save");
    }

    /// A hundred calls at once, each on a task of its own; all must succeed.
    pub async fn hundred_concurrent_calls(self: &Arc<Self>) {
        self.concurrent_calls(100).await;
    }

    /// `n` calls at once, each on a task of its own; all must succeed.
    pub async fn concurrent_calls(self: &Arc<Self>, n: usize) {
        let calls: Vec<_> = (0..n)
            .map(|_| {
                let s = self.clone();
                tokio::spawn(async move { s.call().await })
            })
            .collect();
        for call in calls {
            call.await.expect("task").expect("call");
        }
    }

    pub async fn stored(&self) -> UserToken {
        self.tokens
            .stored(USER)
            .await
            .expect("store")
            .expect("a token")
    }
}

/// Every span, field and event of every test in this binary, as text. Global rather than per
/// thread, so that no callsite is first seen (and its interest cached as "never") without it.
#[derive(Clone, Default)]
pub struct Logs(pub Arc<Mutex<String>>);

pub fn logs() -> &'static Logs {
    static LOGS: std::sync::OnceLock<Logs> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Logs::default();
        tracing::subscriber::set_global_default(logs.clone()).expect("the only subscriber");
        logs
    })
}

impl tracing::field::Visit for Logs {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0.lock().expect("logs"), " {}={value:?}", field.name());
    }
}

impl tracing::Subscriber for Logs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        span.record(&mut self.clone());
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        values.record(&mut self.clone());
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        event.record(&mut self.clone());
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A memory store (shared, as between processes) with faults: its next `set` may fail, as a
/// database briefly down, and its first `lag` reads may return `before`, as a process that read
/// the token before another one refreshed it.
#[derive(Debug, Default)]
pub struct FaultyStore {
    pub inner: Arc<MemoryUserTokenStore>,
    pub fail_next_set: AtomicBool,
    pub before: Option<UserToken>,
    pub lag: AtomicUsize,
}

impl UserTokenStore for FaultyStore {
    fn get<'a>(
        &'a self,
        user: &'a str,
    ) -> BoxFuture<'a, Result<Option<UserToken>, UserTokenStoreError>> {
        let lagging = self
            .lag
            .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
            .is_ok();
        match &self.before {
            Some(before) if lagging => Box::pin(std::future::ready(Ok(Some(before.clone())))),
            _ => self.inner.get(user),
        }
    }
    fn set<'a>(
        &'a self,
        user: &'a str,
        token: UserToken,
    ) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        if self.fail_next_set.swap(false, SeqCst) {
            return Box::pin(std::future::ready(Err(UserTokenStoreError(
                "database unavailable".into(),
            ))));
        }
        self.inner.set(user, token)
    }
    fn remove<'a>(&'a self, user: &'a str) -> BoxFuture<'a, Result<(), UserTokenStoreError>> {
        self.inner.remove(user)
    }
}
