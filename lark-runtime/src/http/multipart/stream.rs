//! The byte stream of one file part read from a file or a reader: in chunks, exactly the
//! measured or declared length, or (length unknown) cut off past the limit.

use super::cut::{Cut, CutSlot};
use bytes::{Bytes, BytesMut};
use futures::Stream;
use std::io;
use std::path::PathBuf;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Bytes read per chunk: large enough for few syscalls, small enough to keep memory flat.
const CHUNK: usize = 64 * 1024;

/// Where the stream gets its reader: a file opened on the first read (each attempt opens it
/// again), or a reader given once.
pub(crate) enum Opener {
    Path(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Unpin>),
}

struct State {
    opener: Option<Opener>,
    reader: Option<Box<dyn AsyncRead + Send + Unpin>>,
    read: u64,
    expect: Option<u64>,
    limit: Option<u64>,
    part: &'static str,
    cut: CutSlot,
}

/// The part's bytes. With `expect`, exactly that many (a source that ends sooner is an error,
/// one that goes on is not read further); without, everything up to `limit`, and an error
/// (noted in `cut`) before a byte past it is yielded, or when the source is empty.
pub(crate) fn read_stream(
    opener: Opener,
    expect: Option<u64>,
    limit: Option<u64>,
    part: &'static str,
    cut: CutSlot,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let state = State {
        opener: Some(opener),
        reader: None,
        read: 0,
        expect,
        limit,
        part,
        cut,
    };
    futures::stream::try_unfold(state, next_chunk)
}

async fn next_chunk(mut st: State) -> io::Result<Option<(Bytes, State)>> {
    if st.reader.is_none() {
        st.reader = Some(match st.opener.take() {
            Some(Opener::Path(path)) => Box::new(tokio::fs::File::open(path).await?),
            Some(Opener::Reader(reader)) => reader,
            None => return Ok(None),
        });
    }
    let want = match st.expect {
        Some(n) => usize::try_from(n - st.read).unwrap_or(CHUNK).min(CHUNK),
        None => CHUNK,
    };
    if want == 0 {
        return Ok(None);
    }
    let mut buf = BytesMut::with_capacity(want);
    let Some(reader) = st.reader.as_mut() else {
        return Ok(None);
    };
    let n = reader.read_buf(&mut buf).await? as u64;
    if n == 0 {
        return match st.expect {
            Some(len) if st.read < len => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "upload part {} ended after {} of {len} bytes",
                    st.part, st.read
                ),
            )),
            None if st.read == 0 => Err(st.cut.note(Cut::Empty { part: st.part })),
            _ => Ok(None),
        };
    }
    st.read += n;
    if let (None, Some(limit)) = (st.expect, st.limit) {
        if st.read > limit {
            let cut = Cut::TooLarge {
                part: st.part,
                limit,
                read: st.read,
            };
            return Err(st.cut.note(cut));
        }
    }
    Ok(Some((buf.freeze(), st)))
}
