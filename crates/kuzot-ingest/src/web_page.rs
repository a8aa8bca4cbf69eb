//! A saved web page (news article, vacancy) as one document.
//!
//! The page becomes one [`RawDocument`] of kind [`DocumentKind::WebPage`] whose text is the
//! readable content without the site's furniture:
//! - the content is taken from `[itemprop=articleBody]`, else the `<article>` with the
//!   most text, else `<main>`, else `<body>`;
//! - scripts, styles, navigation, forms, asides, page headers and footers are dropped, and
//!   so is any element whose `class` or `id` names a menu, navigation, sidebar, footer,
//!   cookie banner, share buttons or comments. A `<header>` inside an `<article>` is kept:
//!   there it holds the headline and byline, not the site's masthead;
//! - block elements and `<br>` end a line, other whitespace collapses to one space;
//! - when that leaves nothing, the body is tried, then the body with only the furniture
//!   tags dropped: a page-wide wrapper whose class says `has-sidebar` must not hide the
//!   whole page.
//!
//! The title comes from `<title>` (else `og:title`), the URL from
//! `<link rel="canonical">` (else `og:url`), the time from `article:published_time` (else
//! the first `<time datetime>`), in UTC; a time without an offset is taken as UTC.
//!
//! Browsers save pages as UTF-8 nearly always. Bytes that are not UTF-8 are decoded with
//! the charset the page declares in its `<meta>` (windows-1251 and koi8-r are common on
//! Russian sites); with no declaration they are taken as windows-1251, the likeliest
//! legacy charset for the sites kuzot's users save.

use std::borrow::Cow;
use std::io::BufRead;

use ego_tree::iter::Edge;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1251};
use kuzot_model::{DocumentKind, RawDocument, SourceFormat, SourcePosition};
use scraper::node::Element;
use scraper::{ElementRef, Html, Node};
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::{DocumentSink, ReadError, ReadLimits};

/// Reads one saved web page with the default limits.
///
/// # Errors
/// As [`read_with_limits`].
pub fn read(input: impl BufRead, sink: &mut dyn DocumentSink) -> Result<(), ReadError> {
    read_with_limits(input, &ReadLimits::default(), sink)
}

/// Reads one saved web page. The page is one record: it is read whole, so the file limit
/// ([`ReadLimits::max_whole_file_bytes`]) bounds it, and its text is held to the document
/// limit like every document.
///
/// # Errors
/// [`ReadError::TooLarge`] when the file is over the limit; [`ReadError::NotThisFormat`]
/// when the file has no HTML structure or has no readable text; [`ReadError::Io`] when
/// reading fails; [`ReadError::Sink`] when the sink refuses the document.
pub fn read_with_limits(
    input: impl BufRead,
    limits: &ReadLimits,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let bytes = crate::read_whole(input, SourceFormat::WebPage, limits)?;
    let source = decode(&bytes);
    if !looks_like_html(&source) {
        return Err(not_a_page(format!(
            "no HTML tags; the file starts {:?}",
            start_of(&source)
        )));
    }

    if crate::html_nesting::nests_deeper_than(
        source.as_bytes(),
        crate::html_nesting::MAX_HTML_NESTING,
    ) {
        return Err(not_a_page(format!(
            "HTML nested deeper than {} elements (no saved page nests that deep)",
            crate::html_nesting::MAX_HTML_NESTING
        )));
    }
    let html = Html::parse_document(&source);
    let document = html.root_element();
    let title = page_title(document);
    let url = canonical_url(document);
    let root = content_root(document);
    let time = published_time(document, root);

    let body = first_element(document, |e| e.name() == "body").unwrap_or(document);
    // Fall back step by step when a rule took everything: a `<main>` filled by scripts, or
    // a page-wide wrapper whose class happens to say "has-sidebar".
    let text = [
        (root, Furniture::TagsAndNames),
        (body, Furniture::TagsAndNames),
        (body, Furniture::TagsOnly),
    ]
    .into_iter()
    .map(|(scope, furniture)| visible_text(scope, furniture))
    .find(|text| !text.is_empty())
    .unwrap_or_default();
    if text.is_empty() && title.is_none() {
        return Err(not_a_page(format!(
            "an HTML page with no readable text; it starts {:?}",
            start_of(&source)
        )));
    }

    sink.document(RawDocument {
        kind: DocumentKind::WebPage,
        text,
        time,
        title,
        url,
        position: SourcePosition {
            index: 0,
            line: None,
            byte_offset: Some(0),
        },
        ..RawDocument::default()
    })?;
    Ok(())
}

