//! `kuzot reindex` and `kuzot search`, and the index update that ends an ingest or a re-analysis.

use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kuzot_model::{Category, RateTable};
use kuzot_search::{SearchIndex, SearchQuery, Snippet, Sort};
use kuzot_service::Settings;
use kuzot_store::Store;
use time::OffsetDateTime;

/// Order of `kuzot search` hits.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// Best match first.
    Relevance,
    /// Latest first.
    Newest,
    /// Earliest first.
    Oldest,
}

/// Arguments of `kuzot search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words (all must match), "quoted phrases", -excluded, prefix*; empty: every document.
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// Only this category (the analyst's label, else the engine's).
    #[arg(long, value_parser = parse_category)]
    category: Option<Category>,
    /// Only this genre: ad, report, testimony, warning, job_search, chatter.
    #[arg(long, value_parser = parse_genre)]
    genre: Option<kuzot_model::Genre>,
    /// Only messages about this category, whatever their genre (news on PMC recruiting:
    /// `--topic pmc --genre report`).
    #[arg(long, value_parser = parse_category)]
    topic: Option<Category>,
    /// Only this main language (ru, ky, uz, tg, kk, en).
    #[arg(long)]
    lang: Option<String>,
    /// Only this chat or channel (exact name).
    #[arg(long)]
    chat: Option<String>,
    /// Only from the source file whose SHA-256 starts with this.
    #[arg(long, value_name = "SHA-PREFIX")]
    source: Option<String>,
    /// Only from this date or time on (2024-03-01 or RFC 3339).
    #[arg(long, value_parser = crate::parse_time)]
    since: Option<OffsetDateTime>,
    /// Only before this date or time.
    #[arg(long, value_parser = crate::parse_time)]
    until: Option<OffsetDateTime>,
    /// Only documents naming this place (gazetteer id, e.g. mariupol).
    #[arg(long, value_name = "ID")]
    place: Option<String>,
    /// Only documents naming occupied territory.
    #[arg(long)]
    occupied: bool,
    /// Only documents naming this organisation (e.g. wagner, ministry_of_defence).
    #[arg(long)]
    org: Option<String>,
    /// Only documents with this phone number (E.164).
    #[arg(long, value_name = "E164")]
    phone: Option<String>,
    /// Only documents promising this (e.g. citizenship, lump_sum).
    #[arg(long)]
    promise: Option<String>,
    /// Only offers paying at least this many roubles a month.
    #[arg(long, value_name = "RUB")]
    min_pay: Option<f64>,
    /// Order of hits.
    #[arg(long, value_enum, default_value = "relevance")]
    sort: SortArg,
    /// At most this many hits.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

fn parse_genre(s: &str) -> Result<kuzot_model::Genre, String> {
    kuzot_model::Genre::parse(s).ok_or_else(|| {
        let all: Vec<&str> = kuzot_model::Genre::ALL.iter().map(|g| g.as_str()).collect();
        format!("unknown genre {s:?}; one of: {}", all.join(", "))
    })
}

fn parse_category(s: &str) -> Result<Category, String> {
    Category::parse(s).ok_or_else(|| {
        format!(
            "unknown category {s:?}; one of: {}",
            crate::category_names()
        )
    })
}

/// Where the index of a data directory lives.
pub fn index_dir(settings: &Settings) -> PathBuf {
    settings.data_dir.join("index")
}

fn open_index(dir: &Path) -> anyhow::Result<SearchIndex> {
    // The settings hold no rate table yet: the built-in one is used and stated.
    SearchIndex::open_or_rebuild(dir, RateTable::default())
        .with_context(|| format!("opening the search index in {}", dir.display()))
}

/// `kuzot reindex`: rebuilds the index from the store, with a progress bar.
pub fn reindex(settings: &Settings, store: &Store, json: bool) -> anyhow::Result<u8> {
    let dir = index_dir(settings);
    let index = match SearchIndex::open(&dir, RateTable::default()) {
        Ok(index) => index,
        Err(kuzot_search::SearchError::SchemaMismatch { .. }) => {
            // An index of another layout is exactly what reindex is for: start afresh.
            std::fs::remove_dir_all(&dir).with_context(|| dir.display().to_string())?;
            open_index(&dir)?
        }
        Err(e) => return Err(e).with_context(|| format!("opening {}", dir.display())),
    };
    let target = if json {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(0), target);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} documents ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let indexed = kuzot_service::rebuild_index(&index, store, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    if json {
        println!(
            "{}",
            serde_json::json!({"indexed": indexed, "seconds": seconds, "index": dir})
        );
    } else {
        println!(
            "indexed {indexed} documents in {seconds:.1} s into {}",
            dir.display()
        );
    }
    Ok(crate::EXIT_OK)
}

