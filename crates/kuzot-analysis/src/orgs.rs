//! Organisations (being written).
use crate::normalize::Normalized;
use kuzot_model::{Org, Span};
/// Organisations named in the text, each once, with the span of its first mention.
pub fn extract_orgs(_text: &Normalized) -> Vec<(Org, Span)> {
    Vec::new()
}
