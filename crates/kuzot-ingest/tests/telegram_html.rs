//! The Telegram Desktop HTML reader on pages laid out as Telegram writes them.

use std::path::Path;

use kuzot_ingest::{CollectingSink, ReadError, ReadOptions, read_source, telegram_html};
use kuzot_model::{AuthorRef, DocumentKind, MediaRef, RawDocument, SourceFormat};
use proptest::prelude::*;
use time::macros::datetime;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/telegram_html")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(bytes: &[u8]) -> Result<CollectingSink, ReadError> {
    let mut sink = CollectingSink::default();
    telegram_html::read(bytes, &ReadOptions::default(), &mut sink).map(|()| sink)
}

fn read_ok(bytes: &[u8]) -> CollectingSink {
    match read(bytes) {
        Ok(sink) => sink,
        Err(e) => panic!("expected a readable page, got: {e}"),
    }
}

fn by_id<'a>(sink: &'a CollectingSink, id: &str) -> &'a RawDocument {
    sink.documents
        .iter()
        .find(|d| d.message_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no message {id}"))
}

fn author(doc: &RawDocument) -> Option<&str> {
    doc.author.name.as_deref()
}

#[test]
fn page_counts() {
    let sink = read_ok(&fixture("messages.html"));
    let ids: Vec<_> = sink
        .documents
        .iter()
        .map(|d| d.message_id.as_deref().unwrap_or("?"))
        .collect();
    assert_eq!(
        ids,
        ["101", "102", "103", "104", "106", "107", "109", "110"]
    );
    assert_eq!(sink.service_records, 2);
    assert_eq!(sink.rejected.len(), 1);
}

#[test]
fn read_source_reports_the_same_counts() {
    let mut sink = CollectingSink::default();
    let report = read_source(
        SourceFormat::TelegramHtml,
        &fixture("messages.html")[..],
        &ReadOptions::default(),
        &mut sink,
    )
    .expect("readable");
    assert_eq!(
        (report.documents, report.rejected, report.service_records),
        (8, 1, 2)
    );
}

#[test]
fn chat_name_time_author_and_text() {
    let sink = read_ok(&fixture("messages.html"));
    let first = by_id(&sink, "101");
    assert_eq!(first.kind, DocumentKind::Message);
    assert_eq!(
        first.chat.name.as_deref(),
        Some("Москва Иш | Работа для своих")
    );
    assert_eq!(first.chat.id, None);
    assert_eq!(first.time, Some(datetime!(2024-03-12 11:05:33 UTC)));
    assert_eq!(author(first), Some("Айбек Т."));
    assert_eq!(
        first.text,
        "Срочно требуются охранники на объект!\n\
         Зарплата от 170 000 ₽ & питание, \"вахта\" 60/30.\n\
         Подробности: наш сайт"
    );
    assert_eq!(first.reply_to, None);
    assert_eq!(first.forwarded_from, None);
}

#[test]
fn entities_are_decoded() {
    let sink = read_ok(&fixture("messages.html"));
    assert_eq!(
        by_id(&sink, "102").text,
        "Опыт не нужен. Звоните: +7 999 000-00-01 <Айбек>"
    );
}

#[test]
fn joined_messages_inherit_the_author() {
    let sink = read_ok(&fixture("messages.html"));
    assert_eq!(author(by_id(&sink, "102")), Some("Айбек Т."));
    // 108 is rejected for its date, but it still starts Bekzod's run.
    assert_eq!(author(by_id(&sink, "109")), Some("Bekzod"));
}

#[test]
fn reply_target_comes_from_the_link() {
    let sink = read_ok(&fixture("messages.html"));
    let reply = by_id(&sink, "103");
    assert_eq!(reply.reply_to.as_deref(), Some("101"));
    assert_eq!(
        reply.text,
        "Бул кандай объект? Кайсы шаарда? Документтерди ким даярдайт?"
    );
}

#[test]
fn forwarded_message_keeps_source_text_and_media() {
    let sink = read_ok(&fixture("messages.html"));
    let fwd = by_id(&sink, "104");
    assert_eq!(author(fwd), Some("Jasur"));
    assert_eq!(
        fwd.forwarded_from,
        Some(AuthorRef {
            id: None,
            name: Some("Ish Rossiya | Vakansiyalar".into())
        })
    );
    assert_eq!(
        fwd.text,
        "Qurilish ishiga odam kerak, oylik 120 000 rubl. Hujjatlarni oʻzimiz qilamiz."
    );
    assert_eq!(
        fwd.media,
        [MediaRef {
            kind: "video_file".into(),
            file: Some("video_files/video_3@11-03-2024_10-00-00.mp4".into())
        }]
    );
}

