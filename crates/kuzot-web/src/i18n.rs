//! The interface in Kyrgyz, Russian and English, and the public pages (`/check`,
//! `/rights`, `/public`) also in Uzbek (Latin) and Tajik: every string is a Fluent message
//! in `locales/<lang>/<part>.ftl`, and numbers and dates are formatted for the language.
//!
//! Uzbek and Tajik have catalogues only for the public pages' strings; any other message
//! asked for in those languages is given in Russian, the language their readers in Russia
//! read best after their own (see [`Lang::fallback`]).
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
    /// Uzbek in the official Latin script (public pages only).
    Uz,
    /// Tajik (public pages only).
    Tg,
}

impl Lang {
    /// Every language, in the order of the public pages' switcher.
    pub const ALL: [Lang; 5] = [Lang::Ky, Lang::Uz, Lang::Tg, Lang::Ru, Lang::En];

    /// The languages of the whole interface (the logged-in pages' switcher).
    pub const INTERFACE: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

    /// Whether every page has a catalogue in this language (not only the public ones).
    pub fn is_interface(self) -> bool {
        Lang::INTERFACE.contains(&self)
    }

    /// The language a page without a catalogue in `self` is shown in: Russian for Uzbek
    /// and Tajik, the language itself otherwise.
    pub fn fallback(self) -> Lang {
        if self.is_interface() { self } else { Lang::Ru }
    }

    /// BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
            Lang::En => "en",
            Lang::Uz => "uz",
            Lang::Tg => "tg",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Ky => "Кыргызча",
            Lang::Ru => "Русский",
            Lang::En => "English",
            Lang::Uz => "Oʻzbekcha",
            Lang::Tg => "Тоҷикӣ",
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

/// The parts of the public pages' catalogues, which Uzbek and Tajik have: the public
/// pages' own strings, and `public_shell` with the few shared strings those pages show
/// (the header, the footer, the names of categories, genres, promises and languages).
const PUBLIC_PARTS: [&str; 3] = ["public_shell", "public", "public_numbers"];

macro_rules! public_ftl {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/public_shell.ftl")),
            include_str!(concat!("../locales/", $lang, "/public.ftl")),
            include_str!(concat!("../locales/", $lang, "/public_numbers.ftl")),
        ]
    };
}

const PUBLIC_SOURCES: [(Lang, [&str; 3]); 2] =
    [(Lang::Uz, public_ftl!("uz")), (Lang::Tg, public_ftl!("tg"))];

