//! `kuzot migrate --to TARGET`: copies the whole store — kept source files, every evidence
//! table and the accounts — into an empty store on
//! the same or the other backend, then verifies the copy: row counts of every table equal
//! on both sides, and every kept file read back from the target hashes to its name.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kuzot_service::Settings;
use kuzot_store::copy::{self, ACCOUNT_TABLES, CopyTable, EVIDENCE_TABLES};
use kuzot_store::{AccountStore, Store, StoreError, StoreLocation, open_accounts};
use sha2::{Digest, Sha256};

/// One line of the summary: a table (or the kept files) and its counts on both sides.
#[derive(Debug, serde::Serialize)]
struct Compared {
    what: String,
    source: u64,
    target: u64,
}

impl Compared {
    fn equal(&self) -> bool {
        self.source == self.target
    }
}

/// What the command found at the end.
#[derive(Debug, serde::Serialize)]
pub(crate) struct MigrationReport {
    source: String,
    target: String,
    tables: Vec<Compared>,
    /// Kept files whose bytes read back from the target do not hash to their name.
    bad_files: Vec<String>,
    /// Why the accounts were not copied, when they were not.
    accounts_skipped: Option<String>,
    pub(crate) verified: bool,
}

/// Runs the migration; returns whether the copy verified.
pub fn migrate(settings: &Settings, to: &str, json: bool) -> anyhow::Result<bool> {
    let report = migrate_between(&settings.store_location(), &StoreLocation::parse(to), !json)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(report.verified)
}

/// Copies the store at `source_location` into the empty one at `target_location` and
/// verifies the copy (progress bars on stderr when `visible`). Also what `kuzot restore
/// --to` runs to move a restored store into PostgreSQL.
pub(crate) fn migrate_between(
    source_location: &StoreLocation,
    target_location: &StoreLocation,
    visible: bool,
) -> anyhow::Result<MigrationReport> {
    if same_location(source_location, target_location) {
        anyhow::bail!(
            "the target {} is the store being migrated; give another data directory or URL",
            target_location.display()
        );
    }
    let source = Store::connect(source_location)
        .with_context(|| format!("opening the source store at {}", source_location.display()))?;
    let mut target = Store::connect(target_location)
        .with_context(|| format!("opening the target store at {}", target_location.display()))?;

    // Refuse before any file is copied (copy_in checks again, inside its transaction).
    let target_documents = target.count_rows(table("documents")?)?;
    let target_sources = target.count_rows(table("sources")?)?;
    if target_documents > 0 || target_sources > 0 {
        return Err(StoreError::TargetNotEmpty {
            location: target.location(),
            documents: target_documents,
            sources: target_sources,
        }
        .into());
    }
    let accounts = AccountsPlan::new(source_location, target_location)?;

    copy_kept_files(&source, &target, visible)?;
    let key = source.pseudonymizer().key();
    // Sized before the snapshot: the source cannot be asked while its rows stream out.
    let mut bars = TableBars::new(visible, |t| source.count_rows(t))?;
    target
        .copy_in(&key, &mut |into| {
            source.copy_tables_out(EVIDENCE_TABLES, &mut |table, row| {
                bars.row(table);
                into.add_row(table, row)
            })
        })
        .with_context(|| format!("copying the tables into {}", target.location()))?;
    bars.finish();
    let account_counts = accounts.copy(visible)?;

    // Verification: everything read again from both sides.
    let mut tables = Vec::new();
    for table in EVIDENCE_TABLES {
        tables.push(Compared {
            what: table.name.to_owned(),
            source: source.count_rows(table)?,
            target: target.count_rows(table)?,
        });
    }
    tables.extend(account_counts);
    let (files, bad_files) = verify_kept_files(&target, visible)?;
    let source_files = source.count_rows(table("sources")?)?;
    tables.push(Compared {
        what: "kept files (SHA-256 checked)".into(),
        source: source_files,
        target: files,
    });
    let verified = bad_files.is_empty() && tables.iter().all(Compared::equal);
    Ok(MigrationReport {
        source: source.location(),
        target: target.location(),
        tables,
        bad_files,
        accounts_skipped: accounts.skipped,
        verified,
    })
}

