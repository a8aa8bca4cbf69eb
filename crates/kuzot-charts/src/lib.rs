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

pub use bars::{grouped_bars, horizontal_bars, stacked_bars};
pub use boxes::{BoxPlotOptions, BoxStats, box_plots, box_plots_with};
pub use lines::share_lines;
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
