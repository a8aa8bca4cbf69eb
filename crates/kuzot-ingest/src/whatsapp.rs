//! WhatsApp "Export chat" text files in every common layout.
//!
//! A WhatsApp export is a text file with one header line per message
//! (`12/03/2024, 14:05 - Айбек: текст` on Android, `[12.03.24, 14:05:33] Айбек: текст` on
//! iOS) followed by the message's further lines, which have no header. The layout depends on
//! the phone's locale: the date may be day/month/year, month/day/year or year/month/day, with
//! two- or four-digit years and `/`, `.` or `-` between the parts; the clock may be 24-hour
//! or 12-hour (`PM`, `pm`, `p. m.`, `p.m.`, `م`), with or without seconds; and newer phones
//! put invisible characters (U+200E, U+200F, U+202F, U+00A0) anywhere in the header. All of
//! these are read; nothing about the layout has to be configured.
//!
//! **Times.** The export records the phone's wall-clock time and no time zone. The reader
//! takes that wall-clock time as if it were UTC, so a message written at 14:05 in Moscow is
//! stored as 14:05 UTC. Whoever knows where the phone was must correct for it.
//!
//! **Day or month first.** `03/04/2024` is 3 April in Russia and 4 March in the USA, and the
//! file does not say which. The reader decides for the whole file, not from its first lines:
//! it reads the input twice, first collecting only counters over every header (under each
//! reading, how many dates are impossible, such as a month above 12, and how often a date
//! goes backwards), then choosing the reading with the fewest impossible dates, then the
//! fewest backward steps, and day/month/year when nothing decides (the common order in
//! Russia and Central Asia). A year of four digits fixes its own place. Two-digit
//! year/month/day dates are chosen only when the file's dates decide for them. Because a
//! [`BufRead`] cannot be rewound, the input is copied during the first pass: into memory up
//! to [`MEMORY_COPY_LIMIT`], into an anonymous temporary file beyond it.
//!
//! **What becomes a document.** Each message is one [`RawDocument`] of kind
//! [`DocumentKind::Message`] with its text (further lines joined with `\n`), time, author
//! name, chat name and the position of its header line. The chat name comes from
//! [`ReadOptions::file_name`] (`WhatsApp Chat with X.txt`, `Чат WhatsApp с X.txt`,
//! `WhatsApp Chat - X.txt`, or any other name without its extension; iOS's bare
//! `_chat.txt` names no chat). WhatsApp has no message ids. Attachments the export only
//! names (`<Media omitted>`, `<Без медиафайлов>`, `image omitted`,
//! `<attached: 00000012-PHOTO-….jpg>`, `IMG-….jpg (file attached)`) become a [`MediaRef`],
//! and whatever text follows them stays the message text, which may be empty.
//!
//! **What does not.** System lines (encryption notice, "created group", "added") have no
//! author: Android writes them without `Name:`, iOS writes them after the group's name with
//! a leading U+200E. They are counted with [`DocumentSink::service_record`] and not stored.
//! Android's are recognised by their words, in English and Russian; a dated line with no
//! `Name:` that is not one of them is rejected with its position and a reason (with the
//! lines after it), never dropped as a notice.
//! A line that has the shape of a header but cannot be dated (month 13 in the file's order,
//! hour 25) is rejected with its position and a reason; so is text that belongs to no
//! message (before the first header, after a system line), and a message with a line that
//! is not valid UTF-8 (such a line cannot be told apart from a header, so the message it
//! falls into is rejected whole rather than stored with a line missing). The read goes on
//! after each of them.
//!
//! **Whole-file errors.** A file with no header among its first 50 non-empty lines is
//! [`ReadError::NotThisFormat`]. An empty or blank file is not an error: it yields no
//! documents, since it holds nothing and claims to be nothing else. A line longer than
//! [`MAX_LINE_BYTES`] (far beyond WhatsApp's message limit) stops the read, so that memory
//! stays bounded on a file that is not an export at all.
//!
//! ```
//! use kuzot_ingest::{CollectingSink, ReadOptions, whatsapp};
//! let export = "\u{200e}[12.03.24, 14:05:33] Работа Москва: \u{200e}Айбек создал(а) группу\n\
//!               [12.03.24, 14:06:10] Айбек: Охрана, 170 000 руб.\n\
//!               Звоните +7 900 000 00 00\n";
//! let options = ReadOptions {
//!     file_name: Some("WhatsApp Chat - Работа Москва.txt".into()),
//!     ..ReadOptions::default()
//! };
//! let mut sink = CollectingSink::default();
//! whatsapp::read(export.as_bytes(), &options, &mut sink).expect("a valid export");
//! assert_eq!(sink.service_records, 1);
//! let doc = &sink.documents[0];
//! assert_eq!(doc.text, "Охрана, 170 000 руб.\nЗвоните +7 900 000 00 00");
//! assert_eq!(doc.author.name.as_deref(), Some("Айбек"));
//! assert_eq!(doc.chat.name.as_deref(), Some("Работа Москва"));
//! assert_eq!(doc.position.line, Some(2));
//! ```

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use kuzot_model::{
    AuthorRef, ChatRef, DocumentKind, MediaRef, RawDocument, SourceFormat, SourcePosition,
};
use time::{Date, Month, PrimitiveDateTime, Time};

use crate::lines::LineReader;
use crate::{DocumentSink, ReadError, ReadOptions, RecordError};

/// Inputs up to this size are copied into memory for the second pass; larger ones go to an
/// anonymous temporary file, so that memory does not grow with the export.
pub const MEMORY_COPY_LIMIT: usize = 64 * 1024 * 1024;

/// The longest line accepted. WhatsApp caps a message at 65,536 characters, so a longer
/// line means the file is not an export; stopping there keeps memory bounded.
pub const MAX_LINE_BYTES: u64 = 4 * 1024 * 1024;

/// How many non-empty lines may precede the first header before the file is judged not to
/// be an export.
const HEADER_SEARCH_LINES: u32 = 50;

/// How many characters of the first line a "not this format" error quotes.
const PREVIEW_CHARS: usize = 60;

/// Buffer size for reading the input and the copy.
const BUFFER_BYTES: usize = 64 * 1024;

/// Reads one WhatsApp chat export.
pub fn read(
    input: impl BufRead,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    read_with_memory_limit(input, options, sink, MEMORY_COPY_LIMIT)
}

