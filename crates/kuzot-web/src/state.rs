//! What every request handler shares: the stores, the search index, the engine, the
//! interface catalog, running imports and the login limiter.

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
    /// Failed logins, to slow down guessing.
    pub login_limiter: LoginLimiter,
    /// Rouble rates for pay.
    pub rates: RateTable,
    /// Whether session cookies carry `Secure` (behind HTTPS).
    pub secure_cookies: bool,
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

/// Failed logins per client address and per account name in a sliding window.
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    max_failures: usize,
    window: Duration,
}

impl LoginLimiter {
    /// `max_failures` within `window` lock a key until the oldest expires.
    pub fn new(max_failures: usize, window: Duration) -> LoginLimiter {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            max_failures,
            window,
        }
    }

    /// Whether any of `keys` is locked now.
    pub fn is_locked(&self, keys: &[&str]) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        keys.iter().any(|key| {
            map.get_mut(*key).is_some_and(|times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len() >= self.max_failures
            })
        })
    }

    /// Records a failure for each of `keys`.
    pub fn fail(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        // Bounded memory under a flood of made-up names: forget everything expired first,
        // and refuse to grow past a cap (the address key still limits the flooder).
        if map.len() > 100_000 {
            map.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        for key in keys {
            if map.len() > 100_000 && !map.contains_key(*key) {
                continue;
            }
            map.entry((*key).to_owned()).or_default().push(now);
        }
    }

    /// Clears the failures of `keys` after a successful login.
    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            map.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_locks_after_repeated_failures_and_unlocks_on_success() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            limiter.fail(&["ip:1", "user:a"]);
        }
        assert!(!limiter.is_locked(&["ip:1"]));
        limiter.fail(&["ip:1", "user:a"]);
        assert!(limiter.is_locked(&["ip:2", "user:a"]));
        limiter.succeed(&["user:a", "ip:1"]);
        assert!(!limiter.is_locked(&["ip:1", "user:a"]));
    }
}
