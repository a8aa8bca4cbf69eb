//! The same stories, through the `kuzot` binary, on the embedded SQLite store and on
//! PostgreSQL (`--database postgres://…`): import, re-import, a later export of the same
//! chat, a truncated file, bad records, a killed import, pseudonyms, search, two imports of
//! one file at once — and the same files give the same documents on both backends.
//!
//! The PostgreSQL half takes a database of its own per test from the server in
//! `KUZOT_TEST_POSTGRES_URL` (see `kuzot_store::postgres_test_database`); without a server it
//! is skipped with a message, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kuzot_store::postgres_test_database::TestDatabase;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One store under test: a local data directory (the search index, and the SQLite store
/// itself on SQLite) and, on PostgreSQL, the database.
struct Target {
    data: PathBuf,
    database: Option<TestDatabase>,
    _dir: tempfile::TempDir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sqlite,
    Postgres,
}

impl Target {
    /// `None` when PostgreSQL is asked for and no server answers outside CI.
    fn new(kind: Kind, purpose: &str) -> Option<Target> {
        let dir = tempfile::tempdir().expect("tempdir");
        let database = match kind {
            Kind::Sqlite => None,
            Kind::Postgres => Some(TestDatabase::create(purpose)?),
        };
        Some(Target {
            data: dir.path().join("data"),
            database,
            _dir: dir,
        })
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kuzot"));
        command
            .arg("--data-dir")
            .arg(&self.data)
            .env_remove("KUZOT_DATA")
            .env_remove("KUZOT_DATABASE_URL")
            .env("KUZOT_OPERATOR", "test");
        if let Some(db) = &self.database {
            command.arg("--database").arg(db.url());
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("kuzot runs")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}{}",
                stdout(&out),
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }

    /// Every stored document as comparable lines: without row ids (a backend may number
    /// differently) and without pseudonyms (each store has its own key).
    fn documents(&self) -> Vec<String> {
        let out = self.run(&["export", "--format", "jsonl"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = stdout(&out)
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
                if let Some(o) = v.as_object_mut() {
                    o.remove("id");
                    o.remove("cluster");
                    for value in o.values_mut() {
                        if let Some(text) = value.as_str() {
                            *value = without_pseudonyms(text).into();
                        }
                    }
                }
                v.to_string()
            })
            .collect();
        lines.sort();
        lines
    }

    fn stats(&self) -> serde_json::Value {
        self.json(&["stats"])
    }
}

/// `text` with every pseudonym (`anon-<hex>`, `anon-chat-<hex>`) cut to its prefix: each
/// store has its own key, so the same person has a different pseudonym in each.
fn without_pseudonyms(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("anon-") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "anon-".len()..];
        let (prefix, after) = match after.strip_prefix("chat-") {
            Some(a) => ("anon-chat-", a),
            None => ("anon-", after),
        };
        let hex_len = after
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(after.len());
        out.push_str(prefix);
        rest = &after[hex_len..];
    }
    out.push_str(rest);
    out
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Runs a story on SQLite and, in a second test, on PostgreSQL.
macro_rules! on_both_backends {
    ($story:ident) => {
        mod $story {
            #[test]
            fn sqlite() {
                if let Some(target) = super::Target::new(super::Kind::Sqlite, stringify!($story)) {
                    super::$story(&target, super::Kind::Sqlite);
                }
            }

            #[test]
            fn postgres() {
                if let Some(target) = super::Target::new(super::Kind::Postgres, stringify!($story))
                {
                    super::$story(&target, super::Kind::Postgres);
                }
            }
        }
    };
}

