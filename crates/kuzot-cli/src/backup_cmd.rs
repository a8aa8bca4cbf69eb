//! `kuzot backup FILE` and `kuzot restore FILE DIR`.
//!
//! A backup is one file: a zstd-compressed tar archive (optionally encrypted whole with
//! `age` to one or more X25519 recipients) holding
//!   - `manifest.json` first: kuzot version, schema version, when, from which backend (no
//!     credentials), the rows of every table, and the size and SHA-256 of every other entry;
//!   - `kuzot.db`, `accounts.db`, `secret.key`: a SQLite data directory with everything, so a
//!     backup of a PostgreSQL store restores into a data directory or back into PostgreSQL;
//!   - `sources/ab/<sha256>`: the kept source files the snapshot's sources name.
//!
//! The tables are copied with the machinery of `kuzot migrate` (`kuzot_store::copy`), every
//! evidence table out of ONE read transaction of the running store, so a server or an import
//! writing meanwhile never makes the backup inconsistent. Kept files are content-addressed
//! and never change, so reading those the snapshot names afterwards is consistent too.
//!
//! A restore treats the archive as hostile: only regular files at the paths a manifest may
//! name are written, each checked against its size and SHA-256, into a `DIR.partial-…`
//! sibling that becomes DIR only when everything verified.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use kuzot_model::RateTable;
use kuzot_search::SearchIndex;
use kuzot_service::Settings;
use kuzot_store::copy::{self, ACCOUNT_TABLES, CopyTable, EVIDENCE_TABLES, Value};
use kuzot_store::{AccountStore, SqliteStore, Store, StoreError, StoreLocation, open_accounts};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::migrate_cmd::{self, TableBars, bytes_bar};

/// What `format` says in every manifest.
const FORMAT: &str = "kuzot-backup";
/// The layout of the archive; a restore refuses a newer one.
const FORMAT_VERSION: u32 = 1;
/// The first entry of every archive.
const MANIFEST: &str = "manifest.json";
/// A manifest is a list of files: even a store of a million kept files stays below this.
const MANIFEST_LIMIT: u64 = 256 << 20;
/// The files of the data directory an archive carries besides the kept files.
const STORE_FILES: [&str; 3] = ["kuzot.db", "accounts.db", "secret.key"];
/// How an age-encrypted file starts (binary and ASCII-armoured).
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
const AGE_ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// How a zstd frame starts.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// `manifest.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: String,
    format_version: u32,
    kuzot_version: String,
    /// The schema version of the SQLite store in the archive (`PRAGMA user_version`).
    schema_version: i64,
    /// RFC 3339, UTC.
    created_at: String,
    /// `sqlite` or `postgres`.
    source_backend: String,
    /// Where the store was: a data directory, or a URL without user name and password.
    source: String,
    /// Rows per evidence table, as read from the snapshot.
    tables: BTreeMap<String, u64>,
    /// Rows per account table.
    accounts: BTreeMap<String, u64>,
    /// Every entry after the manifest.
    files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct ManifestFile {
    path: String,
    size: u64,
    sha256: String,
}

/// What `kuzot backup` was asked.
#[derive(Debug)]
pub struct BackupArgs {
    pub file: PathBuf,
    pub recipients: Vec<String>,
    pub recipients_file: Option<PathBuf>,
}

/// What `kuzot backup --json` prints.
#[derive(Debug, serde::Serialize)]
struct BackupReport {
    file: String,
    bytes: u64,
    encrypted: bool,
    recipients: usize,
    created_at: String,
    source_backend: String,
    source: String,
    tables: BTreeMap<String, u64>,
    accounts: BTreeMap<String, u64>,
    kept_files: u64,
    kept_bytes: u64,
}

