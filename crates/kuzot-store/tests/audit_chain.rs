//! The audit log's hash chain on both backends: an intact log verifies; an entry edited,
//! deleted in the middle or cut from the end by hand (raw SQL, as someone with the
//! database file or a login to the server would) is found and named; the migration that
//! introduces the chain chains the entries already there; and appenders running at once
//! (threads, and on PostgreSQL several stores standing for several server processes)
//! leave one unbroken chain with consecutive ids.

use std::path::PathBuf;
use std::sync::{Arc, Barrier};

use kuzot_store::accounts::audit_entry_hash;
use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{
    AccountStore, AuditChainProblem, AuditChainStatus, PostgresAccounts, SqliteAccounts,
    StoreLocation, open_accounts,
};

/// A store and a way to change its audit table behind kuzot's back.
struct Backend {
    accounts: Box<dyn AccountStore>,
    raw: Raw,
    /// Keeps the SQLite directory alive.
    _dir: Option<tempfile::TempDir>,
    /// Keeps the PostgreSQL database alive.
    _db: Option<TestDatabase>,
}

enum Raw {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    /// Runs one statement on the audit table (`{log}` stands for its name, `{head}` for
    /// the chain head's), outside kuzot.
    fn tamper(&self, sql: &str) {
        match &self.raw {
            Raw::Sqlite(file) => {
                let sql = sql
                    .replace("{log}", "audit_log")
                    .replace("{head}", "audit_chain");
                let conn = rusqlite::Connection::open(file).expect("open the file");
                conn.execute_batch(&sql).expect("tamper");
            }
            Raw::Postgres(url) => {
                let sql = sql
                    .replace("{log}", "accounts_audit_log")
                    .replace("{head}", "accounts_audit_chain");
                let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
                client.batch_execute(&sql).expect("tamper");
            }
        }
    }
}

/// A fresh SQLite store, then (when a server answers; under CI=true it must) a fresh
/// PostgreSQL one.
fn backends(purpose: &str) -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut out = vec![Backend {
        accounts: open_accounts(&StoreLocation::Sqlite(dir.path().to_owned())).expect("sqlite"),
        raw: Raw::Sqlite(dir.path().join("accounts.db")),
        _dir: Some(dir),
        _db: None,
    }];
    if let Some(db) = TestDatabase::create(purpose) {
        out.push(Backend {
            accounts: open_accounts(&StoreLocation::Postgres(db.url().to_owned()))
                .expect("postgres"),
            raw: Raw::Postgres(db.url().to_owned()),
            _dir: None,
            _db: Some(db),
        });
    }
    out
}

/// Five entries: logins and labels of invented accounts.
fn write_five(accounts: &dyn AccountStore) {
    accounts.audit("nurbek.t", "login", "").expect("audit");
    for i in 1..=3 {
        accounts
            .audit("nurbek.t", "label", &format!("document {}", 40 + i))
            .expect("audit");
    }
    accounts
        .audit("-", "login_failed", "account \"zarina\"")
        .expect("audit");
}

fn broken(accounts: &dyn AccountStore) -> kuzot_store::AuditChainBreak {
    match accounts.verify_audit_chain().expect("verify") {
        AuditChainStatus::Broken(b) => b,
        intact => panic!("tampering not found: {intact:?}"),
    }
}

fn intact_entries(accounts: &dyn AccountStore) -> u64 {
    match accounts.verify_audit_chain().expect("verify") {
        AuditChainStatus::Intact { entries, .. } => entries,
        AuditChainStatus::Broken(b) => panic!("an untouched log is broken at {b}"),
    }
}

#[test]
fn an_untouched_log_verifies_with_consecutive_ids() {
    for b in backends("chain_intact") {
        assert_eq!(intact_entries(b.accounts.as_ref()), 0, "an empty log");
        write_five(b.accounts.as_ref());
        match b.accounts.verify_audit_chain().expect("verify") {
            AuditChainStatus::Intact {
                entries,
                head_id,
                head_hash,
                preexisting_through,
                ..
            } => {
                assert_eq!((entries, head_id, preexisting_through), (5, 5, 0));
                let log = b.accounts.audit_log(10).expect("log");
                assert_eq!(log[0].hash, head_hash);
                let ids: Vec<i64> = log.iter().map(|e| e.id).collect();
                assert_eq!(ids, [5, 4, 3, 2, 1]);
            }
            AuditChainStatus::Broken(br) => panic!("{br}"),
        }
    }
}

