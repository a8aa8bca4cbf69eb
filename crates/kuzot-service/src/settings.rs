//! Layered settings: built-in defaults, then a TOML file, then `KUZOT_*` environment
//! variables, then command-line flags (the CLI applies the last two through clap).

use std::path::{Path, PathBuf};

use kuzot_ingest::ReadLimits;

use serde::Deserialize;

use crate::ServiceError;

/// The commented example printed by `kuzot config default`.
pub const DEFAULT_CONFIG: &str = r#"# kuzot settings. Every value here is the default; delete what you do not change.
# Order of precedence: this file < KUZOT_* environment variables < command-line flags.
# The file is read from --config, or from ./kuzot.toml when present.

# Where the evidence store lives: the database, the kept source files and the key of the
# author pseudonyms. Back it up as a whole; the key (secret.key) is what links pseudonyms
# across imports. `kuzot backup FILE` does that while servers and imports run (one
# consistent snapshot, on SQLite and PostgreSQL alike; `--recipient age1…` encrypts it),
# and `kuzot restore FILE DIR` brings it back. Environment: KUZOT_DATA.
data_dir = "./kuzot-data"

# The evidence database, when it is not the SQLite store of data_dir: a PostgreSQL URL
# (postgres://user:password@host:5432/database) that several kuzot processes share, or the
# path of another SQLite data directory. With PostgreSQL, data_dir still holds this
# process's search index and models. Environment: KUZOT_DATABASE_URL; flag: --database.
# database_url = "postgres://kuzot@db.example.org/kuzot"

# Who is importing, recorded with every source file (an analyst's name or role, not a
# message author). Environment: KUZOT_OPERATOR. Default: the login name.
# operator = "analyst"

# Keep the raw names and ids of message authors. Off by default: authors in chat exports
# are private people and are stored as keyed pseudonyms. Turn on only for a lawful,
# documented need; --keep-authors does the same for one import.
keep_authors = false

# Limits of `kuzot serve`: what one request, login or connection may take, so that no
# anonymous client can exhaust the machine.
[server]
# Largest request body, except analysts' uploads (forms, logins, labels, JSON), in bytes.
form_body_bytes = 65536
# Largest upload (POST /imports, POST /api/v1/imports, analysts only), in bytes (2 GiB).
upload_body_bytes = 2147483648
# Password hashes computed at once (argon2id takes 19 MiB each); more logins wait.
password_hashes = 4
# Seconds a login waits for one of those before it is answered 503.
hash_wait_seconds = 5
# Login attempts per account and per client address, counted before the password is
# checked, within this many seconds.
login_attempts = 5
login_window_seconds = 900
# Connections open at once; more wait in the listen queue.
connections = 1024
# Searches run at once; more wait their turn, first come first served, so that under load
# every request waits about as long (0: as many as the machine has cores).
searches = 0
# Seconds a client has to send a request's headers (on a new connection, or between the
# requests of a kept-alive one) before it is disconnected.
header_read_timeout_seconds = 20
# Who analyses what a browser import stores: "in-process" (the server, before the import
# is reported done) or "workers" (the import returns once the documents are stored and
# queued; `kuzot worker` processes analyse them, and search shows their categories as
# they finish).
analysis = "in-process"
# The public offer checker (/check, POST /api/v1/check) and the "know your rights" pages,
# open to anyone: the longest text checked, in characters (a longer one is refused with a
# message), and how many requests one client address may send within the window before
# it is answered 429.
check_text_chars = 20000
public_requests = 30
public_window_seconds = 60

# The public numbers page (`/public`, no account): aggregates of the ads of the sources an
# administrator chose (Admin → Public numbers; none chosen: the page shows nothing).
[public_numbers]
# Small-cell suppression: a count below this (a category, a month, a pay band, a CSV row)
# is shown as "fewer than N" and withheld, and so is a second cell wherever the withheld
# one could be recovered from a published total by subtraction. At least 1.
min_cell = 10
# Requests to the page and its chart files per client address per minute; more get 429
# (0: no limit, for a deployment that limits at its reverse proxy).
requests_per_minute = 60
# Seconds the computed counts are reused before the database is asked again (0: never
# reused). Choosing sources clears them at once.
cache_seconds = 60