/// `kuzot backup FILE`: a consistent copy of the configured store into one new file.
pub fn backup(settings: &Settings, args: &BackupArgs, json: bool) -> anyhow::Result<()> {
    let visible = !json;
    let recipients = read_recipients(&args.recipients, args.recipients_file.as_deref())?;
    let file = &args.file;
    if std::fs::symlink_metadata(file).is_ok() {
        bail!(
            "{} exists already; a backup never replaces a file: give a new name",
            file.display()
        );
    }
    let parent = parent_dir(file);
    let location = settings.store_location();
    if let StoreLocation::Sqlite(dir) = &location
        && !dir.join("kuzot.db").is_file()
    {
        // Opening would create an empty store there: a mistyped --data-dir would give an
        // empty backup that looks like a good one.
        bail!(
            "there is no store in {} (no kuzot.db): nothing to back up; give --data-dir or --database",
            dir.display()
        );
    }
    let source = Store::connect(&location)
        .with_context(|| format!("opening the store at {}", location.display()))?;
    let source_accounts = open_accounts(&location)
        .with_context(|| format!("opening the accounts at {}", location.display()))?;

    // The snapshot is written as a SQLite data directory beside the backup (on the disk
    // the user chose for it, not a possibly small /tmp) and removed when done.
    let staging = tempfile::Builder::new()
        .prefix(".kuzot-backup-")
        .tempdir_in(&parent)
        .with_context(|| format!("a working folder in {}", parent.display()))?;
    let snapshot_dir = staging.path().join("store");
    let created_at = OffsetDateTime::now_utc();
    let (tables, kept) = snapshot_evidence(&source, &snapshot_dir, visible)?;
    let accounts = snapshot_accounts(&*source_accounts, &snapshot_dir, visible)?;
    drop(source_accounts);
    for db in ["kuzot.db", "accounts.db"] {
        make_single_file(&snapshot_dir.join(db))?;
    }

    let mut files = Vec::new();
    for name in STORE_FILES {
        let path = snapshot_dir.join(name);
        let (size, sha256) = hash_file(&path)?;
        files.push(ManifestFile {
            path: name.to_owned(),
            size,
            sha256,
        });
    }
    for (sha256, size) in &kept {
        files.push(ManifestFile {
            path: kept_path(sha256),
            size: *size,
            sha256: sha256.clone(),
        });
    }
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        kuzot_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: SqliteStore::schema_version(),
        created_at: rfc3339(created_at)?,
        source_backend: location.backend().as_str().to_owned(),
        source: without_credentials(&location),
        tables,
        accounts,
        files,
    };
    let manifest_bytes = serde_json::to_vec_pretty(&manifest)?;

    // Written under FILE.partial, flushed to disk, then renamed: FILE is either absent or
    // a whole backup, whatever happens meanwhile.
    let partial = partial_name(file);
    let mut guard = RemoveOnDrop(Some(partial.clone()));
    let out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    // A leftover .partial of another run keeps its old mode through `open`.
    out.set_permissions(std::fs::Permissions::from_mode(0o600))
        .with_context(|| partial.display().to_string())?;
    let sink = if recipients.is_empty() {
        Sink::Plain(out)
    } else {
        let encryptor = age::Encryptor::with_recipients(
            recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient),
        )
        .map_err(|e| anyhow!("encrypting to these recipients: {e}"))?;
        Sink::Age(Box::new(
            encryptor
                .wrap_output(out)
                .with_context(|| partial.display().to_string())?,
        ))
    };
    let mut encoder = zstd::Encoder::new(sink, 3).context("starting the compression")?;
    encoder
        .include_checksum(true)
        .context("starting the compression")?;
    let mut archive = tar::Builder::new(encoder);
    let mtime = created_at.unix_timestamp().max(0) as u64;
    append(
        &mut archive,
        MANIFEST,
        manifest_bytes.len() as u64,
        mtime,
        &manifest_bytes[..],
    )?;
    for entry in &manifest.files[..STORE_FILES.len()] {
        let path = snapshot_dir.join(&entry.path);
        let reader = File::open(&path).with_context(|| path.display().to_string())?;
        let mut checked = CheckedReader::new(reader, entry.size);
        append(&mut archive, &entry.path, entry.size, mtime, &mut checked)?;
        checked.expect_end(&entry.sha256, &entry.path)?;
    }
    let kept_bytes: u64 = kept.iter().map(|(_, size)| size).sum();
    let bar = bytes_bar(visible, "kept files", kept_bytes);
    for entry in &manifest.files[STORE_FILES.len()..] {
        let reader = source
            .open_source_file(&entry.sha256)
            .with_context(|| format!("reading the kept file {}", entry.sha256))?;
        let mut checked = CheckedReader::new(reader, entry.size);
        append(&mut archive, &entry.path, entry.size, mtime, &mut checked)?;
        checked.expect_end(&entry.sha256, &format!("the kept file {}", entry.sha256))?;
        bar.inc(entry.size);
    }
    bar.finish_and_clear();
    let encoder = archive
        .into_inner()
        .with_context(|| format!("writing {}", partial.display()))?;
    let sink = encoder
        .finish()
        .with_context(|| format!("writing {}", partial.display()))?;
    let out = sink
        .finish()
        .with_context(|| format!("writing {}", partial.display()))?;
    out.sync_all()
        .with_context(|| format!("flushing {}", partial.display()))?;
    let bytes = out.metadata().map(|m| m.len()).unwrap_or(0);
    drop(out);
    std::fs::rename(&partial, file)
        .with_context(|| format!("renaming {} to {}", partial.display(), file.display()))?;
    guard.0 = None;
    sync_dir(&parent);

    let report = BackupReport {
        file: file.display().to_string(),
        bytes,
        encrypted: !recipients.is_empty(),
        recipients: recipients.len(),
        created_at: manifest.created_at.clone(),
        source_backend: manifest.source_backend.clone(),
        source: manifest.source.clone(),
        tables: manifest.tables.clone(),
        accounts: manifest.accounts.clone(),
        kept_files: kept.len() as u64,
        kept_bytes,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "backed up {} ({}) → {}: {} bytes{}",
            report.source,
            report.source_backend,
            report.file,
            report.bytes,
            if report.encrypted {
                format!(", encrypted to {} age recipient(s)", report.recipients)
            } else {
                ", NOT encrypted: it holds the pseudonym key and password hashes, guard it like the data directory".to_owned()
            }
        );
        for (table, rows) in &report.tables {
            println!("{table:<30} {rows:>12}");
        }
        for (table, rows) in &report.accounts {
            println!("{:<30} {rows:>12}", format!("accounts: {table}"));
        }
        println!(
            "{:<30} {:>12}",
            "kept files (SHA-256 checked)", report.kept_files
        );
    }
    Ok(())
}

