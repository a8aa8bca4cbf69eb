//! Near-duplicate fingerprints: the same ad reposted with a new phone number, an emoji, a
//! line added, or rewritten in Latin letters, is found as one cluster.
//!
//! A text is first *script-folded*: Cyrillic (Russian, Kyrgyz, Kazakh, Uzbek, Tajik letters)
//! is transliterated to Latin with one fixed table, and then Latin spellings that
//! transliteration schemes disagree on are folded to one form (`kh`/`h`/`x` for х, `sh` for ш,
//! `ch` for ч, `zh`/`j` for ж, `ts`/`c` for ц, `shch`/`sch` for щ, `ya`/`ia` for я, `yu`/`iu`
//! for ю, `ye`/`e` for е, `y`/`i` for й and ы; ь and ъ dropped; doubled letters single; `oʻ`/`gʻ` without
//! the apostrophe). Digits are kept, so a changed amount counts as a change. "vakhta v
//! Mariupole, zarplata 120 000" and "вахта в Мариуполе, зарплата 120 000" fold to the same
//! string.
//!
//! The signature is a one-permutation MinHash over character 5-shingles of the folded text:
//! each shingle is hashed once, the hash's top bits pick one of [`SIGNATURE_LEN`] bins and the
//! bin keeps its smallest value; empty bins borrow from the next non-empty bin with a
//! distance-dependent rehash (densification), so two signatures agree in a bin with
//! probability close to the texts' Jaccard similarity. One hash per shingle keeps it to a few
//! microseconds per message.
//!
//! [`NearDuplicateIndex`] clusters signatures as they stream in: LSH bands put likely
//! near-duplicates in the same bucket, each collision is verified with the estimated Jaccard
//! similarity, and union-find joins the verified pairs. It keeps 1 byte per signature value
//! (b-bit MinHash) and one 8-byte bucket entry per band, so a million signatures fit in a
//! few hundred megabytes.
//!
//! ```
//! use kuzot_analysis::fingerprint::{jaccard_estimate, minhash};
//! use kuzot_analysis::normalize::normalize;
//! let a = minhash(&normalize("Вахта в Мариуполе, зарплата 120 000, жильё бесплатно"));
//! let b = minhash(&normalize("Vakhta v Mariupole, zarplata 120 000, zhilyo besplatno"));
//! assert!(jaccard_estimate(&a, &b) > 0.7);
//! ```

use std::collections::HashMap;

use crate::normalize::{Normalized, is_alphanumeric};

/// Number of values in a signature.
pub const SIGNATURE_LEN: usize = 128;

/// Characters per shingle.
const SHINGLE: usize = 5;

/// The Latin letters a Cyrillic letter is transliterated to, before folding.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'е' | 'э' | 'є' => "e",
        'ж' | 'ҷ' => "zh",
        'з' => "z",
        'и' | 'і' | 'ӣ' | 'ї' => "i",
        'й' | 'ы' => "y",
        'к' | 'қ' => "k",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' | 'ў' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ү' | 'ұ' | 'ӯ' => "u",
        'ф' => "f",
        'х' | 'ҳ' | 'һ' => "kh",
        'ц' => "ts",
        'ч' | 'ҹ' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

/// Folds the normalised text to one Latin spelling, as a sequence of characters where one
/// space separates words. Uppercase letters stand for the folded digraphs.
fn script_fold(text: &str) -> Vec<char> {
    // Step 1: transliterate; keep Latin, digits and other letters; anything else separates.
    let mut latin: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        // Only Cyrillic has a transliteration; ASCII and the rest skip the table.
        let translit = if ('\u{0400}'..='\u{04FF}').contains(&c) {
            transliterate(c)
        } else {
            None
        };
        if let Some(t) = translit {
            latin.extend(t.chars());
        } else if is_alphanumeric(c) {
            latin.push(c);
        } else if c == '\'' {
            // o'zbek, g'isht: the apostrophe is part of the letter, and dropped with it.
        } else if latin.last() != Some(&' ') {
            latin.push(' ');
        }
    }
    // Step 2: fold the spellings transliteration schemes disagree on.
    let bytes = latin;
    let mut out: Vec<char> = Vec::with_capacity(bytes.len());
    let at = |i: usize| bytes.get(i).copied().unwrap_or(' ');
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let (folded, used) = match (c, at(i + 1), at(i + 2), at(i + 3)) {
            ('s', 'h', 'c', 'h') => ('S', 4),
            ('s', 'c', 'h', _) => ('S', 3),
            ('s', 'h', _, _) => ('S', 2),
            ('c', 'h', _, _) => ('C', 2),
            ('z', 'h', _, _) => ('J', 2),
            ('k', 'h', _, _) => ('H', 2),
            ('t', 's', _, _) | ('t', 'z', _, _) => ('Q', 2),
            ('p', 'h', _, _) => ('f', 2),
            ('h' | 'x', _, _, _) => ('H', 1),
            ('c', _, _, _) => ('Q', 1),
            ('w', _, _, _) => ('v', 1),
            ('q', _, _, _) => ('k', 1),
            ('j', _, _, _) => ('J', 1),
            ('y', _, _, _) => ('i', 1),
            (other, _, _, _) => (other, 1),
        };
        i += used;
        // "ie"/"ye" → e ("Yekaterinburg", "военные"); doubled letters → one.
        if folded == 'e' && out.last() == Some(&'i') {
            out.pop();
        }
        if out.last() != Some(&folded) || folded.is_ascii_digit() {
            out.push(folded);
        }
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    if out.first() == Some(&' ') {
        out.remove(0);
    }
    out
}

