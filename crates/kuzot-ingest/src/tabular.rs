//! Tables from other tools: CSV (any of `,` `;` tab as delimiter) and JSONL, with a column
//! mapping that says which column holds the text, time, channel, author, URL and id.
//!
//! This is how exports of 4CAT, job-site scrapers and researchers' spreadsheets come in.
//! Without an explicit mapping each field is looked for under the names such tools use
//! (`text`, `body`, `message`; `timestamp`, `date`; …); the text column is required.

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

use kuzot_model::{AuthorRef, ChatRef, DocumentKind, RawDocument, SourceFormat, SourcePosition};
use time::OffsetDateTime;

use crate::lines::LineReader;
use crate::{DocumentSink, ReadError, ReadLimits, RecordError};

/// Which column (CSV header) or field (JSONL key; `a.b` for nested objects) holds what.
/// `None` means "look for the usual names".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The message or post text (required).
    pub text: Option<String>,
    /// When it was written.
    pub time: Option<String>,
    /// Channel, group or site it came from.
    pub channel: Option<String>,
    /// Who wrote it.
    pub author: Option<String>,
    /// Its URL.
    pub url: Option<String>,
    /// Its id in the source.
    pub id: Option<String>,
}

impl ColumnMapping {
    /// Parses `text=body,time=timestamp,channel=thread_id` as given on the command line.
    pub fn parse(spec: &str) -> Result<ColumnMapping, String> {
        let mut mapping = ColumnMapping::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, column) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not FIELD=COLUMN"))?;
            let column = Some(column.trim().to_owned());
            match field.trim() {
                "text" => mapping.text = column,
                "time" => mapping.time = column,
                "channel" => mapping.channel = column,
                "author" => mapping.author = column,
                "url" => mapping.url = column,
                "id" => mapping.id = column,
                other => {
                    return Err(format!(
                        "unknown field {other:?}: use text, time, channel, author, url or id"
                    ));
                }
            }
        }
        Ok(mapping)
    }
}

const TEXT_NAMES: &[&str] = &[
    "text",
    "body",
    "message",
    "content",
    "post",
    "description",
    "caption",
];
const TIME_NAMES: &[&str] = &[
    "time",
    "timestamp",
    "date",
    "datetime",
    "created_at",
    "published",
    "published_at",
    "created",
];
const CHANNEL_NAMES: &[&str] = &[
    "channel",
    "chat",
    "group",
    "source",
    "site",
    "thread",
    "subreddit",
];
const AUTHOR_NAMES: &[&str] = &[
    "author",
    "from",
    "user",
    "username",
    "sender",
    "author_name",
];
const URL_NAMES: &[&str] = &["url", "link", "permalink", "href"];
const ID_NAMES: &[&str] = &["id", "message_id", "post_id", "item_id"];

/// Column positions resolved against a header.
#[derive(Debug, Default)]
struct Resolved {
    text: usize,
    time: Option<usize>,
    channel: Option<usize>,
    author: Option<usize>,
    url: Option<usize>,
    id: Option<usize>,
}

fn resolve(header: &[String], mapping: &ColumnMapping) -> Result<Resolved, ReadError> {
    let find = |explicit: &Option<String>,
                names: &[&str],
                field: &str|
     -> Result<Option<usize>, ReadError> {
        match explicit {
            Some(name) => header
                .iter()
                .position(|h| h == name)
                .map(Some)
                .ok_or_else(|| {
                    ReadError::Mapping(format!(
                        "no column {name:?} for {field}; the file has columns {}",
                        header.join(", ")
                    ))
                }),
            None => Ok(names
                .iter()
                .find_map(|n| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))),
        }
    };
    let text = find(&mapping.text, TEXT_NAMES, "text")?.ok_or_else(|| {
        ReadError::Mapping(format!(
            "no text column (looked for {}); the file has columns {}; name it with --columns text=COLUMN",
            TEXT_NAMES.join(", "),
            header.join(", ")
        ))
    })?;
    Ok(Resolved {
        text,
        time: find(&mapping.time, TIME_NAMES, "time")?,
        channel: find(&mapping.channel, CHANNEL_NAMES, "channel")?,
        author: find(&mapping.author, AUTHOR_NAMES, "author")?,
        url: find(&mapping.url, URL_NAMES, "url")?,
        id: find(&mapping.id, ID_NAMES, "id")?,
    })
}

