//! The parts every chart shares: the root element with its accessible name, the title,
//! the legend, and the axes with gridlines and thinned tick labels.

use crate::scale::Scale;
use crate::svg::{Svg, chars_fitting, colour, fit_label, num, text_width, wrap_label};
use crate::{ChartText, NumberFormat};

/// Width of a chart in SVG units unless [`crate::ChartOptions::width`] says otherwise;
/// pages scale it with CSS.
pub(crate) const DEFAULT_WIDTH: f64 = 800.0;
/// Bounds of a chart's width: narrower leaves no room for a plot beside the tick labels,
/// and wider only makes the labels small once a page scales the drawing down.
const MIN_WIDTH: f64 = 240.0;
const MAX_WIDTH: f64 = 4000.0;

/// The width to draw at for the caller's `requested` width (`None`: the default).
pub(crate) fn chart_width(requested: Option<f64>) -> f64 {
    match requested {
        Some(w) if w.is_finite() => w.clamp(MIN_WIDTH, MAX_WIDTH),
        _ => DEFAULT_WIDTH,
    }
}

/// The element id of a chart drawn `width` wide: the same chart drawn at two widths for
/// one page (desktop and phone) must not repeat ids, or `aria-labelledby` names the
/// wrong one.
fn sized_id(id: &str, width: f64) -> String {
    if width == DEFAULT_WIDTH {
        id.to_owned()
    } else {
        format!("{id}-w{}", num(width))
    }
}
const MARGIN: f64 = 16.0;
const TITLE_SIZE: f64 = 16.0;
/// Distance between the baselines of a title's lines.
const TITLE_LINE: f64 = 20.0;
/// A title longer than the chart is wide (a Kyrgyz title on a phone) wraps onto a second
/// line rather than losing its end; past two lines it is cut, whole in its tooltip.
const MAX_TITLE_LINES: usize = 2;
pub(crate) const LABEL_SIZE: f64 = 12.0;
pub(crate) const TICK_SIZE: f64 = 11.0;
const PLOT_HEIGHT: f64 = 300.0;
const LEGEND_ROW: f64 = 18.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
const INK: &str = "#222222";
const MUTED: &str = "#555555";
const GRID: &str = "#dddddd";
/// Longest tick label on a value axis, in characters.
const VALUE_LABEL_CHARS: usize = 14;
/// Bounds of the longest category label under a vertical chart, in characters.
const MIN_CATEGORY_LABEL_CHARS: usize = 10;
const MAX_CATEGORY_LABEL_CHARS: usize = 24;
/// Longest legend entry, in characters.
const LEGEND_CHARS: usize = 40;
/// Category labels are wrapped onto lines rather than cut when a line of their slot holds
/// at least this many characters; narrower slots (many weeks) are thinned out instead.
const MIN_WRAP_CHARS: usize = 8;
/// Most lines of one category label.
const MAX_LABEL_LINES: usize = 3;
/// Distance between the baselines of a wrapped label's lines.
const LABEL_LINE: f64 = 13.0;
/// Height of the row of counts (n) under the category labels.
const COUNT_ROW: f64 = 16.0;
/// Most lines of a chart's note.
const MAX_NOTE_LINES: usize = 4;
const NOTE_LINE: f64 = 16.0;

/// How a series is shown in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// A filled square, for bars.
    Block,
    /// A short thick line, for lines.
    Line,
}

/// A legend placed in rows under the title.
struct LegendLayout {
    /// (shown text, full text, x, y of the row's middle) per entry.
    entries: Vec<(String, String, f64, f64)>,
    height: f64,
}

fn layout_legend(names: &[&str], top: f64, chart_width: f64) -> LegendLayout {
    let mut entries = Vec::with_capacity(names.len());
    let (mut x, mut row) = (MARGIN, 0.0f64);
    // An entry never runs past the right edge, however narrow the chart: the swatch,
    // its gap and the space after the entry take 38 units.
    let max_chars = chars_fitting(chart_width - 2.0 * MARGIN - 38.0, LABEL_SIZE).min(LEGEND_CHARS);
    for name in names {
        let (shown, full) = fit_label(name, max_chars);
        let width = 14.0 + 6.0 + text_width(&shown, LABEL_SIZE) + 18.0;
        if x > MARGIN && x + width > chart_width - MARGIN {
            x = MARGIN;
            row += 1.0;
        }
        entries.push((shown, full, x, top + row * LEGEND_ROW + LEGEND_ROW / 2.0));
        x += width;
    }
    let height = if names.is_empty() {
        0.0
    } else {
        (row + 1.0) * LEGEND_ROW
    };
    LegendLayout { entries, height }
}

