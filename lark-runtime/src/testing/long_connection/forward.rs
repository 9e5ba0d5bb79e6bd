//! Requests the long-connection platform does not serve itself (the REST API, tokens), passed on
//! to the API stand-in given to [`LongConnectionServer::start_with_api`](super::LongConnectionServer::start_with_api),
//! so that a bot taking one base URL (`LARK_BASE_URL`) reaches both on one port.

use super::{lock, Script};
use ::axum::body::Body;
use ::axum::extract::{Request, State};
use ::axum::http::{header, StatusCode};
use ::axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Largest request or answer body passed on.
const MAX_FORWARDED_BYTES: usize = 64 * 1024 * 1024;
/// Longest wait for the API stand-in's whole answer (a scripted delay included).
const FORWARD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

pub(super) async fn forward(State(script): State<Arc<Script>>, request: Request) -> Response {
    let Some(base) = lock(&script.api).clone() else {
        return (
            StatusCode::NOT_FOUND,
            "no API behind this long-connection server",
        )
            .into_response();
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = ::axum::body::to_bytes(body, MAX_FORWARDED_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = parts.headers;
    headers.remove(header::HOST);
    headers.remove(header::CONTENT_LENGTH);
    let sent = script
        .http
        .request(parts.method, format!("{base}{path}"))
        .headers(headers)
        .body(body)
        .timeout(FORWARD_TIMEOUT)
        .send()
        .await;
    let Ok(answer) = sent else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::TRANSFER_ENCODING);
    let Ok(bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    if bytes.len() > MAX_FORWARDED_BYTES {
        return StatusCode::BAD_GATEWAY.into_response();
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}
