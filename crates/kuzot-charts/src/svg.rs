//! Writing SVG as text: escaping, coordinates, label clean-up and text size estimates.
//!
//! Every string that reaches the output goes through [`Svg::text`] or an attribute of
//! [`Svg::open`]/[`Svg::leaf`], which escape it, so no chart code can forget to.

/// Colours of the Okabe–Ito palette, ordered so that neighbouring series differ in
/// lightness as well as hue; yellow comes late because it is faint on white.
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442",
];

/// The colour of series `index`; the palette repeats past eight series.
pub(crate) fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Starts an empty document (the caller writes the root element).
    pub(crate) fn new() -> Self {
        Self {
            out: String::with_capacity(16 * 1024),
        }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            escape_into(&mut self.out, value);
            self.out.push('"');
        }
    }

    /// Writes a start tag.
    pub(crate) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push('>');
    }

    /// Writes an element without content.
    pub(crate) fn leaf(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push_str("/>");
    }

    /// Writes an end tag.
    pub(crate) fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes escaped character data.
    pub(crate) fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text);
    }

    /// Writes `<title>text</title>`: the tooltip of the enclosing element.
    pub(crate) fn tooltip(&mut self, text: &str) {
        self.out.push_str("<title>");
        escape_into(&mut self.out, text);
        self.out.push_str("</title>");
    }

    /// Writes a `<text>` element showing `shown`, with the full label as its tooltip when
    /// `shown` had to be shortened.
    pub(crate) fn label(&mut self, attrs: &[(&str, &str)], shown: &str, full: &str) {
        self.open("text", attrs);
        self.text(shown);
        if shown != full {
            self.tooltip(full);
        }
        self.close("text");
    }

    /// Opens `<a>` around a mark when `href` is a relative URL (see [`is_relative_href`]),
    /// named `name` for screen readers (an SVG link has no text of its own); returns
    /// whether it did, so that the caller closes it.
    pub(crate) fn open_link(&mut self, href: Option<&str>, name: &str) -> bool {
        match href {
            Some(href) if is_relative_href(href) => {
                self.open(
                    "a",
                    &[
                        ("class", "mark-link"),
                        ("href", href),
                        ("aria-label", &clean_label(name)),
                    ],
                );
                true
            }
            _ => false,
        }
    }

    /// Writes a mark with `draw`, inside a link to `href` when it is one.
    pub(crate) fn linked(&mut self, href: Option<&str>, name: &str, draw: impl FnOnce(&mut Svg)) {
        let linked = self.open_link(href, name);
        draw(self);
        if linked {
            self.close("a");
        }
    }

    /// The finished document.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Whether `href` stays on the site it is served from: a path (`/search?…`), a query or a
/// fragment. Protocol-relative (`//host`) and backslash forms (which browsers read as
/// `//`) are refused, and so is any whitespace or control character, which browsers strip
/// from URLs and which could hide one of those.
pub(crate) fn is_relative_href(href: &str) -> bool {
    let starts_right = match href.as_bytes() {
        [b'/', b'/', ..] => false,
        [b'/' | b'?' | b'#', ..] => true,
        _ => false,
    };
    starts_right
        && !href
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// Whether XML 1.0 allows `c` at all; even as a character reference the others are
/// errors, so they are replaced rather than escaped.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Appends `text` escaped for both character data and quoted attribute values.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Makes a label from hostile text fit for one line of a chart: control characters become
/// spaces, and bidirectional overrides are dropped so that a name cannot make the text
/// around it read backwards.
pub(crate) fn clean_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// `text` cut to at most `max_chars` characters, ending in `…` when cut.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A cleaned label and the part of it that fits in `max_chars`.
pub(crate) fn fit_label(text: &str, max_chars: usize) -> (String, String) {
    let full = clean_label(text);
    let shown = truncate(&full, max_chars);
    (shown, full)
}

/// A cleaned label broken at spaces into at most `max_lines` lines of at most
/// `max_chars` characters; a word longer than a line is split, and what does not fit in
/// the last line is cut with `…`. Also returns the whole cleaned label, for the tooltip.
pub(crate) fn wrap_label(text: &str, max_chars: usize, max_lines: usize) -> (Vec<String>, String) {
    let full = clean_label(text);
    let max_chars = max_chars.max(2);
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in full.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let room = if used == 0 {
                max_chars
            } else {
                max_chars.saturating_sub(used + 1)
            };
            if word.len() <= room {
                if used > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than a whole line: split it.
            let rest = word.split_off(max_chars);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(truncate(&rest, max_chars));
    }
    (lines, full)
}

/// Rough width of `text` in a proportional sans-serif font; fonts cannot be measured on
/// the server, and an estimate on the wide side keeps labels from overlapping.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if c >= '\u{2E80}' { 1.0 } else { 0.62 })
        .sum();
    ems * font_size
}

