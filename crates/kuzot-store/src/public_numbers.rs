//! The counts behind the public numbers page (`/public`), computed by the database over the
//! sources an administrator chose, so that no document is loaded into memory to draw it.
//!
//! Both backends run the same queries (`queries`), written once here with the few
//! places where SQLite and PostgreSQL spell things differently (month of a Unix time, the
//! JSON functions) filled in per dialect. The counts are raw: suppressing small cells is
//! the publishing side's job (`kuzot-web`), which must see every cell to decide which to
//! withhold.

use crate::Backend;

/// What is counted: an **ad** is an analysed document of a chosen source whose genre is
/// `ad` (the engine tells an offer from news about one) and whose category in force (the
/// latest label's, else the engine's) is not `other`. Genres are counted over every
/// analysed document of the chosen sources, so that the page can show how many of them
/// were ads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicCounts {
    /// Analysed documents of the chosen sources.
    pub documents: u64,
    /// Ads among them.
    pub ads: u64,
    /// The newest document time among the ads (Unix seconds), the "date of the data".
    pub latest_time: Option<i64>,
    /// Analysed documents per genre id (`""` for analyses older than genres).
    pub genres: Vec<(String, u64)>,
    /// Ads per category id in force.
    pub categories: Vec<(String, u64)>,
    /// Ads per month (`YYYY-MM`, UTC; `None`: undated), oldest first.
    pub months: Vec<(Option<String>, u64)>,
    /// Ads per language code of the engine.
    pub languages: Vec<(String, u64)>,
    /// Ads that name a place in occupied territory, and ads that do not.
    pub occupied: (u64, u64),
    /// Ads per promise id (an ad counts once per promise it makes).
    pub promises: Vec<(String, u64)>,
    /// Ads per pay band: band `k` holds the ads whose highest monthly pay in roubles is in
    /// `[k × width, (k + 1) × width)`, the last band everything above. Ads that state no
    /// wage in a currency of the rate table are in none.
    pub pay_bands: Vec<(u32, u64)>,
}

/// How offered pay is put into bands: the rouble rates (as `kuzot_model::RateTable`
/// holds them), the width of a band and their number.
#[derive(Debug, Clone, PartialEq)]
pub struct PayBands {
    /// ISO 4217 code → roubles per unit.
    pub rub_per_unit: Vec<(String, f64)>,
    /// Width of one band, in roubles a month.
    pub width_rub: f64,
    /// Number of bands; the last holds everything from `(bands − 1) × width` up.
    pub bands: u32,
}

/// The queries of [`PublicCounts`], in the dialect of `backend`. Every one starts with the
/// same `WITH` of the chosen documents and the ads among them; `pay` takes the rates as
/// parameters (code, rate, code, rate, …) followed by the band width and the last band.
pub(crate) struct PublicQueries {
    pub(crate) totals: String,
    pub(crate) genres: String,
    pub(crate) categories: String,
    pub(crate) months: String,
    pub(crate) languages: String,
    pub(crate) occupied: String,
    pub(crate) promises: String,
    pub(crate) pay: String,
}