#[test]
fn media_kinds_from_link_classes() {
    let sink = read_ok(&fixture("messages.html"));
    let media = |id| {
        by_id(&sink, id)
            .media
            .iter()
            .map(|m| (m.kind.as_str(), m.file.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        media("101"),
        [("photo", "photos/photo_1@12-03-2024_14-05-33.jpg")]
    );
    assert_eq!(
        media("106"),
        [(
            "voice_message",
            "voice_messages/audio_1@12-03-2024_18-02-40.ogg"
        )]
    );
    assert_eq!(media("107"), [("document", "files/dogovor_ohrana.pdf")]);
    assert_eq!(media("110"), [("sticker", "stickers/sticker (2).webp")]);
    assert!(media("102").is_empty());
    // A voice message alone has no text, and is kept all the same.
    assert_eq!(by_id(&sink, "106").text, "");
    assert_eq!(author(by_id(&sink, "106")), Some("Азамат"));
}

#[test]
fn times_convert_with_their_own_offset() {
    let sink = read_ok(&fixture("messages.html"));
    assert_eq!(
        by_id(&sink, "109").time,
        Some(datetime!(2024-03-12 20:30:00 UTC))
    );
    assert_eq!(
        by_id(&sink, "110").time,
        Some(datetime!(2024-03-13 03:00:00 UTC))
    );
}

#[test]
fn positions_count_every_message_and_point_at_the_div() {
    let bytes = fixture("messages.html");
    let sink = read_ok(&bytes);
    let indexes: Vec<u64> = sink.documents.iter().map(|d| d.position.index).collect();
    // Ordinals on the page: service -1 is 0, 105 is 5, rejected 108 is 8.
    assert_eq!(indexes, [1, 2, 3, 4, 6, 7, 9, 10]);
    for doc in &sink.documents {
        let id = doc.message_id.as_deref().expect("id");
        let offset = doc.position.byte_offset.expect("offset") as usize;
        let at = &bytes[offset..];
        let marker = format!("id=\"message{id}\"");
        assert!(
            at.starts_with(b"<div class=\"message default"),
            "message {id}"
        );
        let tag_end = at.iter().position(|&b| b == b'>').expect("tag end");
        let tag = std::str::from_utf8(&at[..tag_end]).expect("utf-8");
        assert!(tag.contains(&marker), "message {id}: {tag}");
        assert_eq!(doc.position.line, None);
    }
}

#[test]
fn unparseable_date_is_rejected_with_position() {
    let sink = read_ok(&fixture("messages.html"));
    let rejected = &sink.rejected[0];
    assert_eq!(rejected.position.index, 8);
    assert!(rejected.position.byte_offset.is_some());
    assert!(
        rejected.reason.contains("31.02.2024"),
        "{}",
        rejected.reason
    );
}

#[test]
fn old_export_without_offset_is_utc() {
    let sink = read_ok(&fixture("messages2_old_export.html"));
    assert_eq!(sink.documents.len(), 2);
    let first = &sink.documents[0];
    // The page starts in the middle of a run: the author is on the previous page.
    assert_eq!(first.message_id.as_deref(), Some("1001"));
    assert_eq!(author(first), None);
    assert_eq!(first.time, Some(datetime!(2022-10-02 08:15:00 UTC)));
    assert_eq!(first.chat.name.as_deref(), Some("Ош — Москва жумуш"));
    let second = &sink.documents[1];
    assert_eq!(author(second), Some("Нурбек уулу Эрлан"));
    assert_eq!(second.time, Some(datetime!(2022-10-02 09:40:12 UTC)));
    assert_eq!(
        second.text,
        "Кечиресиз, бул аскердик келишимби? Так и скажите."
    );
    // The pagination link is not a message; the message without a date is rejected.
    assert_eq!(first.position.index, 0);
    assert_eq!(sink.rejected.len(), 1);
    assert_eq!(sink.rejected[0].position.index, 2);
    assert!(
        sink.rejected[0].reason.contains("title"),
        "{}",
        sink.rejected[0].reason
    );
}

#[test]
fn a_web_page_is_not_an_export() {
    match read(&fixture("not_an_export.html")) {
        Err(ReadError::NotThisFormat { expected, found }) => {
            assert_eq!(expected, SourceFormat::TelegramHtml);
            assert!(found.contains("Вакансии: охрана, стройка"), "{found}");
        }
        other => panic!("expected NotThisFormat, got {other:?}"),
    }
}

#[test]
fn other_bytes_are_not_an_export() {
    for input in [
        &b""[..],
        b"{\"name\": \"chat\", \"messages\": []}",
        b"\xFF\xFE\x00garbage",
    ] {
        match read(input) {
            Err(ReadError::NotThisFormat { found, .. }) => {
                assert!(found.contains("no Telegram message history"), "{found}");
            }
            other => panic!("expected NotThisFormat, got {other:?}"),
        }
    }
}

#[test]
fn byte_order_mark_shifts_offsets_correctly() {
    let plain = fixture("messages.html");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&plain);
    let a = read_ok(&plain);
    let b = read_ok(&with_bom);
    assert_eq!(a.documents.len(), b.documents.len());
    for (x, y) in a.documents.iter().zip(&b.documents) {
        assert_eq!(x.text, y.text);
        assert_eq!(
            x.position.byte_offset.map(|o| o + 3),
            y.position.byte_offset
        );
    }
}

#[test]
fn deeply_nested_markup_is_refused_without_overflow_or_quadratic_parsing() {
    let mut page = String::from(
        "<div class=\"history\"><div class=\"message default\" id=\"message1\"><div class=\"body\">\
         <div class=\"pull_right date details\" title=\"12.03.2024 14:05:33 UTC+03:00\">14:05</div>\
         <div class=\"from_name\">A</div><div class=\"text\">",
    );
    page.push_str(&"<span>".repeat(20_000));
    page.push_str("deep");
    // The HTML parser would take time growing with the square of the depth: the page is
    // refused before it is parsed, with the reason.
    let error = match read(page.as_bytes()) {
        Ok(_) => panic!("a page nested 20,000 levels deep was read"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("nested deeper than 512"), "{error}");
    // Nesting at the depth of real pages still reads.
    let mut shallow = page[..page.find("<span>").unwrap_or(0)].to_owned();
    shallow.push_str(&"<span>".repeat(100));
    shallow.push_str("deep");
    let sink = read_ok(shallow.as_bytes());
    assert_eq!(sink.documents[0].text, "deep");
}

fn message_page(title: &str, from: &str, text: &str) -> String {
    format!(
        "<div class=\"page_header\"><div class=\"content\"><div class=\"text bold\">{from}</div></div></div>\
         <div class=\"history\"><div class=\"message default clearfix\" id=\"message1\"><div class=\"body\">\
         <div class=\"pull_right date details\" title=\"{title}\">x</div>\
         <div class=\"from_name\">{from}</div><div class=\"text\">{text}</div></div></div></div>"
    )
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read(&bytes);
    }

    #[test]
    fn arbitrary_fields_never_panic(title in ".{0,40}", from in ".{0,40}", text in ".{0,200}") {
        let page = message_page(&title, &from, &text);
        let sink = read(page.as_bytes()).expect("has a history");
        prop_assert_eq!(sink.documents.len() + sink.rejected.len(), 1);
    }

    #[test]
    fn arbitrary_dates_are_read_or_rejected(
        d in 0u32..40, m in 0u32..14, y in 0u32..10000,
        h in 0u32..30, min in 0u32..70, s in 0u32..70, off in -20i32..20,
    ) {
        let sign = if off < 0 { '-' } else { '+' };
        let title = format!("{d:02}.{m:02}.{y:04} {h:02}:{min:02}:{s:02} UTC{sign}{:02}:00", off.abs());
        let page = message_page(&title, "A", "t");
        let sink = read(page.as_bytes()).expect("has a history");
        prop_assert_eq!(sink.documents.len() + sink.rejected.len(), 1);
    }
}

#[test]
fn readme_example_channel_reads_cleanly() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/telegram_html/messages.html");
    let bytes = std::fs::read(path).expect("example exists");
    let sink = read_ok(&bytes);
    assert_eq!(sink.documents.len(), 9);
    assert_eq!(sink.service_records, 2);
    assert!(sink.rejected.is_empty());
    assert!(
        sink.documents
            .iter()
            .all(|d| d.chat.name.as_deref() == Some("Вахта Иш KG"))
    );
    assert!(
        sink.documents
            .iter()
            .all(|d| author(d) == Some("Вахта Иш KG"))
    );
    let forwarded = by_id(&sink, "204");
    assert_eq!(
        forwarded
            .forwarded_from
            .as_ref()
            .and_then(|a| a.name.as_deref()),
        Some("Ish bor | Rossiya")
    );
    assert_eq!(by_id(&sink, "207").reply_to.as_deref(), Some("203"));
}