/// How many characters of average width fit in `width`.
pub(crate) fn chars_fitting(width: f64, font_size: f64) -> usize {
    let n = width / (font_size * 0.62);
    if n.is_finite() && n >= 1.0 {
        // Truncation intended: a partial character does not fit.
        n as usize
    } else {
        1
    }
}

/// A coordinate as written in the SVG: two decimals at most, never NaN.
pub(crate) fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut text = format!("{value:.2}");
    if text.contains('.') {
        while text.ends_with('0') {
            text.pop();
        }
        if text.ends_with('.') {
            text.pop();
        }
    }
    if text == "-0" {
        text = "0".to_owned();
    }
    text
}

/// FNV-1a: a stable hash for element ids, so that the same chart gives the same bytes.
pub(crate) struct IdHasher(u64);

impl IdHasher {
    pub(crate) fn new(kind: &str) -> Self {
        let mut hasher = Self(0xcbf2_9ce4_8422_2325);
        hasher.bytes(kind.as_bytes());
        hasher
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Adds a string, delimited so that ("ab","c") and ("a","bc") differ.
    pub(crate) fn str(&mut self, text: &str) {
        self.bytes(&(text.len() as u64).to_le_bytes());
        self.bytes(text.as_bytes());
    }

    /// Adds a number by its bits.
    pub(crate) fn f64(&mut self, value: f64) {
        self.bytes(&value.to_bits().to_le_bytes());
    }

    /// The id: a fixed prefix and 16 hex digits.
    pub(crate) fn id(&self) -> String {
        format!("kuzot-chart-{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_illegal_characters() {
        let mut out = String::new();
        escape_into(&mut out, "<a href='x'>&\"\u{1}\u{FFFF}");
        assert_eq!(
            out,
            "&lt;a href=&apos;x&apos;&gt;&amp;&quot;\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("Кыргызстан", 5), "Кырг…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abc", 0), "…");
    }

    #[test]
    fn cleans_controls_and_bidi_overrides() {
        assert_eq!(clean_label(" a\nb\u{202E}c\t"), "a bc");
    }

    #[test]
    fn only_relative_hrefs_are_links() {
        for yes in ["/search?q=a&chat=%3Cx%3E", "?page=2", "#top", "/"] {
            assert!(is_relative_href(yes), "{yes}");
        }
        for no in [
            "",
            "javascript:alert(1)",
            "https://example.org/",
            "//example.org/",
            "/\\example.org/",
            "/\t/example.org",
            "search",
            " /search",
        ] {
            assert!(!is_relative_href(no), "{no:?}");
        }
    }

    #[test]
    fn labels_wrap_at_spaces_and_cut_what_does_not_fit() {
        let (lines, full) = wrap_label("Disguised military job", 12, 3);
        assert_eq!(lines, ["Disguised", "military job"]);
        assert_eq!(full, "Disguised military job");
        let (lines, _) = wrap_label("Басып алынган аймактардагы курулуш", 13, 3);
        assert_eq!(lines, ["Басып алынган", "аймактардагы", "курулуш"]);
        let (lines, _) = wrap_label("a b c d e f g h", 3, 2);
        assert_eq!(lines, ["a b", "c …"]);
        let (lines, _) = wrap_label("оккупированных", 6, 3);
        assert_eq!(lines, ["оккупи", "рованн", "ых"]);
        assert!(wrap_label("", 10, 2).0.is_empty());
        assert!(wrap_label(" \u{202E} ", 10, 2).0.is_empty());
    }

    #[test]
    fn coordinates_are_short_and_finite() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
    }
}
