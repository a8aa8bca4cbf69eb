//! Layered settings: built-in defaults, then a TOML file, then `KUZOT_*` environment
//! variables, then command-line flags (the CLI applies the last two through clap).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::ServiceError;

/// The commented example printed by `kuzot config default`.
pub const DEFAULT_CONFIG: &str = r#"# kuzot settings. Every value here is the default; delete what you do not change.
# Order of precedence: this file < KUZOT_* environment variables < command-line flags.
# The file is read from --config, or from ./kuzot.toml when present.

# Where the evidence store lives: the database, the kept source files and the key of the
# author pseudonyms. Back it up as a whole; the key (secret.key) is what links pseudonyms
# across imports. Environment: KUZOT_DATA.
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
# Seconds a client has to send a request's headers (on a new connection, or between the
# requests of a kept-alive one) before it is disconnected.
header_read_timeout_seconds = 20
# Who analyses what a browser import stores: "in-process" (the server, before the import
# is reported done) or "workers" (the import returns once the documents are stored and
# queued; `kuzot worker` processes analyse them, and search shows their categories as
# they finish).
analysis = "in-process"
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
    /// Seconds to send a request's headers.
    pub header_read_timeout_seconds: u64,
    /// Who analyses what a browser import stores.
    pub analysis: AnalysisMode,
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
            header_read_timeout_seconds: 20,
            analysis: AnalysisMode::InProcess,
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
        toml::from_str(&text).map_err(|e| ServiceError::Settings {
            path,
            reason: e.to_string(),
        })
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