/// Copies every evidence table out of one snapshot of `source` into a new SQLite store in
/// `dir`; returns the rows per table and the kept files (SHA-256, size) the snapshot's
/// sources name.
#[allow(clippy::type_complexity)]
fn snapshot_evidence(
    source: &Store,
    dir: &Path,
    visible: bool,
) -> anyhow::Result<(BTreeMap<String, u64>, Vec<(String, u64)>)> {
    let mut snapshot =
        Store::open(dir).with_context(|| format!("creating the snapshot in {}", dir.display()))?;
    let sources = copy::table_named("sources").context("the sources table")?;
    let column = |name: &str| {
        sources
            .columns
            .iter()
            .position(|c| c.name == name)
            .with_context(|| format!("sources.{name}"))
    };
    let (sha_at, size_at) = (column("sha256")?, column("size")?);
    let mut counts: BTreeMap<String, u64> = EVIDENCE_TABLES
        .iter()
        .map(|t| (t.name.to_owned(), 0))
        .collect();
    let mut kept = Vec::new();
    // Sized before the snapshot: the source cannot be asked while its rows stream out.
    let mut bars = TableBars::new(visible, |t| source.count_rows(t))?;
    let key = source.pseudonymizer().key();
    snapshot
        .copy_in(&key, &mut |into| {
            source.copy_tables_out(EVIDENCE_TABLES, &mut |table, row| {
                bars.row(table);
                if let Some(n) = counts.get_mut(table.name) {
                    *n += 1;
                }
                if table.name == "sources" {
                    match (&row[sha_at], &row[size_at]) {
                        (Value::Text(sha256), Value::Int(size))
                            if is_sha256(sha256) && *size >= 0 =>
                        {
                            kept.push((sha256.clone(), *size as u64));
                        }
                        _ => {
                            return Err(StoreError::Corrupt(
                                "a source row without a SHA-256 or a size".into(),
                            ));
                        }
                    }
                }
                into.add_row(table, row)
            })
        })
        .context("copying the evidence out of one snapshot of the store")?;
    bars.finish();
    Ok((counts, kept))
}

/// Copies every account table out of one snapshot into `accounts.db` of `dir`.
fn snapshot_accounts(
    source: &dyn AccountStore,
    dir: &Path,
    visible: bool,
) -> anyhow::Result<BTreeMap<String, u64>> {
    let target = open_accounts(&StoreLocation::Sqlite(dir.to_owned()))
        .context("creating the accounts of the snapshot")?;
    let mut counts: BTreeMap<String, u64> = ACCOUNT_TABLES
        .iter()
        .map(|t| (t.name.to_owned(), 0))
        .collect();
    let mut bars = TableBars::for_accounts(visible, |t| source.count_rows(t))?;
    target
        .copy_in(&mut |into| {
            source
                .copy_tables_out(ACCOUNT_TABLES, &mut |table, row| {
                    bars.row(table);
                    if let Some(n) = counts.get_mut(table.name) {
                        *n += 1;
                    }
                    into.add_row(table, row)
                })
                .map_err(migrate_cmd::account_error)
        })
        .context("copying the accounts")?;
    bars.finish();
    Ok(counts)
}

/// Folds a SQLite database's write-ahead log into the file itself, so that the one file
/// is the whole database.
fn make_single_file(path: &Path) -> anyhow::Result<()> {
    let conn = rusqlite::Connection::open(path).with_context(|| path.display().to_string())?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))
        .with_context(|| path.display().to_string())?;
    if !mode.eq_ignore_ascii_case("delete") {
        bail!(
            "{} stayed in journal mode {mode}: it is still open elsewhere",
            path.display()
        );
    }
    Ok(())
}

