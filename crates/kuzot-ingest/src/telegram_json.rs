//! Telegram Desktop "machine-readable JSON" export: a single chat (`{name, type, id,
//! messages}`) or a whole account (`chats.list`, `left_chats.list`).
//!
//! Whole-account exports run to gigabytes, so the file is never parsed as one JSON value.
//! A small iterative scanner walks the structure byte by byte, keeps only the scalar fields
//! that describe each chat (`name`, `type`, `id`), and copies each element of a `messages`
//! array out as raw bytes; `serde_json` then parses that one message. Memory therefore
//! stays at one message, whatever the size of the file, and a malformed message (one that
//! `serde_json` rejects) is reported with its byte offset and line and skipped while the
//! rest of the chat is read. A file that breaks the structure itself (truncated in the
//! middle, not JSON) is rejected as a whole.
//!
//! Times come from `date_unixtime` (a string of seconds since the epoch, in UTC). Exports
//! made before that field existed only have `date`, a local wall-clock time with no zone:
//! it is read as UTC, the best that can be done without knowing the exporting computer's
//! zone.

use std::borrow::Cow;
use std::io::BufRead;

use kuzot_model::{
    AuthorRef, ChatRef, DocumentKind, MediaRef, RawDocument, SourceFormat, SourcePosition,
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{DocumentSink, ReadError, ReadLimits, RecordError};

/// Buffered byte input that tracks the byte offset and line of the next byte.
struct Bytes<R> {
    input: R,
    buffer: Vec<u8>,
    start: usize,
    end: usize,
    /// Offset in the file of `buffer[0]`.
    base: u64,
    line: u64,
}

impl<R: BufRead> Bytes<R> {
    fn new(input: R) -> Bytes<R> {
        Bytes {
            input,
            buffer: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            base: 0,
            line: 1,
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    #[inline]
    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        if self.start == self.end && !self.refill()? {
            return Ok(None);
        }
        Ok(Some(self.buffer[self.start]))
    }

    #[inline]
    fn bump(&mut self) -> std::io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.start += 1;
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    fn refill(&mut self) -> std::io::Result<bool> {
        self.base += self.end as u64;
        self.start = 0;
        self.end = 0;
        loop {
            match self.input.read(&mut self.buffer) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.end = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn skip_whitespace(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump()?;
                }
                other => return Ok(other),
            }
        }
    }

    /// Copies one complete JSON value into `out`, tracking only nesting and strings; the
    /// value's own syntax is checked later by `serde_json`. At most `max_bytes` are copied:
    /// a longer value is still scanned to its end (so the read can go on after it) but not
    /// kept, which also bounds memory when a string is never closed.
    fn capture_value(&mut self, out: &mut Vec<u8>, max_bytes: u64) -> std::io::Result<Capture> {
        let mut depth = 0usize;
        let mut length = 0u64;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            if self.start == self.end && !self.refill()? {
                return Ok(Capture::EndOfInput);
            }
            let chunk = &self.buffer[self.start..self.end];
            let mut lines = 0;
            let mut consumed = chunk.len();
            let mut done = false;
            let mut i = 0;
            while i < chunk.len() {
                if in_string {
                    // Most bytes of an export are inside strings: jump to the next quote or
                    // backslash. JSON strings hold no raw newlines, so no line is skipped.
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                        None => {
                            i = chunk.len();
                        }
                        Some(at) => {
                            i += at;
                            if chunk[i] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                let b = chunk[i];
                match b {
                    b'\n' => lines += 1,
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            // The end of the enclosing list: not part of this value.
                            consumed = i;
                            done = true;
                            break;
                        }
                        depth -= 1;
                        if depth == 0 {
                            consumed = i + 1;
                            done = true;
                            break;
                        }
                    }
                    b',' if depth == 0 => {
                        consumed = i;
                        done = true;
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            length += consumed as u64;
            if length <= max_bytes {
                out.extend_from_slice(&chunk[..consumed]);
            } else if !out.is_empty() {
                // Give the memory back: an oversized value is not parsed.
                *out = Vec::new();
            }
            self.start += consumed;
            self.line += lines;
            if done {
                return Ok(if length <= max_bytes {
                    Capture::Complete
                } else {
                    Capture::Oversized { bytes: length }
                });
            }
        }
    }
}

/// How [`Bytes::capture_value`] ended.
enum Capture {
    /// The whole value is in the buffer.
    Complete,
    /// The value ended but was longer than allowed; it was skipped, not kept.
    Oversized {
        /// Its length in bytes.
        bytes: u64,
    },
    /// The input ended inside the value.
    EndOfInput,
}

/// The chat an object describes, from its scalar fields.
#[derive(Debug, Default, Clone)]
struct ChatHeader {
    name: Option<String>,
    kind: Option<String>,
    id: Option<String>,
}

#[derive(Debug)]
enum Frame {
    Object {
        header: ChatHeader,
        key: Option<String>,
    },
    Array {
        messages: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Value,
    KeyOrEnd,
    Key,
    ValueOrEnd,
    AfterValue,
}

/// Reads a Telegram Desktop JSON export into `sink` with the default [`ReadLimits`].
pub fn read(input: impl BufRead, sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    read_with_limits(input, &ReadLimits::default(), sink)
}

/// Reads a Telegram Desktop JSON export into `sink`. A message element longer than
/// [`ReadLimits::max_record_bytes`] is rejected with its position; structure nested deeper
/// than [`ReadLimits::max_nesting_depth`] outside the messages rejects the whole file,
/// since every level costs memory and no export nests that deep.
pub fn read_with_limits(
    input: impl BufRead,
    limits: &ReadLimits,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let mut bytes = Bytes::new(input);
    match bytes.skip_whitespace()? {
        Some(b'{') => {}
        Some(_) => {
            return Err(not_telegram(describe_start(&mut bytes)?));
        }
        None => return Err(not_telegram("an empty file".into())),
    }
    let mut scanner = Scanner {
        bytes,
        sink,
        index: 0,
        arrays_found: 0,
        top_keys: Vec::new(),
        element: Vec::new(),
        limits: *limits,
    };
    scanner.run()?;
    if scanner.arrays_found == 0 {
        let keys = if scanner.top_keys.is_empty() {
            "no keys".to_owned()
        } else {
            format!("keys {}", scanner.top_keys.join(", "))
        };
        return Err(not_telegram(format!(
            "a JSON object with {keys} and no \"messages\" array"
        )));
    }
    Ok(())
}

fn not_telegram(found: String) -> ReadError {
    ReadError::NotThisFormat {
        expected: SourceFormat::TelegramJson,
        found,
    }
}

/// Up to 60 characters from the start of a file, printable, for error messages.
fn describe_start<R: BufRead>(bytes: &mut Bytes<R>) -> std::io::Result<String> {
    let mut head = Vec::new();
    while head.len() < 240 {
        match bytes.bump()? {
            Some(b) => head.push(b),
            None => break,
        }
    }
    let text = String::from_utf8_lossy(&head);
    let shown: String = text
        .chars()
        .take(60)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    Ok(format!("the file starts with {:?}", shown.trim()))
}

struct Scanner<'s, R> {
    bytes: Bytes<R>,
    sink: &'s mut dyn DocumentSink,
    /// Index of the next message element across the whole file.
    index: u64,
    arrays_found: u64,
    top_keys: Vec<String>,
    element: Vec<u8>,
    limits: ReadLimits,
}

impl<R: BufRead> Scanner<'_, R> {
    fn broken(&self, reason: impl Into<String>) -> ReadError {
        ReadError::Truncated {
            format: SourceFormat::TelegramJson,
            offset: self.bytes.offset(),
            reason: reason.into(),
        }
    }

    fn run(&mut self) -> Result<(), ReadError> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut state = State::Value;
        loop {
            match state {
                State::Value => {
                    let Some(b) = self.bytes.skip_whitespace()? else {
                        return Err(self.broken("the file ends where a value was expected"));
                    };
                    if let Some(Frame::Array { messages: true }) = stack.last() {
                        let chat = self.current_chat(&stack);
                        self.message(&chat)?;
                        state = State::AfterValue;
                        continue;
                    }
                    if matches!(b, b'{' | b'[') && stack.len() >= self.limits.max_nesting_depth {
                        return Err(self.broken(format!(
                            "the structure nests deeper than {} levels outside the messages; \
                             no Telegram export does (a crafted file?)",
                            self.limits.max_nesting_depth
                        )));
                    }
                    match b {
                        b'{' => {
                            self.bytes.bump()?;
                            stack.push(Frame::Object {
                                header: ChatHeader::default(),
                                key: None,
                            });
                            state = State::KeyOrEnd;
                        }
                        b'[' => {
                            self.bytes.bump()?;
                            let messages = matches!(stack.last(), Some(Frame::Object { key: Some(k), .. }) if k == "messages");
                            if messages {
                                self.arrays_found += 1;
                            }
                            stack.push(Frame::Array { messages });
                            state = State::ValueOrEnd;
                        }
                        _ => {
                            let wanted = matches!(stack.last(), Some(Frame::Object { key: Some(k), .. }) if matches!(k.as_str(), "name" | "type" | "id"));
                            let value = self.scalar(b, wanted)?;
                            if let (
                                Some(Frame::Object {
                                    header,
                                    key: Some(k),
                                }),
                                Some(v),
                            ) = (stack.last_mut(), value)
                            {
                                match k.as_str() {
                                    "name" => header.name = Some(v),
                                    "type" => header.kind = Some(v),
                                    "id" => header.id = Some(v),
                                    _ => {}
                                }
                            }
                            state = State::AfterValue;
                        }
                    }
                }
                State::KeyOrEnd | State::Key => {
                    let b = self.bytes.skip_whitespace()?;
                    match b {
                        Some(b'}') if state == State::KeyOrEnd => {
                            self.bytes.bump()?;
                            stack.pop();
                            state = State::AfterValue;
                        }
                        Some(b'"') => {
                            let key = self.string_exact(true)?.unwrap_or_default();
                            if stack.len() == 1 && self.top_keys.len() < 12 {
                                self.top_keys.push(key.clone());
                            }
                            if let Some(Frame::Object { key: slot, .. }) = stack.last_mut() {
                                *slot = Some(key);
                            }
                            match self.bytes.skip_whitespace()? {
                                Some(b':') => {
                                    self.bytes.bump()?;
                                }
                                Some(other) => {
                                    return Err(self.broken(format!(
                                        "expected ':' after a key, found {:?}",
                                        other as char
                                    )));
                                }
                                None => return Err(self.broken("the file ends after a key")),
                            }
                            state = State::Value;
                        }
                        Some(other) => {
                            return Err(
                                self.broken(format!("expected a key, found {:?}", other as char))
                            );
                        }
                        None => return Err(self.broken("the file ends inside an object")),
                    }
                }
                State::ValueOrEnd => match self.bytes.skip_whitespace()? {
                    Some(b']') => {
                        self.bytes.bump()?;
                        stack.pop();
                        state = State::AfterValue;
                    }
                    Some(_) => state = State::Value,
                    None => return Err(self.broken(self.ends_inside(&stack))),
                },
                State::AfterValue => {
                    if stack.is_empty() {
                        return match self.bytes.skip_whitespace()? {
                            None => Ok(()),
                            Some(other) => Err(self.broken(format!(
                                "unexpected {:?} after the end of the export",
                                other as char
                            ))),
                        };
                    }
                    let b = self.bytes.skip_whitespace()?;
                    match (b, stack.last()) {
                        (Some(b','), Some(Frame::Object { .. })) => {
                            self.bytes.bump()?;
                            state = State::Key;
                        }
                        (Some(b','), Some(Frame::Array { .. })) => {
                            self.bytes.bump()?;
                            state = State::Value;
                        }
                        (Some(b'}'), Some(Frame::Object { .. }))
                        | (Some(b']'), Some(Frame::Array { .. })) => {
                            self.bytes.bump()?;
                            stack.pop();
                        }
                        (Some(other), _) => {
                            return Err(self.broken(format!(
                                "expected ',' or the end of a list or object, found {:?}",
                                other as char
                            )));
                        }
                        (None, _) => return Err(self.broken(self.ends_inside(&stack))),
                    }
                }
            }
        }
    }

    fn ends_inside(&self, stack: &[Frame]) -> String {
        if matches!(stack.last(), Some(Frame::Array { messages: true })) {
            format!(
                "the file ends inside a messages list after {} messages (truncated export?)",
                self.index
            )
        } else {
            "the file ends before the export is complete (truncated export?)".to_owned()
        }
    }

    fn current_chat(&self, stack: &[Frame]) -> ChatHeader {
        // The messages array sits under the chat object, one frame below the top.
        match stack.len().checked_sub(2).and_then(|i| stack.get(i)) {
            Some(Frame::Object { header, .. }) => header.clone(),
            _ => ChatHeader::default(),
        }
    }

    /// Reads a scalar value (string, number, literal); returns its text when `keep`.
    fn scalar(&mut self, first: u8, keep: bool) -> Result<Option<String>, ReadError> {
        if first == b'"' {
            return self.string_exact(keep);
        }
        let mut text = String::new();
        while let Some(b) = self.bytes.peek()? {
            if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                return Err(self.broken(format!("unexpected {:?} in a value", b as char)));
            }
            self.bytes.bump()?;
            if keep && text.len() < 64 {
                text.push(b as char);
            }
        }
        if text.is_empty() && keep {
            return Err(self.broken("expected a value"));
        }
        Ok(keep.then_some(text))
    }

    /// Reads exactly one string token (quote to matching quote).
    fn string_exact(&mut self, keep: bool) -> Result<Option<String>, ReadError> {
        self.element.clear();
        self.bytes.bump()?; // opening quote
        self.element.push(b'"');
        loop {
            match self.bytes.bump()? {
                None => return Err(self.broken("the file ends inside a string")),
                Some(b'\\') => {
                    let Some(escaped) = self.bytes.bump()? else {
                        return Err(self.broken("the file ends inside a string"));
                    };
                    // Only a kept string is copied, and only its start: a key or a skipped
                    // value may be as long as the file.
                    if keep && self.element.len() < 4096 {
                        self.element.push(b'\\');
                        self.element.push(escaped);
                    }
                }
                Some(b'"') => {
                    self.element.push(b'"');
                    break;
                }
                Some(b) => {
                    if keep && self.element.len() < 4096 {
                        self.element.push(b);
                    }
                }
            }
        }
        if !keep {
            return Ok(None);
        }
        Ok(serde_json::from_slice::<String>(&self.element).ok())
    }

    /// Copies out one message element and hands it to the sink.
    fn message(&mut self, chat: &ChatHeader) -> Result<(), ReadError> {
        let position = SourcePosition {
            index: self.index,
            line: Some(self.bytes.line),
            byte_offset: Some(self.bytes.offset()),
        };
        self.index += 1;
        self.element.clear();
        match self
            .bytes
            .capture_value(&mut self.element, self.limits.max_record_bytes)?
        {
            Capture::Complete => {}
            Capture::Oversized { bytes } => {
                self.sink.rejected(RecordError::new(
                    position,
                    format!(
                        "the message is {bytes} bytes, over the limit of {} bytes per record",
                        self.limits.max_record_bytes
                    ),
                ));
                return Ok(());
            }
            Capture::EndOfInput => {
                return Err(self.broken(format!(
                    "the file ends inside message {} (truncated export?)",
                    position.index + 1
                )));
            }
        }
        let raw = trim_json(&self.element);
        match serde_json::from_slice::<Message<'_>>(raw) {
            Ok(message) => match to_document(message, chat, position) {
                Ok(Some(doc)) => self.sink.document(doc)?,
                Ok(None) => self.sink.service_record(),
                Err(reason) => self.sink.rejected(RecordError::new(position, reason)),
            },
            Err(e) => self.sink.rejected(RecordError::new(
                position,
                format!("malformed message: {e}"),
            )),
        }
        Ok(())
    }
}

