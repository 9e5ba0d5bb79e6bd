//! The WebSocket opening handshake, done here rather than by the WebSocket library, because
//! that library logs the request line (the URL, whose query carries `access_key` and
//! `ticket`) at TRACE through the `log` facade. Nothing in this module logs.
//!
//! TCP (and TLS for `wss`), then one HTTP/1.1 `GET` with the upgrade headers, then the
//! response head, read within [`MAX_RESPONSE_HEAD`] bytes: 101 with the right
//! `Sec-WebSocket-Accept` opens the socket (bytes read past the head are handed to the
//! WebSocket layer), anything else is a refusal classified by its `Handshake-*` headers. The
//! caller bounds the whole exchange with the connect timeout.

use std::sync::Arc;

use base64::Engine as _;
use sha1::{Digest as _, Sha1};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::LongConnectionError;

/// Largest handshake response head accepted (status line and headers).
pub(crate) const MAX_RESPONSE_HEAD: usize = 16 * 1024;
/// Most response headers parsed.
const MAX_RESPONSE_HEADERS: usize = 64;
/// RFC 6455's GUID, appended to the key for `Sec-WebSocket-Accept`.
const ACCEPT_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The client side of an open long connection.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Where to connect, taken from the URL without keeping it whole.
struct Target<'a> {
    tls: bool,
    /// Host without IPv6 brackets, for the TCP connect and TLS server name.
    host: &'a str,
    port: u16,
    /// `Host` header value.
    authority: String,
    path_and_query: &'a str,
}

fn target(uri: &http::Uri) -> Result<Target<'_>, LongConnectionError> {
    let invalid = |what: &str| LongConnectionError::WebSocket {
        reason: format!("invalid connection URL: {what}"),
    };
    let tls = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("wss") => true,
        Some(s) if s.eq_ignore_ascii_case("ws") => false,
        _ => return Err(invalid("scheme is not ws or wss")),
    };
    let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
    let host = authority.host();
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let authority = match authority.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    Ok(Target {
        tls,
        host: host.trim_start_matches('[').trim_end_matches(']'),
        port,
        authority,
        path_and_query: uri.path_and_query().map_or("/", |p| p.as_str()),
    })
}

/// Opens `url` and performs the client handshake.
///
/// # Errors
///
/// [`LongConnectionError::Handshake`] for a non-101 answer, `WebSocket` for anything else;
/// no error names the URL.
pub(crate) async fn open(
    url: &str,
    tls: &Arc<rustls::ClientConfig>,
    config: WebSocketConfig,
) -> Result<Socket, LongConnectionError> {
    let uri: http::Uri = url.parse().map_err(|_| LongConnectionError::WebSocket {
        reason: "invalid connection URL".to_owned(),
    })?;
    let target = target(&uri)?;
    let tcp = TcpStream::connect((target.host, target.port))
        .await
        .map_err(|e| io_error("TCP connect", &e))?;
    let _ = tcp.set_nodelay(true);
    let mut stream = if target.tls {
        let name =
            rustls::pki_types::ServerName::try_from(target.host.to_owned()).map_err(|_| {
                LongConnectionError::WebSocket {
                    reason: "invalid connection URL: host is not a TLS server name".to_owned(),
                }
            })?;
        let tls = tokio_rustls::TlsConnector::from(Arc::clone(tls))
            .connect(name, tcp)
            .await
            .map_err(|e| io_error("TLS handshake", &e))?;
        MaybeTlsStream::Rustls(tls)
    } else {
        MaybeTlsStream::Plain(tcp)
    };
    let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n",
        target.path_and_query, target.authority
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| io_error("handshake write", &e))?;
    drop(request);
    let (head_len, mut buffer) = read_head(&mut stream).await?;
    check_response(&buffer[..head_len], &key)?;
    let rest = buffer.split_off(head_len);
    Ok(WebSocketStream::from_partially_read(stream, rest, Role::Client, Some(config)).await)
}

