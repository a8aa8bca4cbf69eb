//! `kuzot audit verify` and `kuzot audit show` on both backends: an intact log exits 0
//! with its count; after an entry is edited by hand it exits non-zero and names the entry.

use std::path::Path;
use std::process::{Command, Output};

use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{AccountStore, StoreLocation, open_accounts};

fn kuzot(store_args: &[&str], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .args(store_args)
        .args(args)
        .env_remove("KUZOT_DATA")
        .env_remove("KUZOT_DATABASE_URL")
        .output()
        .expect("kuzot runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_entries(accounts: &dyn AccountStore) {
    accounts.audit("dilnoza.r", "login", "").expect("audit");
    accounts
        .audit("dilnoza.r", "label", "document 17")
        .expect("audit");
    accounts
        .audit("-", "login_failed", "account \"bolot\u{1b}[2J\"")
        .expect("audit");
}

/// The story on one backend; `edit_second` changes entry 2 behind kuzot's back.
fn story(store_args: &[&str], edit_second: impl Fn()) {
    let out = kuzot(store_args, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("audit log intact: 3 entries"),
        "{}",
        text(&out.stdout)
    );

    let out = kuzot(store_args, &["audit", "show", "--limit", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(shown.contains("document 17"), "{shown}");
    assert!(
        !shown.contains('\u{1b}'),
        "control characters escaped: {shown}"
    );

    edit_second();
    let out = kuzot(store_args, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("broken at entry 2"), "{said}");
    assert!(!said.contains("intact"), "{said}");

    let out = kuzot(store_args, &["--json", "audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(verdict["status"], "broken");
    assert_eq!(verdict["id"], 2);
    assert_eq!(verdict["problem"], "hash_mismatch");
}

#[test]
fn verify_names_an_edited_entry_on_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let accounts = open_accounts(&StoreLocation::Sqlite(dir.path().to_owned())).expect("open");
    write_entries(accounts.as_ref());
    drop(accounts);
    let data = dir.path().to_str().expect("UTF-8 path");
    story(&["--data-dir", data], || {
        let conn = rusqlite::Connection::open(dir.path().join("accounts.db")).expect("open");
        conn.execute(
            "UPDATE audit_log SET detail = 'document 18' WHERE id = 2",
            [],
        )
        .expect("edit");
    });
}

#[test]
fn verify_names_an_edited_entry_on_postgres() {
    let Some(db) = TestDatabase::create("cli_audit") else {
        return;
    };
    let accounts = open_accounts(&StoreLocation::Postgres(db.url().to_owned())).expect("open");
    write_entries(accounts.as_ref());
    drop(accounts);
    story(&["--database", db.url()], || {
        let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
        client
            .execute(
                "UPDATE accounts_audit_log SET detail = 'document 18' WHERE id = 2",
                &[],
            )
            .expect("edit");
    });
}

#[test]
fn verify_refuses_a_directory_without_accounts_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("not-a-data-dir");
    std::fs::create_dir(&missing).expect("dir");
    let out = kuzot(
        &["--data-dir", missing.to_str().expect("UTF-8")],
        &["audit", "verify"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no accounts"),
        "{}",
        text(&out.stderr)
    );
    assert!(!Path::new(&missing.join("accounts.db")).exists());
}

#[test]
fn a_chain_survives_migration_to_postgres_unchanged() {
    let Some(db) = TestDatabase::create("cli_audit_migrate") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("data dir");
    let accounts = open_accounts(&StoreLocation::Sqlite(data.clone())).expect("open");
    // `kuzot migrate` copies accounts only where there is one.
    accounts
        .create_user(
            "dilnoza.r",
            "$argon2id$v=19$stand-in",
            kuzot_store::Role::Admin,
        )
        .expect("user");
    write_entries(accounts.as_ref());
    let head_before = accounts.audit_log(1).expect("log")[0].hash.clone();
    drop(accounts);
    let data = data.to_str().expect("UTF-8");
    let out = kuzot(&["--data-dir", data], &["migrate", "--to", db.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let out = kuzot(&["--database", db.url()], &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let said = text(&out.stdout);
    assert!(said.contains("audit log intact: 3 entries"), "{said}");
    assert!(said.contains(&head_before), "the same head: {said}");

    // The copy appends after the copied head, and a deletion there is found as well.
    let copied = open_accounts(&StoreLocation::Postgres(db.url().to_owned())).expect("open");
    copied.audit("dilnoza.r", "logout", "").expect("append");
    assert_eq!(copied.audit_log(1).expect("log")[0].id, 4);
    let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
    client
        .execute("DELETE FROM accounts_audit_log WHERE id = 3", &[])
        .expect("delete");
    let out = kuzot(&["--database", db.url()], &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("entry 3"),
        "{}",
        text(&out.stdout)
    );
}
