//! The engine: every stage in order, for one text.

/// Version of the rules and lexicons; stored with every analysis.
pub const ENGINE_VERSION: &str = "0.1.0";

/// The analysis engine (being written).
#[derive(Debug, Default)]
pub struct Engine {}
