//! Export of stored documents as JSONL or CSV, one document a line, with provenance.

use std::io::Write;

use kuzot_store::{DocumentFilter, Store, StoreError, StoredDocument};
use serde::Serialize;

use crate::ServiceError;

/// Output formats of `kuzot export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated, with a header row.
    Csv,
}

/// The exported shape of one document: stable field names for scripts.
#[derive(Serialize)]
struct ExportRow<'a> {
    id: i64,
    source: &'a str,
    source_name: &'a str,
    format: &'a str,
    chat: Option<&'a str>,
    author: Option<&'a str>,
    time: Option<&'a str>,
    message_id: Option<&'a str>,
    title: Option<&'a str>,
    url: Option<&'a str>,
    text: &'a str,
    category: Option<&'a str>,
    lang: Option<&'a str>,
    cluster: Option<i64>,
    record: u64,
    line: Option<u64>,
    byte_offset: Option<u64>,
}

/// Message texts, chat names, URLs and file names are written by recruiters: a cell whose
/// first visible character is `=`, `+`, `-`, `@` (or their full-width forms `＝＋－＠`,
/// which spreadsheets also take as operators) is a formula to Excel and LibreOffice when
/// the CSV is opened there (CSV injection), even after leading spaces or line breaks, which
/// they skip; a cell starting with a tab or carriage return is treated the same way. In CSV
/// output such cells get a leading `'`, which spreadsheets show as text; JSONL keeps every
/// text exactly as stored. The CLI's and the web's CSV exports both call this one guard.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if starts_like_a_formula(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Whether a spreadsheet could read `cell` as a formula.
fn starts_like_a_formula(cell: &str) -> bool {
    if cell.starts_with(['\t', '\r']) {
        return true;
    }
    let visible = cell.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    visible.starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠'])
}

fn row(d: &StoredDocument) -> ExportRow<'_> {
    ExportRow {
        id: d.id,
        source: &d.source,
        source_name: &d.source_name,
        format: &d.format,
        chat: d.chat.as_deref(),
        author: d.author.as_deref(),
        time: d.time.as_deref(),
        message_id: d.message_id.as_deref(),
        title: d.title.as_deref(),
        url: d.url.as_deref(),
        text: &d.text,
        category: d.category.as_deref(),
        lang: d.lang.as_deref(),
        cluster: d.cluster,
        record: d.position.index,
        line: d.position.line,
        byte_offset: d.position.byte_offset,
    }
}

/// Writes every document matching `filter` to `out`; returns how many.
pub fn export_documents(
    store: &Store,
    filter: &DocumentFilter,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<u64, ServiceError> {
    let mut count = 0u64;
    let to_store_error = |e: std::io::Error| StoreError::Io {
        path: "<output>".into(),
        source: e,
    };
    match format {
        ExportFormat::Jsonl => {
            store.for_each_document(filter, &mut |d| {
                serde_json::to_writer(&mut *out, &row(&d)).map_err(|e| to_store_error(e.into()))?;
                out.write_all(b"\n").map_err(to_store_error)?;
                count += 1;
                Ok(())
            })?;
        }
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut *out);
            store.for_each_document(filter, &mut |d| {
                // Every text cell, not only the message: file names (`+cmd.csv`) and URLs
                // (`=HYPERLINK(…)`) come from the same hostile sources.
                let plain = row(&d);
                fn guard(cell: Option<&str>) -> Option<std::borrow::Cow<'_, str>> {
                    cell.map(spreadsheet_safe)
                }
                let source = spreadsheet_safe(plain.source);
                let source_name = spreadsheet_safe(plain.source_name);
                let format = spreadsheet_safe(plain.format);
                let chat = guard(plain.chat);
                let author = guard(plain.author);
                let time = guard(plain.time);
                let message_id = guard(plain.message_id);
                let title = guard(plain.title);
                let url = guard(plain.url);
                let text = spreadsheet_safe(plain.text);
                let category = guard(plain.category);
                let lang = guard(plain.lang);
                let safe = ExportRow {
                    source: &source,
                    source_name: &source_name,
                    format: &format,
                    chat: chat.as_deref(),
                    author: author.as_deref(),
                    time: time.as_deref(),
                    message_id: message_id.as_deref(),
                    title: title.as_deref(),
                    url: url.as_deref(),
                    text: &text,
                    category: category.as_deref(),
                    lang: lang.as_deref(),
                    ..plain
                };
                writer
                    .serialize(safe)
                    .map_err(|e| to_store_error(std::io::Error::other(e.to_string())))?;
                count += 1;
                Ok(())
            })?;
            writer.flush()?;
        }
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_defused_for_spreadsheets() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(spreadsheet_safe("+7 900 000 00 00"), "'+7 900 000 00 00");
        assert_eq!(spreadsheet_safe("Работа в Москве"), "Работа в Москве");
        assert_eq!(spreadsheet_safe(""), "");
        for sneaky in [
            " =1+1",
            "\n=cmd|' /C calc'!A0",
            "\r\n@SUM(A1)",
            "＝HYPERLINK(\"http://x\")",
            "\u{3000}＋1",
            "\t-2",
            "+cmd.csv",
        ] {
            assert_eq!(spreadsheet_safe(sneaky), format!("'{sneaky}"), "{sneaky:?}");
        }
        assert_eq!(spreadsheet_safe(" Работа = деньги"), " Работа = деньги");
    }

    proptest::proptest! {
        /// Whatever the cell, the guarded one either begins with `'` and is the cell after
        /// it, or is unchanged and its first visible character is not an operator.
        #[test]
        fn no_guarded_cell_starts_like_a_formula(
            cell in "[ \t\r\n\u{3000}\u{a0}]{0,3}[=+\\-@＝＋－＠a-zа-я0-9 '\"]{0,12}"
        ) {
            let safe = spreadsheet_safe(&cell);
            if let Some(rest) = safe.strip_prefix('\'') && rest == cell {
                proptest::prop_assert!(!cell.is_empty());
            } else {
                proptest::prop_assert_eq!(safe.as_ref(), cell.as_str());
                let visible = cell.trim_start_matches(|c: char| c.is_whitespace());
                proptest::prop_assert!(
                    !visible.starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']),
                    "unguarded formula {:?}", cell
                );
            }
        }
    }
}
