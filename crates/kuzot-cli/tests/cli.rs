//! The `kuzot` binary end to end on the SQLite store, for what only it has (its files on
//! disk, a run killed between commit and regrouping, CSV guards, folders with unreadable
//! parts). The stories every backend shares (the README's demo, re-imports, later exports,
//! bad and truncated files, a killed import) are in `stories_on_both_backends.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// How many stored documents have near-duplicates, and in how many clusters.
fn clustering(data: &Path) -> (usize, usize) {
    let out = kuzot(data, &["export", "--format", "jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clusters: Vec<i64> = stdout(&out)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["cluster"].as_i64()
        })
        .collect();
    let distinct: std::collections::BTreeSet<i64> = clusters.iter().copied().collect();
    (clusters.len(), distinct.len())
}

#[test]
fn a_run_killed_between_commit_and_regrouping_is_completed_by_the_next_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let examples = repo_root().join("examples");
    let examples = examples.to_str().expect("utf-8 path");

    let clean = dir.path().join("clean");
    let out = kuzot(&clean, &["ingest", examples]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let expected = clustering(&clean);
    assert!(
        expected.0 >= 2,
        "the examples have no near-duplicates: {expected:?}"
    );

    // Every file is committed, then the process dies where regrouping would start.
    let data = dir.path().join("killed");
    let killed = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(&data)
        .args(["ingest", examples])
        .env_remove("KUZOT_DATA")
        .env("KUZOT_TEST_ABORT_BEFORE_REGROUP", "1")
        .output()
        .expect("kuzot runs");
    assert!(!killed.status.success(), "the abort hook did not fire");
    assert_eq!(
        documents(&data).len(),
        documents(&clean).len(),
        "the files were not all committed before the abort"
    );
    assert_eq!(clustering(&data), (0, 0), "the window was not reached");

    let rerun = kuzot(&data, &["--json", "ingest", examples]);
    assert!(rerun.status.success(), "{}", stdout(&rerun));
    let summary = json(&rerun);
    assert!(
        summary["files"]
            .as_array()
            .expect("files")
            .iter()
            .all(|f| f["status"] == "already_imported"),
        "{summary}"
    );
    assert_eq!(clustering(&data), expected);
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

/// The name of the private person our private-chat fixtures are named after.
const PRIVATE_NAME: &str = "Гулнара Сатыбалдиева";

/// Every database file of a store (the SQLite file, its WAL and the search index), not
/// the kept source files, which are the evidence byte for byte.
fn database_files(data: &Path) -> Vec<PathBuf> {
    let files: Vec<PathBuf> = walk(data)
        .into_iter()
        .filter(|p| !p.starts_with(data.join("sources")))
        .collect();
    assert!(
        files.iter().any(|p| p.ends_with("kuzot.db")),
        "no database in {}",
        data.display()
    );
    files
}

fn assert_name_in_no_database_file(data: &Path, name: &str) {
    for file in database_files(data) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !contains(&bytes, name.as_bytes()),
            "{} holds the private chat's name",
            file.display()
        );
    }
}

/// The chat of every exported document, in export order.
fn exported_chats(data: &Path) -> Vec<String> {
    let out = kuzot(data, &["export", "--format", "jsonl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["chat"].as_str().unwrap_or("").to_owned()
        })
        .collect()
}

fn telegram_json_chat(name: &str, kind: &str, id: u64, messages: u32) -> String {
    let messages: Vec<serde_json::Value> = (1..=messages)
        .map(|n| {
            serde_json::json!({
                "id": n,
                "type": "message",
                "date": format!("2024-03-0{n}T10:00:00"),
                "date_unixtime": (1_709_287_200 + u64::from(n) * 86_400).to_string(),
                "from": if n % 2 == 0 { name } else { "Researcher" },
                "from_id": if n % 2 == 0 { "user700" } else { "user100" },
                "text": format!("сообщение номер {n} про работу на стройке"),
            })
        })
        .collect();
    // Written by hand: Telegram puts the chat's name, type and id before its messages, and
    // serde_json's map would sort "messages" first.
    format!(
        "{{\n \"name\": {},\n \"type\": {},\n \"id\": {id},\n \"messages\": {}\n}}",
        serde_json::Value::from(name),
        serde_json::Value::from(kind),
        serde_json::to_string_pretty(&messages).expect("JSON")
    )
}