/// [`read`] with the memory limit of the copy as a parameter, so that tests can exercise
/// the temporary-file path with small inputs.
fn read_with_memory_limit(
    input: impl BufRead,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
    memory_limit: usize,
) -> Result<(), ReadError> {
    let mut copy = InputCopy::new(memory_limit);
    let survey = {
        let tee = Tee {
            input,
            copy: &mut copy,
            consumed: 0,
            line_start: 0,
        };
        survey(&mut LineReader::new(BufReader::with_capacity(
            BUFFER_BYTES,
            tee,
        )))?
    };
    if !survey.header_seen {
        // Only blank lines: nothing to read, and nothing that says it is another format.
        return Ok(());
    }
    let ranking = survey.evidence.ranking();
    // The line reader drops a byte-order mark, so offsets within line 1 shift by its size.
    let bom_len = if copy.starts_with_byte_order_mark() {
        3
    } else {
        0
    };
    let chat = ChatRef {
        id: None,
        name: options.file_name.as_deref().and_then(chat_name_from_file),
        // WhatsApp exports personal chats and groups only: never a publication.
        kind: Some(ChatRef::WHATSAPP_CHAT.to_owned()),
    };
    match copy.kept {
        Kept::Memory(bytes) => emit(
            LineReader::new(&bytes[..]),
            ranking,
            bom_len,
            &chat,
            options,
            sink,
        ),
        Kept::File(writer) => {
            let mut file = writer.into_inner().map_err(|e| e.into_error())?;
            file.seek(SeekFrom::Start(0))?;
            let reader = BufReader::with_capacity(BUFFER_BYTES, file);
            emit(
                LineReader::new(reader),
                ranking,
                bom_len,
                &chat,
                options,
                sink,
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// The copy of the input, and the first pass over it

/// The bytes the first pass read, kept for the second.
struct InputCopy {
    kept: Kept,
    memory_limit: usize,
    /// The first three bytes, to know whether a byte-order mark shifts line 1.
    head: [u8; 3],
    head_len: usize,
}

/// Where the copy is.
enum Kept {
    Memory(Vec<u8>),
    File(BufWriter<File>),
}

impl InputCopy {
    fn new(memory_limit: usize) -> InputCopy {
        InputCopy {
            kept: Kept::Memory(Vec::new()),
            memory_limit,
            head: [0; 3],
            head_len: 0,
        }
    }

    fn starts_with_byte_order_mark(&self) -> bool {
        self.head == *b"\xEF\xBB\xBF"
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        for &byte in bytes.iter().take(3 - self.head_len) {
            self.head[self.head_len] = byte;
            self.head_len += 1;
        }
        let limit = self.memory_limit;
        match &mut self.kept {
            Kept::Memory(kept) if kept.len().saturating_add(bytes.len()) <= limit => {
                let needed = kept.len() + bytes.len();
                if needed > kept.capacity() {
                    // Doubling, but never past the limit: the capacity, not only the
                    // length, must stay within it.
                    let wanted = kept
                        .capacity()
                        .saturating_mul(2)
                        .max(needed)
                        .max(BUFFER_BYTES)
                        .min(limit)
                        .max(needed);
                    kept.reserve_exact(wanted - kept.len());
                }
                kept.extend_from_slice(bytes);
                Ok(())
            }
            Kept::Memory(kept) => {
                let mut file = BufWriter::with_capacity(BUFFER_BYTES, tempfile::tempfile()?);
                file.write_all(kept)?;
                file.write_all(bytes)?;
                self.kept = Kept::File(file);
                Ok(())
            }
            Kept::File(file) => file.write_all(bytes),
        }
    }
}

/// Hands the input to the first pass while copying it, and stops at a line too long to be
/// part of an export.
struct Tee<'a, R> {
    input: R,
    copy: &'a mut InputCopy,
    /// Bytes read so far.
    consumed: u64,
    /// Offset where the current line began.
    line_start: u64,
}

impl<R: BufRead> Read for Tee<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.input.read(out)?;
        let chunk = out.get(..n).unwrap_or_default();
        let chunk_start = self.consumed;
        let first_line_end = chunk_start + memchr::memchr(b'\n', chunk).unwrap_or(n) as u64;
        if first_line_end - self.line_start > MAX_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                LineTooLong {
                    offset: self.line_start,
                },
            ));
        }
        if let Some(last) = memchr::memrchr(b'\n', chunk) {
            self.line_start = chunk_start + last as u64 + 1;
        }
        self.consumed += n as u64;
        self.copy.append(chunk)?;
        Ok(n)
    }
}

/// A line longer than [`MAX_LINE_BYTES`], starting at `offset`.
#[derive(Debug)]
struct LineTooLong {
    offset: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the line at byte {} is longer than {} MiB",
            self.offset,
            MAX_LINE_BYTES / (1024 * 1024)
        )
    }
}

impl std::error::Error for LineTooLong {}

/// What the first pass learnt.
struct Survey {
    header_seen: bool,
    evidence: OrderEvidence,
}

fn survey<R: BufRead>(lines: &mut LineReader<R>) -> Result<Survey, ReadError> {
    let mut evidence = OrderEvidence::default();
    let mut header_seen = false;
    let mut non_empty_before_header = 0u32;
    let mut first_line: Option<String> = None;
    loop {
        let line = match lines.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => return Err(whole_file_error(e, header_seen)),
        };
        match line.text {
            Ok(text) => {
                if let Some(header) = parse_header(text) {
                    header_seen = true;
                    evidence.observe(&header);
                    continue;
                }
                if header_seen || text.chars().all(is_blank) {
                    continue;
                }
                first_line.get_or_insert_with(|| quote_preview(text));
            }
            Err(_) if header_seen => continue,
            Err(_) => {
                first_line.get_or_insert_with(|| format!("line {} is not UTF-8 text", line.number));
            }
        }
        non_empty_before_header += 1;
        if non_empty_before_header >= HEADER_SEARCH_LINES {
            break;
        }
    }
    match first_line {
        Some(first) if !header_seen => Err(ReadError::NotThisFormat {
            expected: SourceFormat::WhatsappTxt,
            found: format!(
                "no WhatsApp date-and-time header in the first {non_empty_before_header} \
                 non-empty lines; the first one reads {first}"
            ),
        }),
        _ => Ok(Survey {
            header_seen,
            evidence,
        }),
    }
}

/// The first characters of a line, quoted, for an error message.
fn quote_preview(text: &str) -> String {
    let trimmed = text.trim_matches(is_blank);
    let mut preview: String = trimmed
        .chars()
        .take(PREVIEW_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if trimmed.chars().nth(PREVIEW_CHARS).is_some() {
        preview.push('…');
    }
    format!("\"{preview}\"")
}

fn whole_file_error(error: io::Error, header_seen: bool) -> ReadError {
    let too_long = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LineTooLong>())
        .map(|long| (long.offset, long.to_string()));
    match too_long {
        Some((_, reason)) if !header_seen => ReadError::NotThisFormat {
            expected: SourceFormat::WhatsappTxt,
            found: format!("{reason}, with no WhatsApp header before it"),
        },
        Some((offset, reason)) => ReadError::Truncated {
            format: SourceFormat::WhatsappTxt,
            offset,
            reason: format!("{reason}; no WhatsApp message is that long"),
        },
        None => ReadError::Io(error),
    }
}

