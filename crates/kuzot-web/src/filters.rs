//! The search filters as they arrive in a URL (pages, exports, the API and the dashboard
//! share them), checked and turned into a [`SearchQuery`].

use kuzot_model::{Category, Genre};
use kuzot_search::{SearchQuery, Sort};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time, format_description::well_known::Iso8601};

use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::query_string;

/// Longest query text accepted.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Results per page.
pub const PAGE_SIZE: usize = 25;
/// Most results one request may ask for (API, exports page through).
pub const MAX_LIMIT: usize = 1000;

/// Every field that narrows which messages are shown (paging and order left out).
pub const FILTER_FIELDS: [&str; 15] = [
    "q", "category", "genre", "topic", "lang", "chat", "source", "since", "until", "place",
    "occupied", "org", "phone", "promise", "min_pay",
];

/// A day (unix seconds, UTC) as the `YYYY-MM-DD` the date filters read.
pub fn day_param(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), t.month() as u8, t.day()))
        .unwrap_or_default()
}

/// Filters from a query string. Every field is optional; empty strings mean "not set"
/// (an HTML form sends empty fields).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words to find: all must occur; "a phrase" in quotes; -word to exclude.
    #[serde(default)]
    pub q: Option<String>,
    /// Category id (military_contract, pmc, disguised_military, frontline_labour, occupied_reconstruction, job_other, other).
    #[serde(default)]
    pub category: Option<String>,
    /// Genre id (ad, report, testimony, warning, job_search, chatter): who speaks, to what end.
    #[serde(default)]
    pub genre: Option<String>,
    /// Topic: a category id that the message is about, whatever its genre (a news item on
    /// PMC recruiting is genre report, category other, topic pmc).
    #[serde(default)]
    pub topic: Option<String>,
    /// Language code (ru, ky, uz, tg, kk, en).
    #[serde(default)]
    pub lang: Option<String>,
    /// Chat or channel name.
    #[serde(default)]
    pub chat: Option<String>,
    /// Source file SHA-256 (or a prefix).
    #[serde(default)]
    pub source: Option<String>,
    /// From this day (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub since: Option<String>,
    /// Until this day, inclusive (YYYY-MM-DD, UTC).
    #[serde(default)]
    pub until: Option<String>,
    /// Place id from the gazetteer.
    #[serde(default)]
    pub place: Option<String>,
    /// "1": only documents naming an occupied place; "0": only those that do not.
    #[serde(default)]
    pub occupied: Option<String>,
    /// Organisation id.
    #[serde(default)]
    pub org: Option<String>,
    /// Phone number (E.164).
    #[serde(default)]
    pub phone: Option<String>,
    /// Promise id.
    #[serde(default)]
    pub promise: Option<String>,
    /// Offered monthly pay at least this many roubles.
    #[serde(default)]
    pub min_pay: Option<String>,
    /// relevance (default with words), newest (default without), oldest.
    #[serde(default)]
    pub sort: Option<String>,
    /// Page number, from 1.
    #[serde(default)]
    pub page: Option<String>,
    /// Results per page (API and exports).
    #[serde(default)]
    pub limit: Option<String>,
}

fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A value of the address as a message quotes it: hostile, so cut short (it is escaped
/// where it is shown).
fn quoted(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        return value.to_owned();
    }
    let mut cut: String = value.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

/// A refused filter, in the reader's language: the field as the form labels it, and the
/// value that was given.
fn refused(tr: &Tr, message: &str, field: &str, value: &str) -> AppError {
    AppError::bad_request(tr.args(
        message,
        &[("field", &tr.t(field)), ("value", &quoted(value))],
    ))
    .in_readers_language()
}

fn parse_day(tr: &Tr, s: &str, field: &str) -> Result<i64, AppError> {
    Date::parse(s, &Iso8601::DATE)
        .map(|d| d.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp())
        .map_err(|_| refused(tr, "filter-bad-date", field, s))
}

impl SearchParams {
    /// The search these parameters ask for; a value that cannot be read is refused with
    /// a message in `tr`'s language.
    pub fn to_query(&self, tr: &Tr) -> Result<SearchQuery, AppError> {
        let text = set(&self.q).unwrap_or("");
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::bad_request(tr.t1(
                "filter-query-too-long",
                "max",
                MAX_QUERY_CHARS,
            ))
            .in_readers_language());
        }
        let genre = match set(&self.genre) {
            Some(g) => Some(
                Genre::parse(g)
                    .ok_or_else(|| refused(tr, "filter-bad-choice", "filter-genre", g))?,
            ),
            None => None,
        };
        let topic = match set(&self.topic) {
            Some(c) => Some(
                Category::parse(c)
                    .ok_or_else(|| refused(tr, "filter-bad-choice", "filter-topic", c))?,
            ),
            None => None,
        };
        let category = match set(&self.category) {
            Some(c) => Some(
                Category::parse(c)
                    .ok_or_else(|| refused(tr, "filter-bad-choice", "filter-category", c))?,
            ),
            None => None,
        };
        let since = set(&self.since)
            .map(|s| parse_day(tr, s, "filter-since"))
            .transpose()?;
        // "until" names a day and includes it.
        let until = set(&self.until)
            .map(|s| parse_day(tr, s, "filter-until").map(|t| t + 86_400))
            .transpose()?;
        let occupied = match set(&self.occupied) {
            Some("1" | "true" | "yes") => Some(true),
            Some("0" | "false" | "no") => Some(false),
            Some(other) => {
                return Err(refused(tr, "filter-bad-choice", "filter-occupied", other));
            }
            None => None,
        };
        let min_pay_rub = match set(&self.min_pay) {
            Some(v) => Some(
                v.replace([' ', '\u{a0}', ','], "")
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| refused(tr, "filter-bad-number", "filter-min-pay", v))?,
            ),
            None => None,
        };
        let sort = match set(&self.sort) {
            Some("relevance") => Sort::Relevance,
            Some("newest") => Sort::Newest,
            Some("oldest") => Sort::Oldest,
            Some(other) => {
                return Err(refused(tr, "filter-bad-choice", "filter-sort", other));
            }
            None if text.is_empty() => Sort::Newest,
            None => Sort::Relevance,
        };
        let limit = match set(&self.limit) {
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    AppError::bad_request(tr.t1("filter-bad-limit", "max", MAX_LIMIT))
                        .in_readers_language()
                })?,
            None => PAGE_SIZE,
        };
        let page = match set(&self.page) {
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| (1..=100_000).contains(p))
                .ok_or_else(|| {
                    AppError::bad_request(tr.t("filter-bad-page")).in_readers_language()
                })?,
            None => 1,
        };
        Ok(SearchQuery {
            text: text.to_owned(),
            category,
            genre,
            topic,
            lang: set(&self.lang).map(str::to_owned),
            chat: set(&self.chat).map(str::to_owned),
            source: set(&self.source).map(|s| s.to_ascii_lowercase()),
            since,
            until,
            place: set(&self.place).map(str::to_owned),
            occupied,
            org: set(&self.org).map(str::to_owned),
            phone: set(&self.phone).map(str::to_owned),
            promise: set(&self.promise).map(str::to_owned),
            min_pay_rub,
            sort,
            offset: (page - 1).saturating_mul(limit),
            limit,
        })
    }

    /// The page number asked for.
    pub fn page_number(&self) -> usize {
        set(&self.page)
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1)
    }

    /// These filters as a query string, with `page` replaced (0: left out).
    pub fn to_query_string(&self, page: usize) -> String {
        let s = |v: &Option<String>| set(v).unwrap_or("").to_owned();
        query_string([
            ("q", s(&self.q)),
            ("category", s(&self.category)),
            ("genre", s(&self.genre)),
            ("topic", s(&self.topic)),
            ("lang", s(&self.lang)),
            ("chat", s(&self.chat)),
            ("source", s(&self.source)),
            ("since", s(&self.since)),
            ("until", s(&self.until)),
            ("place", s(&self.place)),
            ("occupied", s(&self.occupied)),
            ("org", s(&self.org)),
            ("phone", s(&self.phone)),
            ("promise", s(&self.promise)),
            ("min_pay", s(&self.min_pay)),
            ("sort", s(&self.sort)),
            (
                "page",
                if page > 1 {
                    page.to_string()
                } else {
                    String::new()
                },
            ),
        ])
    }

    /// The field called `name`, to read or set.
    fn field_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "q" => &mut self.q,
            "category" => &mut self.category,
            "genre" => &mut self.genre,
            "topic" => &mut self.topic,
            "lang" => &mut self.lang,
            "chat" => &mut self.chat,
            "source" => &mut self.source,
            "since" => &mut self.since,
            "until" => &mut self.until,
            "place" => &mut self.place,
            "occupied" => &mut self.occupied,
            "org" => &mut self.org,
            "phone" => &mut self.phone,
            "promise" => &mut self.promise,
            "min_pay" => &mut self.min_pay,
            "sort" => &mut self.sort,
            _ => return None,
        })
    }

    /// These filters with `field` set to `value` (and paging reset): the link of a
    /// chart mark or a table row narrows the search in force, never replaces it.
    pub fn with(&self, field: &str, value: &str) -> SearchParams {
        let mut out = self.clone();
        out.page = None;
        out.limit = None;
        if let Some(slot) = out.field_mut(field) {
            *slot = Some(value.to_owned());
        }
        out
    }

    /// These filters without `field` (and paging reset).
    pub fn without(&self, field: &str) -> SearchParams {
        let mut out = self.clone();
        out.page = None;
        out.limit = None;
        if let Some(slot) = out.field_mut(field) {
            *slot = None;
        }
        out
    }

    /// The filters in force, as (field, value), in the order of [`FILTER_FIELDS`].
    pub fn active(&self) -> Vec<(&'static str, String)> {
        FILTER_FIELDS
            .iter()
            .map(|f| (*f, self.value(f)))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// A field's value for the form (empty when not set).
    pub fn value(&self, field: &str) -> String {
        let v = match field {
            "q" => &self.q,
            "category" => &self.category,
            "genre" => &self.genre,
            "topic" => &self.topic,
            "lang" => &self.lang,
            "chat" => &self.chat,
            "source" => &self.source,
            "since" => &self.since,
            "until" => &self.until,
            "place" => &self.place,
            "occupied" => &self.occupied,
            "org" => &self.org,
            "phone" => &self.phone,
            "promise" => &self.promise,
            "min_pay" => &self.min_pay,
            "sort" => &self.sort,
            _ => return String::new(),
        };
        set(v).unwrap_or("").to_owned()
    }
}

