//! Tests of association for a two-way table of counts, and their effect sizes.
//!
//! **Which test.** Rows and columns with a zero total are dropped first; a table smaller
//! than 2×2 gets no test. Then, from the expected counts E = row total × column total / n:
//! - a 2×2 table with any E < 5: Fisher's exact test (two-sided: the sum of the
//!   probabilities of all tables with the same margins that are no more likely than the
//!   observed one, as R's `fisher.test` does);
//! - a larger table with any E < 1 or more than 20% of E < 5 (Cochran's rule), and
//!   n ≤ [`MONTE_CARLO_MAX_N`]: Pearson's X² with a Monte Carlo p-value over
//!   [`MONTE_CARLO_REPLICATES`] random tables with the same margins (the respondents'
//!   column categories shuffled, a fixed seed, so the same data give the same p-value),
//!   p = (1 + tables with X² ≥ observed) / (1 + replicates), as R's
//!   `chisq.test(simulate.p.value = TRUE)`;
//! - otherwise Pearson's X² (no continuity correction) against the chi-square
//!   distribution with (r − 1)(c − 1) degrees of freedom (also for a large sparse table,
//!   with the small expected counts stated in the result).
//!
//! The effect size is φ (signed, (ad − bc)/√(row and column totals)) for a 2×2 table and
//! Cramér's V = √(X² / (n (min(r, c) − 1))) for larger ones.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Discrete, Hypergeometric};

/// Random tables drawn for a Monte Carlo p-value.
pub const MONTE_CARLO_REPLICATES: usize = 10_000;

/// Above this many respondents a sparse table gets the asymptotic test (with a note)
/// rather than the Monte Carlo one, to keep a cross-tab well under 100 ms.
pub const MONTE_CARLO_MAX_N: u64 = 2_000;

/// Which test produced a p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    /// Pearson's chi-square against the chi-square distribution.
    ChiSquare,
    /// Pearson's chi-square with a Monte Carlo p-value.
    ChiSquareMonteCarlo,
    /// Fisher's exact test (2×2).
    FisherExact,
}

/// A test of association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test.
    pub method: TestMethod,
    /// Pearson's X² of the table.
    pub chi_square: f64,
    /// Degrees of freedom, (r − 1)(c − 1).
    pub degrees_of_freedom: u64,
    /// The p-value.
    pub p_value: f64,
    /// Random tables drawn (Monte Carlo only).
    pub replicates: Option<usize>,
    /// The smallest expected count.
    pub min_expected: f64,
    /// How many cells have an expected count below 5.
    pub cells_expected_below_5: usize,
    /// The effect size.
    pub effect: EffectSize,
    /// A caveat the reader should see (e.g. a sparse table tested asymptotically).
    pub note: Option<String>,
}

/// An effect size for a two-way table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "measure", content = "value", rename_all = "snake_case")]
pub enum EffectSize {
    /// φ of a 2×2 table, −1…1.
    Phi(f64),
    /// Cramér's V, 0…1.
    CramersV(f64),
}

/// Tests a table of counts (`table[row][column]`; non-integer counts, e.g. weighted ones
/// rescaled, get only the asymptotic test). `None` when fewer than 2 rows or 2 columns
/// have a positive total.
pub fn test_association(table: &[Vec<f64>]) -> Option<TestResult> {
    let table = drop_empty_margins(table);
    let rows = table.len();
    let columns = table.first().map_or(0, Vec::len);
    if rows < 2 || columns < 2 {
        return None;
    }
    let row_totals: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let column_totals: Vec<f64> = (0..columns)
        .map(|c| table.iter().map(|r| r[c]).sum())
        .collect();
    let n: f64 = row_totals.iter().sum();
    let mut min_expected = f64::INFINITY;
    let mut below_5 = 0;
    for &row_total in &row_totals {
        for &column_total in &column_totals {
            let expected = row_total * column_total / n;
            min_expected = min_expected.min(expected);
            if expected < 5.0 {
                below_5 += 1;
            }
        }
    }
    let chi_square = pearson_chi_square(&table, &row_totals, &column_totals, n);
    let degrees_of_freedom = ((rows - 1) * (columns - 1)) as u64;
    let integral = table.iter().flatten().all(|&c| c.fract() == 0.0);
    let effect = if rows == 2 && columns == 2 {
        let (a, b, c, d) = (table[0][0], table[0][1], table[1][0], table[1][1]);
        EffectSize::Phi(
            (a * d - b * c)
                / (row_totals[0] * row_totals[1] * column_totals[0] * column_totals[1]).sqrt(),
        )
    } else {
        let k = rows.min(columns) as f64 - 1.0;
        EffectSize::CramersV((chi_square / (n * k)).sqrt())
    };
    let sparse = min_expected < 1.0 || below_5 as f64 > 0.2 * (rows * columns) as f64;
    let mut result = TestResult {
        method: TestMethod::ChiSquare,
        chi_square,
        degrees_of_freedom,
        p_value: chi_square_p(chi_square, degrees_of_freedom),
        replicates: None,
        min_expected,
        cells_expected_below_5: below_5,
        effect,
        note: None,
    };
    if integral && rows == 2 && columns == 2 && min_expected < 5.0 {
        let cells = [table[0][0], table[0][1], table[1][0], table[1][1]].map(|c| c as u64);
        if let Some(p) = fisher_exact_2x2(cells) {
            result.method = TestMethod::FisherExact;
            result.p_value = p;
        }
    } else if integral && sparse && n as u64 <= MONTE_CARLO_MAX_N {
        let counts: Vec<Vec<u64>> = table
            .iter()
            .map(|r| r.iter().map(|&c| c as u64).collect())
            .collect();
        result.method = TestMethod::ChiSquareMonteCarlo;
        result.p_value = monte_carlo_p(&counts, chi_square, MONTE_CARLO_REPLICATES);
        result.replicates = Some(MONTE_CARLO_REPLICATES);
    } else if sparse {
        result.note = Some(format!(
            "{below_5} of {} expected counts are below 5: the chi-square p-value is approximate; merge sparse categories",
            rows * columns
        ));
    }
    Some(result)
}

