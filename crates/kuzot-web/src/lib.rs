//! The kuzot web application: search, message pages, the dashboard, analyst review and
//! retraining, imports from the browser, accounts and roles, in Kyrgyz, Russian and
//! English, and the JSON API under `/api/v1` — served by one binary over the embedded store.
//!
//! Layout:
//! - [`serve`] starts the server; [`app`] builds the router (tests drive it in-process);
//! - [`auth`] resolves the caller and guards every state-changing request against CSRF;
//!   handlers declare the role they need with the [`auth::Viewer`], [`auth::Analyst`] and
//!   [`auth::Admin`] extractors;
//! - [`accounts`] keeps accounts, sessions, API tokens, login attempts and the audit log in
//!   the account store (`accounts.db`, or the PostgreSQL database);
//! - [`pages`] are the HTML pages (askama templates under `templates/`), [`api`] the JSON
//!   API, [`export`] the CSV/JSONL/XLSX exports, [`imports`] uploads and their progress;
//! - [`i18n`] holds the Fluent catalogs (`locales/<lang>/{core,review,admin,entities}.ftl`);
//! - [`render`] is the only place that builds HTML from text in Rust, escaping it.
//!
//! Every response carries a strict Content-Security-Policy: no inline script, no inline
//! style, nothing from other origins. Message text is never rendered as HTML.

pub mod accounts;
pub mod api;
pub mod audit_text;
pub mod auth;
pub mod byte_range;
pub mod cite;
pub mod error;
pub mod export;
pub mod filters;
pub mod i18n;
pub mod imports;
pub mod pages;
pub mod rate_limit;
pub mod render;
pub mod small_cells;
pub mod state;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::{self, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use kuzot_store::StoreLocation;
use kuzot_store::accounts::LoginThrottle;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::{AppState, Inner, StorePool};
pub use crate::state::{Limits, default_searches};

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The Strict-Transport-Security of every response when cookies are `Secure` (one year).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The local data directory: this process's search index and models, and the SQLite
    /// store when `database` is not given.
    pub data_dir: PathBuf,
    /// The evidence database when it is not the SQLite store of `data_dir` (PostgreSQL).
    pub database: Option<kuzot_store::StoreLocation>,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Mark cookies `Secure` (when served behind HTTPS).
    pub secure_cookies: bool,
    /// Rouble rates for pay.
    pub rates: kuzot_model::RateTable,
    /// Threads for analysis during imports.
    pub operator: String,
    /// Body sizes, password hashes, connections and timeouts.
    pub limits: state::Limits,
    /// Imports leave analysis to `kuzot worker` processes (documents are stored and
    /// queued) instead of analysing in-process.
    pub analysis_by_workers: bool,
}

impl ServeOptions {
    /// Where the evidence and the accounts are: `database`, else the SQLite store of
    /// `data_dir`.
    pub fn location(&self) -> StoreLocation {
        self.database
            .clone()
            .unwrap_or_else(|| StoreLocation::Sqlite(self.data_dir.clone()))
    }
}

/// How often the server applies the store's change log to its search index, so that what
/// other processes write (imports, labels, analyses) is searchable within seconds.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(1500);

/// Builds the application state over a data directory: opens the store, the accounts
/// (`accounts.db` of the data directory), the search index (bringing it up to date with the
/// store) and the engine.
pub fn open_state(options: &ServeOptions) -> anyhow::Result<AppState> {
    open_state_at(options, &options.location())
}

