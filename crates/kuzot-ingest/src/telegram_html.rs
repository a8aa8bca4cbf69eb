//! Telegram Desktop HTML export (`messages.html`, `messages2.html`, …).

use std::io::BufRead;

use crate::{DocumentSink, ReadError, ReadOptions};

/// Reads one HTML page of a Telegram Desktop export.
pub fn read(
    _input: impl BufRead,
    _options: &ReadOptions,
    _sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    unimplemented!("being written")
}
