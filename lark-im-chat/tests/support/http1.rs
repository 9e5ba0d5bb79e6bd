//! The server side of HTTP/1.1 for memory tests: one request at a time, nothing kept between
//! requests, so the server's own heap does not grow with what it serves (a full mock server
//! records too much for these measurements).

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// What the token endpoint answers.
pub const TOKEN_BODY: &[u8] = br#"{"code":0,"msg":"ok","tenant_access_token":"t-x","expire":7200}"#;

/// Reads the next request on a keep-alive connection and drops its body; returns its request
/// line (`GET /path HTTP/1.1`), or `None` once the client is gone.
pub async fn next_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
        return None;
    }
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            content_length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body).await.ok()?;
    Some(request_line)
}

/// Answers `200` with a JSON body; `false` once the client is gone.
pub async fn write_json(socket: &mut TcpStream, body: &[u8]) -> bool {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.is_ok() && socket.write_all(body).await.is_ok()
}
