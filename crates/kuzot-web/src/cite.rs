//! The citation of one message: the facts a court or an editor needs to find it again and
//! check it — the source file's name and full SHA-256, when and by whom it was imported,
//! where in the file the message is (1-based record and line numbers, byte offset), the
//! export's own message id and time, and the message's kuzot address.
//!
//! The same function serves the message page's "Cite" block and `kuzot cite ID [--lang]`,
//! so the two always give the same text. It is written in Kyrgyz, Russian or English
//! (a filing to a court in Bishkek is in Kyrgyz or Russian) from the fixed field names of
//! [`CitationLang`]: they are part of an evidence format quoted into filings, so they are
//! kept here, in code beside their tests, not in the interface catalogues that translators
//! change. Identifiers stay as they are in every language: the format's name, the hash, the
//! times in RFC 3339, the address. It names no author and no chat (a private chat's name is
//! a person's name).

use kuzot_store::{SourceRecord, StoredDocument};

/// What is written when an import recorded no operator.
pub const UNKNOWN_OPERATOR: &str = "unknown";

/// The language of a citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CitationLang {
    /// Kyrgyz.
    Ky,
    /// Russian.
    Ru,
    /// English (the default of `kuzot cite`).
    #[default]
    En,
}

impl CitationLang {
    /// The language from its code (`ky`, `ru`, `en`).
    pub fn from_code(code: &str) -> Option<CitationLang> {
        match code {
            "ky" => Some(CitationLang::Ky),
            "ru" => Some(CitationLang::Ru),
            "en" => Some(CitationLang::En),
            _ => None,
        }
    }

    /// The BCP 47 tag of the text.
    pub fn code(self) -> &'static str {
        match self {
            CitationLang::Ky => "ky",
            CitationLang::Ru => "ru",
            CitationLang::En => "en",
        }
    }

    fn words(self) -> &'static Words {
        match self {
            CitationLang::Ky => &KY,
            CitationLang::Ru => &RU,
            CitationLang::En => &EN,
        }
    }
}

/// The fixed parts of a citation in one language. A number is put where `{}` stands.
struct Words {
    title: &'static str,
    file: &'static str,
    format: &'static str,
    size: &'static str,
    sha256: &'static str,
    imported: &'static str,
    /// Between the time of the import and the operator's name.
    by: &'static str,
    no_operator: &'static str,
    position: &'static str,
    page: &'static str,
    record: &'static str,
    line: &'static str,
    byte_offset: &'static str,
    message_id: &'static str,
    time: &'static str,
    address: &'static str,
}

const EN: Words = Words {
    title: "kuzot message {}",
    file: "Source file",
    format: "Source format",
    size: "Source size: {} bytes",
    sha256: "Source SHA-256",
    imported: "Imported",
    by: " by",
    no_operator: "unknown (no operator was recorded at import)",
    position: "Position in the file",
    page: "page {}",
    record: "record {}",
    line: "line {}",
    byte_offset: "byte offset {}",
    message_id: "Message id in the export",
    time: "Message time",
    address: "Address",
};

const RU: Words = Words {
    title: "Сообщение kuzot № {}",
    file: "Исходный файл",
    format: "Формат файла",
    size: "Размер файла: {} байт",
    sha256: "SHA-256 файла",
    imported: "Импортирован",
    by: ", оператор:",
    no_operator: "неизвестен (при импорте оператор не был записан)",
    position: "Место в файле",
    page: "страница {}",
    record: "запись {}",
    line: "строка {}",
    byte_offset: "смещение {} байт",
    message_id: "Номер сообщения в экспорте",
    time: "Время сообщения",
    address: "Адрес",
};

const KY: Words = Words {
    title: "kuzot билдирүүсү № {}",
    file: "Булак файлы",
    format: "Файлдын форматы",
    size: "Файлдын көлөмү: {} байт",
    sha256: "Файлдын SHA-256 хеши",
    imported: "Импорттолгон",
    by: ", оператор:",
    no_operator: "белгисиз (импорттоо учурунда оператор жазылган эмес)",
    position: "Файлдагы орду",
    page: "{}-бет",
    record: "{}-жазуу",
    line: "{}-сап",
    byte_offset: "{}-байттан",
    message_id: "Экспорттогу билдирүүнүн номери",
    time: "Билдирүүнүн убактысы",
    address: "Дареги",
};

fn with_number(pattern: &str, n: impl std::fmt::Display) -> String {
    pattern.replacen("{}", &n.to_string(), 1)
}

/// The citation of `doc` from `source`, with its address under `base_url` (no trailing
/// slash needed), in `lang`. One fact a line, `Name: value`.
pub fn citation(
    doc: &StoredDocument,
    source: Option<&SourceRecord>,
    base_url: &str,
    lang: CitationLang,
) -> String {
    let w = lang.words();
    let mut lines = vec![with_number(w.title, doc.id)];
    match source {
        Some(s) => {
            lines.push(format!("{}: {}", w.file, s.original_name));
            lines.push(format!("{}: {}", w.format, s.format));
            lines.push(with_number(w.size, s.size));
            lines.push(format!("{}: {}", w.sha256, s.sha256));
            let operator = if s.imported_by.trim().is_empty() || s.imported_by == UNKNOWN_OPERATOR {
                w.no_operator.to_owned()
            } else {
                s.imported_by.clone()
            };
            lines.push(format!(
                "{}: {}{} {operator}",
                w.imported,
                whole_seconds(&s.imported_at),
                w.by
            ));
        }
        None => {
            lines.push(format!("{}: {}", w.file, doc.source_name));
            lines.push(format!("{}: {}", w.sha256, doc.source));
        }
    }
    let p = &doc.position;
    // A PDF's records are its pages (see the PDF reader).
    let mut position = if doc.format == "pdf" {
        vec![with_number(w.page, p.index + 1)]
    } else {
        vec![with_number(w.record, p.index + 1)]
    };
    if let Some(line) = p.line {
        position.push(with_number(w.line, line));
    }
    if let Some(byte) = p.byte_offset {
        position.push(with_number(w.byte_offset, byte));
    }
    lines.push(format!("{}: {}", w.position, position.join(", ")));
    if let Some(id) = &doc.message_id {
        lines.push(format!("{}: {id}", w.message_id));
    }
    if let Some(time) = &doc.time {
        lines.push(format!("{}: {}", w.time, whole_seconds(time)));
    }
    lines.push(format!(
        "{}: {}/messages/{}",
        w.address,
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
