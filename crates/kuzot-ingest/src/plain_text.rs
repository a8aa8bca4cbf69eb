//! Plain text.

use std::io::BufRead;

use crate::{DocumentSink, ReadError, ReadOptions};

/// Reads plain text.
pub fn read(
    _input: impl BufRead,
    _o: &ReadOptions,
    _sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    unimplemented!("being written")
}
