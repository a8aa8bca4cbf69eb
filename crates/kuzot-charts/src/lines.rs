//! Lines of shares over time.
//!
//! Lines rather than a 100 % stacked area: the reader can follow any one series against
//! the gridlines, and the shares the caller passes need not add up to one (a message can
//! fall in several categories, or some may be left out).

use crate::bars::{chart_id, mark_href, tooltip, value_at};
use crate::frame::{self, Swatch, VerticalSpec, begin_vertical};
use crate::scale::Scale;
use crate::svg::{colour, num};
use crate::{ChartOptions, ChartText, NumberFormat, Series};

/// One line per series of shares (0 to 1) over the x labels, with a point and tooltip at
/// each finite value; a missing value breaks the line. The axis runs from 0 to 1 and
/// stretches if a value lies outside. `fmt` receives shares and should write percentages.
pub fn share_lines(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> String {
    share_lines_with(text, x_labels, series, fmt, &ChartOptions::default())
}

/// [`share_lines`] with options: links per (x label, series), a note, and the n behind
/// each x label ([`crate::ShareTotals`]): written in a row under the labels and in each
/// point's tooltip, with the points of an n below the minimum drawn hollow. A share the
/// caller could not compute (no items that week) should be passed as NaN: it draws no
/// point and breaks the line, where 0 would claim "none of them". Where the totals say
/// n = 0 the share is missing whatever value was passed: a share of nothing was not
/// measured, and drawing the 0 a caller computed would read as a measured 0 %.
pub fn share_lines_with(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
    options: &ChartOptions,
) -> String {
    let n = x_labels.len();
    let totals = options.totals;
    let total_at = |index: usize| totals.and_then(|t| t.totals.get(index).copied());
    let measured: Vec<Series> = series
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            values: s
                .values
                .iter()
                .enumerate()
                .map(|(index, &v)| {
                    if total_at(index) == Some(0) {
                        f64::NAN
                    } else {
                        v
                    }
                })
                .collect(),
        })
        .collect();
    let series = measured.as_slice();
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.values.iter().take(n).copied())
        .filter(|v| v.is_finite())
        .fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let scale = Scale::linear(lo, hi);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let counts = totals.map(|t| {
        (0..n)
            .map(|index| {
                total_at(index)
                    .map(|c| (t.format)(c as f64))
                    .unwrap_or_default()
            })
            .collect()
    });
    let (mut svg, frame) = begin_vertical(VerticalSpec {
        kind: "share-lines",
        text,
        id: chart_id("share-lines", text, x_labels, series),
        categories: x_labels,
        scale,
        fmt,
        legend: &names,
        swatch: Swatch::Line,
        note: options.note,
        counts,
        linked: options.links.is_some(),
        width: frame::chart_width(options.width),
    });
    let (_, slot) = frame.slot(0);
    // Points shrink as they crowd, but stay big enough to hover.
    let radius = (slot / 3.0).clamp(1.5, 3.5);
    svg.open("g", &[("class", "data")]);
    for (s_index, s) in series.iter().enumerate() {
        let class = format!("series series-{s_index}");
        svg.open("g", &[("class", &class)]);
        let mut path = String::new();
        let mut pen_down = false;
        for index in 0..n {
            match value_at(s, index) {
                Some(v) => {
                    let (x0, w) = frame.slot(index);
                    path.push(if pen_down { 'L' } else { 'M' });
                    path.push_str(&num(x0 + w / 2.0));
                    path.push(' ');
                    path.push_str(&num(frame.y(v)));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            svg.leaf(
                "path",
                &[
                    ("class", "line"),
                    ("d", &path),
                    ("fill", "none"),
                    ("stroke", colour(s_index)),
                    ("stroke-width", "2"),
                    ("stroke-linejoin", "round"),
                ],
            );
        }
        svg.open("g", &[("class", "points"), ("fill", colour(s_index))]);
        for (index, label) in x_labels.iter().enumerate() {
            let Some(v) = value_at(s, index) else {
                continue;
            };
            let (x0, w) = frame.slot(index);
            let value = match (totals, total_at(index)) {
                (Some(t), Some(total)) => format!("{} (n = {})", fmt(v), (t.format)(total as f64)),
                _ => fmt(v),
            };
            let title = tooltip(label, &s.name, &value);
            // Too few items behind a share to read it as a trend: drawn hollow.
            let hollow = matches!(
                (totals, total_at(index)),
                (Some(t), Some(total)) if total < t.min_total
            );
            let (cx, cy, r) = (num(x0 + w / 2.0), num(frame.y(v)), num(radius));
            let href = mark_href(options, index, s_index);
            svg.linked(href.as_deref(), &title, |svg| {
                let mut attrs = vec![
                    ("class", if hollow { "point hollow" } else { "point" }),
                    ("cx", cx.as_str()),
                    ("cy", cy.as_str()),
                    ("r", r.as_str()),
                ];
                if hollow {
                    attrs.extend([
                        ("fill", "#ffffff"),
                        ("stroke", colour(s_index)),
                        ("stroke-width", "1.5"),
                    ]);
                }
                svg.open("circle", &attrs);
                svg.tooltip(&title);
                svg.close("circle");
            });
        }
        svg.close("g");
        svg.close("g");
    }
    svg.close("g");
    frame::end(svg)
}
