//! What every request handler shares: the stores, the search index, the engine, the
//! interface catalog, running imports, the login throttle's limits, the bound on concurrent
//! password hashes and the server's resource [`Limits`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use kuzot_analysis::Engine;
use kuzot_model::RateTable;
use kuzot_search::SearchIndex;
use kuzot_store::accounts::LoginThrottle;
use kuzot_store::{Store, StoreLocation};

use crate::accounts::Accounts;
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::imports::Jobs;

/// Shared state of the application (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts of the state.
pub struct Inner {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Evidence store connections.
    pub stores: StorePool,
    /// Accounts, sessions, tokens, audit log.
    pub accounts: Accounts,
    /// The search index.
    pub index: SearchIndex,
    /// The analysis engine in use (replaced when an admin switches models).
    pub engine: RwLock<Arc<Engine>>,
    /// Interface strings.
    pub catalog: Arc<Catalog>,
    /// Imports running or finished since start.
    pub jobs: Jobs,
    /// How many login attempts a client address or an account name may start in a
    /// window; the attempts are counted in the account store, so every process of a
    /// deployment shares them.
    pub login_throttle: LoginThrottle,
    /// Permits for argon2 hashing (19 MiB each): at most `limits.password_hashes` at once.
    pub password_hashes: Arc<tokio::sync::Semaphore>,
    /// Permits for searching the index: at most `limits.searches` at once, handed out in
    /// the order requests asked for them.
    pub search_slots: Arc<tokio::sync::Semaphore>,
    /// Body sizes, connections, timeouts.
    pub limits: Limits,
    /// Rouble rates for pay.
    pub rates: RateTable,
    /// Whether session cookies carry `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Imports store documents unanalysed and queue them for `kuzot worker` processes
    /// (`analysis = "workers"` under `[server]`), instead of analysing them in-process.
    pub analysis_by_workers: bool,
    /// Model retraining results waiting for an admin's decision.
    pub candidate_model: Mutex<Option<crate::pages::model::Candidate>>,
    /// Requests per client address to the offer checker (`/check`, `POST /api/v1/check`)
    /// and the rights page (`/rights`).
    pub public_rate: crate::rate_limit::RateLimiter,
    /// Requests per client address per minute to the public numbers (`/public`, its charts).
    pub public_numbers_rate: crate::rate_limit::RateLimiter,
    /// The legal statements the public pages show.
    pub law: Arc<kuzot_model::law::Statements>,
    /// The public numbers page's cached counts.
    pub public_numbers: crate::pages::public_numbers::PublicNumbersState,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Wraps the parts.
    pub fn new(inner: Inner) -> AppState {
        AppState(Arc::new(inner))
    }

    /// Runs `f` with a store connection on the blocking thread pool.
    pub async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut store = state.stores.get()?;
            let result = f(&mut store);
            state.stores.put(store);
            result
        })
        .await
        .map_err(|e| AppError::internal(format!("store task: {e}")))?
    }

    /// Runs blocking work (accounts, hashing, index) off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&state))
            .await
            .map_err(|e| AppError::internal(format!("task: {e}")))?
    }

    /// Searches the index on the blocking pool, once one of `limits.searches` slots is
    /// free. Why a queue of our own: under load (64 clients on two cores while an import
    /// runs) letting every search start at once makes them share the cores and all finish
    /// late, and the slowest wait longest; a fair queue in front of as many searches as
    /// there are cores finishes each in turn, so the waiting is shared out evenly and the
    /// slowest request waits about as long as the typical one.
    pub async fn search(
        &self,
        query: kuzot_search::SearchQuery,
    ) -> Result<kuzot_search::SearchResults, AppError> {
        let slot = self
            .search_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AppError::internal(format!("search slots: {e}")))?;
        self.blocking(move |s| {
            let results = s.index.search(&query);
            drop(slot);
            Ok(results?)
        })
        .await
    }

    /// Appends to the audit log from an async handler (the store is called on the blocking
    /// pool: the PostgreSQL client must never run on an async thread).
    pub async fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<(), AppError> {
        let (actor, action, detail) = (actor.to_owned(), action.to_owned(), detail.to_owned());
        self.blocking(move |s| Ok(s.accounts.audit(&actor, &action, &detail)?))
            .await
    }

    /// Starts a login attempt for `keys`, counted before the password is hashed so that
    /// requests sent at once cannot all be checked; false when any key has used its
    /// attempts in the window (nothing is recorded then).
    pub async fn begin_login_attempt(&self, keys: &[&str]) -> Result<bool, AppError> {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.blocking(move |s| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            Ok(s.accounts.begin_login_attempt(&keys, s.login_throttle)?)
        })
        .await
    }

    /// Forgets the login attempts of `keys` after a successful login.
    pub async fn forget_login_attempts(&self, keys: &[&str]) -> Result<(), AppError> {
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.blocking(move |s| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            Ok(s.accounts.forget_login_attempts(&keys)?)
        })
        .await
    }

    /// A permit to hash a password, waiting at most `limits.hash_wait` for one; a 503
    /// when the server is busy hashing (a flood of logins must not take all its memory).
    pub async fn password_hash_permit(
        &self,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        let wait = self.limits.hash_wait;
        match tokio::time::timeout(wait, self.password_hashes.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the server is busy checking other logins; try again in a few seconds",
            )),
        }
    }

    /// The engine in use.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// A pool of evidence-store connections. SQLite in WAL mode lets them read at once;
