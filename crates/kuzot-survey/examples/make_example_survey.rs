//! Writes the fictional example survey (questionnaire and both exports) into
//! `crates/kuzot-survey/example-survey/`, or into the folder given as the first argument.
//!
//! `cargo run -p kuzot-survey --example make_example_survey`

#[path = "../tests/support/example_survey.rs"]
mod example_survey;

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(example_survey::EXAMPLE_DIR)
        });
    example_survey::write_example(&dir)?;
    println!("wrote {}", dir.display());
    Ok(())
}
