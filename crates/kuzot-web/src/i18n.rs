//! The interface in Kyrgyz, Russian and English: every string is a Fluent message in
//! `locales/<lang>/kuzot.ftl`, and numbers and dates are formatted for the language.
//!
//! Numbers and dates are formatted here by hand rather than with ICU: kuzot needs three
//! locales, a thousands separator and two date shapes, and ICU's data and compile time
//! would be most of the binary for that.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use time::OffsetDateTime;
use unic_langid::LanguageIdentifier;

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Kyrgyz.
    Ky,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// Every interface language, in the order of the switcher.
    pub const ALL: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

    /// BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ky => "Кыргызча",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The best language for an `Accept-Language` header (English when none matches).
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',').take(20) {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(lang) = Lang::parse(primary)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }
}

/// The parts of the interface, one `.ftl` file each per language, so that each part's
/// strings live beside one another.
const PARTS: [&str; 6] = [
    "core",
    "review",
    "admin",
    "entities",
    "public",
    "public_numbers",
];

macro_rules! ftl {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/core.ftl")),
            include_str!(concat!("../locales/", $lang, "/review.ftl")),
            include_str!(concat!("../locales/", $lang, "/admin.ftl")),
            include_str!(concat!("../locales/", $lang, "/entities.ftl")),
            include_str!(concat!("../locales/", $lang, "/public.ftl")),
            include_str!(concat!("../locales/", $lang, "/public_numbers.ftl")),
        ]
    };
}

const SOURCES: [(Lang, [&str; 6]); 3] = [
    (Lang::Ky, ftl!("ky")),
    (Lang::Ru, ftl!("ru")),
    (Lang::En, ftl!("en")),
];

/// All bundles, built once at start.
pub struct Catalog {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}

impl Catalog {
    /// Parses the shipped `.ftl` files. An error names the file and the broken entry:
    /// the files are part of the build, so this fails the tests, never a user.
    pub fn load() -> Result<Catalog, String> {
        let mut bundles = HashMap::new();
        for (lang, sources) in SOURCES {
            let id: LanguageIdentifier = lang
                .code()
                .parse()
                .map_err(|e| format!("language id {}: {e}", lang.code()))?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks around arguments would end up inside attribute values and
            // CSV cells; the interface has no right-to-left text.
            bundle.set_use_isolating(false);
            for (part, source) in PARTS.iter().zip(sources) {
                let file = format!("locales/{}/{part}.ftl", lang.code());
                let resource = FluentResource::try_new(source.to_owned())
                    .map_err(|(_, errors)| format!("{file}: {errors:?}"))?;
                bundle
                    .add_resource(resource)
                    .map_err(|e| format!("{file}: {e:?}"))?;
            }
            bundles.insert(lang, bundle);
        }
        Ok(Catalog { bundles })
    }

    /// Message ids of a language's file.
    pub fn ids(&self, lang: Lang) -> Vec<String> {
        SOURCES
            .iter()
            .filter(|(l, _)| *l == lang)
            .flat_map(|(_, sources)| sources.iter())
            .flat_map(|source| source.lines())
            .filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                (!id.starts_with([' ', '#', '.']) && !id.is_empty()).then(|| id.trim().to_owned())
            })
            .collect()
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for candidate in [lang, Lang::En] {
            let Some(bundle) = self.bundles.get(&candidate) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned();
        }
        // A missing message shows its id: visible in review, never a crash.
        id.to_owned()
    }
}

/// The translator of one request.
#[derive(Clone)]
pub struct Tr {
    catalog: std::sync::Arc<Catalog>,
    /// The language.
    pub lang: Lang,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tr({})", self.lang.code())
    }
}

impl Tr {
    /// A translator for `lang`.
    pub fn new(catalog: std::sync::Arc<Catalog>, lang: Lang) -> Tr {
        Tr { catalog, lang }
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.catalog.format(self.lang, id, None)
    }

    /// The name of a gazetteer place in this language (`place-<id>` in the catalog), or
    /// the id read as a Latin name for a place the catalog does not know yet.
    pub fn place(&self, id: &str) -> String {
        let key = format!("place-{}", id.replace('_', "-"));
        let name = self.t(&key);
        if name == key {
            crate::render::place_label(id)
        } else {
            name
        }
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.catalog.format(self.lang, id, Some(&args))
    }

    /// The message `id` with several text arguments.
    pub fn args(&self, id: &str, values: &[(&str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, FluentValue::from(value.to_string()));
        }
        self.catalog.format(self.lang, id, Some(&args))
    }

    /// The message `id` with a count (for plural forms) that is also shown formatted.
    pub fn count(&self, id: &str, n: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("n", FluentValue::from(n));
        args.set("formatted", FluentValue::from(self.int(n)));
        self.catalog.format(self.lang, id, Some(&args))
    }

    /// The label of a category id (`category-<id>`), or the id itself.
    pub fn category(&self, id: &str) -> String {
        self.t(&format!("category-{}", id.replace('_', "-")))
    }

    /// An integer with the language's thousands separator.
    pub fn int(&self, n: u64) -> String {
        let sep = match self.lang {
            Lang::En => ",",
            // Russian and Kyrgyz group with a non-breaking space.
            Lang::Ru | Lang::Ky => "\u{a0}",
        };
        group_digits(&n.to_string(), sep)
    }

    /// A signed integer.
    pub fn signed(&self, n: i64) -> String {
        if n < 0 {
            format!("−{}", self.int(n.unsigned_abs()))
        } else {
            self.int(n as u64)
        }
    }

    /// A number rounded to whole units, with separators.
    pub fn number(&self, v: f64) -> String {
        if !v.is_finite() {
            return "—".into();
        }
        let rounded = v.round();
        if rounded.abs() >= 9.0e15 {
            return format!("{v:e}");
        }
        self.signed(rounded as i64)
    }

