//! The `kuzot` binary end to end: the README's demo, re-imports, later exports of the same
//! chat, bad files, pseudonyms, and an import killed with SIGKILL and run again.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kuzot(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KUZOT_DATA")
        .env("KUZOT_OPERATOR", "test")
        .output()
        .expect("kuzot runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

/// Every stored document as comparable lines (no row ids, which a store may assign
/// differently after a rolled-back import).
fn documents(data: &Path) -> Vec<String> {
    let out = kuzot(data, &["export", "--format", "jsonl"]);
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
            }
            v.to_string()
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn the_readme_demo_imports_every_example_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let examples = repo_root().join("examples");
    let first = kuzot(&data, &["ingest", examples.to_str().expect("utf-8 path")]);
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
    let stats = json(&kuzot(&data, &["--json", "stats"]));
    let stored = stats["documents"].as_u64().expect("count");
    assert!(stored > 30);

    let again = kuzot(
        &data,
        &["--json", "ingest", examples.to_str().expect("utf-8 path")],
    );
    assert_eq!(again.status.code(), Some(0));
    let summary = json(&again);
    for file in summary["files"].as_array().expect("files") {
        assert_eq!(file["status"], "already_imported", "{file}");
    }
    assert_eq!(
        json(&kuzot(&data, &["--json", "stats"]))["documents"].as_u64(),
        Some(stored)
    );

    // Every document was analysed, and the recruitment ads were recognised.
    let risky = kuzot(&data, &["export", "--category", "disguised_military"]);
    assert!(stdout(&risky).contains("охранник"), "{}", stdout(&risky));
}

#[test]
fn a_later_export_of_the_same_chat_adds_only_new_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let original = repo_root().join("examples/telegram/result.json");
    let mut export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&original).expect("example")).expect("JSON");
    let messages = export["messages"].as_array_mut().expect("messages");
    let mut newer = messages.last().expect("a message").clone();
    newer["id"] = 8.into();
    newer["date_unixtime"] = "1709700000".into();
    newer["text"] = "Новое сообщение: работа на складе в Подмосковье".into();
    messages.push(newer);
    let later = dir.path().join("result-later.json");
    std::fs::write(&later, serde_json::to_vec_pretty(&export).expect("JSON")).expect("write");

    assert_eq!(
        kuzot(&data, &["ingest", original.to_str().expect("path")])
            .status
            .code(),
        Some(0)
    );
    let out = kuzot(&data, &["--json", "ingest", later.to_str().expect("path")]);
    let file = &json(&out)["files"][0];
    assert_eq!(file["status"], "imported");
    assert_eq!(file["added"], 1, "{file}");
    assert_eq!(file["already_present"], 6, "{file}");
}

#[test]
fn a_truncated_file_is_rejected_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let bytes = std::fs::read(repo_root().join("examples/telegram/result.json")).expect("example");
    let cut = dir.path().join("result.json");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let out = kuzot(&data, &["ingest", cut.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("REJECTED"), "{}", stdout(&out));
    assert!(stdout(&out).contains("truncated"), "{}", stdout(&out));
    let stats = json(&kuzot(&data, &["--json", "stats"]));
    assert_eq!(stats["documents"], 0);
    assert_eq!(stats["sources"], 0);
    // The kept copy of a rejected file is removed again.
    let kept: Vec<_> = walk(&data.join("sources"))
        .into_iter()
        .filter(|p| !p.starts_with(data.join("sources/tmp")))
        .collect();
    assert!(kept.is_empty(), "{kept:?}");
}

#[test]
fn bad_records_are_reported_with_position_and_exit_code_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let fixture = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    let out = kuzot(&data, &["ingest", fixture.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("4 added") && text.contains("2 rejected"),
        "{text}"
    );
    assert!(text.contains("rejected record 4, line"), "{text}");
    let sources = json(&kuzot(&data, &["--json", "sources"]));
    let id = sources[0]["id"].as_i64().expect("id").to_string();
    let rejected = json(&kuzot(&data, &["--json", "sources", "--rejected", &id]));
    assert_eq!(rejected.as_array().map(Vec::len), Some(2));
}

#[test]
fn authors_are_pseudonymous_unless_kept_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = repo_root().join("crates/kuzot-ingest/tests/data/telegram_json/account.json");
    let private = dir.path().join("private");
    kuzot(&private, &["ingest", fixture.to_str().expect("path")]);
    let exported = stdout(&kuzot(&private, &["export"]));
    assert!(exported.contains("\"author\":\"anon-"), "{exported}");
    // The raw name appears nowhere in the database files.
    for entry in walk(&private) {
        if entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("kuzot.db"))
        {
            let bytes = std::fs::read(&entry).expect("read");
            assert!(
                !contains(&bytes, "Айгуль".as_bytes()),
                "{} holds a raw author name",
                entry.display()
            );
        }
    }

    let kept = dir.path().join("kept");
    kuzot(
        &kept,
        &["ingest", "--keep-authors", fixture.to_str().expect("path")],
    );
    let sources = json(&kuzot(&kept, &["--json", "sources"]));
    assert_eq!(sources[0]["keep_authors"], true);
    let db = std::fs::read(kept.join("kuzot.db")).expect("db");
    let wal = std::fs::read(kept.join("kuzot.db-wal")).unwrap_or_default();
    assert!(contains(&db, "Айгуль".as_bytes()) || contains(&wal, "Айгуль".as_bytes()));
}

