//! Bar charts: stacked and grouped columns over categories, and horizontal bars for a
//! ranking.

use crate::frame::{
    self, HorizontalSpec, LABEL_SIZE, Swatch, VerticalSpec, begin_horizontal, begin_vertical,
};
use crate::scale::Scale;
use crate::svg::{IdHasher, Svg, clean_label, colour, fit_label, num, text_width};
use crate::{ChartOptions, ChartText, NumberFormat, Series};

/// The value of `series` at `index`, if present and finite.
pub(crate) fn value_at(series: &Series, index: usize) -> Option<f64> {
    series.values.get(index).copied().filter(|v| v.is_finite())
}

/// The id of a chart over categories and series, derived from all of its input.
pub(crate) fn chart_id(
    kind: &str,
    text: &ChartText,
    labels: &[String],
    series: &[Series],
) -> String {
    let mut hasher = IdHasher::new(kind);
    for part in [&text.title, &text.description, &text.x_label, &text.y_label] {
        hasher.str(part);
    }
    for label in labels {
        hasher.str(label);
    }
    for s in series {
        hasher.str(&s.name);
        for &v in &s.values {
            hasher.f64(v);
        }
    }
    hasher.id()
}

/// The tooltip of one value: category, series and the formatted value.
pub(crate) fn tooltip(category: &str, series: &str, value: &str) -> String {
    let category = clean_label(category);
    let series = clean_label(series);
    if series.is_empty() {
        format!("{category}: {}", clean_label(value))
    } else {
        format!("{category} · {series}: {}", clean_label(value))
    }
}

/// The href of the mark at (`index`, `series`), if the options give marks links.
pub(crate) fn mark_href(options: &ChartOptions, index: usize, series: usize) -> Option<String> {
    options.links.and_then(|links| links(index, series))
}

/// Writes one bar between `y_a` and `y_b` (either order) with its tooltip.
fn bar(svg: &mut Svg, x: f64, width: f64, y_a: f64, y_b: f64, title: &str) {
    svg.open(
        "rect",
        &[
            ("class", "bar"),
            ("x", &num(x)),
            ("y", &num(y_a.min(y_b))),
            ("width", &num(width)),
            ("height", &num((y_a - y_b).abs())),
        ],
    );
    svg.tooltip(title);
    svg.close("rect");
}

/// Writes one horizontal bar from `x_a` to `x_b` (either order) with its tooltip.
fn bar_across(svg: &mut Svg, x_a: f64, x_b: f64, y: f64, height: f64, title: &str) {
    svg.open(
        "rect",
        &[
            ("class", "bar"),
            ("x", &num(x_a.min(x_b))),
            ("y", &num(y)),
            ("width", &num((x_b - x_a).abs())),
            ("height", &num(height)),
        ],
    );
    svg.tooltip(title);
    svg.close("rect");
}

/// Space left between neighbouring columns, as a share of the slot, when there is room.
fn gap(slot: f64) -> f64 {
    if slot >= 6.0 { slot * 0.2 } else { 0.0 }
}