// ---------------------------------------------------------------------------------------
// Day or month first

/// The three orders a date's parts may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOrder {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

impl DateOrder {
    /// In order of preference when nothing else decides.
    const ALL: [DateOrder; 3] = [
        DateOrder::DayMonthYear,
        DateOrder::MonthDayYear,
        DateOrder::YearMonthDay,
    ];

    fn slot(self) -> usize {
        match self {
            DateOrder::DayMonthYear => 0,
            DateOrder::MonthDayYear => 1,
            DateOrder::YearMonthDay => 2,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            DateOrder::DayMonthYear => "day/month/year",
            DateOrder::MonthDayYear => "month/day/year",
            DateOrder::YearMonthDay => "year/month/day",
        }
    }

    /// Whether a header's digit counts allow this order: a four-digit number is a year and
    /// fixes its own place.
    fn fits(self, header: &Header<'_>) -> bool {
        let [first, _, last] = header.widths;
        match self {
            DateOrder::YearMonthDay => last <= 2,
            DateOrder::DayMonthYear | DateOrder::MonthDayYear => first <= 2,
        }
    }

    /// Year, month and day of a header read in this order.
    fn year_month_day(self, header: &Header<'_>) -> (i32, u16, u16) {
        let [a, b, c] = header.numbers;
        let [wa, _, wc] = header.widths;
        match self {
            DateOrder::DayMonthYear => (full_year(c, wc), b, a),
            DateOrder::MonthDayYear => (full_year(c, wc), a, b),
            DateOrder::YearMonthDay => (full_year(a, wa), b, c),
        }
    }

    /// A sortable number for the date, or `None` when the date does not exist.
    fn calendar_key(self, header: &Header<'_>) -> Option<u32> {
        if !self.fits(header) {
            return None;
        }
        let (year, month, day) = self.year_month_day(header);
        let days = days_in_month(year, month)?;
        if day == 0 || day > days {
            return None;
        }
        u32::try_from(year)
            .ok()
            .map(|y| y * 10_000 + u32::from(month) * 100 + u32::from(day))
    }
}

/// Two-digit years are this century: WhatsApp exists since 2009.
fn full_year(value: u16, width: u8) -> i32 {
    if width <= 2 {
        2000 + i32::from(value)
    } else {
        i32::from(value)
    }
}

fn days_in_month(year: i32, month: u16) -> Option<u16> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if leap => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// Counters over every header of the file, one set per date order.
#[derive(Debug, Default)]
struct OrderEvidence {
    /// Headers whose date does not exist in that order.
    impossible: [u64; 3],
    /// Times a date came before the date of the header above it.
    backwards: [u64; 3],
    previous: [Option<u32>; 3],
}

impl OrderEvidence {
    fn observe(&mut self, header: &Header<'_>) {
        for order in DateOrder::ALL {
            let slot = order.slot();
            match order.calendar_key(header) {
                Some(key) => {
                    if self.previous[slot].is_some_and(|previous| key < previous) {
                        self.backwards[slot] += 1;
                    }
                    self.previous[slot] = Some(key);
                }
                None => self.impossible[slot] += 1,
            }
        }
    }

    /// The orders from the best-supported to the worst; ties keep the preference order.
    fn ranking(&self) -> [DateOrder; 3] {
        let mut ranking = DateOrder::ALL;
        ranking.sort_by_key(|order| {
            let slot = order.slot();
            (self.impossible[slot], self.backwards[slot])
        });
        ranking
    }
}

/// The best-ranked order that a header's digit counts allow.
fn order_for(header: &Header<'_>, ranking: [DateOrder; 3]) -> DateOrder {
    ranking
        .into_iter()
        .find(|order| order.fits(header))
        .unwrap_or(DateOrder::DayMonthYear)
}

// ---------------------------------------------------------------------------------------
// Header lines

/// The parts of a header line, not yet checked against the calendar or the clock.
#[derive(Debug, Clone, Copy)]
struct Header<'a> {
    /// The three numbers of the date, in the order written.
    numbers: [u16; 3],
    /// How many digits each had.
    widths: [u8; 3],
    /// The date as written, for error messages.
    date_text: &'a str,
    hour: u8,
    minute: u8,
    second: u8,
    meridiem: Option<Meridiem>,
    /// The time as written, for error messages.
    time_text: &'a str,
    /// Everything after the header: `Name: text`, or a system notice.
    body: &'a str,
    /// The iOS layout, `[date, time]`.
    bracketed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// Characters that may stand between the parts of a header or around names: spaces,
/// no-break spaces and the invisible direction marks newer phones insert.
fn is_blank(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\u{a0}'
            | '\u{2009}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202f}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The invisible direction marks alone (no spaces): trimmed off the start of a message
/// text, where they are the export's markup and not the author's.
fn is_direction_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
    )
}

/// A scanner over one line that never leaves a character boundary.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, wanted: char) -> bool {
        if self.peek() == Some(wanted) {
            self.pos += wanted.len_utf8();
            true
        } else {
            false
        }
    }

    fn eat_any(&mut self, wanted: &[char]) -> Option<char> {
        let c = self.peek().filter(|c| wanted.contains(c))?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips blanks; true when there was at least one.
    fn skip_blanks(&mut self) -> bool {
        let rest = self.rest();
        let skipped = rest.len() - rest.trim_start_matches(is_blank).len();
        self.pos += skipped;
        skipped > 0
    }

    /// One to `max` ASCII digits, with their value and count.
    fn number(&mut self, max: usize) -> Option<(u16, u8)> {
        let digits = self
            .rest()
            .bytes()
            .take_while(u8::is_ascii_digit)
            .take(max + 1)
            .count();
        if digits == 0 || digits > max {
            return None;
        }
        let value = self
            .rest()
            .bytes()
            .take(digits)
            .fold(0u16, |v, d| v * 10 + u16::from(d - b'0'));
        self.pos += digits;
        Some((value, u8::try_from(digits).ok()?))
    }

    fn meridiem(&mut self) -> Option<Meridiem> {
        let start = self.pos;
        let found = match self.peek()? {
            'a' | 'A' => Meridiem::Am,
            'p' | 'P' => Meridiem::Pm,
            'ص' => {
                self.pos += 'ص'.len_utf8();
                return self.end_of_word(start, Meridiem::Am);
            }
            'م' => {
                self.pos += 'م'.len_utf8();
                return self.end_of_word(start, Meridiem::Pm);
            }
            _ => return None,
        };
        self.pos += 1;
        self.eat('.');
        self.skip_blanks();
        if !(self.eat('m') || self.eat('M')) {
            self.pos = start;
            return None;
        }
        self.eat('.');
        self.end_of_word(start, found)
    }

    /// Accepts `found` only if no letter follows (so that `am` is not the start of a word).
    fn end_of_word(&mut self, start: usize, found: Meridiem) -> Option<Meridiem> {
        if self.peek().is_some_and(char::is_alphanumeric) {
            self.pos = start;
            None
        } else {
            Some(found)
        }
    }
}

