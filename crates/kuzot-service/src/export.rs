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

/// Message texts are written by recruiters: a cell that starts with `=`, `+`, `-`, `@` or a
/// control character is a formula to Excel and LibreOffice when the CSV is opened there
/// (CSV injection). In CSV output such cells get a leading `'`, which spreadsheets show as
/// text; JSONL keeps every text exactly as stored.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
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
            store.for_each_document(filter, |d| {
                serde_json::to_writer(&mut *out, &row(&d)).map_err(|e| to_store_error(e.into()))?;
                out.write_all(b"\n").map_err(to_store_error)?;
                count += 1;
                Ok(())
            })?;
        }
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut *out);
            store.for_each_document(filter, |d| {
                let text = spreadsheet_safe(&d.text);
                let chat = d.chat.as_deref().map(spreadsheet_safe);
                let author = d.author.as_deref().map(spreadsheet_safe);
                let title = d.title.as_deref().map(spreadsheet_safe);
                let mut safe = row(&d);
                safe.text = &text;
                safe.chat = chat.as_deref();
                safe.author = author.as_deref();
                safe.title = title.as_deref();
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
    }
}
