//! The dashboard: five charts drawn on the server from the index's aggregates, each with
//! its numbers as a table and as CSV. The same filters as search apply, so a dashboard
//! can be drawn for one channel, one phone or one search.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kuzot_charts::{BoxStats, ChartOptions, ChartText, Series, ShareTotals, Table};
use kuzot_model::{Category, DAYS_PER_MONTH, HOURS_PER_MONTH};
use kuzot_search::Aggregates;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::filters::SearchParams;
use crate::filters::day_param;
use crate::i18n::Tr;
use crate::render::{Page, html};
use crate::state::AppState;

/// The charts, by their URL name.
pub const CHARTS: [&str; 5] = ["weekly", "share", "channels", "pay", "places"];

/// One drawn chart.
pub struct Chart {
    /// URL name.
    pub name: &'static str,
    /// Title.
    pub title: String,
    /// The SVG (escaped inside by the chart crate).
    pub svg: String,
    /// The same chart drawn for a phone's width ([`NARROW_WIDTH`]), shown instead of `svg`
    /// on narrow screens; empty for a CSV.
    pub narrow_svg: String,
    /// Its numbers.
    pub table: Table,
}

fn week_labels(tr: &Tr, agg: &Aggregates) -> Vec<String> {
    agg.weeks
        .iter()
        .map(|w| tr.short_date(w.week_start))
        .collect()
}

/// Weeks with fewer recruitment messages than this have their shares drawn hollow: one
/// message of one category is "100 %", which says nothing about a trend.
pub const MIN_SHARE_TOTAL: u64 = 5;

/// The recruitment categories, in the order of the share chart's series.
fn risk_categories() -> Vec<Category> {
    Category::ALL.into_iter().filter(|c| c.is_risk()).collect()
}

/// Recruitment messages per week: the n behind each week's shares.
fn risk_totals(agg: &Aggregates) -> Vec<u64> {
    let risk = risk_categories();
    agg.weeks
        .iter()
        .map(|w| {
            risk.iter()
                .map(|r| w.counts.get(r.index()).copied().unwrap_or(0))
                .sum()
        })
        .collect()
}

/// Width in SVG units of the charts drawn for phones. A chart's frame on a 390 px phone
/// is about 346 px wide, so this drawing is shown at slightly over its own size and its
/// 11-unit tick labels stay at least 11 px; the 800-unit drawing scaled into that frame
/// had 5 px labels (or scrolled sideways when kept at 800 px).
pub const NARROW_WIDTH: f64 = 340.0;

/// Draws chart `name` from the aggregates, in the caller's language, at the desktop
/// width and (except for a CSV) at [`NARROW_WIDTH`]. With `links` (the filters in force),
/// every mark of the drawing is a link to the search behind it; `for_csv` writes the
/// table's numbers in full for machines.
pub fn draw(
    tr: &Tr,
    agg: &Aggregates,
    name: &str,
    for_csv: bool,
    links: Option<&SearchParams>,
) -> Option<Chart> {
    let mut chart = draw_at(tr, agg, name, for_csv, links, None)?;
    if !for_csv {
        chart.narrow_svg = draw_at(tr, agg, name, false, links, Some(NARROW_WIDTH))?.svg;
    }
    Some(chart)
}

