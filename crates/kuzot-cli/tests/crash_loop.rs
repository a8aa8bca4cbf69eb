//! The crash loop (issue 13): fifty imports into one store in a row, every other one by
//! `kuzot ingest` and the rest uploaded to a `kuzot serve` through the API, each process
//! killed with SIGKILL after a delay drawn from a seeded generator. After each kill no
//! source may be half imported; after the loop the database passes SQLite's integrity and
//! foreign-key checks, the search index opens and holds every stored document, the kept
//! files are exactly those the sources name (once what the killed processes left is swept)
//! with no upload left behind, and importing every input again gives exactly what a clean
//! import of them gives in a fresh store.
//!
//! It runs on both backends: on PostgreSQL (`KUZOT_TEST_POSTGRES_URL`, see
//! `kuzot_store::postgres_test_database`) the database holds the documents and the kept
//! files, the data directory the index and the uploads, and the database's own constraints
//! stand for SQLite's integrity and foreign-key checks.
//!
//! The seed is printed first; `KUZOT_CRASH_SEED=<seed>` replays a run's delays (what a
//! kill hits still depends on the machine's speed, so a replay aims at the same moments,
//! not the same instructions).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Imports in the loop.
const ROUNDS: usize = 50;
/// Messages in the smallest export. Every round imports an export of its own (its own
/// chat, so that each adds its own documents): a kill then always meets an import that has
/// not committed yet, rather than a file stored in an earlier round. Sizes vary so that
/// imports take different times and kills land at different stages; the kill delays are
/// drawn over the time one import takes here, so small exports are still killed inside an
/// import, and the whole test stays within a few minutes on two busy cores.
const BASE_MESSAGES: u64 = 800;
/// Messages added per step of size (five sizes in turn).
const MORE_MESSAGES_EACH: u64 = 400;

/// splitmix64: a small generator of our own whose output depends only on its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Where the loop's stores live: a data directory, and on PostgreSQL a database too.
#[derive(Clone, Copy)]
struct Backend<'a> {
    database: Option<&'a str>,
}

