//! The CSV and JSONL readers with and without `--columns`: every mapped field lands where
//! it belongs, positions point at the record, bad rows are skipped with their line, and a
//! mapping that names a missing column is refused with the columns the file has.

use kuzot_ingest::{CollectingSink, ColumnMapping, ReadError, ReadOptions, read_source};
use kuzot_model::{DocumentKind, SourceFormat};
use time::macros::datetime;

fn read(
    format: SourceFormat,
    bytes: &[u8],
    columns: &str,
) -> (Result<kuzot_ingest::ReadReport, ReadError>, CollectingSink) {
    let options = ReadOptions {
        columns: ColumnMapping::parse(columns).expect("mapping"),
        file_name: Some("scrape".into()),
        ..ReadOptions::default()
    };
    let mut sink = CollectingSink::default();
    let result = read_source(format, bytes, &options, &mut sink);
    (result, sink)
}

#[test]
fn csv_columns_map_every_field_and_positions_point_at_the_row() {
    let csv = "post_id;posted;group;who;link;body\n\
               17;2024-05-01 10:30;Ish Moskva;Бакыт;https://example.invalid/p/17;Нужны сварщики на объект\n\
               18;01.05.2024 11:00;Ish Moskva;;;\"Склад, две смены\n со второй строкой\"\n";
    let (result, sink) = read(
        SourceFormat::Csv,
        csv.as_bytes(),
        "text=body,time=posted,channel=group,author=who,url=link,id=post_id",
    );
    result.expect("read");
    assert!(sink.rejected.is_empty(), "{:?}", sink.rejected);
    let [first, second] = &sink.documents[..] else {
        panic!("two rows expected: {:?}", sink.documents);
    };
    assert_eq!(first.kind, DocumentKind::Record);
    assert_eq!(first.text, "Нужны сварщики на объект");
    assert_eq!(first.time, Some(datetime!(2024-05-01 10:30 UTC)));
    assert_eq!(first.chat.name.as_deref(), Some("Ish Moskva"));
    assert_eq!(first.author.name.as_deref(), Some("Бакыт"));
    assert_eq!(first.url.as_deref(), Some("https://example.invalid/p/17"));
    assert_eq!(first.message_id.as_deref(), Some("17"));
    assert_eq!(first.position.line, Some(2));
    let offset = csv.find("17;").expect("row") as u64;
    assert_eq!(first.position.byte_offset, Some(offset));

    // Empty optional cells are absent, not empty strings; a quoted cell spans lines.
    assert_eq!(second.text, "Склад, две смены\n со второй строкой");
    assert_eq!(second.author.name, None);
    assert_eq!(second.url, None);
    assert_eq!(second.time, Some(datetime!(2024-05-01 11:00 UTC)));
    assert_eq!(second.position.line, Some(3));
    assert_eq!((first.position.index, second.position.index), (0, 1));
}

#[test]
fn csv_without_columns_finds_the_usual_names() {
    let csv = "id,timestamp,channel,author,url,text\n\
               5,1714557600,jobs,someone,https://example.invalid/5,Охрана вахтой\n";
    let (result, sink) = read(SourceFormat::Csv, csv.as_bytes(), "");
    result.expect("read");
    let doc = sink.documents.first().expect("one row");
    assert_eq!(doc.text, "Охрана вахтой");
    assert_eq!(doc.time, Some(datetime!(2024-05-01 10:00 UTC)));
    assert_eq!(doc.chat.name.as_deref(), Some("jobs"));
    assert_eq!(doc.message_id.as_deref(), Some("5"));
}

