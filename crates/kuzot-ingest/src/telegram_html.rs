//! Telegram Desktop HTML export (`messages.html`, `messages2.html`, …).
//!
//! Telegram Desktop splits the HTML export of a chat into pages of about a thousand
//! messages each, so one page is read whole into memory (pages over
//! [`crate::ReadLimits::max_whole_file_bytes`] are refused) and parsed with an HTML5
//! parser, which copes with whatever the page holds.
//!
//! What is taken from each `<div class="message default">`:
//! - the time from the `title` of its date element, converted to UTC with the offset the
//!   title carries (`12.03.2024 14:05:33 UTC+03:00`). Older exports write no offset
//!   (`12.03.2024 14:05:33`): such a time is taken as UTC, which can be off by the
//!   exporting computer's time zone; researchers comparing times across sources should
//!   know which kind of export they hold;
//! - the author from `from_name`; a `joined` message (a run of messages by one author)
//!   has none and inherits the author of the message before it on the same page;
//! - the text, with `<br>` as a newline and links reduced to their text;
//! - the reply target, the forward source and the media the export refers to.
//!
//! Service messages (date separators, "joined the group") are counted, not stored. A
//! message whose date cannot be read is rejected with its position and the read goes on.

use std::collections::HashMap;
use std::io::BufRead;

use ego_tree::iter::Edge;
use kuzot_model::{
    AuthorRef, ChatRef, DocumentKind, MediaRef, RawDocument, SourceFormat, SourcePosition,
};
use scraper::{CaseSensitivity, ElementRef, Html, Node};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::{DocumentSink, ReadError, ReadOptions, RecordError};

/// Reads one HTML page of a Telegram Desktop export.
///
/// Each ordinary message becomes one [`RawDocument`] of kind
/// [`DocumentKind::Message`]; its position carries the ordinal of the message on the page
/// (service messages included) and the byte offset of its `<div`. A message whose element
/// spans more than [`crate::ReadLimits::max_record_bytes`] of the file (up to the next
/// message) is rejected with its position, as the streamed readers reject a long record.
///
/// # Errors
/// [`ReadError::TooLarge`] when the page is larger than
/// [`crate::ReadLimits::max_whole_file_bytes`] (it is read whole into memory);
/// [`ReadError::NotThisFormat`] when the page has no message history; [`ReadError::Io`] when reading fails; [`ReadError::Sink`] when the
/// sink stops the read.
pub fn read(
    input: impl BufRead,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let bytes = crate::read_whole(input, SourceFormat::TelegramHtml, &options.limits)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let bom_len = (bytes.len() - body.len()) as u64;
    if crate::html_nesting::nests_deeper_than(body, crate::html_nesting::MAX_HTML_NESTING) {
        return Err(ReadError::NotThisFormat {
            expected: SourceFormat::TelegramHtml,
            found: format!(
                "HTML nested deeper than {} elements (no export nests that deep)",
                crate::html_nesting::MAX_HTML_NESTING
            ),
        });
    }
    let text = String::from_utf8_lossy(body);
    let html = Html::parse_document(&text);

    let Some(history) = find_element(html.root_element(), |e| has_class(e, "history")) else {
        return Err(not_telegram(&html, &text));
    };
    let name = chat_name(&html);
    let kind = name
        .as_deref()
        .filter(|name| is_personal_chat(history, name))
        .map(|_| "personal_chat".to_owned());
    let chat = ChatRef {
        name,
        kind,
        ..ChatRef::default()
    };
    let offsets = message_offsets(body, bom_len);
    let mut starts: Vec<u64> = offsets.values().copied().collect();
    starts.sort_unstable();
    let end_of_page = bom_len + body.len() as u64;
    // The bytes from a message's `<div` to the next message's (or the page's end).
    let span_of = |start: u64| {
        let next = starts.partition_point(|&s| s <= start);
        starts.get(next).copied().unwrap_or(end_of_page) - start
    };

    let mut index: u64 = 0;
    let mut last_author: Option<String> = None;
    for message in history.child_elements() {
        if !has_class(message, "message") {
            continue;
        }
        let id = message.value().id();
        let position = SourcePosition {
            index,
            line: None,
            byte_offset: id.and_then(|id| offsets.get(id).copied()),
        };
        index += 1;
        if has_class(message, "service") {
            sink.service_record();
            continue;
        }
        if let Some(span) = position.byte_offset.map(span_of)
            && span > options.limits.max_record_bytes
        {
            sink.rejected(RecordError::new(
                position,
                format!(
                    "the message takes {span} bytes of the page, over the limit of {} bytes per record",
                    options.limits.max_record_bytes
                ),
            ));
            continue;
        }
        match read_message(message, &chat, &mut last_author, position) {
            Ok(doc) => sink.document(doc)?,
            Err(reason) => sink.rejected(RecordError::new(position, reason)),
        }
    }
    Ok(())
}

