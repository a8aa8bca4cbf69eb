//! Promises (being written).
use crate::normalize::Normalized;
use kuzot_model::{Promise, Span};
/// Promises made in the text, each once, with the span of its first mention.
pub fn extract_promises(_text: &Normalized) -> Vec<(Promise, Span)> {
    Vec::new()
}