#[test]
fn an_import_killed_at_any_moment_reruns_to_exactly_a_clean_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("result.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&export).expect("create"));
    kuzot_bench::write_telegram_export(&mut out, 20_000, 3).expect("generate");
    drop(out);
    let export_arg = export.to_str().expect("path");

    let clean = dir.path().join("clean");
    let out = kuzot(&clean, &["ingest", export_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected = documents(&clean);
    assert!(expected.len() > 18_000);

    let mut killed_mid_import = 0;
    for (round, delay_ms) in [100u64, 300, 700, 1500].into_iter().enumerate() {
        let data = dir.path().join(format!("killed-{round}"));
        // Same pseudonym key as the clean store, so that the documents compare equal.
        std::fs::create_dir_all(&data).expect("mkdir");
        std::fs::copy(clean.join("secret.key"), data.join("secret.key")).expect("copy key");
        let mut child = Command::new(env!("CARGO_BIN_EXE_kuzot"))
            .arg("--data-dir")
            .arg(&data)
            .args(["ingest", export_arg])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(delay_ms) {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // `kill` sends SIGKILL on Unix: no destructor, no rollback by the process itself.
        let finished_by_itself = child.try_wait().expect("wait").is_some();
        let _ = child.kill();
        let _ = child.wait();
        if !finished_by_itself {
            let stored = json(&kuzot(&data, &["--json", "stats"]))["documents"]
                .as_u64()
                .unwrap_or(0);
            assert!(
                stored == 0 || stored as usize == expected.len(),
                "half an import is visible: {stored}"
            );
            if stored == 0 {
                killed_mid_import += 1;
            }
        }
        let rerun = kuzot(&data, &["ingest", export_arg]);
        assert_eq!(rerun.status.code(), Some(0), "{}", stdout(&rerun));
        let got = documents(&data);
        assert_eq!(
            got.len(),
            expected.len(),
            "round {round} (killed after {delay_ms} ms)"
        );
        let first_difference = got.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(
            first_difference, None,
            "round {round}: documents differ from a clean import"
        );
    }
    assert!(
        killed_mid_import > 0,
        "no kill landed during an import; the test proved nothing"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out
}

#[test]
fn csv_export_guards_every_cell_against_formulas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    // A file name, a URL, a chat, an id and texts that spreadsheets would run as formulas.
    let hostile = dir.path().join("+cmd.jsonl");
    let rows = [
        serde_json::json!({"text": "=HYPERLINK(\"http://evil\",\"Работа\")", "url": "=HYPERLINK(\"http://evil\")", "channel": " =1+1", "id": "@1", "author": "-a"}),
        serde_json::json!({"text": "\n=cmd|' /C calc'!A0", "url": "＝1", "channel": "\t+2", "id": "－3"}),
        serde_json::json!({"text": " ＠SUM(A1)", "channel": "\r\n-4"}),
    ];
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&hostile, body).expect("write");
    let imported = kuzot(
        &data,
        &[
            "ingest",
            "--keep-authors",
            hostile.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let out = kuzot(&data, &["export", "--format", "csv"]);
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.expect("a CSV row").iter() {
            cells += 1;
            let visible = cell.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
            assert!(
                !visible.starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']),
                "formula cell {cell:?}"
            );
        }
    }
    assert!(cells > 30, "the export has the rows: {}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("'+cmd.jsonl"), "{text}");
    assert!(text.contains("'=HYPERLINK(\"\"http://evil\"\")"), "{text}");
}

#[test]
fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let examples = repo_root().join("examples/telegram");
    let out = kuzot(&data, &["ingest", examples.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every folder and file the import wrote, whatever the caller's umask.
    let mut pending = vec![data.clone()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let meta = std::fs::metadata(&path).expect("metadata");
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} has mode {mode:o}", path.display());
        seen += 1;
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                pending.push(entry.expect("entry").path());
            }
        }
    }
    assert!(seen > 5, "the store was written");
    assert_eq!(
        std::fs::metadata(&data).expect("data").permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn a_folder_with_unreadable_parts_links_and_fifos_imports_the_rest() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let input = dir.path().join("input");
    std::fs::create_dir_all(input.join("locked")).expect("mkdir");
    std::fs::copy(
        repo_root().join("examples/telegram/result.json"),
        dir.path().join("export.json"),
    )
    .expect("copy");
    // The export is reached only through a symbolic link; beside it a FIFO and a link loop.
    std::os::unix::fs::symlink(dir.path().join("export.json"), input.join("linked.json"))
        .expect("symlink");
    std::os::unix::fs::symlink(&input, input.join("loop")).expect("symlink");
    let fifo = input.join("pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    std::fs::set_permissions(input.join("locked"), std::fs::Permissions::from_mode(0o000))
        .expect("chmod");
    let out = kuzot(&data, &["ingest", input.to_str().expect("utf-8 path")]);
    std::fs::set_permissions(input.join("locked"), std::fs::Permissions::from_mode(0o700))
        .expect("chmod");
    let text = stdout(&out);
    assert!(text.contains("imported"), "{text}");
    assert!(text.contains("pipe.txt: not a regular file"), "{text}");
    assert!(text.contains("loop: a symbolic link to a folder"), "{text}");
    // Root reads a 0000 folder anyway; where it cannot be read, it is named, not fatal.
    if std::fs::read_dir(input.join("locked")).is_err() {
        assert!(text.contains("the folder cannot be read"), "{text}");
    }
    assert_eq!(documents(&data).len(), 6, "{text}");
}
