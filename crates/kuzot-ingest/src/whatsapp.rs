//! WhatsApp "Export chat" text files in every common layout.

use std::io::BufRead;

use crate::{DocumentSink, ReadError, ReadOptions};

/// Reads one WhatsApp chat export.
pub fn read(
    _input: impl BufRead,
    _options: &ReadOptions,
    _sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    unimplemented!("being written")
}
