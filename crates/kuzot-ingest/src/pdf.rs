//! A PDF with a text layer as one document per page that has text (record n is page n).
//!
//! The text comes from `pdf-extract`, the title and creation time from the document
//! information dictionary. A PDF without a text layer (a scan) is refused with advice to
//! run OCR first, since a document with no text would be invisible to every later stage.
//!
//! `pdf-extract` and the `lopdf` parser under it were written for well-formed files and
//! panic (`unwrap`, `expect`, out-of-bounds indexing) on some malformed ones. Both are
//! therefore called inside [`std::panic::catch_unwind`], and a panic becomes a
//! [`ReadError`] for this file instead of ending the whole import. This needs the default
//! `panic = "unwind"`; the panic message still goes to the panic hook (stderr), which is
//! global state that a reader should not replace. Whatever the panicking call built is
//! dropped without being looked at again, so no broken invariant can leak out.
//!
//! A panic can be caught, a stack overflow cannot: `pdf-extract` follows a form XObject
//! (`/Name Do`) and a page's `/Parent` chain by recursion with no guard against loops, so
//! a crafted file whose form draws itself would abort the process. Both structures are
//! checked for loops and depth before extraction ([`MAX_NESTING`]), iteratively.

use std::collections::HashSet;
use std::io::BufRead;
use std::panic::{AssertUnwindSafe, catch_unwind};

use kuzot_model::{DocumentKind, RawDocument, SourceFormat, SourcePosition};
use pdf_extract::content::Content;
use pdf_extract::xref::XrefEntry;
use pdf_extract::{Dictionary, Document, Object, ObjectId, PlainTextOutput};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::{DocumentSink, ReadError, ReadLimits};

/// How deep form XObjects may nest inside one another, and how long a page's `/Parent`
/// chain may be, before the file is refused. Real documents use a few levels.
pub const MAX_NESTING: usize = 32;

/// Reads one PDF with the default limits.
///
/// # Errors
/// As [`read_with_limits`].
pub fn read(input: impl BufRead, sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    read_with_limits(input, &ReadLimits::default(), sink)
}

/// Reads one PDF. The parser holds the whole file and its objects in memory, and the
/// file is one document, so the file limit ([`ReadLimits::max_whole_file_bytes`]) is its
/// record limit.
///
/// # Errors
/// [`ReadError::TooLarge`] when the file is over the limit;
/// [`ReadError::NotThisFormat`] when the bytes are not a PDF, when the PDF has no text
/// layer, is encrypted with a password, or cannot be read by the text extractor;
/// [`ReadError::Truncated`] when the file is cut short (no `%%EOF` at its end) or its
/// drawing structure loops; [`ReadError::Io`] when reading fails; [`ReadError::Sink`] when
/// the sink refuses the document.
pub fn read_with_limits(
    input: impl BufRead,
    limits: &ReadLimits,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let bytes = crate::read_whole(input, SourceFormat::Pdf, limits)?;
    // The header may follow some junk, but must be within the first kilobyte.
    let head = bytes.get(..1024).unwrap_or(&bytes);
    if memchr::memmem::find(head, b"%PDF-").is_none() {
        return Err(not_pdf(format!(
            "no %PDF- header; the file starts {:?}",
            start_of(&bytes)
        )));
    }

    let mut doc = match catch_unwind(|| Document::load_mem(&bytes)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(broken(&bytes, &format!("the PDF parser failed: {e}"))),
        Err(panic) => {
            return Err(broken(
                &bytes,
                &format!("the PDF parser failed: {}", panic_message(&*panic)),
            ));
        }
    };
    if doc.is_encrypted() {
        // Many PDFs are "encrypted" with an empty user password only to restrict printing.
        let decrypted = catch_unwind(AssertUnwindSafe(|| doc.decrypt("")));
        if !matches!(decrypted, Ok(Ok(()))) {
            return Err(not_pdf(
                "an encrypted PDF that needs a password; decrypt it first".into(),
            ));
        }
    }
    blank_images(&mut doc);
    check_structure(&doc)?;

    let info = info_dictionary(&doc);
    let title = info
        .and_then(|i| string_entry(&doc, i, b"Title"))
        .map(|t| decode_text_string(&t))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    let time = info
        .and_then(|i| string_entry(&doc, i, b"CreationDate"))
        .and_then(|d| parse_pdf_date(&decode_text_string(&d)));

    // One document per page with text, so that a citation, a search hit or a fact names
    // the page a reader turns to ("page 7"), not a whole report.
    let page_numbers: Vec<u32> = doc.get_pages().into_keys().collect();
    let mut pages_with_text = 0usize;
    for page_number in page_numbers {
        let text = page_text(&doc, &bytes, page_number)?;
        if text.is_empty() {
            continue;
        }
        pages_with_text += 1;
        sink.document(RawDocument {
            kind: DocumentKind::File,
            text,
            time,
            title: title.clone(),
            // The record of a PDF is its page: record n is page n.
            position: SourcePosition::record(u64::from(page_number.saturating_sub(1))),
            ..RawDocument::default()
        })?;
    }
    if pages_with_text == 0 {
        return Err(not_pdf(
            "PDF has no text layer (scanned image?); run OCR first".into(),
        ));
    }
    Ok(())
}

