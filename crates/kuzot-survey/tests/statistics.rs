//! Intervals and tests against published values. The expected numbers are taken from the
//! publications cited at each test (and were re-derived by hand from the closed formulas
//! noted there), never from this crate's output.

use kuzot_survey::{
    EffectSize, IntervalMethod, TestMethod, clopper_pearson, fisher_exact_2x2, proportion_interval,
    test_association, wilson,
};
use proptest::prelude::*;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

#[test]
fn wilson_for_30_of_65() {
    // Wilson (1927), in the closed form of Newcombe (1998, Statistics in Medicine 17:857,
    // method 3): (x + z²/2)/(n + z²) ± z/(n + z²)·√(x(n−x)/n + z²/4), z = 1.959964.
    // For 30 of 65: centre 31.92073/68.84146 = 0.463685, half-width
    // 1.959964·√(16.153846 + 0.960365)/68.84146 = 0.117782 → 0.3459 to 0.5815.
    let interval = wilson(30.0, 65.0).expect("interval");
    assert!(close(interval.low, 0.3459, 0.00005), "{interval:?}");
    assert!(close(interval.high, 0.5815, 0.00005), "{interval:?}");
    // 30 of 65 is neither a small base nor a small count: the rule picks Wilson.
    assert_eq!(
        proportion_interval(30.0, 65.0).map(|i| i.method),
        Some(IntervalMethod::Wilson)
    );
}

#[test]
fn clopper_pearson_for_0_of_12() {
    // For x = 0 the exact upper end is 1 − (α/2)^(1/n) (Clopper & Pearson 1934):
    // 1 − 0.025^(1/12) = 0.26465; the lower end is 0.
    let interval = clopper_pearson(0.0, 12.0).expect("interval");
    assert_eq!(interval.low, 0.0);
    assert!(close(interval.high, 0.26465, 0.00005), "{interval:?}");
    assert_eq!(
        proportion_interval(0.0, 12.0).map(|i| i.method),
        Some(IntervalMethod::ClopperPearson)
    );
}

#[test]
fn newcombe_1998_table_of_examples() {
    // Newcombe (1998), Table I: the worked examples 81/263, 15/148, 0/20, 1/29 for
    // method 3 (Wilson score) and method 5 (Clopper–Pearson), four decimals.
    let cases = [
        (81.0, 263.0, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15.0, 148.0, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0.0, 20.0, (0.0000, 0.1611), (0.0000, 0.1684)),
        (1.0, 29.0, (0.0061, 0.1718), (0.0009, 0.1776)),
    ];
    for (x, n, (wilson_low, wilson_high), (exact_low, exact_high)) in cases {
        let w = wilson(x, n).expect("wilson");
        let e = clopper_pearson(x, n).expect("exact");
        assert!(
            close(w.low, wilson_low, 0.00006) && close(w.high, wilson_high, 0.00006),
            "{x}/{n}: {w:?}"
        );
        assert!(
            close(e.low, exact_low, 0.00006) && close(e.high, exact_high, 0.00006),
            "{x}/{n}: {e:?}"
        );
    }
}

#[test]
fn fisher_tea_tasting() {
    // Fisher (1935), The Design of Experiments, §2: the lady tasting tea, 3 of 4 cups
    // right; Agresti (2002), Categorical Data Analysis, §3.5.1: two-sided P = 0.486
    // (= 34/70 = 0.4857).
    let p = fisher_exact_2x2([3, 1, 1, 3]).expect("p");
    assert!(close(p, 34.0 / 70.0, 1e-9), "{p}");
    let result = test_association(&[vec![3.0, 1.0], vec![1.0, 3.0]]).expect("test");
    assert_eq!(result.method, TestMethod::FisherExact);
    assert!(close(result.p_value, 0.4857, 0.00005));
    // φ = (9 − 1)/√(4·4·4·4) = 0.5.
    assert_eq!(result.effect, EffectSize::Phi(0.5));
}

#[test]
fn chi_square_party_identification_by_gender() {
    // Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.5
    // (party identification by gender, General Social Survey): X² = 30.1, df = 2,
    // P < 0.001. With 2 df the tail is exp(−X²/2).
    let table = [vec![762.0, 327.0, 468.0], vec![484.0, 239.0, 477.0]];
    let result = test_association(&table).expect("test");
    assert_eq!(result.method, TestMethod::ChiSquare);
    assert_eq!(result.degrees_of_freedom, 2);
    assert!(
        close(result.chi_square, 30.07, 0.005),
        "{}",
        result.chi_square
    );
    assert!(close(
        result.p_value,
        (-result.chi_square / 2.0).exp(),
        1e-12
    ));
    assert!(result.p_value < 0.001);
    // Cramér's V = √(30.07/(2757·1)) = 0.1044.
    match result.effect {
        EffectSize::CramersV(v) => assert!(close(v, 0.1044, 0.0001), "{v}"),
        other => panic!("expected Cramér's V, got {other:?}"),
    }
}

#[test]
fn sparse_larger_tables_get_a_reproducible_monte_carlo_p_value() {
    let table = [
        vec![5.0, 0.0, 1.0],
        vec![1.0, 4.0, 1.0],
        vec![0.0, 1.0, 6.0],
    ];
    let first = test_association(&table).expect("test");
    assert_eq!(first.method, TestMethod::ChiSquareMonteCarlo);
    assert_eq!(first.replicates, Some(10_000));
    assert!(
        first.p_value > 0.0 && first.p_value < 0.05,
        "{}",
        first.p_value
    );
    assert_eq!(
        test_association(&table).expect("test").p_value,
        first.p_value
    );
    // Empty rows and columns are dropped; a table left smaller than 2×2 has no test.
    assert!(test_association(&[vec![3.0, 0.0], vec![4.0, 0.0]]).is_none());
}

proptest! {
    #[test]
    fn every_interval_contains_its_estimate_and_stays_in_0_1(n in 1u32..2_000, fraction in 0.0f64..=1.0) {
        let n = f64::from(n);
        let x = (fraction * n).round();
        let p = x / n;
        for interval in [wilson(x, n), clopper_pearson(x, n), proportion_interval(x, n)] {
            let interval = interval.expect("valid x and n");
            prop_assert!(0.0 <= interval.low && interval.low <= p + 1e-12, "{interval:?} for {x}/{n}");
            prop_assert!(p - 1e-12 <= interval.high && interval.high <= 1.0, "{interval:?} for {x}/{n}");
        }
    }

    #[test]
    fn weighted_style_fractional_counts_also_give_intervals_in_0_1(n in 1.0f64..500.0, fraction in 0.0f64..=1.0) {
        let x = fraction * n;
        let interval = proportion_interval(x, n).expect("valid x and n");
        prop_assert!(0.0 <= interval.low && interval.low <= fraction + 1e-12);
        prop_assert!(fraction - 1e-12 <= interval.high && interval.high <= 1.0);
    }
}