# Limits of every import (`kuzot ingest`, uploads, the demo), so that no crafted file
# exhausts the machine. A record or document over them is rejected with its position and
# the rest of the file is imported; a file nested too deeply is rejected whole.
[ingest]
# The most bytes one record may take in the file (a Telegram message, a CSV row, a JSONL
# line, a WhatsApp message with its further lines); the reader holds at most this much.
record_bytes = 8388608
# The most bytes of text one stored document may hold.
document_bytes = 4194304
# How deeply a Telegram JSON export may nest outside its messages (real ones: 4 levels).
nesting_depth = 64
# The largest file of a format read whole into memory (plain text, Telegram HTML pages,
# saved web pages, PDF); a larger one is refused by its size, before it is kept or read.
# Streamed formats (Telegram JSON, WhatsApp, CSV, JSONL) have no file limit.
whole_file_bytes = 134217728

[cases]
# The key file of the case registry (`kuzot cases`): the key that opens the sealed names,
# birth dates, contacts and notes of the persons in it. Keep it apart from data_dir and
# from database backups (another disk, a secrets mount): a copy of the database without
# it names nobody, and without it the registry cannot be read. `kuzot cases init-key PATH`
# creates one. Environment: KUZOT_CASES_KEY_FILE.
# key_file = "/etc/kuzot/cases.key"
"#;

/// kuzot's settings.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The data directory.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// The evidence database when it is not the SQLite store of `data_dir`.
    #[serde(default)]
    pub database_url: Option<String>,
    /// Who imports.
    #[serde(default)]
    pub operator: Option<String>,
    /// Keep raw author names.
    #[serde(default)]
    pub keep_authors: bool,
    /// Limits of the web server.
    #[serde(default)]
    pub server: ServerLimits,
    /// Limits of every import.
    #[serde(default)]
    pub ingest: IngestLimits,
    /// The public numbers page.
    #[serde(default)]
    pub public_numbers: PublicNumbersSettings,
    /// The case registry.
    #[serde(default)]
    pub cases: CasesSettings,
}

/// The `[cases]` table: the case registry (see [`DEFAULT_CONFIG`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CasesSettings {
    /// The key file of the registry's key-encryption key, outside the data directory.
    pub key_file: Option<PathBuf>,
}

/// The `[public_numbers]` table: the public numbers page (see [`DEFAULT_CONFIG`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicNumbersSettings {
    /// Counts below this are withheld ("fewer than N").
    pub min_cell: u64,
    /// Requests per client address per minute.
    pub requests_per_minute: u32,
    /// Seconds the computed counts are reused.
    pub cache_seconds: u64,
}

impl Default for PublicNumbersSettings {
    fn default() -> PublicNumbersSettings {
        PublicNumbersSettings {
            min_cell: 10,
            requests_per_minute: 60,
            cache_seconds: 60,
        }
    }
}

/// The `[ingest]` table: size and nesting bounds of every import (see [`DEFAULT_CONFIG`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestLimits {
    /// The most bytes one record may take in the file.
    pub record_bytes: u64,
    /// The most bytes of text one document may hold.
    pub document_bytes: u64,
    /// How deeply a Telegram JSON export may nest outside its messages.
    pub nesting_depth: u32,
    /// The largest file of a format that is read whole into memory.
    pub whole_file_bytes: u64,
}

impl Default for IngestLimits {
    fn default() -> IngestLimits {
        let read = ReadLimits::default();
        IngestLimits {
            record_bytes: read.max_record_bytes,
            document_bytes: read.max_document_bytes as u64,
            nesting_depth: read.max_nesting_depth as u32,
            whole_file_bytes: read.max_whole_file_bytes,
        }
    }
}