fn not_a_page(found: String) -> ReadError {
    ReadError::NotThisFormat {
        expected: SourceFormat::WebPage,
        found,
    }
}

/// The page as text: UTF-8 when it is UTF-8 (or has a byte-order mark), else the charset
/// it declares, else windows-1251.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let encoding = declared_charset(bytes)
        // A page that says UTF-8 but is not: keep what can be read, mark the rest.
        .unwrap_or(WINDOWS_1251);
    if encoding == UTF_8 {
        return String::from_utf8_lossy(bytes);
    }
    encoding.decode_without_bom_handling(bytes).0
}

/// The charset named by `<meta charset=…>` or `<meta http-equiv … content="…; charset=…">`
/// in the first kilobytes of the page.
fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..4096).unwrap_or(bytes).to_ascii_lowercase();
    for at in memchr::memmem::find_iter(&head, b"charset") {
        let rest = head.get(at + "charset".len()..)?;
        let rest = trim_ascii_start(rest);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = trim_ascii_start(rest);
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        if let Some(encoding) = rest.get(..end).and_then(Encoding::for_label) {
            return Some(encoding);
        }
    }
    None
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    bytes.get(skip..).unwrap_or_default()
}

/// Whether the text has any of the tags an HTML page has near its start.
fn looks_like_html(text: &str) -> bool {
    const MARKERS: [&str; 13] = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<title",
        "<meta",
        "<article",
        "<main",
        "<div",
        "<p>",
        "<p ",
        "<h1",
        "<table",
    ];
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or_default().to_ascii_lowercase();
    MARKERS.iter().any(|m| head.contains(m))
}

/// The `<title>` in the head, else `og:title`, else the first `<h1>`.
fn page_title(document: ElementRef<'_>) -> Option<String> {
    let head = first_element(document, |e| e.name() == "head");
    head.and_then(|h| first_element(h, |e| e.name() == "title"))
        .map(|t| collapse(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty())
        .or_else(|| meta_content(document, "og:title"))
        .or_else(|| {
            first_element(document, |e| e.name() == "h1")
                .map(|h| collapse(&h.text().collect::<String>()))
                .filter(|t| !t.is_empty())
        })
}

/// `<link rel="canonical">`, else `og:url`.
fn canonical_url(document: ElementRef<'_>) -> Option<String> {
    first_element(document, |e| {
        e.name() == "link"
            && e.attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
            && e.attr("href").is_some_and(|h| !h.trim().is_empty())
    })
    .and_then(|link| link.attr("href"))
    .map(|h| h.trim().to_owned())
    .or_else(|| meta_content(document, "og:url"))
}

/// `article:published_time`, else the first `<time datetime>` in the content, else in
/// the page.
fn published_time(document: ElementRef<'_>, root: ElementRef<'_>) -> Option<OffsetDateTime> {
    if let Some(time) = meta_content(document, "article:published_time")
        .as_deref()
        .and_then(parse_web_time)
    {
        return Some(time);
    }
    [root, document].into_iter().find_map(|scope| {
        scope
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "time")
            .find_map(|e| e.attr("datetime").and_then(parse_web_time))
    })
}

/// The `content` of `<meta property=NAME>` (or `name=NAME`), trimmed, when not empty.
fn meta_content(document: ElementRef<'_>, name: &str) -> Option<String> {
    document
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "meta")
        .filter(|e| {
            [e.attr("property"), e.attr("name")]
                .into_iter()
                .flatten()
                .any(|p| p.trim().eq_ignore_ascii_case(name))
        })
        .find_map(|e| {
            let content = collapse(e.attr("content")?);
            (!content.is_empty()).then_some(content)
        })
}

