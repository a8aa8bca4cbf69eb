//! Trainable linear model (being written).
use crate::normalize::Normalized;
use kuzot_model::Category;
/// A trained model.
#[derive(Debug, Clone)]
pub struct LinearModel {}
impl LinearModel {
    /// Probabilities per category, in `Category::ALL` order.
    pub fn scores(&self, _text: &Normalized) -> [f32; 7] {
        [0.0; 7]
    }
    /// The most probable category.
    pub fn predict(&self, _text: &Normalized) -> Category {
        Category::Other
    }
}