fn write_legend(svg: &mut Svg, legend: &LegendLayout, swatch: Swatch) {
    if legend.entries.is_empty() {
        return;
    }
    svg.open("g", &[("class", "legend")]);
    for (index, (shown, full, x, y)) in legend.entries.iter().enumerate() {
        let class = format!("legend-entry series-{index}");
        svg.open("g", &[("class", &class)]);
        match swatch {
            Swatch::Block => svg.leaf(
                "rect",
                &[
                    ("x", &num(*x)),
                    ("y", &num(y - 6.0)),
                    ("width", "12"),
                    ("height", "12"),
                    ("fill", colour(index)),
                ],
            ),
            Swatch::Line => svg.leaf(
                "line",
                &[
                    ("x1", &num(*x)),
                    ("x2", &num(x + 14.0)),
                    ("y1", &num(*y)),
                    ("y2", &num(*y)),
                    ("stroke", colour(index)),
                    ("stroke-width", "3"),
                ],
            ),
        }
        svg.label(
            &[
                ("x", &num(x + 20.0)),
                ("y", &num(y + 4.0)),
                ("font-size", &num(LABEL_SIZE)),
                ("fill", INK),
            ],
            shown,
            full,
        );
        svg.close("g");
    }
    svg.close("g");
}

/// Opens the root element and writes the accessible name, the background and the title.
/// A chart whose marks are links is a group of them rather than one image: children of
/// an image are hidden from assistive technology, and its links would be out of reach.
fn write_header(
    svg: &mut Svg,
    kind: &str,
    text: &ChartText,
    title: &TitleLines,
    id: &str,
    (width, height): (f64, f64),
    linked: bool,
) {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let class = format!("kuzot-chart kuzot-chart-{kind}");
    let view_box = format!("0 0 {} {}", num(width), num(height));
    let labelled_by = format!("{title_id} {desc_id}");
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("id", id),
            ("class", &class),
            ("viewBox", &view_box),
            ("width", &num(width)),
            ("height", &num(height)),
            ("role", if linked { "group" } else { "img" }),
            ("aria-labelledby", &labelled_by),
            ("font-family", FONT),
        ],
    );
    svg.open("title", &[("id", &title_id)]);
    svg.text(&text.title);
    svg.close("title");
    svg.open("desc", &[("id", &desc_id)]);
    svg.text(&text.description);
    svg.close("desc");
    svg.leaf(
        "rect",
        &[
            ("class", "background"),
            ("width", &num(width)),
            ("height", &num(height)),
            ("fill", "#ffffff"),
        ],
    );
    svg.open(
        "text",
        &[
            ("class", "chart-title"),
            ("font-size", &num(TITLE_SIZE)),
            ("font-weight", "bold"),
            ("fill", INK),
        ],
    );
    for (index, line) in title.lines.iter().enumerate() {
        let y = 26.0 + index as f64 * TITLE_LINE;
        svg.open("tspan", &[("x", &num(MARGIN)), ("y", &num(y))]);
        svg.text(line);
        svg.close("tspan");
    }
    if title.lines.join(" ") != title.full {
        svg.tooltip(&title.full);
    }
    svg.close("text");
}

/// A chart's title broken into the lines that fit its width.
struct TitleLines {
    lines: Vec<String>,
    /// The whole cleaned title, for the tooltip when the lines had to cut it.
    full: String,
}

impl TitleLines {
    fn new(title: &str, chart_width: f64) -> TitleLines {
        let (lines, full) = wrap_label(
            title,
            chars_fitting(chart_width - 2.0 * MARGIN, TITLE_SIZE * 1.05),
            MAX_TITLE_LINES,
        );
        TitleLines { lines, full }
    }

    /// How much lower than under a one-line title everything under it starts.
    fn extra_height(&self) -> f64 {
        self.lines.len().saturating_sub(1) as f64 * TITLE_LINE
    }
}

/// The note under the title and legend, wrapped to the chart's width. Its lines are
/// counted a fifth narrower than other labels: a sentence of Cyrillic in a wide font
/// (DejaVu Sans) runs past the average width a short label keeps to.
fn note_lines(note: &str, chart_width: f64) -> Vec<String> {
    wrap_label(
        note,
        chars_fitting(chart_width - 2.0 * MARGIN, LABEL_SIZE * 1.2),
        MAX_NOTE_LINES,
    )
    .0
}

