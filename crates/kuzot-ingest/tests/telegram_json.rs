//! The Telegram Desktop JSON reader on realistic exports: single chat, whole account,
//! entity arrays, service messages, media, bad records, truncated and foreign files.

use std::path::{Path, PathBuf};

use kuzot_ingest::{CollectingSink, ReadError, ReadOptions, read_source};
use kuzot_model::SourceFormat;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_file(path: &Path) -> (Result<kuzot_ingest::ReadReport, ReadError>, CollectingSink) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_bytes(&bytes)
}

fn read_bytes(bytes: &[u8]) -> (Result<kuzot_ingest::ReadReport, ReadError>, CollectingSink) {
    let mut sink = CollectingSink::default();
    let result = read_source(
        SourceFormat::TelegramJson,
        bytes,
        &ReadOptions::default(),
        &mut sink,
    );
    (result, sink)
}

#[test]
fn single_chat_export_reads_every_field() {
    let (result, sink) = read_file(&repo_root().join("examples/telegram/result.json"));
    let report = result.expect("a valid export");
    assert_eq!(report.documents, 6);
    assert_eq!(report.service_records, 1);
    assert_eq!(report.rejected, 0);
    let docs = &sink.documents;

    // Text given as an array of strings and entity objects is flattened in order.
    let first = &docs[0];
    assert!(
        first
            .text
            .starts_with("Требуются охранники в бюджетное учреждение!\nОфициальное")
    );
    assert!(first.text.ends_with("Звоните: +7 900 000-12-34"));
    assert_eq!(first.message_id.as_deref(), Some("2"));
    assert_eq!(first.chat.id.as_deref(), Some("1700000001"));
    assert_eq!(
        first.chat.name.as_deref(),
        Some("Работа Москва | Иш Москва")
    );
    assert_eq!(first.chat.kind.as_deref(), Some("public_channel"));
    assert_eq!(first.author.id.as_deref(), Some("channel1700000001"));
    assert_eq!(first.time.map(|t| t.unix_timestamp()), Some(1_709_284_510));
    assert_eq!(first.position.index, 1, "the service message is record 0");
    assert!(first.position.line.is_some_and(|l| l > 1));

    let forwarded = &docs[2];
    assert_eq!(
        forwarded
            .forwarded_from
            .as_ref()
            .and_then(|f| f.name.as_deref()),
        Some("Ish bor Toshkent")
    );

    let reply = &docs[3];
    assert_eq!(reply.reply_to.as_deref(), Some("2"));
    assert_eq!(
        reply.edited.map(|t| t.unix_timestamp()),
        Some(1_709_453_400)
    );

    let with_photo = &docs[4];
    assert_eq!(with_photo.media.len(), 1);
    assert_eq!(with_photo.media[0].kind, "photo");

    // `from` may be null; the id is still kept, and a voice message is a media placeholder.
    let voice = &docs[5];
    assert_eq!(voice.author.name, None);
    assert_eq!(voice.author.id.as_deref(), Some("user100000007"));
    assert_eq!(voice.media[0].kind, "voice_message");
    assert_eq!(voice.text, "");
}

#[test]
fn whole_account_export_reads_chats_and_left_chats_and_skips_bad_records() {
    let path = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    let (result, sink) = read_file(&path);
    let report = result.expect("a valid export with two bad messages");
    assert_eq!(report.documents, 4, "{:?}", sink.documents);
    assert_eq!(report.service_records, 1);
    assert_eq!(report.rejected, 2);

    let chats: Vec<Option<&str>> = sink
        .documents
        .iter()
        .map(|d| d.chat.name.as_deref())
        .collect();
    assert_eq!(
        chats,
        [
            Some("Кыргызстандыктар Москвада"),
            Some("Кыргызстандыктар Москвада"),
            None,
            Some("Ish bor")
        ]
    );
    assert_eq!(
        sink.documents[2].chat.kind.as_deref(),
        Some("saved_messages")
    );
    assert_eq!(sink.documents[3].chat.id.as_deref(), Some("1900000003"));
    assert!(
        sink.documents[1]
            .text
            .contains("https://example.org/patent ал жакта \"жардам\"")
    );

    // Each bad record is named by position and reason; the source text can be found there.
    let source = std::fs::read_to_string(&path).expect("fixture");
    let bad_date = &sink.rejected[0];
    assert!(bad_date.reason.contains("date_unixtime"), "{bad_date}");
    let bad_json = &sink.rejected[1];
    assert!(
        bad_json.reason.starts_with("malformed message"),
        "{bad_json}"
    );
    let offset = bad_json.position.byte_offset.expect("offset") as usize;
    assert!(source[offset..].starts_with("{\n      \"id\": 13"));
    let line = bad_json.position.line.expect("line") as usize;
    assert_eq!(source.lines().nth(line - 1).map(str::trim), Some("{"));
    assert_eq!(bad_json.position.index, 3);
}

