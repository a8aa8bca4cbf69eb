//! Lines of shares over time.
//!
//! Lines rather than a 100 % stacked area: the reader can follow any one series against
//! the gridlines, and the shares the caller passes need not add up to one (a message can
//! fall in several categories, or some may be left out).

use crate::bars::{chart_id, tooltip, value_at};
use crate::frame::{self, Swatch, VerticalSpec, begin_vertical};
use crate::scale::Scale;
use crate::svg::{colour, num};
use crate::{ChartText, NumberFormat, Series};

/// One line per series of shares (0 to 1) over the x labels, with a point and tooltip at
/// each finite value; a missing value breaks the line. The axis runs from 0 to 1 and
/// stretches if a value lies outside. `fmt` receives shares and should write percentages.
pub fn share_lines(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> String {
    let n = x_labels.len();
    let (lo, hi) = series
        .iter()
        .flat_map(|s| s.values.iter().take(n).copied())
        .filter(|v| v.is_finite())
        .fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let scale = Scale::linear(lo, hi);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let (mut svg, frame) = begin_vertical(VerticalSpec {
        kind: "share-lines",
        text,
        id: chart_id("share-lines", text, x_labels, series),
        categories: x_labels,
        scale,
        fmt,
        legend: &names,
        swatch: Swatch::Line,
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
            svg.open(
                "circle",
                &[
                    ("class", "point"),
                    ("cx", &num(x0 + w / 2.0)),
                    ("cy", &num(frame.y(v))),
                    ("r", &num(radius)),
                ],
            );
            svg.tooltip(&tooltip(label, &s.name, &fmt(v)));
            svg.close("circle");
        }
        svg.close("g");
        svg.close("g");
    }
    svg.close("g");
    frame::end(svg)
}
