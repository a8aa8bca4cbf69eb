//! The WhatsApp export reader on every layout it claims to read: the shared real-layout
//! fixtures, our own exports in Russian, Kyrgyz and Uzbek, bad input, and arbitrary bytes.

use std::path::{Path, PathBuf};

use kuzot_ingest::{CollectingSink, ReadError, ReadOptions, ReadReport, read_source};
use kuzot_model::{RawDocument, SourceFormat};
use time::OffsetDateTime;
use time::macros::datetime;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shared fixtures: `KUZOT_SHARED_DIR`, else `shared/` beside the clone.
fn shared_whatsapp_dir() -> PathBuf {
    let shared = std::env::var_os("KUZOT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../../shared"));
    let dir = shared.join("fixtures/chat-export-formats/whatsapp");
    assert!(
        dir.is_dir(),
        "the shared WhatsApp fixtures are missing at {}; put the shared/ folder beside the \
         clone or set KUZOT_SHARED_DIR to its location",
        dir.display()
    );
    dir
}

fn fixture(name: &str) -> Vec<u8> {
    let path = crate_dir().join("tests/data/whatsapp").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_named(bytes: &[u8], file_name: &str) -> (Result<ReadReport, ReadError>, CollectingSink) {
    let options = ReadOptions {
        file_name: Some(file_name.to_owned()),
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let result = read_source(SourceFormat::WhatsappTxt, bytes, &options, &mut sink);
    (result, sink)
}

fn read_ok(bytes: &[u8], file_name: &str) -> (ReadReport, CollectingSink) {
    let (result, sink) = read_named(bytes, file_name);
    let report = result.unwrap_or_else(|e| panic!("{file_name}: {e}"));
    (report, sink)
}

fn time_of(doc: &RawDocument) -> OffsetDateTime {
    doc.time.expect("every WhatsApp message has a time")
}

fn author_of(doc: &RawDocument) -> &str {
    doc.author.name.as_deref().unwrap_or("")
}

#[test]
fn shared_real_layouts_match_the_target() {
    let dir = shared_whatsapp_dir();
    let target: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("target.json")).expect("target.json is readable"),
    )
    .expect("target.json is JSON");
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let mut expected: Vec<(String, String, String)> = target
        .as_array()
        .expect("target.json is a list")
        .iter()
        .map(|m| {
            let field = |k: &str| m[k].as_str().expect("a string field").to_owned();
            (field("timestamp"), field("author"), field("message"))
        })
        .collect();
    expected.sort();

    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture folder is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five layouts in {}", dir.display());
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name");
        let bytes = std::fs::read(&path).expect("fixture is readable");
        let (report, sink) = read_ok(&bytes, name);
        let mut got: Vec<(String, String, String)> = sink
            .documents
            .iter()
            .map(|d| {
                let t = time_of(d);
                assert_eq!(t.offset(), time::UtcOffset::UTC);
                // The target joins a message's lines with a space; kuzot keeps the line break.
                (
                    t.format(&format).expect("formats"),
                    author_of(d).to_owned(),
                    d.text.replace('\n', " "),
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "{name}");
        // "created group" and "You were added" are WhatsApp's notices. "John Doe:." has no
        // "Name: " separator and is no notice: the target leaves it out, and kuzot reports it
        // as a rejected record on its line rather than dropping it as a notice.
        assert_eq!(report.service_records, 2, "{name}");
        assert_eq!(report.rejected, 1, "{name}: {:?}", sink.rejected);
        assert_eq!(sink.rejected[0].position.line, Some(2), "{name}");
        assert!(
            sink.rejected[0].reason.contains("no \"Name: \""),
            "{name}: {}",
            sink.rejected[0].reason
        );
        let stem = name.trim_end_matches(".txt");
        assert!(
            sink.documents
                .iter()
                .all(|d| d.chat.name.as_deref() == Some(stem))
        );
        assert!(sink.documents.iter().all(|d| d.message_id.is_none()));
        let multi_line = sink
            .documents
            .iter()
            .find(|d| author_of(d) == "Jahn Doe")
            .expect("the multi-line message");
        assert_eq!(
            multi_line.text,
            "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."
        );
        assert_eq!(multi_line.position.line, Some(3), "{name}");
    }
}

#[test]
fn russian_android_export_with_system_lines_media_and_multi_line_ads() {
    let (report, sink) = read_ok(
        &fixture("android_ru_dmy_24h.txt"),
        "Чат WhatsApp с Работа Москва.txt",
    );
    assert_eq!(
        report.service_records, 4,
        "encryption, created, added, removed"
    );
    assert_eq!(report.rejected, 0, "{:?}", sink.rejected);
    assert_eq!(report.documents, 10);
    let docs = &sink.documents;
    assert!(
        docs.iter()
            .all(|d| d.chat.name.as_deref() == Some("Работа Москва"))
    );
    assert!(
        docs.iter()
            .all(|d| d.kind == kuzot_model::DocumentKind::Message)
    );

    // The first message after three system lines: record 3, line 4; Kyrgyz text intact.
    assert_eq!(author_of(&docs[0]), "Айбек Токтогулов");
    assert!(docs[0].text.starts_with("Саламатсыздарбы!"));
    assert_eq!(docs[0].position.index, 3);
    assert_eq!(docs[0].position.line, Some(4));
    let offset = fixture("android_ru_dmy_24h.txt")
        .split(|&b| b == b'\n')
        .take(3)
        .map(|l| l.len() as u64 + 1)
        .sum::<u64>();
    assert_eq!(docs[0].position.byte_offset, Some(offset));
    assert_eq!(time_of(&docs[0]), datetime!(2024-03-02 10:05 UTC));

    // A phone number as the author, without the embedding marks Android puts around it.
    assert_eq!(author_of(&docs[1]), "+996 555 000 001");

    // The ad keeps its lines, its blank line, and the wall-clock time taken as UTC
    // (the header has a no-break space after the comma).
    let ad = &docs[2];
    assert_eq!(time_of(ad), datetime!(2024-03-05 18:40 UTC));
    assert_eq!(ad.text.lines().count(), 6);
    assert!(
        ad.text
            .contains("контракт с Министерством обороны РФ.\nЗарплата")
    );
    assert!(ad.text.ends_with("\n\nЗвоните: +7 900 000 00 00"));

    for (i, kind) in [(3, "omitted"), (5, "omitted")] {
        assert_eq!(docs[i].text, "");
        assert_eq!(docs[i].media.len(), 1);
        assert_eq!(docs[i].media[0].kind, kind);
    }
    let leaflet = &docs[6];
    assert_eq!(leaflet.media[0].kind, "photo");
    assert_eq!(
        leaflet.media[0].file.as_deref(),
        Some("IMG-20240309-WA0003.jpg")
    );
    assert_eq!(leaflet.text, "Вот их листовка из Сахарово");

    let vakhta = &docs[7];
    assert!(vakhta.text.starts_with("Вахта в Мариуполь 60/30"));
    assert_eq!(vakhta.text.lines().count(), 3);
    // 14.03 is what shows the file is day-first; 02.03 is 2 March, not 3 February.
    assert_eq!(time_of(&docs[8]), datetime!(2024-03-14 08:15 UTC));
    assert_eq!(author_of(&docs[9]), "Айбек Токтогулов");
}

#[test]
fn russian_ios_export_with_marks_attachments_and_group_notices() {
    let (report, sink) = read_ok(&fixture("ios_ru_dmy_seconds.txt"), "_chat.txt");
    assert_eq!(report.service_records, 3, "encryption, created, left");
    assert_eq!(report.rejected, 0, "{:?}", sink.rejected);
    let docs = &sink.documents;
    assert_eq!(docs.len(), 6);
    assert!(
        docs.iter().all(|d| d.chat.name.is_none()),
        "_chat.txt names no chat"
    );
    assert_eq!(
        docs[0].text,
        "Всем салам. Нужны 10 человек на склад в Подольске, 3500 в смену.\nПроживание есть."
    );
    assert_eq!(time_of(&docs[0]), datetime!(2024-03-12 14:06:10 UTC));
    assert_eq!(docs[0].position.index, 2);
    assert_eq!(docs[1].media[0].kind, "photo");
    assert_eq!(
        docs[1].media[0].file.as_deref(),
        Some("00000012-PHOTO-2024-03-12-14-07-02.jpg")
    );
    assert_eq!(docs[1].text, "");
    assert_eq!(docs[2].media[0].kind, "photo");
    assert_eq!(docs[2].media[0].file, None);
    assert_eq!(docs[3].text, "Айбек байке, склад кайсы метрого жакын?");
    assert_eq!(docs[4].media[0].kind, "voice_message");
    assert_eq!(docs[5].media[0].kind, "document");
    assert_eq!(docs[5].media[0].file.as_deref(), Some("Договор.pdf"));
}

#[test]
fn english_ios_export_with_narrow_spaces_and_twelve_hour_clock() {
    let (report, sink) = read_ok(
        &fixture("ios_en_mdy_12h.txt"),
        "WhatsApp Chat - Ish bor Toshkent.txt",
    );
    assert_eq!(report.service_records, 2, "encryption and removed");
    assert_eq!(report.rejected, 0, "{:?}", sink.rejected);
    let docs = &sink.documents;
    assert_eq!(docs.len(), 8);
    assert!(
        docs.iter()
            .all(|d| d.chat.name.as_deref() == Some("Ish bor Toshkent"))
    );
    assert_eq!(time_of(&docs[0]), datetime!(2024-03-01 08:05:40 UTC));
    // 12 PM is noon, 12 AM is midnight.
    assert_eq!(time_of(&docs[1]), datetime!(2024-03-02 12:15 UTC));
    assert_eq!(time_of(&docs[2]), datetime!(2024-03-02 00:40:09 UTC));
    assert_eq!(time_of(&docs[3]), datetime!(2024-03-04 19:30 UTC));
    assert_eq!(docs[3].media[0].kind, "photo");
    assert_eq!(
        docs[4].media[0].file.as_deref(),
        Some("00000012-PHOTO-2024-03-05-09-10-10.jpg")
    );
    // A shared location is marked like a notice but kept, without the mark.
    assert_eq!(
        docs[5].text,
        "Location: https://maps.google.com/?q=55.751,37.618"
    );
    assert_eq!(docs[6].media[0].file.as_deref(), Some("Shartnoma.pdf"));
    assert_eq!(time_of(&docs[7]), datetime!(2024-03-14 18:50 UTC));
    assert!(docs[7].text.contains("“qoʻriqchi”"));
}

#[test]
fn english_android_export_with_lower_case_am_pm() {
    let (report, sink) = read_ok(
        &fixture("android_en_mdy_12h_lower.txt"),
        "WhatsApp Chat with Azamat uulu.txt",
    );
    assert_eq!(report.rejected, 0, "{:?}", sink.rejected);
    let docs = &sink.documents;
    assert_eq!(docs.len(), 5);
    assert_eq!(docs[0].chat.name.as_deref(), Some("Azamat uulu"));
    assert_eq!(time_of(&docs[0]), datetime!(2024-03-10 00:05 UTC));
    assert_eq!(time_of(&docs[1]), datetime!(2024-03-10 12:30 UTC));
    assert_eq!(time_of(&docs[2]), datetime!(2024-03-10 13:15 UTC));
    assert_eq!(docs[2].text.lines().count(), 2);
    assert_eq!(time_of(&docs[3]), datetime!(2024-03-11 23:59 UTC));
    assert_eq!(docs[3].media[0].kind, "omitted");
    assert_eq!(time_of(&docs[4]), datetime!(2024-03-13 06:00 UTC));
}

#[test]
fn spanish_dotted_arabic_and_dashed_twelve_hour_markers() {
    let (_, sink) = read_ok(&fixture("android_es_dmy_12h.txt"), "chat.txt");
    let times: Vec<_> = sink.documents.iter().map(time_of).collect();
    assert_eq!(
        times,
        [
            datetime!(2024-03-01 09:05 UTC),
            datetime!(2024-03-01 12:00 UTC),
            datetime!(2024-03-15 15:20 UTC),
            datetime!(2024-03-15 00:45 UTC),
        ]
    );
    assert_eq!(author_of(&sink.documents[0]), "Шерзод");

    let (_, sink) = read_ok(&fixture("android_dash_date_dotted_ampm.txt"), "chat.txt");
    let times: Vec<_> = sink.documents.iter().map(time_of).collect();
    assert_eq!(
        times,
        [
            datetime!(2024-03-20 08:00 UTC),
            datetime!(2024-03-20 20:15 UTC)
        ]
    );
    assert_eq!(author_of(&sink.documents[1]), "Ольга (волонтёр)");

    let (_, sink) = read_ok(&fixture("arabic_ampm.txt"), "chat.txt");
    let times: Vec<_> = sink.documents.iter().map(time_of).collect();
    assert_eq!(
        times,
        [
            datetime!(2024-03-12 09:05 UTC),
            datetime!(2024-03-12 21:05 UTC)
        ]
    );
}

#[test]
fn year_first_dates_with_dashes_and_slashes() {
    let (_, sink) = read_ok(&fixture("android_ymd_dash.txt"), "chat.txt");
    let times: Vec<_> = sink.documents.iter().map(time_of).collect();
    assert_eq!(
        times,
        [
            datetime!(2024-03-12 14:05 UTC),
            datetime!(2024-03-12 14:07 UTC)
        ]
    );
    let (_, sink) = read_ok(&fixture("ios_ymd_slash.txt"), "chat.txt");
    let times: Vec<_> = sink.documents.iter().map(time_of).collect();
    assert_eq!(
        times,
        [
            datetime!(2024-03-12 14:05:33 UTC),
            datetime!(2024-03-31 09:00 UTC)
        ]
    );
}

#[test]
fn day_or_month_first_is_decided_by_the_whole_file() {
    // Nothing decides: day first.
    let (_, sink) = read_ok(&fixture("ambiguous_undecided.txt"), "chat.txt");
    assert_eq!(time_of(&sink.documents[0]), datetime!(2024-04-03 10:00 UTC));

    // No number above 12, but only month first keeps the dates in order.
    let (_, sink) = read_ok(&fixture("ambiguous_month_first_by_order.txt"), "chat.txt");
    let dates: Vec<_> = sink.documents.iter().map(|d| time_of(d).date()).collect();
    assert_eq!(
        dates,
        [
            time::macros::date!(2024 - 01 - 02),
            time::macros::date!(2024 - 01 - 03),
            time::macros::date!(2024 - 02 - 01),
            time::macros::date!(2024 - 02 - 05),
        ]
    );

    // Two-digit year first, chosen because only it keeps 28 Feb → 29 Feb → 1 Mar.
    let (_, sink) = read_ok(&fixture("two_digit_ymd.txt"), "chat.txt");
    let dates: Vec<_> = sink.documents.iter().map(|d| time_of(d).date()).collect();
    assert_eq!(
        dates,
        [
            time::macros::date!(2024 - 02 - 28),
            time::macros::date!(2024 - 02 - 29),
            time::macros::date!(2024 - 03 - 01),
        ]
    );

    // 81 ambiguous lines, then 03/15/24: the first lines are month first too.
    let (report, sink) = read_ok(&fixture("late_decider_mdy.txt"), "chat.txt");
    assert_eq!(report.documents, 82);
    assert_eq!(
        time_of(&sink.documents[80]),
        datetime!(2024-03-04 09:00 UTC)
    );
    assert_eq!(
        time_of(&sink.documents[81]),
        datetime!(2024-03-15 09:00 UTC)
    );
}

#[test]
fn byte_order_mark_and_crlf_line_endings() {
    let (_, sink) = read_ok(&fixture("android_crlf_bom.txt"), "chat.txt");
    assert_eq!(sink.documents.len(), 2);
    assert_eq!(sink.documents[0].text, "Салам\nэкинчи сап");
    // 3 bytes of BOM, 44 of the first line, 21 of the second, with their CR LF.
    assert_eq!(sink.documents[1].position.byte_offset, Some(68));
    assert_eq!(time_of(&sink.documents[1]), datetime!(2024-03-13 09:00 UTC));
}

#[test]
fn bad_records_are_rejected_with_positions_and_the_read_goes_on() {
    let bytes = fixture("bad_input.txt");
    let (report, sink) = read_ok(&bytes, "chat.txt");
    let texts: Vec<&str> = sink.documents.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Нормальное сообщение", "Последнее хорошее сообщение"]
    );
    assert_eq!(report.rejected, 5, "{:#?}", sink.rejected);
    let reasons: Vec<(Option<u64>, &str)> = sink
        .rejected
        .iter()
        .map(|r| (r.position.line, r.reason.as_str()))
        .collect();
    assert_eq!(reasons[0].0, Some(1));
    assert!(
        reasons[0].1.contains("belong to no message"),
        "{}",
        reasons[0].1
    );
    assert_eq!(reasons[1].0, Some(3));
    assert!(
        reasons[1]
            .1
            .contains("date 31.31.2024 is not a valid day/month/year"),
        "{}",
        reasons[1].1
    );
    assert_eq!(reasons[2].0, Some(5));
    assert!(
        reasons[2]
            .1
            .contains("time 25:10 is not a valid time of day"),
        "{}",
        reasons[2].1
    );
    assert_eq!(reasons[3].0, Some(6));
    assert!(reasons[3].1.contains("time 13:10 PM"), "{}", reasons[3].1);
    // The invalid bytes are on line 8; the message from line 7 goes with them.
    let bad = &sink.rejected[4];
    assert_eq!(bad.position.line, Some(8));
    let line_8_start = bytes
        .split(|&b| b == b'\n')
        .take(7)
        .map(|l| l.len() as u64 + 1)
        .sum::<u64>();
    // "Вторая " is 13 bytes.
    assert_eq!(bad.position.byte_offset, Some(line_8_start + 13));
    assert!(bad.reason.contains("invalid UTF-8"), "{}", bad.reason);
    assert!(bad.reason.contains("line 7"), "{}", bad.reason);
    // Records are numbered in file order, bad ones included.
    assert_eq!(sink.documents[0].position.index, 1);
    assert_eq!(sink.documents[1].position.index, 6);
}