/// Parses the recipients given on the command line and in a recipients file (one public
/// key a line, `#` comments), naming the line of a bad one.
fn read_recipients(
    given: &[String],
    file: Option<&Path>,
) -> anyhow::Result<Vec<Box<dyn age::Recipient>>> {
    let mut recipients = Vec::new();
    for key in given {
        let recipient =
            parse_recipient(key.trim()).map_err(|e| anyhow!("--recipient {key:?}: {e}"))?;
        recipients.push(recipient);
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the recipients file {}", path.display()))?;
        let before = recipients.len();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let recipient =
                parse_recipient(line).map_err(|e| anyhow!("{}:{}: {e}", path.display(), i + 1))?;
            recipients.push(recipient);
        }
        if recipients.len() == before {
            bail!("{} names no recipient", path.display());
        }
    }
    Ok(recipients)
}

/// One age public key: post-quantum hybrid (`age1pq1…`) or X25519 (`age1…`).
fn parse_recipient(key: &str) -> Result<Box<dyn age::Recipient>, String> {
    if key.starts_with("age1pq1") {
        return key
            .parse::<age::pq::Recipient>()
            .map(|r| Box::new(r) as Box<dyn age::Recipient>)
            .map_err(|e| format!("not an age post-quantum public key (age1pq1…): {e}"));
    }
    // X25519 keys are what `age-keygen` made until age 1.3 and what most keepers hold;
    // age 0.13 marks them deprecated in favour of the hybrid keys above, accepted too.
    #[allow(deprecated)]
    let parsed = key.parse::<age::x25519::Recipient>();
    parsed
        .map(|r| Box::new(r) as Box<dyn age::Recipient>)
        .map_err(|e| format!("not an age public key (age1… or age1pq1…): {e}"))
}

