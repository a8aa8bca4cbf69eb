//! Small-cell suppression for published counts (the public numbers page).
//!
//! A count below the threshold `min` (10 by default) could single out one chat, one
//! recruiter or one rare case, so it is never published: it is shown as "fewer than
//! `min`". Withholding it alone is not enough where the cells of a table add up to a
//! published total (ads by category add up to the number of ads): the one withheld cell
//! would be the total minus the others. So in such a table ([`suppress_partition`]) a
//! second cell is withheld too, the smallest one left, and more until the withheld cells
//! together also hold at least `min` (two withheld cells of 2 and 3 would otherwise still
//! tell that 5 ads are in those two rows).
//!
//! Why a second cell rather than rounding every count: rounding to a base of 10 changes
//! every figure a journalist would quote and still leaks through sums of many rows; a
//! complementary withheld cell keeps every published number exact and gives away only
//! that the withheld ones together hold at least `min`.
//!
//! Zero is published as 0: it singles no one out, and a withheld zero would not protect
//! the cell beside it (the rule picks the smallest non-zero cell as the complement).

/// One published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Published as it is.
    Shown(u64),
    /// Withheld: shown as "fewer than `min`" (or, for a complementary cell, simply
    /// withheld; the page says which rule applies, never which cell was which).
    Withheld,
}

impl Cell {
    /// The published value, if any.
    pub fn shown(self) -> Option<u64> {
        match self {
            Cell::Shown(n) => Some(n),
            Cell::Withheld => None,
        }
    }
}

/// The cells of counts that do not add up to a published total (an ad makes several
/// promises): each count below `min` is withheld, others shown.
pub fn suppress_cells(counts: &[u64], min: u64) -> Vec<Cell> {
    counts
        .iter()
        .map(|&n| {
            if n > 0 && n < min {
                Cell::Withheld
            } else {
                Cell::Shown(n)
            }
        })
        .collect()
}

/// The cells of a table whose counts add up to a total that is published: the counts
/// below `min` are withheld, then complementary cells (the smallest non-zero shown one,
/// repeatedly) until no withheld cell can be recovered by subtraction: none is withheld,
/// or at least two are and they hold at least `min` together. When the total itself is
/// below `min`, every non-zero cell is withheld (and the caller withholds the total).
pub fn suppress_partition(counts: &[u64], min: u64) -> Vec<Cell> {
    let total: u64 = counts.iter().sum();
    if total < min {
        return counts
            .iter()
            .map(|&n| {
                if n == 0 {
                    Cell::Shown(0)
                } else {
                    Cell::Withheld
                }
            })
            .collect();
    }
    let mut cells = suppress_cells(counts, min);
    loop {
        let withheld: Vec<usize> = (0..cells.len())
            .filter(|&k| cells[k] == Cell::Withheld)
            .collect();
        let withheld_sum: u64 = withheld.iter().map(|&k| counts[k]).sum();
        if withheld.is_empty() || (withheld.len() >= 2 && withheld_sum >= min) {
            return cells;
        }
        // The smallest non-zero cell still shown (first of equals, so the choice depends
        // on the counts only).
        let complement = (0..cells.len())
            .filter(|&k| matches!(cells[k], Cell::Shown(n) if n > 0))
            .min_by_key(|&k| counts[k]);
        match complement {
            Some(k) => cells[k] = Cell::Withheld,
            // Nothing left to withhold: every non-zero cell already is.
            None => return cells,
        }
    }
}

/// A published total: withheld when below `min`.
pub fn suppress_total(total: u64, min: u64) -> Cell {
    if total > 0 && total < min {
        Cell::Withheld
    } else {
        Cell::Shown(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cell::{Shown, Withheld};

    #[test]
    fn a_small_cell_and_its_complement_are_withheld() {
        // 3 of 15: withholding the 3 alone gives it away as 15 − 12.
        assert_eq!(suppress_partition(&[12, 3], 10), vec![Withheld, Withheld]);
        // The complement is the smallest other cell, not the largest.
        assert_eq!(
            suppress_partition(&[50, 3, 20, 0], 10),
            vec![Shown(50), Withheld, Withheld, Shown(0)]
        );
    }

    #[test]
    fn two_small_cells_that_add_up_to_too_little_take_a_third() {
        // 2 + 3 = 5 < 10 would tell that five ads are in those two rows.
        assert_eq!(
            suppress_partition(&[2, 3, 40, 11], 10),
            vec![Withheld, Withheld, Shown(40), Withheld]
        );
        // 4 + 7 = 11: already enough together.
        assert_eq!(
            suppress_partition(&[4, 7, 40], 10),
            vec![Withheld, Withheld, Shown(40)]
        );
    }

    #[test]
    fn no_withheld_cell_is_ever_recoverable_from_the_total() {
        // Exhaustively over small tables: with the total published, the shown cells never
        // pin a withheld one down, and no shown cell is below the threshold.
        let min = 10;
        for a in 0..25u64 {
            for b in 0..25u64 {
                for c in 0..25u64 {
                    let counts = [a, b, c];
                    let cells = suppress_partition(&counts, min);
                    let total: u64 = counts.iter().sum();
                    let withheld: Vec<usize> = (0..3).filter(|&k| cells[k] == Withheld).collect();
                    for (k, cell) in cells.iter().enumerate() {
                        if let Shown(n) = cell {
                            assert!(*n == 0 || *n >= min || total < min, "{counts:?}");
                            assert_eq!(*n, counts[k]);
                        }
                    }
                    if total >= min && !withheld.is_empty() {
                        assert!(withheld.len() >= 2, "{counts:?} → {cells:?}");
                        let sum: u64 = withheld.iter().map(|&k| counts[k]).sum();
                        assert!(sum >= min, "{counts:?} → {cells:?}");
                    }
                    if total < min {
                        assert!(cells.iter().all(|c| *c == Withheld || *c == Shown(0)));
                    }
                }
            }
        }
    }

    #[test]
    fn counts_without_a_total_withhold_only_small_cells() {
        assert_eq!(
            suppress_cells(&[12, 3, 0], 10),
            vec![Shown(12), Withheld, Shown(0)]
        );
        assert_eq!(suppress_total(9, 10), Withheld);
        assert_eq!(suppress_total(0, 10), Shown(0));
        assert_eq!(suppress_total(10, 10), Shown(10));
    }
}
