//! Turning data into HTML safely: escaping, snippets with their hits marked, a text with
//! its facts and cues marked in place, and the context every page template receives.
//!
//! Message text is written by recruiters and must never become markup. Templates escape
//! by default (askama); the few places that build HTML in Rust are here, escape every piece
//! of text they emit, and are tested with hostile input.

use std::fmt::Write as _;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::accounts::{Role, User};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A snippet with its hit ranges wrapped in `<mark>`; everything else escaped. Ranges that
/// are out of bounds, overlap or split a character are ignored.
pub fn highlight_html(text: &str, highlights: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut pos = 0;
    for r in highlights {
        if r.start < pos
            || r.end <= r.start
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&escape(&text[pos..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[r.start..r.end]));
        out.push_str("</mark>");
        pos = r.end;
    }
    out.push_str(&escape(text.get(pos..).unwrap_or("")));
    out
}

/// One marked stretch of a message: its byte span, a CSS class, and a label shown on hover.
#[derive(Debug, Clone)]
pub struct Annotation {
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// CSS class (`fact-money`, `cue-pmc`…): from a fixed list, never from the text.
    pub class: &'static str,
    /// Hover text, escaped on output.
    pub label: String,
}

/// The whole text with every annotation marked in place. Overlapping annotations are cut
/// at each other's edges, and each piece carries the classes and labels of all that cover
/// it, so nothing is hidden and the markup stays well nested.
pub fn annotate_html(text: &str, annotations: &[Annotation]) -> String {
    let valid: Vec<&Annotation> = annotations
        .iter()
        .filter(|a| {
            a.start < a.end
                && a.end <= text.len()
                && text.is_char_boundary(a.start)
                && text.is_char_boundary(a.end)
        })
        .collect();
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for a in &valid {
        cuts.push(a.start);
        cuts.push(a.end);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(text.len() * 2);
    for pair in cuts.windows(2) {
        let (s, e) = (pair[0], pair[1]);
        let piece = text.get(s..e).unwrap_or("");
        let covering: Vec<&&Annotation> = valid
            .iter()
            .filter(|a| a.start <= s && e <= a.end)
            .collect();
        if covering.is_empty() {
            out.push_str(&escape(piece));
            continue;
        }
        let mut classes: Vec<&str> = covering.iter().map(|a| a.class).collect();
        classes.sort_unstable();
        classes.dedup();
        let labels: Vec<&str> = covering.iter().map(|a| a.label.as_str()).collect();
        let _ = write!(
            out,
            "<mark class=\"{}\" title=\"{}\">{}</mark>",
            classes.join(" "),
            escape(&labels.join("; ")),
            escape(piece)
        );
    }
    out
}

/// A gazetteer place id read as a Latin name (`belgorod_region` → `Belgorod region`): the
/// fallback of [`crate::i18n::Tr::place`] for a place the catalogs do not name yet.
pub fn place_label(id: &str) -> String {
    let spaced = id.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A URL query string from pairs (empty values left out).
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, &v);
        }
    }
    s.finish()
}

/// A path segment, percent-encoded.
pub fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// What every page template receives.
#[derive(Debug, Clone)]
pub struct Page {
    /// Translator.
    pub tr: Tr,
    /// The account, if logged in.
    pub user: Option<User>,
    /// The CSRF token for forms.
    pub csrf: String,
    /// This page's path and query, for the language switcher's way back.
    pub here: String,
    /// The title (already translated).
    pub title: String,
    /// Whether the switcher offers every language ([`Lang::ALL`]) rather than those of
    /// the whole interface: true on the public pages, which alone have Uzbek and Tajik.
    pub all_languages: bool,
}

