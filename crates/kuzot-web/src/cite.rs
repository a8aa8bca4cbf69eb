//! The citation of one message: the facts a court or an editor needs to find it again and
//! check it — the source file's name and full SHA-256, when and by whom it was imported,
//! where in the file the message is (1-based record and line numbers, byte offset), the
//! export's own message id and time, and the message's kuzot address.
//!
//! The same function serves the message page's "Cite" block and `kuzot cite ID`, so the
//! two always give the same text. The text is English on purpose: it is a fixed evidence
//! format quoted into filings, not interface text, and its field names must not change
//! with the reader's language. It names no author and no chat (a private chat's name is a
//! person's name).

use kuzot_store::{SourceRecord, StoredDocument};

/// What is written when an import recorded no operator.
pub const UNKNOWN_OPERATOR: &str = "unknown";

/// The citation of `doc` from `source`, with its address under `base_url` (no trailing
/// slash needed). One fact a line, `Name: value`.
pub fn citation(doc: &StoredDocument, source: Option<&SourceRecord>, base_url: &str) -> String {
    let mut lines = vec![format!("kuzot message {}", doc.id)];
    match source {
        Some(s) => {
            lines.push(format!("Source file: {}", s.original_name));
            lines.push(format!("Source format: {}", s.format));
            lines.push(format!("Source size: {} bytes", s.size));
            lines.push(format!("Source SHA-256: {}", s.sha256));
            let operator = if s.imported_by.trim().is_empty() || s.imported_by == UNKNOWN_OPERATOR {
                "unknown (no operator was recorded at import)".to_owned()
            } else {
                s.imported_by.clone()
            };
            lines.push(format!(
                "Imported: {} by {operator}",
                whole_seconds(&s.imported_at)
            ));
        }
        None => {
            lines.push(format!("Source file: {}", doc.source_name));
            lines.push(format!("Source SHA-256: {}", doc.source));
        }
    }
    let p = &doc.position;
    // A PDF's records are its pages (see the PDF reader).
    let mut position = if doc.format == "pdf" {
        format!("page {}", p.index + 1)
    } else {
        format!("record {}", p.index + 1)
    };
    if let Some(line) = p.line {
        position.push_str(&format!(", line {line}"));
    }
    if let Some(byte) = p.byte_offset {
        position.push_str(&format!(", byte offset {byte}"));
    }
    lines.push(format!("Position in the file: {position}"));
    if let Some(id) = &doc.message_id {
        lines.push(format!("Message id in the export: {id}"));
    }
    if let Some(time) = &doc.time {
        lines.push(format!("Message time: {}", whole_seconds(time)));
    }
    lines.push(format!(
        "Address: {}/messages/{}",
        base_url.trim_end_matches('/'),
        doc.id
    ));
    lines.join("\n")
}

/// An RFC 3339 time without its fraction of a second (`…T02:20:28.759043458Z` →
/// `…T02:20:28Z`): nanoseconds say nothing to a reader and make the line hard to read.
pub fn whole_seconds(time: &str) -> String {
    match time.find('.') {
        Some(dot) => {
            let rest = &time[dot + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return time.to_owned();
            }
            format!("{}{}", &time[..dot], &rest[digits..])
        }
        None => time.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::whole_seconds;

    #[test]
    fn fractions_of_a_second_are_dropped() {
        assert_eq!(
            whole_seconds("2026-12-07T02:20:28.759043458Z"),
            "2026-12-07T02:20:28Z"
        );
        assert_eq!(
            whole_seconds("2024-03-01T09:15:10+05:00"),
            "2024-03-01T09:15:10+05:00"
        );
        assert_eq!(
            whole_seconds("2024-03-01T09:15:10.5+06:00"),
            "2024-03-01T09:15:10+06:00"
        );
        assert_eq!(whole_seconds("v1.x"), "v1.x");
    }
}