fn trim_json(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// One message as Telegram Desktop writes it. Only the fields kuzot uses; unknown ones are
/// ignored so that newer exports still read.
#[derive(Debug, Deserialize)]
struct Message<'a> {
    id: Option<serde_json::Value>,
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    date: Option<Cow<'a, str>>,
    date_unixtime: Option<StringOrNumber>,
    edited_unixtime: Option<StringOrNumber>,
    #[serde(borrow)]
    from: Option<Cow<'a, str>>,
    #[serde(borrow)]
    from_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    forwarded_from: Option<Cow<'a, str>>,
    #[serde(borrow)]
    forwarded_from_id: Option<Cow<'a, str>>,
    reply_to_message_id: Option<serde_json::Value>,
    #[serde(borrow)]
    text: Option<&'a serde_json::value::RawValue>,
    /// Kept unparsed: it repeats `text` and is only needed when `text` is missing, so
    /// parsing it for every message would double the work.
    #[serde(borrow)]
    text_entities: Option<&'a serde_json::value::RawValue>,
    photo: Option<String>,
    file: Option<String>,
    media_type: Option<String>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    String(String),
    Number(i64),
}

impl StringOrNumber {
    fn seconds(&self) -> Option<i64> {
        match self {
            StringOrNumber::String(s) => s.trim().parse().ok(),
            StringOrNumber::Number(n) => Some(*n),
        }
    }
}

