//! A cheap look at how deeply an HTML file nests its elements, before the HTML parser
//! sees it.
//!
//! html5ever checks scopes by walking the stack of open elements for many start tags, so a
//! crafted page of tens of thousands of nested `<div>`s costs it time that grows with the
//! square of the depth (a 100 KB file of 20,000 levels took seconds; the fuzzer found it).
//! No Telegram export or saved web page nests more than a few dozen levels, so the readers
//! refuse a file that nests deeper than [`MAX_HTML_NESTING`] instead of parsing it.
//!
//! The count is an upper bound that is cheap and never panics: every start tag of an
//! element that needs an end tag opens a level, its end tag closes one; void elements
//! (`<br>`, `<img>`, …), self-closed tags, elements whose end tag may be left out (`<p>`,
//! `<li>`, `<td>`, …), comments and the contents of `<script>` and `<style>` do not count.

/// The deepest element nesting an HTML reader accepts.
pub const MAX_HTML_NESTING: usize = 512;

/// Elements that never have content, and elements whose end tag HTML lets an author leave
/// out: neither can be counted as an open level.
const UNCOUNTED: [&[u8]; 31] = [
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"source",
    b"track",
    b"wbr",
    b"param",
    b"keygen",
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"option",
    b"optgroup",
    b"tr",
    b"td",
    b"th",
    b"thead",
    b"tbody",
    b"tfoot",
    b"colgroup",
    b"rb",
    b"rt",
    b"rp",
];

/// Whether `html` nests elements deeper than `max` (by the count described above).
pub fn nests_deeper_than(html: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0usize;
    let n = html.len();
    while i < n {
        let Some(offset) = memchr::memchr(b'<', &html[i..]) else {
            break;
        };
        i += offset + 1;
        if html[i..].starts_with(b"!--") {
            i = match memchr::memmem::find(&html[i..], b"-->") {
                Some(end) => i + end + 3,
                None => n,
            };
            continue;
        }
        let closing = html.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let start = i;
        while i < n && html[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == start {
            continue;
        }
        let name = html[start..i].to_ascii_lowercase();
        let tag_end = memchr::memchr(b'>', &html[i..]).map_or(n, |e| i + e);
        let self_closed = tag_end > i && html.get(tag_end - 1) == Some(&b'/');
        i = tag_end.saturating_add(1).min(n);
        if UNCOUNTED.contains(&name.as_slice()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        if self_closed {
            continue;
        }
        if name == b"script" || name == b"style" {
            // Their text is not markup: skip to the end tag.
            i = end_tag_of(html, i, &name);
            continue;
        }
        depth += 1;
        if depth > max {
            return true;
        }
    }
    false
}

/// Where `</name` (any case) starts at or after `from`, else the end of `html`.
fn end_tag_of(html: &[u8], mut from: usize, name: &[u8]) -> usize {
    while let Some(at) = memchr::memmem::find(&html[from..], b"</") {
        let tag = from + at + 2;
        if html
            .get(tag..tag + name.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(name))
        {
            return from + at;
        }
        from = tag;
    }
    html.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_pages_pass_and_deep_nesting_is_found() {
        let page = b"<html><head><meta charset=utf-8><style>a<b{}</style></head><body>\
            <div class=x><p>one<p>two<ul><li>a<li>b</ul><br><img src=x /></div>\
            <!-- <div><div><div> --><script>if (a<b) {}</script></body></html>";
        assert!(!nests_deeper_than(page, 3));
        let deep = "<div>".repeat(600);
        assert!(nests_deeper_than(deep.as_bytes(), MAX_HTML_NESTING));
        let closed = "<div></div>".repeat(10_000);
        assert!(!nests_deeper_than(closed.as_bytes(), 2));
        let unclosed_paragraphs = "<p>text".repeat(10_000);
        assert!(!nests_deeper_than(unclosed_paragraphs.as_bytes(), 2));
        for bytes in [
            &b"<"[..],
            b"</",
            b"<!--",
            b"<script",
            b"<div/",
            b"</>",
            b"<a",
        ] {
            assert!(!nests_deeper_than(bytes, 2));
        }
    }
}
