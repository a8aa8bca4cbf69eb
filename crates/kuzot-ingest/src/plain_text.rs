//! Any other UTF-8 text file, kept as one document (a report pasted into a file, notes
//! from an interview, an ad copied by hand).

use std::io::BufRead;

use kuzot_model::{DocumentKind, RawDocument, SourceFormat, SourcePosition};

use crate::{DocumentSink, ReadError, ReadOptions};

/// Reads a plain text file as one document; the title is its first non-empty line.
///
/// The file is read whole, so one over [`crate::ReadLimits::max_whole_file_bytes`] is
/// refused ([`ReadError::TooLarge`]) after at most that many bytes; its text is then held
/// to [`crate::ReadLimits::max_document_bytes`] like every document.
pub fn read(
    input: impl BufRead,
    options: &ReadOptions,
    sink: &mut dyn DocumentSink,
) -> Result<(), ReadError> {
    let bytes = crate::read_whole(input, SourceFormat::PlainText, &options.limits)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(body).map_err(|e| ReadError::NotThisFormat {
        expected: SourceFormat::PlainText,
        found: format!(
            "bytes that are not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ),
    })?;
    if text.contains('\0') {
        return Err(ReadError::NotThisFormat {
            expected: SourceFormat::PlainText,
            found: "binary data (NUL bytes)".into(),
        });
    }
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return Ok(());
    }
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect());
    let mut doc = RawDocument::new(
        text,
        SourcePosition {
            index: 0,
            line: Some(1),
            byte_offset: Some(0),
        },
    );
    doc.kind = DocumentKind::File;
    doc.title = title;
    doc.chat.name = options.file_name.clone();
    sink.document(doc)?;
    Ok(())
}
