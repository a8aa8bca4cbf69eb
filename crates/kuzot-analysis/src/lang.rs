//! Language identification (being written).
use crate::normalize::Normalized;
/// A language decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageGuess {
    /// ISO 639-1 code.
    pub lang: &'static str,
    /// ISO 15924 script (`Cyrl`, `Latn`).
    pub script: &'static str,
    /// Confidence in [0, 1].
    pub confidence: f32,
}
/// Identifies the main language of a text.
pub fn identify_language(_original: &str, _text: &Normalized) -> LanguageGuess {
    LanguageGuess {
        lang: "ru",
        script: "Cyrl",
        confidence: 0.0,
    }
}
