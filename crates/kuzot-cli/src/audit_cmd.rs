//! `kuzot audit verify|show`: checks the hash chain of the audit log, or prints its latest
//! entries, from the accounts of the store the settings name (`--data-dir` or
//! `--database`).

use anyhow::{Context, bail};
use clap::Subcommand;
use kuzot_service::Settings;
use kuzot_store::{AccountStore, AuditChainStatus, StoreLocation, open_accounts};

/// What `kuzot audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check that no audit entry was edited, deleted or added by hand since it was
    /// written: prints "audit log intact: N entries" (exit 0) or names the first broken
    /// entry (exit 1).
    Verify,
    /// Print the latest audit entries, newest first.
    Show {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
}

/// Exit code of a broken chain (an error opening the store exits 2, as elsewhere).
const EXIT_BROKEN: u8 = 1;

/// Runs one `kuzot audit` action; returns the exit code.
pub fn run(settings: &Settings, action: AuditAction, json: bool) -> anyhow::Result<u8> {
    let accounts = open_existing_accounts(&settings.store_location())?;
    match action {
        AuditAction::Verify => verify(accounts.as_ref(), json),
        AuditAction::Show { limit } => show(accounts.as_ref(), limit, json),
    }
}

/// The accounts of `location`; on SQLite only an `accounts.db` that exists (verifying a
/// mistyped directory must not create an empty, "intact" log there).
fn open_existing_accounts(location: &StoreLocation) -> anyhow::Result<Box<dyn AccountStore>> {
    if let StoreLocation::Sqlite(dir) = location {
        let file = dir.join("accounts.db");
        if !file.is_file() {
            bail!(
                "{} has no accounts (no {}): nothing to check",
                dir.display(),
                file.display()
            );
        }
    }
    open_accounts(location)
        .with_context(|| format!("opening the accounts of {}", location.display()))
}

fn verify(accounts: &dyn AccountStore, json: bool) -> anyhow::Result<u8> {
    let status = accounts
        .verify_audit_chain()
        .context("reading the audit log")?;
    if json {
        println!("{}", serde_json::to_string(&status)?);
    }
    match status {
        AuditChainStatus::Intact {
            entries,
            head_id,
            head_hash,
            preexisting_through,
            chained_at,
        } => {
            if !json {
                println!("audit log intact: {entries} entries");
                println!("chain head: entry {head_id}, {head_hash}");
                if preexisting_through > 0 {
                    println!(
                        "entries up to {preexisting_through} were written before the chain and chained on {chained_at}: the chain shows no change since then, not before"
                    );
                }
            }
            Ok(0)
        }
        AuditChainStatus::Broken(broken) => {
            if !json {
                println!("audit log broken at {broken}");
            }
            Ok(EXIT_BROKEN)
        }
    }
}

fn show(accounts: &dyn AccountStore, limit: u64, json: bool) -> anyhow::Result<u8> {
    let entries = accounts.audit_log(limit).context("reading the audit log")?;
    if json {
        println!("{}", serde_json::to_string(&entries)?);
        return Ok(0);
    }
    for e in entries {
        println!(
            "{:>6}  {}  {}  {}  {}  {}",
            e.id,
            e.at,
            printable(&e.actor),
            printable(&e.action),
            printable(&e.detail),
            e.hash.get(..16).unwrap_or(&e.hash)
        );
    }
    Ok(0)
}

/// The text with control characters escaped: details carry what strangers typed (a
/// failed login's account name), which must not move a terminal's cursor.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(printable("Айбек"), "Айбек");
    }
}