/// The text of page `page_number` (from 1), tidied; empty for a page without text.
fn page_text(doc: &Document, bytes: &[u8], page_number: u32) -> Result<String, ReadError> {
    let extracted = catch_unwind(AssertUnwindSafe(|| {
        let mut text = String::new();
        let mut output = PlainTextOutput::new(&mut text);
        pdf_extract::output_doc_page(doc, &mut output, page_number).map(|()| text)
    }));
    match extracted {
        Ok(Ok(text)) => Ok(tidy(&text)),
        Ok(Err(e)) => Err(broken(
            bytes,
            &format!("text extraction failed on page {page_number}: {e}"),
        )),
        Err(panic) => Err(broken(
            bytes,
            &format!(
                "text extraction failed on page {page_number}: {}",
                panic_message(&*panic)
            ),
        )),
    }
}

fn not_pdf(found: String) -> ReadError {
    ReadError::NotThisFormat {
        expected: SourceFormat::Pdf,
        found,
    }
}

/// A PDF that cannot be read: truncated when its end marker is missing (the usual sign of
/// an interrupted download or copy), otherwise broken in a way the reader cannot name.
fn broken(bytes: &[u8], reason: &str) -> ReadError {
    let tail = bytes
        .get(bytes.len().saturating_sub(1024)..)
        .unwrap_or(bytes);
    if memchr::memmem::find(tail, b"%%EOF").is_none() {
        ReadError::Truncated {
            format: SourceFormat::Pdf,
            offset: bytes.len() as u64,
            reason: format!("the file ends without %%EOF, it was cut short ({reason})"),
        }
    } else {
        not_pdf(format!("a damaged PDF: {reason}"))
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_owned());
    format!("its structure is malformed ({message})")
}

/// Empties every image XObject. `pdf-extract` runs the bytes of whatever a page draws
/// with `Do` through the content-stream parser, images included, and panics when the
/// pixels do not parse as drawing instructions; a scan would then look damaged instead of
/// having no text. Images carry no text layer, so nothing is lost.
fn blank_images(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        if let Object::Stream(stream) = object {
            let is_image = stream
                .dict
                .get(b"Subtype")
                .and_then(Object::as_name)
                .is_ok_and(|s| s == b"Image");
            if is_image {
                stream.set_plain_content(Vec::new());
            }
        }
    }
}

/// Refuses a file whose page tree or form XObjects loop or nest too deep, which would
/// make the extractor recurse until the stack overflows.
fn check_structure(doc: &Document) -> Result<(), ReadError> {
    let mut done: HashSet<(ObjectId, usize)> = HashSet::new();
    for page_id in doc.get_pages().into_values() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let resources = inherited_resources(doc, page).map_err(|id| loops(doc, id, "page tree"))?;
        let Some(resources) = resources else { continue };
        let Ok(content) = doc.get_page_content(page_id) else {
            continue;
        };
        check_forms(doc, page_id, &content, resources, &mut done)
            .map_err(|id| loops(doc, id, "form XObject"))?;
    }
    Ok(())
}