#[test]
fn csv_bad_rows_are_skipped_with_their_line_and_the_rest_read() {
    let csv = "text,time\n\
               первая строка,2024-05-01\n\
               лишнее,поле,здесь\n\
               плохое время,вчера\n\
               последняя,2024-05-03\n";
    let (result, sink) = read(SourceFormat::Csv, csv.as_bytes(), "text=text,time=time");
    result.expect("read");
    let texts: Vec<&str> = sink.documents.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["первая строка", "последняя"]);
    let rejected: Vec<(Option<u64>, &str)> = sink
        .rejected
        .iter()
        .map(|r| (r.position.line, r.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert_eq!(rejected[0].0, Some(3));
    assert!(rejected[0].1.contains("3 fields"), "{rejected:?}");
    assert_eq!(rejected[1].0, Some(4));
    assert!(rejected[1].1.contains("вчера"), "{rejected:?}");
}

#[test]
fn a_mapping_naming_a_missing_column_is_refused_with_the_columns_there_are() {
    let csv = "body,posted\nтекст,2024-05-01\n";
    let (result, sink) = read(SourceFormat::Csv, csv.as_bytes(), "text=body,time=created");
    let err = result.expect_err("no column created");
    let message = err.to_string();
    assert!(
        message.contains("\"created\"") && message.contains("body, posted"),
        "{message}"
    );
    assert!(sink.documents.is_empty());

    // JSONL has no header: a record without the mapped text field is skipped, named.
    let jsonl = "{\"body\": \"текст\"}\n{\"message\": \"есть\"}\n";
    let (result, sink) = read(SourceFormat::Jsonl, jsonl.as_bytes(), "text=message");
    result.expect("read");
    let texts: Vec<&str> = sink.documents.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["есть"]);
    assert_eq!(sink.rejected.len(), 1);
    assert_eq!(sink.rejected[0].position.line, Some(1));
    assert!(
        sink.rejected[0].reason.contains("\"message\""),
        "{:?}",
        sink.rejected
    );
}

#[test]
fn jsonl_columns_reach_nested_fields_and_bad_lines_are_skipped() {
    let jsonl = "{\"item_id\": 1, \"meta\": {\"when\": \"2024-05-01T10:00:00Z\", \"where\": \"kanal\"}, \"content\": {\"body\": \"Вахта 60/30\"}, \"by\": \"x\"}\n\
                 {\"item_id\": 2, \"meta\": {\"when\": \"2024-05-02T10:00:00Z\", \"where\": \"kanal\"}, \"content\": {\"body\": \"Склад\"}}\n\
                 {not json\n\
                 [1, 2]\n\
                 \n\
                 {\"item_id\": 3, \"meta\": {\"when\": \"someday\"}, \"content\": {\"body\": \"время сломано\"}}\n\
                 {\"item_id\": 4, \"meta\": {\"when\": \"2024-05-04T10:00:00Z\"}, \"content\": {\"body\": \"последняя\"}}\n";
    let (result, sink) = read(
        SourceFormat::Jsonl,
        jsonl.as_bytes(),
        "text=content.body,time=meta.when,channel=meta.where,author=by,id=item_id",
    );
    result.expect("read");
    let texts: Vec<&str> = sink.documents.iter().map(|d| d.text.as_str()).collect();
    assert_eq!(texts, ["Вахта 60/30", "Склад", "последняя"]);
    let first = &sink.documents[0];
    assert_eq!(first.time, Some(datetime!(2024-05-01 10:00 UTC)));
    assert_eq!(first.chat.name.as_deref(), Some("kanal"));
    assert_eq!(first.author.name.as_deref(), Some("x"));
    assert_eq!(first.message_id.as_deref(), Some("1"));
    assert_eq!(sink.documents[1].author.name, None);
    let last = &sink.documents[2];
    assert_eq!(last.position.line, Some(7));
    let offset = jsonl.find("{\"item_id\": 4").expect("line") as u64;
    assert_eq!(last.position.byte_offset, Some(offset));

    let lines: Vec<Option<u64>> = sink.rejected.iter().map(|r| r.position.line).collect();
    assert_eq!(lines, [Some(3), Some(4), Some(6)], "{:?}", sink.rejected);
    assert!(sink.rejected[1].reason.contains("not an object"));
    assert!(sink.rejected[2].reason.contains("someday"));
}

#[test]
fn column_mappings_are_parsed_strictly() {
    let mapping = ColumnMapping::parse(" text = body , url=link ").expect("mapping");
    assert_eq!(mapping.text.as_deref(), Some("body"));
    assert_eq!(mapping.url.as_deref(), Some("link"));
    assert_eq!(mapping.time, None);
    assert!(ColumnMapping::parse("text").is_err());
    let unknown = ColumnMapping::parse("txt=body").expect_err("unknown field");
    assert!(unknown.contains("txt"), "{unknown}");
}