    /// A number with `decimals` digits after the decimal mark.
    pub fn decimal(&self, v: f64, decimals: usize) -> String {
        if !v.is_finite() {
            return "—".into();
        }
        let s = format!("{:.*}", decimals, v.abs());
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mark = if self.lang == Lang::En { "." } else { "," };
        let whole = whole
            .parse::<u64>()
            .map(|w| self.int(w))
            .unwrap_or_else(|_| whole.to_owned());
        let sign = if v < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
            "−"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}{mark}{frac}")
        }
    }

    /// A share as a percentage.
    pub fn percent(&self, share: f64) -> String {
        format!("{}\u{a0}%", self.decimal(share * 100.0, 1))
    }

    /// A date (unix seconds, UTC).
    pub fn date(&self, unix: i64) -> String {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(unix) else {
            return unix.to_string();
        };
        match self.lang {
            Lang::En => format!(
                "{} {} {}",
                t.day(),
                EN_MONTHS[t.month() as usize - 1],
                t.year()
            ),
            Lang::Ru | Lang::Ky => format!("{:02}.{:02}.{}", t.day(), t.month() as u8, t.year()),
        }
    }

    /// A short date for chart axes.
    pub fn short_date(&self, unix: i64) -> String {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(unix) else {
            return unix.to_string();
        };
        match self.lang {
            Lang::En => format!(
                "{} {} {}",
                t.day(),
                EN_MONTHS[t.month() as usize - 1],
                t.year() % 100
            ),
            Lang::Ru | Lang::Ky => format!(
                "{:02}.{:02}.{:02}",
                t.day(),
                t.month() as u8,
                t.year() % 100
            ),
        }
    }

    /// A date and time (UTC).
    pub fn datetime(&self, unix: i64) -> String {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(unix) else {
            return unix.to_string();
        };
        format!("{} {:02}:{:02} UTC", self.date(unix), t.hour(), t.minute())
    }

    /// A date and time given as RFC 3339.
    pub fn rfc3339(&self, s: &str) -> String {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(|t| self.datetime(t.unix_timestamp()))
            .unwrap_or_else(|_| s.to_owned())
    }
}

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn group_digits(digits: &str, sep: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(lang: Lang) -> Tr {
        Tr::new(
            std::sync::Arc::new(Catalog::load().expect("ftl files parse")),
            lang,
        )
    }

    #[test]
    fn every_language_has_every_message() {
        let catalog = Catalog::load().expect("ftl files parse");
        let english = catalog.ids(Lang::En);
        assert!(english.len() > 50, "{} messages", english.len());
        for lang in [Lang::Ky, Lang::Ru] {
            let ids = catalog.ids(lang);
            let missing: Vec<_> = english.iter().filter(|id| !ids.contains(id)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
        }
    }

    #[test]
    fn the_kyrgyz_catalogue_keeps_to_the_glossary_for_engine() {
        // "Кыймылдаткыч" is a motor; locales/GLOSSARY.md gives the words for the
        // automatic analysis.
        for (lang, sources) in SOURCES {
            for source in sources.iter() {
                let lower = source.to_lowercase();
                assert!(
                    !lower.contains("кыймылдаткыч"),
                    "{}: \"кыймылдаткыч\" (a motor) used for the analysis engine",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn every_gazetteer_place_has_a_name_in_every_language() {
        let gazetteer = include_str!("../../kuzot-analysis/data/places.tsv");
        let catalog = std::sync::Arc::new(Catalog::load().expect("ftl files parse"));
        let ids: Vec<&str> = gazetteer
            .lines()
            .filter_map(|l| l.strip_prefix("place\t"))
            .filter_map(|l| l.split('\t').next())
            .collect();
        assert!(ids.len() > 40);
        for lang in Lang::ALL {
            let tr = Tr::new(catalog.clone(), lang);
            for id in &ids {
                let key = format!("place-{}", id.replace('_', "-"));
                assert_ne!(tr.t(&key), key, "{} has no name for {id}", lang.code());
            }
        }
        let ru = Tr::new(catalog.clone(), Lang::Ru);
        assert_eq!(ru.place("moscow_region"), "Московская область");
        assert_eq!(ru.place("not_a_place_yet"), "Not a place yet");
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(tr(Lang::En).int(1_234_567), "1,234,567");
        assert_eq!(tr(Lang::Ru).int(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(tr(Lang::Ky).decimal(-1234.5, 1), "−1\u{a0}234,5");
        assert_eq!(tr(Lang::En).decimal(0.25, 2), "0.25");
        assert_eq!(tr(Lang::En).date(1_764_374_400), "29 Nov 2025");
        assert_eq!(tr(Lang::Ru).date(1_764_374_400), "29.11.2025");
        assert_eq!(tr(Lang::En).int(0), "0");
        assert_eq!(tr(Lang::En).int(100), "100");
        assert_eq!(tr(Lang::En).int(1000), "1,000");
    }

    #[test]
    fn accept_language_picks_the_best_supported() {
        assert_eq!(Lang::from_accept_language("ky-KG,ru;q=0.8"), Lang::Ky);
        assert_eq!(Lang::from_accept_language("de,ru;q=0.5,en;q=0.4"), Lang::Ru);
        assert_eq!(Lang::from_accept_language("fr"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn plural_forms_and_a_missing_message() {
        assert_eq!(tr(Lang::Ru).t("no-such-message"), "no-such-message");
        let one = tr(Lang::Ru).count("results-count", 1);
        let five = tr(Lang::Ru).count("results-count", 5);
        assert_ne!(one.replace('1', ""), five.replace('5', ""));
    }
}