/// Where the archive is written.
enum Sink {
    Plain(File),
    Age(Box<age::stream::StreamWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(f) => f.write(buf),
            Sink::Age(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Age(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Ends the encryption (its last chunk is what makes a truncated file detectable).
    fn finish(self) -> std::io::Result<File> {
        match self {
            Sink::Plain(f) => Ok(f),
            Sink::Age(w) => w.finish(),
        }
    }
}

/// Adds one regular file of `size` bytes to the archive.
fn append<W: Write>(
    archive: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    mtime: u64,
    data: impl Read,
) -> anyhow::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    archive
        .append_data(&mut header, path, data)
        .with_context(|| format!("adding {path} to the backup"))
}

/// Reads exactly the size a file was recorded with, hashing what passes: a file that is
/// shorter fails the read (the archive's entry would be short), and [`Self::expect_end`]
/// checks that nothing follows and that the bytes hash as recorded.
struct CheckedReader<R> {
    inner: R,
    remaining: u64,
    hasher: Sha256,
}

impl<R: Read> CheckedReader<R> {
    fn new(inner: R, size: u64) -> Self {
        CheckedReader {
            inner,
            remaining: size,
            hasher: Sha256::new(),
        }
    }

    fn expect_end(&mut self, sha256: &str, what: &str) -> anyhow::Result<()> {
        let mut one = [0u8; 1];
        let longer = self.inner.read(&mut one).unwrap_or(0) > 0;
        let got = hex(self.hasher.clone().finalize().as_slice());
        if self.remaining > 0 || longer || got != sha256 {
            bail!(
                "{what} does not read back as recorded (SHA-256 {sha256}): the store's copy is damaged"
            );
        }
        Ok(())
    }
}

impl<R: Read> Read for CheckedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file is shorter than its recorded size",
            ));
        }
        self.hasher.update(&buf[..n]);
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Removes a file when dropped, unless disarmed (`.0 = None`).
struct RemoveOnDrop(Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

// --- restore ---

/// What `kuzot restore` was asked.
#[derive(Debug)]
pub struct RestoreArgs {
    pub file: PathBuf,
    pub dir: PathBuf,
    pub identity: Option<PathBuf>,
    pub to: Option<String>,
}

/// What `kuzot restore --json` prints.
#[derive(Debug, serde::Serialize)]
struct RestoreReport {
    file: String,
    dir: String,
    /// The PostgreSQL database restored into (without password), with `--to`.
    database: Option<String>,
    encrypted: bool,
    created_at: String,
    kuzot_version: String,
    source_backend: String,
    source: String,
    tables: BTreeMap<String, u64>,
    accounts: BTreeMap<String, u64>,
    files_verified: u64,
    indexed_documents: u64,
}

/// `kuzot restore FILE DIR [--identity PATH] [--to URL]`.
pub fn restore(args: &RestoreArgs, json: bool) -> anyhow::Result<()> {
    let visible = !json;
    let dir = &args.dir;
    refuse_non_empty_dir(dir)?;
    let target = match args.to.as_deref().map(StoreLocation::parse) {
        None => None,
        Some(StoreLocation::Sqlite(_)) => bail!(
            "--to takes a PostgreSQL URL (postgres://…); to restore into a data directory, give it as DIR"
        ),
        Some(location) => {
            refuse_non_empty_store(&location)?;
            Some(location)
        }
    };
    let parent = parent_dir(dir);
    let name = dir
        .file_name()
        .with_context(|| format!("{} names no folder to restore into", dir.display()))?
        .to_string_lossy()
        .into_owned();
    let staging = tempfile::Builder::new()
        .prefix(&format!("{name}.partial-"))
        .tempdir_in(&parent)
        .with_context(|| format!("a working folder in {}", parent.display()))?;
    std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o700))
        .with_context(|| staging.path().display().to_string())?;

    let (manifest, encrypted) = unpack(
        &args.file,
        args.identity.as_deref(),
        staging.path(),
        visible,
    )?;
    check_counts(&manifest, staging.path())?;

    let (final_dir, database, indexed) = match &target {
        None => {
            let store = Store::open(staging.path()).with_context(|| {
                format!("opening the restored store {}", staging.path().display())
            })?;
            let indexed = build_index(&staging.path().join("index"), &store, visible)?;
            drop(store);
            (staging, None, indexed)
        }
        Some(location) => {
            let report = migrate_cmd::migrate_between(
                &StoreLocation::Sqlite(staging.path().to_owned()),
                location,
                visible,
            )?;
            if !report.verified {
                if !json {
                    migrate_cmd::print_report(&report);
                }
                bail!(
                    "the copy into {} did not verify; see the differences above",
                    location.display()
                );
            }
            // DIR becomes the data directory of the processes over that database: it
            // holds their search index, built here so that `kuzot search` answers at once.
            let data = tempfile::Builder::new()
                .prefix(&format!("{name}.partial-"))
                .tempdir_in(&parent)
                .with_context(|| format!("a working folder in {}", parent.display()))?;
            std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o700))
                .with_context(|| data.path().display().to_string())?;
            let store = Store::connect(location)
                .with_context(|| format!("opening {}", location.display()))?;
            let indexed = build_index(&data.path().join("index"), &store, visible)?;
            drop(store);
            drop(staging);
            (data, Some(location.display()), indexed)
        }
    };
    let ready = final_dir.keep();
    // rename(2) replaces an empty directory; a non-empty one (made meanwhile) makes it fail.
    std::fs::rename(&ready, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&ready);
        anyhow!(
            "moving the restored store to {}: {e} (was it created meanwhile?)",
            dir.display()
        )
    })?;
    sync_dir(&parent);

    let report = RestoreReport {
        file: args.file.display().to_string(),
        dir: dir.display().to_string(),
        database,
        encrypted,
        created_at: manifest.created_at.clone(),
        kuzot_version: manifest.kuzot_version.clone(),
        source_backend: manifest.source_backend.clone(),
        source: manifest.source.clone(),
        tables: manifest.tables.clone(),
        accounts: manifest.accounts.clone(),
        files_verified: manifest.files.len() as u64,
        indexed_documents: indexed,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "restored the backup of {} ({}, made {} by kuzot {}) into {}{}",
            report.source,
            report.source_backend,
            report.created_at,
            report.kuzot_version,
            report.dir,
            report
                .database
                .as_deref()
                .map(|db| format!(" and {db}"))
                .unwrap_or_default()
        );
        for (table, rows) in &report.tables {
            println!("{table:<30} {rows:>12}");
        }
        for (table, rows) in &report.accounts {
            println!("{:<30} {rows:>12}", format!("accounts: {table}"));
        }
        println!(
            "verified: every file's SHA-256 ({}) and every table's row count; {} documents indexed",
            report.files_verified, report.indexed_documents
        );
    }
    Ok(())
}

/// A DIR that exists and holds anything is refused: a restore never mixes with a store.
fn refuse_non_empty_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| dir.display().to_string()),
        Ok(meta) if !meta.is_dir() => bail!(
            "{} exists and is not a folder; restore into a new or empty folder",
            dir.display()
        ),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).with_context(|| dir.display().to_string())?;
            if entries.next().is_some() {
                bail!(
                    "{} is not empty; restore only into a new or empty folder",
                    dir.display()
                );
            }
            Ok(())
        }
    }
}

/// A PostgreSQL database that holds evidence or accounts is refused before anything is read.
fn refuse_non_empty_store(location: &StoreLocation) -> anyhow::Result<()> {
    let store = Store::connect(location)
        .with_context(|| format!("opening the target {}", location.display()))?;
    let count = |name: &str| -> anyhow::Result<u64> {
        let table = copy::table_named(name).with_context(|| format!("the table {name}"))?;
        Ok(store.count_rows(table)?)
    };
    let (documents, sources) = (count("documents")?, count("sources")?);
    if documents > 0 || sources > 0 {
        return Err(StoreError::TargetNotEmpty {
            location: store.location(),
            documents,
            sources,
        }
        .into());
    }
    let accounts = open_accounts(location)
        .with_context(|| format!("opening the accounts at {}", location.display()))?;
    let users = accounts.user_count()?;
    if users > 0 {
        bail!(
            "the target {} already has {users} accounts; restore only into a new, empty database",
            location.display()
        );
    }
    Ok(())
}