/// RFC 3339, or ISO 8601 as sites write it: `2024-03-12`, `2024-03-12T14:05`,
/// `2024-03-12 14:05:33+0300`. No offset means UTC.
fn parse_web_time(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return t.checked_to_offset(UtcOffset::UTC);
    }
    let date_part = value.get(..10)?;
    let mut d = date_part.split('-');
    let year: i32 = digits(d.next()?, 4)?.try_into().ok()?;
    let month = Month::try_from(u8::try_from(digits(d.next()?, 2)?).ok()?).ok()?;
    let day = u8::try_from(digits(d.next()?, 2)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let rest = value.get(10..)?;
    if rest.is_empty() {
        return Some(date.midnight().assume_utc());
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // The clock runs up to the zone designator.
    let zone_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = (rest.get(..zone_at)?, rest.get(zone_at..)?);
    let clock = clock.split('.').next()?;
    let mut c = clock.split(':');
    let hour = u8::try_from(digits(c.next()?, 2)?).ok()?;
    let minute = u8::try_from(digits(c.next()?, 2)?).ok()?;
    let second = match c.next() {
        Some(s) => u8::try_from(digits(s, 2)?).ok()?,
        None => 0,
    };
    if c.next().is_some() {
        return None;
    }
    let offset = match zone {
        "" | "Z" | "z" => UtcOffset::UTC,
        _ => {
            let sign: i8 = if zone.starts_with('-') { -1 } else { 1 };
            let zone = zone.get(1..)?.replace(':', "");
            let hours = i8::try_from(digits(zone.get(..2)?, 2)?).ok()?;
            let minutes = match zone.get(2..)? {
                "" => 0,
                m => i8::try_from(digits(m, 2)?).ok()?,
            };
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
    };
    let time = Time::from_hms(hour, minute, second).ok()?;
    PrimitiveDateTime::new(date, time)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
}

/// Exactly `len` ASCII digits as a number.
fn digits(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Where the readable content is: `[itemprop=articleBody]`, else the `<article>` with the
/// most text, else `<main>`, else `<body>`.
fn content_root(document: ElementRef<'_>) -> ElementRef<'_> {
    if let Some(body) = first_element(document, |e| {
        e.attr("itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "articleBody"))
    }) {
        return body;
    }
    let longest_article = document
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.value().name() == "article")
        .max_by_key(|a| a.text().map(str::len).sum::<usize>());
    longest_article
        .or_else(|| first_element(document, |e| e.name() == "main"))
        .or_else(|| first_element(document, |e| e.name() == "body"))
        .unwrap_or(document)
}

/// Which elements [`visible_text`] drops as site furniture.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Furniture {
    /// Furniture tags and elements whose class or id names furniture.
    TagsAndNames,
    /// Furniture tags only.
    TagsOnly,
}

/// The text under `root` as a reader sees it, without the parts that are not content.
fn visible_text(root: ElementRef<'_>, furniture: Furniture) -> String {
    let mut out = TextBuilder::default();
    // Counts the open elements inside a dropped element, so that its whole subtree is
    // skipped without recursion (pages can nest thousands deep).
    let mut skipping: usize = 0;
    let mut articles: usize = root
        .ancestors()
        .chain(std::iter::once(*root))
        .filter(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| e.name() == "article")
        })
        .count();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    if skipping > 0 {
                        skipping += 1;
                    } else if node.id() != root.id() && is_dropped(e, articles > 0, furniture) {
                        skipping = 1;
                    } else {
                        if e.name() == "article" && node.id() != root.id() {
                            articles += 1;
                        }
                        match e.name() {
                            "br" => out.line_break(),
                            "td" | "th" => out.space(),
                            name if is_block(name) => out.line_break(),
                            _ => {}
                        }
                    }
                }
                Node::Text(text) if skipping == 0 => out.push(text),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if skipping > 0 {
                        skipping -= 1;
                    } else {
                        if e.name() == "article" && node.id() != root.id() {
                            articles = articles.saturating_sub(1);
                        }
                        if is_block(e.name()) {
                            out.line_break();
                        }
                    }
                }
            }
        }
    }
    out.finish()
}

