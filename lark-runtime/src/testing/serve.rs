//! The mock platform's HTTP/1 server: one task per connection, so an answer can drop its
//! connection without replying.

use super::answer::Answer;
use super::received::ReceivedRequest;
use super::{MOCK_APP_TOKEN, MOCK_TENANT_TOKEN};
use crate::meta::OperationMeta;
use ::axum::body::Body;
use http::{HeaderName, HeaderValue, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::json;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// Largest request body read (uploads included); a larger one is cut off.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Accepts connections until aborted; aborting drops every connection task with it.
/// What the server asks of the platform's state: which operation a request is for, its answer,
/// and recording it.
pub(super) trait Platform: Send + Sync + 'static {
    /// The operation a request with this method and path is for.
    fn operation_of(&self, method: &str, path: &str) -> Option<&'static OperationMeta>;
    /// The next scripted answer of `op` for this path and query.
    fn answer(&self, op: &'static str, path: &str, query: &[(String, String)]) -> Option<Answer>;
    /// Records a request.
    fn record(&self, request: ReceivedRequest);
}

pub(super) async fn serve<P: Platform>(listener: TcpListener, inner: Arc<P>) {
    let mut connections = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors, say: try again shortly rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let inner = Arc::clone(&inner);
        connections.spawn(async move {
            let drop_it = Arc::new(Notify::new());
            let signal = Arc::clone(&drop_it);
            let service = hyper::service::service_fn(move |req| {
                handle(Arc::clone(&inner), req, Arc::clone(&signal))
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection future closes the socket without a reply.
                () = drop_it.notified() => {}
            }
        });
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn token_answer(path: &str) -> Option<(&'static str, serde_json::Value)> {
    match path {
        "/open-apis/auth/v3/tenant_access_token/internal"
        | "/open-apis/auth/v3/tenant_access_token" => Some((
            "auth.tenant_access_token",
            json!({"code": 0, "msg": "ok", "tenant_access_token": MOCK_TENANT_TOKEN, "expire": 7200}),
        )),
        "/open-apis/auth/v3/app_access_token/internal" | "/open-apis/auth/v3/app_access_token" => {
            Some((
                "auth.app_access_token",
                json!({"code": 0, "msg": "ok", "app_access_token": MOCK_APP_TOKEN, "expire": 7200}),
            ))
        }
        "/open-apis/auth/v3/app_ticket/resend" => {
            Some(("auth.app_ticket_resend", json!({"code": 0, "msg": "ok"})))
        }
        _ => None,
    }
}

async fn handle<P: Platform>(
    inner: Arc<P>,
    req: Request<hyper::body::Incoming>,
    drop_it: Arc<Notify>,
) -> Result<Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = ::axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let method = parts.method.as_str().to_owned();
    let raw_path = parts.uri.path().to_owned();
    let path = decode(&raw_path);
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k), decode(v))
        })
        .collect();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };

    let (operation, answer) = match token_answer(&raw_path) {
        Some((op, body)) => (Some(op), Some(Answer::json(200, body))),
        None => match inner.operation_of(&method, &raw_path) {
            Some(meta) => (Some(meta.id), inner.answer(meta.id, &path, &query)),
            None => (None, None),
        },
    };
    let answered = answer.is_some();
    inner.record(ReceivedRequest {
        operation,
        answered,
        method: method.clone(),
        path: raw_path.clone(),
        query,
        authorization: header("authorization"),
        content_type: header("content-type"),
        headers: headers.clone(),
        body: body.to_vec(),
    });
    let answer = answer.unwrap_or_else(|| {
        let msg = match operation {
            Some(op) => format!(
                "mock platform: no answer registered for operation {op} ({method} {raw_path})"
            ),
            None => format!("mock platform: no operation fits {method} {raw_path}"),
        };
        Answer::json(404, json!({"code": 404, "msg": msg}))
    });
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    if answer.dropped {
        drop_it.notify_one();
        std::future::pending::<()>().await;
    }
    Ok(response(answer, operation))
}

fn response(answer: Answer, operation: Option<&str>) -> Response<Body> {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = http::StatusCode::from_u16(answer.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Some(op) = operation {
        if let Ok(v) = HeaderValue::from_str(&format!("mock-{op}")) {
            headers.insert("x-tt-logid", v);
        }
    }
    for (k, v) in &answer.headers {
        // A header that is not valid HTTP is a mistake in the test; it is left out.
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            headers.insert(k, v);
        }
    }
    response
}