/// Reads the archive into `into`: decrypts when it is encrypted, checks the manifest, and
/// writes every entry the manifest names after checking its path, kind, size and SHA-256.
/// Returns the manifest and whether the file was encrypted.
fn unpack(
    file: &Path,
    identity: Option<&Path>,
    into: &Path,
    visible: bool,
) -> anyhow::Result<(Manifest, bool)> {
    let shown = file.display().to_string();
    let opened = File::open(file).with_context(|| format!("opening {shown}"))?;
    let mut reader = BufReader::with_capacity(1 << 16, opened);
    let head = reader
        .fill_buf()
        .with_context(|| format!("reading {shown}"))?
        .to_vec();
    let encrypted = head.starts_with(AGE_MAGIC);
    if head.starts_with(AGE_ARMOR_MAGIC) {
        bail!(
            "{shown} is an ASCII-armoured age file; kuzot writes binary ones: decrypt it with `age -d` first"
        );
    }
    let plain: Box<dyn Read> = if encrypted {
        let identity = identity.with_context(|| {
            format!(
                "{shown} is encrypted with age: give --identity FILE, the age identity file whose public key it was encrypted to"
            )
        })?;
        let identities = age::IdentityFile::from_file(identity.to_string_lossy().into_owned())
            .with_context(|| format!("reading the identity file {}", identity.display()))?
            .into_identities()
            .map_err(|e| anyhow!("the identity file {}: {e}", identity.display()))?;
        if identities.is_empty() {
            bail!("{} holds no age identity", identity.display());
        }
        let decryptor = age::Decryptor::new_buffered(reader)
            .map_err(|e| anyhow!("{shown} is not a readable age file: {e}"))?;
        match decryptor.decrypt(identities.iter().map(|i| i.as_ref() as &dyn age::Identity)) {
            Ok(stream) => Box::new(stream),
            Err(age::DecryptError::NoMatchingKeys) => bail!(
                "the identity in {} does not match: {shown} was not encrypted to it",
                identity.display()
            ),
            Err(e) => bail!("decrypting {shown}: {e}"),
        }
    } else {
        if !head.starts_with(&ZSTD_MAGIC) {
            bail!(
                "{shown} is not a kuzot backup: it is neither a zstd-compressed archive nor age-encrypted"
            );
        }
        Box::new(reader)
    };
    let damaged = |at: &str, e: std::io::Error| {
        anyhow!("{shown} is damaged or truncated ({at}): {e}; nothing was restored")
    };
    let decoder = zstd::Decoder::new(plain).map_err(|e| damaged("at its start", e))?;
    let mut archive = tar::Archive::new(decoder);
    let mut entries = archive.entries().map_err(|e| damaged("at its start", e))?;

    let mut first = entries
        .next()
        .with_context(|| format!("{shown} is empty: no manifest"))?
        .map_err(|e| damaged("in its manifest", e))?;
    let first_path = entry_path(&first)?;
    if first_path != MANIFEST || !first.header().entry_type().is_file() {
        bail!("{shown} does not start with {MANIFEST}: it is not a kuzot backup");
    }
    if first.size() > MANIFEST_LIMIT {
        bail!(
            "the manifest of {shown} is {} bytes, more than a manifest can be",
            first.size()
        );
    }
    let mut manifest_bytes = Vec::new();
    first
        .read_to_end(&mut manifest_bytes)
        .map_err(|e| damaged("in its manifest", e))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| anyhow!("the manifest of {shown} is not valid: {e}"))?;
    check_manifest(&manifest, &shown)?;
    let mut expected: HashMap<&str, &ManifestFile> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();

    let total: u64 = manifest.files.iter().map(|f| f.size).sum();
    let bar = bytes_bar(visible, "restoring", total);
    let mut last = MANIFEST.to_owned();
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(&format!("after {last}"), e))?;
        let path = entry_path(&entry)?;
        if !is_safe_relative(&path) {
            bail!(
                "{shown} holds an entry with an unsafe path {path:?} (absolute, empty, or with ..): refused, nothing was restored"
            );
        }
        let kind = entry.header().entry_type();
        if !kind.is_file() {
            bail!(
                "the entry {path} of {shown} is a {kind:?}, not a regular file: refused (a kuzot backup holds only regular files), nothing was restored"
            );
        }
        let Some(wanted) = expected.remove(path.as_str()) else {
            bail!(
                "the entry {path} of {shown} is not in its manifest (or comes twice): refused, nothing was restored"
            );
        };
        if entry.size() != wanted.size {
            bail!(
                "the entry {path} of {shown} is {} bytes, its manifest says {}: the archive is damaged or was altered; nothing was restored",
                entry.size(),
                wanted.size
            );
        }
        let target = into.join(&path);
        if let Some(folder) = target.parent() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(folder)
                .with_context(|| folder.display().to_string())?;
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .with_context(|| target.display().to_string())?;
        let mut hashing = HashingWriter {
            inner: &mut out,
            hasher: Sha256::new(),
        };
        std::io::copy(&mut entry, &mut hashing).map_err(|e| damaged(&format!("in {path}"), e))?;
        let got = hex(hashing.hasher.finalize().as_slice());
        if got != wanted.sha256 {
            bail!(
                "the entry {path} of {shown} does not match its SHA-256 in the manifest (it reads as {got}): the archive is damaged or was altered; nothing was restored"
            );
        }
        out.sync_all()
            .with_context(|| target.display().to_string())?;
        if path.starts_with("sources/") {
            // Kept files are read-only in a store, as when an import keeps them.
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o400))
                .with_context(|| target.display().to_string())?;
        }
        bar.inc(wanted.size);
        last = path;
    }
    bar.finish_and_clear();
    if let Some(missing) = manifest
        .files
        .iter()
        .find(|f| expected.contains_key(f.path.as_str()))
    {
        bail!(
            "{shown} ends before {} that its manifest lists: it is truncated; nothing was restored",
            missing.path
        );
    }
    // Read to the very end: the compression's checksum and age's last chunk are what tell
    // a whole file from one cut at an entry's boundary.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| damaged("at its end", e))?;
    Ok((manifest, encrypted))
}