fn loops(doc: &Document, id: ObjectId, what: &str) -> ReadError {
    let offset = match doc.reference_table.get(id.0) {
        Some(XrefEntry::Normal { offset, .. }) => u64::from(*offset),
        _ => 0,
    };
    ReadError::Truncated {
        format: SourceFormat::Pdf,
        offset,
        reason: format!(
            "{what} {} {} R loops back on itself or nests deeper than {MAX_NESTING} levels",
            id.0, id.1
        ),
    }
}

/// The `/Resources` a page has or inherits through `/Parent`, as the extractor finds them;
/// `Err` with the offending node when the chain loops or is too long.
fn inherited_resources<'a>(
    doc: &'a Document,
    page: &'a Dictionary,
) -> Result<Option<&'a Dictionary>, ObjectId> {
    let mut node = page;
    let mut seen: Vec<ObjectId> = Vec::new();
    loop {
        if let Ok(resources) = node.get(b"Resources") {
            return Ok(deref(doc, resources).as_dict().ok());
        }
        let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else {
            return Ok(None);
        };
        if seen.contains(&parent) || seen.len() >= MAX_NESTING {
            return Err(parent);
        }
        seen.push(parent);
        let Ok(next) = doc.get_dictionary(parent) else {
            return Ok(None);
        };
        node = next;
    }
}

/// Walks the `Do` calls from one page the way the extractor will, without recursion.
/// `done` remembers (XObject, resources) pairs already walked, so that a form used many
/// times is walked once.
fn check_forms<'a>(
    doc: &'a Document,
    page_id: ObjectId,
    content: &[u8],
    resources: &'a Dictionary,
    done: &mut HashSet<(ObjectId, usize)>,
) -> Result<(), ObjectId> {
    struct Frame<'a> {
        id: ObjectId,
        resources: &'a Dictionary,
        calls: Vec<Vec<u8>>,
    }
    let mut stack = vec![Frame {
        id: page_id,
        resources,
        calls: do_calls(content),
    }];
    while let Some(top) = stack.last_mut() {
        let Some(name) = top.calls.pop() else {
            if let Some(frame) = stack.pop() {
                done.insert((frame.id, resources_key(frame.resources)));
            }
            continue;
        };
        let parent_resources = top.resources;
        let Some((id, stream)) = xobject(doc, parent_resources, &name) else {
            continue;
        };
        let own = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| deref(doc, r).as_dict().ok());
        let resources = own.unwrap_or(parent_resources);
        if done.contains(&(id, resources_key(resources))) {
            continue;
        }
        if stack.iter().any(|f| f.id == id) || stack.len() >= MAX_NESTING {
            return Err(id);
        }
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        stack.push(Frame {
            id,
            resources,
            calls: do_calls(&content),
        });
    }
    Ok(())
}

/// Identity of a resources dictionary for the walked-already set: its address, which is
/// stable while the document is borrowed.
fn resources_key(resources: &Dictionary) -> usize {
    std::ptr::from_ref(resources) as usize
}

/// The names a content stream draws with `Do`, in reverse order (they are popped).
fn do_calls(content: &[u8]) -> Vec<Vec<u8>> {
    let Ok(content) = Content::decode(content) else {
        return Vec::new();
    };
    let mut calls: Vec<Vec<u8>> = content
        .operations
        .iter()
        .filter(|op| op.operator == "Do")
        .filter_map(|op| op.operands.first()?.as_name().ok().map(<[u8]>::to_vec))
        .collect();
    calls.reverse();
    calls
}

/// The XObject stream `name` refers to in `resources`.
fn xobject<'a>(
    doc: &'a Document,
    resources: &'a Dictionary,
    name: &[u8],
) -> Option<(ObjectId, &'a pdf_extract::Stream)> {
    let xobjects = deref(doc, resources.get(b"XObject").ok()?).as_dict().ok()?;
    let id = xobjects.get(name).ok()?.as_reference().ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    Some((id, stream))
}

/// One level of indirection resolved, as the extractor does it.
fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        _ => object,
    }
}

/// The trailer's `/Info` dictionary.
fn info_dictionary(doc: &Document) -> Option<&Dictionary> {
    let info = doc.trailer.get(b"Info").ok()?;
    deref(doc, info).as_dict().ok()
}

