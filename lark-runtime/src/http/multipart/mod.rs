//! `multipart/form-data` request bodies: text parts and file parts, as a spec describes them.
//!
//! A file part's bytes come from memory ([`FilePart::bytes`]), a file ([`FilePart::path`]) or
//! an async reader ([`FilePart::reader`]); they are streamed, never copied into one buffer. Before
//! any request is made, every file part is measured (a file is opened and its size read, a
//! reader's declared length taken) and checked against its operation's limit: too large is
//! [`Error::UploadTooLarge`](crate::Error::UploadTooLarge), empty is
//! [`Error::Validation`](crate::Error::Validation), and nothing is sent.
//!
//! Retries: bytes and files can be sent again, so such uploads are retried like JSON requests.
//! A reader can be read once: an upload with a reader part is never sent twice (no retry, no
//! repeat after a token refresh) once its reader has been read from.

mod cut;
mod prepare;
mod stream;

pub(crate) use prepare::Prepared;

use bytes::Bytes;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncRead;

/// A reader that is read at most once, shared by the clones of the request that holds it.
pub(crate) type SharedReader = Arc<Mutex<Option<Box<dyn AsyncRead + Send + Unpin>>>>;

/// Where a file part's bytes come from.
#[derive(Clone)]
pub(crate) enum Source {
    Bytes(Bytes),
    Path(PathBuf),
    Reader {
        reader: SharedReader,
        len: Option<u64>,
    },
}

/// One file part of a multipart upload: its bytes, file name and content type.
///
/// ```
/// use lark_runtime::http::FilePart;
///
/// let from_memory = FilePart::bytes(&b"GIF89a..."[..]).file_name("dot.gif").content_type("image/gif");
/// let from_disk = FilePart::path("/tmp/report.pdf"); // file name: report.pdf
/// let from_reader = FilePart::reader(tokio::io::empty(), Some(0)).file_name("empty.bin");
/// # let _ = (from_memory, from_disk, from_reader);
/// ```
#[derive(Clone)]
pub struct FilePart {
    pub(crate) source: Source,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
}

impl FilePart {
    /// A part whose bytes are in memory (shared, not copied, by every attempt of a retry).
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Self::of(Source::Bytes(data.into()))
    }

    /// A part read from a file, opened and measured before the request is made, and opened
    /// again by each retry. Its file name defaults to the path's last component.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Self {
            file_name: name,
            ..Self::of(Source::Path(path))
        }
    }

    /// A part read from an async reader, once: such an upload is never retried.
    ///
    /// With `len`, the declared size is checked against the limit before the request is made,
    /// and exactly that many bytes are sent (a reader that ends sooner fails the upload). With
    /// `None`, the part is sent as it is read and the upload is aborted as soon as it passes the
    /// limit ([`Error::UploadTooLarge`](crate::Error::UploadTooLarge) with `streamed: true`): the
    /// server may then have seen part of it.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static, len: Option<u64>) -> Self {
        Self::of(Source::Reader {
            reader: Arc::new(Mutex::new(Some(Box::new(reader)))),
            len,
        })
    }

    fn of(source: Source) -> Self {
        Self {
            source,
            file_name: None,
            content_type: None,
        }
    }

    /// The file name sent in the part's `Content-Disposition`.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type`. Default: `application/octet-stream`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Whether the part can be sent again (bytes and files can, readers cannot).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Reader { .. })
    }

    /// The size known without reading: bytes in memory, or a reader's declared length (a file
    /// is measured when sent).
    pub fn known_len(&self) -> Option<u64> {
        match &self.source {
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Path(_) => None,
            Source::Reader { len, .. } => *len,
        }
    }

    fn same_source(&self, other: &Self) -> bool {
        match (&self.source, &other.source) {
            (Source::Bytes(a), Source::Bytes(b)) => a == b,
            (Source::Path(a), Source::Path(b)) => a == b,
            (Source::Reader { reader: a, .. }, Source::Reader { reader: b, .. }) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }
}

impl PartialEq for FilePart {
    /// Same bytes or path, or the very same reader, with the same name and content type.
    fn eq(&self, other: &Self) -> bool {
        self.same_source(other)
            && self.file_name == other.file_name
            && self.content_type == other.content_type
    }
}

impl fmt::Debug for FilePart {
    /// Sizes and paths, never the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FilePart");
        match &self.source {
            Source::Bytes(b) => d.field("bytes", &b.len()),
            Source::Path(p) => d.field("path", p),
            Source::Reader { len, .. } => d.field("reader_len", len),
        };
        d.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A part of a [`Multipart`] form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Text(String),
    File {
        part: FilePart,
        max_bytes: Option<u64>,
    },
}

/// A `multipart/form-data` body, described: its parts in the order they are sent. Generated
/// `to_request` of a multipart operation builds it from the spec's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Multipart {
    pub(crate) parts: Vec<(&'static str, Part)>,
}

impl Multipart {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text part.
    pub fn text(&mut self, name: &'static str, value: impl fmt::Display) {
        self.parts.push((name, Part::Text(value.to_string())));
    }

    /// Adds a text part when the value is set.
    pub fn text_opt<V: fmt::Display>(&mut self, name: &'static str, value: Option<V>) {
        if let Some(v) = value {
            self.text(name, v);
        }
    }

    /// Adds a file part of at most `max_bytes` bytes (never empty).
    pub fn file(&mut self, name: &'static str, part: &FilePart, max_bytes: Option<u64>) {
        let part = Part::File {
            part: part.clone(),
            max_bytes,
        };
        self.parts.push((name, part));
    }

    /// Adds a file part when it is set.
    pub fn file_opt(
        &mut self,
        name: &'static str,
        part: Option<&FilePart>,
        max_bytes: Option<u64>,
    ) {
        if let Some(p) = part {
            self.file(name, p, max_bytes);
        }
    }

    /// The part names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.parts.iter().map(|(n, _)| *n)
    }

    /// The value of a text part, if present.
    pub fn text_value(&self, name: &str) -> Option<&str> {
        self.parts.iter().find_map(|(n, p)| match p {
            Part::Text(v) if *n == name => Some(v.as_str()),
            _ => None,
        })
    }

    /// Whether every part can be sent again (no reader part).
    pub fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, p)| match p {
            Part::Text(_) => true,
            Part::File { part, .. } => part.is_replayable(),
        })
    }
}