/// Imports `first`, then `later` (a later export of the same chat) into one store, and
/// checks that the private name is in no database file and that every message of the
/// chat carries one and the same `anon-chat-` pseudonym.
fn assert_private_chat_pseudonymous(dir: &Path, first: &Path, later: &Path) {
    let data = dir.join("store");
    for file in [first, later] {
        let out = kuzot(&data, &["ingest", file.to_str().expect("path")]);
        assert!(out.status.success(), "{}", stdout(&out));
    }
    assert_name_in_no_database_file(&data, PRIVATE_NAME);
    let chats = exported_chats(&data);
    assert!(chats.len() >= 3, "{chats:?}");
    assert!(chats[0].starts_with("anon-chat-"), "{chats:?}");
    assert!(chats.iter().all(|c| c == &chats[0]), "{chats:?}");

    // With --keep-authors the name is kept, as for authors.
    let kept = dir.join("kept");
    kuzot(
        &kept,
        &["ingest", "--keep-authors", first.to_str().expect("path")],
    );
    assert!(exported_chats(&kept).iter().all(|c| c == PRIVATE_NAME));
}

#[test]
fn personal_chat_names_are_pseudonymous_in_telegram_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("result.json");
    let later = dir.path().join("result-later.json");
    std::fs::write(
        &first,
        telegram_json_chat(PRIVATE_NAME, "personal_chat", 700, 3),
    )
    .expect("write");
    std::fs::write(
        &later,
        telegram_json_chat(PRIVATE_NAME, "personal_chat", 700, 4),
    )
    .expect("write");
    assert_private_chat_pseudonymous(dir.path(), &first, &later);
}

#[test]
fn private_group_names_are_pseudonymous_in_a_whole_account_export_and_channels_keep_theirs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let account = |messages: u32| {
        let chats: Vec<String> = [
            (PRIVATE_NAME, "private_supergroup", 701),
            ("Вакансии Москва Канал", "public_channel", 702),
        ]
        .into_iter()
        .map(|(name, kind, id)| telegram_json_chat(name, kind, id, messages))
        .collect();
        format!(
            "{{\n \"chats\": {{\n  \"about\": \"all chats\",\n  \"list\": [{}]\n }}\n}}",
            chats.join(",\n")
        )
    };
    let first = dir.path().join("result.json");
    let later = dir.path().join("result-later.json");
    std::fs::write(&first, account(3)).expect("write");
    std::fs::write(&later, account(4)).expect("write");
    let data = dir.path().join("store");
    for file in [&first, &later] {
        let out = kuzot(&data, &["ingest", file.to_str().expect("path")]);
        assert!(out.status.success(), "{}", stdout(&out));
    }
    assert_name_in_no_database_file(&data, PRIVATE_NAME);
    let chats = exported_chats(&data);
    let private: Vec<&String> = chats
        .iter()
        .filter(|c| c.starts_with("anon-chat-"))
        .collect();
    assert_eq!(private.len(), 4, "{chats:?}");
    assert!(private.iter().all(|c| *c == private[0]), "{chats:?}");
    assert_eq!(
        chats
            .iter()
            .filter(|c| *c == "Вакансии Москва Канал")
            .count(),
        4,
        "a channel's name is public evidence: {chats:?}"
    );
}

fn telegram_html_chat(name: &str, messages: u32) -> String {
    let mut page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><title>Exported Data</title></head>\
         <body><div class=\"page_wrap\"><div class=\"page_header\"><div class=\"content\">\
         <div class=\"text bold\">{name}</div></div></div>\
         <div class=\"page_body chat_page\"><div class=\"history\">"
    );
    for n in 1..=messages {
        let from = if n % 2 == 0 { name } else { "Researcher" };
        page.push_str(&format!(
            "<div class=\"message default clearfix\" id=\"message{n}\"><div class=\"body\">\
             <div class=\"pull_right date details\" title=\"0{n}.03.2024 10:00:00 UTC+03:00\">10:00</div>\
             <div class=\"from_name\">{from}</div>\
             <div class=\"text\">сообщение номер {n} про работу на стройке</div></div></div>"
        ));
    }
    page.push_str("</div></div></div></body></html>");
    page
}

#[test]
fn personal_chat_names_are_pseudonymous_in_telegram_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first_dir = dir.path().join("first");
    let later_dir = dir.path().join("later");
    std::fs::create_dir_all(&first_dir).expect("mkdir");
    std::fs::create_dir_all(&later_dir).expect("mkdir");
    let first = first_dir.join("messages.html");
    let later = later_dir.join("messages.html");
    std::fs::write(&first, telegram_html_chat(PRIVATE_NAME, 3)).expect("write");
    std::fs::write(&later, telegram_html_chat(PRIVATE_NAME, 4)).expect("write");
    assert_private_chat_pseudonymous(dir.path(), &first, &later);
}