/// Builds a document from one row's fields.
fn row_document(
    field: impl Fn(usize) -> Option<String>,
    columns: &Resolved,
    position: SourcePosition,
) -> Result<RawDocument, String> {
    let non_empty = |i: Option<usize>| i.and_then(&field).filter(|v| !v.trim().is_empty());
    let text = field(columns.text).unwrap_or_default();
    let time = match non_empty(columns.time) {
        Some(t) => Some(
            parse_time(&t)
                .ok_or_else(|| format!("time {:?} is not a date kuzot knows", clip(&t)))?,
        ),
        None => None,
    };
    Ok(RawDocument {
        kind: DocumentKind::Record,
        text,
        time,
        chat: ChatRef {
            id: None,
            name: non_empty(columns.channel),
            kind: None,
        },
        author: AuthorRef {
            id: None,
            name: non_empty(columns.author),
        },
        message_id: non_empty(columns.id),
        url: non_empty(columns.url),
        position,
        ..RawDocument::default()
    })
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Parses the time formats tools write: RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (taken as UTC),
/// `YYYY-MM-DD`, `DD.MM.YYYY[ HH:MM[:SS]]`, and Unix seconds or milliseconds.
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let t = text.trim();
    if let Ok(parsed) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(parsed.to_offset(time::UtcOffset::UTC));
    }
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        let seconds = if t.len() >= 13 { n / 1000 } else { n };
        return OffsetDateTime::from_unix_timestamp(seconds).ok();
    }
    let t = t.replace('T', " ");
    let t = t.trim_end_matches('Z').trim_end_matches(" UTC");
    let datetime_formats = [
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
        format_description!("[day].[month].[year] [hour]:[minute]:[second]"),
        format_description!("[day].[month].[year] [hour]:[minute]"),
    ];
    for format in datetime_formats {
        if let Ok(p) = time::PrimitiveDateTime::parse(t, format) {
            return Some(p.assume_utc());
        }
    }
    // Fractional seconds ("2024-03-12 14:05:33.123"): drop the fraction.
    if let Some((whole, fraction)) = t.rsplit_once('.')
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && let Ok(p) = time::PrimitiveDateTime::parse(
            whole,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
    {
        return Some(p.assume_utc());
    }
    for format in [
        format_description!("[year]-[month]-[day]"),
        format_description!("[day].[month].[year]"),
    ] {
        if let Ok(d) = time::Date::parse(t, format) {
            return Some(d.midnight().assume_utc());
        }
    }
    None
}

/// Picks the delimiter that splits the header line into the most columns.
fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t'] {
        let count = first_line.iter().filter(|&&b| b == d).count();
        if count > best.1 {
            best = (d, count);
        }
    }
    best.0
}

/// The buffer the CSV parser reads through; also the slack allowed beyond a row's limit,
/// since the parser reads this far ahead of the row it is in.
const CSV_BUFFER_BYTES: usize = 64 * 1024;

/// Feeds the CSV parser and stops it when one row runs past its limit. The `csv` crate
/// grows its record buffer to fit any field, so without this a quoted field that never
/// closes would pull the rest of the file into memory.
struct RowBound<R> {
    input: R,
    consumed: u64,
    /// Where the current row starts, set by the loop before each row.
    row_start: Rc<Cell<u64>>,
    max_row_bytes: u64,
}

/// The error [`RowBound`] stops the parser with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a row over the size limit")
    }
}

impl std::error::Error for RowTooLong {}

impl<R: Read> Read for RowBound<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let row_length = self.consumed.saturating_sub(self.row_start.get());
        if row_length > self.max_row_bytes.saturating_add(CSV_BUFFER_BYTES as u64) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                RowTooLong,
            ));
        }
        let n = self.input.read(out)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

/// Reads a CSV file with a header row, with the default [`ReadLimits`].
pub fn read_csv(
    input: impl BufRead,
    mapping: &ColumnMapping,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    read_csv_with_limits(input, mapping, &ReadLimits::default(), sink)
}