/// [`draw`] at one width (`None`: the chart crate's default).
fn draw_at(
    tr: &Tr,
    agg: &Aggregates,
    name: &str,
    for_csv: bool,
    links: Option<&SearchParams>,
    width: Option<f64>,
) -> Option<Chart> {
    let fmt_int = |v: f64| tr.number(v);
    let plain = |v: f64| kuzot_charts::plain_number(v);
    // Tables shown on the page use the language's number format; CSV keeps full precision.
    let cell: &dyn Fn(f64) -> String = if for_csv { &plain } else { &fmt_int };
    let text = |id: &str, x: &str, y: &str| ChartText {
        title: tr.t(&format!("chart-{id}")),
        description: tr.t(&format!("chart-{id}-desc")),
        x_label: x.to_owned(),
        y_label: y.to_owned(),
    };
    let category_series =
        |values: &dyn Fn(usize, &kuzot_search::WeekCounts) -> f64| -> Vec<Series> {
            Category::ALL
                .into_iter()
                .map(|c| Series {
                    name: tr.category(c.as_str()),
                    values: agg.weeks.iter().map(|w| values(c.index(), w)).collect(),
                })
                .collect()
        };
    let link = |row: usize, series: usize| mark_href(agg, name, links?, row, series);
    let options = ChartOptions {
        links: links
            .is_some()
            .then_some(&link as &dyn Fn(usize, usize) -> Option<String>),
        // Every chart but the pay and share charts counts messages.
        whole_numbers: true,
        width,
        ..ChartOptions::default()
    };
    let chart = match name {
        "weekly" => {
            let labels = week_labels(tr, agg);
            let series = category_series(&|i, w| w.counts.get(i).copied().unwrap_or(0) as f64);
            let t = text("weekly", &tr.t("axis-week"), &tr.t("axis-messages"));
            Chart {
                name: "weekly",
                svg: kuzot_charts::stacked_bars_with(&t, &labels, &series, &fmt_int, &options),
                table: kuzot_charts::stacked_bars_table(&t, &labels, &series, cell),
                title: t.title,
                narrow_svg: String::new(),
            }
        }
        "share" => {
            let labels = week_labels(tr, agg);
            // Shares among recruitment categories only: ordinary jobs and other posts
            // would drown the signal.
            let risk = risk_categories();
            let totals = risk_totals(agg);
            let series: Vec<Series> = risk
                .iter()
                .map(|c| Series {
                    name: tr.category(c.as_str()),
                    values: agg
                        .weeks
                        .iter()
                        .zip(&totals)
                        .map(|(w, &total)| {
                            let n = w.counts.get(c.index()).copied().unwrap_or(0);
                            // A week without recruitment has no share: no point, not 0 %.
                            if total == 0 {
                                f64::NAN
                            } else {
                                n as f64 / total as f64
                            }
                        })
                        .collect(),
                })
                .collect();
            let t = text("share", &tr.t("axis-week"), &tr.t("axis-share"));
            let fmt_share = |v: f64| tr.percent(v);
            let note = tr.t1("chart-share-note", "min", MIN_SHARE_TOTAL);
            let share_options = ChartOptions {
                whole_numbers: false,
                note: &note,
                totals: Some(ShareTotals {
                    totals: &totals,
                    min_total: MIN_SHARE_TOTAL,
                    format: &fmt_int,
                }),
                ..options
            };
            let mut table = kuzot_charts::share_lines_table(
                &t,
                &labels,
                &series,
                if for_csv { cell } else { &fmt_share },
            );
            // The n of each week, as in the drawing.
            table.columns.push("n".to_owned());
            for (row, total) in table.rows.iter_mut().zip(&totals) {
                row.push(cell(*total as f64));
            }
            Chart {
                name: "share",
                svg: kuzot_charts::share_lines_with(
                    &t,
                    &labels,
                    &series,
                    &fmt_share,
                    &share_options,
                ),
                table,
                title: t.title,
                narrow_svg: String::new(),
            }
        }
        "channels" => {
            let labels: Vec<String> = agg.top_chats.iter().map(|(c, _)| c.clone()).collect();
            let values: Vec<f64> = agg.top_chats.iter().map(|(_, n)| *n as f64).collect();
            let t = text("channels", &tr.t("axis-messages"), &tr.t("axis-channel"));
            Chart {
                name: "channels",
                svg: kuzot_charts::horizontal_bars_with(&t, &labels, &values, &fmt_int, &options),
                table: kuzot_charts::horizontal_bars_table(&t, &labels, &values, cell),
                title: t.title,
                narrow_svg: String::new(),
            }
        }
        "pay" => {
            let boxes: Vec<BoxStats> = agg
                .pay
                .iter()
                .map(|p| BoxStats {
                    label: tr.category(p.category.as_str()),
                    count: p.count,
                    min: p.min,
                    q1: p.q1,
                    median: p.median,
                    q3: p.q3,
                    max: p.max,
                })
                .collect();
            let mut t = text("pay", &tr.t("axis-category"), &tr.t("axis-rub-month"));
            // Pay by the day, shift or hour is multiplied up to a month: the chart says
            // so, or a reader takes the figures for what the ads advertised.
            let (days, hours) = (tr.number(DAYS_PER_MONTH), tr.number(HOURS_PER_MONTH));
            let note = tr.args(
                "chart-pay-note",
                &[("days", days.as_str()), ("hours", hours.as_str())],
            );
            t.description = format!(
                "{} {note} {}",
                t.description,
                tr.t1("rates-note", "date", &agg.rates.as_of)
            );
            let pay_options = ChartOptions {
                // Roubles are printed whole, so the ticks must be whole too.
                whole_numbers: true,
                note: &note,
                ..options
            };
            let mut table = kuzot_charts::box_plots_table(&t, &boxes, cell);
            if !for_csv {
                table.columns[2..].clone_from_slice(&[
                    tr.t("pay-min"),
                    tr.t("pay-q1"),
                    tr.t("pay-median"),
                    tr.t("pay-q3"),
                    tr.t("pay-max"),
                ]);
            }
            Chart {
                name: "pay",
                svg: kuzot_charts::box_plots_with(&t, &boxes, &fmt_int, &pay_options),
                table,
                title: t.title,
                narrow_svg: String::new(),
            }
        }
        "places" => {
            let labels: Vec<String> = agg.places.iter().map(|p| tr.place(&p.id)).collect();
            let series = vec![
                Series {
                    name: tr.t("occupied"),
                    values: agg
                        .places
                        .iter()
                        .map(|p| if p.occupied { p.count as f64 } else { 0.0 })
                        .collect(),
                },
                Series {
                    name: tr.t("not-occupied"),
                    values: agg
                        .places
                        .iter()
                        .map(|p| if p.occupied { 0.0 } else { p.count as f64 })
                        .collect(),
                },
            ];
            let t = text("places", &tr.t("axis-place"), &tr.t("axis-messages"));
            Chart {
                name: "places",
                svg: kuzot_charts::grouped_bars_with(&t, &labels, &series, &fmt_int, &options),
                table: kuzot_charts::grouped_bars_table(&t, &labels, &series, cell),
                title: t.title,
                narrow_svg: String::new(),
            }
        }
        _ => return None,
    };
    Some(chart)
}

