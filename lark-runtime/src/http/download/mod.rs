//! Downloads: a success answer that is a file, not the JSON envelope, read as a bounded stream.
//!
//! [`Download`] carries what the headers say (content type, file name, length) and yields the
//! body chunk by chunk; it is never buffered whole unless [`Download::bytes`] is asked for. More
//! bytes than [`Download::max_bytes`] (declared or received, also with no or a wrong
//! `Content-Length`) end it with [`Error::DownloadTooLarge`](crate::Error::DownloadTooLarge).
//! An error answer on a download endpoint (the JSON envelope with a non-zero `code`, or a
//! non-2xx status) is the usual [`Error::Api`](crate::Error::Api) /
//! [`Error::Decode`](crate::Error::Decode), before any [`Download`] exists.

mod disposition;
mod receive;

pub(crate) use receive::receive;

use crate::error::{Error, Result};
use bytes::Bytes;
use futures::Stream;
use std::path::Path;
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Default largest download accepted when the spec names none: 100 MiB (the platform's own
/// download limit is 100 MB).
pub const DEFAULT_MAX_DOWNLOAD: u64 = 100 * 1024 * 1024;

/// A file being downloaded: its headers, and its body as a stream of chunks.
///
/// ```no_run
/// # async fn run(download: lark_runtime::http::Download) -> lark_runtime::Result<()> {
/// println!("{:?} ({:?})", download.file_name(), download.content_type());
/// let written = download.save_to("/tmp/downloaded.bin").await?;
/// # let _ = written; Ok(()) }
/// ```
#[must_use = "a download does nothing until its body is read"]
pub struct Download {
    operation: &'static str,
    status: u16,
    content_type: Option<String>,
    file_name: Option<String>,
    content_length: Option<u64>,
    log_id: Option<String>,
    max_bytes: u64,
    received: u64,
    /// Bytes already read while looking for an error envelope, yielded first.
    prefix: Option<Bytes>,
    /// `None` once the body ended or failed.
    response: Option<reqwest::Response>,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .field("content_length", &self.content_length)
            .field("log_id", &self.log_id)
            .field("max_bytes", &self.max_bytes)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl Download {
    /// Operation id, e.g. `file.get`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// HTTP status of the response (2xx).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The `Content-Type` header, e.g. `image/png`.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file name of the `Content-Disposition` header (`filename*=UTF-8''…` preferred over
    /// `filename=`). Chosen by the server: check it before using it as a path.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The `Content-Length` header, if the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Request log id (`X-Tt-Logid`).
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// The most bytes this download may have.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Bytes yielded so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The next chunk of the body; `None` at its end. A chunk that takes the total past
    /// [`max_bytes`](Self::max_bytes), or past a declared `Content-Length`, is an error and
    /// ends the download.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        if self.content_length.is_some_and(|n| n > self.max_bytes) && self.response.is_some() {
            // Refused on its declared size: nothing more is read.
            self.response = None;
            self.prefix = None;
            return Err(self.too_large(self.received));
        }
        let chunk = match self.prefix.take() {
            Some(prefix) => prefix,
            None => {
                let Some(response) = self.response.as_mut() else {
                    return Ok(None);
                };
                match response.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => {
                        self.response = None;
                        return Ok(None);
                    }
                    Err(source) => {
                        self.response = None;
                        return Err(Error::Transport {
                            operation: self.operation,
                            source,
                        });
                    }
                }
            }
        };
        let total = self.received.saturating_add(chunk.len() as u64);
        let over_declared = self.content_length.is_some_and(|n| total > n);
        if total > self.max_bytes || over_declared {
            self.response = None;
            return Err(self.too_large(total));
        }
        self.received = total;
        Ok(Some(chunk))
    }

    fn too_large(&self, received: u64) -> Error {
        Error::DownloadTooLarge {
            operation: self.operation,
            limit: self.max_bytes,
            declared: self.content_length,
            received,
            log_id: self.log_id.clone(),
        }
    }

    /// The body as a stream of chunks, each checked as by [`chunk`](Self::chunk).
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes>> + Send + 'static {
        futures::stream::try_unfold(
            self,
            |mut d| async move { Ok(d.chunk().await?.map(|c| (c, d))) },
        )
    }

    /// The whole body in memory, at most [`max_bytes`](Self::max_bytes) (lower it first with
    /// [`limit`](Self::limit) to collect less).
    pub async fn bytes(mut self) -> Result<Bytes> {
        let hint = self.content_length.unwrap_or(0).min(self.max_bytes);
        let mut buf = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        while let Some(chunk) = self.chunk().await? {
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    }

    /// Lowers (or raises) the most bytes this download may have, before reading it. A
    /// `Content-Length` over the new limit fails the first read.
    pub fn limit(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Copies the body into `writer` chunk by chunk, flushes it, and returns the bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(mut self, writer: &mut W) -> Result<u64> {
        let operation = self.operation;
        let io = |source| Error::Io {
            operation,
            what: "writing the download".to_owned(),
            source,
        };
        while let Some(chunk) = self.chunk().await? {
            writer.write_all(&chunk).await.map_err(io)?;
        }
        writer.flush().await.map_err(io)?;
        Ok(self.received)
    }

    /// Writes the body to a file at `path` (created or truncated) and returns the bytes written.
    /// A download that fails leaves the partial file behind.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64> {
        let path = path.as_ref();
        let operation = self.operation;
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|source| Error::Io {
                operation: self.operation,
                what: format!("creating {}", path.display()),
                source,
            })?;
        let written = self.write_to(&mut file).await?;
        file.sync_all().await.map_err(|source| Error::Io {
            operation,
            what: format!("syncing {}", path.display()),
            source,
        })?;
        Ok(written)
    }
}
