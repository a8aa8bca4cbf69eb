//! A per-address request limit for the public pages, kept in this process's memory.
//!
//! The public pages need no account, so the login throttle (counted in the account store)
//! does not fit: counting every anonymous request in the database would let a flood load
//! it. A fixed window per address is enough to answer a flood 429 at once, cheaply; with
//! several servers each counts its own share. The table of addresses is bounded: when it
//! is full, the windows that ended are dropped, and if none has, new addresses are
//! refused until one does (a flood from many addresses must not take the memory).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most client addresses counted at once.
pub const MAX_TRACKED_ADDRESSES: usize = 100_000;

/// Counts requests per client address in fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    allowed: usize,
    window: Duration,
    windows: Mutex<HashMap<IpAddr, (Instant, usize)>>,
}

impl RateLimiter {
    /// At most `allowed` requests per address within each `window`.
    pub fn new(allowed: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            allowed: allowed.max(1),
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `address` at `now`; `Err(wait)` when the address has used
    /// its requests of the window (the request is not counted), with the time left.
    pub fn check_at(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if !windows.contains_key(&address) && windows.len() >= MAX_TRACKED_ADDRESSES {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
            if windows.len() >= MAX_TRACKED_ADDRESSES {
                return Err(self.window);
            }
        }
        let entry = windows.entry(address).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.allowed {
            return Err(self.window.saturating_sub(now.duration_since(entry.0)));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Counts one request from `address` now.
    pub fn check(&self, address: IpAddr) -> Result<(), Duration> {
        self.check_at(address, Instant::now())
    }
}

/// The client address of a request, for the per-address limit (unspecified when the
/// server did not record one). Behind a reverse proxy every request comes from the
/// proxy's address, so a deployment behind one raises the limit accordingly.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_requests_per_window_and_no_more() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(a, t0).is_ok());
        }
        let wait = limiter
            .check_at(a, t0 + Duration::from_secs(10))
            .expect_err("fourth request refused");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(
            limiter.check_at(b, t0).is_ok(),
            "another address is counted apart"
        );
        assert!(
            limiter.check_at(a, t0 + Duration::from_secs(60)).is_ok(),
            "a new window"
        );
    }
}