/// One progress bar per table while the rows of several tables stream out of one
/// snapshot: the bar of a table is shown when its first row arrives.
pub(crate) struct TableBars {
    visible: bool,
    sizes: Vec<(&'static str, u64)>,
    current: Option<(&'static str, ProgressBar)>,
}

impl TableBars {
    /// Bars for the evidence tables, sized by `count` (also used for the account tables,
    /// whose names are looked up the same way).
    pub(crate) fn new<E>(
        visible: bool,
        mut count: impl FnMut(&CopyTable) -> Result<u64, E>,
    ) -> Result<TableBars, E> {
        let mut sizes = Vec::new();
        if visible {
            for table in EVIDENCE_TABLES {
                sizes.push((table.name, count(table)?));
            }
        }
        Ok(TableBars {
            visible,
            sizes,
            current: None,
        })
    }

    /// Bars for the account tables, sized by `count`.
    pub(crate) fn for_accounts<E>(
        visible: bool,
        mut count: impl FnMut(&CopyTable) -> Result<u64, E>,
    ) -> Result<TableBars, E> {
        let mut sizes = Vec::new();
        if visible {
            for table in ACCOUNT_TABLES {
                sizes.push((table.name, count(table)?));
            }
        }
        Ok(TableBars {
            visible,
            sizes,
            current: None,
        })
    }

    /// Counts one row of `table`.
    pub(crate) fn row(&mut self, table: &CopyTable) {
        if self
            .current
            .as_ref()
            .is_none_or(|(name, _)| *name != table.name)
        {
            if let Some((_, bar)) = self.current.take() {
                bar.finish_and_clear();
            }
            let size = self
                .sizes
                .iter()
                .find(|(name, _)| *name == table.name)
                .map_or(0, |(_, n)| *n);
            self.current = Some((table.name, table_bar(self.visible, table.name, size)));
        }
        if let Some((_, bar)) = &self.current {
            bar.inc(1);
        }
    }

    /// Clears the last bar.
    pub(crate) fn finish(&mut self) {
        if let Some((_, bar)) = self.current.take() {
            bar.finish_and_clear();
        }
    }
}

fn table(name: &str) -> anyhow::Result<&'static CopyTable> {
    copy::table_named(name).with_context(|| format!("no table {name} among the copied ones"))
}

fn same_location(a: &StoreLocation, b: &StoreLocation) -> bool {
    match (a, b) {
        (StoreLocation::Sqlite(a), StoreLocation::Sqlite(b)) => {
            let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
            canonical(a) == canonical(b)
        }
        (StoreLocation::Postgres(a), StoreLocation::Postgres(b)) => a == b,
        _ => false,
    }
}

fn table_bar(visible: bool, name: &str, rows: u64) -> ProgressBar {
    let target = if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(rows), target);
    let style = ProgressStyle::with_template(
        "{prefix:>18} [{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec}, {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(name.to_owned());
    bar
}

pub(crate) fn bytes_bar(visible: bool, label: &str, bytes: u64) -> ProgressBar {
    let target = if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(bytes), target);
    let style = ProgressStyle::with_template(
        "{prefix:>18} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(label.to_owned());
    bar
}

/// Copies every kept source file: read from the source into a temporary file, kept by
/// the target (which checks nothing yet; the verification at the end reads it back).
fn copy_kept_files(source: &Store, target: &Store, visible: bool) -> anyhow::Result<()> {
    let sources = source.sources()?;
    let bar = bytes_bar(visible, "kept files", sources.iter().map(|s| s.size).sum());
    let scratch = tempfile::tempdir().context("a temporary folder for kept files")?;
    for record in &sources {
        let path = scratch.path().join(&record.sha256);
        let mut reader = source
            .open_source_file(&record.sha256)
            .with_context(|| format!("reading the kept file {}", record.sha256))?;
        let mut file = std::fs::File::create(&path).with_context(|| path.display().to_string())?;
        std::io::copy(&mut reader, &mut file)
            .with_context(|| format!("copying the kept file {}", record.sha256))?;
        drop(file);
        let kept = target
            .keep_source_file(&path)
            .with_context(|| format!("keeping {} in the target", record.sha256))?;
        if kept.sha256 != record.sha256 {
            anyhow::bail!(
                "the kept file {} of source {} ({}) reads back with SHA-256 {}: the source store's copy is damaged",
                record.sha256,
                record.id,
                record.original_name,
                kept.sha256
            );
        }
        std::fs::remove_file(&path).with_context(|| path.display().to_string())?;
        bar.inc(record.size);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Reads every kept file of the target back and hashes it: returns how many matched their
/// name and the names of those that did not (or could not be read).
fn verify_kept_files(target: &Store, visible: bool) -> anyhow::Result<(u64, Vec<String>)> {
    let sources = target.sources()?;
    let bar = bytes_bar(
        visible,
        "verifying files",
        sources.iter().map(|s| s.size).sum(),
    );
    let mut good = 0;
    let mut bad = Vec::new();
    let mut buffer = vec![0u8; 1 << 16];
    for record in &sources {
        let digest = target.open_source_file(&record.sha256).and_then(|mut r| {
            let mut hasher = Sha256::new();
            loop {
                let n = r.read(&mut buffer).map_err(|e| StoreError::Io {
                    path: PathBuf::from(&record.sha256),
                    source: e,
                })?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
            }
            Ok(hasher.finalize())
        });
        let hex: Option<String> = digest
            .ok()
            .map(|d| d.iter().map(|b| format!("{b:02x}")).collect());
        if hex.as_deref() == Some(record.sha256.as_str()) {
            good += 1;
        } else {
            bad.push(record.sha256.clone());
        }
        bar.inc(record.size);
    }
    bar.finish_and_clear();
    Ok((good, bad))
}

/// The accounts of both sides (users, sessions, tokens, setup links, audit log), copied
/// through the account interface so that either side may be SQLite or PostgreSQL.
struct AccountsPlan {
    source: Box<dyn AccountStore>,
    target: Box<dyn AccountStore>,
    skipped: Option<String>,
}

impl AccountsPlan {
    fn new(source: &StoreLocation, target: &StoreLocation) -> anyhow::Result<AccountsPlan> {
        let source_accounts = open_accounts(source)
            .with_context(|| format!("opening the accounts at {}", source.display()))?;
        let target_accounts = open_accounts(target)
            .with_context(|| format!("opening the accounts at {}", target.display()))?;
        let skipped = if source_accounts.user_count()? == 0 {
            Some(format!("no accounts at {}", source.display()))
        } else {
            let existing = target_accounts.user_count()?;
            if existing > 0 {
                anyhow::bail!(
                    "the target {} already has {existing} accounts; migrate only into a new, empty store",
                    target.display()
                );
            }
            None
        };
        Ok(AccountsPlan {
            source: source_accounts,
            target: target_accounts,
            skipped,
        })
    }

    /// Copies the account tables in one transaction; returns their counts on both sides.
    fn copy(&self, visible: bool) -> anyhow::Result<Vec<Compared>> {
        if self.skipped.is_some() {
            return Ok(Vec::new());
        }
        let mut bars = TableBars::for_accounts(visible, |t| self.source.count_rows(t))?;
        self.target
            .copy_in(&mut |into| {
                self.source
                    .copy_tables_out(ACCOUNT_TABLES, &mut |table, row| {
                        bars.row(table);
                        into.add_row(table, row)
                    })
                    .map_err(account_error)
            })
            .with_context(|| format!("copying the accounts into {}", self.target.describe()))?;
        bars.finish();
        let mut counts = Vec::new();
        for table in ACCOUNT_TABLES {
            counts.push(Compared {
                what: format!("accounts: {}", table.name),
                source: self.source.count_rows(table)?,
                target: self.target.count_rows(table)?,
            });
        }
        Ok(counts)
    }
}

/// An account error inside a copy, where the copy's error type is the store's.
pub(crate) fn account_error(e: kuzot_store::AccountError) -> StoreError {
    match e {
        kuzot_store::AccountError::Store(inner) => inner,
        other => StoreError::Corrupt(other.to_string()),
    }
}

pub(crate) fn print_report(report: &MigrationReport) {
    println!("migrated {} → {}", report.source, report.target);
    println!("{:<30} {:>12} {:>12}", "", "source", "target");
    for line in &report.tables {
        println!(
            "{:<30} {:>12} {:>12}{}",
            line.what,
            line.source,
            line.target,
            if line.equal() { "" } else { "   DIFFERENT" }
        );
    }
    for sha256 in &report.bad_files {
        println!("kept file {sha256}: missing or not matching its SHA-256 in the target");
    }
    if let Some(why) = &report.accounts_skipped {
        println!("accounts not copied: {why}");
    }
    if report.verified {
        println!("verified: every row count equal, every kept file's SHA-256 correct");
    } else {
        println!("NOT verified: see the differences above");
    }
}
