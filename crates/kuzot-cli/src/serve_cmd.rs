//! `kuzot serve`: the web application over the store of `--data-dir`, or with `--demo`
//! over a fresh store loaded with the example exports built into the binary.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuzot_service::{IngestOptions, NoProgress, Settings};

/// The example exports shipped in `examples/`, built into the binary so that
/// `kuzot serve --demo` works from any directory.
const EXAMPLES: [(&str, &[u8]); 7] = [
    (
        "telegram/result.json",
        include_bytes!("../../../examples/telegram/result.json"),
    ),
    (
        "telegram_html/messages.html",
        include_bytes!("../../../examples/telegram_html/messages.html"),
    ),
    (
        "whatsapp/WhatsApp Chat with Ish bor Toshkent–Moskva.txt",
        include_bytes!("../../../examples/whatsapp/WhatsApp Chat with Ish bor Toshkent–Moskva.txt"),
    ),
    (
        "whatsapp/Чат WhatsApp с Работа Москва.txt",
        include_bytes!("../../../examples/whatsapp/Чат WhatsApp с Работа Москва.txt"),
    ),
    (
        "web/sakharovo_leaflets.html",
        include_bytes!("../../../examples/web/sakharovo_leaflets.html"),
    ),
    (
        "pdf/report.pdf",
        include_bytes!("../../../examples/pdf/report.pdf"),
    ),
    (
        "README.txt",
        b"Fictional example exports shipped with kuzot for its demo.\n",
    ),
];

/// Writes the built-in examples under `dir`; returns their folder.
fn write_examples(dir: &Path) -> anyhow::Result<PathBuf> {
    let root = dir.join("examples");
    for (name, bytes) in EXAMPLES {
        if name == "README.txt" {
            continue;
        }
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
        }
        std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
    }
    Ok(root)
}

/// The server's limits from the `[server]` settings, and its uploads' from `[ingest]`.
fn web_limits(
    server: &kuzot_service::ServerLimits,
    ingest: &kuzot_service::IngestLimits,
    public_numbers: &kuzot_service::PublicNumbersSettings,
) -> kuzot_web::Limits {
    use std::time::Duration;
    let size = |bytes: u64| usize::try_from(bytes).unwrap_or(usize::MAX);
    kuzot_web::Limits {
        form_body_bytes: size(server.form_body_bytes),
        upload_body_bytes: size(server.upload_body_bytes),
        password_hashes: server.password_hashes.max(1) as usize,
        hash_wait: Duration::from_secs(server.hash_wait_seconds),
        login_attempts: server.login_attempts.max(1) as usize,
        login_window: Duration::from_secs(server.login_window_seconds),
        connections: server.connections.max(1) as usize,
        searches: match server.searches {
            0 => kuzot_web::default_searches(),
            n => n as usize,
        },
        header_read_timeout: Duration::from_secs(server.header_read_timeout_seconds.max(1)),
        read: ingest.read_limits(),
        check_text_chars: size(server.check_text_chars).max(1),
        public_requests: server.public_requests.max(1) as usize,
        public_window: Duration::from_secs(server.public_window_seconds.max(1)),
        public_numbers: kuzot_web::pages::public_numbers::PublicNumbersLimits {
            min_cell: public_numbers.min_cell.max(1),
            requests_per_minute: public_numbers.requests_per_minute,
            cache: Duration::from_secs(public_numbers.cache_seconds),
        },
    }
}

/// Runs the server until Ctrl-C.
pub fn serve(
    settings: &Settings,
    data_dir_given: bool,
    listen: SocketAddr,
    demo: bool,
    secure_cookies: bool,
) -> anyhow::Result<()> {
    // A demo without --data-dir lives in a temporary directory removed at exit: it is for
    // looking around, not for evidence.
    let mut _demo_dir = None;
    let data_dir = if demo && !data_dir_given {
        let dir = tempfile::Builder::new()
            .prefix("kuzot-demo-")
            .tempdir()
            .context("creating the demo data directory")?;
        let path = dir.path().join("data");
        _demo_dir = Some(dir);
        path
    } else {
        settings.data_dir.clone()
    };
    // A demo on its own temporary directory stays on SQLite; otherwise the configured
    // database (PostgreSQL for a shared server).
    let database = if demo && !data_dir_given {
        None
    } else {
        Some(settings.store_location())
    };
    if demo {
        let location = database
            .clone()
            .unwrap_or_else(|| kuzot_store::StoreLocation::Sqlite(data_dir.clone()));
        let mut store = kuzot_store::Store::connect(&location)
            .with_context(|| format!("opening the store at {}", location.display()))?;
        let staging = tempfile::tempdir().context("staging the examples")?;
        let examples = write_examples(staging.path())?;
        let engine = kuzot_analysis::Engine::try_new()
            .map_err(|e| anyhow::anyhow!("building the analysis engine: {e}"))?;
        let options = IngestOptions {
            operator: "kuzot demo".into(),
            limits: settings.ingest.read_limits(),
            ..IngestOptions::default()
        };
        let summary = kuzot_service::ingest_paths(
            &mut store,
            &[examples],
            &options,
            Some(&engine),
            &NoProgress,
        )
        .context("loading the examples")?;
        let totals = summary.totals();
        eprintln!(
            "demo: {} example files, {} messages added ({} already there), data in {}",
            summary.files.len(),
            totals.added,
            totals.already_present,
            data_dir.display()
        );
    }
    let options = kuzot_web::ServeOptions {
        data_dir: data_dir.clone(),
        database: database.clone(),
        listen,
        secure_cookies,
        rates: kuzot_model::RateTable::default(),
        operator: settings.operator_name(),
        limits: web_limits(&settings.server, &settings.ingest, &settings.public_numbers),
        analysis_by_workers: settings.server.analysis == kuzot_service::AnalysisMode::Workers,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(kuzot_web::serve(options, |started| {
        println!(
            "kuzot is serving {} on http://{}/",
            data_dir.display(),
            started.address
        );
        if let Some(link) = &started.setup_link {
            println!("No account exists yet. Open this one-time link to create the administrator:");
            println!("  {link}");
        }
        println!("Stop with Ctrl-C.");
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_server_settings_are_the_servers_default_limits() {
        assert_eq!(
            super::web_limits(
                &kuzot_service::ServerLimits::default(),
                &kuzot_service::IngestLimits::default(),
                &kuzot_service::PublicNumbersSettings::default(),
            ),
            kuzot_web::Limits::default()
        );
    }
}
