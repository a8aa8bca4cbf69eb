//! Phone numbers (being written).
use kuzot_model::Span;
/// Phone numbers in E.164 form, each once, with the span of its first mention.
pub fn extract_phones(_original: &str) -> Vec<(String, Span)> {
    Vec::new()
}
