//! Accounts, sessions, API tokens and the audit log, in their own SQLite file
//! (`accounts.db` beside the evidence store).
//!
//! Accounts are not evidence: they live apart so that a backup or a court disclosure of the
//! evidence never carries password hashes, and so that a long import holding the evidence
//! store's write lock never stops anyone from logging in.
//!
//! Secrets (session ids, API tokens, setup links) are 32 random bytes shown once and stored
//! only as their SHA-256: a stolen database file does not let anyone in. Passwords are
//! hashed with argon2id and a per-password salt.

use std::path::Path;
use std::sync::Mutex;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

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
    /// When (RFC 3339).
    pub at: String,
    /// Account name, or "-" for an anonymous attempt.
    pub actor: String,
    /// What happened: login, login_failed, import, label, role_change, …
    pub action: String,
    /// Details (ids, names of accounts; never passwords or message text).
    pub detail: String,
}

/// Errors of the account store.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The database failed.
    #[error("accounts database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The name is taken.
    #[error("an account named {0:?} already exists")]
    NameTaken(String),
    /// Invalid input (empty name, weak password…).
    #[error("{0}")]
    Invalid(String),
    /// Hashing failed.
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Randomness unavailable.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// How long a session lasts without being used again.
pub const SESSION_HOURS: i64 = 12;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (in bytes of UTF-8).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest account name (in characters).
pub const MAX_NAME_CHARS: usize = 64;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used    TEXT,
    revoked      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS setup_links (
    token_sha256 TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
";

/// The account store. One connection behind a mutex: account operations are few and
/// short, and argon2 hashing happens outside the lock.
#[derive(Debug)]
pub struct Accounts {
    conn: Mutex<Connection>,
}

/// 32 random bytes as hex: session ids, tokens, CSRF tokens.
pub fn random_token() -> Result<String, AccountError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Hashes a password with argon2id (the crate's default parameters: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AccountError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fixed hash to verify against when the account does not exist, so that a login for
/// an unknown name takes as long as one with a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default())
}

fn check_new_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::Invalid("the password is too long".into()));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), AccountError> {
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

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        disabled: r.get(3)?,
        created_at: r.get(4)?,
    })
}

/// Inserts an account row whose password is already hashed.
fn insert_user(
    conn: &Connection,
    name: &str,
    hash: &str,
    role: Role,
) -> Result<User, AccountError> {
    let created = now_rfc3339();
    match conn.execute(
        "INSERT INTO users (name, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, hash, role.as_str(), created],
    ) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            return Err(AccountError::NameTaken(name.into()));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(User {
        id: conn.last_insert_rowid(),
        name: name.into(),
        role,
        disabled: false,
        created_at: created,
    })
}

