//! Telegram Desktop JSON export.

use std::io::BufRead;

use crate::{DocumentSink, ReadError};

/// Reads a Telegram JSON export.
pub fn read(_input: impl BufRead, _sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    unimplemented!("being written")
}