impl Page {
    /// A page context for a page of the whole interface (ky, ru, en): a reader who chose
    /// Uzbek or Tajik gets it in Russian, with `lang="ru"` (see [`Lang::fallback`]).
    pub fn new(
        tr: Tr,
        caller: &crate::auth::Caller,
        here: &axum::http::Uri,
        title: String,
    ) -> Page {
        let tr = tr.in_lang(tr.lang.fallback());
        Page {
            tr,
            user: caller.user.clone(),
            csrf: caller.csrf.clone(),
            here: here
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_owned()),
            title,
            all_languages: false,
        }
    }

    /// A page context for a public page (`/check`, `/rights`, `/public`), which has
    /// catalogues in every language of [`Lang::ALL`], Uzbek and Tajik included.
    pub fn public(
        tr: Tr,
        caller: &crate::auth::Caller,
        here: &axum::http::Uri,
        title: String,
    ) -> Page {
        let lang = tr.lang;
        let mut page = Page::new(tr, caller, here, title);
        page.tr = page.tr.in_lang(lang);
        page.all_languages = true;
        page
    }

    /// The interface language code.
    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    /// Switcher links: (code, native name, href, current?).
    pub fn languages(&self) -> Vec<(&'static str, &'static str, String, bool)> {
        let offered: &[Lang] = if self.all_languages {
            &Lang::ALL
        } else {
            &Lang::INTERFACE
        };
        offered
            .iter()
            .copied()
            .map(|l| {
                (
                    l.code(),
                    l.native_name(),
                    format!(
                        "/lang/{}?{}",
                        l.code(),
                        query_string([("next", self.here.clone())])
                    ),
                    l == self.tr.lang,
                )
            })
            .collect()
    }

    /// Whether the account has at least `role` ("viewer", "analyst", "admin").
    pub fn can(&self, role: &str) -> bool {
        let Some(role) = Role::parse(role) else {
            return false;
        };
        self.user.as_ref().is_some_and(|u| u.role >= role)
    }

    /// The head of a hash as shown where a whole one would not fit (a table on a phone):
    /// 12 hex digits, as `git` and `kuzot sources --short` would, and enough to tell the
    /// files of one store apart; the caller puts the whole hash in a title and links to
    /// the page that shows it in full.
    pub fn short_hash(&self, hash: &str) -> String {
        if hash.chars().count() <= 12 {
            return hash.to_owned();
        }
        let mut out: String = hash.chars().take(12).collect();
        out.push('…');
        out
    }

    /// A file name as escaped HTML (for `|safe`) with line-break opportunities after
    /// `_`, `-`, `.` and `/`, so that a long name wraps between its parts
    /// (`recruiting_chat_` / `2024-03.json`) rather than a few letters from its end.
    pub fn breakable(&self, name: &str) -> String {
        breakable_html(name)
    }

    /// Translates (shorthand for templates).
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// A source format's name for people (`telegram_json` → "Telegram (JSON)"), from
    /// `format-<id>` in the catalogue; the id itself for a format it does not name.
    pub fn format_name(&self, id: &str) -> String {
        let key = format!("format-{}", id.replace('_', "-"));
        let name = self.tr.t(&key);
        if name == key { id.to_owned() } else { name }
    }
}

/// Renders a template into a response.
pub fn html(template: &impl Template) -> Result<Response, AppError> {
    Ok(Html(template.render()?).into_response())
}

/// See [`Page::breakable`]. The name is uploaded by a user: every part is escaped, and
/// only `<wbr>` is added.
pub fn breakable_html(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 16);
    let mut part = String::new();
    for c in name.chars() {
        part.push(c);
        if matches!(c, '_' | '-' | '.' | '/') {
            out.push_str(&escape(&part));
            out.push_str("<wbr>");
            part.clear();
        }
    }
    out.push_str(&escape(&part));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_break_between_parts_and_stay_escaped() {
        assert_eq!(
            breakable_html("chat_export-2024.json"),
            "chat_<wbr>export-<wbr>2024.<wbr>json"
        );
        assert_eq!(breakable_html("plain"), "plain");
        let h = breakable_html(HOSTILE);
        assert!(!h.contains("<script") && !h.contains("<img"), "{h}");
        assert_eq!(h.replace("<wbr>", ""), escape(HOSTILE));
    }

    const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;";

    #[test]
    fn place_ids_read_as_names() {
        assert_eq!(place_label("belgorod_region"), "Belgorod region");
        assert_eq!(place_label("mariupol"), "Mariupol");
        assert_eq!(place_label(""), "");
    }

    #[test]
    fn escaping_leaves_no_markup() {
        let e = escape(HOSTILE);
        assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''));
        let h = highlight_html(HOSTILE, &[0..7, 3..5, 40..400, 9..14]);
        assert!(h.starts_with("<mark>&lt;script</mark>"));
        assert_eq!(h.matches("<mark>").count(), 2);
        assert!(!h.contains("<script") && !h.contains("<img"));
    }

    #[test]
    fn overlapping_annotations_nest_and_escape() {
        let text = "Оплата 200 000 <b>руб</b> Мариуполь";
        let money = text.find("200").expect("amount");
        let money_end = text.find('М').expect("place");
        let a = [
            Annotation {
                start: money,
                end: money_end - 1,
                class: "fact-money",
                label: "200000 RUB\"><x".into(),
            },
            Annotation {
                start: money,
                end: money + "200 000".len(),
                class: "cue-military_contract",
                label: "cue".into(),
            },
            Annotation {
                start: money_end,
                end: text.len(),
                class: "fact-place",
                label: "mariupol".into(),
            },
            Annotation {
                start: 1,
                end: 2,
                class: "bad",
                label: "not a char boundary".into(),
            },
        ];
        let html = annotate_html(text, &a);
        assert!(!html.contains("<b>"));
        assert!(html.contains("class=\"cue-military_contract fact-money\""));
        assert!(html.contains("&quot;&gt;&lt;x"));
        assert!(!html.contains("class=\"bad\""));
        assert_eq!(
            html.matches("<mark").count(),
            html.matches("</mark>").count()
        );
    }

    proptest::proptest! {
        #[test]
        fn annotation_never_panics(text in "\\PC{0,40}", spans in proptest::collection::vec((0usize..60, 0usize..60), 0..6)) {
            let a: Vec<Annotation> = spans.iter().map(|(s, e)| Annotation { start: *s, end: *e, class: "x", label: "<y>".into() }).collect();
            let html = annotate_html(&text, &a);
            proptest::prop_assert!(!html.contains("<y>"));
            let ranges: Vec<_> = spans.iter().map(|(s, e)| *s..*e).collect();
            let _ = highlight_html(&text, &ranges);
        }
    }
}
