//! Confidence intervals for a proportion, and the rule that picks one.
//!
//! **The rule.** The 95% interval is Wilson's score interval, except when the base is small
//! (n < 30) or the count or its complement is small (x < 5 or n − x < 5): there the exact
//! Clopper–Pearson interval is used, whose coverage is never below 95% where the normal
//! approximation behind Wilson is weakest. The method is named with every interval.
//!
//! With weights, `x` and `n` are the weighted share times the Kish effective sample size
//! and that effective size (see [`crate::estimate`]); both formulas accept non-integer
//! values (the Beta quantiles of Clopper–Pearson are defined for any positive shapes).

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, Normal};

/// The confidence level of every interval kuzot reports.
pub const CONFIDENCE: f64 = 0.95;

/// Below this base the exact interval is used.
pub const EXACT_BELOW_BASE: f64 = 30.0;

/// Below this count (or complement count) the exact interval is used.
pub const EXACT_BELOW_COUNT: f64 = 5.0;

/// How an interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Wilson's score interval (Wilson 1927).
    Wilson,
    /// The exact interval of Clopper and Pearson (1934).
    ClopperPearson,
}

impl IntervalMethod {
    /// A short name for tables.
    pub fn short_name(self) -> &'static str {
        match self {
            IntervalMethod::Wilson => "Wilson",
            IntervalMethod::ClopperPearson => "exact",
        }
    }
}

/// A confidence interval for a proportion, both ends in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// How it was computed.
    pub method: IntervalMethod,
}

/// The two-sided normal quantile for [`CONFIDENCE`] (1.959964…).
fn z_value() -> f64 {
    // Normal::standard() cannot fail; its quantile at 0.975 is finite.
    Normal::standard().inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0)
}

/// The interval the rule of this module picks for `x` of `n` (`None` when `n` is not
/// positive or `x` is outside [0, n]).
pub fn proportion_interval(x: f64, n: f64) -> Option<Interval> {
    if !(n > 0.0 && x.is_finite() && (0.0..=n).contains(&x)) {
        return None;
    }
    if n < EXACT_BELOW_BASE || x < EXACT_BELOW_COUNT || n - x < EXACT_BELOW_COUNT {
        clopper_pearson(x, n)
    } else {
        wilson(x, n)
    }
}

/// Wilson's score interval for `x` of `n` at [`CONFIDENCE`].
pub fn wilson(x: f64, n: f64) -> Option<Interval> {
    if !(n > 0.0 && (0.0..=n).contains(&x)) {
        return None;
    }
    let z = z_value();
    let p = x / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some(Interval {
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
        method: IntervalMethod::Wilson,
    })
}

/// The Clopper–Pearson interval for `x` of `n` at [`CONFIDENCE`]: the α/2 quantile of
/// Beta(x, n − x + 1) and the 1 − α/2 quantile of Beta(x + 1, n − x), with 0 and 1 at
/// x = 0 and x = n.
pub fn clopper_pearson(x: f64, n: f64) -> Option<Interval> {
    if !(n > 0.0 && (0.0..=n).contains(&x)) {
        return None;
    }
    let alpha = 1.0 - CONFIDENCE;
    let low = if x <= 0.0 {
        0.0
    } else {
        Beta::new(x, n - x + 1.0).ok()?.inverse_cdf(alpha / 2.0)
    };
    let high = if x >= n {
        1.0
    } else {
        Beta::new(x + 1.0, n - x)
            .ok()?
            .inverse_cdf(1.0 - alpha / 2.0)
    };
    Some(Interval {
        low: low.max(0.0),
        high: high.min(1.0),
        method: IntervalMethod::ClopperPearson,
    })
}
