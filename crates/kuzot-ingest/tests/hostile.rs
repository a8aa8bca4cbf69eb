//! The hostile-input corpus (`tests/data/hostile/`): crafted files (deep nesting, strings
//! that never close, huge records, formula cells, script and SQL in texts, quoted senders,
//! invalid UTF-8) read by every reader under small limits. No reader may panic, none may
//! hand over a document larger than the limit, and every rejected record names a position.
//! Findings of `.ci/fuzz.sh` are copied into the corpus (`FUZZ_PROMOTE=1`) and so run here.

use std::path::Path;

use kuzot_ingest::{CollectingSink, ReadLimits, ReadOptions, detect_format, read_source};
use kuzot_model::SourceFormat;

const FORMATS: [SourceFormat; 8] = [
    SourceFormat::TelegramJson,
    SourceFormat::TelegramHtml,
    SourceFormat::WhatsappTxt,
    SourceFormat::Csv,
    SourceFormat::Jsonl,
    SourceFormat::WebPage,
    SourceFormat::Pdf,
    SourceFormat::PlainText,
];

const LIMITS: ReadLimits = ReadLimits {
    max_record_bytes: 4096,
    max_document_bytes: 2048,
    max_nesting_depth: 16,
};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus is there");
    files
}

#[test]
fn every_reader_survives_every_hostile_file_within_limits() {
    for (name, bytes) in corpus() {
        let _ = detect_format(&bytes, Some(&name));
        for format in FORMATS {
            let options = ReadOptions {
                limits: LIMITS,
                file_name: Some(name.clone()),
                ..ReadOptions::default()
            };
            let mut sink = CollectingSink::default();
            let result = read_source(format, &bytes[..], &options, &mut sink);
            for doc in &sink.documents {
                assert!(
                    doc.text.len() <= LIMITS.max_document_bytes,
                    "{name} as {format}: a document of {} bytes",
                    doc.text.len()
                );
            }
            for rejected in &sink.rejected {
                assert!(
                    !rejected.reason.is_empty(),
                    "{name} as {format}: a rejection without a reason"
                );
            }
            if let Err(error) = result {
                assert!(!error.to_string().is_empty(), "{name} as {format}");
            }
        }
    }
}

/// What each crafted file must give when read as what it claims to be.
#[test]
fn crafted_files_give_the_expected_outcome() {
    let read = |name: &str, format: SourceFormat| {
        let bytes = corpus()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} is in the corpus"))
            .1;
        let options = ReadOptions {
            limits: LIMITS,
            ..ReadOptions::default()
        };
        let mut sink = CollectingSink::default();
        let result = read_source(format, &bytes[..], &options, &mut sink);
        (result, sink)
    };
    let (result, _) = read("telegram-deep-nesting.json", SourceFormat::TelegramJson);
    let error = result.expect_err("refused").to_string();
    assert!(error.contains("nests deeper than 16"), "{error}");

    let (result, sink) = read("telegram-huge-message.json", SourceFormat::TelegramJson);
    let report = result.expect("read past the huge message");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.rejected[0].position.index, 0);

    let (result, sink) = read("telegram-minified.json", SourceFormat::TelegramJson);
    result.expect("a one-line export");
    assert!(sink.documents[0].text.contains("<script>"), "kept as text");

    let (result, sink) = read("jsonl-long-line.jsonl", SourceFormat::Jsonl);
    let report = result.expect("one bad line");
    assert_eq!((report.documents, report.rejected), (2, 1));
    assert_eq!(sink.rejected[0].position.line, Some(2));

    let (result, _) = read("csv-unclosed-quote.csv", SourceFormat::Csv);
    let report = result.expect("the row before it is kept");
    assert_eq!((report.documents, report.rejected), (1, 1));

    let (result, sink) = read("whatsapp-quoted-senders.txt", SourceFormat::WhatsappTxt);
    let report = result.expect("a chat");
    assert_eq!((report.documents, report.service_records), (2, 1));
    assert_eq!(
        sink.documents[0].author.name.as_deref(),
        Some("Агентство «Вахта»")
    );

    let (result, sink) = read("whatsapp-long-message.txt", SourceFormat::WhatsappTxt);
    let report = result.expect("a chat");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.documents[0].text, "ок");
}
