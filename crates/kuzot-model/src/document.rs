//! What a reader produces: one document with its text, metadata and position in the source.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The source formats kuzot reads. The string form is what `--format` accepts and what
/// the store records for each source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Telegram Desktop "machine-readable JSON" export (one chat or a whole account).
    TelegramJson,
    /// Telegram Desktop HTML export (`messages.html`, `messages2.html`, …).
    TelegramHtml,
    /// WhatsApp "Export chat" text file.
    WhatsappTxt,
    /// Comma-separated values with a header row and a column mapping.
    Csv,
    /// One JSON object a line, with a field mapping.
    Jsonl,
    /// A saved web page (news article, job-site vacancy).
    WebPage,
    /// A PDF with a text layer (a report, a scanned-and-OCRed leaflet).
    Pdf,
    /// Any other UTF-8 text file, kept as one document.
    PlainText,
}

impl SourceFormat {
    /// Every format, in the order detection tries them.
    pub const ALL: [SourceFormat; 8] = [
        SourceFormat::TelegramJson,
        SourceFormat::TelegramHtml,
        SourceFormat::WhatsappTxt,
        SourceFormat::Csv,
        SourceFormat::Jsonl,
        SourceFormat::WebPage,
        SourceFormat::Pdf,
        SourceFormat::PlainText,
    ];

    /// The stable name used on the command line and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::TelegramJson => "telegram_json",
            SourceFormat::TelegramHtml => "telegram_html",
            SourceFormat::WhatsappTxt => "whatsapp_txt",
            SourceFormat::Csv => "csv",
            SourceFormat::Jsonl => "jsonl",
            SourceFormat::WebPage => "web_page",
            SourceFormat::Pdf => "pdf",
            SourceFormat::PlainText => "plain_text",
        }
    }

    /// Parses the stable name (also accepts `-` for `_`).
    pub fn parse(name: &str) -> Option<SourceFormat> {
        let name = name.trim().to_ascii_lowercase().replace('-', "_");
        SourceFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of item a document is within its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A message in a chat or channel.
    #[default]
    Message,
    /// A row of a table (CSV, JSONL) from another tool.
    Record,
    /// A whole web page.
    WebPage,
    /// A whole PDF or text file.
    File,
}

impl DocumentKind {
    /// The stable name used in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Message => "message",
            DocumentKind::Record => "record",
            DocumentKind::WebPage => "web_page",
            DocumentKind::File => "file",
        }
    }
}

/// The chat, channel or group a message was posted in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChatRef {
    /// Identifier given by the export (Telegram chat id); `None` when the format has none.
    pub id: Option<String>,
    /// Display name of the chat or channel.
    pub name: Option<String>,
    /// Kind of chat as the export names it (`public_channel`, `private_group`, …).
    pub kind: Option<String>,
}

/// Chat kinds whose name is private: a personal chat is named after the other person, and
/// a private group's name and members are not published. Telegram's own names, then
/// [`ChatRef::WHATSAPP_CHAT`] (WhatsApp exports only personal chats and groups).
const PRIVATE_CHAT_KINDS: &[&str] = &[
    "personal_chat",
    "bot_chat",
    "saved_messages",
    "private_group",
    "private_supergroup",
    "secret_chat",
    ChatRef::WHATSAPP_CHAT,
];

impl ChatRef {
    /// The kind the WhatsApp reader gives its chats: a personal chat or a group, never a
    /// publication (WhatsApp channels cannot be exported as a chat).
    pub const WHATSAPP_CHAT: &'static str = "whatsapp_chat";

    /// A stable key for "the same chat" across exports: its id when known, else its name.
    pub fn identity(&self) -> Option<&str> {
        self.id.as_deref().or(self.name.as_deref())
    }

    /// True when the export says this is a personal chat or a private group, whose name is
    /// personal data rather than public evidence. Channels, public groups and chats of
    /// unknown kind are not private by this test.
    pub fn is_private(&self) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|kind| PRIVATE_CHAT_KINDS.contains(&kind))
    }
}

/// The author of a message exactly as the export gives it. These are private people:
/// the store replaces them with a keyed pseudonym unless the import asks to keep them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct AuthorRef {
    /// Stable id from the export (`user123`, `channel456`), when there is one.
    pub id: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

