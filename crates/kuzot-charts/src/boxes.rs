//! Box plots: the spread of a quantity (such as promised pay) in each category.

use crate::bars::{mark_href, tooltip};
use crate::frame::{self, Swatch, VerticalSpec, begin_vertical};
use crate::scale::Scale;
use crate::svg::{IdHasher, colour, num};
use crate::{ChartOptions, ChartText, NumberFormat};

/// The five-number summary of one group, computed by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStats {
    /// The group's label, shown under its box.
    pub label: String,
    /// How many values the summary was computed from.
    pub count: u64,
    /// Smallest value (the end of the lower whisker).
    pub min: f64,
    /// First quartile (the bottom of the box).
    pub q1: f64,
    /// Median (the line across the box).
    pub median: f64,
    /// Third quartile (the top of the box).
    pub q3: f64,
    /// Largest value (the end of the upper whisker).
    pub max: f64,
}

impl BoxStats {
    fn numbers(&self) -> [f64; 5] {
        [self.min, self.q1, self.median, self.q3, self.max]
    }

    /// The five numbers, if all are finite: a box with a hole in it is not drawn.
    fn finite(&self) -> Option<[f64; 5]> {
        let numbers = self.numbers();
        numbers.iter().all(|v| v.is_finite()).then_some(numbers)
    }
}

/// Box plots on a linear axis: see [`box_plots_with`].
pub fn box_plots(text: &ChartText, boxes: &[BoxStats], fmt: NumberFormat) -> String {
    box_plots_with(text, boxes, fmt, &ChartOptions::default())
}

/// One box per group: whiskers from min to max, a box from q1 to q3 and a line at the
/// median, with a tooltip giving the count and the five numbers, and the count (n) of
/// every group written under its label: a box of 2 values does not look thinner than one
/// of 2,000. Long labels wrap onto lines under their box. A group with a non-finite
/// number is labelled but not drawn; numbers out of order are drawn as given. Options:
/// links per box (series index 0), a note, a logarithmic axis, whole-number ticks (for
/// amounts that are whole, such as roubles: an empty chart's axis would otherwise read
/// 0, 0.2, … 1, which a whole-number format prints as 0, 0, 0, 1, 1, 1).
pub fn box_plots_with(
    text: &ChartText,
    boxes: &[BoxStats],
    fmt: NumberFormat,
    options: &ChartOptions,
) -> String {
    let drawn: Vec<[f64; 5]> = boxes.iter().filter_map(BoxStats::finite).collect();
    let (lo, hi) = drawn
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let log = if options.log_scale && lo > 0.0 {
        Scale::log(lo, hi)
    } else {
        None
    };
    let scale = match log {
        Some(scale) => scale,
        None if drawn.is_empty() => Scale::linear_with(0.0, 1.0, options.whole_numbers),
        None => Scale::linear_with(lo, hi, options.whole_numbers),
    };
    let labels: Vec<String> = boxes.iter().map(|b| b.label.clone()).collect();
    let mut hasher = IdHasher::new("box-plots");
    for part in [&text.title, &text.description, &text.x_label, &text.y_label] {
        hasher.str(part);
    }
    for b in boxes {
        hasher.str(&b.label);
        hasher.f64(b.count as f64);
        for v in b.numbers() {
            hasher.f64(v);
        }
    }
    hasher.str(if options.log_scale { "log" } else { "linear" });
    let (mut svg, frame) = begin_vertical(VerticalSpec {
        kind: "box-plots",
        text,
        id: hasher.id(),
        categories: &labels,
        scale,
        fmt,
        legend: &[],
        swatch: Swatch::Block,
        note: options.note,
        counts: Some(boxes.iter().map(|b| fmt(b.count as f64)).collect()),
        linked: options.links.is_some(),
        width: frame::chart_width(options.width),
    });
    svg.open(
        "g",
        &[
            ("class", "data series series-0"),
            ("stroke", "#222222"),
            ("stroke-width", "1.2"),
        ],
    );
    for (index, b) in boxes.iter().enumerate() {
        let Some([min, q1, median, q3, max]) = b.finite() else {
            continue;
        };
        let (x0, slot) = frame.slot(index);
        let width = (slot * 0.5).min(60.0);
        let centre = x0 + slot / 2.0;
        let (left, right) = (centre - width / 2.0, centre + width / 2.0);
        let summary = [min, q1, median, q3, max]
            .iter()
            .map(|&v| fmt(v))
            .collect::<Vec<_>>()
            .join(" · ");
        let count = fmt(b.count as f64);
        let title = tooltip(&b.label, &format!("n = {count}"), &summary);
        let href = mark_href(options, index, 0);
        let linked = svg.open_link(href.as_deref(), &title);
        svg.open("g", &[("class", "box")]);
        svg.tooltip(&title);
        let c = num(centre);
        svg.leaf(
            "line",
            &[
                ("class", "whisker"),
                ("x1", &c),
                ("x2", &c),
                ("y1", &num(frame.y(min))),
                ("y2", &num(frame.y(max))),
            ],
        );
        for end in [min, max] {
            let y = num(frame.y(end));
            svg.leaf(
                "line",
                &[
                    ("class", "whisker-end"),
                    ("x1", &num(centre - width / 4.0)),
                    ("x2", &num(centre + width / 4.0)),
                    ("y1", &y),
                    ("y2", &y),
                ],
            );
        }
        let (y_q1, y_q3) = (frame.y(q1), frame.y(q3));
        svg.leaf(
            "rect",
            &[
                ("class", "quartiles"),
                ("x", &num(left)),
                ("y", &num(y_q1.min(y_q3))),
                ("width", &num(width)),
                ("height", &num((y_q1 - y_q3).abs())),
                ("fill", colour(0)),
                ("fill-opacity", "0.35"),
            ],
        );
        let y = num(frame.y(median));
        svg.leaf(
            "line",
            &[
                ("class", "median"),
                ("x1", &num(left)),
                ("x2", &num(right)),
                ("y1", &y),
                ("y2", &y),
                ("stroke-width", "2.5"),
            ],
        );
        svg.close("g");
        if linked {
            svg.close("a");
        }
    }
    svg.close("g");
    frame::end(svg)
}
