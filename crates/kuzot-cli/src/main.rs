//! The `kuzot` binary: parses arguments, sets up logging, calls the service layer, and
//! decides the exit code (0 ok, 1 some records rejected, 2 nothing usable or a usage error).

mod audit_cmd;
mod backup_cmd;
mod cases_cmd;
mod migrate_cmd;
mod progress;
mod search_cmd;
mod serve_cmd;
mod survey_cmd;
mod worker_cmd;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use kuzot_ingest::ColumnMapping;
use kuzot_model::{Category, SourceFormat};
use kuzot_service::{
    ExportFormat, FileStatus, IngestOptions, IngestSummary, IngestVerdict, NothingUsable, Settings,
};
use kuzot_store::{DocumentFilter, Store};
use time::OffsetDateTime;

/// kuzot (күзөт, "watch, guard"): evidence of how migrant workers are recruited into the war.
#[derive(Debug, Parser)]
#[command(name = "kuzot", version, about, long_about = None)]
struct Cli {
    /// The data directory of the evidence store.
    #[arg(long, global = true, env = "KUZOT_DATA", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The evidence database: a PostgreSQL URL (postgres://user:password@host/db) shared by
    /// several kuzot processes, or a SQLite data directory (default: the one of --data-dir).
    #[arg(long, global = true, env = "KUZOT_DATABASE_URL", value_name = "URL")]
    database: Option<String>,
    /// Settings file (default: ./kuzot.toml when present).
    #[arg(long, global = true, env = "KUZOT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Worker threads for analysis (default: one per core).
    #[arg(long, global = true, env = "KUZOT_THREADS")]
    threads: Option<usize>,
    /// Genre model file to use instead of the compiled-in one (`kuzot train-genre`). A
    /// file that is missing, corrupt or of another version is refused with a message and
    /// the engine falls back to the cue model, as its `engine_version` then says.
    #[arg(long, global = true, env = "KUZOT_GENRE_MODEL", value_name = "FILE")]
    genre_model: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import files or folders: messenger exports, tables, web pages, PDFs, text.
    Ingest {
        /// Files or folders (folders are read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Read every file as this format instead of detecting it.
        #[arg(long, value_parser = parse_format)]
        format: Option<SourceFormat>,
        /// Columns of CSV/JSONL: e.g. text=body,time=timestamp,channel=thread,author=user,url=link,id=id.
        #[arg(long, value_parser = ColumnMapping::parse, value_name = "FIELD=COLUMN,…")]
        columns: Option<ColumnMapping>,
        /// Keep the raw names and ids of message authors (default: keyed pseudonyms only).
        #[arg(long)]
        keep_authors: bool,
        /// Who is importing (default: the settings' operator, else the login name).
        #[arg(long, env = "KUZOT_OPERATOR")]
        operator: Option<String>,
        /// Store documents without analysing them (`kuzot reanalyze` can do it later).
        #[arg(long, conflicts_with = "queue_analysis")]
        no_analysis: bool,
        /// Store documents without analysing them and queue them for `kuzot worker`
        /// processes, which analyse them (and regroup near-duplicates) afterwards.
        #[arg(long)]
        queue_analysis: bool,
        /// Trained model to combine with the cue model (default: the store's installed one).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Analyse messages: JSONL ({"id","text"}) or plain lines from FILE or standard input;
    /// one prediction line per message on standard output, in input order.
    Analyze {
        /// Input file (default: standard input).
        input: Option<PathBuf>,
        /// Trained model to combine with the cue model.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Score the engine on labelled messages (the evaluation guide's gold JSONL), or
    /// cross-validate the trainable model on them with --cv K.
    Eval {
        /// Gold JSONL.
        gold: PathBuf,
        /// Trained model to combine with the cue model.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Cross-validate the linear model with K folds instead.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
    },
    /// Train the linear model on labelled messages and save it.
    Train {
        /// Gold JSONL with "text" and "label".
        #[arg(
            required_unless_present = "from_labels",
            conflicts_with = "from_labels"
        )]
        gold: Option<PathBuf>,
        /// Train on the analysts' labels in the store instead of a gold file (the web
        /// application's Retrain does the same and shows cross-validated figures).
        #[arg(long)]
        from_labels: bool,
        /// Where to write the model.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Also install it in the store, so that ingest and reanalyze use it.
        #[arg(long)]
        install: bool,
    },
    /// Train the genre model (is a text an offer, a report, …) by weak supervision from
    /// the real corpora and the labelled development set in the shared data directory;
    /// the same data gives the same model, bit for bit.
    TrainGenre {
        /// The shared data directory, with `corpora/` and `eval/`.
        #[arg(long, default_value = "../shared", env = "KUZOT_SHARED_DIR")]
        shared: PathBuf,
        /// Where to write the model.
        #[arg(long, short)]
        output: PathBuf,
        /// Also report K-fold held-out accuracy per source.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
        /// Recorded in the model as its recipe (a fixed tag keeps rebuilds identical).
        #[arg(long, default_value = "genre-recipe-1")]
        recipe: String,
    },
    /// Re-analyse every stored document not analysed by this engine and model (after an
    /// upgrade): queues them, then analyses the queue in this process.
    Reanalyze {
        /// Trained model to combine with the cue model (default: the store's installed one).
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Analyse what waits in the analysis queue (imports with --queue-analysis, a server
    /// with `analysis = "workers"`), batch by batch, until interrupted (Ctrl-C or SIGTERM
    /// end it after the current batch); several workers may run at once.
    Worker {
        /// Stop when the queue is empty instead of waiting for more.
        #[arg(long)]
        once: bool,
        /// Trained model to combine with the cue model (default: the store's installed one).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Documents per batch (one transaction each: a worker killed mid-batch leaves
        /// that batch queued for the next).
        #[arg(long, default_value_t = kuzot_service::WORKER_BATCH)]
        batch: usize,
    },
    /// Phone numbers found in several documents.
    Phones {
        /// Only numbers in at least this many documents.
        #[arg(long, default_value_t = 2)]
        min_documents: u64,
        /// At most this many numbers.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Print the citation of one stored message: source file, full SHA-256, import date
    /// and operator, position, message id and time, and its address — the same text as
    /// the "Cite" block of the message page.
    Cite {
        /// The message's kuzot id (as in /messages/ID).
        id: i64,
        /// The address kuzot is served at, for the message's link.
        #[arg(long, default_value = "http://127.0.0.1:8080", value_name = "URL")]
        base_url: String,
        /// The language of the citation's field names: ky, ru or en (the message page's
        /// "Cite" block is in the page's language).
        #[arg(long, default_value = "en", value_parser = ["ky", "ru", "en"])]
        lang: String,
    },
    /// List imported source files with their full hashes and counts.
    Sources {
        /// Also list the rejected records of the source with this id.
        #[arg(long, value_name = "SOURCE_ID")]
        rejected: Option<i64>,
    },
    /// Totals over the store.
    Stats,
    /// Write stored documents with their provenance, one a line.
    Export {
        /// Output format (JSONL when not given; kuzot then says so on standard error).
        #[arg(long, value_enum)]
        format: Option<ExportKind>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Only this chat or channel (name or id).
        #[arg(long)]
        chat: Option<String>,
        /// Only from this date or time on (2024-03-01 or RFC 3339).
        #[arg(long, value_parser = parse_time)]
        since: Option<OffsetDateTime>,
        /// Only before this date or time.
        #[arg(long, value_parser = parse_time)]
        until: Option<OffsetDateTime>,
        /// Only from the source whose SHA-256 starts with this.
        #[arg(long)]
        source: Option<String>,
        /// Only documents whose text contains this.
        #[arg(long)]
        contains: Option<String>,
        /// Only documents the engine put in this category.
        #[arg(long)]
        category: Option<String>,
        /// Only documents containing this phone number (E.164, e.g. +79990001122).
        #[arg(long)]
        phone: Option<String>,
        /// Only documents in this near-duplicate cluster.
        #[arg(long)]
        cluster: Option<i64>,
        /// At most this many documents.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Rebuild the search index from the store.
    Reindex,
    /// Full-text search over stored documents, with filters.
    Search(search_cmd::SearchArgs),
    /// Serve the web application over the store.
    Serve {
        /// Address and port to listen on.
        #[arg(
            long,
            env = "KUZOT_LISTEN",
            default_value = "127.0.0.1:8080",
            value_name = "ADDR:PORT"
        )]
        listen: std::net::SocketAddr,
        /// Start on a fresh data directory (temporary unless --data-dir is given) loaded
        /// with the example exports built into kuzot.
        #[arg(long)]
        demo: bool,
        /// Mark session cookies `Secure` (set this when serving behind HTTPS).
        #[arg(long, env = "KUZOT_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Copy the whole store (kept files, documents, analyses, labels, accounts) into a new,
    /// empty store — a PostgreSQL database or a SQLite data directory — and verify the copy:
    /// exit 0 when every row count and every kept file's SHA-256 match, 2 otherwise.
    Migrate {
        /// The target: postgres://user:password@host/db, or a data directory.
        #[arg(long, value_name = "URL|DIR")]
        to: String,
    },
    /// Back up the whole store (documents, analyses, labels, kept files, the pseudonym key,
    /// accounts) into one new FILE, from one consistent snapshot, while servers and imports
    /// go on. Without a recipient the file holds the pseudonym key and the password hashes
    /// in the clear: guard it like the data directory.
    Backup {
        /// The backup file to create (refused when it exists); written as FILE.partial and
        /// renamed when complete.
        file: PathBuf,
        /// Encrypt the backup with age to this X25519 public key (age1…); repeatable.
        #[arg(long = "recipient", value_name = "AGE_PUBLIC_KEY")]
        recipients: Vec<String>,
        /// Encrypt to every public key in this file (one a line, # comments).
        #[arg(long, value_name = "PATH")]
        recipients_file: Option<PathBuf>,
    },
    /// Restore a backup into DIR, a new or empty folder (or, with --to, into an empty
    /// PostgreSQL database, with DIR as its processes' data directory). Every file is checked
    /// against the backup's manifest before DIR appears; the search index is rebuilt.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The data directory to create.
        dir: PathBuf,
        /// The age identity file (AGE-SECRET-KEY-1…) of an encrypted backup.
        #[arg(long, value_name = "PATH")]
        identity: Option<PathBuf>,
        /// Restore the store into this empty PostgreSQL database (postgres://…).
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// The case registry: persons, their timelines and sources, sealed with a key kept
    /// apart from the data (`kuzot cases init-key`).
    Cases(cases_cmd::CasesArgs),
    /// Settings.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Field research: a questionnaire's tables and cross-tabs from a KoboToolbox or ODK
    /// Central export, with bases and 95% intervals.
    Survey {
        #[command(subcommand)]
        command: survey_cmd::SurveyCommand,
    },
    /// The audit log: check its hash chain, or show its latest entries.
    Audit {
        #[command(subcommand)]
        action: audit_cmd::AuditAction,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigAction {
    /// Print a commented settings file with every default.
    Default,
    /// Print the settings in effect.
    Show,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportKind {
    Jsonl,
    Csv,
}

fn parse_format(s: &str) -> Result<SourceFormat, String> {
    SourceFormat::parse(s).ok_or_else(|| {
        let names: Vec<&str> = SourceFormat::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown format {s:?}; one of: {}", names.join(", "))
    })
}

fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    kuzot_ingest::tabular::parse_time(s)
        .ok_or_else(|| format!("{s:?} is not a date (use 2024-03-01 or RFC 3339)"))
}

/// Exit codes: decided here alone.
const EXIT_OK: u8 = 0;
const EXIT_SOME_REJECTED: u8 = 1;
const EXIT_NOTHING_USABLE: u8 = 2;

fn main() -> ExitCode {
    // Everything kuzot writes (the store, kept sources, uploads, exports to a file, backups)
    // holds evidence and the real names behind the pseudonyms: the owner's only.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_NOTHING_USABLE
            } else {
                EXIT_OK
            });
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KUZOT_LOG")
                .unwrap_or_else(|_| "warn,pdf_extract=error,lopdf=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if !matches!(cli.command, Command::Serve { .. }) {
        exit_quietly_on_closed_pipe();
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kuzot: {e:#}");
            ExitCode::from(EXIT_NOTHING_USABLE)
        }
    }
}

/// Lets a command whose reader went away (`kuzot --json sources | head -c 600`) end
/// quietly, as Unix tools do, instead of panicking in `println!` with exit code 101.
///
/// The Rust runtime ignores SIGPIPE, so a write to a closed pipe fails, and `println!`
/// turns that failure into a panic; restoring the signal would need `unsafe`, which the
/// workspace forbids. So the panic hook recognises exactly that panic and exits with
/// status 0 without a word; every other panic is reported as before. Not for `serve`,
/// which writes to no pipe.
fn exit_quietly_on_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(EXIT_OK));
        }
        report(info);
    }));
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let _ = GENRE_MODEL_FILE.set(cli.genre_model.clone());
    if let Some(threads) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global()?;
    }
    let mut settings = Settings::load(cli.config.as_deref())?;
    let data_dir_given = cli.data_dir.is_some();
    if let Some(dir) = cli.data_dir {
        settings.data_dir = dir;
    }
    if let Some(url) = cli.database {
        settings.database_url = Some(url);
    }
    match cli.command {
        Command::Config {
            action: ConfigAction::Default,
        } => {
            print!("{}", kuzot_service::DEFAULT_CONFIG);
            Ok(EXIT_OK)
        }
        Command::Config {
            action: ConfigAction::Show,
        } => {
            println!("{settings:#?}");
            Ok(EXIT_OK)
        }
        Command::Ingest {
            paths,
            format,
            columns,
            keep_authors,
            operator,
            no_analysis,
            queue_analysis,
            model,
        } => {
            let mut store = open_store(&settings)?;
            let engine = if no_analysis || queue_analysis {
                None
            } else {
                Some(load_engine(model.as_deref(), Some(&settings.data_dir))?)
            };
            let options = IngestOptions {
                format,
                columns: columns.unwrap_or_default(),
                keep_authors: keep_authors || settings.keep_authors,
                operator: operator.unwrap_or_else(|| settings.operator_name()),
                queue_analysis,
                limits: settings.ingest.read_limits(),
            };
            let bar = progress::IngestBar::new(!cli.json);
            let summary = search_cmd::ingest_and_index(
                &settings,
                &mut store,
                &paths,
                &options,
                engine.as_ref(),
                &bar,
            )?;
            if queue_analysis && !cli.json {
                let queued = store.analysis_queue_len()?;
                eprintln!(
                    "{} waiting for analysis; run `kuzot worker` to analyse them",
                    counted(queued, "document", "documents")
                );
            }
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                print_summary(&summary);
            }
            Ok(ingest_exit_code(&summary))
        }
        Command::Serve {
            listen,
            demo,
            secure_cookies,
        } => {
            serve_cmd::serve(&settings, data_dir_given, listen, demo, secure_cookies)?;
            Ok(EXIT_OK)
        }
        Command::Backup {
            file,
            recipients,
            recipients_file,
        } => {
            let args = backup_cmd::BackupArgs {
                file,
                recipients,
                recipients_file,
            };
            backup_cmd::backup(&settings, &args, cli.json)?;
            Ok(EXIT_OK)
        }
        Command::Restore {
            file,
            dir,
            identity,
            to,
        } => {
            let args = backup_cmd::RestoreArgs {
                file,
                dir,
                identity,
                to,
            };
            backup_cmd::restore(&args, cli.json)?;
            Ok(EXIT_OK)
        }
        Command::Migrate { to } => {
            let verified = migrate_cmd::migrate(&settings, &to, cli.json)?;
            Ok(if verified {
                EXIT_OK
            } else {
                EXIT_NOTHING_USABLE
            })
        }
        Command::Audit { action } => audit_cmd::run(&settings, action, cli.json),
        Command::Reindex => {
            let store = open_existing_store(&settings)?;
            search_cmd::reindex(&settings, &store, cli.json)
        }
        Command::Search(args) => search_cmd::search(&settings, args, cli.json),
        Command::Survey { command } => survey_cmd::run(command, cli.json),
        Command::Cases(args) => cases_cmd::run(&settings, args),
        Command::Cite { id, base_url, lang } => {
            let store = open_existing_store(&settings)?;
            let doc = store
                .document(id)?
                .ok_or_else(|| anyhow::anyhow!("no message with id {id} in the store"))?;
            let source = store.source_by_sha256(&doc.source)?;
            let text = kuzot_web::cite::citation(
                &doc,
                source.as_ref(),
                &base_url,
                kuzot_web::cite::CitationLang::from_code(&lang).unwrap_or_default(),
            );
            if cli.json {
                println!("{}", serde_json::json!({ "id": id, "citation": text }));
            } else {
                println!("{text}");
            }
            Ok(EXIT_OK)
        }
        Command::Sources { rejected } => {
            let store = open_existing_store(&settings)?;
            if let Some(id) = rejected {
                let rows = store.rejected_records(id)?;
                if cli.json {
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else {
                    for r in rows {
                        println!("{}: {}", r.position, r.reason);
                    }
                }
                return Ok(EXIT_OK);
            }
            let sources = store.sources()?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&sources)?);
            } else {
                // The full hash: a cut one cannot be checked against the file.
                println!(
                    "{:>4}  {:<64}  {:<13}  {:>10}  {:>7}  {:>7}  {:>8}  {:<20}  name",
                    "id", "sha256", "format", "bytes", "added", "present", "rejected", "imported"
                );
                for s in sources {
                    println!(
                        "{:>4}  {:<64}  {:<13}  {:>10}  {:>7}  {:>7}  {:>8}  {:<20}  {}",
                        s.id,
                        s.sha256,
                        s.format,
                        s.size,
                        s.added,
                        s.already_present,
                        s.rejected,
                        s.imported_at,
                        s.original_name
                    );
                }
            }
            Ok(EXIT_OK)
        }
        Command::Analyze { input, model } => {
            let engine = load_engine(model.as_deref(), None)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut report_bad =
                |bad: &kuzot_service::BadLine| eprintln!("line {}: {}", bad.line, bad.reason);
            let report = match input {
                Some(path) => {
                    let file =
                        std::fs::File::open(&path).with_context(|| path.display().to_string())?;
                    kuzot_service::analyze_lines(
                        &engine,
                        std::io::BufReader::new(file),
                        &mut out,
                        &mut report_bad,
                    )?
                }
                None => kuzot_service::analyze_lines(
                    &engine,
                    std::io::stdin().lock(),
                    &mut out,
                    &mut report_bad,
                )?,
            };
            out.flush()?;
            eprintln!(
                "analysed {}, {} rejected",
                counted(report.messages as u64, "message", "messages"),
                counted(report.bad_lines.len() as u64, "line", "lines")
            );
            Ok(if report.messages == 0 && !report.bad_lines.is_empty() {
                EXIT_NOTHING_USABLE
            } else if report.bad_lines.is_empty() {
                EXIT_OK
            } else {
                EXIT_SOME_REJECTED
            })
        }
        Command::Eval { gold, model, cv } => {
            let text =
                std::fs::read_to_string(&gold).with_context(|| gold.display().to_string())?;
            let records = kuzot_service::read_gold(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", gold.display()))?;
            if let Some(k) = cv {
                let (examples, skipped) = kuzot_service::training_examples(&records);
                let report = kuzot_service::cross_validate_model(&examples, k);
                if cli.json {
                    let folds: Vec<_> = report
                        .folds
                        .iter()
                        .map(|f| serde_json::json!({"test_examples": f.test_examples, "accuracy": f.accuracy, "macro_f1": f.macro_f1}))
                        .collect();
                    println!(
                        "{}",
                        serde_json::json!({"k": k, "examples": examples.len(), "skipped": skipped, "folds": folds,
                            "mean_accuracy": report.mean_accuracy, "mean_macro_f1": report.mean_macro_f1})
                    );
                } else {
                    println!(
                        "linear model, {k}-fold cross-validation on {} examples ({skipped} skipped)",
                        examples.len()
                    );
                    for (i, f) in report.folds.iter().enumerate() {
                        println!(
                            "  fold {}: {} test examples, accuracy {:.3}, macro-F1 {:.3}",
                            i + 1,
                            f.test_examples,
                            f.accuracy,
                            f.macro_f1
                        );
                    }
                    println!(
                        "mean accuracy {:.3}  mean macro-F1 {:.3}",
                        report.mean_accuracy, report.mean_macro_f1
                    );
                }
                return Ok(EXIT_OK);
            }
            let engine = load_engine(model.as_deref(), None)?;
            let scores = kuzot_service::evaluate(&engine, &records);
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&scores)?);
            } else {
                print!("{scores}");
            }
            Ok(EXIT_OK)
        }
        Command::Train {
            gold,
            from_labels,
            output,
            install,
        } => {
            let (labelled, records);
            let (examples, skipped): (Vec<(&str, Category)>, usize) = match &gold {
                Some(gold) if !from_labels => {
                    let text = std::fs::read_to_string(gold)
                        .with_context(|| gold.display().to_string())?;
                    records = kuzot_service::read_gold(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", gold.display()))?;
                    kuzot_service::training_examples(&records)
                }
                _ => {
                    labelled = open_existing_store(&settings)?.labelled_texts()?;
                    let examples = labelled.iter().map(|(t, c)| (t.as_str(), *c)).collect();
                    (examples, 0)
                }
            };
            if examples.is_empty() {
                match &gold {
                    Some(gold) => {
                        anyhow::bail!("{}: no labelled examples with text", gold.display())
                    }
                    None => anyhow::bail!(
                        "the store holds no labels yet: label messages in the web application's review first"
                    ),
                }
            }
            let now = OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let model = kuzot_service::train_model(&examples, &now);
            let bytes = model.to_bytes();
            if output.is_none() && !install {
                anyhow::bail!("say where the model goes: --output FILE and/or --install");
            }
            if let Some(path) = &output {
                write_atomically(path, &bytes)?;
                eprintln!(
                    "model written to {} ({} examples, {skipped} skipped)",
                    path.display(),
                    examples.len()
                );
            }
            if install {
                let path = installed_model_path(&settings);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                write_atomically(&path, &bytes)?;
                eprintln!(
                    "model installed at {}; run `kuzot reanalyze` to apply it to stored documents",
                    path.display()
                );
            }
            Ok(EXIT_OK)
        }
        Command::TrainGenre {
            shared,
            output,
            cv,
            recipe,
        } => {
            let engine =
                kuzot_analysis::Engine::try_new().context("building the analysis engine")?;
            let texts = kuzot_service::genre_training_texts(&shared)?;
            eprintln!("training the genre model on {} texts…", texts.len());
            let (model, report) = kuzot_service::train_genre_model(&engine, &texts, &recipe, cv)?;
            write_atomically(&output, &model.to_bytes())?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for (source, n, ads) in &report.examples {
                    println!(
                        "{:<10} {n:>6} texts, {ads:>5} offers",
                        serde_json::to_value(source)?.as_str().unwrap_or("?")
                    );
                }
                println!(
                    "news posts left out as the channels' own ads: {}",
                    report.dropped_as_channel_ads
                );
                for (source, right, total) in &report.cross_validation {
                    let share = if *total > 0 {
                        *right as f64 / *total as f64
                    } else {
                        0.0
                    };
                    println!(
                        "held out ({}-fold) {:<10} offer-or-not accuracy {share:.3} ({right}/{total})",
                        cv.unwrap_or(0),
                        serde_json::to_value(source)?.as_str().unwrap_or("?")
                    );
                }
                println!("model written to {}", output.display());
            }
            Ok(EXIT_OK)
        }
        Command::Reanalyze { model } => {
            let mut store = open_existing_store(&settings)?;
            let engine = load_engine(model.as_deref(), Some(&settings.data_dir))?;
            let bar = progress::IngestBar::documents(!cli.json);
            let done = search_cmd::reanalyze_and_index(&settings, &mut store, &engine, &bar)?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({"analysed": done, "engine_version": engine.version()})
                );
            } else {
                println!(
                    "re-analysed {done} documents with engine {}",
                    engine.version()
                );
            }
            Ok(EXIT_OK)
        }
        Command::Worker { once, model, batch } => {
            worker_cmd::worker(&settings, once, model.as_deref(), batch, cli.json)
        }
        Command::Phones {
            min_documents,
            limit,
        } => {
            let store = open_existing_store(&settings)?;
            let phones = store.shared_phones(min_documents, limit)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&phones)?);
            } else {
                for (phone, n) in phones {
                    println!("{phone:<16} {n:>6} documents   (kuzot export --phone {phone})");
                }
            }
            Ok(EXIT_OK)
        }
        Command::Stats => {
            let store = open_existing_store(&settings)?;
            let stats = store.stats()?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                println!(
                    "store           {} ({})",
                    store.location(),
                    store.backend().as_str()
                );
                println!(
                    "source files    {} ({} bytes)",
                    stats.sources, stats.source_bytes
                );
                println!("documents       {}", stats.documents);
                println!("chats/channels  {}", stats.chats);
                println!("authors         {} (pseudonymous)", stats.authors);
                println!(
                    "time span       {} … {}",
                    stats.first_time.as_deref().unwrap_or("-"),
                    stats.last_time.as_deref().unwrap_or("-")
                );
                for (format, n) in &stats.by_format {
                    println!("  {format:<14} {n}");
                }
                let categories = store.category_counts()?;
                if !categories.is_empty() {
                    println!("categories (analysed documents)");
                    for (category, n) in categories {
                        println!("  {category:<24} {n}");
                    }
                }
            }
            Ok(EXIT_OK)
        }
        Command::Export {
            format,
            output,
            chat,
            since,
            until,
            source,
            contains,
            category,
            phone,
            cluster,
            limit,
        } => {
            let store = open_existing_store(&settings)?;
            if let Some(c) = &category
                && Category::parse(c).is_none()
            {
                anyhow::bail!("unknown category {c:?}; one of: {}", category_names());
            }
            let filter = DocumentFilter {
                chat,
                since,
                until,
                source,
                contains,
                category,
                phone,
                cluster,
                limit,
                ..DocumentFilter::default()
            };
            let format = match format {
                Some(ExportKind::Jsonl) => ExportFormat::Jsonl,
                Some(ExportKind::Csv) => ExportFormat::Csv,
                None => {
                    eprintln!("writing JSONL, one document a line (--format csv for CSV)");
                    ExportFormat::Jsonl
                }
            };
            // The same rate table as the web application's pay figures.
            let rates = kuzot_model::RateTable::default();
            let count = match output {
                Some(path) => {
                    // Write beside the target and rename, so a failed export leaves no half file.
                    let tmp = path.with_extension("partial");
                    let file = std::fs::File::create(&tmp)
                        .with_context(|| format!("{}", tmp.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    let count =
                        kuzot_service::export_documents(&store, &filter, format, &rates, &mut out)?;
                    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                    std::fs::rename(&tmp, &path).with_context(|| format!("{}", path.display()))?;
                    count
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut out = std::io::BufWriter::new(stdout.lock());
                    let count =
                        kuzot_service::export_documents(&store, &filter, format, &rates, &mut out)?;
                    out.flush()?;
                    count
                }
            };
            eprintln!(
                "exported {}",
                counted(count as u64, "document", "documents")
            );
            Ok(EXIT_OK)
        }
    }
}

