//! Accounts, sessions, API tokens, setup links, the audit log and login throttling, behind
//! one interface ([`AccountStore`]) with two backends: [`SqliteAccounts`] (the `accounts.db`
//! file of a data directory) and [`PostgresAccounts`] (tables beside the evidence in one
//! PostgreSQL database, shared by every `kuzot serve` process).
//!
//! Accounts are not evidence: on SQLite they live in a file of their own so that a backup or
//! a court disclosure of the evidence never carries password hashes, and so that a long
//! import holding the evidence store's write lock never stops anyone from logging in.
//!
//! Secrets (session ids, API tokens, setup links) are 32 random bytes shown once and stored
//! only as their SHA-256: a stolen database does not let anyone in. Passwords reach the
//! store already hashed (the web hashes them with argon2id); the store never sees them.

mod audit_chain;
mod postgres;
mod sqlite;

use crate::copy::{self, CopyTable, CopyTarget, Value};
use std::time::Duration;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::{StoreError, StoreLocation};

pub use self::audit_chain::{
    AuditChainBreak, AuditChainProblem, AuditChainStatus, GENESIS as AUDIT_CHAIN_GENESIS,
    entry_hash as audit_entry_hash,
};
pub use self::postgres::PostgresAccounts;
pub use self::sqlite::SqliteAccounts;

/// What an account may do. Each role includes the ones below it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads: search, pages, dashboard, exports.
    Viewer,
    /// Also reviews and labels, imports.
    Analyst,
    /// Also manages accounts and switches the model.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses an identifier.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// When created (RFC 3339).
    pub created_at: String,
}

/// A session, found by its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The CSRF token of this session, to embed in forms.
    pub csrf: String,
}

/// What an API token may do, whatever its owner's role. A token never reaches the admin
/// routes nor the HTML forms: those are for a person at a browser.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Reads only, as a viewer (the default).
    Read,
    /// Also labels and imports through the API, as an analyst (if its owner is one).
    Write,
}

impl TokenScope {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// Parses an identifier.
    pub fn parse(s: &str) -> Option<TokenScope> {
        [TokenScope::Read, TokenScope::Write]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// The most a caller with this token may do: its owner's role, capped by the scope.
    pub fn cap(self, role: Role) -> Role {
        let most = match self {
            TokenScope::Read => Role::Viewer,
            TokenScope::Write => Role::Analyst,
        };
        role.min(most)
    }
}

/// An API token as listed (the secret itself is shown once, at creation).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    /// Row id.
    pub id: i64,
    /// Name given by its owner.
    pub name: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When created.
    pub created_at: String,
    /// When last used, if ever.
    pub last_used: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    /// Position in the log (consecutive for entries written under the hash chain).
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Account name, or "-" for an anonymous attempt.
    pub actor: String,
    /// What happened: login, login_failed, import, label, role_change, …
    pub action: String,
    /// Details (ids, names of accounts; never passwords or message text).
    pub detail: String,
    /// The entry's link in the hash chain (64 hex digits; see [`audit_entry_hash`]).
    pub hash: String,
}

/// How many login attempts a key may start within a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Attempts per key within `window`.
    pub max_attempts: usize,
    /// The sliding window.
    pub window: Duration,
}

/// Errors of the account store.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The SQLite accounts file failed.
    #[error("accounts database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The PostgreSQL server failed or refused a statement.
    #[error("accounts on PostgreSQL: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The store could not be opened (unreachable server, schema from a newer kuzot, files).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The name is taken.
    #[error("an account named {0:?} already exists")]
    NameTaken(String),
    /// Invalid input (empty name, used setup link…).
    #[error("{0}")]
    Invalid(String),
    /// A new password shorter than the rule (a variant of its own, so that the pages
    /// can say it in the reader's language).
    #[error("the password must have at least {min} characters")]
    PasswordTooShort {
        /// The fewest characters allowed.
        min: usize,
    },
    /// A new password longer than the rule.
    #[error("the password is too long")]
    PasswordTooLong,
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Randomness unavailable.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// How long a session lasts without being used again.
pub const SESSION_HOURS: i64 = 12;
/// Longest account name (in characters).
pub const MAX_NAME_CHARS: usize = 64;
/// Longest API token name (in characters).
pub const MAX_TOKEN_NAME_CHARS: usize = 100;
/// Longest throttling key kept (in bytes); longer keys are cut, so a hostile name cannot
/// fill the table with megabytes.
pub const MAX_THROTTLE_KEY_BYTES: usize = 256;