impl AuthorRef {
    /// True when neither an id nor a name is known.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none()
    }

    /// True when the id marks a public channel rather than a person (Telegram `channel…`).
    pub fn is_channel(&self) -> bool {
        self.id
            .as_deref()
            .is_some_and(|id| id.starts_with("channel"))
    }
}

/// A media attachment that the export only refers to (a photo, a voice note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// Kind of media (`photo`, `video_file`, `voice_message`, `sticker`, `omitted`, …).
    pub kind: String,
    /// Relative file name inside the export folder, when the export has one.
    pub file: Option<String>,
}

/// Where in its source file a document was found: enough to find it again by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SourcePosition {
    /// Index of the record among all records the reader met (0-based, includes skipped ones).
    pub index: u64,
    /// 1-based line where the record starts, for line-oriented and pretty-printed formats.
    pub line: Option<u64>,
    /// Byte offset where the record starts.
    pub byte_offset: Option<u64>,
}

impl SourcePosition {
    /// A position known only by record index.
    pub fn record(index: u64) -> SourcePosition {
        SourcePosition {
            index,
            line: None,
            byte_offset: None,
        }
    }
}

impl std::fmt::Display for SourcePosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {}", self.index + 1)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(offset) = self.byte_offset {
            write!(f, ", byte {offset}")?;
        }
        Ok(())
    }
}

/// One document read from a source file, before analysis and before pseudonymisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RawDocument {
    /// What kind of item this is.
    pub kind: DocumentKind,
    /// The text, with formatting entities flattened to plain text.
    pub text: String,
    /// When it was written, in UTC; `None` where the source has no time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub time: Option<OffsetDateTime>,
    /// When it was last edited, in UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    pub edited: Option<OffsetDateTime>,
    /// The chat or channel.
    pub chat: ChatRef,
    /// The author, raw.
    pub author: AuthorRef,
    /// Message id within the chat, as the export gives it.
    pub message_id: Option<String>,
    /// The message this one replies to.
    pub reply_to: Option<String>,
    /// Where a forwarded message came from (a channel or a person).
    pub forwarded_from: Option<AuthorRef>,
    /// Title of a page or report.
    pub title: Option<String>,
    /// URL of the item (canonical URL of a page, link column of a table).
    pub url: Option<String>,
    /// Attachments the export refers to.
    pub media: Vec<MediaRef>,
    /// Where in the source file the document was found.
    pub position: SourcePosition,
}

impl RawDocument {
    /// A message with only its text and position; readers fill in the rest.
    pub fn new(text: impl Into<String>, position: SourcePosition) -> RawDocument {
        RawDocument {
            text: text.into(),
            position,
            ..RawDocument::default()
        }
    }
}

/// Where a stored document came from: which source file, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// SHA-256 of the source file, lowercase hex.
    pub source_sha256: String,
    /// The file name the source had when it was imported.
    pub source_name: String,
    /// The format it was read as.
    pub format: SourceFormat,
    /// Position within that file.
    pub position: SourcePosition,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in SourceFormat::ALL {
            assert_eq!(SourceFormat::parse(f.as_str()), Some(f));
        }
        assert_eq!(
            SourceFormat::parse("telegram-json"),
            Some(SourceFormat::TelegramJson)
        );
        assert_eq!(SourceFormat::parse("docx"), None);
    }

    #[test]
    fn position_display_names_every_known_part() {
        let p = SourcePosition {
            index: 4,
            line: Some(12),
            byte_offset: Some(300),
        };
        assert_eq!(p.to_string(), "record 5, line 12, byte 300");
        assert_eq!(SourcePosition::record(0).to_string(), "record 1");
    }

    #[test]
    fn chat_identity_prefers_id() {
        let chat = ChatRef {
            id: Some("42".into()),
            name: Some("Ish".into()),
            kind: None,
        };
        assert_eq!(chat.identity(), Some("42"));
        let chat = ChatRef {
            id: None,
            name: Some("Ish".into()),
            kind: None,
        };
        assert_eq!(chat.identity(), Some("Ish"));
    }
}
