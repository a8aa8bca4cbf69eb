//! `kuzot migrate`: a SQLite store with several imports, rejected records, analyses,
//! near-duplicate clusters, labels, accounts and kept files, copied into a new SQLite data
//! directory, reads the same afterwards (export, stats, labels, accounts, kept bytes), gives
//! the same pseudonyms to a new import, and a second migration into it is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kuzot_model::Category;
use kuzot_store::{NewLabel, Store};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kuzot(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KUZOT_DATA")
        .env_remove("KUZOT_DATABASE_URL")
        .env("KUZOT_OPERATOR", "test")
        .output()
        .expect("kuzot runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The whole export, ids included (a migration keeps them).
fn export(data: &Path) -> String {
    let out = kuzot(data, &["export", "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn stats(data: &Path) -> serde_json::Value {
    let out = kuzot(data, &["--json", "stats"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON stats")
}

fn ingest(data: &Path, path: &Path) -> Output {
    kuzot(data, &["ingest", path.to_str().expect("utf-8 path")])
}

/// A later export of the example Telegram chat: two new messages by its authors.
fn later_telegram_export(dir: &Path) -> PathBuf {
    let original = repo_root().join("examples/telegram/result.json");
    let mut export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&original).expect("example")).expect("JSON");
    let messages = export["messages"].as_array_mut().expect("messages");
    let template = messages.last().expect("a message").clone();
    for (i, text) in [
        "Вакансия: склад, оплата каждый день",
        "Звоните +79990001122",
    ]
    .iter()
    .enumerate()
    {
        let mut newer = template.clone();
        newer["id"] = (100 + i).into();
        newer["date_unixtime"] = "1709700000".into();
        newer["text"] = (*text).into();
        messages.push(newer);
    }
    let later = dir.join("result-later.json");
    std::fs::write(&later, serde_json::to_vec_pretty(&export).expect("JSON")).expect("write");
    later
}

fn every_kept_file(data: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let sources = data.join("sources");
    for prefix in std::fs::read_dir(&sources).expect("sources/").flatten() {
        if prefix.file_name().len() != 2 {
            continue;
        }
        for blob in std::fs::read_dir(prefix.path()).expect("prefix").flatten() {
            let bytes = std::fs::read(blob.path()).expect("kept file");
            files.push((blob.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    files.sort();
    files
}

#[test]
fn a_sqlite_store_migrates_to_another_sqlite_store_and_reads_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let examples = repo_root().join("examples");
    assert_eq!(ingest(&data, &examples).status.code(), Some(0));
    let with_rejects =
        repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    assert_eq!(ingest(&data, &with_rejects).status.code(), Some(1));

    // Labels (two on one document: the later is in force) and an account with audit entries.
    let labelled = {
        let mut store = Store::open(&data).expect("store");
        let ids: Vec<i64> = store
            .texts_after(0, 3)
            .expect("documents")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert!(ids.len() >= 2);
        for (id, category) in [
            (ids[0], Category::ALL[0]),
            (ids[0], Category::ALL[1]),
            (ids[1], Category::ALL[0]),
        ] {
            store
                .add_label(&NewLabel {
                    document_id: id,
                    category,
                    facts: None,
                    note: Some("checked\twith the lawyer\\n".into()),
                    labelled_by: "ana".into(),
                })
                .expect("label");
        }
        ids
    };
    {
        let accounts = kuzot_web::accounts::Accounts::open(&data).expect("accounts");
        accounts
            .create_user(
                "ana",
                "a long enough password",
                kuzot_web::accounts::Role::Admin,
            )
            .expect("user");
        accounts
            .audit("ana", "login", "from 127.0.0.1")
            .expect("audit");
    }

    let before_export = export(&data);
    let before_stats = stats(&data);
    assert!(
        before_export.contains("\"cluster\":"),
        "no near-duplicate clusters to carry"
    );
    let before_files = every_kept_file(&data);
    assert!(before_files.len() >= 6, "{}", before_files.len());

    let target = dir.path().join("target");
    let out = kuzot(&data, &["migrate", "--to", target.to_str().expect("path")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let summary = stdout(&out);
    assert!(
        summary.contains("verified: every row count equal"),
        "{summary}"
    );
    assert!(summary.contains("accounts: users"), "{summary}");
    assert!(!summary.contains("DIFFERENT"), "{summary}");

    assert_eq!(export(&target), before_export);
    assert_eq!(stats(&target), before_stats);
    assert_eq!(every_kept_file(&target), before_files);
    {
        let source = Store::open(&data).expect("source");
        let copied = Store::open(&target).expect("target");
        for id in &labelled {
            let strip = |labels: Vec<kuzot_store::Label>| {
                labels
                    .into_iter()
                    .map(|l| format!("{l:?}"))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                strip(copied.labels_of(*id).expect("labels")),
                strip(source.labels_of(*id).expect("labels"))
            );
        }
        assert_eq!(
            copied.review_queue(0.6, 0, 1000).expect("queue"),
            source.review_queue(0.6, 0, 1000).expect("queue")
        );
        let rejecting = source
            .sources()
            .expect("sources")
            .into_iter()
            .find(|s| s.rejected > 0)
            .expect("the import with rejected records");
        let rejected = source.rejected_records(rejecting.id).expect("rejected");
        assert_eq!(rejected.len(), 2);
        assert_eq!(
            format!("{rejected:?}"),
            format!(
                "{:?}",
                copied.rejected_records(rejecting.id).expect("rejected")
            )
        );
        // The copy starts a change log of its own covering every document.
        let changes = copied.changes_after(0, 10).expect("changes");
        assert_eq!(changes.len(), 1);
    }
    let copied_accounts = kuzot_web::accounts::Accounts::open(&target).expect("accounts");
    assert!(
        copied_accounts
            .authenticate("ana", "a long enough password")
            .expect("login")
            .is_some()
    );
    assert_eq!(copied_accounts.audit_log(10).expect("audit").len(), 1);

    // A new import of the same chat gets the same pseudonyms and ids on both sides.
    let later = later_telegram_export(dir.path());
    assert_eq!(ingest(&data, &later).status.code(), Some(0));
    assert_eq!(ingest(&target, &later).status.code(), Some(0));
    let after_source = export(&data);
    assert_eq!(export(&target), after_source);
    assert!(after_source.contains("Звоните +79990001122"));
    assert!(after_source.contains("\"author\":\"anon-"));

    // A store with evidence is never a target.
    let again = kuzot(&data, &["migrate", "--to", target.to_str().expect("path")]);
    assert_eq!(again.status.code(), Some(2));
    let message = stderr(&again);
    assert!(
        message.contains("is not empty") && message.contains(target.to_str().expect("path")),
        "{message}"
    );
    assert_eq!(export(&target), after_source);

    // Nor is the store itself.
    let itself = kuzot(&data, &["migrate", "--to", data.to_str().expect("path")]);
    assert_eq!(itself.status.code(), Some(2));
    assert!(stderr(&itself).contains("is the store being migrated"));
}

#[test]
fn a_damaged_kept_file_in_the_source_stops_the_migration_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let chat = repo_root().join("examples/telegram/result.json");
    assert_eq!(ingest(&data, &chat).status.code(), Some(0));
    let (name, mut bytes) = every_kept_file(&data).remove(0);
    bytes.extend_from_slice(b"\n tampered");
    let kept = data.join("sources").join(&name[..2]).join(&name);
    let mut permissions = std::fs::metadata(&kept).expect("kept").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&kept, permissions).expect("writable");
    std::fs::write(&kept, &bytes).expect("tamper");

    let target = dir.path().join("target");
    let out = kuzot(&data, &["migrate", "--to", target.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let message = stderr(&out);
    assert!(
        message.contains(&name) && message.contains("damaged"),
        "{message}"
    );
    // Nothing of the evidence reached the target.
    assert_eq!(stats(&target)["documents"], 0);
}

/// `kuzot` over a data directory and, when given, a database URL.
fn kuzot_on(data: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuzot"));
    command
        .arg("--data-dir")
        .arg(data)
        .env_remove("KUZOT_DATA")
        .env_remove("KUZOT_DATABASE_URL")
        .env("KUZOT_OPERATOR", "test");
    if let Some(url) = database {
        command.arg("--database").arg(url);
    }
    command.args(args).output().expect("kuzot runs")
}

#[test]
fn a_store_goes_to_postgresql_and_back_unchanged() {
    let Some(db) = kuzot_store::postgres_test_database::TestDatabase::create("migrate_round_trip")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    assert_eq!(
        ingest(&data, &repo_root().join("examples")).status.code(),
        Some(0)
    );
    {
        let accounts = kuzot_web::accounts::Accounts::open(&data).expect("accounts");
        accounts
            .create_user(
                "ana",
                "a long enough password",
                kuzot_web::accounts::Role::Admin,
            )
            .expect("user");
        accounts
            .audit("ana", "login", "from 127.0.0.1")
            .expect("audit");
    }
    let before_export = export(&data);
    let before_stats = stats(&data);
    let before_files = every_kept_file(&data);

    // SQLite → PostgreSQL: the server-mode store reads the same, ids included.
    let to_postgres = kuzot(&data, &["migrate", "--to", db.url()]);
    assert_eq!(
        to_postgres.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&to_postgres),
        stderr(&to_postgres)
    );
    assert!(stdout(&to_postgres).contains("accounts: users"));
    let server_dir = dir.path().join("server");
    let on_postgres = |args: &[&str]| kuzot_on(&server_dir, Some(db.url()), args);
    assert_eq!(
        stdout(&on_postgres(&["export", "--format", "jsonl"])),
        before_export
    );
    let pg_stats: serde_json::Value =
        serde_json::from_slice(&on_postgres(&["--json", "stats"]).stdout).expect("stats");
    assert_eq!(pg_stats, before_stats);
    let pg_accounts =
        kuzot_store::open_accounts(&kuzot_store::StoreLocation::Postgres(db.url().to_owned()))
            .expect("accounts on PostgreSQL");
    assert_eq!(pg_accounts.user_count().expect("count"), 1);

    // PostgreSQL → a new SQLite directory: the same again, kept bytes included.
    let back = dir.path().join("back");
    let to_sqlite = on_postgres(&["migrate", "--to", back.to_str().expect("path")]);
    assert_eq!(
        to_sqlite.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&to_sqlite),
        stderr(&to_sqlite)
    );
    assert_eq!(export(&back), before_export);
    assert_eq!(stats(&back), before_stats);
    assert_eq!(every_kept_file(&back), before_files);
    let back_accounts = kuzot_web::accounts::Accounts::open(&back).expect("accounts");
    assert!(
        back_accounts
            .authenticate("ana", "a long enough password")
            .expect("login")
            .is_some()
    );

    // Later imports of the same chat: the same documents and pseudonyms on all three (not the
    // same new ids: PostgreSQL's sequence also advances for messages already stored).
    let later = later_telegram_export(dir.path());
    let later_arg = later.to_str().expect("path");
    assert_eq!(ingest(&data, &later).status.code(), Some(0));
    assert_eq!(on_postgres(&["ingest", later_arg]).status.code(), Some(0));
    assert_eq!(ingest(&back, &later).status.code(), Some(0));
    let without_ids = |jsonl: &str| -> Vec<String> {
        let mut lines: Vec<String> = jsonl
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
                if let Some(o) = v.as_object_mut() {
                    o.remove("id");
                    o.remove("cluster");
                }
                v.to_string()
            })
            .collect();
        lines.sort();
        lines
    };
    let expected = without_ids(&export(&data));
    assert!(expected.iter().any(|l| l.contains("Звоните +79990001122")));
    assert_eq!(
        without_ids(&stdout(&on_postgres(&["export", "--format", "jsonl"]))),
        expected
    );
    assert_eq!(without_ids(&export(&back)), expected);
}