/// What the web and the CLI need from an account store. Every method blocks (on a file or
/// a server): call them from blocking tasks, never on an async thread.
pub trait AccountStore: Send + Sync {
    /// `sqlite` or `postgres`, and where (a URL without its password), for messages.
    fn describe(&self) -> String;

    /// Number of accounts.
    fn user_count(&self) -> Result<u64, AccountError>;
    /// Creates an account from an already hashed password; [`AccountError::NameTaken`]
    /// when the name exists, [`AccountError::Invalid`] when it is not a valid name.
    fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User, AccountError>;
    /// Every account, by name.
    fn users(&self) -> Result<Vec<User>, AccountError>;
    /// One account by id.
    fn user(&self, id: i64) -> Result<Option<User>, AccountError>;
    /// An account by name with its stored password hash (for checking a login).
    fn user_and_password_hash(&self, name: &str) -> Result<Option<(User, String)>, AccountError>;
    /// Changes the role of an account; disabling ends its sessions (its tokens stop
    /// working while it is disabled).
    fn set_role(&self, id: i64, role: Role, disabled: bool) -> Result<(), AccountError>;
    /// Stores a new password hash, ends every session of the account and revokes its API
    /// tokens (a token minted from a stolen session must not outlive the reset), at once.
    fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<(), AccountError>;

    /// Starts a session: returns the cookie value (shown once, stored hashed).
    fn create_session(&self, user_id: i64) -> Result<String, AccountError>;
    /// The live session of a cookie value, extending it (sliding expiry).
    fn session(&self, token: &str) -> Result<Option<Session>, AccountError>;
    /// Ends a session.
    fn end_session(&self, token: &str) -> Result<(), AccountError>;

    /// Creates an API token with a scope; returns its secret, shown once.
    fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
    ) -> Result<String, AccountError>;
    /// The account and scope of an API token, if the token is live and its owner enabled
    /// (and notes when it was used).
    fn api_token(&self, secret: &str) -> Result<Option<(User, TokenScope)>, AccountError>;
    /// An account's live tokens, oldest first.
    fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, AccountError>;
    /// Revokes one of an account's tokens; false when it has no such token.
    fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, AccountError>;

    /// Makes a one-time setup link token (for the first admin); returns the secret.
    ///
    /// Other links stay valid: several `kuzot serve` processes starting on one empty
    /// database each print their own link, and whichever is used first makes the only
    /// administrator and burns every link (see `complete_setup`).
    fn create_setup_link(&self) -> Result<String, AccountError>;
    /// Whether a setup link is valid (it is, until used, and only while no account exists).
    fn setup_link_valid(&self, token: &str) -> Result<bool, AccountError>;
    /// Uses a setup link: creates the first admin and burns the link, checking the link
    /// and the empty account table again under a lock, so that parallel uses of one link
    /// (from any number of processes) create exactly one admin.
    fn complete_setup(
        &self,
        token: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<User, AccountError>;

    /// Appends to the audit log, chained to the entry before it (see
    /// [`audit_entry_hash`]): appenders of every process are serialised, so the chain
    /// stays linear and the ids consecutive.
    fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AccountError>;
    /// The latest audit entries, newest first.
    fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, AccountError>;
    /// Checks the whole audit log against its hash chain and chain head, in one snapshot:
    /// intact (with the number of entries) or the first broken entry and what is wrong.
    fn verify_audit_chain(&self) -> Result<AuditChainStatus, AccountError>;

    /// Records (replacing) the status of an import job started from the web, so that
    /// every server of a deployment can show it: `status` is the job's status as JSON.
    fn save_import_job(&self, id: i64, started_by: &str, status: &str) -> Result<(), AccountError>;

    /// The last recorded status of an import job: who started it and its status JSON.
    fn import_job(&self, id: i64) -> Result<Option<(String, String)>, AccountError>;

    /// Starts a login attempt for all of `keys` (client address, account name…): false,
    /// with nothing recorded, when any key has used `throttle.max_attempts` within
    /// `throttle.window`; otherwise the attempt is counted for every key at once. Atomic
    /// across processes: concurrent attempts cannot all pass the check. Attempts older
    /// than the window are deleted.
    fn begin_login_attempt(
        &self,
        keys: &[&str],
        throttle: LoginThrottle,
    ) -> Result<bool, AccountError>;
    /// Forgets the attempts of `keys` (after a successful login).
    fn forget_login_attempts(&self, keys: &[&str]) -> Result<(), AccountError>;

    // --- copying the accounts to another backend (`kuzot migrate`) ---

    /// Calls `each` with every row of each of `tables` (of [`crate::copy::ACCOUNT_TABLES`]),
    /// table after table, each in its order, all from ONE snapshot (one read transaction),
    /// so that no session or token refers to an account the copy lacks. `each` must not
    /// call this store.
    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), AccountError>;

    /// [`AccountStore::copy_tables_out`] of one table.
    fn copy_table_out(
        &self,
        table: &CopyTable,
        each: &mut dyn FnMut(&[Value]) -> Result<(), StoreError>,
    ) -> Result<(), AccountError> {
        self.copy_tables_out(std::slice::from_ref(table), &mut |_, row| each(row))
    }

    /// Number of rows of `table` (one of [`crate::copy::ACCOUNT_TABLES`]).
    fn count_rows(&self, table: &CopyTable) -> Result<u64, AccountError>;

    /// Fills these accounts, which must have no user yet, with rows `load` adds (ids as
    /// given), in one transaction, moving generated ids past the copied ones.
    fn copy_in(
        &self,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), AccountError>;
}

