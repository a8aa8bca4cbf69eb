//! Format detection.
use kuzot_model::SourceFormat;
/// Result of detection.
#[derive(Debug)]
pub struct Detection {
    /// format
    pub format: SourceFormat,
}
/// Detects.
pub fn detect_format(_head: &[u8], _name: Option<&str>) -> Option<Detection> {
    None
}
