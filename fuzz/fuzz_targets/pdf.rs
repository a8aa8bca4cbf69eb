//! Fuzzes the PDF reader: any bytes must end in documents, rejected records or an error for
//! the whole file, never in a panic that leaves the reader, a stack overflow or a hang.
//!
//! The reader calls the PDF parser inside `catch_unwind` on purpose (the parser panics on
//! some malformed files), but libfuzzer-sys installs a panic hook that aborts on every
//! panic, caught or not. This target therefore puts back a hook that only remembers the
//! message, and treats as a crash only a panic that escapes `read_source`.
#![no_main]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use kuzot_ingest::{CollectingSink, ReadOptions, read_source};
use kuzot_model::SourceFormat;
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// Where and why the last panic on this thread happened, for the crash report.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

static QUIET_HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // After libfuzzer-sys's own initialisation, so this hook replaces its aborting one.
    QUIET_HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|last| *last.borrow_mut() = info.to_string());
        }));
    });
    let mut sink = CollectingSink::default();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        read_source(SourceFormat::Pdf, data, &ReadOptions::default(), &mut sink)
    }));
    match outcome {
        Err(_) => {
            let message = LAST_PANIC.with(|last| last.borrow().clone());
            eprintln!("panic escaped the PDF reader: {message}");
            std::process::abort();
        }
        Ok(Ok(report)) => {
            assert_eq!(report.documents, sink.documents.len() as u64);
            assert_eq!(report.rejected, sink.rejected.len() as u64);
        }
        // An error is a valid answer to a malformed file.
        Ok(Err(_)) => {}
    }
});
