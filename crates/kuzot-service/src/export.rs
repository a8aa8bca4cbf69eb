//! Export of stored documents as JSONL or CSV, one document a line, with the category,
//! genre, topic and facts in force and the provenance of each: the one row shape of every
//! export, the CLI's `kuzot export` and the web's search export alike, so a script written
//! against one reads the other.

use std::collections::HashMap;
use std::io::Write;

use kuzot_model::{IndexRow, RateTable};
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

/// Column names, in order: the CSV and XLSX header and the JSONL keys of every export.
pub const EXPORT_COLUMNS: [&str; 23] = [
    "id",
    "time",
    "chat",
    "author",
    "message_id",
    "category",
    "genre",
    "topic",
    "lang",
    "cluster",
    "text",
    "phones",
    "places",
    "orgs",
    "promises",
    "monthly_pay_rub",
    "source_sha256",
    "source_name",
    "format",
    "record",
    "line",
    "byte_offset",
    "url",
];

/// One exported document: what it says, what kuzot and the analysts made of it, and where
/// it came from. Field names are [`EXPORT_COLUMNS`], stable for scripts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// kuzot's document id (the `/messages/ID` of the web application).
    pub id: i64,
    /// Time of the message (RFC 3339, UTC).
    pub time: Option<String>,
    /// Chat or channel.
    pub chat: Option<String>,
    /// The author's pseudonym (or name, for an import with `--keep-authors`).
    pub author: Option<String>,
    /// The message's id in its export.
    pub message_id: Option<String>,
    /// Category in force (the latest label, else the engine's).
    pub category: Option<String>,
    /// Genre in force: who speaks, to what end (`ad`, `report`…).
    pub genre: Option<String>,
    /// Topic in force: what the text is about.
    pub topic: Option<String>,
    /// Main language.
    pub lang: Option<String>,
    /// Near-duplicate cluster.
    pub cluster: Option<i64>,
    /// The text as stored.
    pub text: String,
    /// Phones in force (E.164).
    pub phones: Vec<String>,
    /// Place ids in force.
    pub places: Vec<String>,
    /// Organisation ids in force.
    pub orgs: Vec<String>,
    /// Promise ids in force.
    pub promises: Vec<String>,
    /// Best monthly pay offered, in roubles at the dated rate table.
    pub monthly_pay_rub: Option<f64>,
    /// SHA-256 of the source file, in full.
    pub source_sha256: String,
    /// Original name of the source file.
    pub source_name: String,
    /// Format of the source file (`telegram_json`…).
    pub format: String,
    /// Record number in the source, from 1, as in the citation of the message.
    pub record: u64,
    /// Line in the source, from 1.
    pub line: Option<u64>,
    /// Byte offset in the source, from 0.
    pub byte_offset: Option<u64>,
    /// URL of the message.
    pub url: Option<String>,
}

impl ExportRow {
    /// A row from a document and its index row (the category, genre, topic and facts in
    /// force); without one, the engine's category as stored and no facts.
    pub fn new(doc: StoredDocument, in_force: Option<&IndexRow>, rates: &RateTable) -> ExportRow {
        let facts = in_force.map(|r| &r.facts);
        ExportRow {
            id: doc.id,
            time: doc.time,
            chat: doc.chat,
            author: doc.author,
            message_id: doc.message_id,
            category: in_force
                .and_then(|r| r.category)
                .map(|c| c.as_str().to_owned())
                .or(doc.category),
            genre: in_force
                .and_then(|r| r.genre)
                .map(|g| g.as_str().to_owned()),
            topic: in_force
                .and_then(|r| r.topic)
                .map(|t| t.as_str().to_owned()),
            lang: doc.lang,
            cluster: doc.cluster,
            text: doc.text,
            phones: facts.map(|f| f.phones.clone()).unwrap_or_default(),
            places: facts
                .map(|f| f.places.iter().map(|p| p.id.clone()).collect())
                .unwrap_or_default(),
            orgs: facts
                .map(|f| f.orgs.iter().map(|o| o.as_str().to_owned()).collect())
                .unwrap_or_default(),
            promises: facts
                .map(|f| f.promises.iter().map(|p| p.as_str().to_owned()).collect())
                .unwrap_or_default(),
            monthly_pay_rub: facts.and_then(|f| rates.best_monthly_rub(&f.money)),
            source_sha256: doc.source,
            source_name: doc.source_name,
            format: doc.format,
            record: doc.position.index.saturating_add(1),
            line: doc.position.line,
            byte_offset: doc.position.byte_offset,
            url: doc.url,
        }
    }

