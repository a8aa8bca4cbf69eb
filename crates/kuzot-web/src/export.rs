//! Exports of a search as CSV, JSONL or XLSX: every matching document, not one page, with
//! the category and facts in force and its provenance, so that a researcher can work on
//! the evidence in a spreadsheet or a script and still trace each row to its source.
//!
//! The whole file is built in memory (a `Vec`) on the blocking pool before it is sent: the
//! row count is bounded by [`MAX_ROWS`], and a spreadsheet or a script needs the whole file
//! anyway. Message texts are written by recruiters: in CSV and XLSX no cell can become a
//! formula (CSV cells get the guard of `kuzot_service::spreadsheet_safe`; XLSX cells are
//! written as strings and numbers only).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use kuzot_search::{SearchIndex, SearchQuery};
use kuzot_service::{EXPORT_COLUMNS as COLUMNS, ExportRow};
use kuzot_store::Store;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::filters::SearchParams;
use crate::state::AppState;

/// Most rows an export holds. The search index pages no further than 100,000 hits, and
/// XLSX is refused above this count outright.
pub const MAX_ROWS: usize = 100_000;
/// Hits fetched from the index per request while collecting an export.
const BATCH: usize = 1000;

/// The export formats, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Comma-separated, UTF-8 with a byte-order mark (Excel reads it as UTF-8 then).
    Csv,
    /// One JSON object a line.
    Jsonl,
    /// An Excel workbook.
    Xlsx,
}

impl ExportKind {
    /// The kind of an export file name (`export.csv`…), if it is one.
    pub fn from_file_name(name: &str) -> Option<ExportKind> {
        match name {
            "export.csv" => Some(ExportKind::Csv),
            "export.jsonl" => Some(ExportKind::Jsonl),
            "export.xlsx" => Some(ExportKind::Xlsx),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportKind::Csv => "csv",
            ExportKind::Jsonl => "jsonl",
            ExportKind::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ExportKind::Csv => "text/csv; charset=utf-8",
            ExportKind::Jsonl => "application/x-ndjson; charset=utf-8",
            ExportKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The ids of every document matching `query`, in its order. Refuses (413) above `max`.
pub fn matching_ids(
    index: &SearchIndex,
    query: &SearchQuery,
    max: usize,
) -> Result<Vec<i64>, AppError> {
    let mut query = query.clone();
    query.limit = BATCH;
    query.offset = 0;
    let mut ids: Vec<i64> = Vec::new();
    loop {
        let results = index.search(&query)?;
        let total = usize::try_from(results.total).unwrap_or(usize::MAX);
        if total > max {
            return Err(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "this search matches {total} messages; an export holds at most {max}: narrow the search (dates, category, channel) and export in parts"
                ),
            ));
        }
        if results.hits.is_empty() {
            break;
        }
        ids.extend(results.hits.iter().map(|h| h.id));
        if ids.len() >= total || ids.len() >= max {
            break;
        }
        query.offset += BATCH;
    }
    // A document re-indexed while we paged could appear twice.
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.retain(|id| seen.insert(*id));
    ids.truncate(max);
    Ok(ids)
}

/// The rows of these documents, in the order of `ids`.
pub fn rows(
    store: &Store,
    ids: &[i64],
    rates: &kuzot_model::RateTable,
) -> Result<Vec<ExportRow>, AppError> {
    Ok(kuzot_service::export_rows(store, ids, rates)?)
}

/// CSV with a UTF-8 byte-order mark, a header row, and every cell guarded against formulas.
pub fn to_csv(rows: &[ExportRow]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 256 + 256);
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(COLUMNS).map_err(AppError::internal)?;
        for row in rows {
            let cells = row.cells();
            w.write_record(
                cells
                    .iter()
                    .map(|c| kuzot_service::spreadsheet_safe(c).into_owned()),
            )
            .map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}

/// One JSON object a line, texts exactly as stored.
pub fn to_jsonl(rows: &[ExportRow]) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 300);
    for row in rows {
        serde_json::to_writer(&mut out, row).map_err(AppError::internal)?;
        out.push(b'\n');
    }
    Ok(out)
}