/// `1 message`, `2 messages`: a count with its noun in the right number.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn category_names() -> String {
    Category::ALL
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where `kuzot train --install` puts the model that ingest and reanalyze use.
fn installed_model_path(settings: &Settings) -> PathBuf {
    settings.data_dir.join("models").join("current.kzm")
}

/// The genre model file given with `--genre-model`, set once at start.
static GENRE_MODEL_FILE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// The engine, with the model given, else the store's installed model, else cues alone.
fn load_engine(
    model: Option<&std::path::Path>,
    data_dir: Option<&std::path::Path>,
) -> anyhow::Result<kuzot_analysis::Engine> {
    let mut engine = kuzot_analysis::Engine::try_new().context("building the analysis engine")?;
    if let Some(path) = GENRE_MODEL_FILE.get().and_then(Option::as_ref) {
        let model = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                kuzot_analysis::genre::GenreModel::from_bytes(&b).map_err(|e| e.to_string())
            })
            .map_err(|e| {
                eprintln!(
                    "warning: genre model {} refused: {e}; falling back to the cue model",
                    path.display()
                );
                format!(
                    "{}: {e}",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                )
            });
        engine = engine.with_genre_model(model);
    }
    let installed = data_dir
        .map(|dir| dir.join("models").join("current.kzm"))
        .filter(|p| p.exists());
    let Some(path) = model.map(std::path::Path::to_path_buf).or(installed) else {
        return Ok(engine);
    };
    let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
    let model = kuzot_analysis::linear::LinearModel::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(engine.with_model(model))
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())?;
    Ok(())
}

fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let location = settings.store_location();
    Store::connect(&location)
        .with_context(|| format!("opening the store at {}", location.display()))
}

/// Opens a store that must exist already: for the commands that only read or change what
/// is stored. A mistyped `--data-dir` would otherwise create an empty store there and
/// answer "0 documents" as if the evidence were gone.
fn open_existing_store(settings: &Settings) -> anyhow::Result<Store> {
    if let kuzot_store::StoreLocation::Sqlite(dir) = settings.store_location()
        && !dir.join("kuzot.db").is_file()
    {
        anyhow::bail!(
            "there is no kuzot store in {} ({}); check --data-dir (or KUZOT_DATA), \
             or create a store with `kuzot ingest`",
            dir.display(),
            if dir.is_dir() {
                "the folder has no kuzot.db"
            } else {
                "no such folder"
            }
        );
    }
    open_store(settings)
}

fn ingest_exit_code(summary: &IngestSummary) -> u8 {
    match summary.verdict() {
        IngestVerdict::Complete => EXIT_OK,
        IngestVerdict::SomeRejected => EXIT_SOME_REJECTED,
        IngestVerdict::NothingUsable => EXIT_NOTHING_USABLE,
    }
}

fn print_summary(summary: &IngestSummary) {
    for f in &summary.files {
        let format = f.format.map(|f| f.as_str()).unwrap_or("-");
        let path = f.path.display();
        let mut rejected_in_all = 0;
        match &f.status {
            FileStatus::Imported { counts } => {
                println!(
                    "imported   {path} ({format}): {} added, {} already present, {} rejected{}",
                    counts.added,
                    counts.already_present,
                    counts.rejected,
                    if counts.service_records > 0 {
                        format!(", {} service messages not stored", counts.service_records)
                    } else {
                        String::new()
                    }
                );
                rejected_in_all = counts.rejected;
            }
            FileStatus::AlreadyImported { as_name, at } => {
                println!(
                    "unchanged  {path}: the same file was imported as {as_name:?} on {at}; nothing added"
                );
            }
            FileStatus::Rejected {
                reason,
                nothing_usable,
            } => {
                println!("REJECTED   {path} ({format}): {reason}; nothing stored from it");
                if let Some(NothingUsable::AllRecordsRejected { rejected }) = nothing_usable {
                    rejected_in_all = *rejected;
                }
            }
            FileStatus::Skipped { reason } => println!("skipped    {path}: {reason}"),
        }
        for r in &f.rejected_records {
            println!("    rejected {}: {}", r.position, r.reason);
        }
        let unlisted = rejected_in_all.saturating_sub(f.rejected_records.len() as u64);
        if unlisted > 0 {
            // Only an imported file's rejected records are kept in the store to list later.
            if matches!(f.status, FileStatus::Imported { .. }) {
                println!("    … and {unlisted} more (kuzot sources --rejected ID lists all)");
            } else {
                println!("    … and {unlisted} more");
            }
        }
    }
    let totals = summary.totals();
    let (imported, already, rejected, skipped) = summary.file_counts();
    println!(
        "\n{} files: {imported} imported, {already} unchanged, {rejected} rejected, {skipped} skipped — {} documents added, {} already present, {} records rejected",
        summary.files.len(),
        totals.added,
        totals.already_present,
        totals.rejected
    );
}
