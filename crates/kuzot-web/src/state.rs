//! What every request handler shares: the stores, the search index, the engine, the
//! interface catalog, running imports, the login limiter, the bound on concurrent password
//! hashes and the server's resource [`Limits`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use kuzot_analysis::Engine;
use kuzot_model::RateTable;
use kuzot_search::SearchIndex;
use kuzot_store::Store;

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
    /// Login attempts, to slow down guessing.
    pub login_limiter: LoginLimiter,
    /// Permits for argon2 hashing (19 MiB each): at most `limits.password_hashes` at once.
    pub password_hashes: Arc<tokio::sync::Semaphore>,
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
    data_dir: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl StorePool {
    /// A pool over the store in `data_dir` (opened once now, so that errors show at start).
    pub fn open(data_dir: &Path) -> Result<StorePool, kuzot_store::StoreError> {
        let first = Store::open(data_dir)?;
        Ok(StorePool {
            data_dir: data_dir.to_owned(),
            idle: Mutex::new(vec![first]),
        })
    }

    fn get(&self) -> Result<Store, AppError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(store) => Ok(store),
            None => Store::open(&self.data_dir).map_err(AppError::from),
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
    /// Time a client has to send a request's headers, and to start the next request of a
    /// kept-alive connection, before the connection is closed.
    pub header_read_timeout: Duration,
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
            header_read_timeout: Duration::from_secs(20),
        }
    }
}

/// Login attempts per client address and per account name in a sliding window.
///
/// An attempt is counted when it starts, before its password is hashed, and forgotten only
/// when it succeeds: forty requests sent at once get `max_attempts` checks, not forty.
pub struct LoginLimiter {
    attempts: Mutex<HashMap<String, Vec<Instant>>>,
    max_attempts: usize,
    window: Duration,
}

/// Most keys the limiter remembers; past it, keys not yet seen are not recorded (the
/// address key still limits a flood of made-up names).
const MAX_LIMITER_KEYS: usize = 100_000;

impl LoginLimiter {
    /// `max_attempts` within `window` lock a key until the oldest expires.
    pub fn new(max_attempts: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            attempts: Mutex::new(HashMap::new()),
            max_attempts,
            window,
        }
    }

    /// Starts an attempt for all of `keys`: false (and nothing recorded) when any of them
    /// has used its attempts in the window; otherwise the attempt is counted for each key
    /// at once, in one critical section, so concurrent requests cannot all pass the check.
    pub fn try_begin(&self, keys: &[&str]) -> bool {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let locked = keys.iter().any(|key| {
            map.get_mut(*key).is_some_and(|times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len() >= self.max_attempts
            })
        });
        if locked {
            return false;
        }
        if map.len() > MAX_LIMITER_KEYS {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        for key in keys {
            if map.len() > MAX_LIMITER_KEYS && !map.contains_key(*key) {
                continue;
            }
            map.entry((*key).to_owned()).or_default().push(now);
        }
        true
    }

    /// Forgets the attempts of `keys` after a successful login.
    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            map.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_counts_attempts_when_they_start_and_forgets_them_on_success() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.try_begin(&["ip:1", "user:a"]));
        }
        // The account is locked from another address, the address for another account.
        assert!(!limiter.try_begin(&["ip:2", "user:a"]));
        assert!(!limiter.try_begin(&["ip:1", "user:b"]));
        // A refused attempt is not recorded for its other key.
        assert!(limiter.try_begin(&["ip:3", "user:b"]));
        limiter.succeed(&["user:a", "ip:1"]);
        assert!(limiter.try_begin(&["ip:1", "user:a"]));
    }
}
