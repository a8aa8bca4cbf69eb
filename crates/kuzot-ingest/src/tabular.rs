//! CSV and JSONL with a column mapping.

use std::io::BufRead;

use crate::{DocumentSink, ReadError};

/// Which column holds what.
#[derive(Debug, Clone, Default)]
pub struct ColumnMapping {}

/// Reads CSV.
pub fn read_csv(
    _input: impl BufRead,
    _m: &ColumnMapping,
    _sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    unimplemented!("being written")
}
/// Reads JSONL.
pub fn read_jsonl(
    _input: impl BufRead,
    _m: &ColumnMapping,
    _sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    unimplemented!("being written")
}