/// Writes the note's lines, the first baseline at `first_baseline`.
fn write_note(svg: &mut Svg, lines: &[String], first_baseline: f64) {
    if lines.is_empty() {
        return;
    }
    svg.open(
        "g",
        &[
            ("class", "note"),
            ("font-size", &num(LABEL_SIZE)),
            ("fill", MUTED),
        ],
    );
    for (index, line) in lines.iter().enumerate() {
        svg.open(
            "text",
            &[
                ("x", &num(MARGIN)),
                ("y", &num(first_baseline + index as f64 * NOTE_LINE)),
            ],
        );
        svg.text(line);
        svg.close("text");
    }
    svg.close("g");
}

/// Writes an axis title; vertical ones are turned to read bottom to top.
fn write_axis_title(svg: &mut Svg, axis: &str, text: &str, x: f64, y: f64, length: f64) {
    let (shown, full) = fit_label(text, chars_fitting(length, LABEL_SIZE));
    if full.is_empty() {
        return;
    }
    let class = format!("axis-title axis-title-{axis}");
    let rotate = format!("rotate(-90 {} {})", num(x), num(y));
    let mut attrs = vec![
        ("class", class.as_str()),
        ("text-anchor", "middle"),
        ("font-size", "12"),
        ("fill", MUTED),
    ];
    let (xs, ys) = (num(x), num(y));
    attrs.push(("x", &xs));
    attrs.push(("y", &ys));
    if axis == "y" {
        attrs.push(("transform", &rotate));
    }
    svg.label(&attrs, &shown, &full);
}

/// Value-axis tick labels, cleaned and cut, with their widest width.
fn value_labels(scale: &Scale, fmt: NumberFormat) -> (Vec<(f64, String, String)>, f64) {
    let labels: Vec<(f64, String, String)> = scale
        .ticks
        .iter()
        .map(|&tick| {
            let (shown, full) = fit_label(&fmt(tick), VALUE_LABEL_CHARS);
            (tick, shown, full)
        })
        .collect();
    let widest = labels
        .iter()
        .map(|(_, shown, _)| text_width(shown, TICK_SIZE))
        .fold(0.0, f64::max);
    (labels, widest)
}

/// Every how many category labels one is shown so that they do not overlap.
fn label_stride(widest: f64, slot: f64) -> usize {
    let stride = (widest / slot.max(1e-9)).ceil();
    if stride.is_finite() && stride >= 1.0 {
        // Bounded by the number of labels by the caller's use; a huge value only means
        // that one label is shown.
        stride.min(1e9) as usize
    } else {
        1
    }
}

/// A chart with categories along the bottom and values up the side.
pub(crate) struct Vertical {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    slots: usize,
    scale: Scale,
}

impl Vertical {
    /// The left edge and width of category `index`'s slot.
    pub(crate) fn slot(&self, index: usize) -> (f64, f64) {
        let width = self.width / self.slots.max(1) as f64;
        (self.left + index as f64 * width, width)
    }

    /// The y coordinate of `value`.
    pub(crate) fn y(&self, value: f64) -> f64 {
        self.top + self.height * (1.0 - self.scale.fraction(value))
    }
}

/// What a vertical chart needs drawn before its data.
pub(crate) struct VerticalSpec<'a> {
    pub(crate) kind: &'a str,
    pub(crate) text: &'a ChartText,
    pub(crate) id: String,
    pub(crate) categories: &'a [String],
    pub(crate) scale: Scale,
    pub(crate) fmt: NumberFormat<'a>,
    pub(crate) legend: &'a [&'a str],
    pub(crate) swatch: Swatch,
    /// A sentence under the title and legend (empty: none).
    pub(crate) note: &'a str,
    /// A count (n) per category, written in a row under the category labels.
    pub(crate) counts: Option<Vec<String>>,
    /// Whether the marks are links (the root is then a group, not an image).
    pub(crate) linked: bool,
    /// The chart's width in SVG units (see [`chart_width`]).
    pub(crate) width: f64,
}

/// The category labels under a vertical chart: each as lines, with its full text, and
/// every how many labels one is shown.
struct CategoryLabels {
    labels: Vec<(Vec<String>, String)>,
    stride: usize,
    lines: usize,
}

