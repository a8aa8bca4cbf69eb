//! `kuzot search`, `kuzot reindex`, `kuzot train --from-labels` and `kuzot serve` as a
//! user runs them: the real binary over a store of the shipped examples.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kuzot(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KUZOT_DATA")
        .env_remove("KUZOT_LISTEN")
        .env("KUZOT_OPERATOR", "test")
        .output()
        .expect("kuzot runs")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn store_with_examples() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let examples = repo_root().join("examples");
    kuzot(&data, &["ingest", examples.to_str().expect("utf-8 path")]);
    (dir, data)
}

#[test]
fn search_finds_word_forms_filters_and_survives_a_reindex() {
    let (_dir, data) = store_with_examples();
    // The ingest kept the index current: no reindex needed first. "охрана" finds the
    // form "охранной" and the upper-case "ОХРАНА".
    let hits = json_lines(&ok(&kuzot(&data, &["--json", "search", "охрана"])));
    assert!(hits.len() >= 2, "{hits:?}");
    let texts: Vec<String> = hits
        .iter()
        .map(|h| h["snippet"]["text"].as_str().unwrap_or("").to_lowercase())
        .collect();
    assert!(texts.iter().any(|t| t.contains("охранной")), "{texts:?}");

    // A filter narrows; every hit has the category asked for.
    let risky = json_lines(&ok(&kuzot(
        &data,
        &[
            "--json",
            "search",
            "охрана",
            "--category",
            "disguised_military",
        ],
    )));
    assert!(!risky.is_empty() && risky.len() < hits.len());
    assert!(risky.iter().all(|h| h["category"] == "disguised_military"));

    // Hostile query syntax is words, never an error.
    ok(&kuzot(
        &data,
        &["search", "\"unclosed", "-", "*", "AND(", ")"],
    ));
    // An unknown category is a usage error naming the value.
    let bad = kuzot(&data, &["search", "x", "--category", "army"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("army"));

    // Rebuilt from the store: the same hits.
    let summary: serde_json::Value =
        serde_json::from_str(&ok(&kuzot(&data, &["--json", "reindex"]))).expect("json");
    // The examples hold 40 documents (the PDF report is one per page: two).
    assert_eq!(summary["indexed"], 40);
    let again = json_lines(&ok(&kuzot(&data, &["--json", "search", "охрана"])));
    let ids = |v: &[serde_json::Value]| v.iter().map(|h| h["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&hits));
}

#[test]
fn train_from_labels_refuses_an_unlabelled_store_and_installs_from_labels() {
    let (_dir, data) = store_with_examples();
    let none = kuzot(&data, &["train", "--from-labels", "--install"]);
    assert_ne!(none.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no labels"));
    {
        let mut store = kuzot_store::Store::open(&data).expect("store");
        let mut ids = Vec::new();
        store
            .for_each_document(&kuzot_store::DocumentFilter::default(), &mut |d| {
                ids.push(d.id);
                Ok(())
            })
            .expect("documents");
        for id in ids {
            let analysis = store.analysis_of(id).expect("analysis").expect("analysed");
            store
                .add_label(&kuzot_store::NewLabel {
                    document_id: id,
                    category: analysis.analysis.category,
                    facts: None,
                    note: None,
                    labelled_by: "analyst".into(),
                })
                .expect("label");
        }
    }
    ok(&kuzot(&data, &["train", "--from-labels", "--install"]));
    assert!(data.join("models").join("current.kzm").is_file());
    // Both a gold file and --from-labels: a usage error.
    let both = kuzot(
        &data,
        &["train", "gold.jsonl", "--from-labels", "--install"],
    );
    assert_eq!(both.status.code(), Some(2));
}

/// A GET over a real socket; returns the status line and the headers.
fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("reply");
    reply
}

#[test]
fn serve_prints_its_address_and_a_setup_link_and_answers() {
    let (_dir, data) = store_with_examples();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kuzot"))
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("KUZOT_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kuzot serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut address = None;
    let mut setup = None;
    for line in lines.by_ref().take(10) {
        let line = line.expect("a line");
        if let Some(rest) = line.split("on http://").nth(1) {
            address = Some(rest.trim_end_matches('/').to_owned());
        }
        if line.trim_start().starts_with("http://") && line.contains("/setup/") {
            setup = Some(line.trim().to_owned());
        }
        if line.starts_with("Stop with") {
            break;
        }
    }
    let address = address.expect("the address is printed");
    let setup = setup.expect("a store without accounts prints a setup link");

    let dashboard = http_get(&address, "/");
    assert!(dashboard.starts_with("HTTP/1.1 303"), "{dashboard}");
    assert!(dashboard.contains("location: /login"), "{dashboard}");
    assert!(dashboard.contains("content-security-policy: default-src 'none'"));
    let setup_path = setup
        .split(&address)
        .nth(1)
        .expect("the link is on this server");
    let form = http_get(&address, setup_path);
    assert!(form.starts_with("HTTP/1.1 200"), "{form}");
    assert!(form.contains("name=\"password\""));
    let api = http_get(&address, "/api/v1/stats");
    assert!(api.starts_with("HTTP/1.1 401"), "{api}");
    let openapi = http_get(&address, "/api/v1/openapi.json");
    assert!(openapi.starts_with("HTTP/1.1 200") && openapi.contains("\"openapi\""));

    child.kill().expect("stop");
    child.wait().expect("exit");
}