#[test]
fn an_edited_entry_is_named() {
    for b in backends("chain_edit") {
        write_five(b.accounts.as_ref());
        b.tamper("UPDATE {log} SET detail = 'document 99' WHERE id = 3");
        let found = broken(b.accounts.as_ref());
        assert_eq!(
            (found.id, &found.problem),
            (3, &AuditChainProblem::HashMismatch)
        );
        assert!(found.at.is_some(), "the entry's time is named");
        assert!(found.to_string().contains("entry 3"), "{found}");
    }
}

#[test]
fn an_edit_with_its_own_hash_recomputed_breaks_the_next_entry() {
    for b in backends("chain_rehash") {
        write_five(b.accounts.as_ref());
        // The editor knows the scheme and rewrites entry 3's hash to match its new
        // content; entry 4 was chained from the old one.
        let log = b.accounts.audit_log(10).expect("log");
        let third = log.iter().find(|e| e.id == 3).expect("entry 3");
        let second = log.iter().find(|e| e.id == 2).expect("entry 2");
        let mut prev = [0u8; 32];
        hex::decode_to_slice(&second.hash, &mut prev).expect("hex");
        let forged = hex::encode(audit_entry_hash(
            &prev,
            3,
            &third.at,
            "someone",
            &third.action,
            &third.detail,
        ));
        b.tamper(&format!(
            "UPDATE {{log}} SET actor = 'someone', hash = '{forged}' WHERE id = 3"
        ));
        let found = broken(b.accounts.as_ref());
        assert_eq!(
            (found.id, &found.problem),
            (4, &AuditChainProblem::HashMismatch)
        );
    }
}

#[test]
fn a_deleted_entry_in_the_middle_is_named() {
    for b in backends("chain_delete") {
        write_five(b.accounts.as_ref());
        b.tamper("DELETE FROM {log} WHERE id = 2");
        let found = broken(b.accounts.as_ref());
        assert_eq!((found.id, &found.problem), (2, &AuditChainProblem::Missing));
        assert!(found.to_string().contains("missing"), "{found}");
    }
}

#[test]
fn a_deleted_last_entry_is_found_through_the_head() {
    for b in backends("chain_tail") {
        write_five(b.accounts.as_ref());
        b.tamper("DELETE FROM {log} WHERE id >= 4");
        let found = broken(b.accounts.as_ref());
        assert_eq!(
            (found.id, &found.problem),
            (4, &AuditChainProblem::TailMissing { head_id: 5 })
        );
        // Deleting the head as well is found too, and appending then refuses.
        b.tamper("DELETE FROM {head}");
        assert_eq!(
            broken(b.accounts.as_ref()).problem,
            AuditChainProblem::NoHead
        );
        let refused = b
            .accounts
            .audit("nurbek.t", "login", "")
            .expect_err("no head, no append")
            .to_string();
        assert!(refused.contains("chain head"), "{refused}");
    }
}

#[test]
fn an_entry_added_by_hand_is_named() {
    for b in backends("chain_added") {
        write_five(b.accounts.as_ref());
        b.tamper(
            "INSERT INTO {log} (id, at, actor, action, detail, hash)
             VALUES (6, '2026-02-03T04:05:06Z', 'nurbek.t', 'login', '', 'ab')",
        );
        let found = broken(b.accounts.as_ref());
        assert_eq!(
            (found.id, &found.problem),
            (6, &AuditChainProblem::BeyondHead { head_id: 5 })
        );
    }
}

/// Appends from `stores` on `threads` threads each, all released at once.
fn append_at_once<S: AccountStore + 'static>(stores: &[Arc<S>], threads: usize, each: usize) {
    let barrier = Arc::new(Barrier::new(stores.len() * threads));
    let mut handles = Vec::new();
    for (s, store) in stores.iter().enumerate() {
        for t in 0..threads {
            let store = Arc::clone(store);
            let barrier = Arc::clone(&barrier);
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                for i in 0..each {
                    store
                        .audit(
                            "worker",
                            "label",
                            &format!("store {s} thread {t} entry {i}"),
                        )
                        .expect("audit");
                }
            }));
        }
    }
    for h in handles {
        h.join().expect("thread");
    }
}

fn assert_one_chain(accounts: &dyn AccountStore, expected: u64) {
    assert_eq!(intact_entries(accounts), expected);
    let ids: Vec<i64> = accounts
        .audit_log(expected + 10)
        .expect("log")
        .iter()
        .map(|e| e.id)
        .rev()
        .collect();
    let consecutive: Vec<i64> = (1..=i64::try_from(expected).expect("count")).collect();
    assert_eq!(ids, consecutive);
}