/// Parses the header at the start of a line, if the line has one:
/// `[date, time] body` (iOS) or `date, time - body` (Android), with the comma optional.
fn parse_header(line: &str) -> Option<Header<'_>> {
    let mut c = Cursor { text: line, pos: 0 };
    c.skip_blanks();
    let bracketed = c.eat('[');
    c.skip_blanks();

    let date_start = c.pos;
    let (a, wa) = c.number(4)?;
    let separator = c.eat_any(&['/', '.', '-'])?;
    c.skip_blanks();
    let (b, wb) = c.number(2)?;
    if !c.eat(separator) {
        return None;
    }
    c.skip_blanks();
    let (y, wy) = c.number(4)?;
    let widths_fit = (wa == 4 && wy <= 2) || (wa <= 2 && (wy == 2 || wy == 4));
    if !widths_fit {
        return None;
    }
    let date_text = line.get(date_start..c.pos)?;
    if separator == '.' {
        c.eat('.');
    }

    let mut gap = c.skip_blanks();
    if c.eat(',') {
        gap = true;
        c.skip_blanks();
    }
    if !gap {
        return None;
    }

    let time_start = c.pos;
    let (hour, _) = c.number(2)?;
    if !c.eat(':') {
        return None;
    }
    let (minute, minute_width) = c.number(2)?;
    let mut second = 0;
    if c.eat(':') {
        let (value, width) = c.number(2)?;
        if width != 2 {
            return None;
        }
        second = value;
    }
    if minute_width != 2 {
        return None;
    }
    let mut time_end = c.pos;
    c.skip_blanks();
    let meridiem = c.meridiem();
    if meridiem.is_some() {
        time_end = c.pos;
        c.skip_blanks();
    }
    let time_text = line.get(time_start..time_end)?;

    if bracketed {
        if !c.eat(']') {
            return None;
        }
        c.skip_blanks();
    } else {
        c.eat_any(&['-', '–', '—'])?;
        if !c.skip_blanks() && !c.rest().is_empty() {
            return None;
        }
    }
    Some(Header {
        numbers: [a, b, y],
        widths: [wa, wb, wy],
        date_text,
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
        second: u8::try_from(second).ok()?,
        meridiem,
        time_text,
        body: c.rest(),
        bracketed,
    })
}

/// The header's moment, or the reason it has none.
fn header_time(header: &Header<'_>, order: DateOrder) -> Result<PrimitiveDateTime, String> {
    let (year, month, day) = order.year_month_day(header);
    let date = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .zip(u8::try_from(day).ok())
        .and_then(|(month, day)| Date::from_calendar_date(year, month, day).ok())
        .ok_or_else(|| {
            format!(
                "date {} is not a valid {} (the order this file uses)",
                header.date_text,
                order.describe()
            )
        })?;
    let hour = match header.meridiem {
        None => Some(header.hour),
        Some(_) if header.hour > 12 => None,
        Some(Meridiem::Am) => Some(header.hour % 12),
        Some(Meridiem::Pm) => Some(header.hour % 12 + 12),
    };
    let time = hour
        .and_then(|hour| Time::from_hms(hour, header.minute, header.second).ok())
        .ok_or_else(|| format!("time {} is not a valid time of day", header.time_text))?;
    Ok(PrimitiveDateTime::new(date, time))
}

/// Whether `text` ends inside a quotation: a `"` without its pair, more `«` than `»`, or an
/// odd number of the curly quotes (`„…“`, `“…”` and `„…”` all pair up two at a time).
fn opens_a_quotation(text: &str) -> bool {
    let count = |quotes: &[char]| text.chars().filter(|c| quotes.contains(c)).count();
    count(&['"']) % 2 == 1 || count(&['«']) > count(&['»']) || count(&['„', '“', '”']) % 2 == 1
}

/// Splits `Name: text`; `None` for a system notice, which has no author.
fn split_author(body: &str) -> Option<(&str, &str)> {
    let (name, text) = match body.split_once(": ") {
        Some(parts) => parts,
        None => (body.strip_suffix(':')?, ""),
    };
    // "X changed the subject to "A: B"": the colon is inside a quotation, not after a name.
    // A name may hold a whole quotation (an agency «Вахта», ООО "Труд"), so only a quotation
    // left open before the colon marks a system notice.
    if opens_a_quotation(name) {
        return None;
    }
    Some((name.trim_matches(is_blank), text))
}

/// Why a dated line with no author is rejected. The line itself is not quoted: it may hold
/// a private person's name, and rejection reasons are stored in the evidence store, where
/// names are pseudonyms. Its line number is in the rejection's position.
const UNKNOWN_AUTHORLESS_LINE: &str = "a dated line with no \"Name: \" before its text that is \
     not a WhatsApp notice kuzot knows (encryption, a group created, members added, removed \
     or leaving, a changed subject or icon); it and the lines after it are not stored — \
     read them in the kept file";

/// Words of the notices WhatsApp writes without an author, in English and Russian (the
/// languages of the interfaces the exports kuzot was built on come from), lower-case. A
/// notice names the people concerned around these words, so they are looked for anywhere
/// in the line; a line with none of them is not taken for a notice.
const SYSTEM_NOTICE_WORDS: &[&str] = &[
    // Encryption: "Messages and calls are end-to-end encrypted. …", "Messages to this group
    // are now secured with end-to-end encryption."
    "end-to-end encrypt",
    "сквозным шифрованием",
    // A group created, its subject, icon, description or settings changed.
    "created group",
    "created this group",
    "changed the subject",
    "changed this group's",
    "changed the group",
    "deleted this group's",
    "reset this group's invite link",
    "создал(а) группу",
    "создали группу",
    "создал группу",
    "создала группу",
    "изменил(а)",
    "изменили",
    "изменил ",
    "изменила ",
    "сбросил(а) ссылку",
    // Members added, removed, joining or leaving.
    " added ",
    " added you",
    "you were added",
    " removed ",
    "you were removed",
    "joined using",
    "joined via",
    "joined from the community",
    "добавил(а)",
    "добавили",
    "добавил ",
    "добавила ",
    "удалил(а)",
    "удалили",
    "удалил ",
    "удалила ",
    "вышел(а)",
    "вышел(-а)",
    "вы вышли",
    "покинул(а)",
    "присоединил",
    // Admins, numbers, security codes, disappearing messages, blocking, calls.
    "now an admin",
    "no longer an admin",
    "changed their phone number",
    "changed to +",
    "security code",
    "disappearing messages",
    "blocked this contact",
    "missed voice call",
    "missed video call",
    "администратор",
    "сменил(а) номер",
    "код безопасности",
    "исчезающие сообщения",
    "заблокировали этот контакт",
    "разблокировали этот контакт",
    "пропущенный аудиозвонок",
    "пропущенный видеозвонок",
];