/// Reads a CSV file with a header row. A row longer than [`ReadLimits::max_record_bytes`]
/// is rejected with its position, and the read stops there: the parser cannot tell where
/// the next row begins after a quoted field that does not close.
pub fn read_csv_with_limits(
    mut input: impl BufRead,
    mapping: &ColumnMapping,
    limits: &ReadLimits,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let head = input.fill_buf()?;
    let first_line_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    let delimiter = sniff_delimiter(&head[..first_line_end]);
    let row_start = Rc::new(Cell::new(0));
    let bounded = RowBound {
        input,
        consumed: 0,
        row_start: Rc::clone(&row_start),
        max_row_bytes: limits.max_record_bytes,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(bounded);
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim_start_matches('\u{feff}')
                    .to_owned()
            })
            .collect(),
        Err(e) => {
            return Err(ReadError::NotThisFormat {
                expected: SourceFormat::Csv,
                found: format!("no readable header row: {e}"),
            });
        }
    };
    if header.len() < 2 && mapping.text.is_none() {
        return Err(ReadError::NotThisFormat {
            expected: SourceFormat::Csv,
            found: format!(
                "a header with {} column(s), {:?}",
                header.len(),
                header.first().map(|h| clip(h))
            ),
        });
    }
    let columns = resolve(&header, mapping)?;
    let mut record = csv::ByteRecord::new();
    let mut index = 0u64;
    loop {
        let start = reader.position().clone();
        row_start.set(start.byte());
        let position = SourcePosition {
            index,
            line: Some(start.line()),
            byte_offset: Some(start.byte()),
        };
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                index += 1;
                if record.len() != header.len() {
                    sink.rejected(RecordError::new(
                        position,
                        format!(
                            "row has {} fields, the header has {}",
                            record.len(),
                            header.len()
                        ),
                    ));
                    continue;
                }
                let mut bad_utf8 = None;
                for (i, f) in record.iter().enumerate() {
                    if let Err(e) = std::str::from_utf8(f) {
                        bad_utf8 = Some((i, e.valid_up_to()));
                        break;
                    }
                }
                if let Some((i, at)) = bad_utf8 {
                    sink.rejected(RecordError::new(
                        position,
                        format!(
                            "column {:?} is not valid UTF-8 (bad byte {at} bytes into the field)",
                            header.get(i).map_or("", String::as_str)
                        ),
                    ));
                    continue;
                }
                let field = |i: usize| {
                    record
                        .get(i)
                        .and_then(|f| std::str::from_utf8(f).ok())
                        .map(str::to_owned)
                };
                match row_document(field, &columns, position) {
                    Ok(doc) => sink.document(doc)?,
                    Err(reason) => sink.rejected(RecordError::new(position, reason)),
                }
            }
            Err(e) => {
                index += 1;
                if let csv::ErrorKind::Io(io) = e.kind() {
                    if io.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) {
                        sink.rejected(RecordError::new(
                            position,
                            format!(
                                "the row is longer than the limit of {} bytes per record (a \
                                 quoted field that never closes?); the rows after it were \
                                 not read",
                                limits.max_record_bytes
                            ),
                        ));
                        return Ok(());
                    }
                    return Err(ReadError::Io(std::io::Error::other(e.to_string())));
                }
                sink.rejected(RecordError::new(position, format!("unreadable row: {e}")));
            }
        }
    }
    Ok(())
}