fn io_error(stage: &str, error: &std::io::Error) -> LongConnectionError {
    LongConnectionError::WebSocket {
        reason: format!("{stage} failed: {error}"),
    }
}

/// Reads until the blank line that ends the response head; returns the head's length and
/// everything read (the WebSocket frames the server may have sent right after).
async fn read_head(
    stream: &mut MaybeTlsStream<TcpStream>,
) -> Result<(usize, Vec<u8>), LongConnectionError> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    loop {
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|e| io_error("handshake read", &e))?;
        if read == 0 {
            return Err(LongConnectionError::WebSocket {
                reason: "connection closed during the handshake".to_owned(),
            });
        }
        let searched_from = buffer.len().saturating_sub(3);
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer[searched_from..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            return Ok((searched_from + end + 4, buffer));
        }
        if buffer.len() > MAX_RESPONSE_HEAD {
            return Err(LongConnectionError::WebSocket {
                reason: format!("handshake response head above {MAX_RESPONSE_HEAD} bytes"),
            });
        }
    }
}

/// 101 with the upgrade headers and the expected accept value, or the refusal.
fn check_response(head: &[u8], key: &str) -> Result<(), LongConnectionError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let bad = |what: &str| LongConnectionError::WebSocket {
        reason: format!("handshake response {what}"),
    };
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(bad("is incomplete")),
        Err(e) => return Err(bad(&format!("is not HTTP: {e}"))),
    }
    let status = response.code.unwrap_or_default();
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::trim)
    };
    if status != 101 {
        let number = |name: &str| header(name).and_then(|v| v.parse::<i64>().ok());
        return Err(LongConnectionError::Handshake {
            http_status: status,
            status: number("handshake-status"),
            auth_code: number("handshake-autherrcode"),
            message: header("handshake-msg")
                .unwrap_or_default()
                .chars()
                .take(256)
                .collect(),
        });
    }
    if !header("upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(bad("does not upgrade to websocket"));
    }
    let connection = header("connection").unwrap_or_default();
    if !connection
        .split(',')
        .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
    {
        return Err(bad("lacks `Connection: Upgrade`"));
    }
    if header("sec-websocket-accept") != Some(accept_value(key).as_str()) {
        return Err(bad("has a wrong Sec-WebSocket-Accept"));
    }
    Ok(())
}

/// `Sec-WebSocket-Accept` for `key`: base64 of SHA-1 of the key and the GUID.
fn accept_value(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(ACCEPT_GUID);
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_value_matches_rfc_6455_example() {
        assert_eq!(
            accept_value("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn refusals_keep_their_handshake_headers_and_bad_upgrades_are_errors() {
        let refused = b"HTTP/1.1 514 x\r\nhandshake-status: 514\r\nHandshake-AuthErrCode: 1000040350\r\nHandshake-Msg: too many\r\n\r\n";
        assert_eq!(
            check_response(refused, "k"),
            Err(LongConnectionError::Handshake {
                http_status: 514,
                status: Some(514),
                auth_code: Some(1_000_040_350),
                message: "too many".to_owned(),
            })
        );
        let key = "dGhlIHNhbXBsZSBub25jZQ==";
        let good = b"HTTP/1.1 101 Switching\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        assert_eq!(check_response(good, key), Ok(()));
        let wrong = b"HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n";
        assert!(matches!(
            check_response(wrong, key),
            Err(LongConnectionError::WebSocket { .. })
        ));
        assert!(check_response(b"garbage\r\n\r\n", key).is_err());
    }

    #[test]
    fn targets_default_their_port_and_strip_ipv6_brackets() {
        let uri: http::Uri = "wss://[::1]/ws?a=b".parse().expect("uri");
        let t = target(&uri).expect("target");
        assert_eq!((t.tls, t.host, t.port), (true, "::1", 443));
        assert_eq!(
            (t.authority.as_str(), t.path_and_query),
            ("[::1]", "/ws?a=b")
        );
        let uri: http::Uri = "http://x/ws".parse().expect("uri");
        assert!(target(&uri).is_err());
    }
}
