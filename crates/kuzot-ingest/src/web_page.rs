//! A saved web page (news article, vacancy) as one document.

use std::io::BufRead;

use crate::{DocumentSink, ReadError};

/// Reads one saved web page.
pub fn read(_input: impl BufRead, _sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    unimplemented!("being written")
}