/// The search behind row `row` of chart `name` (a week, channel, category or place),
/// narrowed to the category of series `series` where the chart has one series per
/// category: the filters in force plus the row's and the series' own. Without `series`
/// it is the search of a whole row of the numbers table. `None` past the data.
pub fn mark_filters(
    agg: &Aggregates,
    name: &str,
    params: &SearchParams,
    row: usize,
    series: Option<usize>,
) -> Option<SearchParams> {
    let by_category = |p: SearchParams, categories: &[Category]| match series {
        Some(s) => categories.get(s).map(|c| p.with("category", c.as_str())),
        None => Some(p),
    };
    match name {
        "weekly" => by_category(
            week_filters(params, agg.weeks.get(row)?.week_start),
            &Category::ALL,
        ),
        "share" => by_category(
            week_filters(params, agg.weeks.get(row)?.week_start),
            &risk_categories(),
        ),
        "channels" => Some(params.with("chat", &agg.top_chats.get(row)?.0)),
        "pay" => {
            let category = params.with("category", agg.pay.get(row)?.category.as_str());
            // A box counts the messages of its category that offer a monthly pay:
            // "at least 0 roubles" keeps exactly those, unless a floor is already set.
            Some(if params.value("min_pay").is_empty() {
                category.with("min_pay", "0")
            } else {
                category
            })
        }
        // A place is occupied or not, so its two series lead to the same search.
        "places" => Some(params.with("place", &agg.places.get(row)?.id)),
        _ => None,
    }
}

/// The filters in force narrowed to the week starting at `week_start` (Monday, unix
/// seconds). A week runs Monday to Sunday ("until" includes its day); where the filters
/// in force start or end inside it, the week's search keeps their narrower bounds, as the
/// count drawn for it did.
fn week_filters(params: &SearchParams, week_start: i64) -> SearchParams {
    let week_first = day_param(week_start);
    let week_last = day_param(week_start + 6 * 86_400);
    // Days as YYYY-MM-DD compare as text; the filters were checked before counting.
    let since = params.value("since").max(week_first);
    let until = match params.value("until") {
        until if !until.is_empty() && until < week_last => until,
        _ => week_last,
    };
    params.with("since", &since).with("until", &until)
}

