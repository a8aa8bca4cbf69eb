//! `kuzot backup` and `kuzot restore`, through the real binary, on SQLite and PostgreSQL:
//! a store with imports, labels and an account is backed up, restored into a fresh data
//! directory (and into a fresh PostgreSQL database), and every row of every evidence and
//! account table and every kept file's SHA-256 is compared with the original's. Encrypted
//! backups round-trip with their identity and refuse any other; damaged or hostile archives
//! are refused and leave nothing behind; a backup taken while another process imports
//! restores to a consistent store.
//!
//! The PostgreSQL half takes databases of its own from `KUZOT_TEST_POSTGRES_URL` (see
//! `kuzot_store::postgres_test_database`); without a server it is skipped with a message,
//! except under `CI=true`, where it fails.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use age::secrecy::ExposeSecret;
use kuzot_model::Category;
use kuzot_store::copy::{ACCOUNT_TABLES, EVIDENCE_TABLES, Value};
use kuzot_store::postgres_test_database::TestDatabase;
use kuzot_store::{NewLabel, Store, StoreLocation, open_accounts};
use sha2::{Digest, Sha256};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `kuzot` over a data directory and, when given, a database URL.
fn kuzot(data: &Path, database: Option<&str>, args: &[&str]) -> Output {
    command(data, database, args).output().expect("kuzot runs")
}

