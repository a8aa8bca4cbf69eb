//! A PDF with a text layer as one document.

use std::io::BufRead;

use crate::{DocumentSink, ReadError};

/// Reads one PDF.
pub fn read(_input: impl BufRead, _sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    unimplemented!("being written")
}