#[test]
fn a_file_that_is_not_an_export_is_refused_with_its_first_line() {
    let (result, sink) = read_named(&fixture("not_an_export.txt"), "report.txt");
    match result {
        Err(ReadError::NotThisFormat { expected, found }) => {
            assert_eq!(expected, SourceFormat::WhatsappTxt);
            assert!(
                found.contains("\"Отчёт о мониторинге объявлений\""),
                "{found}"
            );
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
    assert!(sink.documents.is_empty());

    // A header after 50 non-empty lines is too late: the file is something else.
    let mut late = "Строка отчёта\n".repeat(50);
    late.push_str("12/03/2024, 14:05 - Айбек: салам\n");
    let (result, _) = read_named(late.as_bytes(), "late.txt");
    assert!(
        matches!(result, Err(ReadError::NotThisFormat { .. })),
        "{result:?}"
    );
    // On the 50th line it is still in time, and the 49 lines before are one rejected record.
    let mut in_time = "Строка отчёта\n".repeat(49);
    in_time.push_str("12/03/2024, 14:05 - Айбек: салам\n");
    let (report, _) = read_ok(in_time.as_bytes(), "late.txt");
    assert_eq!((report.documents, report.rejected), (1, 1));

    // Binary data, a long first line preview cut at 60 characters.
    let (result, _) = read_named(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "x.png");
    assert!(
        matches!(result, Err(ReadError::NotThisFormat { .. })),
        "{result:?}"
    );
    let long = "а".repeat(200);
    let (result, _) = read_named(long.as_bytes(), "x.txt");
    match result {
        Err(ReadError::NotThisFormat { found, .. }) => {
            assert!(
                found.contains(&format!("\"{}…\"", "а".repeat(60))),
                "{found}"
            );
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
}

#[test]
fn empty_and_blank_files_give_no_documents_and_no_error() {
    for name in ["empty.txt", "blank.txt"] {
        let (report, _) = read_ok(&fixture(name), name);
        assert_eq!(report, ReadReport::default(), "{name}");
    }
}

#[test]
fn a_line_too_long_for_any_message_stops_the_read() {
    let mut bytes = b"12/03/2024, 14:05 - A: b\n12/03/2024, 14:06 - A: ".to_vec();
    bytes.resize(5 * 1024 * 1024, b'x');
    let (result, _) = read_named(&bytes, "huge.txt");
    assert!(
        matches!(result, Err(ReadError::Truncated { offset: 25, .. })),
        "{result:?}"
    );
    let (result, _) = read_named(&vec![b'x'; 5 * 1024 * 1024], "huge.txt");
    assert!(
        matches!(result, Err(ReadError::NotThisFormat { .. })),
        "{result:?}"
    );
}

#[test]
fn chat_names_come_from_the_file_name() {
    let export = b"12/03/2024, 14:05 - A: b\n";
    for (file, chat) in [
        ("WhatsApp Chat with Айбек.txt", Some("Айбек")),
        (
            "/tmp/exports/WhatsApp Chat with Айбек (1).txt",
            Some("Айбек"),
        ),
        ("Чат WhatsApp с Иш Москва.txt", Some("Иш Москва")),
        ("WhatsApp Chat - Ish bor.txt", Some("Ish bor")),
        ("ish_bor_toshkent.txt", Some("ish_bor_toshkent")),
        ("_chat.txt", None),
    ] {
        let (_, sink) = read_ok(export, file);
        assert_eq!(sink.documents[0].chat.name.as_deref(), chat, "{file}");
    }
}

#[test]
fn the_examples_read_cleanly() {
    let dir = crate_dir().join("../../examples/whatsapp");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/whatsapp exists") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name")
            .to_owned();
        let (report, sink) = read_ok(&std::fs::read(&path).expect("readable"), &name);
        assert_eq!(report.rejected, 0, "{name}: {:?}", sink.rejected);
        assert!(report.documents >= 8, "{name}");
        assert!(sink.documents.iter().all(|d| d.chat.name.is_some()));
        seen += 1;
    }
    assert_eq!(seen, 2);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const FRAGMENTS: &[&str] = &[
        "12",
        "03",
        "2024",
        "24",
        "31",
        "13",
        "/",
        ".",
        "-",
        ", ",
        " ",
        "[",
        "]",
        ":",
        "14:05",
        "2:05",
        ":33",
        " PM",
        " a. m.",
        "p.m.",
        "ص",
        "م",
        " - ",
        "Айбек",
        ": ",
        "\n",
        "\r\n",
        "\u{200e}",
        "\u{200f}",
        "\u{202f}",
        "\u{a0}",
        "\u{feff}",
        "<Media omitted>",
        "<attached: 1-PHOTO-x.jpg>",
        "image omitted",
        " (file attached)",
        "•",
        "«",
        "\"",
        "99",
        "0",
        "9999",
    ];

    fn read_bytes(bytes: &[u8]) {
        let mut sink = CollectingSink::default();
        let options = ReadOptions {
            file_name: Some("WhatsApp Chat with X.txt".into()),
            ..ReadOptions::default()
        };
        let _ = read_source(SourceFormat::WhatsappTxt, bytes, &options, &mut sink);
    }

    proptest! {
        #[test]
        fn on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            read_bytes(&bytes);
        }

        #[test]
        fn on_header_like_fragments(
            picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..120),
            noise in proptest::collection::vec(any::<u8>(), 0..4),
        ) {
            let mut text: Vec<u8> = picks.iter().flat_map(|&i| FRAGMENTS[i].bytes()).collect();
            text.extend_from_slice(&noise);
            read_bytes(&text);
        }

        #[test]
        fn on_arbitrary_strings(text in "\\PC{0,400}") {
            read_bytes(text.as_bytes());
        }
    }
}