/// writes wait on SQLite's own lock (busy timeout), so the pool needs no write queue.
pub struct StorePool {
    location: StoreLocation,
    idle: Mutex<Vec<Store>>,
}

impl StorePool {
    /// A pool over the store at `location` (opened once now, so that errors show at start).
    pub fn open(location: &StoreLocation) -> Result<StorePool, kuzot_store::StoreError> {
        let first = Store::connect(location)?;
        Ok(StorePool {
            location: location.clone(),
            idle: Mutex::new(vec![first]),
        })
    }

    /// A connection of its own, outside the pool (for long work such as an import).
    pub fn connect(&self) -> Result<Store, kuzot_store::StoreError> {
        Store::connect(&self.location)
    }

    fn get(&self) -> Result<Store, AppError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(store) => Ok(store),
            None => Store::connect(&self.location).map_err(AppError::from),
        }
    }

    fn put(&self, store: Store) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // Keep a few: more connections than cores only hold memory.
        if idle.len() < 8 {
            idle.push(store);
        }
    }
}

/// Resource limits of the server: what one request or connection may take. Every field
/// is a setting of the `[server]` table of `kuzot.toml` (see `kuzot config default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest body of any request except an analyst's upload (forms, logins, labels, JSON).
    pub form_body_bytes: usize,
    /// Largest upload (`POST /imports`, `POST /api/v1/imports`), for analysts only.
    pub upload_body_bytes: usize,
    /// Password hashes (argon2, 19 MiB each) computed at once.
    pub password_hashes: usize,
    /// How long a login waits for a hashing permit before a 503.
    pub hash_wait: Duration,
    /// Login attempts per account and per address within `login_window`.
    pub login_attempts: usize,
    /// The sliding window of `login_attempts`.
    pub login_window: Duration,
    /// Open connections at once; further connections wait in the listen queue.
    pub connections: usize,
    /// Searches run at once; further ones wait their turn (see [`AppState::search`]).
    pub searches: usize,
    /// Time a client has to send a request's headers, and to start the next request of a
    /// kept-alive connection, before the connection is closed.
    pub header_read_timeout: Duration,
    /// Size and nesting bounds of what an upload's readers accept (the `[ingest]` settings).
    pub read: kuzot_ingest::ReadLimits,
    /// The longest text the public offer checker takes, in characters.
    pub check_text_chars: usize,
    /// Requests one client address may send to the public pages within `public_window`.
    pub public_requests: usize,
    /// The window of `public_requests`.
    pub public_window: Duration,
    /// The public numbers page (the `[public_numbers]` settings).
    pub public_numbers: crate::pages::public_numbers::PublicNumbersLimits,
}

impl Limits {
    /// The largest body of a POST to the offer checker: its longest text in the worst
    /// encoding (4 UTF-8 bytes a character, each percent-encoded as 3, or a JSON
    /// surrogate pair's 12), plus room for the other fields; never less than the form
    /// limit.
    pub fn check_body_bytes(&self) -> usize {
        self.check_text_chars
            .saturating_mul(12)
            .saturating_add(4096)
            .max(self.form_body_bytes)
    }
}

/// As many searches at once as the machine has cores.
pub fn default_searches() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            form_body_bytes: 64 << 10,
            upload_body_bytes: 2 << 30,
            password_hashes: 4,
            hash_wait: Duration::from_secs(5),
            login_attempts: 5,
            login_window: Duration::from_secs(15 * 60),
            connections: 1024,
            searches: default_searches(),
            header_read_timeout: Duration::from_secs(20),
            read: kuzot_ingest::ReadLimits::default(),
            check_text_chars: 20_000,
            public_requests: 30,
            public_window: Duration::from_secs(60),
            public_numbers: Default::default(),
        }
    }
}
