//! Format detection from a file's first bytes, with its name as a tie-breaker. Content
//! decides first: people rename files, and a `.txt` may be a WhatsApp export or a report.

use kuzot_model::SourceFormat;

/// How many bytes of the start of a file detection looks at.
pub const DETECTION_PREFIX: usize = 64 * 1024;

/// A detected format and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The format.
    pub format: SourceFormat,
    /// What in the file decided it, for logs and `--json` output.
    pub reason: &'static str,
}

fn detection(format: SourceFormat, reason: &'static str) -> Option<Detection> {
    Some(Detection { format, reason })
}

/// Detects the format of a file from its first bytes (ideally [`DETECTION_PREFIX`] of them)
/// and its name. `None` when nothing fits: binary data of an unknown kind.
pub fn detect_format(head: &[u8], file_name: Option<&str>) -> Option<Detection> {
    let extension = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if head.starts_with(b"%PDF-") {
        return detection(SourceFormat::Pdf, "starts with %PDF-");
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The prefix may cut a multi-byte character; judge by the valid part.
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() || e.valid_up_to() > body.len().saturating_sub(4) => {
            std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return None,
    };
    let trimmed = text.trim_start();
    // An iOS WhatsApp export opens with `[date, time]`, which is also how a JSON array opens.
    let whatsapp_first_line = trimmed
        .lines()
        .next()
        .is_some_and(looks_like_whatsapp_header);
    if !whatsapp_first_line && (trimmed.starts_with('{') || trimmed.starts_with('[')) {
        let first_line = trimmed.lines().next().unwrap_or("").trim();
        let first_object = (first_line.len() > 1)
            .then(|| serde_json::from_str::<serde_json::Value>(first_line).ok())
            .flatten()
            .filter(serde_json::Value::is_object);
        if let Some(object) = first_object {
            // A small Telegram export saved without line breaks is one complete object on
            // one line too; its `messages` list or `chats` object tells it from a record.
            if object
                .get("messages")
                .is_some_and(serde_json::Value::is_array)
                || object
                    .get("chats")
                    .is_some_and(serde_json::Value::is_object)
            {
                return detection(
                    SourceFormat::TelegramJson,
                    "a Telegram export on one line (a messages list)",
                );
            }
            return detection(SourceFormat::Jsonl, "one JSON object a line");
        }
        if text.contains("\"messages\"") || text.contains("\"chats\"") {
            return detection(SourceFormat::TelegramJson, "JSON with a messages list");
        }
        return match extension.as_str() {
            "jsonl" | "ndjson" => detection(SourceFormat::Jsonl, "JSON, named .jsonl"),
            _ => detection(SourceFormat::TelegramJson, "a JSON document"),
        };
    }
    let lower_start: String = trimmed
        .chars()
        .take(2048)
        .collect::<String>()
        .to_lowercase();
    if lower_start.starts_with('<') {
        if text.contains("class=\"history\"") || text.contains("class=\"page_header\"") {
            return detection(SourceFormat::TelegramHtml, "Telegram Desktop HTML layout");
        }
        if lower_start.contains("<html")
            || lower_start.contains("<!doctype html")
            || lower_start.contains("<head")
        {
            return detection(SourceFormat::WebPage, "an HTML document");
        }
    }
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(50)
        .collect();
    let headers = lines
        .iter()
        .filter(|l| looks_like_whatsapp_header(l))
        .count();
    if headers > 0
        && (headers * 3 >= lines.len().min(30)
            || lines.first().is_some_and(|l| looks_like_whatsapp_header(l)))
    {
        return detection(
            SourceFormat::WhatsappTxt,
            "lines start with a WhatsApp date and time",
        );
    }
    if matches!(extension.as_str(), "csv" | "tsv") || looks_like_table(&lines) {
        return detection(
            SourceFormat::Csv,
            "rows with a constant number of delimiters",
        );
    }
    if matches!(extension.as_str(), "html" | "htm") {
        return detection(SourceFormat::WebPage, "named .html");
    }
    if text.contains('\0') {
        return None;
    }
    detection(SourceFormat::PlainText, "UTF-8 text")
}

/// A date and a time at the start of a line, bracketed or not: `12/03/2024, 14:05 -`,
/// `[12.03.24, 14:05:33]`, `2024-03-12 2:05 PM -`.
fn looks_like_whatsapp_header(line: &str) -> bool {
    let line = line.trim_start_matches(['\u{200e}', '\u{200f}', '\u{feff}', ' ']);
    let line = line.strip_prefix('[').unwrap_or(line);
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut groups = 0;
    // Three digit groups separated by one of / . -
    while groups < 3 {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let len = i - start;
        if !(1..=4).contains(&len) {
            return false;
        }
        groups += 1;
        if groups < 3 {
            if i < bytes.len() && matches!(bytes[i], b'/' | b'.' | b'-') {
                i += 1;
            } else {
                return false;
            }
        }
    }
    // Optional trailing dot (`12.03.24.`), then `,` and/or spaces.
    let rest = &line[i.min(line.len())..];
    let rest = rest
        .trim_start_matches('.')
        .trim_start_matches(',')
        .trim_start();
    let hour: String = rest.chars().take_while(char::is_ascii_digit).collect();
    !hour.is_empty() && hour.len() <= 2 && rest[hour.len()..].starts_with(':')
}

/// The first lines split into the same number (≥ 2) of fields by `,` `;` or tab.
fn looks_like_table(lines: &[&str]) -> bool {
    if lines.len() < 2 {
        return false;
    }
    [',', ';', '\t'].iter().any(|&d| {
        let counts: Vec<usize> = lines.iter().take(5).map(|l| l.matches(d).count()).collect();
        counts[0] >= 1 && counts.iter().all(|&c| c == counts[0])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(head: &str, name: &str) -> Option<SourceFormat> {
        detect_format(head.as_bytes(), Some(name)).map(|d| d.format)
    }

    #[test]
    fn a_one_line_ios_whatsapp_chat_is_not_taken_for_json() {
        let chat = "[04.05.24, 12:00:00] Vakansiya: qo‘riqchi kerak\n".as_bytes();
        let found = detect_format(chat, Some("chat.txt")).expect("detected");
        assert_eq!(found.format, SourceFormat::WhatsappTxt);
        let array = b"[1, 2, 3]";
        assert_eq!(
            detect_format(array, None).expect("detected").format,
            SourceFormat::TelegramJson
        );
    }

    #[test]
    fn a_minified_telegram_export_is_not_taken_for_jsonl() {
        let chat = r#"{"name":"Ish","type":"public_channel","id":1,"messages":[{"id":1,"type":"message","date_unixtime":"1700000000","text":"Работа"}]}"#;
        assert_eq!(
            format_of(chat, "result.json"),
            Some(SourceFormat::TelegramJson)
        );
        let account = r#"{"about":"","chats":{"about":"","list":[]}}"#;
        assert_eq!(
            format_of(account, "result.json"),
            Some(SourceFormat::TelegramJson)
        );
        // A JSONL record that merely has a "messages" field of another shape stays JSONL.
        assert_eq!(
            format_of("{\"text\":\"a\",\"messages\":3}\n", "x.jsonl"),
            Some(SourceFormat::Jsonl)
        );
    }

    #[test]
    fn detects_each_format_from_content() {
        assert_eq!(
            format_of("{\n \"name\": \"Ish\",\n \"messages\": [", "result.json"),
            Some(SourceFormat::TelegramJson)
        );
        assert_eq!(
            format_of(
                "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": \"b\"}\n",
                "x.json"
            ),
            Some(SourceFormat::Jsonl)
        );
        assert_eq!(
            format_of(
                "<!DOCTYPE html>\n<html><head></head><body><div class=\"page_header\">",
                "messages.html"
            ),
            Some(SourceFormat::TelegramHtml)
        );
        assert_eq!(
            format_of("<!doctype html><html><title>Новости</title>", "page.htm"),
            Some(SourceFormat::WebPage)
        );
        assert_eq!(
            format_of("12/03/2024, 14:05 - Айбек: салам\nэкинчи сап\n", "chat.txt"),
            Some(SourceFormat::WhatsappTxt)
        );
        assert_eq!(
            format_of("\u{200e}[12.03.24, 14:05:33] Aziz: salom\n", "_chat.txt"),
            Some(SourceFormat::WhatsappTxt)
        );
        assert_eq!(
            format_of(
                "id,text,date\n1,hello,2024-01-01\n2,bye,2024-01-02\n",
                "data"
            ),
            Some(SourceFormat::Csv)
        );
        assert_eq!(
            format_of("Отчёт о вербовке мигрантов.\nГлава 1.", "report.txt"),
            Some(SourceFormat::PlainText)
        );
        assert_eq!(
            detect_format(b"%PDF-1.7\n...", None).map(|d| d.format),
            Some(SourceFormat::Pdf)
        );
        assert_eq!(
            detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", Some("x.png")),
            None
        );
    }

    #[test]
    fn a_prefix_cut_inside_a_character_is_still_text() {
        let text = "Работа в Москве. ".repeat(10);
        let cut = &text.as_bytes()[..text.len() - 1];
        assert_eq!(
            detect_format(cut, Some("a.txt")).map(|d| d.format),
            Some(SourceFormat::PlainText)
        );
    }
}
