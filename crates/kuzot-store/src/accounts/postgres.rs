//! The account store in a PostgreSQL database, beside the evidence: tables named
//! `accounts_*`, their schema version in `kuzot_schema_versions` (component `accounts`).
//!
//! Every `kuzot serve` process of a deployment opens the same tables, so a session made by
//! one is valid in the others, and the login throttle counts attempts for all of them:
//! each attempt locks its keys (transaction advisory locks, taken in one order) before it
//! counts and records them.

use crate::copy::{self, CopyTable, CopyTarget, Value};
use std::sync::{Condvar, Mutex, MutexGuard};

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Row, Transaction};
use sha2::{Digest, Sha256};

use super::audit_chain::{self, AuditChainStatus, ChainHead, ChainVerifier};
use super::{
    AccountError, AccountStore, ApiToken, AuditEntry, LoginThrottle, Role, SESSION_HOURS, Session,
    TokenScope, User, check_account_name, checked_token_name, max_attempts_i64, now_rfc3339,
    now_unix, random_token, setup_link_used, sha256_hex, throttle_keys,
};
use crate::{StoreError, url_without_password};

/// The component name of the accounts in `kuzot_schema_versions`.
pub const SCHEMA_COMPONENT: &str = "accounts";

/// The table of schema versions shared by every component of a kuzot database.
const SCHEMA_VERSIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS kuzot_schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)";

/// Migrations of the accounts tables, in order: the schema version is how many were applied.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE accounts_users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT NOT NULL
);
CREATE TABLE accounts_sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES accounts_users (id),
    csrf         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX accounts_sessions_by_user ON accounts_sessions (user_id);
CREATE INDEX accounts_sessions_by_expiry ON accounts_sessions (expires_at);
CREATE TABLE accounts_api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES accounts_users (id),
    name         TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL DEFAULT 'read',
    created_at   TEXT NOT NULL,
    last_used    TEXT,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX accounts_api_tokens_by_user ON accounts_api_tokens (user_id);
CREATE TABLE accounts_setup_links (
    token_sha256 TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL
);
CREATE TABLE accounts_audit_log (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE accounts_login_attempts (
    key TEXT NOT NULL,
    at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX accounts_login_attempts_by_key ON accounts_login_attempts (key, at);
CREATE INDEX accounts_login_attempts_by_time ON accounts_login_attempts (at);
",
    "
CREATE TABLE accounts_import_jobs (
    id         BIGINT PRIMARY KEY,
    started_by TEXT NOT NULL,
    status     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
",
    // The audit chain (see `audit_chain`): ids come from the chain head from now on, not
    // from a sequence, so that they have no gaps; the entries already there are chained
    // by `chain_existing_audit_entries` right after this migration.
    "
ALTER TABLE accounts_audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts_audit_log ALTER COLUMN id DROP IDENTITY IF EXISTS;
CREATE TABLE accounts_audit_chain (
    only_row            BIGINT PRIMARY KEY CHECK (only_row = 1),
    last_id             BIGINT NOT NULL,
    last_hash           TEXT NOT NULL,
    preexisting_through BIGINT NOT NULL,
    chained_at          TEXT NOT NULL
);
",
];

/// The number of migrations after which the audit chain exists (its entries are chained
/// when this one is applied).
const AUDIT_CHAIN_MIGRATION: usize = 3;

/// Advisory lock keys of this module (64-bit; the evidence store uses others).
const MIGRATION_LOCK: i64 = 0x6b75_7a6f_7461_6331; // "kuzotac1"
const SETUP_LOCK: i64 = 0x6b75_7a6f_7461_6332; // "kuzotac2"
const THROTTLE_CLEANUP_LOCK: i64 = 0x6b75_7a6f_7461_6333; // "kuzotac3"

/// Connections open at once per process: account operations are short, and a flood of
/// logins must wait here rather than take every connection the server allows.
const MAX_CONNECTIONS: usize = 8;

/// Accounts in PostgreSQL, with a small pool of connections per process. Blocking: call
/// it from blocking tasks only (the sync client runs a runtime of its own).
pub struct PostgresAccounts {
    url: String,
    pool: Mutex<Pool>,
    /// Signalled when a connection is returned or closed.
    returned: Condvar,
}

/// The connections of one process.
#[derive(Default)]
struct Pool {
    idle: Vec<Client>,
    /// Connections open, idle or in use.
    open: usize,
}

/// A connection taken from the pool; goes back (or is counted closed) when dropped, even
/// when the work with it panicked.
struct Pooled<'a> {
    owner: &'a PostgresAccounts,
    client: Option<Client>,
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let mut pool = self.owner.pool();
        match self.client.take() {
            Some(client) if !client.is_closed() => pool.idle.push(client),
            _ => pool.open = pool.open.saturating_sub(1),
        }
        self.owner.returned.notify_one();
    }
}

