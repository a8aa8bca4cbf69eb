//! Sheets of text cells read from an XLSX workbook or a CSV file: what the XLSForm reader
//! and the export reader both start from, with every row's number as the user sees it
//! (spreadsheet row, or CSV record counting the header as 1).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// One sheet (or one CSV file): a header row and the rows under it, every cell as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The sheet's name, or the CSV file's name.
    pub name: String,
    /// The header row's cells, trimmed.
    pub header: Vec<String>,
    /// The rows under the header that have at least one non-empty cell.
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The row's number as a spreadsheet shows it (the header is row 1 when it is the
    /// sheet's first row), or the CSV record's number (header = 1).
    pub number: usize,
    /// Cells, as many as the header has (missing ones are empty, extra ones dropped).
    pub cells: Vec<String>,
}

impl Table {
    /// The index of the header cell equal to `name` (exact match).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }
}

/// Why a workbook or CSV file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The bytes are not an XLSX workbook calamine can open.
    #[error("not a readable XLSX workbook: {0}")]
    Workbook(String),
    /// A sheet of the workbook could not be read.
    #[error("sheet {sheet:?} could not be read: {reason}")]
    Sheet {
        /// The sheet's name.
        sheet: String,
        /// What calamine said.
        reason: String,
    },
    /// The CSV file is malformed (e.g. not UTF-8).
    #[error("{file}: record {record}: {reason}")]
    Csv {
        /// The file's name.
        file: String,
        /// The record's number (header = 1).
        record: usize,
        /// What the CSV reader said.
        reason: String,
    },
}

/// Every sheet of an XLSX workbook, in the workbook's order.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Table>, TableError> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| TableError::Workbook(e.to_string()))?;
    let mut tables = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| TableError::Sheet {
                sheet: name.clone(),
                reason: e.to_string(),
            })?;
        // A sheet whose first rows are empty starts lower down: keep the user's numbering.
        let first_row = range.start().map_or(0, |(row, _)| row as usize);
        let mut rows = range.rows().enumerate();
        let header: Vec<String> = match rows.next() {
            Some((_, cells)) => cells
                .iter()
                .map(|c| cell_text(c).trim().to_owned())
                .collect(),
            None => Vec::new(),
        };
        let width = header.len();
        let mut table = Table {
            name: name.clone(),
            header,
            rows: Vec::new(),
        };
        for (offset, cells) in rows {
            let mut texts: Vec<String> = cells.iter().take(width).map(cell_text).collect();
            if texts.iter().all(|t| t.trim().is_empty()) {
                continue;
            }
            texts.resize(width, String::new());
            table.rows.push(TableRow {
                number: first_row + offset + 1,
                cells: texts,
            });
        }
        tables.push(table);
    }
    Ok(tables)
}

/// A CSV file as one table. The delimiter is the one of `,`, `;` and tab that occurs most
/// often outside quotes in the header line (KoboToolbox writes `;` by default, ODK Central
/// `,`). A UTF-8 byte-order mark is skipped.
pub fn read_csv(name: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = sniff_delimiter(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let csv_error = |record: usize, e: csv::Error| TableError::Csv {
        file: name.to_owned(),
        record,
        reason: e.to_string(),
    };
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(csv_error(1, e)),
        None => Vec::new(),
    };
    let width = header.len();
    let mut table = Table {
        name: name.to_owned(),
        header,
        rows: Vec::new(),
    };
    for (index, record) in records.enumerate() {
        let number = index + 2;
        let record = record.map_err(|e| csv_error(number, e))?;
        let mut cells: Vec<String> = record.iter().take(width).map(str::to_owned).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        cells.resize(width, String::new());
        table.rows.push(TableRow { number, cells });
    }
    Ok(table)
}

fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &byte in bytes {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for (delimiter, count) in &mut counts {
                    if byte == *delimiter {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    // Ties (including a one-column file) go to the comma, the first entry.
    let mut best = counts[0];
    for candidate in &counts[1..] {
        if candidate.1 > best.1 {
            best = *candidate;
        }
    }
    best.0
}

/// A cell as the text a user typed: integers without `.0`, dates as ISO 8601.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(dt) if dt.is_datetime() => excel_serial_text(dt.as_f64()),
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as `YYYY-MM-DD`, with
/// `THH:MM:SS` when it has a time of day.
fn excel_serial_text(serial: f64) -> String {
    let days = serial.floor() as i64;
    let seconds = ((serial - serial.floor()) * 86_400.0).round() as i64;
    // Days from 1970-01-01: the serial of 1970-01-01 is 25569.
    let (year, month, day) = civil_from_days(days - 25_569);
    if seconds == 0 {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")
    }
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_win_over_commas_inside_quotes() {
        assert_eq!(sniff_delimiter(b"\"a,b,c\";d;e\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a,b\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
    }

    #[test]
    fn excel_serials_become_iso_dates() {
        // 45658 is 2025-01-01 in Excel's 1900 date system.
        assert_eq!(excel_serial_text(45_658.0), "2025-01-01");
        assert_eq!(excel_serial_text(45_658.5), "2025-01-01T12:00:00");
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(2.5), "2.5");
    }

    #[test]
    fn csv_rows_keep_their_record_numbers_and_width() {
        let table = read_csv("x.csv", b"\xEF\xBB\xBFa;b\n1;2\n;\n3\n").expect("csv");
        assert_eq!(table.header, ["a", "b"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].number, 4);
        assert_eq!(table.rows[1].cells, ["3", ""]);
    }
}
