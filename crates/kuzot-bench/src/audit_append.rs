//! What the audit log's hash chain costs an append: entries per second through
//! [`kuzot_store::AccountStore::audit`] (chained: lock, read the head, hash, insert, move the head, in
//! one transaction), against the statement kuzot ran before the chain (one INSERT,
//! committed on its own) into a table of the old shape in the same database, so that
//! both pay the same disk and server.

use std::time::{Duration, Instant};

use anyhow::Context;
use kuzot_store::{StoreLocation, open_accounts};

/// Appends per second, before and after the chain.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppendRates {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Entries appended by each measurement.
    pub entries: u64,
    /// The pre-chain statement, entries per second.
    pub unchained_per_second: f64,
    /// [`kuzot_store::AccountStore::audit`], entries per second.
    pub chained_per_second: f64,
    /// Whether the chained log verified afterwards (it must).
    pub verified: bool,
}

/// The audit table as it was before the chain, for the baseline.
const OLD_SHAPE: &str = "(id {id} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, detail TEXT NOT NULL)";

/// Measures `entries` appends each way on `location` (an empty store).
pub fn measure(location: &StoreLocation, entries: u64) -> anyhow::Result<AppendRates> {
    let accounts = open_accounts(location).context("opening the accounts")?;
    let detail = |i: u64| format!("document {i}");
    let (backend, unchained) = match location {
        StoreLocation::Sqlite(dir) => {
            let conn = rusqlite::Connection::open(dir.join("accounts.db"))?;
            // The same connection settings as the account store.
            conn.busy_timeout(Duration::from_secs(5))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.execute_batch(&format!(
                "CREATE TABLE bench_unchained_audit {}",
                OLD_SHAPE.replace("{id}", "INTEGER")
            ))?;
            let started = Instant::now();
            for i in 0..entries {
                conn.execute(
                    "INSERT INTO bench_unchained_audit (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params!["2026-01-01T00:00:00Z", "bench", "label", detail(i)],
                )?;
            }
            ("sqlite", started.elapsed())
        }
        StoreLocation::Postgres(url) => {
            let mut client = postgres::Client::connect(url, postgres::NoTls)?;
            client.batch_execute(&format!(
                "CREATE TABLE bench_unchained_audit {}",
                OLD_SHAPE.replace("{id}", "BIGINT GENERATED ALWAYS AS IDENTITY")
            ))?;
            let started = Instant::now();
            for i in 0..entries {
                client.execute(
                    "INSERT INTO bench_unchained_audit (at, actor, action, detail) VALUES ($1, $2, $3, $4)",
                    &[&"2026-01-01T00:00:00Z", &"bench", &"label", &detail(i)],
                )?;
            }
            let elapsed = started.elapsed();
            client.batch_execute("DROP TABLE bench_unchained_audit")?;
            ("postgres", elapsed)
        }
    };
    let started = Instant::now();
    for i in 0..entries {
        accounts.audit("bench", "label", &detail(i))?;
    }
    let chained = started.elapsed();
    let verified = matches!(
        accounts.verify_audit_chain()?,
        kuzot_store::AuditChainStatus::Intact { entries: n, .. } if n == entries
    );
    let rate = |d: Duration| entries as f64 / d.as_secs_f64().max(f64::MIN_POSITIVE);
    Ok(AppendRates {
        backend,
        entries,
        unchained_per_second: rate(unchained),
        chained_per_second: rate(chained),
        verified,
    })
}

/// Seconds to verify a chain of `entries` entries (appended first) on `location`.
pub fn measure_verify(location: &StoreLocation, entries: u64) -> anyhow::Result<(u64, f64)> {
    let accounts = open_accounts(location).context("opening the accounts")?;
    let already = match accounts.verify_audit_chain()? {
        kuzot_store::AuditChainStatus::Intact { entries, .. } => entries,
        kuzot_store::AuditChainStatus::Broken(b) => anyhow::bail!("broken before: {b}"),
    };
    for i in already..entries {
        accounts.audit("bench", "label", &format!("document {i}"))?;
    }
    let started = Instant::now();
    let status = accounts.verify_audit_chain()?;
    let seconds = started.elapsed().as_secs_f64();
    match status {
        kuzot_store::AuditChainStatus::Intact { entries, .. } => Ok((entries, seconds)),
        kuzot_store::AuditChainStatus::Broken(b) => anyhow::bail!("broken: {b}"),
    }
}
