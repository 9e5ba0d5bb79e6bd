//! Why a streamed part stopped early: the part's stream notes it, the attempt's error reads it.

use std::io;
use std::sync::{Arc, Mutex};

/// Why a part streamed from a reader of unknown length was cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    TooLarge {
        part: &'static str,
        limit: u64,
        read: u64,
    },
    Empty {
        part: &'static str,
    },
}

/// Where a part's stream notes why it stopped, for the attempt's error.
#[derive(Debug, Clone, Default)]
pub(crate) struct CutSlot(Arc<Mutex<Option<Cut>>>);

impl CutSlot {
    /// Notes the cut and gives the I/O error that aborts the request body.
    pub(crate) fn note(&self, cut: Cut) -> io::Error {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(cut);
        }
        io::Error::new(io::ErrorKind::InvalidData, "upload part cut off")
    }

    pub(super) fn get(&self) -> Option<Cut> {
        self.0.lock().ok().and_then(|s| *s)
    }
}