#[test]
fn offsets_of_invalid_bytes_count_the_byte_order_mark() {
    let bytes = b"\xEF\xBB\xBFab\xFF\n12/03/2024, 14:05 - A: b\n";
    let (report, sink) = read_ok(bytes, "chat.txt");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.rejected[0].position.byte_offset, Some(5));
    assert_eq!(sink.rejected[0].position.line, Some(1));
}

#[test]
fn a_leading_mark_drops_only_ios_notices() {
    // Android marks no system line this way: the message is kept, without the mark.
    let (report, sink) = read_ok("12/03/2024, 14:05 - A: \u{200e}Салам\n".as_bytes(), "c.txt");
    assert_eq!((report.documents, report.service_records), (1, 0));
    assert_eq!(sink.documents[0].text, "Салам");
    let (report, _) = read_ok(
        "[12/03/2024, 14:05] A: \u{200e}A added B\n".as_bytes(),
        "c.txt",
    );
    assert_eq!((report.documents, report.service_records), (0, 1));
}

#[test]
fn a_sink_error_stops_the_read() {
    struct Refusing;
    impl kuzot_ingest::DocumentSink for Refusing {
        fn document(&mut self, _doc: RawDocument) -> Result<(), kuzot_ingest::SinkError> {
            Err(kuzot_ingest::SinkError("disk full".into()))
        }
        fn rejected(&mut self, _error: kuzot_ingest::RecordError) {}
    }
    let result = read_source(
        SourceFormat::WhatsappTxt,
        &fixture("android_ru_dmy_24h.txt")[..],
        &ReadOptions::default(),
        &mut Refusing,
    );
    assert!(matches!(result, Err(ReadError::Sink(_))), "{result:?}");
}