on_both_backends!(the_examples_import_once_and_are_recognised_and_found);
fn the_examples_import_once_and_are_recognised_and_found(t: &Target, _: Kind) {
    let examples = repo_root().join("examples");
    let first = t.run(&["ingest", path_arg(&examples)]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let text = stdout(&first);
    assert!(text.contains("0 rejected, 0 skipped"), "{text}");
    for format in [
        "telegram_json",
        "telegram_html",
        "whatsapp_txt",
        "web_page",
        "pdf",
    ] {
        assert!(
            text.contains(&format!("({format})")),
            "{format} missing in:\n{text}"
        );
    }
    let stored = t.stats()["documents"].as_u64().expect("count");
    assert!(stored > 30, "{stored}");

    let again = t.json(&["ingest", path_arg(&examples)]);
    for file in again["files"].as_array().expect("files") {
        assert_eq!(file["status"], "already_imported", "{file}");
    }
    assert_eq!(t.stats()["documents"].as_u64(), Some(stored));

    let risky = t.run(&["export", "--category", "disguised_military"]);
    assert!(stdout(&risky).contains("охранник"), "{}", stdout(&risky));
    // The import fed the search index of this process's data directory.
    let found = t.run(&["search", "охран*"]);
    assert!(found.status.success(), "{}", stdout(&found));
    assert!(stdout(&found).contains("охран"), "{}", stdout(&found));
}

on_both_backends!(a_later_export_of_the_same_chat_adds_only_new_messages);
fn a_later_export_of_the_same_chat_adds_only_new_messages(t: &Target, _: Kind) {
    let original = repo_root().join("examples/telegram/result.json");
    let mut export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&original).expect("example")).expect("JSON");
    let messages = export["messages"].as_array_mut().expect("messages");
    let mut newer = messages.last().expect("a message").clone();
    newer["id"] = 8.into();
    newer["date_unixtime"] = "1709700000".into();
    newer["text"] = "Новое сообщение: работа на складе в Подмосковье".into();
    messages.push(newer);
    let later = t._dir.path().join("result-later.json");
    std::fs::write(&later, serde_json::to_vec_pretty(&export).expect("JSON")).expect("write");

    assert_eq!(
        t.run(&["ingest", path_arg(&original)]).status.code(),
        Some(0)
    );
    let summary = t.json(&["ingest", path_arg(&later)]);
    let file = &summary["files"][0];
    assert_eq!(file["status"], "imported");
    assert_eq!(file["added"], 1, "{file}");
    assert_eq!(file["already_present"], 6, "{file}");
}

on_both_backends!(a_truncated_file_is_rejected_and_leaves_nothing);
fn a_truncated_file_is_rejected_and_leaves_nothing(t: &Target, kind: Kind) {
    let bytes = std::fs::read(repo_root().join("examples/telegram/result.json")).expect("example");
    let cut = t._dir.path().join("result.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let out = t.run(&["ingest", path_arg(&cut)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("truncated"), "{}", stdout(&out));
    let stats = t.stats();
    assert_eq!(stats["documents"], 0);
    assert_eq!(stats["sources"], 0);
    assert_eq!(stats["source_bytes"], 0);
    // The kept copy of the rejected file is removed again.
    assert_no_kept_source_files(t, kind);
    // The same file, whole, imports afterwards: nothing of the rejected attempt is in the way.
    let whole = t._dir.path().join("whole.json");
    std::fs::write(&whole, &bytes).expect("write");
    assert_eq!(t.run(&["ingest", path_arg(&whole)]).status.code(), Some(0));
}

/// No kept source file is left in the store (on SQLite its `sources/` folder holds none).
fn assert_no_kept_source_files(t: &Target, kind: Kind) {
    match kind {
        Kind::Sqlite => {
            let kept: Vec<_> = std::fs::read_dir(t.data.join("sources"))
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            let kept: Vec<_> = kept
                .into_iter()
                .filter(|p: &PathBuf| {
                    !p.ends_with("tmp")
                        && std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some())
                })
                .collect();
            assert!(kept.is_empty(), "{kept:?}");
        }
        Kind::Postgres => {
            let db = t.database.as_ref().expect("database");
            let mut client = postgres::Client::connect(db.url(), postgres::NoTls).expect("connect");
            let kept: i64 = client
                .query_one("SELECT count(*) FROM source_files", &[])
                .expect("count")
                .get(0);
            assert_eq!(kept, 0);
        }
    }
}