/// Looks up a field by name or dotted path in a JSON object.
fn json_field(object: &serde_json::Value, path: &str) -> Option<String> {
    let mut value = object.get(path).or_else(|| {
        let mut v = object;
        for part in path.split('.') {
            v = v.get(part)?;
        }
        Some(v)
    })?;
    if let serde_json::Value::Array(items) = value
        && items.len() == 1
    {
        value = &items[0];
    }
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads JSONL: one JSON object a line, with the default [`ReadLimits`].
pub fn read_jsonl(
    input: impl BufRead,
    mapping: &ColumnMapping,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    read_jsonl_with_limits(input, mapping, &ReadLimits::default(), sink)
}

/// Reads JSONL: one JSON object a line. A line longer than
/// [`ReadLimits::max_record_bytes`] is rejected with its position and skipped.
pub fn read_jsonl_with_limits(
    input: impl BufRead,
    mapping: &ColumnMapping,
    limits: &ReadLimits,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let mut lines = LineReader::with_limit(input, limits.max_record_bytes);
    let mut columns: Option<ResolvedNames> = None;
    let mut index = 0u64;
    let mut seen_object = false;
    while let Some(line) = lines.next_line()? {
        let position = SourcePosition {
            index,
            line: Some(line.number),
            byte_offset: Some(line.offset),
        };
        if let Some(length) = line.oversized {
            index += 1;
            sink.rejected(RecordError::new(
                position,
                format!(
                    "the line is {length} bytes, over the limit of {} bytes per record",
                    limits.max_record_bytes
                ),
            ));
            continue;
        }
        let text = match line.text {
            Ok(t) if t.trim().is_empty() => continue,
            Ok(t) => t,
            Err(at) => {
                index += 1;
                sink.rejected(RecordError::new(
                    position,
                    format!("invalid UTF-8 at byte {} of the line", at),
                ));
                continue;
            }
        };
        index += 1;
        let object: serde_json::Value = match serde_json::from_str(text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            Ok(_) => {
                sink.rejected(RecordError::new(position, "line is JSON but not an object"));
                continue;
            }
            Err(e) => {
                if !seen_object && index <= 3 {
                    return Err(ReadError::NotThisFormat {
                        expected: SourceFormat::Jsonl,
                        found: format!(
                            "line {} is not a JSON object ({e}): {:?}",
                            line.number,
                            clip(text)
                        ),
                    });
                }
                sink.rejected(RecordError::new(position, format!("not JSON: {e}")));
                continue;
            }
        };
        seen_object = true;
        let names = match &columns {
            Some(c) => c,
            None => columns.insert(ResolvedNames::from_first(&object, mapping)?),
        };
        let doc = {
            let get = |name: &Option<String>| name.as_deref().and_then(|n| json_field(&object, n));
            let field_names = [
                &names.text,
                &names.time,
                &names.channel,
                &names.author,
                &names.url,
                &names.id,
            ];
            let values: Vec<Option<String>> = field_names.iter().map(|n| get(n)).collect();
            if values[0].is_none() {
                // Fields are named from the first object (or --columns); an object without
                // the text field would otherwise be stored as an empty message.
                sink.rejected(RecordError::new(
                    position,
                    format!(
                        "no text in field {:?}",
                        names.text.as_deref().unwrap_or_default()
                    ),
                ));
                continue;
            }
            let resolved = Resolved {
                text: 0,
                time: Some(1),
                channel: Some(2),
                author: Some(3),
                url: Some(4),
                id: Some(5),
            };
            row_document(|i| values.get(i).cloned().flatten(), &resolved, position)
        };
        match doc {
            Ok(doc) => sink.document(doc)?,
            Err(reason) => sink.rejected(RecordError::new(position, reason)),
        }
    }
    Ok(())
}

/// Field names for JSONL, resolved from the first object's keys.
struct ResolvedNames {
    text: Option<String>,
    time: Option<String>,
    channel: Option<String>,
    author: Option<String>,
    url: Option<String>,
    id: Option<String>,
}

impl ResolvedNames {
    fn from_first(
        object: &serde_json::Value,
        mapping: &ColumnMapping,
    ) -> Result<ResolvedNames, ReadError> {
        let keys: Vec<String> = object
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        let pick = |explicit: &Option<String>, names: &[&str]| -> Option<String> {
            explicit.clone().or_else(|| {
                names
                    .iter()
                    .find_map(|n| keys.iter().find(|k| k.eq_ignore_ascii_case(n)).cloned())
            })
        };
        let text = pick(&mapping.text, TEXT_NAMES).ok_or_else(|| {
            ReadError::Mapping(format!(
                "no text field (looked for {}); the first object has keys {}; name it with --columns text=FIELD",
                TEXT_NAMES.join(", "),
                keys.join(", ")
            ))
        })?;
        Ok(ResolvedNames {
            text: Some(text),
            time: pick(&mapping.time, TIME_NAMES),
            channel: pick(&mapping.channel, CHANNEL_NAMES),
            author: pick(&mapping.author, AUTHOR_NAMES),
            url: pick(&mapping.url, URL_NAMES),
            id: pick(&mapping.id, ID_NAMES),
        })
    }
}