/// Notices that are a name and one word at the end: "Айбек left", "Айбек вышел".
const SYSTEM_NOTICE_ENDINGS: &[&str] = &[" left", " вышел", " вышла", " вышли"];

/// Whether an authorless header line is a notice WhatsApp writes (a group created, members
/// added, the encryption notice), as opposed to a line kuzot does not understand.
fn is_system_notice(body: &str) -> bool {
    let line = body
        .trim_matches(is_blank)
        .replace('\u{2019}', "'")
        .to_lowercase();
    let line = line.trim_end_matches('.');
    SYSTEM_NOTICE_WORDS.iter().any(|w| line.contains(w))
        || SYSTEM_NOTICE_ENDINGS.iter().any(|w| line.ends_with(w))
}

// ---------------------------------------------------------------------------------------
// Media placeholders

/// Labels iOS puts before an attachment's file name: `<attached: 00000012-PHOTO-….jpg>`.
const ATTACHED_LABELS: [&str; 5] = [
    "attached",
    "прикреплено",
    "прикреплен",
    "прикреплён",
    "вложение",
];

/// Words inside `<…>` that mean "media left out of the export": `<Media omitted>`,
/// `<Медиа отсутствуют>`, `<Без медиафайлов>`, `<Multimedia omitido>`.
const OMITTED_MEDIA_WORDS: [&str; 6] =
    ["media", "медиа", "mídia", "médias", "medien", "мультимедиа"];

/// What Android writes after an attachment's file name: `IMG-….jpg (file attached)`.
const FILE_ATTACHED: [&str; 7] = [
    "(file attached)",
    "(файл добавлен)",
    "(файл прикреплен)",
    "(файл прикреплён)",
    "(archivo adjunto)",
    "(arquivo anexado)",
    "(fichier joint)",
];

/// iOS's "… omitted" placeholders and the media kind each stands for.
const OMITTED_KINDS: [(&str, &str); 16] = [
    ("image omitted", "photo"),
    ("video omitted", "video_file"),
    ("audio omitted", "voice_message"),
    ("sticker omitted", "sticker"),
    ("gif omitted", "animation"),
    ("document omitted", "document"),
    ("contact card omitted", "contact"),
    ("изображение отсутствует", "photo"),
    ("фото отсутствует", "photo"),
    ("видео отсутствует", "video_file"),
    ("аудио отсутствует", "voice_message"),
    ("аудиофайл отсутствует", "voice_message"),
    ("стикер отсутствует", "sticker"),
    ("gif отсутствует", "animation"),
    ("документ отсутствует", "document"),
    ("карточка контакта отсутствует", "contact"),
];

/// Recognises a media placeholder at the start of a message's first line; returns the
/// attachment and the text left after it.
fn split_media(first_line: &str) -> Option<(MediaRef, &str)> {
    let line = first_line.trim_start_matches(is_blank);
    if let Some(inner_and_rest) = line.strip_prefix('<') {
        let (inner, rest) = inner_and_rest.split_once('>')?;
        let rest = rest.trim_start_matches(is_blank);
        if let Some((label, file)) = inner.split_once(':') {
            let label = label.trim_matches(is_blank).to_lowercase();
            let file = file.trim_matches(is_blank);
            if ATTACHED_LABELS.contains(&label.as_str()) && !file.is_empty() {
                let media = MediaRef {
                    kind: media_kind_of_file(file).to_owned(),
                    file: Some(file.to_owned()),
                };
                return Some((media, rest));
            }
        }
        let lower = inner.to_lowercase();
        if OMITTED_MEDIA_WORDS.iter().any(|word| lower.contains(word)) {
            let media = MediaRef {
                kind: "omitted".to_owned(),
                file: None,
            };
            return Some((media, rest));
        }
        return None;
    }
    let trimmed = line.trim_end_matches(is_blank);
    if trimmed.ends_with(')') {
        for marker in FILE_ATTACHED {
            let Some(file) = strip_suffix_ignore_case(trimmed, marker) else {
                continue;
            };
            let file = file.trim_matches(is_blank);
            if !file.is_empty() {
                let media = MediaRef {
                    kind: media_kind_of_file(file).to_owned(),
                    file: Some(file.to_owned()),
                };
                return Some((media, ""));
            }
        }
        return None;
    }
    // Only short lines ending in the placeholder's last word are worth a closer look; this
    // keeps ordinary messages free of allocations here.
    let omitted_like = strip_suffix_ignore_case(trimmed, "omitted").is_some()
        || strip_suffix_ignore_case(trimmed, "отсутствует").is_some();
    if !omitted_like || trimmed.len() > 1024 {
        return None;
    }
    let words = collapse_blanks(&trimmed.to_lowercase());
    for (placeholder, kind) in OMITTED_KINDS {
        if words == placeholder {
            let media = MediaRef {
                kind: kind.to_owned(),
                file: None,
            };
            return Some((media, ""));
        }
        // A document keeps its name in front: `Договор.pdf • 3 страницы ‎документ отсутствует`.
        if kind == "document" && words.ends_with(placeholder) {
            let file = trimmed
                .split_once('•')
                .map(|(name, _)| name.trim_matches(is_blank))
                .filter(|name| !name.is_empty())
                .map(str::to_owned);
            let media = MediaRef {
                kind: kind.to_owned(),
                file,
            };
            return Some((media, ""));
        }
    }
    None
}

/// `text` without `suffix`, compared without regard to case.
fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = text.len().checked_sub(suffix.len())?;
    let tail = text.get(cut..)?;
    if same_ignoring_case(tail, suffix) {
        text.get(..cut)
    } else {
        None
    }
}

