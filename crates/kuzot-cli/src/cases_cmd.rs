//! `kuzot cases`: the case registry from the command line — the key file, CSV import,
//! listing, a person's case, matching a name, merging and unmerging.
//!
//! Names and other personal data go to stdout for the caseworker who asked; nothing
//! personal is written to the log (stderr carries counts, ids and reasons only).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kuzot_cases::name_match::{MatchReason, TokenAgreement};
use kuzot_cases::protect::KeyEncryptionKey;
use kuzot_cases::registry::{Party, format_partial_date};
use kuzot_service::Settings;
use kuzot_service::cases::{CaseRegistry, ColumnMapping, import_csv};
use kuzot_store::StoreLocation;
use kuzot_store::cases::open_cases;

/// Arguments of `kuzot cases`.
#[derive(Debug, clap::Args)]
pub struct CasesArgs {
    /// The registry's key file (default: `[cases] key_file` of the settings).
    #[arg(long, env = "KUZOT_CASES_KEY_FILE", value_name = "PATH", global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    action: CasesAction,
}

#[derive(Debug, clap::Subcommand)]
enum CasesAction {
    /// Create the registry's key file at PATH (mode 0600; never overwrites one, never inside
    /// the data directory). Keep it apart from the data and back it up on its own.
    InitKey {
        /// Where to create the key file.
        path: PathBuf,
    },
    /// Import persons from a CSV file: one person a row; unreadable rows are listed.
    Import {
        /// The CSV file (a header line, then one person a row).
        file: PathBuf,
        /// Which column holds which field, e.g. `--map ФИО=name --map "Дата смерти=death_date"`;
        /// repeatable. Columns named like a field need no mapping.
        #[arg(long = "map", value_name = "COLUMN=FIELD")]
        map: Vec<String>,
    },
    /// List the persons of the registry.
    List {
        /// Only persons with an id above this.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show a person's case: names and their sources, timeline, sources, interventions.
    Show {
        /// The person's id.
        id: i64,
    },
    /// Find the persons who may be the one named NAME, in any spelling or script.
    Match {
        /// The name as written.
        name: String,
        /// At most this many candidates.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Record that person MERGED is person KEPT (a caseworker's decision; undone by unmerge).
    Merge {
        /// The person kept.
        kept: i64,
        /// The person merged into it.
        merged: i64,
    },
    /// Undo a merge by its id (shown by `merge` and `show`).
    Unmerge {
        /// The merge's id.
        merge_id: i64,
    },
}

/// Runs `kuzot cases`; the exit code.
pub fn run(settings: &Settings, args: CasesArgs) -> anyhow::Result<u8> {
    let key_file = args
        .key_file
        .clone()
        .or_else(|| settings.cases.key_file.clone());
    if let CasesAction::InitKey { path } = &args.action {
        return init_key(settings, path);
    }
    let Some(key_file) = key_file else {
        bail!(
            "no key file for the case registry: set [cases] key_file in the settings or \
             KUZOT_CASES_KEY_FILE (or --key-file), or create one with `kuzot cases init-key PATH`"
        );
    };
    // The key is read before the store is opened: a missing or unreadable key file stops
    // here, before anything is created or migrated.
    let kek = KeyEncryptionKey::load(&key_file)?;
    let location = settings.store_location();
    let store = open_cases(&location)
        .with_context(|| format!("opening the case registry at {}", location.display()))?;
    let registry = CaseRegistry::open(store, &kek)?;
    // Every read of the registry, not only every change, goes to the (hash-chained) audit
    // log, before anything is shown: a read that cannot be logged is not made. The entry
    // names what was done and to which person id, never a name or other personal data.
    let accounts = kuzot_store::open_accounts(&location).context("opening the audit log")?;
    let actor = format!("cli:{}", settings.operator_name());
    let (action, detail) = audit_entry(&args.action);
    accounts.audit(&actor, action, &detail).with_context(|| {
        format!("writing the audit log; the registry is not read or changed unless it is logged ({action})")
    })?;
    match args.action {
        CasesAction::InitKey { .. } => Ok(crate::EXIT_OK),
        CasesAction::Import { file, map } => import(&registry, &file, &map),
        CasesAction::List { after, limit } => list(&registry, after, limit),
        CasesAction::Show { id } => show(&registry, id),
        CasesAction::Match { name, limit } => find(&registry, &name, limit),
        CasesAction::Merge { kept, merged } => {
            let id = registry.merge(kept, merged, &settings.operator_name())?;
            println!(
                "merge {id}: person {merged} is now shown as person {kept} (undo: kuzot cases unmerge {id})"
            );
            Ok(crate::EXIT_OK)
        }
        CasesAction::Unmerge { merge_id } => {
            let merge = registry.unmerge(merge_id, &settings.operator_name())?;
            println!(
                "merge {merge_id} undone: person {} stands apart from person {} again",
                merge.merged_id, merge.kept_id
            );
            Ok(crate::EXIT_OK)
        }
    }
}

/// The audit log's action and detail for a registry command: ids and counts only (a name
/// searched for, a file's name or its rows could name a person).
fn audit_entry(action: &CasesAction) -> (&'static str, String) {
    match action {
        CasesAction::InitKey { .. } => ("cases_init_key", String::new()),
        CasesAction::Import { .. } => ("cases_import", "a CSV import".to_owned()),
        CasesAction::List { after, limit } => (
            "cases_list",
            format!("persons after id {after}, at most {limit}"),
        ),
        CasesAction::Show { id } => ("cases_show", format!("person {id}")),
        CasesAction::Match { limit, .. } => (
            "cases_match",
            format!("a search by name (not logged), at most {limit} proposals"),
        ),
        CasesAction::Merge { kept, merged } => {
            ("cases_merge", format!("person {merged} into person {kept}"))
        }
        CasesAction::Unmerge { merge_id } => ("cases_unmerge", format!("merge {merge_id}")),
    }
}

fn init_key(settings: &Settings, path: &Path) -> anyhow::Result<u8> {
    // The data directory, and the SQLite store's directory when it is elsewhere: the key
    // belongs in neither.
    let mut data_dirs = vec![settings.data_dir.clone()];
    if let StoreLocation::Sqlite(dir) = settings.store_location() {
        data_dirs.push(dir);
    }
    let dirs: Vec<&Path> = data_dirs.iter().map(PathBuf::as_path).collect();
    let kek = KeyEncryptionKey::create_file(path, &dirs)?;
    println!(
        "created the case registry key {} (key id {}). Keep it apart from the data directory \
         and from database backups, and back it up on its own: without it nobody, you \
         included, can read the registry's names. Point [cases] key_file or \
         KUZOT_CASES_KEY_FILE at it.",
        path.display(),
        kek.id()
    );
    Ok(crate::EXIT_OK)
}

fn import(registry: &CaseRegistry, file: &Path, map: &[String]) -> anyhow::Result<u8> {
    let mapping = ColumnMapping::parse(map)?;
    let report = import_csv(registry, file, &mapping)?;
    for row in &report.rejected {
        match &row.column {
            Some(column) => eprintln!(
                "{}:{} column {column:?}: {}",
                file.display(),
                row.line,
                row.reason
            ),
            None => eprintln!("{}:{}: {}", file.display(), row.line, row.reason),
        }
    }
    if !report.ignored_columns.is_empty() {
        eprintln!(
            "not imported (no field mapped; use --map COLUMN=FIELD): {}",
            report.ignored_columns.join(", ")
        );
    }
    println!(
        "imported {} persons from {}; {} rows not imported",
        report.imported.len(),
        file.display(),
        report.rejected.len()
    );
    Ok(if report.rejected.is_empty() {
        crate::EXIT_OK
    } else if report.imported.is_empty() {
        crate::EXIT_NOTHING_USABLE
    } else {
        crate::EXIT_SOME_REJECTED
    })
}

fn list(registry: &CaseRegistry, after: i64, limit: u32) -> anyhow::Result<u8> {
    for stored in registry.list(after, limit)? {
        let names: Vec<&str> = stored
            .person
            .names
            .iter()
            .map(|n| n.name.as_str())
            .collect();
        let birth = stored
            .person
            .birth
            .map(|d| format!("  born {}", format_partial_date(&d)))
            .unwrap_or_default();
        let merged = stored
            .merged_into
            .map(|k| format!("  (merged into {k})"))
            .unwrap_or_default();
        println!("{:>6}  {}{birth}{merged}", stored.id, names.join(" / "));
    }
    Ok(crate::EXIT_OK)
}

fn show(registry: &CaseRegistry, id: i64) -> anyhow::Result<u8> {
    let Some(case) = registry.show(id)? else {
        bail!("there is no person {id} in the registry");
    };
    let p = &case.person.person;
    println!("person {id}");
    if let Some(kept) = case.person.merged_into {
        println!("  merged into person {kept}");
    }
    for n in &p.names {
        let source = n
            .source
            .map(|s| format!("  [source {s}]"))
            .unwrap_or_default();
        println!("  name      {}{source}", n.name);
    }
    for merged in &case.merged {
        for n in &merged.person.names {
            println!("  name      {}  [from merged person {}]", n.name, merged.id);
        }
    }
    if let Some(sex) = p.sex {
        println!("  sex       {}", sex.as_str());
    }
    if let Some(birth) = p.birth {
        println!("  born      {}", format_partial_date(&birth));
    }
    if !p.birthplace.is_empty() {
        println!("  from      {}", p.birthplace.describe());
    }
    if !p.citizenships.is_empty() {
        println!("  citizen   {}", p.citizenships.join(", "));
    }
    for c in &p.contacts {
        let holder = c
            .holder
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        println!("  contact   {:?}: {}{holder}", c.kind, c.value);
    }
    if !p.notes.is_empty() {
        println!("  notes     {}", p.notes.replace('\n', "\n            "));
    }
    if !case.events.is_empty() {
        println!("timeline");
    }
    for e in &case.events {
        let date = e
            .event
            .date
            .map(|d| format_partial_date(&d))
            .unwrap_or_else(|| "?".into());
        let place = e.event.place.describe();
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" — {place}")
        };
        println!("  {date:<10} {}{place}", e.event.kind.as_str());
        let d = &e.event.details;
        for (label, value) in [
            ("colony", &d.colony),
            ("organisation", &d.organisation),
            ("promised", &d.promised),
            ("amount", &d.amount),
        ] {
            if let Some(value) = value {
                println!("             {label}: {value}");
            }
        }
        if let Some(recruiter) = d.recruiter {
            println!("             recruited by: {recruiter:?}");
        }
        if !d.description.is_empty() {
            println!("             {}", d.description);
        }
        for i in &e.involvements {
            match &i.party {
                Party::Person(p) => println!("             {}: person {p}", i.role.as_str()),
                Party::Organisation(o) => println!("             {}: {o}", i.role.as_str()),
            }
        }
        if !e.event.sources.is_empty() {
            let ids: Vec<String> = e.event.sources.iter().map(i64::to_string).collect();
            println!("             sources: {}", ids.join(", "));
        }
    }
    if !case.sources.is_empty() {
        println!("sources");
    }
    for (sid, s) in &case.sources {
        let document = s
            .document_id
            .map(|d| format!(" document {d}"))
            .unwrap_or_default();
        println!(
            "  {sid:>6}  {}{} {}  {}{document}",
            s.reliability.letter(),
            s.credibility.grade(),
            s.kind.as_str(),
            s.reference
        );
    }
    if !case.interventions.is_empty() {
        println!("interventions");
    }
    for (iid, i) in &case.interventions {
        let date = i
            .date
            .map(|d| format_partial_date(&d))
            .unwrap_or_else(|| "?".into());
        println!(
            "  {iid:>6}  {date:<10} {} to {} — {}",
            i.kind.as_str(),
            i.addressee,
            i.status.as_str()
        );
    }
    for m in &case.merges {
        let state = match &m.undone_at {
            Some(at) => format!("undone {at} by {}", m.undone_by.as_deref().unwrap_or("?")),
            None => "stands".into(),
        };
        println!(
            "merge {}: person {} into person {}, {} by {}; {state}",
            m.id, m.merged_id, m.kept_id, m.decided_at, m.decided_by
        );
    }
    Ok(crate::EXIT_OK)
}

