//! `kuzot worker`: analyses what waits in the store's analysis queue, batch by batch.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use kuzot_service::{DrainUntil, Settings};

/// Sets `stop` on the first Ctrl-C or SIGTERM, from a thread of its own (the worker's
/// loop is synchronous and checks the flag between batches).
fn stop_on_signal(stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the signal handler")?;
    std::thread::Builder::new()
        .name("kuzot-worker-signals".into())
        .spawn(move || {
            runtime.block_on(async {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{SignalKind, signal};
                    match signal(SignalKind::terminate()) {
                        Ok(mut term) => {
                            tokio::select! {
                                _ = tokio::signal::ctrl_c() => {}
                                _ = term.recv() => {}
                            }
                        }
                        Err(_) => {
                            let _ = tokio::signal::ctrl_c().await;
                        }
                    }
                }
                #[cfg(not(unix))]
                {
                    let _ = tokio::signal::ctrl_c().await;
                }
            });
            eprintln!("kuzot worker: stopping after the current batch");
            stop.store(true, Ordering::Relaxed);
        })
        .context("starting the signal handler")?;
    Ok(())
}

/// `kuzot worker [--once]`.
pub fn worker(
    settings: &Settings,
    once: bool,
    model: Option<&Path>,
    batch: usize,
    json: bool,
) -> anyhow::Result<u8> {
    if batch == 0 {
        anyhow::bail!("--batch must be at least 1");
    }
    let mut store = crate::open_store(settings)?;
    let engine = crate::load_engine(model, Some(&settings.data_dir))?;
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signal(stop.clone())?;
    let waiting = store.analysis_queue_len()?;
    if !json {
        eprintln!(
            "kuzot worker: {} waiting in {}; engine {}{}",
            crate::counted(waiting, "document", "documents"),
            store.location(),
            engine.version(),
            if once {
                " (stops when the queue is empty)"
            } else {
                " (Ctrl-C to stop)"
            }
        );
    }
    let bar = crate::progress::IngestBar::documents(!json);
    let until = if once {
        DrainUntil::Empty
    } else {
        DrainUntil::Stopped
    };
    let report =
        kuzot_service::drain_analysis_queue(&mut store, &engine, batch, until, &stop, &bar)?;
    let left = store.analysis_queue_len()?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "analysed": report.analysed,
                "batches": report.batches,
                "regrouped": report.regroupings > 0,
                "still_queued": left,
                "engine_version": engine.version(),
            })
        );
    } else {
        println!(
            "analysed {} in {} with engine {}; {} still queued{}",
            crate::counted(report.analysed, "document", "documents"),
            crate::counted(report.batches, "batch", "batches"),
            engine.version(),
            left,
            if report.regroupings > 0 {
                "; near-duplicates regrouped"
            } else {
                ""
            }
        );
    }
    Ok(crate::EXIT_OK)
}