/// An XLSX workbook: bold, frozen header row; every cell a string or a number.
pub fn to_xlsx(rows: &[ExportRow]) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("kuzot").map_err(xlsx)?;
    let bold = Format::new().set_bold();
    for (col, name) in (0u16..).zip(COLUMNS) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    // Excel holds at most 32,767 characters in a cell.
    let fit = |s: &str| -> String {
        if s.chars().count() <= 32_000 {
            s.to_owned()
        } else {
            s.chars().take(32_000).collect()
        }
    };
    for (r, row) in (1u32..).zip(rows) {
        let cells = row.cells();
        for (col, cell) in (0u16..).zip(cells.iter()) {
            let name = COLUMNS.get(usize::from(col)).copied().unwrap_or("");
            let number = row.number(name);
            match number {
                Some(n) if n.is_finite() => {
                    sheet.write_number(r, col, n).map_err(xlsx)?;
                }
                _ if cell.is_empty() => {}
                _ => {
                    sheet.write_string(r, col, fit(cell)).map_err(xlsx)?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx)
}

/// `Content-Disposition` of a download: an ASCII `filename` (others replaced by `_`)
/// and the exact name as RFC 5987 `filename*`.
pub fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// GET /search/{file} — `export.csv`, `export.jsonl` or `export.xlsx` of a search.
pub async fn search_export(
    State(state): State<AppState>,
    Viewer(user, _): Viewer,
    tr: crate::i18n::Tr,
    Path(file): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let kind = ExportKind::from_file_name(&file)
        .ok_or_else(|| AppError::not_found(format!("no export named {file:?}")))?;
    let query = params.to_query(&tr)?;
    let ids = state
        .blocking(move |s| matching_ids(&s.index, &query, MAX_ROWS))
        .await?;
    let rates = state.rates.clone();
    let rows = state
        .with_store(move |store| rows(store, &ids, &rates))
        .await?;
    let count = rows.len();
    let body = state
        .blocking(move |_| match kind {
            ExportKind::Csv => to_csv(&rows),
            ExportKind::Jsonl => to_jsonl(&rows),
            ExportKind::Xlsx => to_xlsx(&rows),
        })
        .await?;
    tracing::info!(user = %user.name, rows = count, format = kind.extension(), "search export");
    let today = time::OffsetDateTime::now_utc().date();
    let name = format!(
        "kuzot-search-{:04}{:02}{:02}.{}",
        today.year(),
        u8::from(today.month()),
        today.day(),
        kind.extension()
    );
    Ok((
        [
            (CONTENT_TYPE, kind.content_type().to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> ExportRow {
        ExportRow {
            id: 7,
            time: Some("2024-03-01T10:00:00Z".into()),
            chat: Some("-chat".into()),
            author: Some("user-3f2a".into()),
            message_id: Some("41".into()),
            category: Some("pmc".into()),
            genre: Some("ad".into()),
            topic: Some("pmc".into()),
            lang: Some("ru".into()),
            cluster: Some(2),
            text: text.into(),
            phones: vec!["+79990002233".into(), "+79990002234".into()],
            places: vec!["mariupol".into()],
            orgs: vec![],
            promises: vec!["housing".into()],
            monthly_pay_rub: Some(210_000.0),
            source_sha256: "ab".repeat(32),
            source_name: "result.json".into(),
            format: "telegram_json".into(),
            record: 3,
            line: Some(40),
            byte_offset: None,
            url: None,
        }
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        let bytes = to_csv(&[row("=HYPERLINK(\"http://evil\",\"x\")")]).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("'-chat"));
        assert!(text.contains("+79990002233; +79990002234"));
        assert!(!text.contains(",=HYPERLINK"));
    }

    #[test]
    fn jsonl_keeps_text_exactly() {
        let bytes = to_jsonl(&[row("=1+1"), row("второй")]).expect("jsonl");
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value =
            serde_json::from_str(lines.first().copied().unwrap_or("")).expect("json");
        assert_eq!(first["text"], "=1+1");
        assert_eq!(first["phones"][1], "+79990002234");
        for name in COLUMNS {
            assert!(first.get(name).is_some(), "{name} missing");
        }
    }

    #[test]
    fn xlsx_is_a_zip_and_names_are_safe() {
        let bytes = to_xlsx(&[row(&"x".repeat(40_000))]).expect("xlsx");
        assert!(bytes.starts_with(b"PK"));
        let cd = attachment("Чат \"x\"\r\n.txt");
        assert!(!cd.contains('\r') && !cd.contains('\n'));
        assert!(cd.starts_with("attachment; filename=\"_"));
        assert_eq!(ExportKind::from_file_name("export.pdf"), None);
    }

    proptest::proptest! {
        #[test]
        fn exports_never_panic_and_csv_cells_are_never_formulas(
            text in "[=+\\-@\t\r]?\\PC{0,60}",
            chat in "[=+\\-@]?\\PC{0,10}",
        ) {
            let mut r = row(&text);
            r.chat = Some(chat.clone());
            let csv = to_csv(std::slice::from_ref(&r)).expect("csv");
            let s = String::from_utf8(csv).expect("utf-8");
            proptest::prop_assert!(s.starts_with("\u{feff}"), "no byte-order mark");
            // Read back, no cell starts with what a spreadsheet takes for a formula, and a
            // guarded cell is the original behind one quote.
            let body = s.trim_start_matches('\u{feff}');
            let mut reader = csv::Reader::from_reader(body.as_bytes());
            let header = reader.headers().expect("header").clone();
            let records: Vec<csv::StringRecord> =
                reader.records().collect::<Result<_, _>>().expect("records");
            proptest::prop_assert_eq!(records.len(), 1);
            for (name, cell) in header.iter().zip(records[0].iter()) {
                proptest::prop_assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{} is a formula: {:?}", name, cell
                );
            }
            let cell = |name: &str| {
                header
                    .iter()
                    .position(|h| h == name)
                    .and_then(|i| records[0].get(i))
                    .unwrap_or_default()
                    .to_owned()
            };
            for (name, original) in [("text", &text), ("chat", &chat)] {
                // A guarded cell (a formula sign first, also after spaces such as U+2000)
                // is the original behind one quote; any other cell is the original.
                let got = cell(name);
                let unguarded = if kuzot_service::spreadsheet_safe(original) != original.as_str() {
                    got.strip_prefix('\'').unwrap_or("<no guard>").to_owned()
                } else {
                    got
                };
                proptest::prop_assert_eq!(&unguarded, original, "{}", name);
            }
            let _ = to_jsonl(std::slice::from_ref(&r)).expect("jsonl");
            let _ = attachment(&text);
        }
    }
}
