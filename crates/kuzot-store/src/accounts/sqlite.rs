//! The account store in `accounts.db` of a SQLite data directory: the file and schema of
//! earlier versions open unchanged (the login attempts table is added beside them).

use crate::StoreError;
use crate::copy::{self, CopyTable, CopyTarget};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::audit_chain::{self, AuditChainStatus, ChainHead, ChainVerifier};
use super::{
    AccountError, AccountStore, ApiToken, AuditEntry, LoginThrottle, Role, SESSION_HOURS, Session,
    TokenScope, User, check_account_name, checked_token_name, max_attempts_i64, now_rfc3339,
    now_unix, random_token, setup_link_used, sha256_hex, throttle_keys,
};

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
    detail TEXT NOT NULL,
    hash   TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS audit_chain (
    only_row            INTEGER PRIMARY KEY CHECK (only_row = 1),
    last_id             INTEGER NOT NULL,
    last_hash           TEXT NOT NULL,
    preexisting_through INTEGER NOT NULL,
    chained_at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS login_attempts (
    key   TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_by_key ON login_attempts (key);
CREATE INDEX IF NOT EXISTS login_attempts_by_time ON login_attempts (at_ms);
CREATE TABLE IF NOT EXISTS import_jobs (
    id         INTEGER PRIMARY KEY,
    started_by TEXT NOT NULL,
    status     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

/// Accounts in `accounts.db`. One connection behind a mutex: account operations are few
/// and short (argon2 hashing happens before the store is called). Several processes may
/// open one file: SQLite's write lock makes the throttle and the setup link atomic.
#[derive(Debug)]
pub struct SqliteAccounts {
    file: PathBuf,
    conn: Mutex<Connection>,
}

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        // A role this build does not know gives the least rights, never more.
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
    check_account_name(name)?;
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

/// Milliseconds since the epoch, for the login attempts.
fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    i64::try_from(nanos).unwrap_or(i64::MAX)
}

impl SqliteAccounts {
    /// Opens (creating) `accounts.db` in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteAccounts, AccountError> {
        let file = data_dir.join("accounts.db");
        let mut conn = Connection::open(&file)?;
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
        introduce_audit_chain(&mut conn, &file)?;
        Ok(SqliteAccounts {
            file,
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection inconsistent (SQLite
        // rolls back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl AccountStore for SqliteAccounts {
    fn describe(&self) -> String {
        format!("sqlite {}", self.file.display())
    }

    fn user_count(&self) -> Result<u64, AccountError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User, AccountError> {
        insert_user(&self.conn(), name, password_hash, role)
    }

    fn users(&self) -> Result<Vec<User>, AccountError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, name, role, disabled, created_at FROM users ORDER BY name")?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn user(&self, id: i64) -> Result<Option<User>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, role, disabled, created_at FROM users WHERE id = ?1",
                [id],
                user_row,
            )
            .optional()?)
    }

    fn user_and_password_hash(&self, name: &str) -> Result<Option<(User, String)>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, role, disabled, created_at, password_hash FROM users WHERE name = ?1",
                [name],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?)
    }

    fn set_role(&self, id: i64, role: Role, disabled: bool) -> Result<(), AccountError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE users SET role = ?2, disabled = ?3 WHERE id = ?1",
            params![id, role.as_str(), disabled],
        )?;
        if disabled {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<(), AccountError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, password_hash],
        )?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
        tx.execute("UPDATE api_tokens SET revoked = 1 WHERE user_id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    fn create_session(&self, user_id: i64) -> Result<String, AccountError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now = now_unix();
        let expires = now + SESSION_HOURS * 3600;
        let conn = self.conn();
        conn.execute("DELETE FROM sessions WHERE expires_at < ?1", [now])?;
        conn.execute(
            "INSERT INTO sessions (token_sha256, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha256_hex(&token), user_id, csrf, expires],
        )?;
        Ok(token)
    }

    fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        let now = now_unix();
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

    fn end_session(&self, token: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "DELETE FROM sessions WHERE token_sha256 = ?1",
            [sha256_hex(token)],
        )?;
        Ok(())
    }

    fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
    ) -> Result<String, AccountError> {
        let name = checked_token_name(name)?;
        let secret = format!("kzt_{}", random_token()?);
        self.conn().execute(
            "INSERT INTO api_tokens (user_id, name, token_sha256, created_at, scope) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user_id, name, sha256_hex(&secret), now_rfc3339(), scope.as_str()],
        )?;
        Ok(secret)
    }

    fn api_token(&self, secret: &str) -> Result<Option<(User, TokenScope)>, AccountError> {
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

    fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, AccountError> {
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

    fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, AccountError> {
        let n = self.conn().execute(
            "UPDATE api_tokens SET revoked = 1 WHERE id = ?1 AND user_id = ?2",
            params![token_id, user_id],
        )?;
        Ok(n > 0)
    }

    fn create_setup_link(&self) -> Result<String, AccountError> {
        let token = random_token()?;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO setup_links (token_sha256, created_at) VALUES (?1, ?2)",
            params![sha256_hex(&token), now_rfc3339()],
        )?;
        Ok(token)
    }

    fn setup_link_valid(&self, token: &str) -> Result<bool, AccountError> {
        let conn = self.conn();
        let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM setup_links WHERE token_sha256 = ?1)",
            [sha256_hex(token)],
            |r| r.get(0),
        )?;
        Ok(users == 0 && exists)
    }

    fn complete_setup(
        &self,
        token: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<User, AccountError> {
        let mut conn = self.conn();
        // IMMEDIATE takes the write lock first: another process using the same link waits
        // and then finds it burnt.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let users: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        let burnt = tx.execute(
            "DELETE FROM setup_links WHERE token_sha256 = ?1",
            [sha256_hex(token)],
        )?;
        if users != 0 || burnt == 0 {
            return Err(setup_link_used());
        }
        let user = insert_user(&tx, name, password_hash, Role::Admin)?;
        tx.execute("DELETE FROM setup_links", [])?;
        tx.commit()?;
        Ok(user)
    }

    fn save_import_job(&self, id: i64, started_by: &str, status: &str) -> Result<(), AccountError> {
        self.conn().execute(
            "INSERT INTO import_jobs (id, started_by, status, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at",
            params![id, started_by, status, now_rfc3339()],
        )?;
        Ok(())
    }

    fn import_job(&self, id: i64) -> Result<Option<(String, String)>, AccountError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT started_by, status FROM import_jobs WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AccountError> {
        let mut conn = self.conn();
        // IMMEDIATE: the head is read under SQLite's write lock, so appenders of every
        // process on this file take turns and each chains from the one before.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let head = read_chain_head(&tx)?.ok_or_else(|| chain_head_missing(&self.file))?;
        let prev = audit_chain::parse_hash(&head.last_hash).ok_or_else(|| {
            AccountError::Store(StoreError::Corrupt(format!(
                "{}: the audit chain head holds no SHA-256; run `kuzot audit verify`",
                self.file.display()
            )))
        })?;
        let id = head.last_id + 1;
        // Taken under the lock, so times never go backwards along the chain.
        let at = now_rfc3339();
        let hash = hex::encode(audit_chain::entry_hash(
            &prev, id, &at, actor, action, detail,
        ));
        tx.execute(
            "INSERT INTO audit_log (id, at, actor, action, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, at, actor, action, detail, hash],
        )?;
        tx.execute(
            "UPDATE audit_chain SET last_id = ?1, last_hash = ?2 WHERE only_row = 1",
            params![id, hash],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, AccountError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, at, actor, action, detail, hash FROM audit_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
                hash: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn verify_audit_chain(&self) -> Result<AuditChainStatus, AccountError> {
        let conn = self.conn();
        // One read transaction: the head and the entries from one snapshot.
        let tx = conn.unchecked_transaction()?;
        let Some(head) = read_chain_head(&tx)? else {
            return Ok(audit_chain::no_head());
        };
        let mut verifier = ChainVerifier::new(head);
        {
            let mut stmt = tx
                .prepare("SELECT id, at, actor, action, detail, hash FROM audit_log ORDER BY id")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                verifier.entry(
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                    &r.get::<_, String>(4)?,
                    &r.get::<_, String>(5)?,
                );
                if verifier.is_broken() {
                    break;
                }
            }
        }
        tx.commit()?;
        Ok(verifier.finish())
    }

    fn begin_login_attempt(
        &self,
        keys: &[&str],
        throttle: LoginThrottle,
    ) -> Result<bool, AccountError> {
        let keys = throttle_keys(keys);
        let now = now_ms();
        let window_ms = i64::try_from(throttle.window.as_millis()).unwrap_or(i64::MAX);
        let cutoff = now.saturating_sub(window_ms);
        let mut conn = self.conn();
        // IMMEDIATE: the check and the count happen under SQLite's write lock, so other
        // processes on the same file wait instead of passing the check together.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM login_attempts WHERE at_ms <= ?1", [cutoff])?;
        let max = max_attempts_i64(throttle);
        for key in &keys {
            let used: i64 = tx.query_row(
                "SELECT count(*) FROM login_attempts WHERE key = ?1",
                [key],
                |r| r.get(0),
            )?;
            if used >= max {
                // The expired attempts stay deleted: that is only housekeeping.
                tx.commit()?;
                return Ok(false);
            }
        }
        for key in &keys {
            tx.execute(
                "INSERT INTO login_attempts (key, at_ms) VALUES (?1, ?2)",
                params![key, now],
            )?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn forget_login_attempts(&self, keys: &[&str]) -> Result<(), AccountError> {
        let keys = throttle_keys(keys);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for key in &keys {
            tx.execute("DELETE FROM login_attempts WHERE key = ?1", [key])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), AccountError> {
        let conn = self.conn();
        let tx = conn.unchecked_transaction()?;
        for table in tables {
            copy::sqlite_dump_table(&tx, table, &mut |row| each(table, row))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn count_rows(&self, table: &CopyTable) -> Result<u64, AccountError> {
        Ok(copy::sqlite_count_rows(&self.conn(), table)?)
    }

    fn copy_in(
        &self,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), AccountError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let users: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        if users > 0 {
            return Err(AccountError::Invalid(format!(
                "{} already has {users} accounts; copy accounts only into new ones",
                self.file.display()
            )));
        }
        // The copied chain head replaces this store's own (of its empty log).
        tx.execute("DELETE FROM audit_chain", [])?;
        load(&mut copy::SqliteTarget {
            conn: &tx,
            allowed: Some(copy::ACCOUNT_TABLES),
        })?;
        start_empty_chain(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// The chain head, if the row is there.
fn read_chain_head(conn: &Connection) -> Result<Option<ChainHead>, AccountError> {
    Ok(conn
        .query_row(
            "SELECT last_id, last_hash, preexisting_through, chained_at FROM audit_chain WHERE only_row = 1",
            [],
            |r| {
                Ok(ChainHead {
                    last_id: r.get(0)?,
                    last_hash: r.get(1)?,
                    preexisting_through: r.get(2)?,
                    chained_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

fn chain_head_missing(file: &Path) -> AccountError {
    AccountError::Store(StoreError::Corrupt(format!(
        "{}: the audit chain head is missing, so nothing can be appended to the audit log; run `kuzot audit verify`",
        file.display()
    )))
}

/// Gives an empty audit log without a head its genesis head (a new file, or a copy of
/// accounts without an audit log). A log with entries but no head is left alone: its
/// head was deleted, which `verify_audit_chain` reports.
fn start_empty_chain(conn: &Connection) -> Result<(), AccountError> {
    conn.execute(
        "INSERT OR IGNORE INTO audit_chain (only_row, last_id, last_hash, preexisting_through, chained_at)
         SELECT 1, 0, ?1, 0, ?2 WHERE NOT EXISTS (SELECT 1 FROM audit_log)",
        params![hex::encode(audit_chain::GENESIS), now_rfc3339()],
    )?;
    Ok(())
}

/// Brings an `accounts.db` of a kuzot before the audit chain to it, once: adds the
/// `hash` column and chains the entries already there in id order, under the write lock
/// (another process opening the file at the same moment waits, then finds it done).
fn introduce_audit_chain(conn: &mut Connection, file: &Path) -> Result<(), AccountError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let has_hash: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'hash')",
        [],
        |r| r.get(0),
    )?;
    if !has_hash {
        tx.execute_batch("ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT ''")?;
        // Hashed first, written after: the rows are not changed under the reading cursor.
        let mut prev = audit_chain::GENESIS;
        let mut hashed: Vec<(i64, String)> = Vec::new();
        {
            let mut read =
                tx.prepare("SELECT id, at, actor, action, detail FROM audit_log ORDER BY id")?;
            let mut rows = read.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                prev = audit_chain::entry_hash(
                    &prev,
                    id,
                    &r.get::<_, String>(1)?,
                    &r.get::<_, String>(2)?,
                    &r.get::<_, String>(3)?,
                    &r.get::<_, String>(4)?,
                );
                hashed.push((id, hex::encode(prev)));
            }
        }
        {
            let mut write = tx.prepare("UPDATE audit_log SET hash = ?2 WHERE id = ?1")?;
            for (id, hash) in &hashed {
                write.execute(params![id, hash])?;
            }
        }
        let last_id = hashed.last().map_or(0, |(id, _)| *id);
        let chained = hashed.len();
        tx.execute(
            "INSERT OR REPLACE INTO audit_chain (only_row, last_id, last_hash, preexisting_through, chained_at)
             VALUES (1, ?1, ?2, ?1, ?3)",
            params![last_id, hex::encode(prev), now_rfc3339()],
        )?;
        if chained > 0 {
            tracing::warn!(
                file = %file.display(),
                entries = chained,
                "the audit log is now hash-chained; its {chained} earlier entries were chained as they stand now, so the chain cannot show that they were not edited before today"
            );
        }
    }
    start_empty_chain(&tx)?;
    tx.commit()?;
    Ok(())
}
