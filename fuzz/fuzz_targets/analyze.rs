//! Fuzzes the analysis engine on arbitrary text: it must never panic, and every span it
//! returns must be a valid range of the original text, since the UI slices the text by it.
#![no_main]

use std::sync::OnceLock;

use kuzot_analysis::Engine;
use kuzot_model::{Category, Span};
use libfuzzer_sys::fuzz_target;

/// Built once: loading the lexicons and models for every input would drown the fuzzing.
static ENGINE: OnceLock<Engine> = OnceLock::new();

fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && text.get(span.start..span.end).is_some(),
        "{what} span {span:?} is not a char-aligned range of a {}-byte text",
        text.len()
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engine = ENGINE.get_or_init(Engine::new);
    let analysis = engine.analyze(&text);
    assert_eq!(analysis.scores.len(), Category::ALL.len());
    for cue in &analysis.cues {
        if let Some(span) = cue.span {
            check_span(&text, span, &format!("cue {:?}", cue.cue));
        }
    }
    for fact in &analysis.spans {
        check_span(&text, fact.span, &format!("{} {:?}", fact.fact, fact.value));
    }
});