fn describe_reason(reason: &MatchReason) -> String {
    match reason {
        MatchReason::NameWords {
            left_written,
            right_written,
            agreement,
            similarity,
            ..
        } => {
            let how = match agreement {
                TokenAgreement::SameSpelling => "the same spelling".to_owned(),
                other => format!("{other:?}"),
            };
            format!("{left_written} ~ {right_written}: {how} ({similarity:.2})")
        }
        MatchReason::NameWordsDiffer {
            left_written,
            right_written,
            ..
        } => format!("{left_written} ≠ {right_written}"),
        MatchReason::NameWordsUnpaired {
            left_written,
            right_written,
            ..
        } => format!(
            "unpaired words: {} | {}",
            left_written.join(" "),
            right_written.join(" ")
        ),
        other => format!("{other:?}"),
    }
}

fn find(registry: &CaseRegistry, name: &str, limit: usize) -> anyhow::Result<u8> {
    let found = registry.find_by_name(name, limit)?;
    if found.is_empty() {
        println!("no person in the registry may be this one");
    }
    for c in found {
        let birth = c
            .birth
            .map(|d| format!("  born {}", format_partial_date(&d)))
            .unwrap_or_default();
        println!(
            "{:>6}  {:.2}  {}{birth}",
            c.id,
            c.suggestion.score,
            c.names.join(" / ")
        );
        for reason in &c.suggestion.reasons {
            println!("          {}", describe_reason(reason));
        }
    }
    Ok(crate::EXIT_OK)
}