/// One ordinary message, or why it cannot be read.
fn read_message(
    message: ElementRef<'_>,
    chat: &ChatRef,
    last_author: &mut Option<String>,
    position: SourcePosition,
) -> Result<RawDocument, String> {
    let body = message
        .child_elements()
        .find(|e| has_class(*e, "body"))
        .ok_or("message has no body")?;

    // A joined message has no name of its own; when the name is there, it starts a new run
    // even if the date below turns out to be broken.
    let own_author = body
        .child_elements()
        .find(|e| has_class(*e, "from_name"))
        .map(name_text)
        .filter(|name| !name.is_empty());
    if own_author.is_some() {
        last_author.clone_from(&own_author);
    }

    let date = body
        .child_elements()
        .find(|e| has_class(*e, "date") && has_class(*e, "details"))
        .ok_or("message has no date")?;
    let title = date
        .attr("title")
        .ok_or("message date has no title with the full time")?;
    let time = parse_export_time(title)
        .map_err(|why| format!("message date {:?} cannot be read: {why}", shorten(title)))?;

    let forwarded = body
        .child_elements()
        .find(|e| has_class(*e, "forwarded") && has_class(*e, "body"));
    let forwarded_from = forwarded
        .and_then(|f| f.child_elements().find(|e| has_class(*e, "from_name")))
        .map(name_text)
        .filter(|name| !name.is_empty())
        .map(|name| AuthorRef {
            id: None,
            name: Some(name),
        });

    // A forwarded message keeps its text inside the forwarded block.
    let text_div = body
        .child_elements()
        .find(|e| has_class(*e, "text"))
        .or_else(|| forwarded.and_then(|f| f.child_elements().find(|e| has_class(*e, "text"))));
    let text = text_div.map(message_text).unwrap_or_default();

    let mut media = Vec::new();
    for holder in std::iter::once(body).chain(forwarded) {
        for wrap in holder
            .child_elements()
            .filter(|e| has_class(*e, "media_wrap"))
        {
            media.extend(media_refs(wrap));
        }
    }

    let reply_to = body
        .child_elements()
        .find(|e| has_class(*e, "reply_to"))
        .and_then(reply_target);

    let author = if own_author.is_some() {
        own_author
    } else {
        last_author.clone()
    };

    Ok(RawDocument {
        kind: DocumentKind::Message,
        text,
        time: Some(time),
        chat: chat.clone(),
        author: AuthorRef {
            id: None,
            name: author,
        },
        message_id: message
            .value()
            .id()
            .and_then(|id| id.strip_prefix("message"))
            .map(str::to_owned),
        reply_to,
        forwarded_from,
        media,
        position,
        ..RawDocument::default()
    })
}

/// Parses the `title` of a date element: `DD.MM.YYYY HH:MM:SS` with an optional
/// `UTC±HH:MM`, without an offset taken as UTC.
fn parse_export_time(title: &str) -> Result<OffsetDateTime, String> {
    let mut parts = title.split_whitespace();
    let date = parts.next().ok_or("empty")?;
    let clock = parts.next().ok_or("no time of day")?;
    let offset = match parts.next() {
        Some(zone) => parse_utc_offset(zone)?,
        None => UtcOffset::UTC,
    };
    if parts.next().is_some() {
        return Err("unexpected text after the time".into());
    }

    let mut d = date.split('.');
    let (day, month, year) = (number(d.next())?, number(d.next())?, number(d.next())?);
    if d.next().is_some() {
        return Err("date is not DD.MM.YYYY".into());
    }
    let mut c = clock.split(':');
    let (hour, minute) = (number(c.next())?, number(c.next())?);
    let second = match c.next() {
        Some(s) => number(Some(s))?,
        None => 0,
    };
    if c.next().is_some() {
        return Err("time is not HH:MM:SS".into());
    }

    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or("no such month")?;
    let year = i32::try_from(year).map_err(|_| "year out of range")?;
    let day = u8::try_from(day).map_err(|_| "no such day")?;
    let date = Date::from_calendar_date(year, month, day).map_err(|e| e.to_string())?;
    let clock = Time::from_hms(
        u8::try_from(hour).map_err(|_| "no such hour")?,
        u8::try_from(minute).map_err(|_| "no such minute")?,
        u8::try_from(second).map_err(|_| "no such second")?,
    )
    .map_err(|e| e.to_string())?;
    let local = PrimitiveDateTime::new(date, clock).assume_offset(offset);
    local
        .checked_to_offset(UtcOffset::UTC)
        .ok_or_else(|| "time out of range".into())
}

