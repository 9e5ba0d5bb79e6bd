//! Judging the head of a download's response: an error answer becomes the usual typed error,
//! a file becomes a [`Download`].

use super::{disposition, Download};
use crate::error::{DecodeError, Error, Result};
use crate::http::envelope::decode_response;
use crate::http::exchange::{Opened, Transport};
use bytes::{Bytes, BytesMut};
use serde::de::IgnoredAny;

/// How much of a 2xx JSON answer is read to tell an error envelope from a JSON file.
const SNIFF_BYTES: usize = 64 * 1024;

/// A download, or the error its answer carries: a non-2xx status, or a JSON envelope with a
/// non-zero `code`, is read (within the client's body limit) and decoded like any answer.
pub(crate) async fn receive(
    transport: &Transport,
    opened: Opened,
    max_bytes: u64,
) -> Result<Download> {
    let Opened {
        operation,
        status,
        log_id,
        ..
    } = &opened;
    let (operation, status, log_id) = (*operation, *status, log_id.clone());
    let headers = opened.response.headers();
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let file_name = header(reqwest::header::CONTENT_DISPOSITION)
        .as_deref()
        .and_then(disposition::file_name);
    let content_length = opened.response.content_length();
    if !(200..300).contains(&status) {
        let incoming = transport.read_all(opened).await?;
        return Err(
            match decode_response::<IgnoredAny>(operation, status, log_id, &incoming.body) {
                Err(e) => e,
                Ok(_) => not_an_error_code(operation, status, incoming.log_id, &incoming.body),
            },
        );
    }
    let mut download = Download {
        operation,
        status,
        content_type,
        file_name,
        content_length,
        log_id,
        max_bytes,
        received: 0,
        prefix: None,
        response: Some(opened.response),
    };
    if download.content_type.as_deref().is_some_and(is_json) {
        sniff(&mut download).await?;
    }
    Ok(download)
}

/// Reads up to [`SNIFF_BYTES`] of a JSON answer: a whole envelope with a non-zero `code` is
/// the error it says; anything else is the file, its first bytes kept to be yielded first.
async fn sniff(download: &mut Download) -> Result<()> {
    if download
        .content_length
        .is_some_and(|n| n > SNIFF_BYTES as u64)
    {
        return Ok(());
    }
    let mut seen = BytesMut::new();
    let mut ended = false;
    while seen.len() <= SNIFF_BYTES {
        let Some(response) = download.response.as_mut() else {
            break;
        };
        match response.chunk().await {
            Ok(Some(chunk)) => seen.extend_from_slice(&chunk),
            Ok(None) => {
                ended = true;
                download.response = None;
            }
            Err(source) => {
                return Err(Error::Transport {
                    operation: download.operation,
                    source,
                })
            }
        }
    }
    let seen: Bytes = seen.freeze();
    if ended {
        let (op, status, log_id) = (download.operation, download.status, download.log_id.clone());
        if let Err(e @ Error::Api(_)) = decode_response::<IgnoredAny>(op, status, log_id, &seen) {
            return Err(e);
        }
    }
    if !seen.is_empty() {
        download.prefix = Some(seen);
    }
    Ok(())
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// A non-2xx answer whose envelope says `code: 0`: still a failure.
fn not_an_error_code(
    operation: &'static str,
    status: u16,
    log_id: Option<String>,
    body: &[u8],
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation,
        status,
        code: Some(0),
        msg: None,
        log_id,
        path: String::new(),
        message: format!("HTTP {status} on a download, with no error code"),
        body: String::from_utf8_lossy(&body[..body.len().min(SNIFF_BYTES)]).into_owned(),
        retry_after: None,
    }))
}