impl IngestLimits {
    /// The readers' limits. Zero is refused when the settings are loaded, so every bound
    /// here is at least 1.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_record_bytes: self.record_bytes,
            max_document_bytes: usize::try_from(self.document_bytes).unwrap_or(usize::MAX),
            max_nesting_depth: self.nesting_depth as usize,
            max_whole_file_bytes: self.whole_file_bytes,
        }
    }

    /// The first bound set to zero, which would refuse every record or every file.
    fn zero_bound(&self) -> Option<&'static str> {
        [
            ("ingest.record_bytes", self.record_bytes),
            ("ingest.document_bytes", self.document_bytes),
            ("ingest.nesting_depth", u64::from(self.nesting_depth)),
            ("ingest.whole_file_bytes", self.whole_file_bytes),
        ]
        .into_iter()
        .find_map(|(name, value)| (value == 0).then_some(name))
    }
}

/// The `[server]` table: resource limits of `kuzot serve` (see [`DEFAULT_CONFIG`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerLimits {
    /// Largest request body except analysts' uploads, in bytes.
    pub form_body_bytes: u64,
    /// Largest upload, in bytes.
    pub upload_body_bytes: u64,
    /// Password hashes computed at once.
    pub password_hashes: u32,
    /// Seconds a login waits for a hashing permit.
    pub hash_wait_seconds: u64,
    /// Login attempts per account and per address within the window.
    pub login_attempts: u32,
    /// The login window, in seconds.
    pub login_window_seconds: u64,
    /// Connections open at once.
    pub connections: u32,
    /// Searches run at once (0: one per core).
    pub searches: u32,
    /// Seconds to send a request's headers.
    pub header_read_timeout_seconds: u64,
    /// Who analyses what a browser import stores.
    pub analysis: AnalysisMode,
    /// The longest text the public offer checker takes, in characters.
    pub check_text_chars: u64,
    /// Requests one client address may send to the public pages within the window.
    pub public_requests: u32,
    /// The window of `public_requests`, in seconds.
    pub public_window_seconds: u64,
}

/// Who analyses the documents an import stores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnalysisMode {
    /// The importing process, before the import is reported done.
    #[default]
    InProcess,
    /// `kuzot worker` processes, from the analysis queue.
    Workers,
}

impl Default for ServerLimits {
    fn default() -> ServerLimits {
        ServerLimits {
            form_body_bytes: 64 << 10,
            upload_body_bytes: 2 << 30,
            password_hashes: 4,
            hash_wait_seconds: 5,
            login_attempts: 5,
            login_window_seconds: 15 * 60,
            connections: 1024,
            searches: 0,
            header_read_timeout_seconds: 20,
            analysis: AnalysisMode::InProcess,
            check_text_chars: 20_000,
            public_requests: 30,
            public_window_seconds: 60,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No secrets among the settings yet; the pseudonym key never enters them.
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self
                    .database_url
                    .as_deref()
                    .map(kuzot_store::url_without_password),
            )
            .field("operator", &self.operator)
            .field("keep_authors", &self.keep_authors)
            .field("server", &self.server)
            .field("ingest", &self.ingest)
            .field("public_numbers", &self.public_numbers)
            .field("cases", &self.cases)
            .finish()
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./kuzot-data")
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data_dir: default_data_dir(),
            database_url: None,
            operator: None,
            keep_authors: false,
            server: ServerLimits::default(),
            ingest: IngestLimits::default(),
            public_numbers: PublicNumbersSettings::default(),
            cases: CasesSettings::default(),
        }
    }
}