fn command(data: &Path, database: Option<&str>, args: &[&str]) -> Command {
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
    command.args(args);
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn both(out: &Output) -> String {
    format!("{}\n{}", text(&out.stdout), text(&out.stderr))
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn location(data: &Path, database: Option<&str>) -> StoreLocation {
    match database {
        Some(url) => StoreLocation::Postgres(url.to_owned()),
        None => StoreLocation::Sqlite(data.to_owned()),
    }
}

/// The examples, a labelled document (two labels, the later in force) and an account with
/// an audit entry, in the store at `data`/`database`.
fn fill(data: &Path, database: Option<&str>) {
    let out = kuzot(
        data,
        database,
        &["ingest", path_str(&repo_root().join("examples"))],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let at = location(data, database);
    let mut store = Store::connect(&at).expect("store");
    let ids: Vec<i64> = store
        .texts_after(0, 2)
        .expect("documents")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.len(), 2);
    for (id, category) in [
        (ids[0], Category::ALL[0]),
        (ids[0], Category::ALL[1]),
        (ids[1], Category::ALL[2]),
    ] {
        store
            .add_label(&NewLabel {
                document_id: id,
                category,
                facts: None,
                note: Some("seen\twith the lawyer".into()),
                labelled_by: "ana".into(),
            })
            .expect("label");
    }
    let accounts = kuzot_web::accounts::Accounts::connect(&at).expect("accounts");
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

type Rows = Vec<(&'static str, Vec<Vec<Value>>)>;

/// Everything a store holds, by content: every row of every evidence table, every row of
/// every account table, and every kept file with the SHA-256 of its bytes as read back.
#[derive(Debug, PartialEq)]
struct Contents {
    evidence: Rows,
    accounts: Rows,
    kept: Vec<(String, String)>,
}

fn contents(at: &StoreLocation) -> Contents {
    let store = Store::connect(at).expect("store");
    let mut evidence: Rows = EVIDENCE_TABLES
        .iter()
        .map(|t| (t.name, Vec::new()))
        .collect();
    store
        .copy_tables_out(EVIDENCE_TABLES, &mut |table, row| {
            let slot = evidence
                .iter_mut()
                .find(|(name, _)| *name == table.name)
                .expect("table");
            slot.1.push(row.to_vec());
            Ok(())
        })
        .expect("evidence");
    let accounts_store = open_accounts(at).expect("accounts");
    let mut accounts: Rows = ACCOUNT_TABLES
        .iter()
        .map(|t| (t.name, Vec::new()))
        .collect();
    accounts_store
        .copy_tables_out(ACCOUNT_TABLES, &mut |table, row| {
            let slot = accounts
                .iter_mut()
                .find(|(name, _)| *name == table.name)
                .expect("table");
            slot.1.push(row.to_vec());
            Ok(())
        })
        .expect("accounts");
    let mut kept = Vec::new();
    for source in store.sources().expect("sources") {
        let mut bytes = Vec::new();
        store
            .open_source_file(&source.sha256)
            .expect("kept file")
            .read_to_end(&mut bytes)
            .expect("read");
        kept.push((source.sha256.clone(), hex(&Sha256::digest(&bytes))));
    }
    kept.sort();
    Contents {
        evidence,
        accounts,
        kept,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids of a search, sorted.
fn search_ids(data: &Path, database: Option<&str>, word: &str) -> Vec<i64> {
    let out = kuzot(
        data,
        database,
        &["--json", "search", word, "--limit", "1000"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let mut ids: Vec<i64> = text(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("JSON hit")["id"]
                .as_i64()
                .expect("id")
        })
        .collect();
    ids.sort_unstable();
    ids
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// No `DIR.partial-…` left beside `dir`.
fn no_partial_beside(dir: &Path) {
    let name = dir
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let parent = dir.parent().expect("parent");
    for entry in std::fs::read_dir(parent).expect("parent").flatten() {
        let other = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !other.starts_with(&format!("{name}.partial")),
            "{other} left behind"
        );
    }
}

fn backup_json(
    data: &Path,
    database: Option<&str>,
    file: &Path,
    extra: &[&str],
) -> serde_json::Value {
    let mut args = vec!["--json", "backup", path_str(file)];
    args.extend_from_slice(extra);
    let out = kuzot(data, database, &args);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    serde_json::from_slice(&out.stdout).expect("JSON summary")
}

fn restore(file: &Path, dir: &Path, extra: &[&str]) -> Output {
    // The data directory of the restoring process plays no part: a scratch one.
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["--json", "restore", path_str(file), path_str(dir)];
    args.extend_from_slice(extra);
    kuzot(scratch.path(), None, &args)
}

#[test]
fn a_sqlite_store_is_backed_up_and_restored_row_for_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    fill(&data, None);
    let original = contents(&location(&data, None));
    assert!(original.kept.len() >= 5, "{:?}", original.kept);

    let file = dir.path().join("kuzot.backup");
    let summary = backup_json(&data, None, &file, &[]);
    assert_eq!(summary["encrypted"], false);
    assert_eq!(summary["source_backend"], "sqlite");
    assert_eq!(summary["tables"]["labels"], 3);
    assert_eq!(summary["accounts"]["users"], 1);
    assert_eq!(summary["kept_files"], original.kept.len() as u64);
    assert_eq!(mode(&file), 0o600);
    assert!(!dir.path().join("kuzot.backup.partial").exists());
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kuzot-backup-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A mistyped data directory is no store to back up (and is not created).
    let nowhere = dir.path().join("nowhere");
    let out = kuzot(
        &nowhere,
        None,
        &["backup", path_str(&dir.path().join("empty.backup"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no store in"), "{}", both(&out));
    assert!(!nowhere.exists());

    // A backup never replaces a file.
    let again = kuzot(&data, None, &["backup", path_str(&file)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again.stderr).contains("exists already"),
        "{}",
        both(&again)
    );

    let restored = dir.path().join("restored");
    let out = restore(&file, &restored, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["tables"], summary["tables"]);
    assert!(report["indexed_documents"].as_u64().expect("indexed") > 0);
    assert_eq!(contents(&location(&restored, None)), original);
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("kuzot.db")), 0o600);
    assert_eq!(mode(&restored.join("secret.key")), 0o600);
    no_partial_beside(&restored);

    // Search works at once, and finds what it found in the original.
    let found = search_ids(&restored, None, "охрана");
    assert!(!found.is_empty());
    assert_eq!(found, search_ids(&data, None, "охрана"));
    // The account logs in with its password.
    let accounts = kuzot_web::accounts::Accounts::open(&restored).expect("accounts");
    assert!(
        accounts
            .authenticate("ana", "a long enough password")
            .expect("login")
            .is_some()
    );

    // A folder with anything in it is never a restore target; an empty one is.
    let refused = restore(&file, &restored, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("is not empty"),
        "{}",
        both(&refused)
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = restore(&file, &empty, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(contents(&location(&empty, None)), original);
}

#[test]
fn a_postgres_store_is_backed_up_and_restored_into_a_folder_and_into_postgres() {
    let Some(db) = TestDatabase::create("backup_source") else {
        return;
    };
    let Some(fresh) = TestDatabase::create("backup_target") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let server = dir.path().join("server");
    fill(&server, Some(db.url()));
    let original = contents(&StoreLocation::Postgres(db.url().to_owned()));
    assert!(original.kept.len() >= 5);

    let file = dir.path().join("pg.backup");
    let summary = backup_json(&server, Some(db.url()), &file, &[]);
    assert_eq!(summary["source_backend"], "postgres");
    assert!(
        !summary["source"].as_str().expect("source").contains('@'),
        "{summary}"
    );

    // Into a data directory: the same rows, accounts and kept bytes.
    let restored = dir.path().join("restored");
    let out = restore(&file, &restored, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(contents(&location(&restored, None)), original);
    assert!(!search_ids(&restored, None, "охрана").is_empty());

    // Into an empty PostgreSQL database, DIR becoming its processes' data directory.
    let served = dir.path().join("served");
    let out = restore(&file, &served, &["--to", fresh.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(
        contents(&StoreLocation::Postgres(fresh.url().to_owned())),
        original
    );
    let found = search_ids(&served, Some(fresh.url()), "охрана");
    assert!(!found.is_empty());
    assert_eq!(found, search_ids(&server, Some(db.url()), "охрана"));

    // A database that holds evidence is never a restore target.
    let elsewhere = dir.path().join("elsewhere");
    let refused = restore(&file, &elsewhere, &["--to", db.url()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("is not empty"),
        "{}",
        both(&refused)
    );
    assert!(!elsewhere.exists());
    no_partial_beside(&elsewhere);
}

#[test]
fn an_encrypted_backup_restores_with_its_identity_and_no_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    fill(&data, None);
    let original = contents(&location(&data, None));

    // An X25519 key pair, the kind most keepers hold (age 0.13 prefers the hybrid kind,
    // tried below).
    #[allow(deprecated)]
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let identity_file = dir.path().join("key.txt");
    std::fs::write(
        &identity_file,
        format!(
            "# a test identity\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .expect("identity file");
    let other_file = dir.path().join("other.txt");
    std::fs::write(
        &other_file,
        format!(
            "{}\n",
            age::pq::Identity::generate().to_string().expose_secret()
        ),
    )
    .expect("identity file");

    let file = dir.path().join("sealed.backup");
    let summary = backup_json(&data, None, &file, &["--recipient", &recipient]);
    assert_eq!(summary["encrypted"], true);
    let mut head = [0u8; 19];
    std::fs::File::open(&file)
        .expect("backup")
        .read_exact(&mut head)
        .expect("head");
    assert_eq!(&head, b"age-encryption.org/");

    let restored = dir.path().join("restored");
    let without = restore(&file, &restored, &[]);
    assert_eq!(without.status.code(), Some(2));
    assert!(
        text(&without.stderr).contains("--identity"),
        "{}",
        both(&without)
    );
    assert!(!restored.exists());

    let wrong = restore(&file, &restored, &["--identity", path_str(&other_file)]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("does not match"),
        "{}",
        both(&wrong)
    );
    assert!(!restored.exists());
    no_partial_beside(&restored);

    let out = restore(&file, &restored, &["--identity", path_str(&identity_file)]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(contents(&location(&restored, None)), original);

    // A recipients file: one key a line, comments allowed, a bad line named.
    let recipients = dir.path().join("recipients.txt");
    std::fs::write(
        &recipients,
        format!("# the archive's keeper\n{recipient}\n"),
    )
    .expect("write");
    let second = dir.path().join("sealed-2.backup");
    let summary = backup_json(
        &data,
        None,
        &second,
        &["--recipients-file", path_str(&recipients)],
    );
    assert_eq!(summary["recipients"], 1);

    // A post-quantum hybrid key pair (age1pq1…) works the same way.
    let hybrid = age::pq::Identity::generate();
    let hybrid_file = dir.path().join("hybrid.txt");
    std::fs::write(
        &hybrid_file,
        format!("{}\n", hybrid.to_string().expose_secret()),
    )
    .expect("identity file");
    let third = dir.path().join("sealed-3.backup");
    let hybrid_recipient = hybrid.to_public().to_string();
    backup_json(&data, None, &third, &["--recipient", &hybrid_recipient]);
    let hybrid_restored = dir.path().join("hybrid-restored");
    let out = restore(
        &third,
        &hybrid_restored,
        &["--identity", path_str(&hybrid_file)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert_eq!(contents(&location(&hybrid_restored, None)), original);
    let wrong = restore(
        &third,
        &dir.path().join("never"),
        &["--identity", path_str(&identity_file)],
    );
    assert!(
        text(&wrong.stderr).contains("does not match"),
        "{}",
        both(&wrong)
    );
    std::fs::write(&recipients, format!("{recipient}\nage1notakey\n")).expect("write");
    let bad = kuzot(
        &data,
        None,
        &[
            "backup",
            path_str(&dir.path().join("never.backup")),
            "--recipients-file",
            path_str(&recipients),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("recipients.txt:2"),
        "{}",
        both(&bad)
    );
    assert!(!dir.path().join("never.backup").exists());
}

/// The entries of an unencrypted backup: (header, path bytes, data).
fn entries(file: &Path) -> Vec<(tar::Header, Vec<u8>, Vec<u8>)> {
    let decoder = zstd::Decoder::new(std::fs::File::open(file).expect("backup")).expect("zstd");
    let mut archive = tar::Archive::new(decoder);
    let mut out = Vec::new();
    for entry in archive.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        let header = entry.header().clone();
        let path = entry.path_bytes().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("data");
        out.push((header, path, data));
    }
    out
}

/// Writes entries as a backup would (zstd over tar), headers as given: the path of each
/// is written into its header's name field directly, so that a hostile path gets through.
fn write_archive(file: &Path, entries: &[(tar::Header, Vec<u8>, Vec<u8>)]) {
    let out = std::fs::File::create(file).expect("create");
    let encoder = zstd::Encoder::new(out, 3).expect("zstd");
    let mut builder = tar::Builder::new(encoder);
    for (header, path, data) in entries {
        let mut header = header.clone();
        let name = &mut header.as_old_mut().name;
        name.fill(0);
        name[..path.len()].copy_from_slice(path);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, &data[..]).expect("append");
    }
    builder
        .into_inner()
        .expect("tar")
        .finish()
        .expect("zstd")
        .flush()
        .expect("flush");
}

fn assert_refused(file: &Path, dir: &Path, expected: &[&str]) {
    let out = restore(file, dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let message = text(&out.stderr);
    for part in expected {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(!dir.exists(), "{} was left", dir.display());
    no_partial_beside(dir);
}

#[test]
fn damaged_and_hostile_archives_are_refused_and_leave_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let chat = repo_root().join("examples/telegram/result.json");
    let out = kuzot(&data, None, &["ingest", path_str(&chat)]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let file = dir.path().join("good.backup");
    backup_json(&data, None, &file, &[]);
    let bytes = std::fs::read(&file).expect("backup");
    let target = dir.path().join("restored");

    // Cut in half.
    let truncated = dir.path().join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    assert_refused(&truncated, &target, &["truncated"]);

    // Cut at the very end (the tar entries whole, the compressed stream not).
    let short = dir.path().join("short.backup");
    std::fs::write(&short, &bytes[..bytes.len() - 3]).expect("write");
    assert_refused(&short, &target, &["short.backup"]);

    // One byte of a kept file changed, its size kept: the entry is named.
    let good = entries(&file);
    let (kept_at, kept_path) = good
        .iter()
        .enumerate()
        .find(|(_, (_, path, _))| path.starts_with(b"sources/"))
        .map(|(i, (_, path, _))| (i, String::from_utf8(path.clone()).expect("utf-8")))
        .expect("a kept file");
    let mut tampered = good.clone();
    tampered[kept_at].2[0] ^= 0x20;
    let tampered_file = dir.path().join("tampered.backup");
    write_archive(&tampered_file, &tampered);
    assert_refused(&tampered_file, &target, &[&kept_path, "SHA-256"]);

    // The database changed, too.
    let mut tampered = good.clone();
    let db_at = good
        .iter()
        .position(|(_, path, _)| path == b"kuzot.db")
        .expect("kuzot.db");
    let last = tampered[db_at].2.len() - 1;
    tampered[db_at].2[last] ^= 0x01;
    write_archive(&tampered_file, &tampered);
    assert_refused(&tampered_file, &target, &["kuzot.db", "SHA-256"]);

    // An entry that climbs out of the folder, right after the manifest.
    let mut climbing = good.clone();
    climbing.insert(
        1,
        (good[1].0.clone(), b"../x".to_vec(), b"outside".to_vec()),
    );
    let climbing_file = dir.path().join("climbing.backup");
    write_archive(&climbing_file, &climbing);
    assert_refused(&climbing_file, &target, &["../x", "unsafe path"]);
    assert!(!dir.path().join("x").exists());

    // An absolute path.
    let mut absolute = good.clone();
    absolute.insert(
        1,
        (good[1].0.clone(), b"/tmp/x".to_vec(), b"outside".to_vec()),
    );
    write_archive(&climbing_file, &absolute);
    assert_refused(&climbing_file, &target, &["/tmp/x", "unsafe path"]);

    // A symbolic link under a name a backup holds.
    let mut linked = good.clone();
    let mut link = good[1].0.clone();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_link_name("/etc/passwd").expect("link name");
    linked[1] = (link, good[1].1.clone(), Vec::new());
    write_archive(&climbing_file, &linked);
    assert_refused(&climbing_file, &target, &["Symlink", "not a regular file"]);

    // A file that is no backup at all.
    let stranger = dir.path().join("stranger.backup");
    std::fs::write(&stranger, b"just some text").expect("write");
    assert_refused(&stranger, &target, &["not a kuzot backup"]);

    // The good archive still restores.
    let out = restore(&file, &target, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
}

/// A backup taken while another process imports restores to a consistent store: whatever
/// moment the snapshot caught, every import is in it whole or not at all.
fn backup_during_an_import(database: Option<&TestDatabase>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let url = database.map(TestDatabase::url);
    let out = kuzot(
        &data,
        url,
        &["ingest", path_str(&repo_root().join("examples"))],
    );
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let mut exports = Vec::new();
    for (i, chat) in [(1u64, 1_700_000_001u64), (2, 1_700_000_002)] {
        let path = dir.path().join(format!("chat-{i}.json"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
        kuzot_bench::write_telegram_export_of_chat(&mut file, 20_000, i, chat).expect("export");
        file.flush().expect("flush");
        exports.push(path);
    }
    let mut import = command(
        &data,
        url,
        &[
            "ingest",
            "--no-analysis",
            path_str(&exports[0]),
            path_str(&exports[1]),
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("import starts");

    let mut backups = Vec::new();
    for i in 0..3 {
        let file = dir.path().join(format!("during-{i}.backup"));
        backups.push((backup_json(&data, url, &file, &[]), file));
    }
    let status = import.wait().expect("import ends");
    assert!(status.success(), "the import failed");

    for (i, (summary, file)) in backups.iter().enumerate() {
        let restored = dir.path().join(format!("restored-{i}"));
        let out = restore(file, &restored, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", both(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(report["tables"], summary["tables"]);
        let conn = rusqlite::Connection::open(restored.join("kuzot.db")).expect("open");
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
        assert_eq!(
            count(
                "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = d.source_id)"
            ),
            0
        );
        // Every import is there whole: each source holds the documents it says it added.
        assert_eq!(
            count(
                "SELECT count(*) FROM sources s WHERE s.added != (SELECT count(*) FROM documents d WHERE d.source_id = s.id)"
            ),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM documents"),
            summary["tables"]["documents"].as_i64().expect("count")
        );
        assert_eq!(
            count(
                "SELECT count(*) FROM analyses a WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = a.document_id)"
            ),
            0
        );
        // And every kept file a source names is there, with its bytes.
        let restored_contents = contents(&location(&restored, None));
        for (name, sha) in &restored_contents.kept {
            assert_eq!(name, sha);
        }
    }
}

#[test]
fn a_sqlite_backup_during_an_import_is_consistent() {
    backup_during_an_import(None);
}

#[test]
fn a_postgres_backup_during_an_import_is_consistent() {
    let Some(db) = TestDatabase::create("backup_during_import") else {
        return;
    };
    backup_during_an_import(Some(&db));
}