/// How many messages the mark at (`row`, `series`) of chart `name` counts: a mark that
/// counts none leads nowhere (its search would be empty, and an invisible bar would be a
/// stop for the keyboard).
fn mark_count(agg: &Aggregates, name: &str, row: usize, series: usize) -> u64 {
    match name {
        "weekly" => agg
            .weeks
            .get(row)
            .and_then(|w| w.counts.get(Category::ALL.get(series)?.index()).copied())
            .unwrap_or(0),
        "share" => agg
            .weeks
            .get(row)
            .and_then(|w| {
                w.counts
                    .get(risk_categories().get(series)?.index())
                    .copied()
            })
            .unwrap_or(0),
        "channels" => agg.top_chats.get(row).map_or(0, |(_, n)| *n),
        "pay" => agg.pay.get(row).map_or(0, |p| p.count),
        // Series 0 holds the occupied places, series 1 the others.
        "places" => agg
            .places
            .get(row)
            .filter(|p| p.occupied == (series == 0))
            .map_or(0, |p| p.count),
        _ => 0,
    }
}

/// The link of the mark at (`row`, `series`) of chart `name`: the search it counts.
pub fn mark_href(
    agg: &Aggregates,
    name: &str,
    params: &SearchParams,
    row: usize,
    series: usize,
) -> Option<String> {
    if mark_count(agg, name, row, series) == 0 {
        return None;
    }
    mark_filters(agg, name, params, row, Some(series)).map(|p| search_href(&p))
}

/// The search page of `params`.
fn search_href(params: &SearchParams) -> String {
    format!("/search?{}", params.to_query_string(0))
}

/// The search behind each row of chart `name`'s table (in the table's row order): the
/// filters in force narrowed to that week, channel, category or place.
pub fn row_links(agg: &Aggregates, name: &str, params: &SearchParams) -> Vec<String> {
    let rows = match name {
        "weekly" | "share" => agg.weeks.len(),
        "channels" => agg.top_chats.len(),
        "pay" => agg.pay.len(),
        "places" => agg.places.len(),
        _ => 0,
    };
    (0..rows)
        .filter_map(|row| mark_filters(agg, name, params, row, None))
        .map(|p| search_href(&p))
        .collect()
}

/// A chart as the dashboard shows it: the drawing and its table rows with their links.
pub struct ChartView {
    /// The chart.
    pub chart: Chart,
    /// Each table row and the search behind it (empty when it has none).
    pub rows: Vec<(String, Vec<String>)>,
}

/// A filter in force, as a chip: its label, its value as read, and the link without it.
pub struct ActiveFilter {
    /// The query parameter it comes from (`q`, `phone`, ...).
    pub field: &'static str,
    /// What the filter is ("Phone").
    pub label: String,
    /// Its value, in words where it is an id.
    pub value: String,
    /// The same page without this filter.
    pub remove_href: String,
}

