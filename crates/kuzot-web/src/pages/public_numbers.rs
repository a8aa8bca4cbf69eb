//! The public numbers page (`/public`, no account): aggregates of the ads of the sources an
//! administrator chose (`/admin/public`), for journalists and the public, with small
//! cells withheld ([`crate::small_cells`]).
//!
//! What it never shows: message text, phone numbers, chat or channel names, authors, and
//! any count below the threshold (`[public_numbers] min_cell`, default 10). The counts
//! come from the store's own aggregate queries (`EvidenceStore::public_counts`), never from
//! documents loaded here, and are reused for `cache_seconds` so that a busy page does not
//! query a large store on every request. Requests are counted per client address and
//! refused with 429 past `requests_per_minute` ([`crate::rate_limit`]).
//!
//! Rows are always listed in a fixed order (the categories' order, by id, by month) and
//! never by their counts: an order by size would rank the withheld cells among themselves.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kuzot_charts::{ChartOptions, ChartText, Table};
use kuzot_model::{Category, Genre};
use kuzot_store::{PayBands, PublicCounts};

use crate::auth::{Admin, Anyone};
use crate::error::AppError;
use crate::i18n::Tr;
use crate::pages::dashboard::NARROW_WIDTH;
use crate::render::{Page, html};
use crate::small_cells::{Cell, suppress_cells, suppress_partition, suppress_total};
use crate::state::AppState;

/// Settings of the page (`[public_numbers]` of `kuzot.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNumbersLimits {
    /// Counts below this are withheld. At least 1.
    pub min_cell: u64,
    /// Requests per client address per minute (0: no limit).
    pub requests_per_minute: u32,
    /// How long computed counts are reused.
    pub cache: Duration,
}

impl Default for PublicNumbersLimits {
    fn default() -> PublicNumbersLimits {
        PublicNumbersLimits {
            min_cell: 10,
            requests_per_minute: 60,
            cache: Duration::from_secs(60),
        }
    }
}

/// Width of a pay band, in roubles a month.
pub const PAY_BAND_RUB: f64 = 50_000.0;
/// Number of pay bands; the last is "300,000 and more".
pub const PAY_BANDS: u32 = 7;

/// The charts, by their URL name.
pub const CHARTS: [&str; 7] = [
    "categories",
    "months",
    "pay",
    "promises",
    "places",
    "languages",
    "genres",
];

/// Counts computed once, reused for a while.
struct Cached {
    at: Instant,
    /// When computed, Unix seconds (printed as "counted at").
    at_unix: i64,
    chosen_sources: usize,
    counts: Arc<PublicCounts>,
}

/// What the page keeps between requests, in this process only: the cached counts. They
/// are not evidence, and a restart forgets them. (The per-address limit of the page is the
/// public pages' middleware, [`crate::rate_limit`].)
#[derive(Default)]
pub struct PublicNumbersState {
    cache: Mutex<Option<Cached>>,
    /// Held while the counts are computed: requests that find the cache stale at the
    /// same moment wait for one computation instead of each querying the store.
    computing: tokio::sync::Mutex<()>,
    /// Bumped when the chosen sources change, so that a computation that started before
    /// is not cached after.
    choice: std::sync::atomic::AtomicU64,
}

impl PublicNumbersState {
    /// Forgets the cached counts (the chosen sources changed).
    pub fn forget_counts(&self) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        self.choice
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *cache = None;
    }
}

/// The pay bands the store counts in, at the server's rates.
fn pay_bands(state: &AppState) -> PayBands {
    PayBands {
        rub_per_unit: state.rates.rub_per_unit.clone(),
        width_rub: PAY_BAND_RUB,
        bands: PAY_BANDS,
    }
}

/// The cached counts, if fresh.
fn cached(state: &AppState, ttl: Duration) -> Option<(usize, Arc<PublicCounts>, i64)> {
    let cache = state
        .public_numbers
        .cache
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .as_ref()
        .filter(|c| c.at.elapsed() < ttl)
        .map(|c| (c.chosen_sources, c.counts.clone(), c.at_unix))
}