/// The manifest's own promises: its format, a schema this kuzot reads, and paths of the
/// shapes a backup has (so no entry can be written anywhere else).
fn check_manifest(manifest: &Manifest, shown: &str) -> anyhow::Result<()> {
    if manifest.format != FORMAT {
        bail!(
            "{shown} is not a kuzot backup (its manifest says {:?})",
            manifest.format
        );
    }
    if manifest.format_version > FORMAT_VERSION {
        bail!(
            "{shown} was written by a newer kuzot ({}, backup format {}); this one reads format {FORMAT_VERSION}",
            manifest.kuzot_version,
            manifest.format_version
        );
    }
    let known = SqliteStore::schema_version();
    if manifest.schema_version > known {
        bail!(
            "{shown} holds a store of schema {} (kuzot {}); this kuzot knows schema {known}: upgrade kuzot to restore it",
            manifest.schema_version,
            manifest.kuzot_version
        );
    }
    for name in STORE_FILES {
        if !manifest.files.iter().any(|f| f.path == name) {
            bail!("the manifest of {shown} lists no {name}");
        }
    }
    let mut seen = std::collections::HashSet::new();
    for f in &manifest.files {
        if !allowed_path(&f.path) || !is_sha256(&f.sha256) || !seen.insert(f.path.as_str()) {
            bail!(
                "the manifest of {shown} lists {:?}, which a kuzot backup never holds: refused",
                f.path
            );
        }
        if f.path.starts_with("sources/") && !f.path.ends_with(&f.sha256) {
            bail!(
                "the manifest of {shown} lists {} with another SHA-256: refused",
                f.path
            );
        }
    }
    for name in manifest.tables.keys() {
        if !EVIDENCE_TABLES.iter().any(|t| t.name == name) {
            bail!("the manifest of {shown} counts a table {name:?} kuzot does not have");
        }
    }
    for name in manifest.accounts.keys() {
        if !ACCOUNT_TABLES.iter().any(|t| t.name == name) {
            bail!("the manifest of {shown} counts an account table {name:?} kuzot does not have");
        }
    }
    Ok(())
}

/// The restored store holds the rows the manifest counted, table by table.
fn check_counts(manifest: &Manifest, dir: &Path) -> anyhow::Result<()> {
    let store = Store::open(dir)
        .with_context(|| format!("opening the restored store {}", dir.display()))?;
    let compare = |what: String, found: u64, expected: u64| {
        if found == expected {
            Ok(())
        } else {
            Err(anyhow!(
                "the restored {what} holds {found} rows, the manifest says {expected}: nothing was restored"
            ))
        }
    };
    for (name, expected) in &manifest.tables {
        let table = table_of(name)?;
        compare(name.clone(), store.count_rows(table)?, *expected)?;
    }
    let accounts = open_accounts(&StoreLocation::Sqlite(dir.to_owned()))
        .with_context(|| format!("opening the restored accounts in {}", dir.display()))?;
    for (name, expected) in &manifest.accounts {
        let table = table_of(name)?;
        compare(
            format!("accounts: {name}"),
            accounts.count_rows(table)?,
            *expected,
        )?;
    }
    Ok(())
}

fn table_of(name: &str) -> anyhow::Result<&'static CopyTable> {
    copy::table_named(name).with_context(|| format!("no table {name} in kuzot"))
}