impl Settings {
    /// Reads settings from `path`, or from `./kuzot.toml` when `path` is `None` and that
    /// file exists; defaults otherwise.
    pub fn load(path: Option<&Path>) -> Result<Settings, ServiceError> {
        let (path, required) = match path {
            Some(p) => (p.to_owned(), true),
            None => (PathBuf::from("kuzot.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Settings::default());
            }
            Err(e) => {
                return Err(ServiceError::Settings {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        let settings: Settings = toml::from_str(&text).map_err(|e| ServiceError::Settings {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if let Some(name) = settings.ingest.zero_bound() {
            return Err(ServiceError::Settings {
                path,
                reason: format!("{name} must be at least 1"),
            });
        }
        // A threshold of 0 would publish every single ad's cell: refused, not read as "off".
        if settings.public_numbers.min_cell == 0 {
            return Err(ServiceError::Settings {
                path,
                reason: "public_numbers.min_cell must be at least 1".into(),
            });
        }
        Ok(settings)
    }

    /// Where the evidence store is: `database_url` when set, else the SQLite store of
    /// `data_dir`.
    pub fn store_location(&self) -> kuzot_store::StoreLocation {
        match &self.database_url {
            Some(url) => kuzot_store::StoreLocation::parse(url),
            None => kuzot_store::StoreLocation::Sqlite(self.data_dir.clone()),
        }
    }

    /// The operator name recorded with imports: the setting, else the login name.
    pub fn operator_name(&self) -> String {
        self.operator
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_default_is_the_default() {
        let parsed: Settings = toml::from_str(DEFAULT_CONFIG).expect("valid TOML");
        assert_eq!(parsed, Settings::default());
    }

    #[test]
    fn ingest_limits_are_read_and_zero_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kuzot.toml");
        std::fs::write(&path, "[ingest]\nrecord_bytes = 1000\nnesting_depth = 8\n").expect("write");
        let limits = Settings::load(Some(&path))
            .expect("load")
            .ingest
            .read_limits();
        assert_eq!(limits.max_record_bytes, 1000);
        assert_eq!(limits.max_nesting_depth, 8);
        assert_eq!(
            limits.max_document_bytes,
            ReadLimits::DEFAULT_MAX_DOCUMENT_BYTES,
            "an unset bound keeps its default"
        );
        std::fs::write(&path, "[ingest]\ndocument_bytes = 0\n").expect("write");
        let err = Settings::load(Some(&path)).expect_err("zero");
        assert!(err.to_string().contains("ingest.document_bytes"), "{err}");
        std::fs::write(&path, "[ingest]\nwhole_file_bytes = 2048\n").expect("write");
        let limits = Settings::load(Some(&path))
            .expect("load")
            .ingest
            .read_limits();
        assert_eq!(limits.max_whole_file_bytes, 2048);
        std::fs::write(&path, "[ingest]\nwhole_file_bytes = 0\n").expect("write");
        let err = Settings::load(Some(&path)).expect_err("zero");
        assert!(err.to_string().contains("ingest.whole_file_bytes"), "{err}");
    }

    #[test]
    fn public_numbers_settings_are_read_and_a_zero_threshold_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kuzot.toml");
        std::fs::write(&path, "[public_numbers]\nmin_cell = 5\ncache_seconds = 0\n")
            .expect("write");
        let public = Settings::load(Some(&path)).expect("load").public_numbers;
        assert_eq!((public.min_cell, public.cache_seconds), (5, 0));
        assert_eq!(
            public.requests_per_minute, 60,
            "an unset value keeps its default"
        );
        std::fs::write(&path, "[public_numbers]\nmin_cell = 0\n").expect("write");
        let err = Settings::load(Some(&path)).expect_err("zero");
        assert!(err.to_string().contains("public_numbers.min_cell"), "{err}");
    }

    #[test]
    fn unknown_keys_are_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kuzot.toml");
        std::fs::write(&path, "data_dri = \"x\"\n").expect("write");
        let err = Settings::load(Some(&path)).expect_err("typo");
        assert!(
            err.to_string().contains("kuzot.toml") && err.to_string().contains("data_dri"),
            "{err}"
        );
    }
}