/// Every catalogue file: (language, file part, text).
fn all_sources() -> impl Iterator<Item = (Lang, &'static str, &'static str)> {
    let full = SOURCES
        .iter()
        .flat_map(|(lang, sources)| PARTS.iter().zip(sources).map(|(p, s)| (*lang, *p, *s)));
    let public = PUBLIC_SOURCES.iter().flat_map(|(lang, sources)| {
        PUBLIC_PARTS
            .iter()
            .zip(sources)
            .map(|(p, s)| (*lang, *p, *s))
    });
    full.chain(public)
}

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
        let mut bundles: HashMap<Lang, FluentBundle<FluentResource>> = HashMap::new();
        for (lang, part, source) in all_sources() {
            let bundle = match bundles.entry(lang) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let id: LanguageIdentifier = lang
                        .code()
                        .parse()
                        .map_err(|e| format!("language id {}: {e}", lang.code()))?;
                    let mut bundle = FluentBundle::new_concurrent(vec![id]);
                    // Isolation marks around arguments would end up inside attribute
                    // values and CSV cells; the interface has no right-to-left text.
                    bundle.set_use_isolating(false);
                    e.insert(bundle)
                }
            };
            let file = format!("locales/{}/{part}.ftl", lang.code());
            let resource = FluentResource::try_new(source.to_owned())
                .map_err(|(_, errors)| format!("{file}: {errors:?}"))?;
            bundle
                .add_resource(resource)
                .map_err(|e| format!("{file}: {e:?}"))?;
        }
        Ok(Catalog { bundles })
    }

    /// Message ids of a language's files.
    pub fn ids(&self, lang: Lang) -> Vec<String> {
        self.ids_of(lang, |_| true)
    }

    /// Message ids of a language's files whose part (`core`, `public`, …) `keep` accepts.
    pub fn ids_of(&self, lang: Lang, keep: impl Fn(&str) -> bool) -> Vec<String> {
        all_sources()
            .filter(|(l, part, _)| *l == lang && keep(part))
            .flat_map(|(_, _, source)| source.lines())
            .filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                (!id.starts_with([' ', '#', '.']) && !id.is_empty()).then(|| id.trim().to_owned())
            })
            .collect()
    }

    fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for candidate in [lang, lang.fallback(), Lang::En] {
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

    /// The same translator in another language.
    pub fn in_lang(&self, lang: Lang) -> Tr {
        Tr {
            catalog: self.catalog.clone(),
            lang,
        }
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
            // Russian, Kyrgyz, Uzbek and Tajik group with a non-breaking space.
            Lang::Ru | Lang::Ky | Lang::Uz | Lang::Tg => "\u{a0}",
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
            Lang::Ru | Lang::Ky | Lang::Uz | Lang::Tg => {
                format!("{:02}.{:02}.{}", t.day(), t.month() as u8, t.year())
            }
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
            Lang::Ru | Lang::Ky | Lang::Uz | Lang::Tg => format!(
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

    /// The messages a public page can show: every one of the public parts, and the shared
    /// ones its header, footer and charts use (names of categories, genres, promises and
    /// languages are looked up by id at run time, so all of them).
    fn public_page_ids(catalog: &Catalog) -> Vec<String> {
        let mut ids = catalog.ids_of(Lang::En, |part| part.starts_with("public"));
        ids.extend(
            catalog
                .ids_of(Lang::En, |part| part == "core")
                .into_iter()
                .filter(|id| {
                    ["category-", "genre-", "promise-", "lang-"]
                        .iter()
                        .any(|prefix| id.starts_with(prefix))
                        || ["interface-language", "footer-note", "chart-table"]
                            .contains(&id.as_str())
                }),
        );
        ids
    }

    #[test]
    fn uzbek_and_tajik_have_every_message_of_the_public_pages() {
        let catalog = Catalog::load().expect("ftl files parse");
        let public = public_page_ids(&catalog);
        assert!(public.len() > 150, "{} public messages", public.len());
        let english = catalog.ids(Lang::En);
        for lang in [Lang::Uz, Lang::Tg] {
            let ids = catalog.ids(lang);
            let missing: Vec<_> = public.iter().filter(|id| !ids.contains(id)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            // An id English does not have is a typo that would leave the real one to the
            // Russian fallback.
            let unknown: Vec<_> = ids.iter().filter(|id| !english.contains(id)).collect();
            assert!(
                unknown.is_empty(),
                "{} has unknown {unknown:?}",
                lang.code()
            );
            // Each is really in the language, not the Russian fallback.
            let tr = tr(lang);
            for id in &public {
                let own = catalog.bundles[&lang].get_message(id).is_some();
                assert!(own, "{}: {id} comes from the fallback", lang.code());
                assert_ne!(tr.t(id), *id);
            }
        }
    }

    #[test]
    fn uzbek_is_latin_with_its_own_letters_and_tajik_is_tajik() {
        for (lang, sources) in PUBLIC_SOURCES {
            for source in sources {
                let text: String = source
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n");
                match lang {
                    Lang::Uz => {
                        assert!(
                            !text.chars().any(|c| ('\u{400}'..='\u{4ff}').contains(&c)),
                            "Cyrillic in the Uzbek catalogue"
                        );
                        for wrong in ["o'", "g'", "o‘", "g‘", "o’", "g’", "oʼ", "gʼ"] {
                            assert!(!text.contains(wrong), "{wrong:?} for oʻ/gʻ in Uzbek");
                        }
                    }
                    _ => assert!(
                        !text.chars().any(|c| "щыьцЩЫЬЦ".contains(c)),
                        "a Russian-only letter in the Tajik catalogue"
                    ),
                }
            }
        }
        assert_eq!(tr(Lang::Uz).t("check-citizen-uz"), "O\u{2bb}zbekiston");
        assert!(tr(Lang::Tg).t("check-title").contains('ҷ'));
    }

    #[test]
    fn uzbek_and_tajik_fall_back_to_russian_outside_the_public_pages() {
        assert_eq!(Lang::Uz.fallback(), Lang::Ru);
        assert_eq!(Lang::Tg.fallback(), Lang::Ru);
        assert_eq!(Lang::Ky.fallback(), Lang::Ky);
        // A message of the logged-in interface asked for in Uzbek or Tajik is Russian.
        for lang in [Lang::Uz, Lang::Tg] {
            assert_eq!(tr(lang).t("login-title"), tr(Lang::Ru).t("login-title"));
            assert_ne!(tr(lang).t("check-title"), tr(Lang::Ru).t("check-title"));
        }
    }

    #[test]
    fn uzbek_and_tajik_plurals_pick_their_variants() {
        // CLDR gives Uzbek "one" and "other"; the Fluent crate's rules (CLDR 37) have
        // Uzbek, and no entry for Tajik, for which it takes the English rules: "one" for
        // 1, "other" for the rest, which is what Tajik needs for whole counts.
        for lang in [Lang::Uz, Lang::Tg] {
            let tr = tr(lang);
            let none = tr.count("public-admin-chosen", 0);
            let one = tr.count("public-admin-chosen", 1);
            let many = tr.count("public-admin-chosen", 1234);
            assert!(!none.contains('0'), "{}: {none}", lang.code());
            assert!(one.starts_with("1 "), "{}: {one}", lang.code());
            assert!(many.starts_with("1\u{a0}234 "), "{}: {many}", lang.code());
        }
        // Tajik's "one" and "other" differ in the verb's number here, so the variant
        // chosen shows.
        let tg = tr(Lang::Tg);
        assert!(tg.count("public-admin-chosen", 1).ends_with("шудааст."));
        assert!(tg.count("public-admin-chosen", 5).ends_with("шудаанд."));
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
        assert_eq!(Lang::from_accept_language("uz-Latn-UZ,ru;q=0.8"), Lang::Uz);
        assert_eq!(Lang::from_accept_language("tg,ru;q=0.8"), Lang::Tg);
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