#[test]
fn whatsapp_chat_names_are_pseudonymous_in_the_store_and_the_file_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chat = |messages: u32| {
        (1..=messages)
            .map(|n| {
                let from = if n % 2 == 0 {
                    PRIVATE_NAME
                } else {
                    "Researcher"
                };
                format!("0{n}.03.2024, 10:00 - {from}: сообщение номер {n} про работу на стройке\n")
            })
            .collect::<String>()
    };
    let first_dir = dir.path().join("first");
    let later_dir = dir.path().join("later");
    std::fs::create_dir_all(&first_dir).expect("mkdir");
    std::fs::create_dir_all(&later_dir).expect("mkdir");
    let file_name = format!("WhatsApp Chat with {PRIVATE_NAME}.txt");
    let first = first_dir.join(&file_name);
    let later = later_dir.join(&file_name);
    std::fs::write(&first, chat(3)).expect("write");
    std::fs::write(&later, chat(4)).expect("write");
    assert_private_chat_pseudonymous(dir.path(), &first, &later);
    let sources = json(&kuzot(&dir.path().join("store"), &["--json", "sources"]));
    let names: Vec<&str> = sources
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["original_name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{sources}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("WhatsApp Chat with anon-chat-")),
        "{names:?}"
    );
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

#[test]
fn worker_once_drains_a_queued_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let export = dir.path().join("WhatsApp Chat with Ish.txt");
    std::fs::write(
        &export,
        "12/03/2024, 14:05 - Aibek: Контракт с Минобороны, выплата 195 000 руб.\n\
         12/03/2024, 14:06 - Aibek: Требуются штукатуры в Мариуполь, 120 000 руб/мес\n\
         12/03/2024, 14:07 - Aibek: Погода в Бишкеке: завтра дождь\n",
    )
    .expect("write export");
    let ingest = kuzot(
        &data,
        &[
            "ingest",
            "--queue-analysis",
            export.to_str().expect("utf-8 path"),
        ],
    );
    assert!(
        ingest.status.success(),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ingest.stderr).contains("3 documents waiting for analysis"),
        "{}",
        String::from_utf8_lossy(&ingest.stderr)
    );
    let worker = kuzot(&data, &["--json", "worker", "--once"]);
    assert!(
        worker.status.success(),
        "{}",
        String::from_utf8_lossy(&worker.stderr)
    );
    let report = json(&worker);
    assert_eq!(report["analysed"], 3, "{report}");
    assert_eq!(report["still_queued"], 0, "{report}");
    // Nothing left: a second run has nothing to do.
    let again = json(&kuzot(&data, &["--json", "worker", "--once"]));
    assert_eq!(again["analysed"], 0, "{again}");
    // `kuzot search` follows the store first: the worker's categories are searchable.
    let found = kuzot(&data, &["--json", "search", "контракт"]);
    assert!(
        found.status.success(),
        "{}",
        String::from_utf8_lossy(&found.stderr)
    );
    let categories: Vec<String> = stdout(&found)
        .lines()
        .map(|l| {
            let hit: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            hit["category"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    assert_eq!(categories.len(), 1, "{categories:?}");
    assert_ne!(categories[0], "other", "the analysis reached the index");
}

/// The `[ingest]` limits of a settings file reach `kuzot ingest`: a record over
/// `record_bytes` is rejected with its line, the rest of the file is imported.
#[test]
fn ingest_limits_in_the_settings_file_bound_what_an_import_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("posts.jsonl");
    let long = "Вахта, оплата каждую неделю. ".repeat(60);
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n{}\n",
            serde_json::json!({"id": "1", "text": "Требуются разнорабочие на склад"}),
            serde_json::json!({"id": "2", "text": long}),
            serde_json::json!({"id": "3", "text": "Ищу работу водителем"}),
        ),
    )
    .expect("write");
    let settings = dir.path().join("kuzot.toml");
    std::fs::write(&settings, "[ingest]\nrecord_bytes = 1000\n").expect("write");

    let limited = dir.path().join("limited");
    let out = kuzot(
        &limited,
        &[
            "--config",
            settings.to_str().expect("utf-8"),
            "--json",
            "ingest",
            file.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = json(&out);
    let imported = &summary["files"][0];
    assert_eq!(imported["added"], 2, "{summary}");
    assert_eq!(imported["rejected"], 1, "{summary}");
    let reason = imported["rejected_records"][0].to_string();
    assert!(
        reason.contains("1000"),
        "the reason names the limit: {reason}"
    );

    let unlimited = dir.path().join("unlimited");
    let out = kuzot(
        &unlimited,
        &["--json", "ingest", file.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["files"][0]["added"], 3);
}

#[test]
fn export_writes_the_web_exports_columns_with_genre_topic_and_facts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let imported = kuzot(
        &data,
        &[
            "ingest",
            repo_root()
                .join("examples/telegram")
                .to_str()
                .expect("path"),
        ],
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let csv_out = kuzot(&data, &["export", "--format", "csv"]);
    assert!(csv_out.status.success());
    let mut reader = csv::Reader::from_reader(&csv_out.stdout[..]);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, kuzot_service::EXPORT_COLUMNS.to_vec());
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    let stored = json(&kuzot(&data, &["--json", "stats"]))["documents"]
        .as_u64()
        .expect("documents");
    assert!(stored > 1, "the example chat is stored");
    assert_eq!(
        rows.len() as u64,
        stored,
        "every stored message is exported"
    );
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    for row in &rows {
        assert_eq!(row.get(column("source_sha256")).map(str::len), Some(64));
        assert!(
            !row.get(column("genre")).unwrap_or("").is_empty(),
            "{row:?}"
        );
    }

    let jsonl = kuzot(&data, &["export", "--format", "jsonl"]);
    assert!(jsonl.status.success());
    let lines: Vec<serde_json::Value> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), rows.len());
    for line in &lines {
        let keys: Vec<&str> = line
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = kuzot_service::EXPORT_COLUMNS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
    // The example chat holds recruitment ads with phones and pay: their facts are exported.
    let ad = lines
        .iter()
        .find(|l| l["genre"] == "ad" && l["phones"].as_array().is_some_and(|p| !p.is_empty()))
        .expect("an ad with a phone");
    assert!(
        ad["topic"].is_string() && ad["category"].is_string(),
        "{ad}"
    );
    assert!(
        lines.iter().any(|l| l["monthly_pay_rub"].is_number()),
        "some ad states pay"
    );
}