/// Fits the category labels to slots `slot_width` wide: wrapped onto a few lines where a
/// line holds a few words (so that "Disguised military job" is read whole), otherwise
/// cut to one line and thinned out so that they do not overlap.
fn layout_categories(categories: &[String], slot_width: f64) -> CategoryLabels {
    let per_line = chars_fitting(slot_width - 2.0, TICK_SIZE);
    if per_line >= MIN_WRAP_CHARS {
        let labels: Vec<(Vec<String>, String)> = categories
            .iter()
            .map(|label| wrap_label(label, per_line, MAX_LABEL_LINES))
            .collect();
        let lines = labels
            .iter()
            .map(|(lines, _)| lines.len())
            .max()
            .unwrap_or(1)
            .max(1);
        return CategoryLabels {
            labels,
            stride: 1,
            lines,
        };
    }
    // Few categories may use their wide slots; many are thinned out below instead.
    let max_chars = per_line.clamp(MIN_CATEGORY_LABEL_CHARS, MAX_CATEGORY_LABEL_CHARS);
    let labels: Vec<(Vec<String>, String)> = categories
        .iter()
        .map(|label| {
            let (shown, full) = fit_label(label, max_chars);
            (vec![shown], full)
        })
        .collect();
    let widest = labels
        .iter()
        .flat_map(|(lines, _)| lines.iter())
        .map(|shown| text_width(shown, TICK_SIZE) + 10.0)
        .fold(0.0, f64::max);
    CategoryLabels {
        labels,
        stride: label_stride(widest, slot_width),
        lines: 1,
    }
}

/// Writes the frame of a vertical chart and returns the document, ready for the data.
pub(crate) fn begin_vertical(spec: VerticalSpec) -> (Svg, Vertical) {
    let (ticks, widest_tick) = value_labels(&spec.scale, spec.fmt);
    let has_y_title = !spec.text.y_label.trim().is_empty();
    let has_x_title = !spec.text.x_label.trim().is_empty();
    let has_counts = spec.counts.is_some();
    // The row of counts is headed "n" in the margin left of the plot.
    let left = MARGIN + if has_y_title { 20.0 } else { 0.0 } + widest_tick.max(10.0) + 8.0;
    let right = MARGIN + 8.0;
    let chart_width = spec.width;
    let width = (chart_width - left - right).max(100.0);
    let title = TitleLines::new(&spec.text.title, chart_width);
    let under_title = 40.0 + title.extra_height();
    let legend = layout_legend(spec.legend, under_title, chart_width);
    let note = note_lines(spec.note, chart_width);
    let note_top = under_title + legend.height + if legend.height > 0.0 { 4.0 } else { 0.0 };
    let note_height = note.len() as f64 * NOTE_LINE;
    let top = note_top
        + note_height
        + if legend.height + note_height > 0.0 {
            14.0
        } else {
            8.0
        };
    let bottom = top + PLOT_HEIGHT;
    let slot_width = width / spec.categories.len().max(1) as f64;
    let categories = layout_categories(spec.categories, slot_width);
    // Baseline of the last line of the category labels, then of the counts.
    let labels_end = bottom + 17.0 + (categories.lines - 1) as f64 * LABEL_LINE;
    let counts_baseline = labels_end + COUNT_ROW;
    let under_labels = if has_counts {
        counts_baseline
    } else {
        labels_end
    };
    let total_height = under_labels + if has_x_title { 35.0 } else { 13.0 };

    let mut svg = Svg::new();
    write_header(
        &mut svg,
        spec.kind,
        spec.text,
        &title,
        &sized_id(&spec.id, chart_width),
        (chart_width, total_height),
        spec.linked,
    );
    write_legend(&mut svg, &legend, spec.swatch);
    write_note(&mut svg, &note, note_top + 12.0);

    let frame = Vertical {
        left,
        top,
        width,
        height: PLOT_HEIGHT,
        slots: spec.categories.len(),
        scale: spec.scale,
    };

    svg.open("g", &[("class", "axis axis-y")]);
    for (tick, shown, full) in &ticks {
        let y = num(frame.y(*tick));
        let class = if *tick == 0.0 {
            "grid grid-zero"
        } else {
            "grid"
        };
        svg.leaf(
            "line",
            &[
                ("class", class),
                ("x1", &num(left)),
                ("x2", &num(left + width)),
                ("y1", &y),
                ("y2", &y),
                ("stroke", if *tick == 0.0 { MUTED } else { GRID }),
                ("stroke-width", "1"),
            ],
        );
        svg.label(
            &[
                ("class", "tick-label"),
                ("x", &num(left - 6.0)),
                ("y", &num(frame.y(*tick) + 4.0)),
                ("text-anchor", "end"),
                ("font-size", &num(TICK_SIZE)),
                ("fill", MUTED),
            ],
            shown,
            full,
        );
    }
    svg.close("g");

    svg.open("g", &[("class", "axis axis-x")]);
    for (index, (lines, full)) in categories
        .labels
        .iter()
        .enumerate()
        .step_by(categories.stride)
    {
        let (x0, w) = frame.slot(index);
        let x = num(x0 + w / 2.0);
        svg.leaf(
            "line",
            &[
                ("class", "tick"),
                ("x1", &x),
                ("x2", &x),
                ("y1", &num(bottom)),
                ("y2", &num(bottom + 4.0)),
                ("stroke", MUTED),
            ],
        );
        // One <text> per line; the whole label is the tooltip of its last line when the
        // lines do not hold all of it.
        let cut = lines.join(" ") != *full;
        for (line_index, line) in lines.iter().enumerate() {
            let y = bottom + 17.0 + line_index as f64 * LABEL_LINE;
            let last = line_index + 1 == lines.len();
            x_tick_label(&mut svg, &x, y, line, if cut && last { full } else { line });
        }
    }
    svg.close("g");
    if let Some(counts) = &spec.counts {
        svg.open(
            "g",
            &[
                ("class", "counts"),
                ("font-size", &num(TICK_SIZE)),
                ("fill", MUTED),
                ("text-anchor", "middle"),
            ],
        );
        svg.open(
            "text",
            &[
                ("class", "count-heading"),
                ("x", &num(left - 6.0)),
                ("y", &num(counts_baseline)),
                ("text-anchor", "end"),
                ("font-style", "italic"),
            ],
        );
        svg.text("n");
        svg.close("text");
        for (index, count) in counts
            .iter()
            .enumerate()
            .take(spec.categories.len())
            .step_by(categories.stride)
        {
            let (x0, w) = frame.slot(index);
            svg.open(
                "text",
                &[
                    ("class", "count"),
                    ("x", &num(x0 + w / 2.0)),
                    ("y", &num(counts_baseline)),
                ],
            );
            svg.text(&fit_label(count, 12).0);
            svg.close("text");
        }
        svg.close("g");
    }
    write_axis_title(
        &mut svg,
        "x",
        &spec.text.x_label,
        left + width / 2.0,
        under_labels + 23.0,
        width,
    );
    write_axis_title(
        &mut svg,
        "y",
        &spec.text.y_label,
        MARGIN + 8.0,
        top + PLOT_HEIGHT / 2.0,
        PLOT_HEIGHT,
    );
    (svg, frame)
}

