//! The per-address request limits of the public pages, kept in this process's memory, and
//! the one middleware that applies them ([`limit_public_requests`]): the offer checker
//! (`/check`, `POST /api/v1/check`) with the rights page (`/rights`), and the public numbers (`/public`, its charts) each
//! have a limiter of their own in [`AppState`], and a refused request gets 429 with
//! `Retry-After` — a page in the reader's language, or JSON on the API.
//!
//! The public pages need no account, so the login throttle (counted in the account store)
//! does not fit: counting every anonymous request in the database would let a flood load
//! it. A fixed window per address is enough to answer a flood 429 at once, cheaply; with
//! several servers each counts its own share. The table of addresses is bounded: when it
//! is full, the windows that ended are dropped, and if none has, new addresses are
//! refused until one does (a flood from many addresses must not take the memory).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::render::Page;
use crate::state::AppState;

/// The most client addresses counted at once.
pub const MAX_TRACKED_ADDRESSES: usize = 100_000;

/// Counts requests per client address in fixed windows.
#[derive(Debug)]
pub struct RateLimiter {
    /// 0: no limit.
    allowed: usize,
    window: Duration,
    windows: Mutex<HashMap<IpAddr, (Instant, usize)>>,
}

impl RateLimiter {
    /// At most `allowed` requests per address within each `window`; `allowed` 0 sets no
    /// limit.
    pub fn new(allowed: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            allowed,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `address` at `now`; `Err(wait)` when the address has used
    /// its requests of the window (the request is not counted), with the time left.
    pub fn check_at(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.allowed == 0 {
            return Ok(());
        }
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

/// The client's address as the limits key it: the connection's peer address (unspecified
/// when the server recorded none), with an IPv6 address cut to its /64 (one household or
/// machine usually holds a whole /64 and could otherwise rotate through it). Behind a
/// reverse proxy every client is the proxy; such deployments limit at the proxy, or raise
/// the limits accordingly.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    fn of(parts: &axum::http::request::Parts) -> ClientAddress {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        ClientAddress(match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
            },
            v4 => v4,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress::of(parts))
    }
}

/// The limiter a path counts against, if it is a limited public path. Every public route
/// that does work for an anonymous caller is here, in one place; the flood tests of
/// `tests/public_check.rs` and `tests/public_numbers.rs` cover each.
pub fn limiter_for<'a>(state: &'a AppState, path: &str) -> Option<&'a RateLimiter> {
    match path {
        crate::pages::public_check::PAGE_PATH
        | crate::pages::public_check::API_PATH
        | "/rights" => Some(&state.public_rate),
        "/public" => Some(&state.public_numbers_rate),
        _ if path.starts_with("/public/charts/") => Some(&state.public_numbers_rate),
        _ => None,
    }
}

/// The middleware of the public limits: counts the request against its path's limiter and
/// answers 429 when the address has used its requests of the window. Runs inside
/// authentication, so that the refusal page knows the caller and the language.
pub async fn limit_public_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = limiter_for(&state, request.uri().path()) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let wait = match limiter.check(ClientAddress::of(&parts).0) {
        Ok(()) => return next.run(Request::from_parts(parts, body)).await,
        Err(wait) => wait.as_secs().max(1),
    };
    let tr = match Tr::from_request_parts(&mut parts, &state).await {
        Ok(tr) => tr,
        Err(never) => match never {},
    };
    let message = tr.t1("public-too-many", "seconds", wait);
    let mut response = if parts.uri.path().starts_with("/api/") {
        AppError::new(StatusCode::TOO_MANY_REQUESTS, message)
            .as_json()
            .into_response()
    } else {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(Caller::anonymous);
        let title = tr.t("public-too-many-title");
        let page = LimitPage {
            page: Page::public(tr, &caller, &parts.uri, title),
            message,
        };
        match page.render() {
            Ok(html) => (StatusCode::TOO_MANY_REQUESTS, Html(html)).into_response(),
            Err(e) => AppError::internal(e).into_response(),
        }
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    response
}

#[derive(Template)]
#[template(path = "public_limit.html")]
struct LimitPage {
    page: Page,
    message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address_of(peer: &str) -> IpAddr {
        let mut request = axum::http::Request::new(());
        request.extensions_mut().insert(axum::extract::ConnectInfo(
            peer.parse::<std::net::SocketAddr>().expect("address"),
        ));
        ClientAddress::of(&request.into_parts().0).0
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_bit_prefix() {
        assert_eq!(
            address_of("[2001:db8:1:2:aaaa::1]:5000"),
            address_of("[2001:db8:1:2:ffff::9]:6000")
        );
        assert_ne!(
            address_of("[2001:db8:1:2::1]:5000"),
            address_of("[2001:db8:1:3::1]:5000")
        );
        assert_eq!(
            address_of("[::ffff:10.0.0.7]:80"),
            IpAddr::from([10, 0, 0, 7])
        );
        assert_eq!(address_of("10.0.0.7:80"), IpAddr::from([10, 0, 0, 7]));
    }

    #[test]
    fn no_limit_when_none_is_set() {
        let limiter = RateLimiter::new(0, Duration::from_secs(60));
        let a: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        assert!((0..1_000).all(|_| limiter.check_at(a, t0).is_ok()));
    }

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