    /// The cells as text, in [`EXPORT_COLUMNS`] order (lists joined with `; `), unguarded.
    pub fn cells(&self) -> [String; 23] {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        [
            self.id.to_string(),
            opt(&self.time),
            opt(&self.chat),
            opt(&self.author),
            opt(&self.message_id),
            opt(&self.category),
            opt(&self.genre),
            opt(&self.topic),
            opt(&self.lang),
            self.cluster.map(|c| c.to_string()).unwrap_or_default(),
            self.text.clone(),
            self.phones.join("; "),
            self.places.join("; "),
            self.orgs.join("; "),
            self.promises.join("; "),
            self.monthly_pay_rub
                .map(|v| format!("{v:.0}"))
                .unwrap_or_default(),
            self.source_sha256.clone(),
            self.source_name.clone(),
            self.format.clone(),
            self.record.to_string(),
            num(self.line),
            num(self.byte_offset),
            opt(&self.url),
        ]
    }

    /// The number in a numeric column, for a spreadsheet cell that sorts as a number.
    pub fn number(&self, column: &str) -> Option<f64> {
        match column {
            "id" => Some(self.id as f64),
            "cluster" => self.cluster.map(|v| v as f64),
            "monthly_pay_rub" => self.monthly_pay_rub,
            "record" => Some(self.record as f64),
            "line" => self.line.map(|v| v as f64),
            "byte_offset" => self.byte_offset.map(|v| v as f64),
            _ => None,
        }
    }
}

/// Documents read per round trip while exporting.
const EXPORT_BATCH: usize = 1000;

/// The export rows of these documents, in the order of `ids` (missing ones left out).
pub fn export_rows(
    store: &Store,
    ids: &[i64],
    rates: &RateTable,
) -> Result<Vec<ExportRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(EXPORT_BATCH) {
        out.extend(rows_of_chunk(store, chunk, rates)?);
    }
    Ok(out)
}

fn rows_of_chunk(
    store: &Store,
    ids: &[i64],
    rates: &RateTable,
) -> Result<Vec<ExportRow>, StoreError> {
    let docs = store.documents(ids)?;
    let mut in_force: HashMap<i64, IndexRow> = store
        .index_rows(ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Ok(docs
        .into_iter()
        .map(|doc| {
            let row = in_force.remove(&doc.id);
            ExportRow::new(doc, row.as_ref(), rates)
        })
        .collect())
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

/// Writes every document matching `filter` to `out`, in time order; returns how many.
///
/// The matching ids are listed first and the rows read in batches with the facts in force,
/// so memory holds the ids and one batch, not the export.
pub fn export_documents(
    store: &Store,
    filter: &DocumentFilter,
    format: ExportFormat,
    rates: &RateTable,
    out: &mut dyn Write,
) -> Result<u64, ServiceError> {
    let mut ids = Vec::new();
    store.for_each_document(filter, &mut |d| {
        ids.push(d.id);
        Ok(())
    })?;
    let io = |e: std::io::Error| StoreError::Io {
        path: "<output>".into(),
        source: e,
    };
    let mut count = 0u64;
    match format {
        ExportFormat::Jsonl => {
            for chunk in ids.chunks(EXPORT_BATCH) {
                for row in rows_of_chunk(store, chunk, rates)? {
                    serde_json::to_writer(&mut *out, &row).map_err(|e| io(e.into()))?;
                    out.write_all(b"\n").map_err(io)?;
                    count += 1;
                }
            }
        }
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut *out);
            writer
                .write_record(EXPORT_COLUMNS)
                .map_err(|e| io(std::io::Error::other(e.to_string())))?;
            for chunk in ids.chunks(EXPORT_BATCH) {
                for row in rows_of_chunk(store, chunk, rates)? {
                    // Every text cell, not only the message: file names (`+cmd.csv`) and
                    // URLs (`=HYPERLINK(…)`) come from the same hostile sources.
                    let cells = row.cells();
                    let safe: Vec<_> = cells.iter().map(|c| spreadsheet_safe(c)).collect();
                    writer
                        .write_record(safe.iter().map(|c| c.as_bytes()))
                        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
                    count += 1;
                }
            }
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