#[test]
fn senders_named_with_quotation_marks_are_kept() {
    // An agency saved as a contact with its name in quotes is an author, not a system line.
    let export = "12/03/2024, 14:05 - Агентство «Вахта»: Требуются охранники, вахта 30/30\n\
                  12/03/2024, 14:06 - ООО \"Труд\": Звоните\n\
                  12/03/2024, 14:07 - „Вахта“: Жильё бесплатно\n\
                  12/03/2024, 14:08 - Айбек изменил(а) тему с «Работа» на «Работа: Москва»\n";
    let (report, sink) = read_ok(export.as_bytes(), "WhatsApp Chat with Вахта.txt");
    assert_eq!((report.documents, report.service_records), (3, 1));
    let authors: Vec<&str> = sink.documents.iter().map(author_of).collect();
    assert_eq!(authors, ["Агентство «Вахта»", "ООО \"Труд\"", "„Вахта“"]);
    assert_eq!(sink.documents[0].text, "Требуются охранники, вахта 30/30");
}

#[test]
fn a_message_over_the_record_limit_is_rejected_and_the_next_kept() {
    let mut export = String::from("12/03/2024, 14:05 - Айбек: начало\n");
    for _ in 0..2000 {
        export.push_str("Работа в Москве, охрана, вахта\n");
    }
    export.push_str("12/03/2024, 14:06 - Нурлан: ок\n");
    let options = ReadOptions {
        limits: kuzot_ingest::ReadLimits {
            max_record_bytes: 16 * 1024,
            ..kuzot_ingest::ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let report = read_source(
        SourceFormat::WhatsappTxt,
        export.as_bytes(),
        &options,
        &mut sink,
    )
    .expect("one oversized message does not spoil the file");
    assert_eq!((report.documents, report.rejected), (1, 1));
    assert_eq!(sink.rejected[0].position.line, Some(1));
    assert!(sink.rejected[0].reason.contains("over the limit"));
    assert_eq!(sink.documents[0].text, "ок");
}

#[test]
fn a_document_over_the_document_limit_is_rejected() {
    let export = format!("12/03/2024, 14:05 - Айбек: {}\n", "в".repeat(600));
    let options = ReadOptions {
        limits: kuzot_ingest::ReadLimits {
            max_document_bytes: 1000,
            ..kuzot_ingest::ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let report = read_source(
        SourceFormat::WhatsappTxt,
        export.as_bytes(),
        &options,
        &mut sink,
    )
    .expect("a readable file");
    assert_eq!((report.documents, report.rejected), (0, 1));
    assert!(sink.rejected[0].reason.contains("per document"));
}

#[test]
fn authorless_lines_that_are_no_whatsapp_notice_are_rejected_with_their_line() {
    let export = "12/03/2024, 14:00 - Messages and calls are end-to-end encrypted. No one outside \
                  of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n\
                  12/03/2024, 14:01 - Aibek created group \"Ish: Moskva\"\n\
                  12/03/2024, 14:02 - Aibek added Nurlan\n\
                  12/03/2024, 14:03 - Nurlan left\n\
                  12/03/2024, 14:04 - Агентство Вахта требуются охранники 170 000 руб\n\
                  звоните +7 900 000 00 00\n\
                  12/03/2024, 14:05 - Агентство «Вахта: Требуются охранники\n\
                  12/03/2024, 14:06 - Aibek: Salom\n";
    let (report, sink) = read_ok(export.as_bytes(), "WhatsApp Chat with Ish.txt");
    assert_eq!(
        report.service_records, 4,
        "encryption, created, added, left"
    );
    assert_eq!(report.documents, 1);
    assert_eq!(sink.documents[0].text, "Salom");
    assert_eq!(sink.documents[0].position.line, Some(8));
    let lines: Vec<Option<u64>> = sink.rejected.iter().map(|r| r.position.line).collect();
    // The ad's second line goes with its header: one rejection, not two.
    assert_eq!(lines, [Some(5), Some(7)], "{:?}", sink.rejected);
    for rejected in &sink.rejected {
        assert!(
            rejected.reason.contains("no \"Name: \"") && rejected.reason.contains("notice"),
            "{}",
            rejected.reason
        );
        // Rejection reasons are stored, and a line may carry a private name: not quoted.
        assert!(!rejected.reason.contains("Вахта"), "{}", rejected.reason);
    }
    // Records are numbered in file order, the rejected ones included.
    assert_eq!(sink.documents[0].position.index, 6);
}

#[test]
fn russian_and_english_notices_of_both_genders_and_forms_stay_notices() {
    let notices = [
        "Сообщения и звонки защищены сквозным шифрованием. Никто вне этого чата, даже WhatsApp, \
         не может прочитать или прослушать их.",
        "Вы создали группу «Работа»",
        "Айгуль создала группу «Работа»",
        "Айбек добавил(а) Нурлана",
        "Вас добавили",
        "Айбек удалил(а) Нурлана",
        "Нурлан вышел(-а)",
        "Айгуль вышла",
        "Нурлан присоединился(-ась) по ссылке-приглашению этой группы",
        "Айбек изменил(а) изображение этой группы",
        "Код безопасности Айбека изменился. Нажмите, чтобы узнать подробнее.",
        "Вы теперь администратор",
        "You created group \"Jobs\"",
        "You were added",
        "You added Nurlan",
        "Aibek removed Nurlan",
        "You left",
        "Nurlan joined using this group's invite link",
        "Nurlan joined using this group\u{2019}s invite link",
        "Aibek changed the subject from \"Jobs\" to \"Jobs: Moscow\"",
        "Aibek changed this group's icon",
        "Aibek changed their phone number to a new number. Tap to message or add the new number.",
        "Your security code with Aibek changed. Tap to learn more.",
        "You're now an admin",
        "Messages to this group are now secured with end-to-end encryption.",
    ];
    let mut export = String::new();
    for (k, notice) in notices.iter().enumerate() {
        export.push_str(&format!("12/03/2024, 14:{k:02} - {notice}\n"));
    }
    export.push_str("12/03/2024, 15:00 - Aibek: Salom\n");
    let (report, sink) = read_ok(export.as_bytes(), "WhatsApp Chat with Ish.txt");
    assert_eq!(report.rejected, 0, "{:#?}", sink.rejected);
    assert_eq!(report.service_records, notices.len() as u64);
    assert_eq!(report.documents, 1);
}