/// Runs `kuzot` with `args`, failing (and killing it) if it has not ended after two
/// minutes: what these tests guard against is an import that never ends.
fn kuzot_ending(data: &Path, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KUZOT_DATA")
        .env("KUZOT_OPERATOR", "test")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kuzot runs");
    let id = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match wait.recv_timeout(std::time::Duration::from_secs(120)) {
        Ok(output) => output.expect("kuzot ran"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("kuzot {args:?} did not end: it reads an endless input");
        }
    }
}

/// `/dev/zero`, `/dev/urandom` and a FIFO nobody writes to, named directly (with a format
/// forced, which skips detection): each is refused by name as not a regular file, nothing
/// is kept, and the exit code is 2 (nothing usable).
#[test]
fn devices_and_fifos_named_directly_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let fifo = dir.path().join("pipe.txt");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let fifo = fifo.to_str().expect("utf-8 path");
    for (path, forced) in [
        ("/dev/zero", None),
        ("/dev/zero", Some("plain_text")),
        ("/dev/urandom", Some("plain_text")),
        (fifo, None),
        (fifo, Some("plain_text")),
    ] {
        let mut args = vec!["ingest"];
        if let Some(format) = forced {
            args.extend(["--format", format]);
        }
        args.push(path);
        let out = kuzot_ending(&data, &args);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(2), "{path} {forced:?}: {text}");
        assert!(
            text.contains(&format!("{path}: not a regular file")),
            "{path} {forced:?}: {text}"
        );
    }
    let kept: u64 = walk(&data.join("sources"))
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    assert_eq!(kept, 0, "nothing was kept");
}

