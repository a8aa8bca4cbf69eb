//! The dashboard's counts, computed in one pass over the matching documents' fast
//! (columnar) fields: no stored document is ever loaded, which is what keeps a million
//! documents well under a second.

use std::collections::HashMap;

use kuzot_model::{Category, RateTable};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::query::category_from_code;
use crate::{Aggregates, PayStats, PlaceCount, WeekCounts};

const WEEK: i64 = 7 * 86_400;
/// 1970-01-05, a Monday: weeks are counted from it.
const FIRST_MONDAY: i64 = 4 * 86_400;
/// Most weeks filled in with zeros; a wider span (a mis-dated message from 1970 beside
/// this year's) lists only the weeks that have documents.
const MAX_FILLED_WEEKS: i64 = 5_300;
const TOP_CHATS: usize = 10;
const TOP_PLACES: usize = 15;
const CATEGORIES: usize = Category::ALL.len();

/// The Monday 00:00 UTC starting the week of `t`.
pub(crate) fn week_start(t: i64) -> i64 {
    let weeks = t.saturating_sub(FIRST_MONDAY).div_euclid(WEEK);
    weeks.saturating_mul(WEEK).saturating_add(FIRST_MONDAY)
}

pub(crate) struct AggregateCollector;

/// What one segment (or all, once merged) counted.
#[derive(Default)]
pub(crate) struct Counts {
    total: u64,
    categories: [u64; CATEGORIES],
    weeks: HashMap<i64, [u64; CATEGORIES]>,
    chats: HashMap<String, u64>,
    langs: HashMap<String, u64>,
    places: HashMap<String, u64>,
    pay: [Vec<f64>; CATEGORIES],
}

pub(crate) struct SegmentCounts {
    category: Option<Column<u64>>,
    time: Option<Column<i64>>,
    pay: Option<Column<f64>>,
    chat: Option<StrColumn>,
    lang: Option<StrColumn>,
    place: Option<StrColumn>,
    chat_ords: Vec<u64>,
    lang_ords: Vec<u64>,
    place_ords: Vec<u64>,
    /// The week being counted and its counts: documents arrive in index order, which is
    /// mostly time order, so most land in the same week as the one before and skip the
    /// map until the week changes.
    week: Option<(i64, [u64; CATEGORIES])>,
    counts: Counts,
}

impl SegmentCounts {
    fn flush_week(&mut self) {
        if let Some((week, counts)) = self.week.take() {
            let slot = self.counts.weeks.entry(week).or_default();
            for (a, b) in slot.iter_mut().zip(counts) {
                *a += b;
            }
        }
    }
}

fn ord_counts(column: &Option<StrColumn>) -> Vec<u64> {
    vec![0; column.as_ref().map_or(0, |c| c.num_terms())]
}

fn bump(counts: &mut [u64], ord: u64) {
    if let Some(c) = usize::try_from(ord).ok().and_then(|i| counts.get_mut(i)) {
        *c += 1;
    }
}

