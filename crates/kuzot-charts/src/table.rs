//! The numbers behind each chart as a table, for an HTML table beside the chart and for
//! CSV downloads that analysts open in spreadsheets.

use crate::{BoxStats, ChartText, NumberFormat, Series};

/// The numbers of a chart: a header row and data rows of text, already formatted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column headers.
    pub columns: Vec<String>,
    /// Data rows; a row may be shorter or longer than `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when
    /// needed), guarded against formula injection: a cell that a spreadsheet could take
    /// for a formula (beginning with `=`, `+`, `-`, `@`, tab or carriage return) gets a `'`
    /// in front, so it is shown as text and never evaluated. Cells that are plainly a number
    /// (`-12`, `+3.5`, `1e-3`) are left alone: a spreadsheet cannot run them, and analysts
    /// need them as numbers.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for record in std::iter::once(&self.columns).chain(self.rows.iter()) {
            for (index, cell) in record.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_cell(&mut out, cell);
            }
            out.push_str("\r\n");
        }
        out
    }

    /// [`Table::to_csv`] preceded by a UTF-8 byte order mark, without which Excel reads a
    /// CSV file in the legacy code page and garbles Cyrillic.
    pub fn to_csv_for_excel(&self) -> String {
        let mut out = String::from('\u{FEFF}');
        out.push_str(&self.to_csv());
        out
    }
}

/// Whether `cell` is a plain decimal number, optionally signed, with an optional exponent.
fn is_plain_number(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(i);
    let mut mantissa_digits = int_end - i;
    i = int_end;
    if bytes.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        mantissa_digits += frac_end - (i + 1);
        i = frac_end;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_end = digits_from(i);
        if exp_end == i {
            return false;
        }
        i = exp_end;
    }
    i == bytes.len()
}

fn write_cell(out: &mut String, cell: &str) {
    let risky = matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    ) && !is_plain_number(cell);
    let quote = cell.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if risky {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

/// A number written in full for machines (`1234.5`, `-0.25`): pass it as the `fmt` of a
/// table meant for CSV. Non-finite values give an empty cell.
pub fn plain_number(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    format!("{value}")
}

fn cell(value: Option<&f64>, fmt: NumberFormat) -> String {
    match value {
        Some(v) if v.is_finite() => fmt(*v),
        _ => String::new(),
    }
}

/// Rows of x labels, columns of series: the table of the charts over categories.
fn category_table(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> Table {
    let columns = std::iter::once(text.x_label.clone())
        .chain(series.iter().map(|s| s.name.clone()))
        .collect();
    let rows = x_labels
        .iter()
        .enumerate()
        .map(|(index, label)| {
            std::iter::once(label.clone())
                .chain(series.iter().map(|s| cell(s.values.get(index), fmt)))
                .collect()
        })
        .collect();
    Table { columns, rows }
}

/// The table of [`crate::stacked_bars`]: a row per x label (headed by `text.x_label`), a
/// column per series; missing values are empty cells.
pub fn stacked_bars_table(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> Table {
    category_table(text, x_labels, series, fmt)
}

/// The table of [`crate::grouped_bars`], laid out as [`stacked_bars_table`].
pub fn grouped_bars_table(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> Table {
    category_table(text, x_labels, series, fmt)
}

/// The table of [`crate::share_lines`], laid out as [`stacked_bars_table`].
pub fn share_lines_table(
    text: &ChartText,
    x_labels: &[String],
    series: &[Series],
    fmt: NumberFormat,
) -> Table {
    category_table(text, x_labels, series, fmt)
}

/// The table of [`crate::horizontal_bars`]: a row per label, with the columns headed by
/// `text.y_label` (the labels) and `text.x_label` (the values).
pub fn horizontal_bars_table(
    text: &ChartText,
    labels: &[String],
    values: &[f64],
    fmt: NumberFormat,
) -> Table {
    Table {
        columns: vec![text.y_label.clone(), text.x_label.clone()],
        rows: labels
            .iter()
            .enumerate()
            .map(|(index, label)| vec![label.clone(), cell(values.get(index), fmt)])
            .collect(),
    }
}

/// The table of [`crate::box_plots`]: a row per group, with the columns headed by
/// `text.x_label`, then `n`, `min`, `q1`, `median`, `q3`, `max` (replace `columns` to
/// localise these).
pub fn box_plots_table(text: &ChartText, boxes: &[BoxStats], fmt: NumberFormat) -> Table {
    let columns = [
        text.x_label.as_str(),
        "n",
        "min",
        "q1",
        "median",
        "q3",
        "max",
    ]
    .iter()
    .map(|c| (*c).to_owned())
    .collect();
    let rows = boxes
        .iter()
        .map(|b| {
            let mut row = vec![b.label.clone(), fmt(b.count as f64)];
            row.extend(
                [b.min, b.q1, b.median, b.q3, b.max]
                    .iter()
                    .map(|v| cell(Some(v), fmt)),
            );
            row
        })
        .collect();
    Table { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers_are_recognised() {
        for yes in ["0", "-12", "+3.5", "1e-3", ".5", "5.", "-1.5E+10"] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in [
            "",
            "-",
            "+",
            ".",
            "-1+1",
            "=1",
            "1e",
            "-2+3+cmd|' /C calc'!A0",
            "--1",
            "1 ",
        ] {
            assert!(!is_plain_number(no), "{no}");
        }
    }

    #[test]
    fn plain_number_writes_full_precision() {
        assert_eq!(plain_number(1234.5), "1234.5");
        assert_eq!(plain_number(-0.0), "0");
        assert_eq!(plain_number(f64::NAN), "");
        assert_eq!(plain_number(0.1 + 0.2), "0.30000000000000004");
    }
}