/// Columns with the series stacked on each other, one column per x label (e.g. messages
/// per week by category). Positive values stack up from zero and negative ones down.
/// One `rect.bar` is written per finite value, zeros included, each with a tooltip.
pub fn stacked_bars(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> String {
    stacked_bars_with(text, x_labels, series, fmt, &ChartOptions::default())
}

/// [`stacked_bars`] with options: links per (x label, series), whole-number ticks, a note.
pub fn stacked_bars_with(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
    options: &ChartOptions,
) -> String {
    let n = x_labels.len();
    let mut highs = vec![0.0f64; n];
    let mut lows = vec![0.0f64; n];
    for s in series {
        for (index, (high, low)) in highs.iter_mut().zip(lows.iter_mut()).enumerate() {
            match value_at(s, index) {
                Some(v) if v > 0.0 => *high += v,
                Some(v) => *low += v,
                None => {}
            }
        }
    }
    let scale = Scale::from_zero(
        highs.iter().chain(lows.iter()).copied(),
        options.whole_numbers,
    );
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let (mut svg, frame) = begin_vertical(VerticalSpec {
        kind: "stacked-bars",
        text,
        id: chart_id("stacked-bars", text, x_labels, series),
        categories: x_labels,
        scale,
        fmt,
        legend: &names,
        swatch: Swatch::Block,
        note: options.note,
        counts: None,
        linked: options.links.is_some(),
        width: frame::chart_width(options.width),
    });
    highs.fill(0.0);
    lows.fill(0.0);
    // A thin white edge separates stacked segments, but would eat bars narrower than this.
    let edge = if frame.slot(0).1 >= 4.0 { "0.5" } else { "0" };
    svg.open("g", &[("class", "data")]);
    for (s_index, s) in series.iter().enumerate() {
        let class = format!("series series-{s_index}");
        svg.open(
            "g",
            &[
                ("class", &class),
                ("fill", colour(s_index)),
                ("stroke", "#ffffff"),
                ("stroke-width", edge),
            ],
        );
        for (index, label) in x_labels.iter().enumerate() {
            let Some(v) = value_at(s, index) else {
                continue;
            };
            let (x0, slot) = frame.slot(index);
            let gap = gap(slot);
            let (from, to) = match (highs.get_mut(index), lows.get_mut(index)) {
                (Some(high), Some(low)) => {
                    let base = if v >= 0.0 { high } else { low };
                    let from = *base;
                    *base += v;
                    (from, *base)
                }
                _ => (0.0, v),
            };
            let title = tooltip(label, &s.name, &fmt(v));
            let href = mark_href(options, index, s_index);
            let (y_from, y_to) = (frame.y(from), frame.y(to));
            svg.linked(href.as_deref(), &title, |svg| {
                bar(svg, x0 + gap / 2.0, slot - gap, y_from, y_to, &title);
            });
        }
        svg.close("g");
    }
    svg.close("g");
    frame::end(svg)
}

/// Columns of each series side by side within each x label (e.g. places: occupied vs
/// not). One `rect.bar` per finite value, each with a tooltip.
pub fn grouped_bars(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> String {
    grouped_bars_with(text, x_labels, series, fmt, &ChartOptions::default())
}

/// [`grouped_bars`] with options: links per (x label, series), whole-number ticks, a note.
pub fn grouped_bars_with(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
    options: &ChartOptions,
) -> String {
    let n = x_labels.len();
    let scale = Scale::from_zero(
        series.iter().flat_map(|s| s.values.iter().take(n).copied()),
        options.whole_numbers,
    );
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let (mut svg, frame) = begin_vertical(VerticalSpec {
        kind: "grouped-bars",
        text,
        id: chart_id("grouped-bars", text, x_labels, series),
        categories: x_labels,
        scale,
        fmt,
        legend: &names,
        swatch: Swatch::Block,
        note: options.note,
        counts: None,
        linked: options.links.is_some(),
        width: frame::chart_width(options.width),
    });
    let groups = series.len().max(1) as f64;
    svg.open("g", &[("class", "data")]);
    for (s_index, s) in series.iter().enumerate() {
        let class = format!("series series-{s_index}");
        svg.open("g", &[("class", &class), ("fill", colour(s_index))]);
        for (index, label) in x_labels.iter().enumerate() {
            let Some(v) = value_at(s, index) else {
                continue;
            };
            let (x0, slot) = frame.slot(index);
            let gap = gap(slot);
            let width = (slot - gap) / groups;
            let x = x0 + gap / 2.0 + s_index as f64 * width;
            let title = tooltip(label, &s.name, &fmt(v));
            let href = mark_href(options, index, s_index);
            let (y_zero, y_value) = (frame.y(0.0), frame.y(v));
            svg.linked(href.as_deref(), &title, |svg| {
                bar(svg, x, width, y_zero, y_value, &title);
            });
        }
        svg.close("g");
    }
    svg.close("g");
    frame::end(svg)
}

/// One horizontal bar per label, in the order given (e.g. top channels), with its value
/// printed at the end of the bar. One `rect.bar` per finite value.
pub fn horizontal_bars(
    text: &ChartText,
    labels: &[String],
    values: &[f64],
    fmt: NumberFormat,
) -> String {
    horizontal_bars_with(text, labels, values, fmt, &ChartOptions::default())
}

/// [`horizontal_bars`] with options: links per row (series index 0), whole-number ticks,
/// a note.
pub fn horizontal_bars_with(
    text: &ChartText,
    labels: &[String],
    values: &[f64],
    fmt: NumberFormat,
    options: &ChartOptions,
) -> String {
    let n = labels.len();
    let finite = |index: usize| values.get(index).copied().filter(|v| v.is_finite());
    let scale = Scale::from_zero((0..n).filter_map(finite), options.whole_numbers);
    let printed: Vec<Option<String>> = (0..n)
        .map(|index| finite(index).map(|v| fit_label(&fmt(v), 16).0))
        .collect();
    let widest_value = printed
        .iter()
        .flatten()
        .map(|p| text_width(p, LABEL_SIZE * 0.92))
        .fold(0.0, f64::max);
    let mut hasher = IdHasher::new("horizontal-bars");
    for part in [&text.title, &text.description, &text.x_label, &text.y_label] {
        hasher.str(part);
    }
    for label in labels {
        hasher.str(label);
    }
    for &v in values {
        hasher.f64(v);
    }
    let (mut svg, frame) = begin_horizontal(HorizontalSpec {
        kind: "horizontal-bars",
        text,
        id: hasher.id(),
        categories: labels,
        scale,
        fmt,
        value_label_width: widest_value,
        note: options.note,
        linked: options.links.is_some(),
        width: frame::chart_width(options.width),
    });
    let show_values = frame.row(0).1 >= LABEL_SIZE;
    svg.open("g", &[("class", "data")]);
    svg.open("g", &[("class", "series series-0"), ("fill", colour(0))]);
    for (index, label) in labels.iter().enumerate() {
        let Some(v) = finite(index) else {
            continue;
        };
        let (y0, row) = frame.row(index);
        let gap = if row >= 6.0 { row * 0.2 } else { 0.0 };
        let (x_zero, x_end) = (frame.x(0.0), frame.x(v));
        let title = tooltip(label, "", &fmt(v));
        let href = mark_href(options, index, 0);
        svg.linked(href.as_deref(), &title, |svg| {
            bar_across(svg, x_zero, x_end, y0 + gap / 2.0, row - gap, &title);
        });
    }
    svg.close("g");
    if show_values {
        svg.open(
            "g",
            &[
                ("class", "value-labels"),
                ("font-size", &num(LABEL_SIZE * 0.92)),
                ("fill", "#222222"),
            ],
        );
        for (index, shown) in printed.iter().enumerate() {
            let (Some(shown), Some(v)) = (shown, finite(index)) else {
                continue;
            };
            let (y0, row) = frame.row(index);
            let (x, anchor) = if v < 0.0 {
                (frame.x(v) - 4.0, "end")
            } else {
                (frame.x(v) + 4.0, "start")
            };
            svg.open(
                "text",
                &[
                    ("class", "value-label"),
                    ("x", &num(x)),
                    ("y", &num(y0 + row / 2.0 + 4.0)),
                    ("text-anchor", anchor),
                ],
            );
            svg.text(shown);
            svg.close("text");
        }
        svg.close("g");
    }
    svg.close("g");
    frame::end(svg)
}