impl Backend<'_> {
    /// The store of data directory `data` on this backend.
    fn location(&self, data: &Path) -> kuzot_store::StoreLocation {
        match self.database {
            Some(url) => kuzot_store::StoreLocation::Postgres(url.to_owned()),
            None => kuzot_store::StoreLocation::Sqlite(data.to_owned()),
        }
    }

    fn kuzot(&self, data: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kuzot"));
        command
            .arg("--data-dir")
            .arg(data)
            .env_remove("KUZOT_DATA")
            .env_remove("KUZOT_DATABASE_URL")
            .env_remove("KUZOT_LISTEN")
            .env("KUZOT_OPERATOR", "crash-loop");
        if let Some(url) = self.database {
            command.arg("--database").arg(url);
        }
        command
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Imports `inputs` with `kuzot ingest --json` to the end; the summary.
fn ingest_to_the_end(backend: Backend<'_>, data: &Path, inputs: &[PathBuf]) -> serde_json::Value {
    let out = backend
        .kuzot(data)
        .args(["--json", "ingest"])
        .args(inputs)
        .output()
        .expect("kuzot runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON summary")
}

/// Documents per source, by SHA-256, in one statement, so in one snapshot (a source with
/// no documents counts 0). One statement matters on PostgreSQL: a client killed just after
/// it sent COMMIT leaves the server to finish the commit, which can land while a reader
/// that takes several statements is half way, and that reader would count part of a source.
fn documents_per_source(backend: Backend<'_>, data: &Path) -> BTreeMap<String, u64> {
    const QUERY: &str = "SELECT s.sha256, COUNT(d.id) FROM sources s \
                         LEFT JOIN documents d ON d.source_id = s.id GROUP BY s.sha256";
    let rows: Vec<(String, i64)> = match backend.database {
        None => {
            let conn = rusqlite::Connection::open_with_flags(
                data.join("kuzot.db"),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("the database opens");
            let mut statement = conn.prepare(QUERY).expect("query");
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .expect("rows")
                .map(|row| row.expect("a row"))
                .collect()
        }
        Some(url) => {
            // The store creates its tables on first open.
            drop(kuzot_store::Store::connect(&backend.location(data)).expect("the store opens"));
            let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
            client
                .query(QUERY, &[])
                .expect("rows")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        }
    };
    rows.into_iter()
        .map(|(sha, count)| (sha, count.max(0) as u64))
        .collect()
}

/// The server's address once it says it serves.
fn start_server(backend: Backend<'_>, data: &Path) -> (Child, String) {
    let mut child = backend
        .kuzot(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kuzot serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        if let Some(rest) = line.split("on http://").nth(1) {
            address = Some(rest.trim_end_matches('/').to_owned());
        }
        if line.starts_with("Stop with") {
            break;
        }
    }
    let address = address.unwrap_or_else(|| {
        let _ = child.kill();
        let status = child.wait();
        panic!("kuzot serve printed no address ({status:?})")
    });
    (child, address)
}

/// POSTs `file` to `/api/v1/imports` with `token`; returns what the server answered, or
/// the error when the server died first (which is the point).
fn upload(address: &str, token: &str, file: &Path) -> Result<String, std::io::Error> {
    let bytes = std::fs::read(file)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let boundary = "crash-loop-boundary-41c7";
    let mut body = Vec::with_capacity(bytes.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/json\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "POST /api/v1/imports HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply)?;
    Ok(reply)
}

/// Waits up to `delay` for `child` to end by itself, then kills it with SIGKILL. True when
/// it had ended by itself.
fn kill_after(child: &mut Child, delay: Duration) -> bool {
    let started = Instant::now();
    let mut ended = false;
    while started.elapsed() < delay {
        if child.try_wait().expect("wait").is_some() {
            ended = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // `Child::kill` is SIGKILL on Unix: no destructor, no rollback by the process itself.
    let _ = child.kill();
    let _ = child.wait();
    ended
}

/// Files under `dir`, recursively (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn fifty_imports_killed_at_random_moments_leave_a_store_that_reimports_to_a_clean_one() {
    crash_loop(Backend { database: None });
}

#[test]
fn fifty_imports_killed_at_random_moments_on_postgresql_reimport_to_a_clean_one() {
    // Two databases: the clean import's and the crashed store's.
    let Some(clean) = kuzot_store::postgres_test_database::TestDatabase::create("crash_loop_clean")
    else {
        return;
    };
    let Some(crashed) =
        kuzot_store::postgres_test_database::TestDatabase::create("crash_loop_crashed")
    else {
        return;
    };
    crash_loop_on(
        Backend {
            database: Some(clean.url()),
        },
        Backend {
            database: Some(crashed.url()),
        },
    );
}

fn crash_loop(backend: Backend<'_>) {
    crash_loop_on(backend, backend);
}

/// The loop: a clean import of every input into `clean_backend`, then the fifty killed
/// imports into `backend` and the checks.
fn crash_loop_on(clean_backend: Backend<'_>, backend: Backend<'_>) {
    let seed = std::env::var("KUZOT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    eprintln!("crash loop: KUZOT_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("tempdir");

    let inputs: Vec<PathBuf> = (0..ROUNDS as u64)
        .map(|i| {
            let path = dir.path().join(format!("chat-{i}.json"));
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
            kuzot_bench::write_telegram_export_of_chat(
                &mut out,
                BASE_MESSAGES + (i % 5) * MORE_MESSAGES_EACH,
                seed ^ i,
                2_000_000_000 + i,
            )
            .expect("generate");
            out.flush().expect("flush");
            path
        })
        .collect();
    let input_sha: Vec<String> = inputs
        .iter()
        .map(|p| sha256_hex(&std::fs::read(p).expect("read")))
        .collect();

    // How long one import takes here, as a process of its own (start, engine, keep,
    // read, analyse, commit, index, regroup): the kills are drawn over a little more than
    // that, so that most land inside an import and some after its commit.
    let started = Instant::now();
    ingest_to_the_end(
        Backend { database: None },
        &dir.path().join("timing"),
        &inputs[4..5],
    );
    let one_import = started.elapsed();
    let window_ms = (one_import.as_millis() as u64 * 5 / 4).max(400);
    eprintln!(
        "crash loop: one import takes {} ms; kills within {window_ms} ms",
        one_import.as_millis()
    );

    // What a clean import of every input gives.
    let clean = dir.path().join("clean");
    let summary = ingest_to_the_end(clean_backend, &clean, &inputs);
    let expected = documents_per_source(clean_backend, &clean);
    assert_eq!(expected.len(), inputs.len(), "{summary}");
    for sha in &input_sha {
        assert!(
            expected[sha] > BASE_MESSAGES * 9 / 10,
            "{sha}: {}",
            expected[sha]
        );
    }

    let data = dir.path().join("crashed");
    // An analyst's write token for the uploads, made before any server runs (in the data
    // directory as the store makes it, private).
    std::fs::create_dir_all(&data).expect("data dir");
    drop(kuzot_store::Store::connect(&backend.location(&data)).expect("the store opens"));
    let token = {
        let accounts =
            kuzot_web::accounts::Accounts::connect(&backend.location(&data)).expect("accounts");
        let user = accounts
            .create_user(
                "crash-loop",
                "a password long enough",
                kuzot_web::accounts::Role::Analyst,
            )
            .expect("account");
        accounts
            .create_scoped_api_token(user.id, "crash loop", kuzot_store::TokenScope::Write)
            .expect("token")
    };

    let mut killed_mid_import = 0;
    let mut log = Vec::new();
    for round in 0..ROUNDS {
        let pick = round;
        let delay = Duration::from_millis(rng.below(window_ms));
        let by_web = round % 2 == 1;
        let ended_by_itself = if by_web {
            let (mut server, address) = start_server(backend, &data);
            let file = inputs[pick].clone();
            let token = token.clone();
            let uploader = std::thread::spawn(move || upload(&address, &token, &file));
            let ended = kill_after(&mut server, delay);
            // The upload ends with the server's death at the latest.
            let _ = uploader.join().expect("the upload thread");
            ended
        } else {
            let mut child = backend
                .kuzot(&data)
                .args(["ingest"])
                .arg(&inputs[pick])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("kuzot ingest starts");
            kill_after(&mut child, delay)
        };
        let after = documents_per_source_if_any(backend, &data);
        let context = format!(
            "seed {seed}, round {round} ({}), input {pick}, killed after {} ms",
            if by_web { "web" } else { "cli" },
            delay.as_millis()
        );
        // No half import, whatever the kill hit.
        // On a mismatch, count again a moment later: a count that then agrees would point
        // at when a commit becomes visible rather than at a half import.
        if after.iter().any(|(sha, c)| Some(c) != expected.get(sha)) {
            std::thread::sleep(Duration::from_secs(3));
            let again = documents_per_source_if_any(backend, &data);
            let differ: Vec<_> = after
                .iter()
                .filter(|(sha, c)| Some(*c) != expected.get(*sha))
                .map(|(sha, c)| {
                    (
                        sha.clone(),
                        *c,
                        again.get(sha).copied(),
                        expected.get(sha).copied(),
                    )
                })
                .collect();
            eprintln!(
                "{context}: sources whose count differs from a clean import (sha, after the \
                 kill, 3 s later, clean): {differ:?}"
            );
        }
        for (sha, count) in &after {
            assert_eq!(
                Some(count),
                expected.get(sha),
                "{context}: a source holds another number of documents than a clean import"
            );
        }
        if !ended_by_itself && !after.contains_key(&input_sha[pick]) {
            killed_mid_import += 1;
        }
        log.push(format!("{context}: stored {}", after.len()));
    }
    eprintln!(
        "crash loop: {killed_mid_import} of {ROUNDS} kills landed before the import committed\n  {}",
        log.join("\n  ")
    );
    // How many kills land inside an import depends on the machine's speed at the time, so
    // this only guards against a loop that proved nothing (every kill after the commit);
    // the count is printed above.
    assert!(
        killed_mid_import >= ROUNDS / 10,
        "seed {seed}: only {killed_mid_import} kills landed inside an import; the loop proved little"
    );

    // The database itself (PostgreSQL checks its constraints in every transaction).
    if backend.database.is_none() {
        let conn = rusqlite::Connection::open(data.join("kuzot.db")).expect("the database opens");
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(integrity, "ok", "seed {seed}");
        let mut foreign = conn.prepare("PRAGMA foreign_key_check").expect("prepare");
        let broken = foreign.query_map([], |_| Ok(())).expect("rows").count();
        assert_eq!(broken, 0, "seed {seed}: rows whose parent is missing");
    }

    // Every input again, to the end: what was stored is recognised, the rest imported.
    let summary = ingest_to_the_end(backend, &data, &inputs);
    for file in summary["files"].as_array().expect("files") {
        let status = file["status"].as_str().unwrap_or("");
        assert!(
            status == "imported" || status == "already_imported",
            "seed {seed}: {file}"
        );
    }
    assert_eq!(
        documents_per_source(backend, &data),
        expected,
        "seed {seed}: the re-imported store differs from a clean import"
    );

    // What the killed processes left on disk is what a later open sweeps (the store keeps
    // it for ORPHAN_GRACE in case another process is still importing it; nothing runs
    // now, so sweep with no grace), and then the kept files are exactly the sources'.
    let store = kuzot_store::Store::connect(&backend.location(&data)).expect("the store opens");
    let mut swept = store.sweep_orphans(Duration::ZERO).expect("sweep");
    if backend.database.is_some() {
        // What `kuzot serve` on PostgreSQL sweeps at start (the store has no data directory).
        let uploads = kuzot_store::sweep_stale_uploads(&data, Duration::ZERO);
        swept.files += uploads.files;
        swept.bytes += uploads.bytes;
    }
    eprintln!(
        "crash loop: swept {} files ({} bytes) left by killed processes",
        swept.files, swept.bytes
    );
    let mut kept_sha = match backend.database {
        None => kept_on_disk(&data, seed),
        Some(url) => kept_in_postgres(url, seed),
    };
    kept_sha.sort();
    let mut named: Vec<String> = expected.keys().cloned().collect();
    named.sort();
    assert_eq!(
        kept_sha, named,
        "seed {seed}: kept files and sources differ"
    );
    let uploads = files_under(&data.join("uploads"));
    assert!(uploads.is_empty(), "seed {seed}: uploads left: {uploads:?}");

    // The index opens, follows what the kills left unapplied, and holds every document.
    let index = kuzot_search::SearchIndex::open(&data.join("index"), Default::default())
        .expect("the index opens");
    kuzot_service::follow_index(&index, &store).expect("follow");
    let stored: u64 = expected.values().sum();
    assert_eq!(
        index.doc_count(),
        stored,
        "seed {seed}: index and store differ"
    );
}

/// [`documents_per_source`], or nothing before the store exists.
fn documents_per_source_if_any(backend: Backend<'_>, data: &Path) -> BTreeMap<String, u64> {
    if backend.database.is_some() || data.join("kuzot.db").exists() {
        documents_per_source(backend, data)
    } else {
        BTreeMap::new()
    }
}

/// The SHA-256 of every kept file under `sources/`, each checked against its name.
fn kept_on_disk(data: &Path, seed: u64) -> Vec<String> {
    let kept: Vec<PathBuf> = files_under(&data.join("sources"));
    let mut kept_sha = Vec::new();
    for path in &kept {
        let relative = path
            .strip_prefix(data.join("sources"))
            .expect("under sources");
        assert!(
            !relative.starts_with("tmp"),
            "seed {seed}: a temporary copy is left: {}",
            relative.display()
        );
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).expect("a kept file reads");
        assert_eq!(
            sha256_hex(&bytes),
            name,
            "seed {seed}: a kept file is not its name"
        );
        kept_sha.push(name);
    }
    kept_sha
}

/// The SHA-256 of every kept file in the database, each checked against its chunks.
fn kept_in_postgres(url: &str, seed: u64) -> Vec<String> {
    use sha2::Digest;
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let files: Vec<(i64, String)> = client
        .query("SELECT id, sha256 FROM source_files ORDER BY sha256", &[])
        .expect("kept files")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut shas = Vec::new();
    for (id, sha) in files {
        let mut hasher = sha2::Sha256::new();
        for row in client
            .query(
                "SELECT bytes FROM source_chunks WHERE file_id = $1 ORDER BY seq",
                &[&id],
            )
            .expect("chunks")
        {
            hasher.update(row.get::<_, &[u8]>(0));
        }
        assert_eq!(
            hex(hasher.finalize().as_slice()),
            sha,
            "seed {seed}: a kept file's chunks are not its SHA-256"
        );
        shas.push(sha);
    }
    shas
}
