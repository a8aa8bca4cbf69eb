//! The analysis engine: pure functions of text, no I/O.
//!
//! normalise → identify language → classify (cue lexicons + trainable linear model) →
//! extract facts (money, phones, places, organisations, promises) → fingerprint for
//! near-duplicates. Lexicons and the gazetteer are data files under `data/`, compiled in.

pub mod classify;
mod engine;
pub mod fingerprint;
pub mod genre;
pub mod lang;
pub mod lexicon;
pub mod linear;
pub mod metrics;
pub mod money;
pub mod normalize;
pub mod orgs;
pub mod phones;
pub mod places;
pub mod promises;

pub use engine::{ENGINE_VERSION, Engine, prediction_json};