/// Builds [`PublicQueries`] for `backend`, with `rates` rate pairs in the pay query.
pub(crate) fn queries(backend: Backend, rates: usize) -> PublicQueries {
    let postgres = backend == Backend::Postgres;
    // The label in force is the latest one (highest id) of a document.
    let head = "WITH chosen AS (
        SELECT d.id, d.time, a.lang, a.occupied, a.result, a.genre,
               COALESCE((SELECT l.category FROM labels l WHERE l.document_id = d.id
                         ORDER BY l.id DESC LIMIT 1), a.category) AS category
        FROM public_sources p
        JOIN documents d ON d.source_id = p.source_id
        JOIN analyses a ON a.document_id = d.id
    ), ads AS (
        SELECT * FROM chosen WHERE genre = 'ad' AND category <> 'other'
    ) ";
    let month = if postgres {
        "to_char(to_timestamp(time) AT TIME ZONE 'UTC', 'YYYY-MM')"
    } else {
        "strftime('%Y-%m', time, 'unixepoch')"
    };
    let occupied = if postgres {
        "CASE WHEN occupied THEN 1 ELSE 0 END"
    } else {
        "occupied"
    };
    let promises = if postgres {
        "SELECT j.value, count(DISTINCT ads.id) FROM ads
         CROSS JOIN LATERAL jsonb_array_elements_text(ads.result::jsonb -> 'facts' -> 'promises') AS j(value)
         GROUP BY 1"
    } else {
        "SELECT j.value, count(DISTINCT ads.id) FROM ads, json_each(ads.result, '$.facts.promises') AS j
         GROUP BY 1"
    };
    // Parameters: $1.. rate pairs, then the band width and the last band's index.
    let param = |k: usize| {
        if postgres {
            format!("${k}")
        } else {
            format!("?{k}")
        }
    };
    let rate_rows = (0..rates)
        .map(|k| {
            let (code, rate) = (param(2 * k + 1), param(2 * k + 2));
            if postgres {
                format!("({code}::text, {rate}::float8)")
            } else {
                format!("({code}, {rate})")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (width, last) = (param(2 * rates + 1), param(2 * rates + 2));
    // The same rule as `RateTable::monthly_rub`: a recurring wage (not a lump sum or a
    // compensation) by the month, day (×30) or hour (×240), a range at its upper end, in
    // a currency of the table; an ad's pay is its highest such amount.
    let (field, number, band) = if postgres {
        (
            "m.value ->> ",
            "(m.value ->> 'max')::float8, (m.value ->> 'min')::float8",
            format!("LEAST(floor(rub / {width}::float8)::bigint, {last}::bigint)"),
        )
    } else {
        (
            "json_extract(m.value, '$.' || ",
            "json_extract(m.value, '$.max'), json_extract(m.value, '$.min')",
            format!("min(CAST(rub / {width} AS INTEGER), {last})"),
        )
    };
    let get = |name: &str| {
        if postgres {
            format!("({field}'{name}')")
        } else {
            format!("{field}'{name}')")
        }
    };
    let money_rows = if postgres {
        "ads CROSS JOIN LATERAL jsonb_array_elements(ads.result::jsonb -> 'facts' -> 'money') AS m(value)"
    } else {
        "ads, json_each(ads.result, '$.facts.money') AS m"
    };
    let pay = format!(
        "{head}, rates(code, rub) AS (VALUES {rate_rows}),
        pay AS (
            SELECT ads.id AS id,
                   max(COALESCE({number}) * r.rub *
                       CASE {period} WHEN 'month' THEN 1 WHEN 'day' THEN 30 WHEN 'hour' THEN 240 END) AS rub
            FROM {money_rows}
            JOIN rates r ON r.code = upper({currency})
            WHERE {period} IN ('month', 'day', 'hour')
              AND COALESCE({role}, '') NOT IN ('lump_sum', 'compensation')
            GROUP BY ads.id
        )
        SELECT {band} AS band, count(*) FROM pay WHERE rub > 0 GROUP BY 1 ORDER BY 1",
        period = get("period"),
        currency = get("currency"),
        role = get("role"),
    );
    PublicQueries {
        totals: format!(
            "{head} SELECT (SELECT count(*) FROM chosen), (SELECT count(*) FROM ads), \
             (SELECT max(time) FROM ads)"
        ),
        genres: format!("{head} SELECT COALESCE(genre, ''), count(*) FROM chosen GROUP BY 1"),
        categories: format!("{head} SELECT category, count(*) FROM ads GROUP BY 1"),
        months: format!("{head} SELECT {month} AS month, count(*) FROM ads GROUP BY 1"),
        languages: format!("{head} SELECT lang, count(*) FROM ads GROUP BY 1"),
        occupied: format!("{head} SELECT {occupied}, count(*) FROM ads GROUP BY 1"),
        promises: format!("{head} {promises}"),
        pay,
    }
}

/// Sorts counts by their key, so that both backends return them alike.
pub(crate) fn sorted<K: Ord>(mut rows: Vec<(K, u64)>) -> Vec<(K, u64)> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// The occupied pair from `(flag, count)` rows.
pub(crate) fn occupied_pair(rows: &[(i64, u64)]) -> (u64, u64) {
    let count = |flag: i64| {
        rows.iter()
            .filter(|(f, _)| (*f != 0) == (flag != 0))
            .map(|(_, n)| *n)
            .sum()
    };
    (count(1), count(0))
}
