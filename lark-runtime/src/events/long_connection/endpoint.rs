//! `POST /callback/ws/endpoint`: asks the platform where to connect.

use std::fmt;

use serde::Deserialize;

use super::config::{ServerConfig, Settings};
use super::LongConnectionError;
use crate::auth::Secret;
use crate::http::{Outgoing, Transport};

/// Path of the endpoint request under the base URL.
pub const ENDPOINT_PATH: &str = "/callback/ws/endpoint";

/// Largest endpoint answer read, in bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where to connect, as the endpoint answered.
pub(crate) struct Endpoint {
    /// The `wss://` URL; its query holds `access_key` and `ticket`, so it is a secret.
    pub(crate) url: Secret,
    /// `service_id` from the URL query, echoed in pings.
    pub(crate) service_id: i32,
    /// `device_id` from the URL query: the connection id, for logs.
    pub(crate) device_id: Option<String>,
    /// The `ClientConfig`, when sent.
    pub(crate) client_config: Option<ServerConfig>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .field("service_id", &self.service_id)
            .field("device_id", &self.device_id)
            .field("client_config", &self.client_config)
            .finish()
    }
}

#[derive(serde::Serialize)]
struct Request<'a> {
    #[serde(rename = "AppID")]
    app_id: &'a str,
    #[serde(rename = "AppSecret")]
    app_secret: &'a str,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "URL", default)]
    url: Option<String>,
    #[serde(rename = "ClientConfig", default)]
    client_config: Option<ServerConfig>,
}

/// Requests the endpoint through the client's transport (its connections, base URL and
/// response body limit), bounded by the endpoint timeout.
///
/// # Errors
///
/// [`LongConnectionError`]: transport, status, code or an unusable answer.
pub(crate) async fn request(
    transport: &Transport,
    settings: &Settings,
    app_id: &str,
    app_secret: &Secret,
) -> Result<Endpoint, LongConnectionError> {
    let body = serde_json::to_vec(&Request {
        app_id,
        app_secret: app_secret.expose(),
    })
    .map_err(|e| invalid(e.to_string()))?;
    let span = tracing::debug_span!("lark_runtime.long_connection.endpoint");
    let exchange = transport.exchange(Outgoing {
        operation: "long_connection.endpoint",
        method: reqwest::Method::POST,
        path_and_query: ENDPOINT_PATH,
        bearer: None,
        body: Some(body.into()),
        form: None,
        transfer: false,
        span: &span,
    });
    let answer = tokio::time::timeout(settings.endpoint_timeout, exchange)
        .await
        .map_err(|_| LongConnectionError::Timeout {
            stage: "endpoint request",
            after: settings.endpoint_timeout,
        })?
        .map_err(|e| LongConnectionError::EndpointTransport {
            // The transport's errors name the operation and never the body (the secret).
            reason: e.to_string(),
        })?;
    if answer.status != 200 {
        return Err(LongConnectionError::EndpointStatus {
            status: answer.status,
        });
    }
    if answer.body.len() > MAX_ANSWER_BYTES {
        return Err(invalid(format!("answer exceeds {MAX_ANSWER_BYTES} bytes")));
    }
    parse(&answer.body)
}

/// Reads the endpoint's answer.
fn parse(body: &[u8]) -> Result<Endpoint, LongConnectionError> {
    let answer: Answer =
        serde_json::from_slice(body).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let code = answer.code.ok_or_else(|| invalid("no `code`".to_owned()))?;
    if code != 0 {
        return Err(LongConnectionError::EndpointCode {
            code,
            msg: answer.msg.unwrap_or_default(),
        });
    }
    let data = answer.data.ok_or_else(|| invalid("no `data`".to_owned()))?;
    let raw = data
        .url
        .ok_or_else(|| invalid("no `data.URL`".to_owned()))?;
    // Errors below must not quote the URL: its query holds the access key and ticket.
    let url = reqwest::Url::parse(&raw).map_err(|_| invalid("`data.URL` is not a URL".into()))?;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(invalid(format!(
            "`data.URL` has scheme `{}`, not ws or wss",
            url.scheme()
        )));
    }
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let service_id = query("service_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| invalid("`data.URL` has no numeric `service_id`".to_owned()))?;
    Ok(Endpoint {
        device_id: query("device_id"),
        url: Secret::new(raw),
        service_id,
        client_config: data.client_config,
    })
}

fn invalid(reason: String) -> LongConnectionError {
    LongConnectionError::EndpointInvalid { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_classifies() {
        let ok = br#"{"code":0,"data":{"URL":"wss://h/ws?device_id=d7&service_id=14&access_key=AK&ticket=TK","ClientConfig":{"PingInterval":90}}}"#;
        let endpoint = parse(ok).expect("parses");
        assert_eq!(endpoint.service_id, 14);
        assert_eq!(endpoint.device_id.as_deref(), Some("d7"));
        assert!(!format!("{endpoint:?}").contains("AK"));

        let busy = parse(br#"{"code":1,"msg":"busy"}"#).expect_err("code");
        assert!(!busy.is_permanent());
        let limit = parse(br#"{"code":1000040350,"msg":"limit"}"#).expect_err("code");
        assert!(limit.is_permanent());
        let bad = parse(br#"{"code":0,"data":{"URL":"https://h/?access_key=AK"}}"#);
        let bad = bad.expect_err("scheme");
        assert!(!bad.is_permanent() && !bad.to_string().contains("AK"));
    }
}
