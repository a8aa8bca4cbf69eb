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
    max_whole_file_bytes: 1 << 20,
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

/// An endless input (as `/dev/zero` or `/dev/urandom` would be) that counts what is read.
struct Endless<'a> {
    byte: u8,
    read: &'a std::cell::Cell<u64>,
}

impl std::io::Read for Endless<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        out.fill(self.byte);
        self.read.set(self.read.get() + out.len() as u64);
        Ok(out.len())
    }
}

/// Every reader that holds the whole file refuses an endless input once it passes the file
/// limit, naming the format and the limit, having read little more than the limit.
#[test]
fn whole_file_readers_stop_at_the_file_limit_of_an_endless_input() {
    let limits = ReadLimits {
        max_whole_file_bytes: 300_000,
        ..ReadLimits::default()
    };
    for format in FORMATS {
        if !kuzot_ingest::reads_whole_file(format) {
            continue;
        }
        let read = std::cell::Cell::new(0);
        let input = std::io::BufReader::new(Endless {
            byte: b'a',
            read: &read,
        });
        let options = ReadOptions {
            limits,
            ..ReadOptions::default()
        };
        let mut sink = CollectingSink::default();
        let error = read_source(format, input, &options, &mut sink)
            .expect_err("an endless input is refused")
            .to_string();
        assert!(
            error.contains("300000 bytes") && error.contains(format.as_str()),
            "{format}: {error}"
        );
        assert!(
            error.contains("ingest.whole_file_bytes"),
            "{format}: the setting is named: {error}"
        );
        // The buffered reader may fetch one buffer past the limit, never the whole input.
        assert!(
            read.get() <= 300_000 + 8192 + 1,
            "{format}: read {}",
            read.get()
        );
        assert!(sink.documents.is_empty());
    }
    // A file at the limit exactly is read.
    let text = "Требуются охранники, вахта 30/30".as_bytes();
    let options = ReadOptions {
        limits: ReadLimits {
            max_whole_file_bytes: text.len() as u64,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    read_source(SourceFormat::PlainText, text, &options, &mut sink).expect("at the limit");
    assert_eq!(sink.documents.len(), 1);
}

/// A Telegram HTML message whose element spans more than the record limit is rejected with
/// its position, as a streamed reader rejects a long record; the messages around it are
/// read.
#[test]
fn a_telegram_html_message_over_the_record_limit_is_rejected_and_the_rest_read() {
    let message = |id: u32, text: &str| {
        format!(
            "<div class=\"message default clearfix\" id=\"message{id}\"><div class=\"body\">\
             <div class=\"pull_right date details\" title=\"12.03.2024 14:0{id}:00 UTC+03:00\">14:0{id}</div>\
             <div class=\"from_name\">Вакансии</div><div class=\"text\">{text}</div></div></div>\n"
        )
    };
    let page = format!(
        "<!DOCTYPE html><html><head><title>Exported Data</title></head><body>\
         <div class=\"page_wrap\"><div class=\"page_header\"><div class=\"text bold\">Вакансии</div></div>\
         <div class=\"page_body chat_page\"><div class=\"history\">\n{}{}{}</div></div></div></body></html>",
        message(1, "Требуются грузчики"),
        message(2, &"Вахта, оплата каждую неделю. ".repeat(200)),
        message(3, "Ищу работу водителем"),
    );
    let options = ReadOptions {
        limits: ReadLimits {
            max_record_bytes: 2000,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let report = read_source(
        SourceFormat::TelegramHtml,
        page.as_bytes(),
        &options,
        &mut sink,
    )
    .expect("the page is read");
    assert_eq!((report.documents, report.rejected), (2, 1), "{sink:?}");
    assert_eq!(sink.rejected[0].position.index, 1);
    assert!(
        sink.rejected[0].reason.contains("2000 bytes per record"),
        "{}",
        sink.rejected[0].reason
    );
    let offset = sink.rejected[0].position.byte_offset.expect("an offset") as usize;
    assert!(page[offset..].starts_with("<div class=\"message default clearfix\" id=\"message2\""));
    // With the default limit the same page gives three documents.
    let mut sink = CollectingSink::default();
    let report = read_source(
        SourceFormat::TelegramHtml,
        page.as_bytes(),
        &ReadOptions::default(),
        &mut sink,
    )
    .expect("the page is read");
    assert_eq!(report.documents, 3);
}