/// `UTC+03:00`, `UTC-05:30`, `UTC+3`, or a bare `UTC`.
fn parse_utc_offset(zone: &str) -> Result<UtcOffset, String> {
    let rest = zone
        .strip_prefix("UTC")
        .or_else(|| zone.strip_prefix("GMT"))
        .ok_or("time zone is not UTC±HH:MM")?;
    if rest.is_empty() {
        return Ok(UtcOffset::UTC);
    }
    let (sign, rest) = if let Some(r) = rest.strip_prefix('+') {
        (1, r)
    } else if let Some(r) = rest.strip_prefix('-') {
        (-1, r)
    } else {
        return Err("time zone is not UTC±HH:MM".into());
    };
    let mut p = rest.split(':');
    let hours = number(p.next())?;
    let minutes = match p.next() {
        Some(m) => number(Some(m))?,
        None => 0,
    };
    if p.next().is_some() || hours > 14 || minutes > 59 {
        return Err("time zone offset out of range".into());
    }
    let (hours, minutes) = (hours as i8, minutes as i8);
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).map_err(|e| e.to_string())
}

/// A run of ASCII digits (at most 9, so it fits any use here).
fn number(part: Option<&str>) -> Result<u32, String> {
    let part = part.ok_or("missing number")?;
    if part.is_empty() || part.len() > 9 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{:?} is not a number", shorten(part)));
    }
    part.parse::<u32>().map_err(|e| e.to_string())
}

/// The text of a message: `<br>` is a newline, every element is reduced to its text, and
/// the line breaks and indentation of the HTML source are dropped.
fn message_text(div: ElementRef<'_>) -> String {
    let mut raw = String::new();
    for edge in div.traverse() {
        let Edge::Open(node) = edge else { continue };
        match node.value() {
            Node::Text(text) => {
                raw.extend(
                    text.chars()
                        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
                );
            }
            Node::Element(e) if e.name() == "br" => raw.push('\n'),
            _ => {}
        }
    }
    let lines: Vec<&str> = raw
        .split('\n')
        .map(|l| l.trim_matches([' ', '\t']))
        .collect();
    lines.join("\n").trim().to_owned()
}

