//! Money (being written).
use crate::normalize::Normalized;
use kuzot_model::Money;
/// Every distinct amount of money stated in the text.
pub fn extract_money(_text: &Normalized) -> Vec<Money> {
    Vec::new()
}