impl std::fmt::Debug for PostgresAccounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        write!(f, "PostgresAccounts({})", url_without_password(&self.url))
    }
}

fn user_row(r: &Row) -> User {
    let role: String = r.get(2);
    User {
        id: r.get(0),
        name: r.get(1),
        // A role this build does not know gives the least rights, never more.
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        disabled: r.get(3),
        created_at: r.get(4),
    }
}

fn is_unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// An advisory lock key for a throttling key (collisions only make two keys wait for
/// each other).
fn throttle_lock(key: &str) -> i64 {
    let digest = Sha256::digest(format!("kuzot login throttle\0{key}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

fn insert_user(
    tx: &mut Transaction<'_>,
    name: &str,
    hash: &str,
    role: Role,
) -> Result<User, AccountError> {
    check_account_name(name)?;
    let created = now_rfc3339();
    match tx.query_one(
        "INSERT INTO accounts_users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        &[&name, &hash, &role.as_str(), &created],
    ) {
        Ok(row) => Ok(User {
            id: row.get(0),
            name: name.into(),
            role,
            disabled: false,
            created_at: created,
        }),
        Err(e) if is_unique_violation(&e) => Err(AccountError::NameTaken(name.into())),
        Err(e) => Err(e.into()),
    }
}

impl PostgresAccounts {
    /// Connects to the database at `url` and brings the accounts tables to this build's
    /// schema version; refuses a database migrated by a newer kuzot.
    pub fn connect(url: &str) -> Result<PostgresAccounts, AccountError> {
        let accounts = PostgresAccounts {
            url: url.to_owned(),
            pool: Mutex::new(Pool::default()),
            returned: Condvar::new(),
        };
        accounts.with_client(|client| accounts.migrate(client))?;
        Ok(accounts)
    }

    /// The schema version this build writes.
    pub fn schema_version() -> i32 {
        i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
    }

    fn new_client(&self) -> Result<Client, AccountError> {
        Client::connect(&self.url, NoTls).map_err(|e| {
            AccountError::Store(StoreError::Unreachable {
                location: url_without_password(&self.url),
                reason: e.to_string(),
            })
        })
    }

    fn migrate(&self, client: &mut Client) -> Result<(), AccountError> {
        // Made outside the migration's transaction: another component (the evidence) may
        // create it at the same moment under its own lock, and losing that race is fine.
        if let Err(e) = client.batch_execute(SCHEMA_VERSIONS_TABLE) {
            let raced = e.code() == Some(&SqlState::UNIQUE_VIOLATION)
                || e.code() == Some(&SqlState::DUPLICATE_TABLE);
            if !raced {
                return Err(e.into());
            }
        }
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        let found: i32 = tx
            .query_opt(
                "SELECT version FROM kuzot_schema_versions WHERE component = $1",
                &[&SCHEMA_COMPONENT],
            )?
            .map_or(0, |r| r.get(0));
        let known = Self::schema_version();
        if found > known {
            return Err(AccountError::Store(StoreError::SchemaTooNew {
                path: format!("{} (accounts)", url_without_password(&self.url)),
                found: i64::from(found),
                known: i64::from(known),
            }));
        }
        let applied = usize::try_from(found).unwrap_or(0);
        for (done, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
            tx.batch_execute(migration)?;
            if done + 1 == AUDIT_CHAIN_MIGRATION {
                self.chain_existing_audit_entries(&mut tx)?;
            }
        }
        if found < known {
            tx.execute(
                "INSERT INTO kuzot_schema_versions (component, version) VALUES ($1, $2)
                 ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                &[&SCHEMA_COMPONENT, &known],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Chains the audit entries already in the log, in id order, and writes the chain
    /// head; run once, in the transaction of the migration that adds the chain.
    fn chain_existing_audit_entries(&self, tx: &mut Transaction<'_>) -> Result<(), AccountError> {
        let mut prev = audit_chain::GENESIS;
        let mut last_id = 0i64;
        let mut hashed = Vec::new();
        for r in tx.query(
            "SELECT id, at, actor, action, detail FROM accounts_audit_log ORDER BY id",
            &[],
        )? {
            let id: i64 = r.get(0);
            prev = audit_chain::entry_hash(&prev, id, r.get(1), r.get(2), r.get(3), r.get(4));
            hashed.push((id, hex::encode(prev)));
            last_id = id;
        }
        let update = tx.prepare("UPDATE accounts_audit_log SET hash = $2 WHERE id = $1")?;
        for (id, hash) in &hashed {
            tx.execute(&update, &[id, hash])?;
        }
        tx.execute(
            "INSERT INTO accounts_audit_chain (only_row, last_id, last_hash, preexisting_through, chained_at)
             VALUES (1, $1, $2, $1, $3)",
            &[&last_id, &hex::encode(prev), &now_rfc3339()],
        )?;
        if !hashed.is_empty() {
            tracing::warn!(
                database = %url_without_password(&self.url),
                entries = hashed.len(),
                "the audit log is now hash-chained; its {} earlier entries were chained as they stand now, so the chain cannot show that they were not edited before today",
                hashed.len()
            );
        }
        Ok(())
    }

    fn pool(&self) -> MutexGuard<'_, Pool> {
        // The pool's fields are consistent between statements, so a poisoned lock is fine.
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection: an idle one, a new one while fewer than [`MAX_CONNECTIONS`] are
    /// open, else the next one returned.
    fn take(&self) -> Result<Pooled<'_>, AccountError> {
        let mut pool = self.pool();
        loop {
            if let Some(client) = pool.idle.pop() {
                if client.is_closed() {
                    // The server ended it (restart, idle timeout): open another instead.
                    pool.open -= 1;
                    continue;
                }
                return Ok(Pooled {
                    owner: self,
                    client: Some(client),
                });
            }
            if pool.open < MAX_CONNECTIONS {
                pool.open += 1;
                drop(pool);
                // Counted before connecting so that the bound holds; a failed connect
                // gives its place back through the guard's drop.
                let mut pooled = Pooled {
                    owner: self,
                    client: None,
                };
                pooled.client = Some(self.new_client()?);
                return Ok(pooled);
            }
            pool = self.returned.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Runs `f` with a connection of the pool.
    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, AccountError>,
    ) -> Result<T, AccountError> {
        let mut pooled = self.take()?;
        match pooled.client.as_mut() {
            Some(client) => f(client),
            None => Err(AccountError::Invalid(
                "no connection to the accounts database".into(),
            )),
        }
    }
}

impl AccountStore for PostgresAccounts {
    fn describe(&self) -> String {
        format!("postgres {}", url_without_password(&self.url))
    }

    fn user_count(&self) -> Result<u64, AccountError> {
        self.with_client(|c| {
            let n: i64 = c
                .query_one("SELECT count(*) FROM accounts_users", &[])?
                .get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User, AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            let user = insert_user(&mut tx, name, password_hash, role)?;
            tx.commit()?;
            Ok(user)
        })
    }

    fn users(&self) -> Result<Vec<User>, AccountError> {
        self.with_client(|c| {
            Ok(c.query(
                "SELECT id, name, role, disabled, created_at FROM accounts_users ORDER BY name",
                &[],
            )?
            .iter()
            .map(user_row)
            .collect())
        })
    }

    fn user(&self, id: i64) -> Result<Option<User>, AccountError> {
        self.with_client(|c| {
            Ok(c.query_opt(
                "SELECT id, name, role, disabled, created_at FROM accounts_users WHERE id = $1",
                &[&id],
            )?
            .as_ref()
            .map(user_row))
        })
    }

    fn user_and_password_hash(&self, name: &str) -> Result<Option<(User, String)>, AccountError> {
        self.with_client(|c| {
            Ok(c.query_opt(
                "SELECT id, name, role, disabled, created_at, password_hash FROM accounts_users WHERE name = $1",
                &[&name],
            )?
            .map(|r| (user_row(&r), r.get(5))))
        })
    }

    fn set_role(&self, id: i64, role: Role, disabled: bool) -> Result<(), AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "UPDATE accounts_users SET role = $2, disabled = $3 WHERE id = $1",
                &[&id, &role.as_str(), &disabled],
            )?;
            if disabled {
                tx.execute("DELETE FROM accounts_sessions WHERE user_id = $1", &[&id])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<(), AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "UPDATE accounts_users SET password_hash = $2 WHERE id = $1",
                &[&id, &password_hash],
            )?;
            tx.execute("DELETE FROM accounts_sessions WHERE user_id = $1", &[&id])?;
            tx.execute(
                "UPDATE accounts_api_tokens SET revoked = TRUE WHERE user_id = $1",
                &[&id],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn create_session(&self, user_id: i64) -> Result<String, AccountError> {
        let token = random_token()?;
        let csrf = random_token()?;
        let now = now_unix();
        let expires = now + SESSION_HOURS * 3600;
        self.with_client(|c| {
            c.execute(
                "DELETE FROM accounts_sessions WHERE expires_at < $1",
                &[&now],
            )?;
            c.execute(
                "INSERT INTO accounts_sessions (token_sha256, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)",
                &[&sha256_hex(&token), &user_id, &csrf, &expires],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    fn session(&self, token: &str) -> Result<Option<Session>, AccountError> {
        let now = now_unix();
        let key = sha256_hex(token);
        self.with_client(|c| {
            let found = c.query_opt(
                "SELECT u.id, u.name, u.role, u.disabled, u.created_at, s.csrf, s.expires_at
                 FROM accounts_sessions s JOIN accounts_users u ON u.id = s.user_id
                 WHERE s.token_sha256 = $1",
                &[&key],
            )?;
            let Some(row) = found else {
                return Ok(None);
            };
            let user = user_row(&row);
            let csrf: String = row.get(5);
            let expires: i64 = row.get(6);
            if expires < now || user.disabled {
                c.execute(
                    "DELETE FROM accounts_sessions WHERE token_sha256 = $1",
                    &[&key],
                )?;
                return Ok(None);
            }
            // Extend at most once a minute, not on every request.
            let renewed = now + SESSION_HOURS * 3600;
            if renewed - expires > 60 {
                c.execute(
                    "UPDATE accounts_sessions SET expires_at = $2 WHERE token_sha256 = $1",
                    &[&key, &renewed],
                )?;
            }
            Ok(Some(Session { user, csrf }))
        })
    }

    fn end_session(&self, token: &str) -> Result<(), AccountError> {
        self.with_client(|c| {
            c.execute(
                "DELETE FROM accounts_sessions WHERE token_sha256 = $1",
                &[&sha256_hex(token)],
            )?;
            Ok(())
        })
    }

    fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
    ) -> Result<String, AccountError> {
        let name = checked_token_name(name)?;
        let secret = format!("kzt_{}", random_token()?);
        self.with_client(|c| {
            c.execute(
                "INSERT INTO accounts_api_tokens (user_id, name, token_sha256, created_at, scope) VALUES ($1, $2, $3, $4, $5)",
                &[&user_id, &name, &sha256_hex(&secret), &now_rfc3339(), &scope.as_str()],
            )?;
            Ok(())
        })?;
        Ok(secret)
    }

    fn api_token(&self, secret: &str) -> Result<Option<(User, TokenScope)>, AccountError> {
        let key = sha256_hex(secret);
        self.with_client(|c| {
            let found = c
                .query_opt(
                    "SELECT u.id, u.name, u.role, u.disabled, u.created_at, t.scope
                     FROM accounts_api_tokens t JOIN accounts_users u ON u.id = t.user_id
                     WHERE t.token_sha256 = $1 AND NOT t.revoked",
                    &[&key],
                )?
                .map(|r| {
                    let scope: String = r.get(5);
                    (
                        user_row(&r),
                        TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                    )
                });
            if found.is_some() {
                c.execute(
                    "UPDATE accounts_api_tokens SET last_used = $2 WHERE token_sha256 = $1",
                    &[&key, &now_rfc3339()],
                )?;
            }
            Ok(found.filter(|(u, _)| !u.disabled))
        })
    }

    fn api_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>, AccountError> {
        self.with_client(|c| {
            Ok(c.query(
                "SELECT id, name, created_at, last_used, scope FROM accounts_api_tokens
                 WHERE user_id = $1 AND NOT revoked ORDER BY id",
                &[&user_id],
            )?
            .iter()
            .map(|r| {
                let scope: String = r.get(4);
                ApiToken {
                    id: r.get(0),
                    name: r.get(1),
                    scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
                    created_at: r.get(2),
                    last_used: r.get(3),
                }
            })
            .collect())
        })
    }

    fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<bool, AccountError> {
        self.with_client(|c| {
            let n = c.execute(
                "UPDATE accounts_api_tokens SET revoked = TRUE WHERE id = $1 AND user_id = $2",
                &[&token_id, &user_id],
            )?;
            Ok(n > 0)
        })
    }

    fn create_setup_link(&self) -> Result<String, AccountError> {
        let token = random_token()?;
        self.with_client(|c| {
            c.execute(
                "INSERT INTO accounts_setup_links (token_sha256, created_at) VALUES ($1, $2)",
                &[&sha256_hex(&token), &now_rfc3339()],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    fn setup_link_valid(&self, token: &str) -> Result<bool, AccountError> {
        self.with_client(|c| {
            let row = c.query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM accounts_users)
                    AND EXISTS (SELECT 1 FROM accounts_setup_links WHERE token_sha256 = $1)",
                &[&sha256_hex(token)],
            )?;
            Ok(row.get(0))
        })
    }

    fn complete_setup(
        &self,
        token: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<User, AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            // One setup at a time across every process: the second finds the link burnt
            // or an account made.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SETUP_LOCK])?;
            let users: i64 = tx
                .query_one("SELECT count(*) FROM accounts_users", &[])?
                .get(0);
            let burnt = tx.execute(
                "DELETE FROM accounts_setup_links WHERE token_sha256 = $1",
                &[&sha256_hex(token)],
            )?;
            if users != 0 || burnt == 0 {
                return Err(setup_link_used());
            }
            let user = insert_user(&mut tx, name, password_hash, Role::Admin)?;
            tx.execute("DELETE FROM accounts_setup_links", &[])?;
            tx.commit()?;
            Ok(user)
        })
    }

    fn save_import_job(&self, id: i64, started_by: &str, status: &str) -> Result<(), AccountError> {
        self.with_client(|c| {
            c.execute(
                "INSERT INTO accounts_import_jobs (id, started_by, status, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status,
                     updated_at = excluded.updated_at",
                &[&id, &started_by, &status, &now_rfc3339()],
            )?;
            Ok(())
        })
    }

    fn import_job(&self, id: i64) -> Result<Option<(String, String)>, AccountError> {
        self.with_client(|c| {
            Ok(c.query_opt(
                "SELECT started_by, status FROM accounts_import_jobs WHERE id = $1",
                &[&id],
            )?
            .map(|r| (r.get(0), r.get(1))))
        })
    }

    fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            // The head's row lock serialises appenders of every process on this
            // database: the next one reads the head this one moves, once it commits.
            let head = tx
                .query_opt(
                    "SELECT last_id, last_hash FROM accounts_audit_chain WHERE only_row = 1 FOR UPDATE",
                    &[],
                )?
                .ok_or_else(|| {
                    AccountError::Store(StoreError::Corrupt(format!(
                        "{}: the audit chain head is missing, so nothing can be appended to the audit log; run `kuzot audit verify`",
                        url_without_password(&self.url)
                    )))
                })?;
            let last_id: i64 = head.get(0);
            let prev = audit_chain::parse_hash(head.get(1)).ok_or_else(|| {
                AccountError::Store(StoreError::Corrupt(format!(
                    "{}: the audit chain head holds no SHA-256; run `kuzot audit verify`",
                    url_without_password(&self.url)
                )))
            })?;
            let id = last_id + 1;
            // Taken under the lock, so times never go backwards along the chain.
            let at = now_rfc3339();
            let hash = hex::encode(audit_chain::entry_hash(
                &prev, id, &at, actor, action, detail,
            ));
            tx.execute(
                "INSERT INTO accounts_audit_log (id, at, actor, action, detail, hash)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &at, &actor, &action, &detail, &hash],
            )?;
            tx.execute(
                "UPDATE accounts_audit_chain SET last_id = $1, last_hash = $2 WHERE only_row = 1",
                &[&id, &hash],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn audit_log(&self, limit: u64) -> Result<Vec<AuditEntry>, AccountError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_client(|c| {
            Ok(c.query(
                "SELECT id, at, actor, action, detail, hash FROM accounts_audit_log
                 ORDER BY id DESC LIMIT $1",
                &[&limit],
            )?
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                detail: r.get(4),
                hash: r.get(5),
            })
            .collect())
        })
    }

    fn verify_audit_chain(&self) -> Result<AuditChainStatus, AccountError> {
        self.with_client(|c| {
            // One snapshot: the head and the entries as of the same moment.
            let mut tx = c
                .build_transaction()
                .isolation_level(::postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let head = tx.query_opt(
                "SELECT last_id, last_hash, preexisting_through, chained_at
                 FROM accounts_audit_chain WHERE only_row = 1",
                &[],
            )?;
            let Some(head) = head else {
                tx.commit()?;
                return Ok(audit_chain::no_head());
            };
            let mut verifier = ChainVerifier::new(ChainHead {
                last_id: head.get(0),
                last_hash: head.get(1),
                preexisting_through: head.get(2),
                chained_at: head.get(3),
            });
            {
                // Streamed: a long log is never held in memory at once.
                let mut rows = tx.query_raw(
                    "SELECT id, at, actor, action, detail, hash FROM accounts_audit_log ORDER BY id",
                    std::iter::empty::<i64>(),
                )?;
                while let Some(r) = rows.next()? {
                    verifier.entry(
                        r.get(0),
                        r.get(1),
                        r.get(2),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                    );
                    if verifier.is_broken() {
                        break;
                    }
                }
            }
            tx.commit()?;
            Ok(verifier.finish())
        })
    }

    fn begin_login_attempt(
        &self,
        keys: &[&str],
        throttle: LoginThrottle,
    ) -> Result<bool, AccountError> {
        let keys = throttle_keys(keys);
        // Capped at ten years: a larger interval would overflow PostgreSQL's timestamps.
        let window_us = i64::try_from(throttle.window.as_micros())
            .unwrap_or(i64::MAX)
            .min(10 * 366 * 24 * 3600 * 1_000_000);
        let max = max_attempts_i64(throttle);
        self.with_client(|c| {
            // Expired attempts of every key, by one process at a time (the others skip
            // it): two deletes of the same rows in different orders could deadlock.
            let mut cleanup = c.transaction()?;
            let ours: bool = cleanup
                .query_one(
                    "SELECT pg_try_advisory_xact_lock($1)",
                    &[&THROTTLE_CLEANUP_LOCK],
                )?
                .get(0);
            if ours {
                cleanup.execute(
                    "DELETE FROM accounts_login_attempts
                     WHERE at <= clock_timestamp() - $1::BIGINT * INTERVAL '1 microsecond'",
                    &[&window_us],
                )?;
            }
            cleanup.commit()?;

            let mut tx = c.transaction()?;
            // The keys' locks, in sorted order so two attempts never wait on each other
            // in a cycle; held until commit, so the count below sees every attempt that
            // passed before.
            for key in &keys {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&throttle_lock(key)])?;
            }
            for key in &keys {
                let used: i64 = tx
                    .query_one(
                        "SELECT count(*) FROM accounts_login_attempts
                         WHERE key = $1
                           AND at > clock_timestamp() - $2::BIGINT * INTERVAL '1 microsecond'",
                        &[key, &window_us],
                    )?
                    .get(0);
                if used >= max {
                    tx.rollback()?;
                    return Ok(false);
                }
            }
            for key in &keys {
                tx.execute(
                    "INSERT INTO accounts_login_attempts (key, at) VALUES ($1, clock_timestamp())",
                    &[key],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn forget_login_attempts(&self, keys: &[&str]) -> Result<(), AccountError> {
        let keys = throttle_keys(keys);
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            for key in &keys {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&throttle_lock(key)])?;
            }
            for key in &keys {
                tx.execute("DELETE FROM accounts_login_attempts WHERE key = $1", &[key])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn copy_tables_out(
        &self,
        tables: &[CopyTable],
        each: &mut copy::TableRows<'_>,
    ) -> Result<(), AccountError> {
        let renamed = tables
            .iter()
            .map(postgres_table)
            .collect::<Result<Vec<_>, _>>()?;
        self.with_client(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(::postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            for (table, named) in tables.iter().zip(&renamed) {
                // Read under the PostgreSQL name, handed on under the neutral one.
                copy::postgres_dump_table(&mut tx, named, &mut |row| each(table, row))?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn count_rows(&self, table: &CopyTable) -> Result<u64, AccountError> {
        let table = postgres_table(table)?;
        self.with_client(|c| Ok(copy::postgres_count_rows(c, &table)?))
    }

    fn copy_in(
        &self,
        load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
    ) -> Result<(), AccountError> {
        self.with_client(|c| {
            let mut tx = c.transaction()?;
            tx.batch_execute("LOCK TABLE accounts_users IN EXCLUSIVE MODE")?;
            let users: i64 = tx
                .query_one("SELECT count(*) FROM accounts_users", &[])?
                .get(0);
            if users > 0 {
                return Err(AccountError::Invalid(format!(
                    "{} already has {users} accounts; copy accounts only into new ones",
                    url_without_password(&self.url)
                )));
            }
            // The copied chain head replaces this database's own (of its empty log); the
            // lock keeps appenders out until the copy commits.
            tx.query(
                "SELECT 1 FROM accounts_audit_chain WHERE only_row = 1 FOR UPDATE",
                &[],
            )?;
            tx.execute("DELETE FROM accounts_audit_chain", &[])?;
            let mut target = AccountsTarget {
                tx: &mut tx,
                loader: copy::PostgresLoader::new(),
            };
            load(&mut target)?;
            let AccountsTarget { loader, .. } = target;
            loader.finish(&mut tx)?;
            // A copy without an audit log (and so without a head) starts an empty chain.
            tx.execute(
                "INSERT INTO accounts_audit_chain (only_row, last_id, last_hash, preexisting_through, chained_at)
                 SELECT 1, 0, $1, 0, $2
                 WHERE NOT EXISTS (SELECT 1 FROM accounts_audit_log)
                   AND NOT EXISTS (SELECT 1 FROM accounts_audit_chain)",
                &[&hex::encode(audit_chain::GENESIS), &now_rfc3339()],
            )?;
            tx.commit()?;
            Ok(())
        })
    }
}

/// The PostgreSQL form of an account table: the same columns, named with the `accounts_`
/// prefix that keeps them apart from the evidence tables of the same database.
fn postgres_table(table: &CopyTable) -> Result<CopyTable, StoreError> {
    let name = match table.name {
        "users" => "accounts_users",
        "sessions" => "accounts_sessions",
        "api_tokens" => "accounts_api_tokens",
        "setup_links" => "accounts_setup_links",
        "audit_log" => "accounts_audit_log",
        "audit_chain" => "accounts_audit_chain",
        other => {
            return Err(StoreError::Corrupt(format!(
                "{other} is not an account table"
            )));
        }
    };
    Ok(CopyTable { name, ..*table })
}

/// A [`CopyTarget`] that loads account rows into one PostgreSQL transaction.
struct AccountsTarget<'t, 'c> {
    tx: &'t mut ::postgres::Transaction<'c>,
    loader: copy::PostgresLoader,
}

impl CopyTarget for AccountsTarget<'_, '_> {
    fn add_row(&mut self, table: &CopyTable, row: &[Value]) -> Result<(), StoreError> {
        let table = postgres_table(table)?;
        self.loader.add_row(self.tx, &table, row)
    }
}