/// The text with every run of blanks (invisible marks included) made one space.
fn collapse_blanks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_blank).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The media kind an attachment's file name tells: WhatsApp names files by kind
/// (`IMG-`, `VID-`, `PTT-` on Android, `-PHOTO-`, `-AUDIO-` on iOS), else the extension.
fn media_kind_of_file(file: &str) -> &'static str {
    let upper = file.to_ascii_uppercase();
    let by_name = [
        ("IMG-", "-PHOTO-", "photo"),
        ("VID-", "-VIDEO-", "video_file"),
        ("PTT-", "-AUDIO-", "voice_message"),
        ("STK-", "-STICKER-", "sticker"),
        ("AUD-", "-AUDIO FILE-", "audio_file"),
        ("DOC-", "-DOCUMENT-", "document"),
    ];
    for (prefix, infix, kind) in by_name {
        if upper.starts_with(prefix) || upper.contains(infix) {
            return kind;
        }
    }
    if upper.contains("-GIF-") {
        return "animation";
    }
    let extension = upper.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match extension {
        "JPG" | "JPEG" | "PNG" | "HEIC" | "GIF" => "photo",
        "WEBP" => "sticker",
        "MP4" | "MOV" | "3GP" | "MKV" => "video_file",
        "OPUS" => "voice_message",
        "OGG" | "M4A" | "MP3" | "AAC" | "AMR" | "WAV" => "audio_file",
        "VCF" => "contact",
        _ => "document",
    }
}

// ---------------------------------------------------------------------------------------
// The chat's name

/// What phones in various locales put before the chat's name in the exported file name.
const FILE_NAME_PREFIXES: [&str; 10] = [
    "WhatsApp Chat with ",
    "WhatsApp Chat - ",
    "WhatsApp Chat – ",
    "Чат WhatsApp с ",
    "Чат WhatsApp - ",
    "WhatsApp Chat mit ",
    "WhatsApp-Chat mit ",
    "Chat de WhatsApp con ",
    "Conversa do WhatsApp com ",
    "Discussion WhatsApp avec ",
];

