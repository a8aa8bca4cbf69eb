//! Fuzzes format detection: any first bytes and file name must give a format or `None`,
//! never a panic (detection reads a prefix that may cut a UTF-8 character anywhere).
#![no_main]

use kuzot_ingest::detect_format;
use libfuzzer_sys::fuzz_target;

/// File names that steer detection's tie-breaks, picked by the input's first byte so that
/// the fuzzer explores each with the same content.
const NAMES: [Option<&str>; 9] = [
    None,
    Some("result.json"),
    Some("export.jsonl"),
    Some("posts.csv"),
    Some("messages.html"),
    Some("WhatsApp Chat with Ish bor.txt"),
    Some("report.pdf"),
    Some("no_extension"),
    Some("trailing.dot."),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, head)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let _ = detect_format(head, name);
});