#[test]
fn truncated_export_is_rejected_with_the_offset() {
    let bytes = std::fs::read(repo_root().join("examples/telegram/result.json")).expect("example");
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 3] {
        let (result, _) = read_bytes(&bytes[..cut]);
        match result {
            Err(ReadError::Truncated { offset, reason, .. }) => {
                assert!(offset <= cut as u64);
                assert!(reason.contains("ends"), "{reason}");
            }
            other => panic!("cut at {cut}: expected a truncation error, got {other:?}"),
        }
    }
}

#[test]
fn foreign_files_are_rejected_saying_what_they_look_like() {
    let path = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/not_an_export.json");
    let (result, _) = read_file(&path);
    let message = result.expect_err("not an export").to_string();
    assert_eq!(
        message,
        "not a telegram_json file: a JSON object with keys name, items and no \"messages\" array"
    );

    let (result, _) = read_bytes(b"12/03/2024, 14:05 - A: hi");
    let message = result.expect_err("not JSON").to_string();
    assert!(
        message.contains("starts with \"12/03/2024, 14:05 - A: hi\""),
        "{message}"
    );

    let (result, _) = read_bytes(b"");
    assert!(
        result
            .expect_err("empty")
            .to_string()
            .contains("empty file")
    );
}

#[test]
fn real_export_layouts_from_the_shared_fixtures() {
    let dir = std::env::var_os("KUZOT_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"))
        .join("fixtures/chat-export-formats/telegram");
    assert!(
        dir.is_dir(),
        "{} is missing: set KUZOT_SHARED_DIR to the shared/ folder",
        dir.display()
    );
    for name in ["test_single_export.json", "test_batch_export.json"] {
        let (result, sink) = read_file(&dir.join(name));
        let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.documents, 2, "{name}");
        assert_eq!(sink.documents[0].text, "Minimal Message");
        assert_eq!(sink.documents[1].text, "Link:https://telegram.org/");
        assert_eq!(sink.documents[1].author.name.as_deref(), Some("Author 2"));
        assert_eq!(
            sink.documents[1].time.map(|t| t.unix_timestamp()),
            Some(1_544_006_964)
        );
    }
}

#[test]
fn strings_with_escapes_and_brackets_do_not_confuse_the_scanner() {
    let export = r#"{"name": "a \"quoted\" [chat] {x}", "id": 5, "messages": [
        {"id": 1, "type": "message", "date_unixtime": "1700000000", "text": "brackets ] } [ { and \\ backslash \" quote"},
        {"id": 2, "type": "message", "date_unixtime": 1700000001, "text": "\u041f\u0440\u0438\u0432\u0435\u0442"}
    ]}"#;
    let (result, sink) = read_bytes(export.as_bytes());
    result.expect("valid");
    assert_eq!(sink.documents.len(), 2);
    assert_eq!(
        sink.documents[0].chat.name.as_deref(),
        Some("a \"quoted\" [chat] {x}")
    );
    assert_eq!(
        sink.documents[0].text,
        "brackets ] } [ { and \\ backslash \" quote"
    );
    assert_eq!(sink.documents[1].text, "Привет");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = read_bytes(&bytes);
        }

        #[test]
        fn on_json_like_fragments(parts in proptest::collection::vec(
            prop_oneof![Just("{"), Just("}"), Just("["), Just("]"), Just(","), Just(":"), Just("\"messages\""),
                        Just("\"name\""), Just("\"x\\\""), Just("1"), Just("null"), Just("\"date_unixtime\""), Just(" ")],
            0..80)) {
            let _ = read_bytes(parts.concat().as_bytes());
        }
    }
}