/// The counts, from the cache while it is fresh, else from the store (one computation
/// at a time per process).
async fn counts(state: &AppState) -> Result<(usize, Arc<PublicCounts>, i64), AppError> {
    let ttl = state.limits.public_numbers.cache;
    if let Some(hit) = cached(state, ttl) {
        return Ok(hit);
    }
    let _computing = state.public_numbers.computing.lock().await;
    // Another request may have filled the cache while this one waited.
    if let Some(hit) = cached(state, ttl) {
        return Ok(hit);
    }
    let choice = state
        .public_numbers
        .choice
        .load(std::sync::atomic::Ordering::SeqCst);
    let bands = pay_bands(state);
    let (chosen, counts) = state
        .with_store(move |store| {
            let chosen = store.public_sources()?.len();
            // Nothing chosen: nothing is asked, nothing published.
            let counts = if chosen == 0 {
                PublicCounts::default()
            } else {
                store.public_counts(&bands)?
            };
            Ok((chosen, counts))
        })
        .await?;
    let counts = Arc::new(counts);
    let at_unix = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut cache = state
        .public_numbers
        .cache
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let same_choice = state
        .public_numbers
        .choice
        .load(std::sync::atomic::Ordering::SeqCst)
        == choice;
    if !ttl.is_zero() && same_choice {
        *cache = Some(Cached {
            at: Instant::now(),
            at_unix,
            chosen_sources: chosen,
            counts: counts.clone(),
        });
    }
    Ok((chosen, counts, at_unix))
}

/// One row of a chart before suppression: its label and count.
struct Row {
    label: String,
    count: u64,
}

/// The rows of chart `name` and whether they add up to a published total (a partition,
/// suppressed with a complementary cell) or not (promises: an ad makes several).
fn rows(tr: &Tr, counts: &PublicCounts, name: &str) -> Option<(Vec<Row>, bool)> {
    let lookup = |list: &[(String, u64)], id: &str| {
        list.iter().find(|(k, _)| k == id).map_or(0, |(_, n)| *n)
    };
    let rows = match name {
        // Every offer category, in their fixed order, zeros included.
        "categories" => Category::ALL
            .into_iter()
            .filter(|c| *c != Category::Other)
            .map(|c| Row {
                label: tr.category(c.as_str()),
                count: lookup(&counts.categories, c.as_str()),
            })
            .collect(),
        "genres" => {
            let mut rows: Vec<Row> = Genre::ALL
                .into_iter()
                .map(|g| Row {
                    label: tr.t(&format!("genre-{}", g.as_str().replace('_', "-"))),
                    count: lookup(&counts.genres, g.as_str()),
                })
                .collect();
            // Analyses older than genres, and any id this version does not know.
            let known: u64 = rows.iter().map(|r| r.count).sum();
            let rest = counts.documents.saturating_sub(known);
            if rest > 0 {
                rows.push(Row {
                    label: tr.t("public-genre-unknown"),
                    count: rest,
                });
            }
            rows
        }
        "months" => {
            let mut rows: Vec<Row> = counts
                .months
                .iter()
                .filter_map(|(m, n)| {
                    Some(Row {
                        label: m.clone()?,
                        count: *n,
                    })
                })
                .collect();
            let undated: u64 = counts
                .months
                .iter()
                .filter(|(m, _)| m.is_none())
                .map(|(_, n)| n)
                .sum();
            if undated > 0 {
                rows.push(Row {
                    label: tr.t("public-undated"),
                    count: undated,
                });
            }
            rows
        }
        "languages" => counts
            .languages
            .iter()
            .map(|(code, n)| {
                let key = format!("lang-{code}");
                let name = tr.t(&key);
                Row {
                    // A code the catalogue does not name is shown as the code.
                    label: if name == key { code.clone() } else { name },
                    count: *n,
                }
            })
            .collect(),
        "places" => vec![
            Row {
                label: tr.t("public-places-occupied"),
                count: counts.occupied.0,
            },
            Row {
                label: tr.t("public-places-not-occupied"),
                count: counts.occupied.1,
            },
        ],
        "pay" => (0..PAY_BANDS)
            .map(|band| {
                let low = f64::from(band) * PAY_BAND_RUB;
                let label = if band + 1 == PAY_BANDS {
                    tr.t1("public-pay-band-last", "low", tr.number(low))
                } else {
                    tr.args(
                        "public-pay-band",
                        &[
                            ("low", tr.number(low).as_str()),
                            ("high", tr.number(low + PAY_BAND_RUB).as_str()),
                        ],
                    )
                };
                let count = counts
                    .pay_bands
                    .iter()
                    .find(|(b, _)| *b == band)
                    .map_or(0, |(_, n)| *n);
                Row { label, count }
            })
            .collect(),
        "promises" => {
            return Some((
                counts
                    .promises
                    .iter()
                    .map(|(id, n)| {
                        let key = format!("promise-{}", id.replace('_', "-"));
                        let name = tr.t(&key);
                        Row {
                            label: if name == key { id.clone() } else { name },
                            count: *n,
                        }
                    })
                    .collect(),
                false,
            ));
        }
        _ => return None,
    };
    Some((rows, true))
}