on_both_backends!(files_with_nothing_usable_exit_2_and_are_not_recorded);
fn files_with_nothing_usable_exit_2_and_are_not_recorded(t: &Target, kind: Kind) {
    let empty = t._dir.path().join("empty.txt");
    std::fs::write(&empty, b"").expect("write");
    // Every row has one field more than the header.
    let rows = t._dir.path().join("rows.csv");
    let mut table = String::from("text,time\n");
    for k in 0..2_000 {
        table.push_str(&format!("Требуются охранники {k},2024-03-01,лишнее\n"));
    }
    std::fs::write(&rows, table).expect("write");
    let service_only = t._dir.path().join("WhatsApp Chat with Ish.txt");
    std::fs::write(
        &service_only,
        "12/03/2024, 14:00 - Messages and calls are end-to-end encrypted. No one outside of \
         this chat, not even WhatsApp, can read or listen to them.\n",
    )
    .expect("write");
    for (file, why) in [
        (&empty, "the file is empty"),
        (&rows, "all 2000 of its records were rejected"),
        (&service_only, "it holds only service messages (1)"),
    ] {
        let out = t.run(&["ingest", path_arg(file)]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with("REJECTED"))
            .unwrap_or_else(|| panic!("no REJECTED line:\n{text}"));
        assert!(
            line.contains(path_arg(file)) && line.contains(why),
            "{line}"
        );
    }
    let out = stdout(&t.run(&["ingest", path_arg(&rows)]));
    assert!(
        out.contains("row has 3 fields, the header has 2"),
        "the rows' own reason is not listed:\n{out}"
    );
    assert!(out.contains("… and 1980 more\n"), "{out}");
    let stats = t.stats();
    assert_eq!(stats["sources"], 0, "{stats}");
    assert_eq!(stats["documents"], 0, "{stats}");
    assert_eq!(stats["source_bytes"], 0, "{stats}");
    assert_no_kept_source_files(t, kind);
    assert_eq!(t.json(&["sources"]).as_array().map(Vec::len), Some(0));

    let json = t.json(&["ingest", path_arg(&empty)]);
    assert_eq!(json["files"][0]["status"], "rejected", "{json}");
    assert_eq!(
        json["files"][0]["nothing_usable"]["kind"], "empty",
        "{json}"
    );

    // A usable file beside them is imported; the run says some were rejected.
    let chat = t._dir.path().join("WhatsApp Chat with Vakansiya.txt");
    std::fs::write(&chat, "12/03/2024, 14:05 - Aibek: Moskvada ish bor\n").expect("write");
    let out = t.run(&["ingest", path_arg(&chat), path_arg(&empty), path_arg(&rows)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let stats = t.stats();
    assert_eq!(stats["sources"], 1, "{stats}");
    assert_eq!(stats["documents"], 1, "{stats}");
}

on_both_backends!(bad_records_are_reported_with_their_position);
fn bad_records_are_reported_with_their_position(t: &Target, _: Kind) {
    let fixture = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    let out = t.run(&["ingest", path_arg(&fixture)]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("4 added") && text.contains("2 rejected"),
        "{text}"
    );
    let sources = t.json(&["sources"]);
    let id = sources[0]["id"].as_i64().expect("id").to_string();
    let rejected = t.json(&["sources", "--rejected", &id]);
    assert_eq!(rejected.as_array().map(Vec::len), Some(2));
}

on_both_backends!(authors_are_pseudonymous_in_everything_stored);
fn authors_are_pseudonymous_in_everything_stored(t: &Target, kind: Kind) {
    let fixture = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    t.run(&["ingest", path_arg(&fixture)]);
    let exported = stdout(&t.run(&["export"]));
    assert!(exported.contains("\"author\":\"anon-"), "{exported}");
    let raw = "Айгуль";
    match kind {
        Kind::Sqlite => {
            for name in ["kuzot.db", "kuzot.db-wal"] {
                let bytes = std::fs::read(t.data.join(name)).unwrap_or_default();
                assert!(
                    !bytes.windows(raw.len()).any(|w| w == raw.as_bytes()),
                    "{name} holds a raw author name"
                );
            }
        }
        Kind::Postgres => {
            // Every table of the database, as pg_dump writes it, except the kept source
            // file (which is the original export, byte for byte, and holds the name).
            let db = t.database.as_ref().expect("database");
            let dump = Command::new("pg_dump")
                .arg("--data-only")
                .arg("--exclude-table-data=source_chunks")
                .arg(db.url())
                .output()
                .expect("pg_dump runs");
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            let text = String::from_utf8_lossy(&dump.stdout);
            assert!(text.contains("anon-"), "the dump holds no documents");
            assert!(!text.contains(raw), "the database holds a raw author name");
        }
    }
}

on_both_backends!(an_import_killed_at_any_moment_reruns_to_exactly_a_clean_import);
fn an_import_killed_at_any_moment_reruns_to_exactly_a_clean_import(t: &Target, kind: Kind) {
    let export = t._dir.path().join("generated.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&export).expect("create"));
    kuzot_bench::write_telegram_export(&mut out, 20_000, 3).expect("generate");
    drop(out);
    let export_arg = path_arg(&export);
    let Some(clean) = Target::new(kind, "killed_clean") else {
        return;
    };
    let out = clean.run(&["ingest", export_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected = clean.documents();
    assert!(expected.len() > 18_000);

    let mut killed_mid_import = 0;
    for (round, delay_ms) in [150u64, 500, 1200].into_iter().enumerate() {
        let Some(target) = Target::new(kind, &format!("killed_{round}")) else {
            return;
        };
        let mut child = target
            .command()
            .args(["ingest", export_arg])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(delay_ms) {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // SIGKILL: no destructor, no rollback by the process itself.
        let finished_by_itself = child.try_wait().expect("wait").is_some();
        let _ = child.kill();
        let _ = child.wait();
        if !finished_by_itself {
            let stored = target.stats()["documents"].as_u64().unwrap_or(0);
            assert!(
                stored == 0 || stored as usize == expected.len(),
                "half an import is visible: {stored}"
            );
            if stored == 0 {
                killed_mid_import += 1;
            }
        }
        let rerun = target.run(&["ingest", export_arg]);
        assert_eq!(rerun.status.code(), Some(0), "{}", stdout(&rerun));
        let got = target.documents();
        assert_eq!(got.len(), expected.len(), "round {round}");
        let first_difference = got.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(
            first_difference, None,
            "round {round}: differs from a clean import"
        );
    }
    assert!(
        killed_mid_import > 0,
        "no kill landed during an import; the test proved nothing"
    );
}

on_both_backends!(two_imports_of_one_file_at_once_store_it_once);
fn two_imports_of_one_file_at_once_store_it_once(t: &Target, kind: Kind) {
    let export = t._dir.path().join("generated.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&export).expect("create"));
    kuzot_bench::write_telegram_export(&mut out, 5_000, 7).expect("generate");
    drop(out);
    // Two processes, as two servers would be; on PostgreSQL each has its own data directory
    // (its own index) over the one database.
    let second_data = t._dir.path().join("second");
    let spawn = |data: &Path| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kuzot"));
        command
            .arg("--data-dir")
            .arg(data)
            .env_remove("KUZOT_DATA")
            .env_remove("KUZOT_DATABASE_URL")
            .args(["--json", "ingest", path_arg(&export)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(db) = &t.database {
            command.arg("--database").arg(db.url());
        }
        command.spawn().expect("spawn")
    };
    let first = spawn(&t.data);
    let second = spawn(if kind == Kind::Postgres {
        &second_data
    } else {
        &t.data
    });
    let outputs = [first, second].map(|c| c.wait_with_output().expect("wait"));
    let files: Vec<serde_json::Value> = outputs
        .iter()
        .map(|o| {
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
            v["files"][0].clone()
        })
        .collect();
    let mut statuses: Vec<&str> = files.iter().filter_map(|f| f["status"].as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["already_imported", "imported"]);
    let added = files
        .iter()
        .find_map(|f| f["added"].as_u64())
        .expect("the import's count");
    assert!(added > 4_000, "{added}");
    let stats = t.stats();
    assert_eq!(stats["sources"], 1);
    assert_eq!(stats["documents"].as_u64(), Some(added));
}

/// The same files give the same documents, provenance and analyses on both backends.
#[test]
fn both_backends_store_the_same_documents() {
    let (Some(sqlite), Some(postgres)) = (
        Target::new(Kind::Sqlite, "same_documents"),
        Target::new(Kind::Postgres, "same_documents"),
    ) else {
        return;
    };
    let examples = repo_root().join("examples");
    for t in [&sqlite, &postgres] {
        assert_eq!(
            t.run(&["ingest", path_arg(&examples)]).status.code(),
            Some(0)
        );
    }
    let (a, b) = (sqlite.documents(), postgres.documents());
    assert!(a.len() > 30);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    let (sa, sb) = (sqlite.stats(), postgres.stats());
    for key in [
        "sources",
        "source_bytes",
        "documents",
        "chats",
        "authors",
        "first_time",
        "last_time",
    ] {
        assert_eq!(sa[key], sb[key], "{key}");
    }
    let phones = |t: &Target| stdout(&t.run(&["phones"]));
    assert_eq!(phones(&sqlite), phones(&postgres));
}

/// A database that does not answer: a clear message naming it without its password, exit 2.
#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--database",
            "postgres://kuzot:s3cret-pw@127.0.0.1:1/evidence",
            "stats",
        ])
        .env_remove("KUZOT_DATABASE_URL")
        .output()
        .expect("kuzot runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("postgres://kuzot:***@127.0.0.1:1/evidence"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}
