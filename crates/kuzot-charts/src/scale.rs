//! Value axes: "nice" tick values (1, 2 or 5 × 10^k) and the mapping of values to
//! positions, linear or logarithmic.

/// Tick values covering `[lo, hi]` with at most about `target + 2` ticks, spaced by
/// 1, 2 or 5 × 10^k. The first tick is ≤ `lo` and the last ≥ `hi`, so the ticks give the
/// axis its extent. Any input is accepted: the bounds are swapped if reversed, an empty
/// range is widened, and when no nice spacing can be computed (non-finite or extreme
/// bounds) the bounds themselves are returned.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (mut lo, mut hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    if lo == hi {
        if lo == 0.0 {
            hi = 1.0;
        } else if lo > 0.0 {
            lo = 0.0;
        } else {
            hi = 0.0;
        }
    }
    let span = hi - lo;
    let target = target.clamp(1, 20) as f64;
    let raw = span / target;
    if !raw.is_finite() || raw <= 0.0 {
        return vec![lo, hi];
    }
    let mut exponent = raw.log10().floor();
    let magnitude = 10f64.powf(exponent);
    let mut mantissa = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * magnitude >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0);
    if mantissa == 10.0 {
        mantissa = 1.0;
        exponent += 1.0;
    }
    if !(-300.0..=300.0).contains(&exponent) {
        return vec![lo, hi];
    }
    let step = mantissa * 10f64.powf(exponent);
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    let count = last - first;
    if !count.is_finite() || !(0.0..=100.0).contains(&count) {
        return vec![lo, hi];
    }
    // Multiplying the integer index before scaling by an exact power of ten keeps
    // 0.1 + 0.2 style errors out of the labels.
    let tick = |k: f64| {
        if exponent >= 0.0 {
            k * mantissa * 10f64.powf(exponent)
        } else {
            k * mantissa / 10f64.powf(-exponent)
        }
    };
    // `count` is a small whole number checked above.
    let count = count as u32;
    let ticks: Vec<f64> = (0..=count).map(|i| tick(first + f64::from(i))).collect();
    if ticks.iter().all(|t| t.is_finite()) && ticks.len() >= 2 {
        ticks
    } else {
        vec![lo, hi]
    }
}

/// Tick values for an axis of counts: [`nice_ticks`], but never closer than 1 apart, so
/// that a count axis up to 2 reads 0, 1, 2 and not 0, 0.5, 1, 1.5, 2.
pub fn whole_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let ticks = nice_ticks(lo, hi, target);
    let (Some(&first), Some(&second), Some(&last)) = (ticks.first(), ticks.get(1), ticks.last())
    else {
        return ticks;
    };
    let step = second - first;
    if !(step.is_finite() && step < 1.0) {
        return ticks;
    }
    // A step below 1 means the whole span is a few units: at most about `target + 2`.
    let first = first.floor();
    let last = last.ceil().max(first + 1.0);
    // Both are small whole numbers here (the span is below 20 units).
    let (first, count) = (first as i64, (last - first) as i64);
    (0..=count).map(|k| (first + k) as f64).collect()
}

/// Tick values for a logarithmic axis over positive `[lo, hi]`: whole decades, with 2 and 5
/// between them when the range is narrow. `None` unless both bounds are finite and > 0.
pub fn log_ticks(lo: f64, hi: f64) -> Option<Vec<f64>> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !(lo > 0.0 && hi.is_finite()) {
        return None;
    }
    let first = lo.log10().floor();
    let mut last = hi.log10().ceil();
    if last <= first {
        last = first + 1.0;
    }
    if !(-300.0..=300.0).contains(&first) || !(-300.0..=300.0).contains(&last) {
        return None;
    }
    let decades = last - first;
    let stride = (decades / 8.0).ceil().max(1.0);
    let mut ticks = Vec::new();
    let mut exponent = first;
    while exponent <= last {
        let decade = 10f64.powf(exponent);
        ticks.push(decade);
        if decades <= 2.0 && exponent < last {
            ticks.push(2.0 * decade);
            ticks.push(5.0 * decade);
        }
        exponent += stride;
    }
    if ticks.last().is_some_and(|&t| t < hi) {
        ticks.push(10f64.powf(exponent));
    }
    Some(ticks)
}

/// A value axis: its ticks and the mapping of values to a fraction of its length.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    /// The tick values, from low to high.
    pub(crate) ticks: Vec<f64>,
}

impl Scale {
    /// A linear axis covering `[lo, hi]` out to the nearest nice ticks.
    pub(crate) fn linear(lo: f64, hi: f64) -> Self {
        Self::linear_with(lo, hi, false)
    }

    /// A linear axis covering `[lo, hi]`, with whole-number ticks when `whole` (counts).
    pub(crate) fn linear_with(lo: f64, hi: f64, whole: bool) -> Self {
        let ticks = if whole {
            whole_ticks(lo, hi, 5)
        } else {
            nice_ticks(lo, hi, 5)
        };
        let first = ticks.first().copied().unwrap_or(0.0);
        let last = ticks.last().copied().unwrap_or(1.0);
        Self {
            lo: first,
            hi: last,
            log: false,
            ticks,
        }
    }