/// A chart as the page, its CSV and its SVG show it.
pub struct PublicChart {
    /// URL name.
    pub name: &'static str,
    /// Title.
    pub title: String,
    /// What it counts and how.
    pub description: String,
    /// The drawing at the desktop width.
    pub svg: String,
    /// The drawing at a phone's width.
    pub narrow_svg: String,
    /// Its rows as published: label and the count or "fewer than N".
    pub table: Table,
    /// True when some row is withheld.
    pub any_withheld: bool,
}

/// The "date of the data" line: the newest ad's day and when the counts were made.
fn data_date(tr: &Tr, counts: &PublicCounts, counted_at: i64) -> String {
    let newest = counts
        .latest_time
        .map_or_else(|| tr.t("public-undated"), |t| tr.date(t));
    tr.args(
        "public-data-date",
        &[
            ("newest", newest.as_str()),
            ("counted", tr.datetime(counted_at).as_str()),
        ],
    )
}

/// What a chart is drawn with besides the counts.
pub struct DrawContext<'a> {
    /// The reader's language.
    pub tr: &'a Tr,
    /// When the counts were made (Unix seconds).
    pub counted_at: i64,
    /// The suppression threshold.
    pub min: u64,
    /// The day of the rouble rates of the pay chart.
    pub rates_as_of: &'a str,
}