/// Builds the search index of `dir` over `store` from scratch.
fn build_index(dir: &Path, store: &Store, visible: bool) -> anyhow::Result<u64> {
    let index = SearchIndex::open_or_rebuild(dir, RateTable::default())
        .with_context(|| format!("opening the search index in {}", dir.display()))?;
    let target = if visible {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(0), target);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix:>18} [{elapsed_precise}] {wide_bar} {pos}/{len} documents ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_prefix("indexing");
    let indexed = kuzot_service::rebuild_index(&index, store, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .context("building the search index")?;
    bar.finish_and_clear();
    Ok(indexed)
}

/// An entry's path as the archive spells it (no normalisation: that is what is checked).
fn entry_path<R: Read>(entry: &tar::Entry<'_, R>) -> anyhow::Result<String> {
    let bytes = entry.path_bytes();
    String::from_utf8(bytes.into_owned())
        .map_err(|_| anyhow!("the archive holds an entry whose path is not UTF-8: refused"))
}

/// Relative, with no empty, `.` or `..` component, and nothing a path could hide behind.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The paths a backup holds: the data directory's files and `sources/ab/<sha256>`.
fn allowed_path(path: &str) -> bool {
    if STORE_FILES.contains(&path) {
        return true;
    }
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["sources", prefix, name] if is_sha256(name) && name.starts_with(prefix) && prefix.len() == 2)
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Where a kept file lives in a data directory (and in an archive).
fn kept_path(sha256: &str) -> String {
    format!("sources/{}/{sha256}", &sha256[..2])
}

struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut file = File::open(path).with_context(|| path.display().to_string())?;
    let mut hashing = HashingWriter {
        inner: std::io::sink(),
        hasher: Sha256::new(),
    };
    let size =
        std::io::copy(&mut file, &mut hashing).with_context(|| path.display().to_string())?;
    Ok((size, hex(hashing.hasher.finalize().as_slice())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(t: OffsetDateTime) -> anyhow::Result<String> {
    Ok(t.format(&time::format_description::well_known::Rfc3339)?)
}

/// The folder a path is in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn partial_name(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// Flushes a folder's entries (a rename in it) to disk; best effort, as not every file
/// system lets a folder be synced.
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// A location as a manifest records it: a data directory, or a URL without the user name
/// and password (the manifest travels with the backup; credentials must not).
fn without_credentials(location: &StoreLocation) -> String {
    match location {
        StoreLocation::Sqlite(dir) => dir
            .canonicalize()
            .unwrap_or_else(|_| dir.clone())
            .display()
            .to_string(),
        StoreLocation::Postgres(url) => {
            let Some((scheme, rest)) = url.split_once("://") else {
                return "postgres".to_owned();
            };
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let host_and_rest = match rest[..authority_end].rfind('@') {
                Some(at) => &rest[at + 1..],
                None => rest,
            };
            // Query options may carry a password too (`?password=…`): left out.
            let without_query = host_and_rest.split('?').next().unwrap_or("");
            format!("{scheme}://{without_query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths_are_told_apart() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "sources/../../x",
            "a//b",
            "./kuzot.db",
            "a\\..\\b",
        ] {
            assert!(!is_safe_relative(bad), "{bad:?}");
        }
        assert!(is_safe_relative("sources/ab/cd"));
        let sha = "ab".repeat(32);
        assert!(allowed_path(&format!("sources/ab/{sha}")));
        assert!(!allowed_path(&format!("sources/cd/{sha}")));
        assert!(!allowed_path("sources/ab/x"));
        assert!(!allowed_path("index/meta.json"));
        assert!(allowed_path("kuzot.db"));
    }

    #[test]
    fn a_manifest_never_records_credentials() {
        let shown = without_credentials(&StoreLocation::parse(
            "postgres://kuzot:s3cret@db.example.org:5432/evidence?password=s3cret",
        ));
        assert_eq!(shown, "postgres://db.example.org:5432/evidence");
        assert_eq!(
            without_credentials(&StoreLocation::parse("postgresql://h/d")),
            "postgresql://h/d"
        );
    }

    #[test]
    fn a_checked_reader_refuses_a_short_or_different_file() {
        let data = b"kept bytes".to_vec();
        let sha = hex(Sha256::digest(&data).as_slice());
        let mut whole = CheckedReader::new(&data[..], data.len() as u64);
        std::io::copy(&mut whole, &mut std::io::sink()).expect("read");
        whole.expect_end(&sha, "whole").expect("matches");

        let mut short = CheckedReader::new(&data[..4], data.len() as u64);
        assert!(std::io::copy(&mut short, &mut std::io::sink()).is_err());

        let mut longer = CheckedReader::new(&data[..], 4);
        std::io::copy(&mut longer, &mut std::io::sink()).expect("read");
        let err = longer
            .expect_end(&sha, "the kept file x")
            .expect_err("longer");
        assert!(err.to_string().contains("damaged"), "{err}");
    }
}