impl Accounts {
    /// Opens (creating) `accounts.db` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Accounts, AccountError> {
        let conn = Connection::open(data_dir.join("accounts.db"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        // Tokens made before scopes existed are read-only, like every new token by default.
        let has_scope: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('api_tokens') WHERE name = 'scope')",
            [],
            |r| r.get(0),
        )?;
        if !has_scope {
            conn.execute_batch(
                "ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read'",
            )?;
        }
        Ok(Accounts {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection inconsistent (SQLite
        // rolls back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of accounts.
    pub fn user_count(&self) -> Result<u64, AccountError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Creates an account.
    pub fn create_user(
        &self,
        name: &str,
        password: &str,
        role: Role,
    ) -> Result<User, AccountError> {
        check_name(name)?;
        check_new_password(password)?;
        let hash = hash_password(password)?;
        insert_user(&self.conn(), name, &hash, role)
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>, AccountError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name, role, disabled, created_at FROM users ORDER BY name")?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One account by id.
    pub fn user(&self, id: i64) -> Result<Option<User>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, role, disabled, created_at FROM users WHERE id = ?1",
                [id],
                user_row,
            )
            .optional()?)
    }

    /// Changes the role of an account; disabling ends its sessions and tokens' use.
    pub fn set_role(&self, id: i64, role: Role, disabled: bool) -> Result<(), AccountError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE users SET role = ?2, disabled = ?3 WHERE id = ?1",
            params![id, role.as_str(), disabled],
        )?;
        if disabled {
            conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        }
        Ok(())
    }

    /// Sets a new password, ends every session of the account and revokes its API tokens
    /// (a token minted from a stolen session must not outlive the reset), in one
    /// transaction.
    pub fn set_password(&self, id: i64, password: &str) -> Result<(), AccountError> {
        check_new_password(password)?;
        let hash = hash_password(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, hash],
        )?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        tx.execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a name and password; the account when they match and it is enabled.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<Option<User>, AccountError> {
        let found: Option<(User, String)> = self
            .conn()
            .query_row(
                "SELECT id, name, role, disabled, created_at, password_hash FROM users WHERE name = ?1",
                [name],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?;
        // Hashing happens outside the lock: it takes tens of milliseconds.
        match found {
            Some((user, hash)) => {
                Ok((verify_password(password, &hash) && !user.disabled).then_some(user))
            }
            None => {
                let _ = verify_password(password, dummy_hash());
                Ok(None)
            }
        }
    }

    /// Starts a session: returns the cookie value (shown once, stored hashed).
    pub fn create_session(&self, user_id: i64) -> Result<String, AccountError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let expires = OffsetDateTime::now_utc().unix_timestamp() + SESSION_HOURS * 3600;
        let conn = self.conn();
        conn.execute(
            "DELETE FROM sessions WHERE expires_at < ?1",
            [OffsetDateTime::now_utc().unix_timestamp()],
        )?;
        conn.execute(
            "INSERT INTO sessions (token_sha256, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha256_hex(&token), user_id, csrf, expires],
        )?;
        Ok(token)
    }

    /// The live session of a cookie value, extending it (sliding expiry).
    pub fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let key = sha256_hex(token);
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.disabled, u.created_at, s.csrf, s.expires_at
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = ?1",
                [&key],
                |r| Ok((user_row(r)?, r.get::<_, String>(5)?, r.get::<_, i64>(6)?)),
            )
            .optional()?;
        let Some((user, csrf, expires)) = found else {
            return Ok(None);
        };
        if expires < now || user.disabled {
            conn.execute("DELETE FROM sessions WHERE token_sha256 = ?1", [&key])?;
            return Ok(None);
        }
        // Extend at most once a minute, not on every request.
        let renewed = now + SESSION_HOURS * 3600;
        if renewed - expires > 60 {
            conn.execute(
                "UPDATE sessions SET expires_at = ?2 WHERE token_sha256 = ?1",
                params![key, renewed],
            )?;
        }
        Ok(Some(Session { user, csrf }))
    }

    /// Ends a session.
    pub fn end_session(&self, token: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [sha256_hex(token)],
        )?;
        Ok(())
    }

    /// Creates a read-only API token for an account; returns its secret, shown once.
    pub fn create_api_token(&self, user_id: i64, name: &str) -> Result<String, AccountError> {
        self.create_scoped_api_token(user_id, name, TokenScope::Read)
    }

    /// Creates an API token with a scope; returns its secret, shown once.
    pub fn create_scoped_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
    ) -> Result<String, AccountError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AccountError::Invalid(
                "a token needs a name of 1–100 characters".into(),
            ));
        }
        let secret = format!("kzt_{}", random_token()?);
        self.conn().execute(
            "INSERT INTO api_tokens (user_id, name, token_sha256, created_at, scope) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user_id, name, sha256_hex(&secret), now_rfc3339(), scope.as_str()],
        )?;
        Ok(secret)
    }

    /// The account of an API token, if the token is live.
    pub fn api_token_user(&self, secret: &str) -> Result<Option<User>, AccountError> {
        Ok(self.api_token(secret)?.map(|(user, _)| user))
    }

    /// The account and scope of an API token, if the token is live.
    pub fn api_token(&self, secret: &str) -> Result<Option<(User, TokenScope)>, AccountError> {
        let key = sha256_hex(secret);
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.disabled, u.created_at, t.scope FROM api_tokens t
                 JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = ?1 AND t.revoked = 0",
                [&key],
                |r| {
                    let scope: String = r.get(5)?;
                    Ok((
                        user_row(r)?,
                        TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                    ))
                },
            )
            .optional()?;
        if found.is_some() {
            conn.execute(
                "UPDATE api_tokens SET last_used = ?2 WHERE token_sha256 = ?1",
                params![key, now_rfc3339()],
            )?;
        }
        Ok(found.filter(|(u, _)| !u.disabled))
    }

    /// An account's live tokens.
    pub fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, created_at, last_used, scope FROM api_tokens WHERE user_id = ?1 AND revoked = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([user_id], |r| {
            let scope: String = r.get(4)?;
            Ok(ApiToken {
                id: r.get(0)?,
                name: r.get(1)?,
                scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                created_at: r.get(2)?,
                last_used: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Revokes one of an account's tokens; false when it has no such token.
    pub fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, AccountError> {
        let n = self.conn().execute(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ?1 AND user_id = ?2",
            params![token_id, user_id],
        )?;
        Ok(n > 0)
    }

    /// Makes a one-time setup link token (for the first admin); returns the secret.
    pub fn create_setup_link(&self) -> Result<String, AccountError> {
        let token = random_token()?;
        let conn = self.conn();
        // Only one link lives at a time: a new start replaces the old one.
        conn.execute("DELETE FROM setup_links", [])?;
        conn.execute(
            "INSERT INTO setup_links (token_sha256, created_at) VALUES (?1, ?2)",
            params![sha256_hex(&token), now_rfc3339()],
        )?;
        Ok(token)
    }

    /// Whether a setup link is valid (it is, until used, and only while no account exists).
    pub fn setup_link_valid(&self, token: &str) -> Result<bool, AccountError> {
        let conn = self.conn();
        let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM setup_links WHERE token_sha256 = ?1)",
            [sha256_hex(token)],
            |r| r.get(0),
        )?;
        Ok(users == 0 && exists)
    }

    /// Uses a setup link: creates the first admin and burns the link, in one transaction
    /// that checks the link and the empty account table again, so that parallel uses of
    /// one link create exactly one admin.
    pub fn complete_setup(
        &self,
        token: &str,
        name: &str,
        password: &str,
    ) -> Result<User, AccountError> {
        let used = || AccountError::Invalid("this setup link is used or unknown".into());
        // Refuse a dead link before spending a hash on it.
        if !self.setup_link_valid(token)? {
            return Err(used());
        }
        check_name(name)?;
        check_new_password(password)?;
        let hash = hash_password(password)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let users: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        let burnt = tx.execute(
            "DELETE FROM setup_links WHERE token_sha256 = ?1",
            [sha256_hex(token)],
        )?;
        if users != 0 || burnt == 0 {
            return Err(used());
        }
        let user = insert_user(&tx, name, &hash, Role::Admin)?;
        tx.execute("DELETE FROM setup_links", [])?;
        tx.commit()?;
        Ok(user)
    }

    /// Appends to the audit log.
    pub fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now_rfc3339(), actor, action, detail],
        )?;
        Ok(())
    }

    /// The latest audit entries, newest first.
    pub fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit.min(i64::MAX as u64) as i64], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                action: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_sessions_tokens_and_setup_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(dir.path()).expect("open");
        let link = accounts.create_setup_link().expect("link");
        assert!(accounts.setup_link_valid(&link).expect("valid"));
        assert!(matches!(
            accounts.complete_setup(&link, "admin", "short"),
            Err(AccountError::Invalid(_))
        ));
        let admin = accounts
            .complete_setup(&link, "admin", "correct horse battery")
            .expect("setup");
        assert_eq!(admin.role, Role::Admin);
        assert!(!accounts.setup_link_valid(&link).expect("burnt"));

        assert!(
            accounts
                .authenticate("admin", "wrong password!")
                .expect("auth")
                .is_none()
        );
        assert!(
            accounts
                .authenticate("nobody", "wrong password!")
                .expect("auth")
                .is_none()
        );
        let user = accounts
            .authenticate("admin", "correct horse battery")
            .expect("auth")
            .expect("matches");
        let cookie = accounts.create_session(user.id).expect("session");
        let session = accounts.session(&cookie).expect("lookup").expect("live");
        assert_eq!(session.user.name, "admin");
        assert_eq!(session.csrf.len(), 64);
        accounts.end_session(&cookie).expect("end");
        assert!(accounts.session(&cookie).expect("lookup").is_none());

        let token = accounts.create_api_token(user.id, "script").expect("token");
        assert_eq!(
            accounts
                .api_token_user(&token)
                .expect("lookup")
                .map(|u| u.id),
            Some(user.id)
        );
        let id = accounts.api_tokens(user.id).expect("list")[0].id;
        assert!(accounts.revoke_api_token(user.id, id).expect("revoke"));
        assert!(accounts.api_token_user(&token).expect("lookup").is_none());

        // Nothing secret is stored in the clear.
        drop(accounts);
        let bytes = std::fs::read(dir.path().join("accounts.db")).expect("db");
        let wal = std::fs::read(dir.path().join("accounts.db-wal")).unwrap_or_default();
        for secret in [cookie.as_str(), token.as_str(), "correct horse battery"] {
            for file in [&bytes, &wal] {
                assert!(!file.windows(secret.len()).any(|w| w == secret.as_bytes()));
            }
        }
    }

    #[test]
    fn names_are_unique_and_disabled_accounts_cannot_log_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        let accounts = Accounts::open(dir.path()).expect("open");
        let u = accounts
            .create_user("aida", "long enough pass", Role::Analyst)
            .expect("create");
        assert!(matches!(
            accounts.create_user("aida", "long enough pass", Role::Viewer),
            Err(AccountError::NameTaken(_))
        ));
        assert!(matches!(
            accounts.create_user("<script>", "long enough pass", Role::Viewer),
            Err(AccountError::Invalid(_))
        ));
        accounts
            .set_role(u.id, Role::Viewer, true)
            .expect("disable");
        assert!(
            accounts
                .authenticate("aida", "long enough pass")
                .expect("auth")
                .is_none()
        );
    }
}