/// Draws chart `name`: its rows suppressed, the drawing at both widths (none for a CSV).
pub fn draw(
    context: &DrawContext<'_>,
    counts: &PublicCounts,
    name: &str,
    for_csv: bool,
) -> Option<PublicChart> {
    let DrawContext {
        tr,
        counted_at,
        min,
        rates_as_of,
    } = *context;
    let name = CHARTS.into_iter().find(|c| *c == name)?;
    let (rows, partition) = rows(tr, counts, name)?;
    let values: Vec<u64> = rows.iter().map(|r| r.count).collect();
    let mut cells = if partition {
        suppress_partition(&values, min)
    } else {
        suppress_cells(&values, min)
    };
    // The whole table is withheld when what it counts is: fewer ads than the threshold
    // would otherwise show as a partition whose every row is "fewer than N".
    let base = if name == "genres" {
        counts.documents
    } else {
        counts.ads
    };
    if suppress_total(base, min) == Cell::Withheld {
        cells = values
            .iter()
            .map(|&n| {
                if n == 0 {
                    Cell::Shown(0)
                } else {
                    Cell::Withheld
                }
            })
            .collect();
    }
    let fewer = tr.t1("public-fewer-than", "min", min);
    let date = data_date(tr, counts, counted_at);
    let rule = tr.t1("public-rule-short", "min", min);
    let mut description = tr.t(&format!("public-chart-{name}-desc"));
    if name == "pay" {
        description = format!(
            "{description} {}",
            tr.t1("public-rates", "date", rates_as_of)
        );
    }
    let unit = tr.t(if name == "genres" {
        "public-axis-documents"
    } else {
        "public-axis-ads"
    });
    let text = ChartText {
        title: tr.t(&format!("public-chart-{name}")),
        description: format!("{description} {date} {rule}"),
        x_label: unit.clone(),
        y_label: String::new(),
    };
    let labels: Vec<String> = rows
        .iter()
        .zip(&cells)
        .map(|(r, c)| match c {
            Cell::Shown(_) => r.label.clone(),
            // The marker first: the chart crate shortens long labels from their end.
            Cell::Withheld => format!("<{min} · {}", r.label),
        })
        .collect();
    // A withheld row has no bar: NaN is "no value" to the chart crate.
    let plotted: Vec<f64> = cells
        .iter()
        .map(|c| c.shown().map_or(f64::NAN, |n| n as f64))
        .collect();
    let fmt = |v: f64| tr.number(v);
    let note = format!("{date} {rule}");
    let svg_at = |width: Option<f64>| {
        let options = ChartOptions {
            whole_numbers: true,
            note: &note,
            width,
            ..ChartOptions::default()
        };
        kuzot_charts::horizontal_bars_with(&text, &labels, &plotted, &fmt, &options)
    };
    let (svg, narrow_svg) = if for_csv {
        (String::new(), String::new())
    } else {
        (svg_at(None), svg_at(Some(NARROW_WIDTH)))
    };
    let withheld_text = if for_csv {
        format!("<{min}")
    } else {
        fewer.clone()
    };
    let mut table = Table {
        columns: vec![tr.t(&format!("public-column-{name}")), unit],
        rows: rows
            .iter()
            .zip(&cells)
            .map(|(r, c)| {
                vec![
                    r.label.clone(),
                    match c {
                        Cell::Shown(n) if for_csv => n.to_string(),
                        Cell::Shown(n) => tr.int(*n),
                        Cell::Withheld => withheld_text.clone(),
                    },
                ]
            })
            .collect(),
    };
    if for_csv {
        // The date of the data and the rule travel with the numbers.
        table.rows.push(vec![
            tr.t("public-csv-newest"),
            counts
                .latest_time
                .map(crate::filters::day_param)
                .unwrap_or_default(),
        ]);
        table.rows.push(vec![
            tr.t("public-csv-counted"),
            crate::filters::day_param(counted_at),
        ]);
        table
            .rows
            .push(vec![tr.t1("public-rule-short", "min", min), String::new()]);
    }
    Some(PublicChart {
        name,
        title: text.title.clone(),
        description: text.description.clone(),
        svg,
        narrow_svg,
        any_withheld: cells.contains(&Cell::Withheld),
        table,
    })
}

#[derive(Template)]
#[template(path = "public_numbers.html")]
struct PublicNumbersPage {
    page: Page,
    /// No source chosen: the page says so and shows nothing.
    nothing_chosen: bool,
    /// "N ads" or "fewer than N ads".
    ads: String,
    /// "N documents" or withheld.
    documents: String,
    data_date: String,
    rule: String,
    rates_note: String,
    charts: Vec<PublicChart>,
}

/// GET /public
pub async fn public_page(
    State(state): State<AppState>,
    Anyone(caller): Anyone,
    tr: Tr,
    uri: Uri,
) -> Result<Response, AppError> {
    let limits = state.limits.public_numbers.clone();
    let (chosen, counts, counted_at) = counts(&state).await?;
    let min = limits.min_cell.max(1);
    let total = |n: u64, id: &str| match suppress_total(n, min) {
        Cell::Shown(n) => tr.count(id, n),
        Cell::Withheld => tr.t1(&format!("{id}-fewer"), "min", min),
    };
    let charts = if chosen == 0 || counts.ads == 0 {
        Vec::new()
    } else {
        CHARTS
            .iter()
            .filter_map(|name| {
                let context = DrawContext {
                    tr: &tr,
                    counted_at,
                    min,
                    rates_as_of: &state.rates.as_of,
                };
                draw(&context, &counts, name, false)
            })
            .collect()
    };
    let rates = &state.rates;
    let title = tr.t("public-title");
    html(&PublicNumbersPage {
        nothing_chosen: chosen == 0,
        ads: total(counts.ads, "public-ads-count"),
        documents: total(counts.documents, "public-documents-count"),
        data_date: data_date(&tr, &counts, counted_at),
        rule: tr.t1("public-rule", "min", min),
        rates_note: tr.t1("public-rates", "date", &rates.as_of),
        charts,
        page: Page::public(tr, &caller, &uri, title),
    })
}