/// A chart with categories down the side and values along the bottom.
pub(crate) struct Horizontal {
    left: f64,
    top: f64,
    width: f64,
    row: f64,
    scale: Scale,
}

impl Horizontal {
    /// The top edge and height of row `index`.
    pub(crate) fn row(&self, index: usize) -> (f64, f64) {
        (self.top + index as f64 * self.row, self.row)
    }

    /// The x coordinate of `value`.
    pub(crate) fn x(&self, value: f64) -> f64 {
        self.left + self.width * self.scale.fraction(value)
    }
}

/// Longest category label beside a horizontal chart, in characters.
const ROW_LABEL_CHARS: usize = 32;
/// Rows are this tall while they fit in [`MAX_ROWS_HEIGHT`].
const ROW_HEIGHT: f64 = 22.0;
const MAX_ROWS_HEIGHT: f64 = 1320.0;

/// What a horizontal chart needs drawn before its data.
pub(crate) struct HorizontalSpec<'a> {
    pub(crate) kind: &'a str,
    pub(crate) text: &'a ChartText,
    pub(crate) id: String,
    pub(crate) categories: &'a [String],
    pub(crate) scale: Scale,
    pub(crate) fmt: NumberFormat<'a>,
    /// The widest value label printed past a bar.
    pub(crate) value_label_width: f64,
    /// A sentence under the title (empty: none).
    pub(crate) note: &'a str,
    /// Whether the marks are links.
    pub(crate) linked: bool,
    /// The chart's width in SVG units (see [`chart_width`]).
    pub(crate) width: f64,
}