/// A plain-text file and an HTML page over `ingest.whole_file_bytes` are refused from
/// their size, naming the limit and the setting, and nothing of them is kept; a streamed
/// format of the same size is imported, and so are both under the default limit.
#[test]
fn files_read_whole_over_the_file_limit_are_refused_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("report.txt");
    std::fs::write(&text, "Отчёт о найме на стройки в Мариуполе.\n".repeat(200)).expect("write");
    let page = dir.path().join("vacancy.html");
    std::fs::write(
        &page,
        format!(
            "<!doctype html><html><head><title>Вакансия</title></head><body><article><p>{}</p></article></body></html>",
            "Требуются охранники на объект, вахта 60/30, звонить +7 999 555 01 17. ".repeat(120)
        ),
    )
    .expect("write");
    let chat = dir.path().join("WhatsApp Chat with Ish.txt");
    let mut lines = String::new();
    for minute in 0..59 {
        lines.push_str(&format!(
            "12/03/2024, 14:{minute:02} - Aibek: Требуются штукатуры в Мариуполь, оплата каждую неделю\n"
        ));
    }
    std::fs::write(&chat, lines.repeat(2)).expect("write");
    let settings = dir.path().join("kuzot.toml");
    std::fs::write(&settings, "[ingest]\nwhole_file_bytes = 4096\n").expect("write");
    let config = settings.to_str().expect("utf-8");

    let limited = dir.path().join("limited");
    for (file, format) in [(&text, "plain_text"), (&page, "web_page")] {
        let size = std::fs::metadata(file).expect("size").len();
        assert!(size > 4096);
        let out = kuzot(
            &limited,
            &["--config", config, "ingest", file.to_str().expect("utf-8")],
        );
        let printed = stdout(&out);
        assert_eq!(out.status.code(), Some(2), "{printed}");
        assert!(
            printed.contains(&format!(
                "{size} bytes: the file is over the limit of 4096 bytes for a {format} file"
            )) && printed.contains("ingest.whole_file_bytes"),
            "{printed}"
        );
    }
    assert!(
        walk(&limited.join("sources"))
            .iter()
            .all(|p| p.starts_with(limited.join("sources/tmp"))),
        "nothing of a refused file is kept"
    );
    // A streamed format is not bounded by the file limit.
    assert!(std::fs::metadata(&chat).expect("size").len() > 4096);
    let out = kuzot(
        &limited,
        &["--config", config, "ingest", chat.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let unlimited = dir.path().join("unlimited");
    let out = kuzot(
        &unlimited,
        &[
            "ingest",
            text.to_str().expect("utf-8"),
            page.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// `kuzot config default` documents the file limit with its default.
#[test]
fn the_default_settings_name_the_file_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = kuzot(&dir.path().join("data"), &["config", "default"]);
    assert!(stdout(&out).contains("whole_file_bytes = 134217728"));
}

#[test]
fn a_mistyped_data_dir_is_refused_by_the_commands_that_read_and_nothing_is_created() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let typo = tmp.path().join("kuzot-dta");
    for args in [
        &["stats"][..],
        &["export", "--format", "jsonl"],
        &["phones"],
        &["sources"],
        &["cite", "1"],
        &["reindex"],
        &["reanalyze"],
    ] {
        let out = kuzot(&typo, args);
        assert!(
            !out.status.success(),
            "{args:?} succeeded on a missing store"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("there is no kuzot store in") && err.contains("no such folder"),
            "{args:?}: {err}"
        );
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
    // An existing folder without a store is named as such.
    std::fs::create_dir(&typo).expect("mkdir");
    let out = kuzot(&typo, &["stats"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the folder has no kuzot.db"));
    assert!(!typo.join("kuzot.db").exists());
}

#[test]
fn cite_prints_the_citation_in_the_language_asked_for() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = tmp.path().join("data");
    let example = repo_root().join("examples/telegram/result.json");
    let ingest = kuzot(&data, &["ingest", example.to_str().expect("path")]);
    assert!(ingest.status.success());
    let en = stdout(&kuzot(&data, &["cite", "1"]));
    let ru = stdout(&kuzot(&data, &["cite", "1", "--lang", "ru"]));
    let ky = stdout(&kuzot(&data, &["cite", "1", "--lang", "ky"]));
    assert!(en.starts_with("kuzot message 1\n") && en.contains("Source SHA-256: "));
    assert!(ru.starts_with("Сообщение kuzot № 1\n") && ru.contains("SHA-256 файла: "));
    assert!(ky.starts_with("kuzot билдирүүсү № 1\n") && ky.contains("-жазуу, "));
    // The same facts in each: the hash and the address do not change with the language.
    let hash = |text: &str| {
        text.lines()
            .find_map(|l| {
                l.rsplit_once(": ")
                    .filter(|(_, v)| v.len() == 64)
                    .map(|(_, v)| v.to_owned())
            })
            .expect("a hash line")
    };
    assert_eq!(hash(&en), hash(&ru));
    assert_eq!(hash(&en), hash(&ky));
    assert!(ky.ends_with("/messages/1\n") && ru.ends_with("/messages/1\n"));
    let refused = kuzot(&data, &["cite", "1", "--lang", "de"]);
    assert!(!refused.status.success());
}