/// The text of a `from_name`, without the date a forwarded header appends and without
/// the "via @bot" note newer exports add.
fn name_text(div: ElementRef<'_>) -> String {
    let mut name = String::new();
    for child in div.children() {
        match child.value() {
            Node::Text(text) => name.push_str(text),
            Node::Element(e)
                if !e.has_class("details", CaseSensitivity::CaseSensitive)
                    && !e.has_class("date", CaseSensitivity::CaseSensitive) =>
            {
                if let Some(el) = ElementRef::wrap(child) {
                    name.extend(el.text());
                }
            }
            _ => {}
        }
    }
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message a `reply_to` block points at, from `go_to_messageNNN` in its link.
fn reply_target(reply: ElementRef<'_>) -> Option<String> {
    reply.descendent_elements().find_map(|a| {
        let href = a.attr("href")?;
        let at = href.find("go_to_message")?;
        let digits: String = href
            .get(at + "go_to_message".len()..)?
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (!digits.is_empty()).then_some(digits)
    })
}

/// The media a `media_wrap` refers to. The kind comes from the CSS class Telegram gives
/// each kind of attachment; a file that was not downloaded has no link, only the class.
fn media_refs(wrap: ElementRef<'_>) -> Vec<MediaRef> {
    const KINDS: [(&str, &str); 10] = [
        ("photo_wrap", "photo"),
        ("media_photo", "photo"),
        ("video_file_wrap", "video_file"),
        ("media_video", "video_file"),
        ("animated_wrap", "animation"),
        ("media_voice_message", "voice_message"),
        ("media_audio_file", "audio_file"),
        ("sticker_wrap", "sticker"),
        ("media_file", "document"),
        ("media_round_video", "video_message"),
    ];
    let mut found = Vec::new();
    for el in wrap.descendent_elements() {
        let Some((_, kind)) = KINDS.iter().find(|(class, _)| has_class(el, class)) else {
            continue;
        };
        let file = el
            .attr("href")
            .map(str::trim)
            .filter(|href| !href.is_empty())
            .map(str::to_owned);
        found.push(MediaRef {
            kind: (*kind).to_owned(),
            file,
        });
    }
    found
}

/// Whether a page is a personal chat. The HTML export does not say a chat's kind, but a
/// personal chat is named after the other person, who signs their messages with that
/// name, and has exactly two people writing. A channel signs with its own name alone and
/// a group has other names, so neither looks like this.
fn is_personal_chat(history: ElementRef<'_>, chat_name: &str) -> bool {
    let mut names: Vec<String> = Vec::new();
    for message in history.child_elements() {
        if !has_class(message, "message") || has_class(message, "service") {
            continue;
        }
        let own_name = message
            .child_elements()
            .find(|e| has_class(*e, "body"))
            .and_then(|body| body.child_elements().find(|e| has_class(*e, "from_name")))
            .map(name_text)
            .filter(|name| !name.is_empty());
        if let Some(name) = own_name
            && !names.contains(&name)
        {
            names.push(name);
            if names.len() > 2 {
                return false;
            }
        }
    }
    names.len() == 2 && names.iter().any(|name| name == chat_name)
}

/// The chat name from `page_header > content > text`.
fn chat_name(html: &Html) -> Option<String> {
    let header = find_element(html.root_element(), |e| has_class(e, "page_header"))?;
    let content = header.child_elements().find(|e| has_class(*e, "content"))?;
    let text = content.child_elements().find(|e| has_class(*e, "text"))?;
    let name = text.text().collect::<String>();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    (!name.is_empty()).then_some(name)
}

/// Byte offsets of each `<div … id="messageNNN">`, by id, found by scanning the raw
/// bytes: the HTML parser keeps no source positions.
fn message_offsets(bytes: &[u8], base: u64) -> HashMap<String, u64> {
    const ID_ATTR: &[u8] = b"id=\"message";
    let mut offsets = HashMap::new();
    for at in memchr::memmem::find_iter(bytes, ID_ATTR) {
        let value_start = at + 4;
        let Some(rest) = bytes.get(value_start..) else {
            continue;
        };
        let Some(len) = rest.iter().take(64).position(|&b| b == b'"') else {
            continue;
        };
        let Some(id) = rest.get(..len).and_then(|v| std::str::from_utf8(v).ok()) else {
            continue;
        };
        let window_start = at.saturating_sub(512);
        let Some(window) = bytes.get(window_start..at) else {
            continue;
        };
        let Some(div) = memchr::memmem::rfind(window, b"<div") else {
            continue;
        };
        offsets
            .entry(id.to_owned())
            .or_insert(base + (window_start + div) as u64);
    }
    offsets
}

/// The error for a page without a message history, saying what it looked like.
fn not_telegram(html: &Html, text: &str) -> ReadError {
    let title = find_element(html.root_element(), |e| e.value().name() == "title")
        .map(|t| t.text().collect::<String>())
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    let found = match title {
        Some(title) => format!(
            "an HTML page titled {:?} with no message history",
            shorten(&title)
        ),
        None => {
            let start: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            format!(
                "no Telegram message history; the file starts {:?}",
                shorten(&start)
            )
        }
    };
    ReadError::NotThisFormat {
        expected: SourceFormat::TelegramHtml,
        found,
    }
}

/// The first element under `root` (itself included), in document order, that matches.
fn find_element<'a>(
    root: ElementRef<'a>,
    matches: impl Fn(ElementRef<'a>) -> bool,
) -> Option<ElementRef<'a>> {
    root.descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| matches(*e))
}

fn has_class(element: ElementRef<'_>, class: &str) -> bool {
    element
        .value()
        .has_class(class, CaseSensitivity::CaseSensitive)
}

/// At most 60 characters, cut at a character boundary.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_times_convert_to_utc() {
        let t = parse_export_time("12.03.2024 14:05:33 UTC+03:00").expect("valid");
        assert_eq!((t.hour(), t.minute(), t.second()), (11, 5, 33));
        let t = parse_export_time("01.01.2024 00:30:00 UTC+05:00").expect("valid");
        assert_eq!((t.year(), t.day(), t.hour()), (2023, 31, 19));
        let t = parse_export_time("12.03.2024 14:05:33 UTC-05:30").expect("valid");
        assert_eq!((t.hour(), t.minute()), (19, 35));
        let t = parse_export_time("12.03.2024 14:05:33").expect("no offset is UTC");
        assert_eq!(t.offset(), UtcOffset::UTC);
        assert_eq!(t.hour(), 14);
    }

    #[test]
    fn broken_export_times_are_errors() {
        for bad in [
            "",
            "12.03.2024",
            "31.02.2024 10:00:00",
            "12/03/2024 10:00:00",
            "12.03.2024 25:00:00",
            "12.03.2024 10:00:00 MSK",
            "12.03.2024 10:00:00 UTC+99:00",
            "12.13.2024 10:00:00",
            "٣.03.2024 10:00:00",
        ] {
            assert!(parse_export_time(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn offsets_point_at_the_div() {
        let page = b"<p>x</p>\n<div class=\"message default\" id=\"message7\">";
        let offsets = message_offsets(page, 0);
        assert_eq!(offsets.get("message7"), Some(&9));
    }
}