fn string_entry(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<Vec<u8>> {
    match deref(doc, dict.get(key).ok()?) {
        Object::String(bytes, _) => Some(bytes.clone()),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE or UTF-8 with a byte-order mark, else PDFDocEncoding.
fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| match pair {
                [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                _ => 0xFFFD,
            })
            .collect();
        return char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| pdf_doc_char(b)).collect()
}

/// PDFDocEncoding: Latin-1 except for the typographic characters in 0x80–0xA0.
fn pdf_doc_char(byte: u8) -> char {
    const HIGH: [char; 33] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚',
        '™', 'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}', '€',
    ];
    match byte {
        0x80..=0xA0 => HIGH
            .get(usize::from(byte - 0x80))
            .copied()
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

/// A PDF date, `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year optional; no zone
/// means UTC.
fn parse_pdf_date(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    let value = value.strip_prefix("D:").unwrap_or(value);
    let digits_end = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (stamp, zone) = (value.get(..digits_end)?, value.get(digits_end..)?);
    let part = |from: usize, len: usize, default: u32| -> Option<u32> {
        match stamp.get(from..from + len) {
            Some(s) => s.parse().ok(),
            None if stamp.len() <= from => Some(default),
            None => None,
        }
    };
    if stamp.len() < 4 || stamp.len() > 14 || stamp.len() % 2 != 0 {
        return None;
    }
    let year = i32::try_from(part(0, 4, 0)?).ok()?;
    let month = Month::try_from(u8::try_from(part(4, 2, 1)?).ok()?).ok()?;
    let day = u8::try_from(part(6, 2, 1)?).ok()?;
    let hour = u8::try_from(part(8, 2, 0)?).ok()?;
    let minute = u8::try_from(part(10, 2, 0)?).ok()?;
    let second = u8::try_from(part(12, 2, 0)?).ok()?;
    let offset = match zone.chars().next() {
        None | Some('Z') => UtcOffset::UTC,
        Some(sign @ ('+' | '-')) => {
            let rest: String = zone
                .get(1..)?
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let hours: i8 = rest.get(..2)?.parse().ok()?;
            let minutes: i8 = match rest.get(2..4) {
                Some(m) => m.parse().ok()?,
                None => 0,
            };
            let sign = if sign == '-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        Some(_) => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
}

/// The extractor's output without trailing spaces and with at most one empty line
/// between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        blank_lines = 0;
        out.push_str(line);
    }
    out
}

/// The first 60 characters of a non-PDF file, for the error message.
fn start_of(bytes: &[u8]) -> String {
    let head = bytes.get(..240).unwrap_or(bytes);
    let text = String::from_utf8_lossy(head);
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    words.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_in_every_precision() {
        let t = parse_pdf_date("D:20240312140533+03'00'").expect("full");
        assert_eq!((t.hour(), t.minute(), t.second()), (11, 5, 33));
        let t = parse_pdf_date("D:20240312140533Z").expect("utc");
        assert_eq!(t.hour(), 14);
        let t = parse_pdf_date("D:2024").expect("year only");
        assert_eq!((t.month(), t.day()), (Month::January, 1));
        let t = parse_pdf_date("20240312140533-05'30").expect("no prefix, no closing quote");
        assert_eq!((t.hour(), t.minute()), (19, 35));
        for bad in [
            "",
            "D:",
            "D:20241340",
            "D:2024031",
            "D:20240312140533X",
            "D:2024+99'00'",
        ] {
            assert!(parse_pdf_date(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn text_strings_in_both_encodings() {
        assert_eq!(
            decode_text_string(&[0xFE, 0xFF, 0x04, 0x1E, 0x04, 0x42, 0x04, 0x47]),
            "Отч"
        );
        assert_eq!(decode_text_string(b"Report \x84 2024"), "Report — 2024");
        assert_eq!(decode_text_string(&[0xFE, 0xFF, 0xD8]), "");
    }

    #[test]
    fn tidy_keeps_paragraphs() {
        assert_eq!(
            tidy("\n\nOne  \ntwo\n\n\n\nthree \n\n"),
            "One\ntwo\n\nthree"
        );
    }
}
