//! The dashboard: five charts drawn on the server from the index's aggregates, each with
//! its numbers as a table and as CSV. The same filters as search apply, so a dashboard
//! can be drawn for one channel, one phone or one search.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kuzot_charts::{BoxStats, ChartText, Series, Table};
use kuzot_model::Category;
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
    /// Its numbers.
    pub table: Table,
}

fn week_labels(tr: &Tr, agg: &Aggregates) -> Vec<String> {
    agg.weeks
        .iter()
        .map(|w| tr.short_date(w.week_start))
        .collect()
}

/// Draws chart `name` from the aggregates, in the caller's language.
pub fn draw(tr: &Tr, agg: &Aggregates, name: &str, for_csv: bool) -> Option<Chart> {
    // Counts are whole, but a count axis up to 1 or 2 gets ticks at 0.2 or 0.5: show
    // those with a decimal rather than rounding them to repeated labels.
    let fmt_int = |v: f64| {
        if (v - v.round()).abs() < 1e-9 {
            tr.number(v)
        } else {
            tr.decimal(v, 1)
        }
    };
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
    let chart = match name {
        "weekly" => {
            let labels = week_labels(tr, agg);
            let series = category_series(&|i, w| w.counts.get(i).copied().unwrap_or(0) as f64);
            let t = text("weekly", &tr.t("axis-week"), &tr.t("axis-messages"));
            Chart {
                name: "weekly",
                svg: kuzot_charts::stacked_bars(&t, &labels, &series, &fmt_int),
                table: kuzot_charts::stacked_bars_table(&t, &labels, &series, cell),
                title: t.title,
            }
        }
        "share" => {
            let labels = week_labels(tr, agg);
            // Shares among recruitment categories only: ordinary jobs and other posts
            // would drown the signal.
            let risk: Vec<Category> = Category::ALL.into_iter().filter(|c| c.is_risk()).collect();
            let series: Vec<Series> = risk
                .iter()
                .map(|c| Series {
                    name: tr.category(c.as_str()),
                    values: agg
                        .weeks
                        .iter()
                        .map(|w| {
                            let total: u64 = risk
                                .iter()
                                .map(|r| w.counts.get(r.index()).copied().unwrap_or(0))
                                .sum();
                            let n = w.counts.get(c.index()).copied().unwrap_or(0);
                            if total == 0 {
                                0.0
                            } else {
                                n as f64 / total as f64
                            }
                        })
                        .collect(),
                })
                .collect();
            let t = text("share", &tr.t("axis-week"), &tr.t("axis-share"));
            let fmt_share = |v: f64| tr.percent(v);
            Chart {
                name: "share",
                svg: kuzot_charts::share_lines(&t, &labels, &series, &fmt_share),
                table: kuzot_charts::share_lines_table(
                    &t,
                    &labels,
                    &series,
                    if for_csv { cell } else { &fmt_share },
                ),
                title: t.title,
            }
        }
        "channels" => {
            let labels: Vec<String> = agg.top_chats.iter().map(|(c, _)| c.clone()).collect();
            let values: Vec<f64> = agg.top_chats.iter().map(|(_, n)| *n as f64).collect();
            let t = text("channels", &tr.t("axis-messages"), &tr.t("axis-channel"));
            Chart {
                name: "channels",
                svg: kuzot_charts::horizontal_bars(&t, &labels, &values, &fmt_int),
                table: kuzot_charts::horizontal_bars_table(&t, &labels, &values, cell),
                title: t.title,
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
            t.description = format!(
                "{} {}",
                t.description,
                tr.t1("rates-note", "date", &agg.rates.as_of)
            );
            Chart {
                name: "pay",
                svg: kuzot_charts::box_plots(&t, &boxes, &fmt_int),
                table: kuzot_charts::box_plots_table(&t, &boxes, cell),
                title: t.title,
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
                svg: kuzot_charts::grouped_bars(&t, &labels, &series, &fmt_int),
                table: kuzot_charts::grouped_bars_table(&t, &labels, &series, cell),
                title: t.title,
            }
        }
        _ => return None,
    };
    Some(chart)
}

/// The search behind each row of chart `name`'s table (in the table's row order): the
/// filters in force narrowed to that week, channel, category or place.
pub fn row_links(agg: &Aggregates, name: &str, params: &SearchParams) -> Vec<String> {
    let link = |p: SearchParams| format!("/search?{}", p.to_query_string(0));
    match name {
        "weekly" | "share" => agg
            .weeks
            .iter()
            .map(|w| {
                // A week runs Monday to Sunday; "until" includes its day.
                link(
                    params
                        .with("since", &day_param(w.week_start))
                        .with("until", &day_param(w.week_start + 6 * 86_400)),
                )
            })
            .collect(),
        "channels" => agg
            .top_chats
            .iter()
            .map(|(chat, _)| link(params.with("chat", chat)))
            .collect(),
        "pay" => agg
            .pay
            .iter()
            .map(|p| link(params.with("category", p.category.as_str())))
            .collect(),
        "places" => agg
            .places
            .iter()
            .map(|p| link(params.with("place", &p.id)))
            .collect(),
        _ => Vec::new(),
    }
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
                "category" => tr.category(&value),
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
}

async fn aggregate(state: &AppState, params: &SearchParams) -> Result<Aggregates, AppError> {
    let mut query = params.to_query()?;
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
    let agg = aggregate(&state, &params).await?;
    let charts = CHARTS
        .iter()
        .filter_map(|name| {
            let chart = draw(&tr, &agg, name, false)?;
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
        .filter(|(f, _)| !matches!(*f, "category" | "chat" | "since" | "until"))
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
    let agg = aggregate(&state, &params).await?;
    let chart = draw(&tr, &agg, name, ext == "csv").ok_or_else(|| AppError::not_found("chart"))?;
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