impl Collector for AggregateCollector {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let ff = reader.fast_fields();
        let chat = ff.str("chat")?;
        let lang = ff.str("lang")?;
        let place = ff.str("place_agg")?;
        Ok(SegmentCounts {
            category: ff.column_opt("category")?,
            time: ff.column_opt("time")?,
            pay: ff.column_opt("pay")?,
            chat_ords: ord_counts(&chat),
            lang_ords: ord_counts(&lang),
            place_ords: ord_counts(&place),
            chat,
            lang,
            place,
            week: None,
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut all = Counts::default();
        for c in fruits {
            all.total += c.total;
            for (a, b) in all.categories.iter_mut().zip(c.categories) {
                *a += b;
            }
            for (week, counts) in c.weeks {
                let slot = all.weeks.entry(week).or_default();
                for (a, b) in slot.iter_mut().zip(counts) {
                    *a += b;
                }
            }
            for (into, from) in [
                (&mut all.chats, c.chats),
                (&mut all.langs, c.langs),
                (&mut all.places, c.places),
            ] {
                for (k, v) in from {
                    *into.entry(k).or_default() += v;
                }
            }
            for (a, b) in all.pay.iter_mut().zip(c.pay) {
                a.extend(b);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let c = &mut self.counts;
        c.total += 1;
        let category = self
            .category
            .as_ref()
            .and_then(|col| col.first(doc))
            .map_or(Category::Other, category_from_code)
            .index();
        if let Some(n) = c.categories.get_mut(category) {
            *n += 1;
        }
        if let Some(pay) = self.pay.as_ref().and_then(|col| col.first(doc))
            && let Some(values) = c.pay.get_mut(category)
        {
            values.push(pay);
        }
        if let Some(t) = self.time.as_ref().and_then(|col| col.first(doc)) {
            let week = week_start(t);
            if self.week.is_some_and(|(w, _)| w != week) {
                self.flush_week();
            }
            let (_, counts) = self.week.get_or_insert((week, [0; CATEGORIES]));
            if let Some(n) = counts.get_mut(category) {
                *n += 1;
            }
        }
        if let Some(col) = &self.chat
            && let Some(ord) = col.ords().first(doc)
        {
            bump(&mut self.chat_ords, ord);
        }
        if let Some(col) = &self.lang
            && let Some(ord) = col.ords().first(doc)
        {
            bump(&mut self.lang_ords, ord);
        }
        if let Some(col) = &self.place {
            for ord in col.term_ords(doc) {
                bump(&mut self.place_ords, ord);
            }
        }
    }

    fn harvest(mut self) -> Counts {
        self.flush_week();
        for (column, ords, into) in [
            (&self.chat, &self.chat_ords, &mut self.counts.chats),
            (&self.lang, &self.lang_ords, &mut self.counts.langs),
            (&self.place, &self.place_ords, &mut self.counts.places),
        ] {
            let Some(column) = column else { continue };
            for (ord, n) in ords.iter().enumerate() {
                let mut name = String::new();
                if *n > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    *into.entry(name).or_default() += n;
                }
            }
        }
        self.counts
    }
}

/// The value at quantile `p` of `values` (in any order; they are partly reordered),
/// interpolated between the two neighbouring ranks. Selection, not a sort: linear in the
/// number of values, which on a million-message dashboard is most of the difference.
fn quantile(values: &mut [f64], p: f64) -> f64 {
    let Some(last) = values.len().checked_sub(1) else {
        return 0.0;
    };
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let low = rank.floor() as usize;
    let (_, a, above) = values.select_nth_unstable_by(low.min(last), f64::total_cmp);
    let a = *a;
    // The next rank up is the smallest of those at or above `a`.
    let b = above.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    if rank > low as f64 {
        a + (b - a) * (rank - low as f64)
    } else {
        a
    }
}

/// Sorts counts by count (highest first), then name, and keeps the first `n`.
fn top(map: HashMap<String, u64>, n: usize) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

impl Counts {
    pub(crate) fn into_aggregates(self, rates: RateTable) -> Aggregates {
        let categories = Category::ALL
            .iter()
            .zip(self.categories)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (*c, n))
            .collect();
        let mut weeks: Vec<WeekCounts> = Vec::new();
        let first = self.weeks.keys().min().copied();
        let last = self.weeks.keys().max().copied();
        if let (Some(first), Some(last)) = (first, last) {
            let span = last.saturating_sub(first) / WEEK;
            if span <= MAX_FILLED_WEEKS {
                let mut week = first;
                while week <= last {
                    weeks.push(WeekCounts {
                        week_start: week,
                        counts: self.weeks.get(&week).copied().unwrap_or_default(),
                    });
                    week += WEEK;
                }
            } else {
                let mut keys: Vec<&i64> = self.weeks.keys().collect();
                keys.sort();
                weeks = keys
                    .into_iter()
                    .map(|w| WeekCounts {
                        week_start: *w,
                        counts: self.weeks.get(w).copied().unwrap_or_default(),
                    })
                    .collect();
            }
        }
        let pay = Category::ALL
            .iter()
            .zip(self.pay)
            .filter(|(_, v)| !v.is_empty())
            .map(|(category, mut v)| PayStats {
                category: *category,
                count: v.len() as u64,
                min: v.iter().copied().min_by(f64::total_cmp).unwrap_or(0.0),
                q1: quantile(&mut v, 0.25),
                median: quantile(&mut v, 0.5),
                q3: quantile(&mut v, 0.75),
                max: v.iter().copied().max_by(f64::total_cmp).unwrap_or(0.0),
            })
            .collect();
        let mut places: Vec<PlaceCount> = self
            .places
            .into_iter()
            .filter_map(|(key, count)| {
                // The key is the occupied flag ('1' or '0') followed by the place id.
                let occupied = key.starts_with('1');
                let id = key.get(1..)?.to_owned();
                Some(PlaceCount {
                    id,
                    occupied,
                    count,
                })
            })
            .collect();
        places.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
        places.truncate(TOP_PLACES);
        Aggregates {
            total: self.total,
            categories,
            weeks,
            top_chats: top(self.chats, TOP_CHATS),
            pay,
            places,
            langs: top(self.langs, usize::MAX),
            rates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_utc() {
        // 2024-03-13 (a Wednesday) 15:00 UTC -> Monday 2024-03-11 00:00 UTC.
        assert_eq!(week_start(1_710_342_000), 1_710_115_200);
        assert_eq!(week_start(1_710_115_200), 1_710_115_200);
        // Before 1970 too, and no overflow at the extremes.
        assert_eq!(week_start(-1).rem_euclid(WEEK), FIRST_MONDAY);
        let _ = week_start(i64::MIN);
        let _ = week_start(i64::MAX);
    }

    #[test]
    fn quantiles_interpolate() {
        let mut v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert_eq!(quantile(&mut v, 0.25), 2.0);
        assert_eq!(quantile(&mut v, 1.0), 5.0);
        assert_eq!(quantile(&mut v, 0.0), 1.0);
        let mut four = [40.0, 10.0, 30.0, 20.0];
        // Rank 0.75 × 3 = 2.25: between 30 and 40.
        assert_eq!(quantile(&mut four, 0.75), 32.5);
        assert_eq!(quantile(&mut [7.0], 0.75), 7.0);
        assert_eq!(quantile(&mut [], 0.5), 0.0);
    }

    proptest::proptest! {
        #[test]
        fn selection_gives_what_sorting_gives(mut v in proptest::collection::vec(-1e9f64..1e9, 1..200), p in 0.0f64..=1.0) {
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            let last = sorted.len() - 1;
            let rank = p * last as f64;
            let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
            let expected = sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64);
            let got = quantile(&mut v, p);
            proptest::prop_assert!((got - expected).abs() <= 1e-6 * expected.abs().max(1.0), "{got} vs {expected}");
        }
    }
}