/// Builds the application state with the evidence store and the accounts at `location` (a
/// SQLite data directory or a PostgreSQL database shared by several servers); the search
/// index and the installed model come from `options.data_dir`.
pub fn open_state_at(options: &ServeOptions, location: &StoreLocation) -> anyhow::Result<AppState> {
    use anyhow::Context as _;
    let data_dir = &options.data_dir;
    let stores = StorePool::open(location)
        .with_context(|| format!("opening the store at {}", location.display()))?;
    let accounts = accounts::Accounts::connect(location).with_context(|| match location {
        StoreLocation::Sqlite(dir) => format!("opening {}", dir.join("accounts.db").display()),
        StoreLocation::Postgres(_) => format!("opening the accounts at {}", location.display()),
    })?;
    let index =
        kuzot_search::SearchIndex::open_or_rebuild(&data_dir.join("index"), options.rates.clone())
            .context("opening the search index")?;
    // What other processes wrote while the server was down is indexed now.
    {
        let store = stores.connect()?;
        let followed = kuzot_service::follow_index(&index, &store)
            .context("bringing the search index up to date")?;
        if followed.documents > 0 {
            tracing::info!(
                "indexed {} documents changed since the last start",
                followed.documents
            );
        }
    }
    // Uploads that a killed server left behind: the SQLite store sweeps them with its data
    // directory when it opens; a PostgreSQL store has no data directory, so the server
    // sweeps its own.
    if matches!(location, StoreLocation::Postgres(_)) {
        let swept = kuzot_store::sweep_stale_uploads(data_dir, kuzot_store::ORPHAN_GRACE);
        if swept.files > 0 {
            tracing::info!(
                "removed {} files ({} bytes) of uploads left by a server that stopped mid-import",
                swept.files,
                swept.bytes
            );
        }
    }
    let engine = load_engine(data_dir)?;
    let catalog = Arc::new(i18n::Catalog::load().map_err(anyhow::Error::msg)?);
    Ok(AppState::new(Inner {
        data_dir: data_dir.clone(),
        stores,
        accounts,
        index,
        engine: RwLock::new(Arc::new(engine)),
        catalog,
        jobs: imports::Jobs::default(),
        login_throttle: LoginThrottle {
            max_attempts: options.limits.login_attempts,
            window: options.limits.login_window,
        },
        password_hashes: Arc::new(tokio::sync::Semaphore::new(
            options.limits.password_hashes.max(1),
        )),
        search_slots: Arc::new(tokio::sync::Semaphore::new(options.limits.searches.max(1))),
        limits: options.limits.clone(),
        rates: options.rates.clone(),
        secure_cookies: options.secure_cookies,
        analysis_by_workers: options.analysis_by_workers,
        candidate_model: Mutex::new(None),
        public_rate: rate_limit::RateLimiter::new(
            options.limits.public_requests,
            options.limits.public_window,
        ),
        public_numbers_rate: rate_limit::RateLimiter::new(
            options.limits.public_numbers.requests_per_minute as usize,
            std::time::Duration::from_secs(60),
        ),
        law: Arc::new(kuzot_model::law::Statements::shipped().map_err(anyhow::Error::msg)?),
        public_numbers: Default::default(),
    }))
}

/// Path of the installed model of a data directory.
pub fn installed_model_path(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join("current.kzm")
}

/// The engine with the installed model, if any.
pub fn load_engine(data_dir: &Path) -> anyhow::Result<kuzot_analysis::Engine> {
    let engine = kuzot_analysis::Engine::try_new()
        .map_err(|e| anyhow::anyhow!("building the analysis engine: {e}"))?;
    let path = installed_model_path(data_dir);
    if !path.exists() {
        return Ok(engine);
    }
    let bytes = std::fs::read(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let model = kuzot_analysis::linear::LinearModel::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(engine.with_model(model))
}

async fn static_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
}

async fn static_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/app.js"),
    )
}

/// The router with every route, its middleware and its security headers.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::dashboard::dashboard))
        .route("/charts/{file}", get(pages::dashboard::chart_file))
        .route("/search", get(pages::search::search_page))
        .route("/search/{file}", get(export::search_export))
        .route("/messages/{id}", get(pages::message::message_page))
        .route("/messages/{id}/label", post(pages::message::label))
        .route(
            "/login",
            get(pages::session::login_page).post(pages::session::login),
        )
        .route("/logout", post(pages::session::logout))
        .route(
            "/setup/{token}",
            get(pages::session::setup_page).post(pages::session::setup),
        )
        .route("/lang/{code}", get(pages::session::switch_language))
        .route("/static/app.css", get(static_css))
        .route("/static/app.js", get(static_js))
        .merge(pages::review::routes())
        .merge(pages::model::routes())
        .merge(pages::admin::routes())
        .merge(pages::entities::routes())
        .merge(pages::public_check::routes())
        .merge(pages::rights::routes())
        .merge(pages::public_numbers::routes())
        .merge(imports::routes())
        .nest("/api/v1", api::routes());
    routes
        // The public limits, inside authentication so that a refusal knows the caller
        // and language, and inside the error pages so that they keep its own page.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit_public_requests,
        ))
        // Inside authentication, so that an error page knows the caller and language.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::error_page::error_pages,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        // The bound is the per-request limit the `authenticate` middleware puts on every
        // body (small, except analysts' uploads); axum's own default (2 MB, wrapped a
        // second time) would only hide which limit a body went over.
        .layer(DefaultBodyLimit::disable())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        // Behind HTTPS (`--secure-cookies`), browsers are told to come back over HTTPS only.
        .layer(tower::util::option_layer(state.secure_cookies.then(|| {
            SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
            )
        })))
        .with_state(state)
}