/// Writes the frame of a horizontal bar chart and returns the document, ready for the
/// data.
pub(crate) fn begin_horizontal(spec: HorizontalSpec) -> (Svg, Horizontal) {
    let HorizontalSpec {
        kind,
        text,
        id,
        categories,
        scale,
        fmt,
        value_label_width,
        note,
        linked,
        width: chart_width,
    } = spec;
    let (ticks, widest_tick) = value_labels(&scale, fmt);
    // On a narrow chart the row labels take at most two fifths of it, leaving the bars
    // room to be told apart.
    let label_chars = chars_fitting(chart_width * 0.4, LABEL_SIZE).min(ROW_LABEL_CHARS);
    let labels: Vec<(String, String)> = categories
        .iter()
        .map(|label| fit_label(label, label_chars))
        .collect();
    let widest_label = labels
        .iter()
        .map(|(shown, _)| text_width(shown, LABEL_SIZE))
        .fold(0.0, f64::max);
    let has_y_title = !text.y_label.trim().is_empty();
    let has_x_title = !text.x_label.trim().is_empty();
    let left = MARGIN + if has_y_title { 20.0 } else { 0.0 } + widest_label + 10.0;
    // Room for the value printed past the longest bar, and for the last tick label.
    let right = MARGIN + (value_label_width + 6.0).max(widest_tick / 2.0);
    let width = (chart_width - left - right).max(100.0);
    let row = if categories.len() as f64 * ROW_HEIGHT <= MAX_ROWS_HEIGHT {
        ROW_HEIGHT
    } else {
        MAX_ROWS_HEIGHT / categories.len() as f64
    };
    // At least three rows high, so that the axis title beside one or two rows is not
    // cut to its first letter.
    let rows_height = (categories.len() as f64 * row).max(3.0 * ROW_HEIGHT);
    let note = note_lines(note, chart_width);
    let title = TitleLines::new(&text.title, chart_width);
    let note_top = 48.0 + title.extra_height();
    let top = note_top + note.len() as f64 * NOTE_LINE;
    let bottom = top + rows_height;
    let total_height = bottom + if has_x_title { 52.0 } else { 30.0 };

    let mut svg = Svg::new();
    write_header(
        &mut svg,
        kind,
        text,
        &title,
        &sized_id(&id, chart_width),
        (chart_width, total_height),
        linked,
    );
    write_note(&mut svg, &note, note_top);
    let frame = Horizontal {
        left,
        top,
        width,
        row,
        scale,
    };

    svg.open("g", &[("class", "axis axis-x")]);
    for (tick, shown, full) in &ticks {
        let x = num(frame.x(*tick));
        let class = if *tick == 0.0 {
            "grid grid-zero"
        } else {
            "grid"
        };
        svg.leaf(
            "line",
            &[
                ("class", class),
                ("x1", &x),
                ("x2", &x),
                ("y1", &num(top)),
                ("y2", &num(bottom)),
                ("stroke", if *tick == 0.0 { MUTED } else { GRID }),
                ("stroke-width", "1"),
            ],
        );
        x_tick_label(&mut svg, &x, bottom + 17.0, shown, full);
    }
    svg.close("g");

    svg.open("g", &[("class", "axis axis-y")]);
    let stride = label_stride(LABEL_SIZE + 2.0, row);
    for (index, (shown, full)) in labels.iter().enumerate().step_by(stride) {
        let (y0, h) = frame.row(index);
        svg.label(
            &[
                ("class", "tick-label"),
                ("x", &num(left - 8.0)),
                ("y", &num(y0 + h / 2.0 + 4.0)),
                ("text-anchor", "end"),
                ("font-size", &num(LABEL_SIZE)),
                ("fill", INK),
            ],
            shown,
            full,
        );
    }
    svg.close("g");
    write_axis_title(
        &mut svg,
        "x",
        &text.x_label,
        left + width / 2.0,
        bottom + 40.0,
        width,
    );
    write_axis_title(
        &mut svg,
        "y",
        &text.y_label,
        MARGIN + 8.0,
        top + rows_height / 2.0,
        rows_height,
    );
    (svg, frame)
}

/// Closes the root element.
pub(crate) fn end(mut svg: Svg) -> String {
    svg.close("svg");
    svg.finish()
}

/// A tick label centred at `x` (a formatted coordinate) on the baseline `y`.
fn x_tick_label(svg: &mut Svg, x: &str, y: f64, shown: &str, full: &str) {
    svg.label(
        &[
            ("class", "tick-label"),
            ("x", x),
            ("y", &num(y)),
            ("text-anchor", "middle"),
            ("font-size", &num(TICK_SIZE)),
            ("fill", MUTED),
        ],
        shown,
        full,
    );
}
