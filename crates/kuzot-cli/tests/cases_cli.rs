//! `kuzot cases` as a caseworker runs it: the key file, an import with bad rows, list,
//! match, show, merge and unmerge; a wrong or missing key refused without a write; and a
//! backup restored elsewhere that opens with the same key only. Every name is invented.

use std::path::Path;
use std::process::{Command, Output};

fn kuzot(data: &Path, key: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuzot"));
    command
        .arg("--data-dir")
        .arg(data)
        .env_remove("KUZOT_DATA")
        .env_remove("KUZOT_DATABASE_URL")
        .env_remove("KUZOT_CASES_KEY_FILE")
        .env("KUZOT_OPERATOR", "caseworker-test")
        .current_dir(data.parent().expect("a parent folder"));
    if let Some(key) = key {
        command.env("KUZOT_CASES_KEY_FILE", key);
    }
    command.args(args).output().expect("kuzot runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const CSV: &str = "ФИО,ФИО (лат.),Дата рождения,Район,death_date\n\
    Жоробеков Алмазбек,Jorobekov Almazbek,04.1991,Ак-Жарский район,03.2023\n\
    Сатыбалдиев Эрмек,,31.02.1990,,\n\
    Dzhorobekov Almazbek,,1991,,\n";

#[test]
fn a_caseworker_imports_finds_merges_and_restores_with_the_key_only() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let key = root.path().join("cases.key");

    // The key is refused inside the data directory, made outside it, never overwritten.
    let inside = data.join("cases.key");
    let out = kuzot(
        &data,
        None,
        &["cases", "init-key", inside.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("inside the data directory"),
        "{}",
        stderr(&out)
    );
    assert!(!inside.exists());
    let out = kuzot(
        &data,
        None,
        &["cases", "init-key", key.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let key_bytes = std::fs::read(&key).expect("key file");
    let out = kuzot(
        &data,
        None,
        &["cases", "init-key", key.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&key).expect("key file"), key_bytes);

    // Without a key file nothing opens, and no store is created.
    let out = kuzot(&data, None, &["cases", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("init-key"), "{}", stderr(&out));
    let lost = root.path().join("lost.key");
    let out = kuzot(&data, Some(&lost), &["cases", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lost.key"), "{}", stderr(&out));
    assert!(
        !data.join("kuzot.db").exists(),
        "a missing key must not create the store"
    );

    let csv = root.path().join("cases.csv");
    std::fs::write(&csv, CSV).expect("csv");
    let out = kuzot(
        &data,
        Some(&key),
        &[
            "cases",
            "import",
            csv.to_str().expect("utf-8"),
            "--map",
            "ФИО=name",
            "--map",
            "ФИО (лат.)=name",
            "--map",
            "Дата рождения=birth",
            "--map",
            "Район=district",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "some rows rejected: {}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("imported 2 persons"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains(":3 column \"Дата рождения\""),
        "{}",
        stderr(&out)
    );
    // The log names the row and the column, not the person.
    assert!(!stderr(&out).contains("Сатыбалдиев"), "{}", stderr(&out));

    let out = kuzot(&data, Some(&key), &["cases", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Жоробеков Алмазбек / Jorobekov Almazbek  born 1991-04"),
        "{}",
        stdout(&out)
    );

    let out = kuzot(
        &data,
        Some(&key),
        &["cases", "match", "Zhorobekov Almazbek"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let matched = stdout(&out);
    assert!(matched.contains("Жоробеков Алмазбек"), "{matched}");
    assert!(matched.contains("Dzhorobekov Almazbek"), "{matched}");

    let out = kuzot(&data, Some(&key), &["cases", "merge", "1", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = kuzot(&data, Some(&key), &["cases", "show", "1"]);
    let shown = stdout(&out);
    assert!(shown.contains("[from merged person 2]"), "{shown}");
    assert!(shown.contains("2023-03    death"), "{shown}");
    assert!(shown.contains("merge 1: person 2 into person 1"), "{shown}");
    let out = kuzot(&data, Some(&key), &["cases", "unmerge", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = stdout(&kuzot(&data, Some(&key), &["cases", "show", "1"]));
    assert!(!shown.contains("[from merged person 2]"), "{shown}");
    assert!(shown.contains("undone"), "{shown}");

    // Every read and change was written to the audit log, by id, naming nobody; the chain
    // holds.
    let log = stdout(&kuzot(&data, None, &["audit", "show", "--limit", "100"]));
    for (action, detail) in [
        ("cases_import", "a CSV import"),
        ("cases_list", "persons after id 0"),
        ("cases_match", "a search by name (not logged)"),
        ("cases_merge", "person 2 into person 1"),
        ("cases_show", "person 1"),
        ("cases_unmerge", "merge 1"),
    ] {
        assert!(
            log.lines()
                .any(|l| l.contains(action) && l.contains(detail)),
            "{action} {detail}: {log}"
        );
    }
    assert_eq!(log.matches("cases_show").count(), 2, "{log}");
    for name in ["Жоробеков", "Jorobekov", "Zhorobekov", "Almazbek"] {
        assert!(!log.contains(name), "the audit log names {name}: {log}");
    }
    let verify = kuzot(&data, None, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stdout(&verify));

    // A wrong key is refused with the message, and changes nothing.
    let wrong = root.path().join("wrong.key");
    kuzot(
        &data,
        None,
        &["cases", "init-key", wrong.to_str().expect("utf-8")],
    );
    let before = stdout(&kuzot(&data, Some(&key), &["cases", "list"]));
    let out = kuzot(&data, Some(&wrong), &["cases", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("this key does not open the registry's data keys"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).is_empty(),
        "nothing is shown: {}",
        stdout(&out)
    );
    assert_eq!(
        stdout(&kuzot(&data, Some(&key), &["cases", "list"])),
        before
    );

    // The backup carries the registry sealed; restored elsewhere it opens with the key.
    let backup = root.path().join("registry.backup");
    let out = kuzot(&data, None, &["backup", backup.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let restored = root.path().join("restored");
    let out = kuzot(
        &data,
        None,
        &[
            "restore",
            backup.to_str().expect("utf-8"),
            restored.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&kuzot(&restored, Some(&key), &["cases", "list"])),
        before
    );
    let out = kuzot(&restored, Some(&wrong), &["cases", "list"]);
    assert_eq!(out.status.code(), Some(2));
}