/// Whether an element is site furniture rather than content.
fn is_dropped(e: &Element, in_article: bool, furniture: Furniture) -> bool {
    const TAGS: [&str; 14] = [
        "script", "style", "noscript", "nav", "footer", "aside", "form", "template", "svg",
        "iframe", "button", "select", "dialog", "menu",
    ];
    const WORDS: [&str; 10] = [
        "menu",
        "nav",
        "sidebar",
        "footer",
        "cookie",
        "share",
        "sharing",
        "comment",
        "social",
        "breadcrumb",
    ];
    let name = e.name();
    if TAGS.contains(&name) || (name == "header" && !in_article) {
        return true;
    }
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if furniture == Furniture::TagsOnly {
        return false;
    }
    // Whole words of the class and id ("site-nav", "navbar", "mainMenu", "cookie_banner"),
    // not any substring: "unavailable" must not read as "nav".
    let names = e.attr("class").into_iter().chain(e.attr("id"));
    names
        .flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|token| !token.is_empty())
        .any(|token| {
            let token = token.to_ascii_lowercase();
            WORDS
                .iter()
                .any(|w| token.starts_with(w) || token.ends_with(w))
        })
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "caption"
            | "center"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "main"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tr"
            | "ul"
    )
}

/// Builds text with collapsed whitespace and one line per block.
#[derive(Default)]
struct TextBuilder {
    text: String,
    pending_space: bool,
}

impl TextBuilder {
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.at_line_start() {
                    self.text.push(' ');
                }
                self.pending_space = false;
                self.text.push(c);
            }
        }
    }

    fn space(&mut self) {
        self.pending_space = true;
    }

    fn line_break(&mut self) {
        if !self.at_line_start() {
            self.text.push('\n');
        }
        self.pending_space = false;
    }

    fn at_line_start(&self) -> bool {
        self.text.is_empty() || self.text.ends_with('\n')
    }

    fn finish(mut self) -> String {
        let kept = self.text.trim_end().len();
        self.text.truncate(kept);
        self.text
    }
}

/// The first element under `root` (itself included) in document order that matches.
fn first_element<'a>(
    root: ElementRef<'a>,
    matches: impl Fn(&Element) -> bool,
) -> Option<ElementRef<'a>> {
    root.descendants()
        .filter_map(ElementRef::wrap)
        .find(|e| matches(e.value()))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 60 characters, whitespace collapsed, for error messages.
fn start_of(text: &str) -> String {
    let mut words = String::new();
    for word in text.split_whitespace() {
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
        if words.chars().count() > 60 {
            break;
        }
    }
    let mut out: String = words.chars().take(60).collect();
    if words.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_times_in_common_shapes() {
        let t = parse_web_time("2024-03-12T14:05:33+03:00").expect("rfc3339");
        assert_eq!(t.hour(), 11);
        let t = parse_web_time("2024-03-12T14:05:33+0300").expect("no colon");
        assert_eq!(t.hour(), 11);
        let t = parse_web_time("2024-03-12 14:05").expect("no seconds, no zone");
        assert_eq!((t.hour(), t.minute()), (14, 5));
        let t = parse_web_time("2024-03-12").expect("date only");
        assert_eq!(t.hour(), 0);
        let t = parse_web_time("2024-03-12T14:05:33.250Z").expect("fraction");
        assert_eq!(t.second(), 33);
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-03-12T",
            "2024-03-12T25:00",
            "12.03.2024",
        ] {
            assert!(parse_web_time(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn charset_is_found_in_meta() {
        assert_eq!(
            declared_charset(b"<meta charset=\"windows-1251\">"),
            Some(WINDOWS_1251)
        );
        assert_eq!(
            declared_charset(b"<meta http-equiv=Content-Type content='text/html; charset=KOI8-R'>")
                .map(Encoding::name),
            Some("KOI8-R")
        );
        assert_eq!(declared_charset(b"<p>charset is a word</p>"), None);
    }

    #[test]
    fn furniture_words_match_whole_tokens() {
        let html = Html::parse_fragment(
            "<div class=\"site-nav\"></div><div class=\"unavailable\"></div><div id=\"mainMenu\"></div>",
        );
        let dropped: Vec<bool> = html
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "div")
            .map(|e| is_dropped(e.value(), false, Furniture::TagsAndNames))
            .collect();
        assert_eq!(dropped, [true, false, true]);
    }
}