/// GET /public/charts/{file} — `categories.svg`, `categories.csv`, …
pub async fn public_chart_file(
    State(state): State<AppState>,
    tr: Tr,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let limits = state.limits.public_numbers.clone();
    let (name, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| AppError::not_found("chart"))?;
    if !CHARTS.contains(&name) || !matches!(ext, "svg" | "csv") {
        return Err(AppError::not_found("chart"));
    }
    let (chosen, counts, counted_at) = counts(&state).await?;
    if chosen == 0 {
        return Err(AppError::not_found("chart"));
    }
    let min = limits.min_cell.max(1);
    let context = DrawContext {
        tr: &tr,
        counted_at,
        min,
        rates_as_of: &state.rates.as_of,
    };
    let chart =
        draw(&context, &counts, name, ext == "csv").ok_or_else(|| AppError::not_found("chart"))?;
    // Public and the same for everyone: caches may keep it as long as the server does.
    let cache = format!("public, max-age={}", limits.cache.as_secs());
    Ok(match ext {
        "svg" => (
            [
                (CONTENT_TYPE, "image/svg+xml; charset=utf-8".to_owned()),
                (CACHE_CONTROL, cache),
            ],
            chart.svg,
        )
            .into_response(),
        _ => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"kuzot-public-{name}.csv\""),
                ),
                (CACHE_CONTROL, cache),
            ],
            chart.table.to_csv_for_excel(),
        )
            .into_response(),
    })
}

/// One source as the administrator chooses among them.
struct SourceChoice {
    id: i64,
    name: String,
    format: String,
    imported: String,
    documents: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "admin_public_numbers.html")]
struct AdminPublicNumbersPage {
    page: Page,
    sources: Vec<SourceChoice>,
    saved: bool,
    chosen_text: String,
}

/// Query of the admin page: `saved=1` after a save.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// GET /admin/public — which sources feed the public page.
pub async fn admin_page(
    State(state): State<AppState>,
    Admin(_, caller): Admin,
    tr: Tr,
    uri: Uri,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let (sources, chosen) = state
        .with_store(|store| Ok((store.sources()?, store.public_sources()?)))
        .await?;
    let sources: Vec<SourceChoice> = sources
        .into_iter()
        .map(|s| SourceChoice {
            chosen: chosen.contains(&s.id),
            id: s.id,
            format: tr.t(&format!("format-{}", s.format.replace('_', "-"))),
            imported: tr.rfc3339(&s.imported_at),
            documents: tr.count("documents-count", s.added),
            name: s.original_name,
        })
        .collect();
    let title = tr.t("public-admin-title");
    html(&AdminPublicNumbersPage {
        chosen_text: tr.count("public-admin-chosen", chosen.len() as u64),
        sources,
        saved: query.saved.is_some(),
        page: Page::new(tr, &caller, &uri, title),
    })
}

/// POST /admin/public — `source=<id>` once per chosen source (none: publish nothing).
pub async fn admin_save(
    State(state): State<AppState>,
    Admin(me, _): Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let mut ids: Vec<i64> = Vec::new();
    for (key, value) in &fields {
        if key == "source" {
            let id = value
                .trim()
                .parse::<i64>()
                .map_err(|_| AppError::bad_request("a source id is not a number"))?;
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let name = me.name.clone();
    let chosen = state
        .with_store(move |store| {
            store.set_public_sources(&ids, &name)?;
            Ok(store.public_sources()?)
        })
        .await?;
    state.public_numbers.forget_counts();
    let detail = if chosen.is_empty() {
        "no sources".to_owned()
    } else {
        format!(
            "sources {}",
            chosen
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    state.audit(&me.name, "public_sources", &detail).await?;
    Ok(Redirect::to("/admin/public?saved=1").into_response())
}

/// The page's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public", get(public_page))
        .route("/public/charts/{file}", get(public_chart_file))
        .route("/admin/public", get(admin_page).post(admin_save))
}