/// Opens the account store of a location: `accounts.db` in a SQLite data directory
/// (created if missing), or the accounts tables of a PostgreSQL database (migrated).
pub fn open_accounts(location: &StoreLocation) -> Result<Box<dyn AccountStore>, AccountError> {
    Ok(match location {
        StoreLocation::Sqlite(dir) => Box::new(SqliteAccounts::open(dir)?),
        StoreLocation::Postgres(url) => Box::new(PostgresAccounts::connect(url)?),
    })
}

/// 32 random bytes as hex: session ids, tokens, CSRF tokens.
pub fn random_token() -> Result<String, AccountError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// Whether `name` may name an account: 1–64 letters, digits, '.', '_', '-' or '@'.
pub fn check_account_name(name: &str) -> Result<(), AccountError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::Invalid(
            "an account name is 1–64 letters, digits, '.', '_', '-' or '@'".into(),
        ))
    }
}

/// The trimmed name of a new API token, or why it is refused.
fn checked_token_name(name: &str) -> Result<&str, AccountError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS {
        return Err(AccountError::Invalid(
            "a token needs a name of 1–100 characters".into(),
        ));
    }
    Ok(name)
}

fn setup_link_used() -> AccountError {
    AccountError::Invalid("this setup link is used or unknown".into())
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The throttling keys as stored: cut to [`MAX_THROTTLE_KEY_BYTES`] (at a character
/// boundary), without duplicates, sorted so that every process locks them in one order.
fn throttle_keys(keys: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = keys
        .iter()
        .map(|key| {
            let mut end = key.len().min(MAX_THROTTLE_KEY_BYTES);
            while !key.is_char_boundary(end) {
                end -= 1;
            }
            key[..end].to_owned()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// How many attempts a throttle allows, as a database count.
fn max_attempts_i64(throttle: LoginThrottle) -> i64 {
    i64::try_from(throttle.max_attempts).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_keys_are_cut_deduplicated_and_sorted() {
        let long = "й".repeat(200);
        let keys = throttle_keys(&["user:b", "ip:1", "user:b", &long]);
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[0], "ip:1");
        assert_eq!(keys[1], "user:b");
        assert!(keys[2].len() <= MAX_THROTTLE_KEY_BYTES);
        assert!(long.starts_with(&keys[2]));
    }

    #[test]
    fn names_are_checked() {
        assert!(check_account_name("aida.k@ngo").is_ok());
        assert!(check_account_name("").is_err());
        assert!(check_account_name("<script>").is_err());
        assert!(check_account_name(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