/// Today, for default date fields.
pub fn today() -> String {
    OffsetDateTime::now_utc().date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_bad_ones_are_named() {
        let p = SearchParams {
            q: Some(" контракт ".into()),
            category: Some("pmc".into()),
            since: Some("2024-03-01".into()),
            until: Some("2024-03-01".into()),
            occupied: Some("1".into()),
            min_pay: Some("200 000".into()),
            page: Some("3".into()),
            ..SearchParams::default()
        };
        let english = crate::i18n::Tr::new(
            std::sync::Arc::new(crate::i18n::Catalog::load().expect("catalogue")),
            crate::i18n::Lang::En,
        );
        let q = p.to_query(&english).expect("valid");
        assert_eq!(q.text, "контракт");
        assert_eq!(q.category, Some(Category::Pmc));
        assert_eq!(q.until.zip(q.since).map(|(u, s)| u - s), Some(86_400));
        assert_eq!(q.min_pay_rub, Some(200_000.0));
        assert_eq!(q.offset, 2 * PAGE_SIZE);
        assert_eq!(q.sort, Sort::Relevance);
        for bad in [
            SearchParams {
                category: Some("<x>".into()),
                ..SearchParams::default()
            },
            SearchParams {
                since: Some("yesterday".into()),
                ..SearchParams::default()
            },
            SearchParams {
                limit: Some("100000".into()),
                ..SearchParams::default()
            },
            SearchParams {
                q: Some("x".repeat(MAX_QUERY_CHARS + 1)),
                ..SearchParams::default()
            },
        ] {
            assert!(bad.to_query(&english).is_err());
        }
        assert!(p.to_query_string(2).contains("page=2"));
        // Every filter travels in links: a genre or topic set in the address is kept by
        // the pages, the chart marks and the chips built from it.
        let narrowed = SearchParams {
            genre: Some("ad".into()),
            topic: Some("pmc".into()),
            ..SearchParams::default()
        };
        let kept = narrowed.with("category", "pmc").to_query_string(0);
        assert_eq!(kept, "category=pmc&genre=ad&topic=pmc");
        assert_eq!(
            narrowed.active(),
            [("genre", "ad".to_owned()), ("topic", "pmc".to_owned())]
        );
        assert_eq!(narrowed.without("genre").to_query_string(0), "topic=pmc");
        assert!(!p.to_query_string(1).contains("page="));
    }
}
