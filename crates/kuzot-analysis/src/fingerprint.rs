//! Near-duplicate fingerprints (being written).
use crate::normalize::Normalized;
/// MinHash signature of a text.
pub fn minhash(_text: &Normalized) -> Vec<u32> {
    Vec::new()
}