fn mix64(mut x: u64) -> u64 {
    // SplitMix64 finaliser: a fast, well-distributed bijection.
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// MinHash signature of a text: [`SIGNATURE_LEN`] values over character 5-shingles of its
/// script-folded form. An empty text gives all `u32::MAX`.
pub fn minhash(text: &Normalized) -> Vec<u32> {
    let folded = script_fold(text.text());
    let mut bins = [u32::MAX; SIGNATURE_LEN];
    let mut filled = [false; SIGNATURE_LEN];
    if folded.is_empty() {
        return bins.to_vec();
    }
    // One hash per character, combined by position-dependent rotations: one finaliser
    // per shingle instead of one per character.
    let char_hashes: Vec<u64> = folded
        .iter()
        .map(|&c| mix64(u64::from(c) ^ 0x243F_6A88_85A3_08D3))
        .collect();
    let windows = folded.len().saturating_sub(SHINGLE - 1).max(1);
    for start in 0..windows {
        let end = (start + SHINGLE).min(folded.len());
        let mut h: u64 = (end - start) as u64;
        for (k, &ch) in char_hashes[start..end].iter().enumerate() {
            h ^= ch.rotate_left(13 * k as u32);
        }
        let h = mix64(h);
        let bin = (h >> 57) as usize % SIGNATURE_LEN;
        let value = h as u32;
        if value <= bins[bin] {
            bins[bin] = value;
            filled[bin] = true;
        }
    }
    // Densification: an empty bin takes the next filled bin's value, rehashed with the
    // distance, so that the same donor gives the same value in both texts.
    let mut out = bins;
    for i in 0..SIGNATURE_LEN {
        if filled[i] {
            continue;
        }
        for d in 1..SIGNATURE_LEN {
            let j = (i + d) % SIGNATURE_LEN;
            if filled[j] {
                out[i] = mix64(u64::from(bins[j]) ^ ((d as u64) << 40)) as u32;
                break;
            }
        }
    }
    out.to_vec()
}

/// Estimated Jaccard similarity of the two texts: the share of positions where the
/// signatures agree (0 when their lengths differ or they are empty).
pub fn jaccard_estimate(a: &[u32], b: &[u32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f32 / a.len() as f32
}

/// Clusters of near-duplicate signatures, built as signatures stream in.
///
/// ```
/// use kuzot_analysis::fingerprint::{NearDuplicateIndex, minhash};
/// use kuzot_analysis::normalize::normalize;
/// let mut index = NearDuplicateIndex::new();
/// index.insert(1, &minhash(&normalize("Грузчики на склад, 3500 руб смена, тел +7 900 413 62 70")));
/// index.insert(2, &minhash(&normalize("Грузчики на склад, 3500 руб смена 🔥, тел +7 900 999 88 77")));
/// index.insert(3, &minhash(&normalize("Сдаю комнату у метро, только на длительный срок")));
/// let clusters = index.clusters();
/// assert_eq!(clusters[0].1, clusters[1].1);
/// assert_ne!(clusters[0].1, clusters[2].1);
/// ```
#[derive(Debug, Clone)]
pub struct NearDuplicateIndex {
    bands: usize,
    rows: usize,
    threshold: f32,
    ids: Vec<u64>,
    /// The low byte of every signature value, `SIGNATURE_LEN` per signature.
    sketches: Vec<u8>,
    /// Band bucket → the first signature that fell in it.
    buckets: HashMap<u32, u32>,
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Default for NearDuplicateIndex {
    fn default() -> Self {
        NearDuplicateIndex::new()
    }
}

impl NearDuplicateIndex {
    /// An index with 24 bands of 4 values and a Jaccard threshold of 0.5: pairs at 0.5 are
    /// found with probability about 0.8 directly (more through transitive links), pairs at
    /// 0.7 with probability above 0.99.
    pub fn new() -> NearDuplicateIndex {
        NearDuplicateIndex::with_params(24, 4, 0.5)
    }

    /// An index with `bands` bands of `rows` values each (`bands * rows` at most
    /// [`SIGNATURE_LEN`]; fewer are used otherwise) and a verification threshold.
    pub fn with_params(bands: usize, rows: usize, threshold: f32) -> NearDuplicateIndex {
        let rows = rows.clamp(1, SIGNATURE_LEN);
        let bands = bands.clamp(1, SIGNATURE_LEN / rows);
        NearDuplicateIndex {
            bands,
            rows,
            threshold,
            ids: Vec::new(),
            sketches: Vec::new(),
            buckets: HashMap::new(),
            parent: Vec::new(),
            size: Vec::new(),
        }
    }

    /// Number of signatures inserted.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a signature and joins it to the clusters of verified near-duplicates seen so
    /// far. A signature of the wrong length, or of an empty text, stays alone.
    pub fn insert(&mut self, id: u64, signature: &[u32]) {
        let Ok(me) = u32::try_from(self.ids.len()) else {
            return; // more than 4 billion signatures: beyond what the index is for
        };
        self.ids.push(id);
        self.parent.push(me);
        self.size.push(1);
        let usable = signature.len() == SIGNATURE_LEN && signature.iter().any(|&v| v != u32::MAX);
        if usable {
            self.sketches.extend(signature.iter().map(|&v| v as u8));
        } else {
            // A sketch no real signature matches.
            self.sketches
                .extend((0..SIGNATURE_LEN).map(|k| (k as u8).wrapping_mul(37) ^ 0x5A));
            return;
        }
        for band in 0..self.bands {
            let mut h = mix64(band as u64 + 1);
            for &v in &signature[band * self.rows..(band + 1) * self.rows] {
                h = mix64(h ^ u64::from(v));
            }
            let key = (h >> 32) as u32;
            match self.buckets.get(&key) {
                None => {
                    self.buckets.insert(key, me);
                }
                Some(&other) => {
                    if self.find(other) != self.find(me)
                        && self.sketch_similarity(other, me) >= self.threshold
                    {
                        self.union(other, me);
                    }
                }
            }
        }
    }

    /// The cluster of every inserted id, in insertion order: `(id, cluster)`, where the
    /// cluster is named by the id of its first-inserted member.
    pub fn clusters(&mut self) -> Vec<(u64, u64)> {
        let n = self.ids.len();
        // The first-inserted member of each root's cluster.
        let mut first_of_root: Vec<u32> = vec![u32::MAX; n];
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let Ok(i32_) = u32::try_from(i) else { break };
            let root = self.find(i32_) as usize;
            if first_of_root[root] == u32::MAX {
                first_of_root[root] = i32_;
            }
            out.push((self.ids[i], self.ids[first_of_root[root] as usize]));
        }
        out
    }

    /// Jaccard similarity estimated from the 1-byte sketches, corrected for the chance
    /// that two different values share their low byte.
    fn sketch_similarity(&self, a: u32, b: u32) -> f32 {
        let sa = &self.sketches[a as usize * SIGNATURE_LEN..(a as usize + 1) * SIGNATURE_LEN];
        let sb = &self.sketches[b as usize * SIGNATURE_LEN..(b as usize + 1) * SIGNATURE_LEN];
        let same = sa.iter().zip(sb).filter(|(x, y)| x == y).count() as f32;
        let chance = 1.0 / 256.0;
        ((same / SIGNATURE_LEN as f32) - chance) / (1.0 - chance)
    }

    fn find(&mut self, mut x: u32) -> u32 {
        // Path halving: iterative, no recursion on long chains.
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use proptest::prelude::*;

    fn sig(text: &str) -> Vec<u32> {
        minhash(&normalize(text))
    }

    fn folded(text: &str) -> String {
        script_fold(normalize(text).text()).into_iter().collect()
    }

    const AD: &str = "🧱 ВАХТА МЕЛИТОПОЛЬ 🧱 Нужны штукатуры, сварщики, плиточники и \
        сантехники. Оплата 98 000 - 118 000 руб/мес, аванс каждую неделю. Живём в \
        общежитии у объекта, горячие обеды, дорогу компенсируем. Тел +7 949 314 26 58";

    #[test]
    fn transliteration_variants_fold_together() {
        assert_eq!(folded("вахта в Мариуполе"), folded("vakhta v Mariupole"));
        assert_eq!(folded("вахта"), folded("vaxta"));
        assert_eq!(folded("вахта"), folded("vahta"));
        assert_eq!(folded("щебень"), folded("shcheben"));
        assert_eq!(folded("жильё"), folded("zhilye"));
        assert_eq!(folded("жильё"), folded("jilie"));
        assert_eq!(folded("юрист, яма"), folded("iurist, iama"));
        assert_eq!(folded("Екатеринбург"), folded("Yekaterinburg"));
        assert_eq!(folded("улица"), folded("ulitsa"));
        assert_eq!(folded("улица"), folded("ulica"));
        assert_eq!(folded("oʻzbek gʻisht"), folded("ozbek gisht"));
        assert_eq!(folded("120 000"), "120 000");
    }

    #[test]
    fn reposts_cluster_and_different_ads_do_not() {
        let changed_phone = AD.replace("+7 949 314 26 58", "+7 990 512 83 04");
        let emoji_and_line = format!("🔥🔥 {AD}\nПишите в WhatsApp, ответим быстро!");
        let latin = "VAKHTA MELITOPOL. Nuzhny shtukatury, svarshchiki, plitochniki i \
            santekhniki. Oplata 98 000 - 118 000 rub/mes, avans kazhduyu nedelyu. Zhivyom v \
            obshchezhitii u obyekta, goryachie obedy, dorogu kompensiruem. Tel +7 949 314 26 58";
        let latin_other_scheme = "VAXTA MELITOPOL. Nujny shtukatury, svarschiki, plitochniki \
            i santexniki. Oplata 98 000 - 118 000 rub/mes, avans kajduiu nedeliu. Jiviom v \
            obschejitii u obiekta, goriachie obedy, dorogu kompensiruem. Tel +7 949 314 26 58";
        let other = "Сдаю комнату в Люблино, 5 минут от метро, 18 000 в месяц, только на \
            длительный срок, без животных. Звоните вечером 8 916 000 11 22";
        let other_job = "Сборщики заказов на склад маркетплейса, смены по 12 часов, доход \
            от 90 000 руб, расчёт раз в неделю. Тел +7 901 246 13 57";
        let texts = [
            AD,
            &changed_phone,
            &emoji_and_line,
            latin,
            latin_other_scheme,
            other,
            other_job,
        ];
        let sigs: Vec<Vec<u32>> = texts.iter().map(|t| sig(t)).collect();
        for (i, s) in sigs.iter().enumerate().skip(1) {
            println!(
                "jaccard(ad, text {i}) = {:.2}",
                jaccard_estimate(&sigs[0], s)
            );
        }
        assert!(
            jaccard_estimate(&sigs[0], &sigs[3]) >= 0.5,
            "latin {}",
            jaccard_estimate(&sigs[0], &sigs[3])
        );
        let mut index = NearDuplicateIndex::new();
        for (i, s) in sigs.iter().enumerate() {
            index.insert(i as u64 + 100, s);
        }
        let clusters: Vec<u64> = index.clusters().into_iter().map(|(_, c)| c).collect();
        assert_eq!(clusters[..5], [100, 100, 100, 100, 100]);
        assert_eq!(clusters[5], 105);
        assert_eq!(clusters[6], 106);
    }

    #[test]
    fn estimates_track_similarity() {
        let a = sig(AD);
        assert_eq!(jaccard_estimate(&a, &a), 1.0);
        assert_eq!(a.len(), SIGNATURE_LEN);
        let far = sig("Has anyone here been to Samarkand this year? How much are tickets?");
        assert!(jaccard_estimate(&a, &far) < 0.2);
        assert_eq!(jaccard_estimate(&a, &[1, 2, 3]), 0.0);
    }

    #[test]
    fn empty_and_odd_signatures_stay_alone() {
        let mut index = NearDuplicateIndex::new();
        index.insert(1, &sig(""));
        index.insert(2, &sig("🔥🔥"));
        index.insert(3, &[1, 2, 3]);
        let clusters = index.clusters();
        assert_eq!(clusters, [(1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn large_input_completes() {
        let long = "вахта 120 000 ".repeat(1 << 16);
        assert_eq!(sig(&long).len(), SIGNATURE_LEN);
    }

    proptest! {
        #[test]
        fn never_panics(a in "\\PC{0,200}", b in "\\PC{0,200}") {
            let (sa, sb) = (sig(&a), sig(&b));
            prop_assert_eq!(sa.len(), SIGNATURE_LEN);
            let j = jaccard_estimate(&sa, &sb);
            prop_assert!((0.0..=1.0).contains(&j));
            let mut index = NearDuplicateIndex::with_params(100, 0, 2.0);
            index.insert(0, &sa);
            index.insert(1, &sb);
            prop_assert_eq!(index.clusters().len(), 2);
        }
    }
}