/// The chips of the filters in force, in the caller's language.
pub fn active_filters(tr: &Tr, params: &SearchParams, path: &str) -> Vec<ActiveFilter> {
    params
        .active()
        .into_iter()
        .map(|(field, value)| {
            let shown = match field {
                "category" | "topic" => tr.category(&value),
                "genre" => tr.t(&format!("genre-{}", value.replace('_', "-"))),
                "place" => tr.place(&value),
                "lang" => tr.t(&format!("lang-{value}")),
                "occupied" => tr.t(if matches!(value.as_str(), "1" | "true" | "yes") {
                    "yes"
                } else {
                    "no"
                }),
                _ => value.clone(),
            };
            let label_id = match field {
                "q" => "filter-text".to_owned(),
                "min_pay" => "filter-min-pay".to_owned(),
                other => format!("filter-{other}"),
            };
            ActiveFilter {
                field,
                label: tr.t(&label_id),
                value: shown,
                remove_href: format!("{path}?{}", params.without(field).to_query_string(0)),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    page: Page,
    params: SearchParams,
    categories: Vec<(String, String)>,
    total: String,
    counts: Vec<(String, String, String, String)>,
    charts: Vec<ChartView>,
    filter_query: String,
    rates_note: String,
    active: Vec<ActiveFilter>,
    /// Filters in force that the form has no field for: kept as hidden inputs, so that
    /// "Apply" never drops them.
    hidden: Vec<(&'static str, String)>,
    /// No message matches (an empty store, or filters that match nothing): a pointer to
    /// what to do instead of five empty charts.
    empty: bool,
}

async fn aggregate(
    state: &AppState,
    tr: &Tr,
    params: &SearchParams,
) -> Result<Aggregates, AppError> {
    let mut query = params.to_query(tr)?;
    query.offset = 0;
    state
        .blocking(move |s| Ok(s.index.aggregate(&query)?))
        .await
}

/// GET /
pub async fn dashboard(
    State(state): State<AppState>,
    Viewer(_, caller): Viewer,
    tr: Tr,
    uri: Uri,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let agg = aggregate(&state, &tr, &params).await?;
    let empty = agg.total == 0;
    let charts = CHARTS
        .iter()
        .filter(|_| !empty)
        .filter_map(|name| {
            let chart = draw(&tr, &agg, name, false, Some(&params))?;
            let links = row_links(&agg, name, &params);
            let rows = chart
                .table
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| (links.get(i).cloned().unwrap_or_default(), row.clone()))
                .collect();
            Some(ChartView { chart, rows })
        })
        .collect();
    let counts = agg
        .categories
        .iter()
        .map(|(c, n)| {
            (
                c.as_str().to_owned(),
                tr.category(c.as_str()),
                tr.int(*n),
                format!(
                    "/search?{}",
                    params.with("category", c.as_str()).to_query_string(0)
                ),
            )
        })
        .collect();
    let active = active_filters(&tr, &params, "/");
    let hidden = params
        .active()
        .into_iter()
        .filter(|(f, _)| {
            !matches!(
                *f,
                "category" | "genre" | "topic" | "chat" | "since" | "until"
            )
        })
        .collect();
    let rates_note = format!(
        "{} {}",
        tr.t1("rates-note", "date", &agg.rates.as_of),
        agg.rates
            .rub_per_unit
            .iter()
            .filter(|(c, _)| c != "RUB")
            .map(|(c, r)| format!("{c} = {} ₽", tr.decimal(*r, if *r < 1.0 { 4 } else { 2 })))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let title = tr.t("dashboard-title");
    html(&DashboardPage {
        total: tr.count("documents-count", agg.total),
        categories: crate::pages::search::category_options(&tr),
        filter_query: params.to_query_string(0),
        page: Page::new(tr, &caller, &uri, title),
        params,
        counts,
        charts,
        rates_note,
        active,
        hidden,
        empty,
    })
}

/// GET /charts/{file} — `weekly.svg`, `weekly.csv`, … with the dashboard's filters.
pub async fn chart_file(
    State(state): State<AppState>,
    Viewer(..): Viewer,
    tr: Tr,
    Path(file): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let (name, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| AppError::not_found("chart"))?;
    if !CHARTS.contains(&name) || !matches!(ext, "svg" | "csv") {
        return Err(AppError::not_found("chart"));
    }
    let agg = aggregate(&state, &tr, &params).await?;
    // The file's marks link to the same searches as the page's: its hrefs are paths of
    // this site, so they work wherever the file is opened from it.
    let chart = draw(&tr, &agg, name, ext == "csv", Some(&params))
        .ok_or_else(|| AppError::not_found("chart"))?;
    let response = match ext {
        "svg" => ([(CONTENT_TYPE, "image/svg+xml; charset=utf-8")], chart.svg).into_response(),
        _ => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"kuzot-{name}.csv\""),
                ),
            ],
            chart.table.to_csv_for_excel(),
        )
            .into_response(),
    };
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuzot_search::{PlaceCount, WeekCounts};

    /// Monday 4 March 2024, 00:00 UTC.
    const MONDAY: i64 = 1_709_510_400;

    fn aggregates() -> Aggregates {
        let mut counts = [0; 7];
        counts[Category::MilitaryContract.index()] = 3;
        Aggregates {
            total: 3,
            categories: vec![(Category::MilitaryContract, 3)],
            weeks: vec![WeekCounts {
                week_start: MONDAY,
                counts,
            }],
            top_chats: vec![("Работа & <Москва>".to_owned(), 3)],
            pay: vec![kuzot_search::PayStats {
                category: Category::MilitaryContract,
                count: 2,
                min: 150_000.0,
                q1: 160_000.0,
                median: 180_000.0,
                q3: 200_000.0,
                max: 210_000.0,
            }],
            places: vec![PlaceCount {
                id: "mariupol".to_owned(),
                occupied: true,
                count: 2,
            }],
            langs: Vec::new(),
            rates: kuzot_model::RateTable::default(),
        }
    }

    #[test]
    fn a_week_link_is_the_week_within_the_dates_in_force() {
        let none = SearchParams::default();
        let week = week_filters(&none, MONDAY);
        assert_eq!(
            (week.value("since"), week.value("until")),
            ("2024-03-04".to_owned(), "2024-03-10".to_owned())
        );
        let inside = SearchParams {
            since: Some("2024-03-06".into()),
            until: Some("2024-03-08".into()),
            ..SearchParams::default()
        };
        let week = week_filters(&inside, MONDAY);
        assert_eq!(
            (week.value("since"), week.value("until")),
            ("2024-03-06".to_owned(), "2024-03-08".to_owned())
        );
        let around = SearchParams {
            since: Some("2024-01-01".into()),
            until: Some("2024-12-31".into()),
            ..SearchParams::default()
        };
        let week = week_filters(&around, MONDAY);
        assert_eq!(
            (week.value("since"), week.value("until")),
            ("2024-03-04".to_owned(), "2024-03-10".to_owned())
        );
    }

    #[test]
    fn marks_link_to_their_row_and_series_and_marks_of_nothing_lead_nowhere() {
        let agg = aggregates();
        let params = SearchParams {
            phone: Some("+79990001122".into()),
            ..SearchParams::default()
        };
        let contract = Category::ALL
            .iter()
            .position(|c| *c == Category::MilitaryContract)
            .expect("a category");
        let href = mark_href(&agg, "weekly", &params, 0, contract).expect("a link");
        assert_eq!(
            href,
            "/search?category=military_contract&since=2024-03-04&until=2024-03-10&phone=%2B79990001122"
        );
        // Another category counts nothing that week.
        assert_eq!(mark_href(&agg, "weekly", &params, 0, contract + 1), None);
        // Past the data.
        assert_eq!(mark_href(&agg, "weekly", &params, 1, contract), None);
        let chat = mark_href(&agg, "channels", &params, 0, 0).expect("a channel link");
        assert!(
            chat.contains("chat=%D0%A0%D0%B0%D0%B1%D0%BE%D1%82%D0%B0+%26+%3C"),
            "{chat}"
        );
        assert!(chat.contains("phone=%2B79990001122"), "{chat}");
        // A place is occupied: its bar among the occupied links, the other is empty.
        assert!(mark_href(&agg, "places", &params, 0, 0).is_some());
        assert_eq!(mark_href(&agg, "places", &params, 0, 1), None);
        // A pay box opens the messages of its category that offer a monthly pay.
        assert_eq!(
            mark_href(&agg, "pay", &params, 0, 0).as_deref(),
            Some("/search?category=military_contract&phone=%2B79990001122&min_pay=0")
        );
        let floor = params.with("min_pay", "100000");
        assert_eq!(
            mark_href(&agg, "pay", &floor, 0, 0).as_deref(),
            Some("/search?category=military_contract&phone=%2B79990001122&min_pay=100000")
        );
        // The numbers table's row links are the same searches, without the series.
        assert_eq!(
            row_links(&agg, "weekly", &params),
            ["/search?since=2024-03-04&until=2024-03-10&phone=%2B79990001122"]
        );
    }
}
