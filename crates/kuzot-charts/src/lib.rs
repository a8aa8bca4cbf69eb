//! SVG charts drawn on the server, with their numbers as tables and CSV.
//!
//! kuzot's dashboard and reports show charts as inline SVG, each with the same numbers
//! as a [`Table`] (for an HTML table beside it and a CSV download). This crate knows
//! nothing of kuzot's domain: the caller passes labels already localised and a
//! [`NumberFormat`] that writes numbers the way the reader's locale does.
//!
//! The SVG is built as plain text. A chart is a few hundred rectangles, lines and
//! labels; a plotting or XML library would add weight, fonts or a rendering back-end
//! this needs none of, and plain string building keeps every byte of the output in view:
//! which matters because the output must be safe to inline in a page served under a strict
//! Content-Security-Policy. So the output has no `style` attributes or elements, no
//! scripts, no event handlers and no external references; only presentation attributes
//! (`fill`, `stroke`, `font-size`, ...), with `class` hooks for the page's CSS.
//!
//! A chart can be read and clicked through: with [`ChartOptions::links`] every mark (bar,
//! point, box) is an SVG `<a>` to the search behind it, named for screen readers by the
//! same words as its tooltip; the caller builds the hrefs (this crate knows no URLs) and
//! only relative ones are written, so a chart never links off the site. The same links
//! work when the SVG is inlined in a page and when it is opened as a file.
//!
//! Every label comes from hostile text (channel names are written by recruiters): every
//! string is XML-escaped, control and bidirectional-override characters are removed from
//! labels, long labels are cut to fit with `…`, and [`Table::to_csv`] guards against
//! spreadsheet formula injection.
//!
//! Any data is drawn without panicking: empty series, one point, all zeros, negative
//! values, thousands of points. **Non-finite values (NaN, ±∞) are treated as missing**:
//! they draw nothing, do not stretch the axis, break a line, and are empty cells in the
//! tables. A series shorter than the list of x labels is missing its last values; values
//! past the last x label are ignored. The same input always gives the same bytes.
//!
//! ```
//! use kuzot_charts::{ChartText, Series, plain_number, stacked_bars, stacked_bars_table};
//!
//! let text = ChartText {
//!     title: "Messages per week".into(),
//!     description: "Recruitment messages per week, by category.".into(),
//!     x_label: "Week".into(),
//!     y_label: "Messages".into(),
//! };
//! let weeks = vec!["W01".to_owned(), "W02".to_owned()];
//! let series = vec![
//!     Series { name: "Military contract".into(), values: vec![12.0, 30.0] },
//!     Series { name: "Construction".into(), values: vec![4.0, 7.0] },
//! ];
//! let svg = stacked_bars(&text, &weeks, &series, &|v| format!("{v}"));
//! assert!(svg.starts_with("<svg"));
//! let csv = stacked_bars_table(&text, &weeks, &series, &plain_number).to_csv();
//! assert_eq!(csv, "Week,Military contract,Construction\r\nW01,12,4\r\nW02,30,7\r\n");
//! ```

mod bars;
mod boxes;
mod frame;
mod lines;
pub mod scale;
mod svg;
mod table;

pub use bars::{
    grouped_bars, grouped_bars_with, horizontal_bars, horizontal_bars_with, stacked_bars,
    stacked_bars_with,
};
pub use boxes::{BoxStats, box_plots, box_plots_with};
pub use lines::{share_lines, share_lines_with};
pub use table::{
    Table, box_plots_table, grouped_bars_table, horizontal_bars_table, plain_number,
    share_lines_table, stacked_bars_table,
};

/// One named series of values, one value per x label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' name, shown in the legend and tooltips.
    pub name: String,
    /// One value per x label; non-finite values are missing.
    pub values: Vec<f64>,
}

/// The words of a chart, already localised by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartText {
    /// Shown above the chart and used as its accessible name.
    pub title: String,
    /// A sentence or two for screen readers (the SVG `<desc>`).
    pub description: String,
    /// The title of the horizontal axis (may be empty).
    pub x_label: String,
    /// The title of the vertical axis (may be empty).
    pub y_label: String,
}

/// Writes a number for the reader: locale-aware formatting is the caller's. For
/// [`share_lines`] it receives a share between 0 and 1 and should write a percentage.
pub type NumberFormat<'a> = &'a dyn Fn(f64) -> String;

/// Where the marks of a chart lead. It is given a mark's place: the index of its x label
/// (or row, or box) and the index of its series (0 where the chart has one), and returns
/// the href of the page behind the mark, or `None` where the mark leads nowhere. Only
/// relative hrefs (`/…`, `?…`, `#…`) are written; any other is dropped, so that a chart
/// inlined in a page cannot point off the site or run a `javascript:` URL.
pub type MarkLinks<'a> = &'a dyn Fn(usize, usize) -> Option<String>;

/// What the shares of [`share_lines_with`] are shares of: a share of 1 message in 1 reads
/// as 100 %, so the reader needs n beside it.
#[derive(Clone, Copy)]
pub struct ShareTotals<'a> {
    /// How many items the shares at each x label are shares of (n), in x label order.
    /// Shown in a row under the labels and in each point's tooltip.
    pub totals: &'a [u64],
    /// Points whose n is below this are drawn hollow: too few items to read as a trend.
    /// The caller says so in [`ChartOptions::note`].
    pub min_total: u64,
    /// Writes a count (n) for the reader.
    pub format: NumberFormat<'a>,
}

/// How to draw a chart beyond its data. `ChartOptions::default()` draws plain marks on a
/// linear axis, as the functions without `_with` do.
#[derive(Clone, Copy, Default)]
pub struct ChartOptions<'a> {
    /// Makes every mark a link (see [`MarkLinks`]).
    pub links: Option<MarkLinks<'a>>,
    /// The values are counts: the value axis has ticks at whole numbers only, never at
    /// "0.5 messages".
    pub whole_numbers: bool,
    /// A sentence shown under the title and legend, already localised: how to read the
    /// chart or how its numbers were made (e.g. that daily pay was turned into monthly
    /// pay). Empty: none.
    pub note: &'a str,
    /// Box plots: draw the value axis on a logarithmic scale (pay spans orders of
    /// magnitude). Ignored, falling back to linear, unless every drawn number is > 0.
    pub log_scale: bool,
    /// Share lines: the n behind each x label (see [`ShareTotals`]).
    pub totals: Option<ShareTotals<'a>>,
    /// The width to draw at, in SVG units (`None`: 800). Text keeps its size whatever
    /// the width, so a page that shows a chart in a narrow column (a phone) asks for a
    /// narrow drawing rather than scaling a wide one down until its labels are unreadable:
    /// fewer tick labels fit, and long labels are cut or wrapped sooner. Clamped to
    /// 240–4000; a chart drawn at another width than 800 gets ids of its own, so the
    /// same chart at two widths can share a page.
    pub width: Option<f64>,
}