fn drop_empty_margins(table: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let columns = table.first().map_or(0, Vec::len);
    let keep: Vec<usize> = (0..columns)
        .filter(|&c| {
            table
                .iter()
                .map(|r| r.get(c).copied().unwrap_or(0.0))
                .sum::<f64>()
                > 0.0
        })
        .collect();
    table
        .iter()
        .filter(|r| r.iter().sum::<f64>() > 0.0)
        .map(|r| {
            keep.iter()
                .map(|&c| r.get(c).copied().unwrap_or(0.0))
                .collect()
        })
        .collect()
}

fn pearson_chi_square(
    table: &[Vec<f64>],
    row_totals: &[f64],
    column_totals: &[f64],
    n: f64,
) -> f64 {
    let mut chi_square = 0.0;
    for (row, &row_total) in table.iter().zip(row_totals) {
        for (&observed, &column_total) in row.iter().zip(column_totals) {
            let expected = row_total * column_total / n;
            chi_square += (observed - expected).powi(2) / expected;
        }
    }
    chi_square
}

/// The upper tail of the chi-square distribution.
pub fn chi_square_p(chi_square: f64, degrees_of_freedom: u64) -> f64 {
    match ChiSquared::new(degrees_of_freedom as f64) {
        Ok(distribution) => distribution.sf(chi_square),
        Err(_) => f64::NAN,
    }
}

/// Fisher's exact two-sided p-value for the 2×2 table `[a, b, c, d]` (rows `a b`, `c d`).
/// Tables with the observed margins are summed when their probability is at most the
/// observed one's times (1 + 10⁻⁷), R's tolerance for ties in floating point.
pub fn fisher_exact_2x2(cells: [u64; 4]) -> Option<f64> {
    let [a, b, c, d] = cells;
    let n = a + b + c + d;
    let first_row = a + b;
    let first_column = a + c;
    // `a` is hypergeometric: draws = first column, successes = first row, population = n.
    let distribution = Hypergeometric::new(n, first_row, first_column).ok()?;
    let observed = distribution.pmf(a);
    let low = (first_row + first_column).saturating_sub(n);
    let high = first_row.min(first_column);
    let p: f64 = (low..=high)
        .map(|x| distribution.pmf(x))
        .filter(|&p| p <= observed * (1.0 + 1e-7))
        .sum();
    Some(p.min(1.0))
}

/// A small, fixed-seed generator (SplitMix64) for the Monte Carlo test: reproducible
/// p-values without a dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..bound (bound > 0), by rejection (no modulo bias).
    fn below(&mut self, bound: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % bound;
        loop {
            let value = self.next();
            if value < zone {
                return value % bound;
            }
        }
    }
}

fn monte_carlo_p(counts: &[Vec<u64>], observed: f64, replicates: usize) -> f64 {
    let columns = counts[0].len();
    let mut row_of: Vec<usize> = Vec::new();
    let mut column_of: Vec<usize> = Vec::new();
    for (r, row) in counts.iter().enumerate() {
        for (c, &count) in row.iter().enumerate() {
            for _ in 0..count {
                row_of.push(r);
                column_of.push(c);
            }
        }
    }
    let row_totals: Vec<f64> = counts
        .iter()
        .map(|r| r.iter().sum::<u64>() as f64)
        .collect();
    let column_totals: Vec<f64> = (0..columns)
        .map(|c| counts.iter().map(|r| r[c]).sum::<u64>() as f64)
        .collect();
    let n = row_of.len() as f64;
    let mut rng = SplitMix64(0x6B75_7A6F_7473_7276);
    let mut table = vec![vec![0.0; columns]; counts.len()];
    let mut at_least = 0usize;
    for _ in 0..replicates {
        // Fisher–Yates shuffle of the column labels keeps both margins.
        for i in (1..column_of.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            column_of.swap(i, j);
        }
        for row in &mut table {
            row.iter_mut().for_each(|c| *c = 0.0);
        }
        for (&r, &c) in row_of.iter().zip(&column_of) {
            table[r][c] += 1.0;
        }
        // The same tolerance for ties as R's.
        if pearson_chi_square(&table, &row_totals, &column_totals, n) >= observed * (1.0 - 1e-7) {
            at_least += 1;
        }
    }
    (1 + at_least) as f64 / (1 + replicates) as f64
}
