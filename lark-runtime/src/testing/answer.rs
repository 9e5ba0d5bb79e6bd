//! [`Answer`]: one scripted reply of the [`MockPlatform`](super::MockPlatform).

use serde_json::{json, Value};
use std::time::Duration;

/// Code of the platform's rate-limit answers (`Answer::rate_limited`).
pub const RATE_LIMIT_CODE: i64 = 99991400;

/// One reply of the mock platform: a status, headers and a body, optionally late, or a
/// connection dropped without a reply.
///
/// ```
/// use lark_runtime::testing::Answer;
/// use std::time::Duration;
///
/// let ok = Answer::data(serde_json::json!({"chat_id": "oc_1"}));
/// let unavailable = Answer::status(503);
/// let limited = Answer::rate_limited(1); // 429 + x-ogw-ratelimit-reset: 1
/// let refused = Answer::error(232011, "operator has no permission").with_status(400);
/// let slow = Answer::data(serde_json::json!({})).delay(Duration::from_millis(200));
/// let cut = Answer::dropped();
/// # let _ = (ok, unavailable, limited, refused, slow, cut);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Answer {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
    pub(super) delay: Duration,
    pub(super) dropped: bool,
}

impl Answer {
    /// HTTP 200 `{"code": 0, "msg": "success", "data": data}`: `data` is a typed response
    /// (`ChatDetail::new().name(..)`) or any JSON.
    pub fn data(data: impl serde::Serialize) -> Self {
        let data = serde_json::to_value(data).unwrap_or(Value::Null);
        Self::json(200, json!({"code": 0, "msg": "success", "data": data}))
    }

    /// A platform error: HTTP 400 `{"code": code, "msg": msg}` (change the status with
    /// [`with_status`](Self::with_status); some errors come with 200).
    pub fn error(code: i64, msg: &str) -> Self {
        Self::json(400, json!({"code": code, "msg": msg}))
    }

    /// A bare HTTP status with an empty body, as a gateway answers (e.g. `503`).
    pub fn status(http_status: u16) -> Self {
        Self {
            status: http_status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            dropped: false,
        }
    }

    /// This status and JSON body.
    pub fn json(http_status: u16, body: Value) -> Self {
        Self::status(http_status)
            .header("content-type", "application/json; charset=utf-8")
            .body(body.to_string().into_bytes())
    }

    /// HTTP 429 with code [`RATE_LIMIT_CODE`] and `x-ogw-ratelimit-reset: reset_secs`.
    pub fn rate_limited(reset_secs: u64) -> Self {
        Self::json(
            429,
            json!({"code": RATE_LIMIT_CODE, "msg": "request trigger frequency limit"}),
        )
        .header("x-ogw-ratelimit-reset", &reset_secs.to_string())
    }

    /// No reply: the connection is closed once the request is read (a transport failure for
    /// the client).
    pub fn dropped() -> Self {
        Self {
            dropped: true,
            ..Self::status(502)
        }
    }

    /// Replaces the HTTP status.
    pub fn with_status(mut self, http_status: u16) -> Self {
        self.status = http_status;
        self
    }

    /// Adds a header (`Retry-After`, `x-ogw-ratelimit-reset`, `x-tt-logid`, …); a second
    /// value for the same name replaces the first.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the body bytes (set `content-type` with [`header`](Self::header)).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Waits this long before replying (or dropping).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}