/// What the server printed at start: where it listens and, on a store without accounts,
/// the one-time link that creates the first admin.
#[derive(Debug, Clone)]
pub struct Started {
    /// The address bound (the port is real even when 0 was asked for).
    pub address: SocketAddr,
    /// The setup link, when no account exists yet.
    pub setup_link: Option<String>,
}

/// Binds, prints the address (and the setup link on first start), and serves until Ctrl-C.
pub async fn serve(options: ServeOptions, on_start: impl FnOnce(&Started)) -> anyhow::Result<()> {
    let location = options.location();
    serve_at(options, location, on_start).await
}

/// [`serve`] with the accounts at `location` (see [`open_state_at`]).
pub async fn serve_at(
    options: ServeOptions,
    location: StoreLocation,
    on_start: impl FnOnce(&Started),
) -> anyhow::Result<()> {
    let state = {
        let options = options.clone();
        tokio::task::spawn_blocking(move || open_state_at(&options, &location)).await??
    };
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.listen))?;
    let address = listener.local_addr()?;
    let setup_token = {
        // The account store blocks (and PostgreSQL's client must not run on this thread).
        let state = state.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<Option<String>> {
            Ok(if state.accounts.user_count()? == 0 {
                Some(state.accounts.create_setup_link()?)
            } else {
                None
            })
        })
        .await??
    };
    let setup_link = setup_token.map(|token| format!("http://{address}/setup/{token}"));
    on_start(&Started {
        address,
        setup_link,
    });
    let limits = state.limits.clone();
    let follower = tokio::spawn(follow_store(state.clone(), FOLLOW_INTERVAL));
    let served = serve_listener(listener, app(state), &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    follower.abort();
    served?;
    Ok(())
}

/// Applies the store's change log to the search index every `interval`, on a blocking
/// thread, for as long as the server runs: documents, labels and analyses that other
/// processes (another server, `kuzot ingest`, `kuzot worker`) write reach this process's
/// index within seconds. The dashboard's counts are cached per index generation, and the
/// index gets a new generation exactly when a follow applies changes, so they follow the
/// change log too. A failure is logged and tried again at the next tick.
pub async fn follow_store(state: AppState, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let index = state.index.clone();
        let followed = state
            .with_store(move |store| {
                kuzot_service::follow_index(&index, store).map_err(crate::error::AppError::from)
            })
            .await;
        match followed {
            Ok(report) if report.documents > 0 || report.rebuilt => tracing::debug!(
                changes = report.changes,
                documents = report.documents,
                seq = report.seq,
                "search index followed the store"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(
                "following the store's changes into the search index: {}",
                e.message
            ),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
///
/// Each connection is HTTP/1.1 with a header read timeout — a client that does not send a
/// whole request head within `limits.header_read_timeout` (on a new connection or between
/// the requests of a kept-alive one) is disconnected — and at most `limits.connections`
/// are open at once: past that, new connections wait in the kernel's listen queue instead
/// of taking file handles the store and the index need.
pub async fn serve_listener(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let open = Arc::new(tokio::sync::Semaphore::new(limits.connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file handles (or a client gone before accept): back off
                    // rather than spin, and keep serving the connections already open.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                request
            },
        );
        let connection = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Errors here are clients' (reset, timeout, malformed request): nothing to log
            // beyond a debug line, and never their content.
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