/// `kuzot ingest`: the ingest → analyse → store → index use case, over the data
/// directory's index (created when missing). A failure of the index is reported, not
/// fatal: the documents are stored, and `kuzot reindex` (or a running server, which
/// follows the store) catches the index up later.
pub fn ingest_and_index(
    settings: &Settings,
    store: &mut Store,
    paths: &[PathBuf],
    options: &kuzot_service::IngestOptions,
    engine: Option<&kuzot_analysis::Engine>,
    progress: &dyn kuzot_service::IngestProgress,
) -> anyhow::Result<kuzot_service::IngestSummary> {
    let index = match open_index(&index_dir(settings)) {
        Ok(index) => index,
        Err(e) => {
            let summary = kuzot_service::ingest_paths(store, paths, options, engine, progress)?;
            warn_index_not_updated(&e);
            return Ok(summary);
        }
    };
    let done = kuzot_service::ingest_and_index(store, &index, paths, options, engine, progress)?;
    report_index_update(done.index);
    Ok(done.summary)
}

/// `kuzot reanalyze`: the re-analyse → index use case. Returns the documents analysed.
pub fn reanalyze_and_index(
    settings: &Settings,
    store: &mut Store,
    engine: &kuzot_analysis::Engine,
    progress: &dyn kuzot_service::IngestProgress,
) -> anyhow::Result<u64> {
    match open_index(&index_dir(settings)) {
        Ok(index) => {
            let (done, indexed) =
                kuzot_service::reanalyze_and_index(store, &index, engine, progress)?;
            report_index_update(indexed);
            Ok(done)
        }
        Err(e) => {
            let done = kuzot_service::reanalyze(store, engine, progress)?;
            warn_index_not_updated(&e);
            Ok(done)
        }
    }
}

/// Logs what following the store did to the index, or warns that it failed.
pub fn report_index_update(update: Result<kuzot_search::FollowReport, kuzot_search::SearchError>) {
    match update {
        Ok(report) => tracing::info!(
            changes = report.changes,
            documents = report.documents,
            rebuilt = report.rebuilt,
            "search index followed the store"
        ),
        Err(e) => warn_index_not_updated(&anyhow::Error::from(e)),
    }
}

fn warn_index_not_updated(e: &anyhow::Error) {
    eprintln!("kuzot: warning: the search index was not updated ({e:#}); run `kuzot reindex`");
}

fn format_time(t: Option<i64>) -> String {
    t.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_else(|| "-".into())
}

/// The snippet on one line, hit words in `[brackets]` (or bold on a terminal).
fn marked(snippet: &Snippet, terminal: bool) -> String {
    let (open, close) = if terminal {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut out = String::with_capacity(snippet.text.len() + 16);
    let mut at = 0;
    for r in &snippet.highlights {
        out.push_str(snippet.text.get(at..r.start).unwrap_or(""));
        out.push_str(open);
        out.push_str(snippet.text.get(r.clone()).unwrap_or(""));
        out.push_str(close);
        at = r.end;
    }
    out.push_str(snippet.text.get(at..).unwrap_or(""));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `kuzot search`.
pub fn search(settings: &Settings, args: SearchArgs, json: bool) -> anyhow::Result<u8> {
    let dir = index_dir(settings);
    if !dir.join("meta.json").exists() {
        anyhow::bail!(
            "there is no search index in {}; run `kuzot reindex` first",
            dir.display()
        );
    }
    let index = open_index(&dir)?;
    // What other processes wrote since (a worker's analyses, a server's labels) is applied
    // first; a store that cannot be read leaves the index as it is, with a warning.
    match crate::open_store(settings) {
        Ok(store) => report_index_update(kuzot_service::follow_index(&index, &store)),
        Err(e) => warn_index_not_updated(&e),
    }
    if index.doc_count() == 0 {
        anyhow::bail!(
            "the search index in {} is empty; run `kuzot reindex` (or ingest documents) first",
            dir.display()
        );
    }
    let query = SearchQuery {
        text: args.query.join(" "),
        category: args.category,
        genre: args.genre,
        topic: args.topic,
        lang: args.lang,
        chat: args.chat,
        source: args.source,
        since: args.since.map(OffsetDateTime::unix_timestamp),
        until: args.until.map(OffsetDateTime::unix_timestamp),
        place: args.place,
        occupied: args.occupied.then_some(true),
        org: args.org,
        phone: args.phone,
        promise: args.promise,
        min_pay_rub: args.min_pay,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Oldest => Sort::Oldest,
        },
        offset: 0,
        limit: args.limit.max(1),
    };
    let results = index.search(&query)?;
    if json {
        for hit in &results.hits {
            println!("{}", serde_json::to_string(hit)?);
        }
    } else {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal();
        for hit in &results.hits {
            println!(
                "{:>8}  {}  {:<24} {}\n          {}",
                hit.id,
                format_time(hit.time),
                hit.category.as_str(),
                hit.chat.as_deref().unwrap_or("-"),
                marked(&hit.snippet, terminal)
            );
        }
        eprintln!(
            "{} of {} matching documents",
            results.hits.len(),
            results.total
        );
    }
    Ok(crate::EXIT_OK)
}