#[test]
fn concurrent_appenders_on_one_sqlite_file_leave_one_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Two stores on one file stand for two processes; each has several threads.
    let stores: Vec<Arc<SqliteAccounts>> = (0..2)
        .map(|_| Arc::new(SqliteAccounts::open(dir.path()).expect("open")))
        .collect();
    append_at_once(&stores, 4, 25);
    assert_one_chain(stores[0].as_ref(), 2 * 4 * 25);
}

#[test]
fn concurrent_appenders_on_one_postgres_database_leave_one_chain() {
    let Some(db) = TestDatabase::create("chain_concurrent") else {
        return;
    };
    // Three stores stand for three server processes, each with its own connections.
    let stores: Vec<Arc<PostgresAccounts>> = (0..3)
        .map(|_| Arc::new(PostgresAccounts::connect(db.url()).expect("connect")))
        .collect();
    append_at_once(&stores, 4, 20);
    assert_one_chain(stores[0].as_ref(), 3 * 4 * 20);
}

/// The audit table of a kuzot before the chain, with entries 1, 2 and 4 (3 was lost
/// before the chain existed: an id the old sequence skipped).
const OLD_ENTRIES: &str = "
INSERT INTO {log} (id, at, actor, action, detail) VALUES
    (1, '2025-03-01T08:00:00Z', 'aliya.s', 'setup', 'first administrator account created'),
    (2, '2025-03-01T08:01:00Z', 'aliya.s', 'login', ''),
    (4, '2025-03-02T09:30:00Z', '-', 'login_failed', 'account \"temirlan\"');
";

fn check_migrated(accounts: &dyn AccountStore, tamper: impl Fn(&str)) {
    match accounts.verify_audit_chain().expect("verify") {
        AuditChainStatus::Intact {
            entries,
            head_id,
            preexisting_through,
            ..
        } => assert_eq!((entries, head_id, preexisting_through), (3, 4, 4)),
        AuditChainStatus::Broken(b) => panic!("the migrated log is broken at {b}"),
    }
    accounts.audit("aliya.s", "login", "").expect("append");
    let log = accounts.audit_log(10).expect("log");
    assert_eq!(log[0].id, 5, "the chain continues after the last old entry");
    assert_eq!(log.len(), 4);
    assert_eq!(intact_entries(accounts), 4);
    // Old entries are now covered: an edit after the migration is found.
    tamper("UPDATE {log} SET detail = 'account \"someone\"' WHERE id = 4");
    let AuditChainStatus::Broken(b) = accounts.verify_audit_chain().expect("verify") else {
        panic!("an edited old entry is not found")
    };
    assert_eq!((b.id, b.problem), (4, AuditChainProblem::HashMismatch));
}

#[test]
fn the_migration_chains_entries_already_in_a_sqlite_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("accounts.db");
    {
        let old = rusqlite::Connection::open(&file).expect("create");
        old.execute_batch(
            "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL,
                 actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);",
        )
        .expect("old schema");
        old.execute_batch(&OLD_ENTRIES.replace("{log}", "audit_log"))
            .expect("old entries");
    }
    let accounts = SqliteAccounts::open(dir.path()).expect("open migrates");
    // Opening again (another process, a restart) changes nothing.
    drop(SqliteAccounts::open(dir.path()).expect("open again"));
    check_migrated(&accounts, |sql| {
        let conn = rusqlite::Connection::open(&file).expect("open");
        conn.execute_batch(&sql.replace("{log}", "audit_log"))
            .expect("tamper");
    });
}

#[test]
fn the_migration_chains_entries_already_in_postgres() {
    let Some(db) = TestDatabase::create("chain_migration") else {
        return;
    };
    {
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
        // The audit table as accounts schema version 2 made it (the migration to 3 only
        // touches this table; the others are made by versions 1 and 2, not needed here).
        client
            .batch_execute(
                "CREATE TABLE kuzot_schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
                 INSERT INTO kuzot_schema_versions VALUES ('accounts', 2);
                 CREATE TABLE accounts_audit_log (
                     id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                     at     TEXT NOT NULL,
                     actor  TEXT NOT NULL,
                     action TEXT NOT NULL,
                     detail TEXT NOT NULL);",
            )
            .expect("old schema");
        client
            .batch_execute(
                &OLD_ENTRIES
                    .replace("{log}", "accounts_audit_log")
                    .replace("VALUES", "OVERRIDING SYSTEM VALUE VALUES"),
            )
            .expect("old entries");
    }
    let accounts = PostgresAccounts::connect(db.url()).expect("connect migrates");
    drop(PostgresAccounts::connect(db.url()).expect("connect again"));
    check_migrated(&accounts, |sql| {
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
        client
            .batch_execute(&sql.replace("{log}", "accounts_audit_log"))
            .expect("tamper");
    });
}