/// One element of a `text` array: a plain string, or an entity object whose `text` is
/// taken. Deserialised by hand: serde's untagged enums buffer every value first, which
/// doubles the cost of the commonest field of an export.
struct TextPart(String);

impl<'de> Deserialize<'de> for TextPart {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TextPart, D::Error> {
        struct PartVisitor;
        impl<'de> serde::de::Visitor<'de> for PartVisitor {
            type Value = TextPart;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or an entity object with a \"text\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TextPart, E> {
                Ok(TextPart(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<TextPart, E> {
                Ok(TextPart(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TextPart, A::Error> {
                let mut text = String::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    if key == "text" {
                        text = map.next_value::<String>()?;
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(TextPart(text))
            }
        }
        deserializer.deserialize_any(PartVisitor)
    }
}

/// An element of `text_entities`.
#[derive(Debug, Deserialize)]
struct Entity {
    #[serde(default)]
    text: String,
}

/// Flattens `text`: a plain string, or an array mixing strings and entity objects.
fn flatten_text(raw: &serde_json::value::RawValue) -> Result<String, String> {
    let json = raw.get();
    if json.starts_with('"') {
        return serde_json::from_str::<String>(json).map_err(|e| format!("malformed text: {e}"));
    }
    if json == "null" {
        return Ok(String::new());
    }
    let parts =
        serde_json::from_str::<Vec<TextPart>>(json).map_err(|e| format!("malformed text: {e}"))?;
    Ok(parts.into_iter().map(|p| p.0).collect())
}

fn id_string(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn unix_time(value: &StringOrNumber, field: &str) -> Result<OffsetDateTime, String> {
    let seconds = value
        .seconds()
        .ok_or_else(|| format!("{field} is not a number of seconds"))?;
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| format!("{field} {seconds} is out of range"))
}

/// Parses the zone-less `date` field ("2024-03-12T14:05:33") as UTC.
fn local_date(text: &str) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(text, format)
        .ok()
        .map(|t| t.assume_utc())
}

/// Turns a parsed message into a document; `Ok(None)` for service messages.
fn to_document(
    message: Message<'_>,
    chat: &ChatHeader,
    position: SourcePosition,
) -> Result<Option<RawDocument>, String> {
    if message.kind.as_deref() == Some("service") {
        return Ok(None);
    }
    let time = match (&message.date_unixtime, &message.date) {
        (Some(unix), _) => unix_time(unix, "date_unixtime")?,
        (None, Some(date)) => {
            local_date(date).ok_or_else(|| format!("date {date:?} is not a date"))?
        }
        (None, None) => return Err("the message has no date".into()),
    };
    let edited = match &message.edited_unixtime {
        Some(unix) => Some(unix_time(unix, "edited_unixtime")?),
        None => None,
    };
    let text = match (message.text, message.text_entities) {
        (Some(raw), _) => flatten_text(raw)?,
        (None, Some(raw)) => serde_json::from_str::<Vec<Entity>>(raw.get())
            .map_err(|e| format!("malformed text_entities: {e}"))?
            .iter()
            .map(|e| e.text.as_str())
            .collect(),
        (None, None) => String::new(),
    };
    let mut media = Vec::new();
    if let Some(photo) = message.photo {
        media.push(MediaRef {
            kind: "photo".into(),
            file: Some(photo),
        });
    }
    if let Some(file) = message.file {
        let kind = message.media_type.unwrap_or_else(|| "document".into());
        media.push(MediaRef {
            kind,
            file: Some(file),
        });
    }
    let forwarded_from = match (message.forwarded_from, message.forwarded_from_id) {
        (None, None) => None,
        (name, id) => Some(AuthorRef {
            id: id.map(Cow::into_owned),
            name: name.map(Cow::into_owned),
        }),
    };
    Ok(Some(RawDocument {
        kind: DocumentKind::Message,
        text,
        time: Some(time),
        edited,
        chat: ChatRef {
            id: chat.id.clone(),
            name: chat.name.clone(),
            kind: chat.kind.clone(),
        },
        author: AuthorRef {
            id: message.from_id.map(Cow::into_owned),
            name: message.from.map(Cow::into_owned),
        },
        message_id: message.id.as_ref().and_then(id_string),
        reply_to: message.reply_to_message_id.as_ref().and_then(id_string),
        forwarded_from,
        title: message.title.map(Cow::into_owned),
        url: None,
        media,
        position,
    }))
}