/// The chat's name from the export's file name (`WhatsApp Chat with X.txt` → `X`), `None`
/// when it names no chat. The service uses it to keep that name out of the stored file name.
pub fn chat_name_from_file(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = match base.rsplit_once('.') {
        Some((stem, extension))
            if !stem.is_empty()
                && (1..=4).contains(&extension.len())
                && extension.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => base,
    };
    // A browser's second download: `WhatsApp Chat with X (1).txt`.
    let stem = match stem.rsplit_once(" (") {
        Some((kept, counter))
            if counter
                .strip_suffix(')')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            kept
        }
        _ => stem,
    };
    let name = FILE_NAME_PREFIXES
        .iter()
        .find_map(|prefix| strip_prefix_ignore_case(stem, prefix))
        .unwrap_or(stem)
        .trim_matches(is_blank);
    // iOS names every export `_chat.txt`; taken as a name it would merge unrelated chats.
    if name.is_empty() || name == "_chat" {
        None
    } else {
        Some(name.to_owned())
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if same_ignoring_case(head, prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

// ---------------------------------------------------------------------------------------
// The second pass: messages

/// What the lines being read belong to.
enum Open {
    /// Nothing: the start of the file, or the line after a system notice.
    Nothing,
    /// Text that belongs to no message, from `position` on.
    Orphan {
        position: SourcePosition,
        lines: u64,
    },
    /// A message being gathered.
    Message(Draft),
    /// The further lines of a rejected or system record: dropped, already accounted for.
    Skipped,
}

/// A message whose further lines may still come.
struct Draft {
    position: SourcePosition,
    time: PrimitiveDateTime,
    author: Option<String>,
    text: String,
    media: Vec<MediaRef>,
    /// Bytes of the message in the file so far (header line and further lines).
    bytes: u64,
    /// Set once the message passed [`crate::ReadLimits::max_record_bytes`]; its text is dropped
    /// and the message is rejected when it closes.
    oversized: bool,
}

/// Reads the messages, with the date order decided by the first pass.
struct MessageReader<'a> {
    ranking: [DateOrder; 3],
    chat: &'a ChatRef,
    sink: &'a mut dyn DocumentSink,
    max_record_bytes: u64,
    next_index: u64,
    open: Open,
}

fn emit<R: BufRead>(
    mut lines: LineReader<R>,
    ranking: [DateOrder; 3],
    bom_len: u64,
    chat: &ChatRef,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let mut reader = MessageReader {
        ranking,
        chat,
        sink,
        max_record_bytes: options.limits.max_record_bytes,
        next_index: 0,
        open: Open::Nothing,
    };
    while let Some(line) = lines.next_line()? {
        let position = SourcePosition {
            index: reader.next_index,
            line: Some(line.number),
            byte_offset: Some(line.offset),
        };
        match line.text {
            Ok(text) => match parse_header(text) {
                Some(header) => reader.header(&header, position, text.len())?,
                None => reader.further_line(text, position),
            },
            Err(bad_at) => {
                let shift = if line.number == 1 { bom_len } else { 0 };
                reader.invalid_line(position, line.offset + shift + bad_at as u64)?;
            }
        }
    }
    reader.close()
}

impl MessageReader<'_> {
    fn take_index(&mut self) -> u64 {
        let index = self.next_index;
        self.next_index += 1;
        index
    }

    /// Ends whatever is open: a message goes to the sink, orphan text is rejected.
    fn close(&mut self) -> Result<(), ReadError> {
        match std::mem::replace(&mut self.open, Open::Nothing) {
            Open::Message(draft) if draft.oversized => {
                let reason = format!(
                    "the message is {} bytes or more, over the limit of {} bytes per record",
                    draft.bytes, self.max_record_bytes
                );
                self.sink.rejected(RecordError::new(draft.position, reason));
            }
            Open::Message(draft) => {
                let mut text = draft.text;
                let kept = text.trim_end_matches('\n').len();
                text.truncate(kept);
                let doc = RawDocument {
                    kind: DocumentKind::Message,
                    text,
                    time: Some(draft.time.assume_utc()),
                    chat: self.chat.clone(),
                    author: AuthorRef {
                        id: None,
                        name: draft.author,
                    },
                    media: draft.media,
                    position: draft.position,
                    ..RawDocument::default()
                };
                self.sink.document(doc)?;
            }
            Open::Orphan { position, lines } => {
                let reason = format!(
                    "{lines} line{} of text that belong to no message (before the first \
                     message header, or after a system line)",
                    if lines == 1 { "" } else { "s" }
                );
                self.sink.rejected(RecordError::new(position, reason));
            }
            Open::Nothing | Open::Skipped => {}
        }
        Ok(())
    }

    fn header(
        &mut self,
        header: &Header<'_>,
        mut position: SourcePosition,
        line_bytes: usize,
    ) -> Result<(), ReadError> {
        self.close()?;
        position.index = self.take_index();
        let order = order_for(header, self.ranking);
        let time = match header_time(header, order) {
            Ok(time) => time,
            Err(reason) => {
                self.sink.rejected(RecordError::new(position, reason));
                self.open = Open::Skipped;
                return Ok(());
            }
        };
        let Some((author, raw_text)) = split_author(header.body) else {
            if is_system_notice(header.body) {
                self.sink.service_record();
                self.open = Open::Nothing;
            } else {
                // Not stored as a message (its author cannot be told from its text) but
                // not dropped in silence either: a recruiter's post in a line WhatsApp
                // wrote oddly, or that was edited by hand, must show up as a rejection.
                // The lines after it belong to it and are skipped with it.
                self.sink
                    .rejected(RecordError::new(position, UNKNOWN_AUTHORLESS_LINE));
                self.open = Open::Skipped;
            }
            return Ok(());
        };
        let marked = header.bracketed && raw_text.trim_start_matches(' ').starts_with('\u{200e}');
        let text = raw_text.trim_start_matches(is_direction_mark);
        let (media, text) = match split_media(text) {
            Some((media, rest)) => (vec![media], rest),
            None if marked && !text.contains("://") => {
                // iOS writes system notices after the group's name, marked with U+200E;
                // a shared location is marked too but is worth keeping. Android marks no
                // text this way, so there such a text is an ordinary message.
                self.sink.service_record();
                self.open = Open::Nothing;
                return Ok(());
            }
            None => (Vec::new(), text),
        };
        self.open = Open::Message(Draft {
            position,
            time,
            author: (!author.is_empty()).then(|| author.to_owned()),
            text: text.to_owned(),
            media,
            bytes: line_bytes as u64,
            oversized: false,
        });
        if let Open::Message(draft) = &mut self.open
            && draft.bytes > self.max_record_bytes
        {
            draft.oversized = true;
            draft.text = String::new();
        }
        Ok(())
    }

    fn further_line(&mut self, text: &str, mut position: SourcePosition) {
        match &mut self.open {
            Open::Message(draft) => {
                draft.bytes += text.len() as u64 + 1;
                if draft.oversized || draft.bytes > self.max_record_bytes {
                    if !draft.oversized {
                        draft.oversized = true;
                        draft.text = String::new();
                    }
                    return;
                }
                // A caption follows its attachment's line: the placeholder is not a line of
                // the text.
                if !draft.text.is_empty() || draft.media.is_empty() {
                    draft.text.push('\n');
                }
                draft.text.push_str(text);
            }
            Open::Orphan { lines, .. } => *lines += 1,
            Open::Nothing if text.chars().all(is_blank) => {}
            Open::Nothing => {
                position.index = self.take_index();
                self.open = Open::Orphan { position, lines: 1 };
            }
            Open::Skipped => {}
        }
    }

    fn invalid_line(
        &mut self,
        mut position: SourcePosition,
        bad_byte: u64,
    ) -> Result<(), ReadError> {
        let line = position.line.unwrap_or_default();
        match std::mem::replace(&mut self.open, Open::Skipped) {
            Open::Message(draft) => {
                let reason = format!(
                    "invalid UTF-8 at byte {bad_byte} (line {line}); the message that starts \
                     on line {} is skipped with it",
                    draft.position.line.unwrap_or_default()
                );
                position.index = draft.position.index;
                position.byte_offset = Some(bad_byte);
                self.sink.rejected(RecordError::new(position, reason));
            }
            Open::Skipped => {}
            open @ (Open::Nothing | Open::Orphan { .. }) => {
                self.open = open;
                self.close()?;
                self.open = Open::Skipped;
                position.index = self.take_index();
                position.byte_offset = Some(bad_byte);
                let reason = format!("invalid UTF-8 at byte {bad_byte} (line {line})");
                self.sink.rejected(RecordError::new(position, reason));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CollectingSink;

    fn header(line: &str) -> Header<'_> {
        parse_header(line).unwrap_or_else(|| panic!("a header: {line:?}"))
    }

    #[test]
    fn headers_of_every_layout_are_recognised() {
        let h = header("\u{200e}[12.03.24, 14:05:33] Айбек: салам");
        assert_eq!((h.numbers, h.widths), ([12, 3, 24], [2, 2, 2]));
        assert_eq!((h.hour, h.minute, h.second), (14, 5, 33));
        assert_eq!(
            (h.date_text, h.time_text, h.body),
            ("12.03.24", "14:05:33", "Айбек: салам")
        );

        let h = header("3/12/24, 2:05\u{202f}PM - A: b");
        assert_eq!(
            (h.meridiem, h.time_text, h.body),
            (Some(Meridiem::Pm), "2:05\u{202f}PM", "A: b")
        );
        assert_eq!(
            header("12/3/2024, 2:05 p.\u{a0}m. - A: b").meridiem,
            Some(Meridiem::Pm)
        );
        assert_eq!(
            header("12/3/2024, 2:05 a.m. - A: b").meridiem,
            Some(Meridiem::Am)
        );
        assert_eq!(
            header("12/3/2024, 2:05\u{200f} ص - A: b").meridiem,
            Some(Meridiem::Am)
        );
        assert_eq!(header("2024-03-12 14:05 - A: b").widths, [4, 2, 2]);
        assert_eq!(header("[01/01/19 11:25] A: b").body, "A: b");
        assert_eq!(header("12/03/2024, 14:05 -").body, "");
        // `am` must be a word of its own.
        assert_eq!(header("12/03/2024, 14:05 - amigo: b").meridiem, None);
    }

    #[test]
    fn ordinary_lines_are_not_headers() {
        for line in [
            "",
            "Звоните: +7 900 000 00 00",
            "12/03/2024",
            "12/03/2024 - A: b",
            "12/03/2024, 14:05 A: b",
            "12/03/2024,14:05 - A: b",
            "12/03/202, 14:05 - A: b",
            "12/03-2024, 14:05 - A: b",
            "2024/03/2024, 14:05 - A: b",
            "12/03/2024, 14:5 - A: b",
            "[12/03/2024, 14:05 - A: b",
            "12/03/2024, 14:05 -A: b",
            "1.2.3, 4:05 - A: b",
        ] {
            let parsed = parse_header(line);
            // The comma alone is enough between date and time.
            if line == "12/03/2024,14:05 - A: b" {
                assert!(parsed.is_some());
                continue;
            }
            assert!(parsed.is_none(), "{line:?}");
        }
    }

    #[test]
    fn twelve_hour_times_convert_and_bad_ones_are_named() {
        let time = |line: &str| header_time(&header(line), DateOrder::DayMonthYear);
        let hm = |line: &str| time(line).map(|t| (t.hour(), t.minute()));
        assert_eq!(hm("1/3/2024, 12:00 AM - A: b"), Ok((0, 0)));
        assert_eq!(hm("1/3/2024, 12:00 PM - A: b"), Ok((12, 0)));
        assert_eq!(hm("1/3/2024, 00:08 a. m. - A: b"), Ok((0, 8)));
        assert_eq!(hm("1/3/2024, 11:59 PM - A: b"), Ok((23, 59)));
        assert_eq!(
            hm("1/3/2024, 13:00 PM - A: b"),
            Err("time 13:00 PM is not a valid time of day".to_owned())
        );
        assert_eq!(
            hm("31/31/2024, 10:00 - A: b"),
            Err(
                "date 31/31/2024 is not a valid day/month/year (the order this file uses)"
                    .to_owned()
            )
        );
        assert!(time("29/02/2023, 10:00 - A: b").is_err());
        assert!(time("29/02/2024, 10:00 - A: b").is_ok());
    }

    #[test]
    fn the_ranking_prefers_day_first_when_nothing_decides() {
        let mut evidence = OrderEvidence::default();
        evidence.observe(&header("03/04/24, 10:00 - A: b"));
        assert_eq!(evidence.ranking()[0], DateOrder::DayMonthYear);
        evidence.observe(&header("03/14/24, 10:00 - A: b"));
        assert_eq!(evidence.ranking()[0], DateOrder::MonthDayYear);
        // A four-digit first number is a year whatever the file prefers.
        let ymd = header("2024/03/04, 10:00 - A: b");
        assert_eq!(order_for(&ymd, evidence.ranking()), DateOrder::YearMonthDay);
    }

    #[test]
    fn authors_and_system_lines_are_told_apart() {
        assert_eq!(
            split_author("Айбек: салам: как дела"),
            Some(("Айбек", "салам: как дела"))
        );
        assert_eq!(
            split_author("\u{202a}+996 555 000 000\u{202c}: a"),
            Some(("+996 555 000 000", "a"))
        );
        assert_eq!(split_author("Айбек:"), Some(("Айбек", "")));
        assert_eq!(split_author("John Doe:."), None);
        assert_eq!(split_author("Айбек добавил(а) Нурлана"), None);
        assert_eq!(
            split_author("Айбек изменил(а) тему с «Работа» на «Работа: Москва»"),
            None
        );
        assert_eq!(
            split_author("Aibek changed the subject to \"Jobs: Moscow\""),
            None
        );
        // Company names in quotes are common contact names: they are authors.
        for (body, name) in [
            (
                "Агентство «Вахта»: Требуются охранники",
                "Агентство «Вахта»",
            ),
            ("ООО \"Труд\": Работа", "ООО \"Труд\""),
            ("„Вахта“: Работа", "„Вахта“"),
            ("“Вахта”: Работа", "“Вахта”"),
        ] {
            assert_eq!(split_author(body).map(|(n, _)| n), Some(name), "{body}");
        }
    }

    #[test]
    fn media_placeholders_of_both_platforms() {
        let kind =
            |line: &str| split_media(line).map(|(m, rest)| (m.kind, m.file, rest.to_owned()));
        assert_eq!(
            kind("<Media omitted>"),
            Some(("omitted".into(), None, String::new()))
        );
        assert_eq!(
            kind("<Медиа отсутствуют>"),
            Some(("omitted".into(), None, String::new()))
        );
        assert_eq!(
            kind("<Без медиафайлов>"),
            Some(("omitted".into(), None, String::new()))
        );
        assert_eq!(
            kind("<attached: 00000012-PHOTO-2024-03-12-14-05-33.jpg> смотрите"),
            Some((
                "photo".into(),
                Some("00000012-PHOTO-2024-03-12-14-05-33.jpg".into()),
                "смотрите".into()
            ))
        );
        assert_eq!(
            kind("PTT-20240312-WA0001.opus (file attached)"),
            Some((
                "voice_message".into(),
                Some("PTT-20240312-WA0001.opus".into()),
                String::new()
            ))
        );
        assert_eq!(
            kind("Video omitted").map(|k| k.0),
            Some("video_file".into())
        );
        assert_eq!(
            kind("\u{200e}sticker omitted").map(|k| k.0),
            Some("sticker".into())
        );
        assert_eq!(kind("<This message was edited>"), None);
        assert_eq!(kind("Ничего не omitted тут, просто текст omitted"), None);
        assert_eq!(kind("Работа (без опыта)"), None);
    }

    #[test]
    fn a_large_input_is_copied_to_a_temporary_file_and_read_the_same() {
        let mut export = String::new();
        for i in 0..200 {
            export.push_str(&format!(
                "{:02}/03/2024, 14:05 - Айбек: сообщение {i}\nвторая строка\n",
                i % 28 + 1
            ));
        }
        let mut in_memory = CollectingSink::default();
        read_with_memory_limit(
            export.as_bytes(),
            &ReadOptions::default(),
            &mut in_memory,
            usize::MAX,
        )
        .expect("reads in memory");
        let mut on_disk = CollectingSink::default();
        read_with_memory_limit(
            export.as_bytes(),
            &ReadOptions::default(),
            &mut on_disk,
            1000,
        )
        .expect("reads through a temporary file");
        assert_eq!(in_memory.documents.len(), 200);
        assert_eq!(in_memory.documents, on_disk.documents);
        let mut copy = InputCopy::new(1000);
        copy.append(&[b'x'; 600]).expect("in memory");
        assert!(matches!(&copy.kept, Kept::Memory(kept) if kept.capacity() <= 1000));
        copy.append(&[b'x'; 600]).expect("spills");
        assert!(matches!(copy.kept, Kept::File(_)));
    }

    #[test]
    fn chat_name_variants() {
        assert_eq!(
            chat_name_from_file("WhatsApp Chat with X.txt").as_deref(),
            Some("X")
        );
        assert_eq!(
            chat_name_from_file("whatsapp chat with X.txt").as_deref(),
            Some("X")
        );
        assert_eq!(
            chat_name_from_file("C:\\Users\\a\\WhatsApp Chat - Иш.txt").as_deref(),
            Some("Иш")
        );
        assert_eq!(
            chat_name_from_file("Чат WhatsApp с Иш (12).txt").as_deref(),
            Some("Иш")
        );
        assert_eq!(chat_name_from_file("notes").as_deref(), Some("notes"));
        assert_eq!(chat_name_from_file("_chat.txt"), None);
        assert_eq!(chat_name_from_file(".txt").as_deref(), Some(".txt"));
    }
}
