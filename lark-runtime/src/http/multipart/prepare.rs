//! A multipart body made ready to send: every file part measured and checked against its limit
//! (before any request), then turned into a fresh `reqwest` form for each attempt.

use super::cut::{Cut, CutSlot};
use super::stream::{read_stream, Opener};
use super::{Multipart, Part, Source};
use crate::error::{Error, Result};
use bytes::Bytes;
use reqwest::multipart::{Form, Part as WirePart};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tokio::io::AsyncRead;

/// Content type of a file part that does not name one.
const OCTET_STREAM: &str = "application/octet-stream";

type Reader = Box<dyn AsyncRead + Send + Unpin>;

enum Body {
    Bytes(Bytes),
    Path(PathBuf, u64),
    Reader(Mutex<Option<Reader>>, Option<u64>),
}

enum Ready {
    Text(String),
    File {
        body: Body,
        max_bytes: Option<u64>,
        file_name: Option<String>,
        content_type: String,
    },
}

/// A measured, checked multipart body.
pub(crate) struct Prepared {
    operation: &'static str,
    parts: Vec<(&'static str, Ready)>,
    cut: CutSlot,
    /// Set once a reader part was handed to an attempt: the body cannot be sent again.
    reader_used: AtomicBool,
}

impl Prepared {
    /// Measures every file part and checks it: a file is opened and its size read, a reader's
    /// declared length taken, a reader taken from its request (it is read at most once).
    pub(crate) async fn new(form: &Multipart, operation: &'static str) -> Result<Self> {
        let mut parts = Vec::with_capacity(form.parts.len());
        for (name, part) in &form.parts {
            let ready = match part {
                Part::Text(v) => Ready::Text(v.clone()),
                Part::File { part, max_bytes } => {
                    let body = measure(&part.source, name, operation).await?;
                    if let Some(len) = body.len() {
                        check(operation, name, len, *max_bytes)?;
                    }
                    Ready::File {
                        body,
                        max_bytes: *max_bytes,
                        file_name: part.file_name.clone(),
                        content_type: part
                            .content_type
                            .clone()
                            .unwrap_or_else(|| OCTET_STREAM.to_owned()),
                    }
                }
            };
            parts.push((*name, ready));
        }
        Ok(Self {
            operation,
            parts,
            cut: CutSlot::default(),
            reader_used: AtomicBool::new(false),
        })
    }

    /// Whether another attempt can send the body: no reader part was read yet.
    pub(crate) fn can_send_again(&self) -> bool {
        !self.reader_used.load(Ordering::SeqCst)
    }

    /// A fresh form for one attempt, parts in order.
    pub(crate) fn form(&self) -> Result<Form> {
        let mut form = Form::new();
        for (name, ready) in &self.parts {
            let part = match ready {
                Ready::Text(v) => WirePart::text(v.clone()),
                Ready::File {
                    body,
                    max_bytes,
                    file_name,
                    content_type,
                } => {
                    let wire = self.file_body(name, body, *max_bytes)?;
                    let wire = wire.mime_str(content_type).map_err(|_| {
                        Error::validation(
                            format!("body.{name}"),
                            format!("has an invalid content type {content_type:?}"),
                        )
                    })?;
                    match file_name {
                        Some(f) => wire.file_name(f.clone()),
                        None => wire,
                    }
                }
            };
            form = form.part(*name, part);
        }
        Ok(form)
    }

    fn file_body(&self, name: &'static str, body: &Body, max: Option<u64>) -> Result<WirePart> {
        let stream = |opener, expect| {
            let s = read_stream(opener, expect, max, name, self.cut.clone());
            reqwest::Body::wrap_stream(s)
        };
        Ok(match body {
            Body::Bytes(b) => WirePart::stream_with_length(b.clone(), b.len() as u64),
            Body::Path(path, len) => {
                WirePart::stream_with_length(stream(Opener::Path(path.clone()), Some(*len)), *len)
            }
            Body::Reader(slot, len) => {
                let reader = slot.lock().ok().and_then(|mut r| r.take());
                let Some(reader) = reader else {
                    return Err(consumed(self.operation, name));
                };
                self.reader_used.store(true, Ordering::SeqCst);
                let body = stream(Opener::Reader(reader), *len);
                match len {
                    Some(len) => WirePart::stream_with_length(body, *len),
                    None => WirePart::stream(body),
                }
            }
        })
    }

    /// The typed error of an attempt whose part stream was cut off, else `err` as it is.
    pub(crate) fn explain(&self, err: Error) -> Error {
        match self.cut.get() {
            Some(Cut::TooLarge { part, limit, read }) => Error::UploadTooLarge {
                operation: self.operation,
                part,
                limit,
                actual: read,
                streamed: true,
            },
            Some(Cut::Empty { part }) => empty(part),
            None => err,
        }
    }
}

impl Body {
    fn len(&self) -> Option<u64> {
        match self {
            Self::Bytes(b) => Some(b.len() as u64),
            Self::Path(_, len) => Some(*len),
            Self::Reader(_, len) => *len,
        }
    }
}

async fn measure(source: &Source, name: &'static str, operation: &'static str) -> Result<Body> {
    Ok(match source {
        Source::Bytes(b) => Body::Bytes(b.clone()),
        Source::Path(path) => {
            let io = |what: &str, source| Error::Io {
                operation,
                what: format!("{what} upload part {name} ({})", path.display()),
                source,
            };
            // Opened, not just looked up: the size is that of the file that will be read.
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| io("opening", e))?;
            let meta = file.metadata().await.map_err(|e| io("measuring", e))?;
            if !meta.is_file() {
                let e = io::Error::new(io::ErrorKind::InvalidInput, "not a regular file");
                return Err(io("reading", e));
            }
            Body::Path(path.clone(), meta.len())
        }
        Source::Reader { reader, len } => {
            let taken = reader.lock().ok().and_then(|mut r| r.take());
            let Some(taken) = taken else {
                return Err(consumed(operation, name));
            };
            Body::Reader(Mutex::new(Some(taken)), *len)
        }
    })
}

fn check(operation: &'static str, part: &'static str, len: u64, max: Option<u64>) -> Result<()> {
    if len == 0 {
        return Err(empty(part));
    }
    match max {
        Some(limit) if len > limit => Err(Error::UploadTooLarge {
            operation,
            part,
            limit,
            actual: len,
            streamed: false,
        }),
        _ => Ok(()),
    }
}

fn empty(part: &'static str) -> Error {
    Error::validation(
        format!("body.{part}"),
        "is empty: a file part needs at least one byte",
    )
}

fn consumed(operation: &'static str, part: &'static str) -> Error {
    Error::Io {
        operation,
        what: format!("reading upload part {part}"),
        source: io::Error::other("its reader was already sent by an earlier request"),
    }
}