    /// A logarithmic axis over positive `[lo, hi]`, or `None` if it cannot be one.
    pub(crate) fn log(lo: f64, hi: f64) -> Option<Self> {
        let ticks = log_ticks(lo, hi)?;
        let first = *ticks.first()?;
        let last = *ticks.last()?;
        Some(Self {
            lo: first,
            hi: last,
            log: true,
            ticks,
        })
    }

    /// The linear axis that holds every finite value of `values` and zero, as bars need;
    /// with whole-number ticks when `whole` (counts).
    pub(crate) fn from_zero(values: impl IntoIterator<Item = f64>, whole: bool) -> Self {
        let (lo, hi) = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Self::linear_with(lo, hi, whole)
    }

    /// Where `value` falls along the axis, 0 at the low end and 1 at the high end; values
    /// outside are kept just outside so nothing is drawn far off the chart.
    pub(crate) fn fraction(&self, value: f64) -> f64 {
        let (value, lo, hi) = if self.log {
            (
                value.max(f64::MIN_POSITIVE).log10(),
                self.lo.log10(),
                self.hi.log10(),
            )
        } else {
            (value, self.lo, self.hi)
        };
        let span = hi - lo;
        let f = if span > 0.0 && span.is_finite() {
            (value - lo) / span
        } else {
            // Extreme bounds: halve first so the difference does not overflow.
            let half = hi / 2.0 - lo / 2.0;
            if half > 0.0 && half.is_finite() {
                (value / 2.0 - lo / 2.0) / half
            } else {
                0.5
            }
        };
        if f.is_finite() {
            f.clamp(-0.05, 1.05)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_one_two_five_times_powers_of_ten() {
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(
            nice_ticks(0.0, 87.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(0.0, 0.3, 3), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(
            nice_ticks(-7.0, 12.0, 4),
            vec![-10.0, -5.0, 0.0, 5.0, 10.0, 15.0]
        );
        assert_eq!(
            nice_ticks(0.0, 242_000.0, 5),
            vec![0.0, 50_000.0, 100_000.0, 150_000.0, 200_000.0, 250_000.0]
        );
    }

    #[test]
    fn every_step_is_nice() {
        for (lo, hi) in [
            (0.0, 3.7),
            (-0.004, 0.011),
            (1e9, 3e9),
            (12.0, 13.0),
            (0.0, 1e-7),
        ] {
            let ticks = nice_ticks(lo, hi, 5);
            assert!(ticks.len() >= 2 && ticks.len() <= 8, "{ticks:?}");
            assert!(ticks[0] <= lo && ticks[ticks.len() - 1] >= hi, "{ticks:?}");
            let step = ticks[1] - ticks[0];
            let mantissa = step / 10f64.powf(step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-6),
                "{lo}..{hi}: step {step}"
            );
        }
    }

    #[test]
    fn degenerate_ranges_still_give_an_axis() {
        assert_eq!(nice_ticks(0.0, 0.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(5.0, 5.0, 5), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(nice_ticks(f64::NAN, 1.0, 5), vec![0.0, 1.0]);
        assert_eq!(nice_ticks(-f64::MAX, f64::MAX, 5).len(), 2);
        assert_eq!(nice_ticks(10.0, 0.0, 5).first(), Some(&0.0));
    }

    #[test]
    fn count_axes_have_whole_ticks_only() {
        assert_eq!(whole_ticks(0.0, 1.0, 5), vec![0.0, 1.0]);
        assert_eq!(whole_ticks(0.0, 2.0, 5), vec![0.0, 1.0, 2.0]);
        assert_eq!(whole_ticks(0.0, 0.0, 5), vec![0.0, 1.0]);
        assert_eq!(whole_ticks(0.0, 3.0, 5), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(whole_ticks(-1.0, 2.0, 5), vec![-1.0, 0.0, 1.0, 2.0]);
        // Wider ranges keep their nice steps.
        assert_eq!(
            whole_ticks(0.0, 87.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        for hi in 0..=12 {
            let ticks = whole_ticks(0.0, f64::from(hi), 5);
            assert!(ticks.iter().all(|t| t.fract() == 0.0), "{hi}: {ticks:?}");
            assert!(ticks.len() >= 2 && *ticks.last().expect("ticks") >= f64::from(hi));
        }
        assert_eq!(whole_ticks(f64::NAN, 1.0, 5), vec![0.0, 1.0]);
    }

    #[test]
    fn log_ticks_cover_the_range() {
        assert_eq!(log_ticks(3.0, 900.0), Some(vec![1.0, 10.0, 100.0, 1000.0]));
        assert_eq!(log_ticks(15.0, 80.0), Some(vec![10.0, 20.0, 50.0, 100.0]));
        assert_eq!(log_ticks(0.0, 10.0), None);
        let wide = log_ticks(1e-200, 1e200).expect("positive range");
        assert!(wide.len() <= 12, "{wide:?}");
    }

    #[test]
    fn fractions_stay_near_the_axis() {
        let scale = Scale::linear(0.0, 10.0);
        assert_eq!(scale.fraction(5.0), 0.5);
        assert_eq!(scale.fraction(1e300), 1.05);
        assert_eq!(scale.fraction(f64::NAN), 0.0);
        let wide = Scale::linear(-f64::MAX, f64::MAX);
        assert!((wide.fraction(0.0) - 0.5).abs() < 1e-9);
    }
}
