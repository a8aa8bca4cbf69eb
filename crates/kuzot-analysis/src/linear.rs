//! A trainable multiclass linear model over hashed text features: the learned half of
//! the classifier, beside the cue lexicons.
//!
//! Features of the normalised text: word unigrams, word bigrams, and character 3- to 5-grams
//! within words (with word-boundary marks, so that inflected and misspelt forms share most
//! of their grams), hashed into `2^hash_bits` dimensions and scaled by `1/√count` so that long
//! texts do not dominate. The model is multinomial logistic regression trained by AdaGrad
//! with L2 regularisation, examples visited in an order shuffled by a seeded generator: the
//! same examples and parameters give the same model, bit for bit.
//!
//! A model is saved in a versioned binary format: a magic header, the format version, the
//! feature-set version (models from another feature extractor are refused rather than
//! silently misread), the hash size, training metadata (number of examples, a date the
//! caller gives, label counts), the weights, and a CRC-32 of everything before it, so that a
//! corrupted or truncated file is rejected with a clear [`ModelError`].
//!
//! ```
//! use kuzot_analysis::linear::{LinearModel, TrainParams};
//! use kuzot_analysis::normalize::normalize;
//! use kuzot_model::Category;
//! let examples = [
//!     ("Контракт с Минобороны, выплата 195 000", Category::MilitaryContract),
//!     ("Служба в армии по контракту, подъёмные", Category::MilitaryContract),
//!     ("Курьер в доставку, свободный график", Category::JobOther),
//!     ("Курьеры на велосипеде, оплата ежедневно", Category::JobOther),
//! ];
//! let params = TrainParams { hash_bits: 12, ..TrainParams::default() };
//! let model = LinearModel::train(&examples, &params);
//! assert_eq!(model.predict(&normalize("контракт с минобороны")), Category::MilitaryContract);
//! let restored = LinearModel::from_bytes(&model.to_bytes()).expect("round trip");
//! assert_eq!(restored, model);
//! ```

use kuzot_model::Category;

use crate::normalize::{Normalized, normalize};

/// Version of the feature extractor; a saved model records it.
pub const FEATURE_VERSION: u16 = 1;
/// Version of the binary format.
pub const FORMAT_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"KUZOTLM\0";
const CLASSES: usize = 7;
/// Largest hash size a model may have (2^24 dimensions × 7 classes × 4 bytes = 448 MiB).
const MAX_HASH_BITS: u32 = 24;

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams {
    /// The model has `2^hash_bits` feature dimensions (at most 24).
    pub hash_bits: u32,
    /// Passes over the training examples.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 regularisation strength.
    pub l2: f32,
    /// Seed of the example order.
    pub seed: u64,
    /// When the model was trained, as the caller wants it recorded (e.g. an RFC 3339 date).
    pub trained_at: String,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            hash_bits: 18,
            epochs: 12,
            learning_rate: 0.5,
            l2: 1e-6,
            seed: 0x006B_757A_6F74,
            trained_at: String::new(),
        }
    }
}

/// What a saved model records about its training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingInfo {
    /// Number of training examples.
    pub examples: u64,
    /// The date given at training.
    pub trained_at: String,
    /// Training examples per category, in [`Category::ALL`] order.
    pub label_counts: [u64; CLASSES],
    /// Passes over the data.
    pub epochs: u32,
}

/// A model file that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The bytes do not start with the model header.
    #[error("not a kuzot model file of this kind (bad magic header)")]
    BadMagic,
    /// Written by a newer or older kuzot.
    #[error("unsupported model format version {0} (this build reads version {FORMAT_VERSION})")]
    UnsupportedFormat(u16),
    /// Trained on features this build does not compute.
    #[error(
        "model was trained on feature set {0}, this build computes feature set {FEATURE_VERSION}: retrain it"
    )]
    UnsupportedFeatures(u16),
    /// The file ends early or has bytes left over.
    #[error("model file is truncated or malformed: {0}")]
    Malformed(String),
    /// The checksum does not match: the file was corrupted.
    #[error("model file is corrupted (checksum {found:08x}, expected {expected:08x})")]
    Checksum {
        /// Checksum stored in the file.
        expected: u32,
        /// Checksum of the bytes read.
        found: u32,
    },
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    hash_bits: u32,
    /// `weights[feature * CLASSES + class]`.
    weights: Vec<f32>,
    bias: [f32; CLASSES],
    info: TrainingInfo,
}

impl Default for LinearModel {
    /// An untrained model: every category equally likely, whatever the text.
    fn default() -> Self {
        LinearModel {
            hash_bits: 4,
            weights: vec![0.0; (1 << 4) * CLASSES],
            bias: [0.0; CLASSES],
            info: TrainingInfo {
                examples: 0,
                trained_at: String::new(),
                label_counts: [0; CLASSES],
                epochs: 0,
            },
        }
    }
}

pub(crate) fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(crate) fn hash_bytes(seed: u64, parts: &[&[u8]]) -> u64 {
    // FNV-1a over the parts, with a separator, then a finaliser.
    let mut h = 0xCBF2_9CE4_8422_2325 ^ seed;
    for part in parts {
        for &b in *part {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
        h = (h ^ 0xFF).wrapping_mul(0x0100_0000_01B3);
    }
    mix64(h)
}

/// The hashed features of a text: indices (repeats allowed) and the scale of each.
fn features(text: &Normalized, hash_bits: u32, out: &mut Vec<u32>) -> f32 {
    out.clear();
    let mask = (1u64 << hash_bits) - 1;
    let s = text.text();
    let mut prev: Option<&str> = None;
    let mut chars: Vec<usize> = Vec::new();
    for (start, end) in text.words() {
        let word = &s[start..end];
        out.push((hash_bytes(1, &[word.as_bytes()]) & mask) as u32);
        if let Some(p) = prev {
            out.push((hash_bytes(2, &[p.as_bytes(), word.as_bytes()]) & mask) as u32);
        }
        prev = Some(word);
        // Character n-grams of "<word>", on char boundaries.
        chars.clear();
        chars.extend(word.char_indices().map(|(i, _)| i));
        chars.push(word.len());
        let n_chars = chars.len() - 1;
        let padded = n_chars + 2;
        for n in 3..=5usize {
            if padded < n {
                continue;
            }
            for first in 0..=(padded - n) {
                let last = first + n; // exclusive, in padded positions
                let head: &[u8] = if first == 0 { b"<" } else { b"" };
                let tail: &[u8] = if last == padded { b">" } else { b"" };
                let from = chars[first.saturating_sub(1).min(n_chars)];
                let to = chars[(last - 1).min(n_chars)];
                let body = word.as_bytes().get(from..to).unwrap_or_default();
                out.push((hash_bytes(3 + n as u64, &[head, body, tail]) & mask) as u32);
            }
        }
    }
    if out.is_empty() {
        0.0
    } else {
        1.0 / (out.len() as f32).sqrt()
    }
}

fn softmax(z: &mut [f32; CLASSES]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// A small deterministic generator for the example order (xorshift64*).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(mix64(seed) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

impl LinearModel {
    /// Trains a model on `(original text, category)` pairs.
    pub fn train(examples: &[(&str, Category)], params: &TrainParams) -> LinearModel {
        let hash_bits = params.hash_bits.clamp(4, MAX_HASH_BITS);
        let dims = 1usize << hash_bits;
        let mut weights = vec![0.0f32; dims * CLASSES];
        let mut accum = vec![0.0f32; dims * CLASSES];
        let mut bias = [0.0f32; CLASSES];
        let mut bias_accum = [0.0f32; CLASSES];
        let mut label_counts = [0u64; CLASSES];
        // Features once, up front.
        let mut prepared: Vec<(Vec<u32>, f32, usize)> = Vec::with_capacity(examples.len());
        let mut buf = Vec::new();
        for (text, category) in examples {
            let scale = features(&normalize(text), hash_bits, &mut buf);
            label_counts[category.index()] += 1;
            prepared.push((buf.clone(), scale, category.index()));
        }
        let mut order: Vec<usize> = (0..prepared.len()).collect();
        let mut rng = Rng::new(params.seed);
        let eps = 1e-8f32;
        let lr = params.learning_rate;
        for _ in 0..params.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (feats, scale, label) = &prepared[i];
                let mut z = bias;
                for &f in feats {
                    let row = &weights[f as usize * CLASSES..(f as usize + 1) * CLASSES];
                    for c in 0..CLASSES {
                        z[c] += row[c] * scale;
                    }
                }
                softmax(&mut z);
                let mut grad = z;
                grad[*label] -= 1.0;
                for ((b, acc), g) in bias.iter_mut().zip(&mut bias_accum).zip(&grad) {
                    *acc += g * g;
                    *b -= lr * g / (acc.sqrt() + eps);
                }
                for &f in feats {
                    let base = f as usize * CLASSES;
                    let row = weights[base..base + CLASSES].iter_mut();
                    let acc = accum[base..base + CLASSES].iter_mut();
                    for ((w, a), gc) in row.zip(acc).zip(&grad) {
                        let g = gc * scale + params.l2 * *w;
                        *a += g * g;
                        *w -= lr * g / (a.sqrt() + eps);
                    }
                }
            }
        }
        LinearModel {
            hash_bits,
            weights,
            bias,
            info: TrainingInfo {
                examples: examples.len() as u64,
                trained_at: params.trained_at.clone(),
                label_counts,
                epochs: u32::try_from(params.epochs).unwrap_or(u32::MAX),
            },
        }
    }

    /// Probabilities per category, in [`Category::ALL`] order.
    pub fn scores(&self, text: &Normalized) -> [f32; 7] {
        let mut feats = Vec::new();
        let scale = features(text, self.hash_bits, &mut feats);
        let mut z = self.bias;
        for &f in &feats {
            if let Some(row) = self
                .weights
                .get(f as usize * CLASSES..(f as usize + 1) * CLASSES)
            {
                for c in 0..CLASSES {
                    z[c] += row[c] * scale;
                }
            }
        }
        softmax(&mut z);
        z
    }

    /// The most probable category.
    pub fn predict(&self, text: &Normalized) -> Category {
        let scores = self.scores(text);
        let mut best = 0;
        for c in 1..CLASSES {
            if scores[c] > scores[best] {
                best = c;
            }
        }
        Category::ALL[best]
    }

    /// What the model records about its training.
    pub fn info(&self) -> &TrainingInfo {
        &self.info
    }

    /// Number of hashed feature dimensions.
    pub fn dimensions(&self) -> usize {
        1 << self.hash_bits
    }

    /// The model in the versioned binary format (see the module documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.weights.len() * 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&self.hash_bits.to_le_bytes());
        out.extend_from_slice(&(CLASSES as u32).to_le_bytes());
        out.extend_from_slice(&self.info.examples.to_le_bytes());
        out.extend_from_slice(&self.info.epochs.to_le_bytes());
        for count in self.info.label_counts {
            out.extend_from_slice(&count.to_le_bytes());
        }
        let date = self.info.trained_at.as_bytes();
        out.extend_from_slice(&(date.len() as u32).to_le_bytes());
        out.extend_from_slice(date);
        for b in self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a model written by [`LinearModel::to_bytes`]; never panics on any bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<LinearModel, ModelError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let (mut r, body_len) = checked_model_file(bytes, MAGIC, FORMAT_VERSION, FEATURE_VERSION)?;
        let hash_bits = r.u32()?;
        if !(4..=MAX_HASH_BITS).contains(&hash_bits) {
            return Err(ModelError::Malformed(format!(
                "hash size 2^{hash_bits} out of range"
            )));
        }
        let classes = r.u32()?;
        if classes as usize != CLASSES {
            return Err(ModelError::Malformed(format!(
                "{classes} classes, expected {CLASSES}"
            )));
        }
        let examples = r.u64()?;
        let epochs = r.u32()?;
        let mut label_counts = [0u64; CLASSES];
        for count in &mut label_counts {
            *count = r.u64()?;
        }
        let date_len = r.u32()? as usize;
        let date = r.take(date_len)?;
        let trained_at = String::from_utf8(date.to_vec())
            .map_err(|_| ModelError::Malformed("training date is not UTF-8".into()))?;
        let mut bias = [0.0f32; CLASSES];
        for b in &mut bias {
            *b = r.f32()?;
        }
        let n = (1usize << hash_bits) * CLASSES;
        if body_len.saturating_sub(r.at) != n * 4 {
            return Err(ModelError::Malformed(format!(
                "expected {n} weights, found {} bytes",
                body_len.saturating_sub(r.at)
            )));
        }
        let raw = r.take(n * 4)?;
        let weights = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(LinearModel {
            hash_bits,
            weights,
            bias,
            info: TrainingInfo {
                examples,
                trained_at,
                label_counts,
                epochs,
            },
        })
    }
}

/// Checks the parts every kuzot model file shares — magic header, format and feature-set
/// versions, CRC-32 of everything before the last four bytes — and returns a reader placed
/// after the versions, with the length of the body before the checksum.
pub(crate) fn checked_model_file<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    format_version: u16,
    feature_version: u16,
) -> Result<(Reader<'a>, usize), ModelError> {
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        return Err(ModelError::BadMagic);
    }
    let mut r = Reader {
        bytes,
        at: magic.len(),
    };
    let format = r.u16()?;
    if format != format_version {
        return Err(ModelError::UnsupportedFormat(format));
    }
    let features = r.u16()?;
    if features != feature_version {
        return Err(ModelError::UnsupportedFeatures(features));
    }
    // Checksum before anything large is trusted.
    let Some(body_len) = bytes.len().checked_sub(4) else {
        return Err(ModelError::Malformed("no checksum".into()));
    };
    let expected = u32::from_le_bytes(
        bytes[body_len..]
            .try_into()
            .map_err(|_| ModelError::Malformed("no checksum".into()))?,
    );
    let found = crc32(&bytes[..body_len]);
    if found != expected {
        return Err(ModelError::Checksum { expected, found });
    }
    Ok((r, body_len))
}

pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| ModelError::Malformed(format!("ends before byte {}", self.at + n)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        self.take(N)?
            .try_into()
            .map_err(|_| ModelError::Malformed("short field".into()))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, ModelError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(self.array()?))
    }
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE 802.3), the checksum of zip and PNG.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// Scores of one fold of a cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldReport {
    /// Test examples in the fold.
    pub test_examples: usize,
    /// Accuracy on them.
    pub accuracy: f64,
    /// Macro-F1 over the categories present in the fold's test labels.
    pub macro_f1: f64,
}

/// Result of [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct CvReport {
    /// Per fold.
    pub folds: Vec<FoldReport>,
    /// Mean accuracy over folds.
    pub mean_accuracy: f64,
    /// Mean macro-F1 over folds.
    pub mean_macro_f1: f64,
}

/// Stratified k-fold cross-validation: each category's examples are shuffled with the
/// training seed and dealt round-robin into `k` folds; each fold is scored by a model
/// trained on the others. Deterministic. `k` is clamped to at least 2.
pub fn cross_validate(examples: &[(&str, Category)], k: usize, params: &TrainParams) -> CvReport {
    let k = k.max(2);
    let mut fold_of = vec![0usize; examples.len()];
    let mut rng = Rng::new(params.seed ^ 0x00C0_FFEE);
    for category in Category::ALL {
        let mut members: Vec<usize> = (0..examples.len())
            .filter(|&i| examples[i].1 == category)
            .collect();
        rng.shuffle(&mut members);
        for (n, &i) in members.iter().enumerate() {
            fold_of[i] = n % k;
        }
    }
    let mut folds = Vec::with_capacity(k);
    for fold in 0..k {
        let train: Vec<(&str, Category)> = (0..examples.len())
            .filter(|&i| fold_of[i] != fold)
            .map(|i| examples[i])
            .collect();
        let test: Vec<(&str, Category)> = (0..examples.len())
            .filter(|&i| fold_of[i] == fold)
            .map(|i| examples[i])
            .collect();
        if test.is_empty() {
            continue;
        }
        let model = LinearModel::train(&train, params);
        let mut confusion = [[0usize; CLASSES]; CLASSES];
        for (text, gold) in &test {
            let predicted = model.predict(&normalize(text));
            confusion[gold.index()][predicted.index()] += 1;
        }
        let correct: usize = (0..CLASSES).map(|c| confusion[c][c]).sum();
        let mut f1s = Vec::new();
        for (c, row) in confusion.iter().enumerate() {
            let support: usize = row.iter().sum();
            if support == 0 {
                continue;
            }
            let tp = row[c] as f64;
            let predicted: usize = (0..CLASSES).map(|g| confusion[g][c]).sum();
            let p = if predicted > 0 {
                tp / predicted as f64
            } else {
                0.0
            };
            let r = tp / support as f64;
            f1s.push(if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            });
        }
        folds.push(FoldReport {
            test_examples: test.len(),
            accuracy: correct as f64 / test.len() as f64,
            macro_f1: f1s.iter().sum::<f64>() / f1s.len().max(1) as f64,
        });
    }
    let mean =
        |f: fn(&FoldReport) -> f64| folds.iter().map(f).sum::<f64>() / folds.len().max(1) as f64;
    CvReport {
        mean_accuracy: mean(|f| f.accuracy),
        mean_macro_f1: mean(|f| f.macro_f1),
        folds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Openings, bodies and endings of one category's messages.
    type Pool = (
        Category,
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );

    /// A synthetic labelled set: for each category, short messages composed from phrase
    /// pools written for this test (not from any evaluation set), in several languages.
    fn synthetic() -> Vec<(String, Category)> {
        let pools: [Pool; 7] = [
            (
                Category::MilitaryContract,
                &[
                    "Военная служба по контракту",
                    "Контракт с Минобороны",
                    "Приглашаем на контрактную службу",
                    "Armiyaga shartnoma bilan xizmatga",
                    "Армияга келишим менен кызматка чакырабыз",
                    "Enlist in the Russian army on contract",
                ],
                &[
                    "единовременная выплата при подписании",
                    "денежное довольствие от 210 тысяч",
                    "гражданство для вас и семьи",
                    "shartnoma imzolaganda pul va fuqarolik",
                    "пункт отбора работает ежедневно",
                    "signing bonus and a Russian passport",
                ],
                &[
                    "звоните",
                    "пункт отбора",
                    "военкомат",
                    "Tel",
                    "жазгыла",
                    "apply now",
                ],
            ),
            (
                Category::Pmc,
                &[
                    "ЧВК набирает бойцов",
                    "Оркестру нужны музыканты",
                    "Частная военная компания ищет добровольцев",
                    "Vagnerga yigitlar kerak",
                    "PMC is recruiting fighters",
                    "Спецназ Ахмат приглашает",
                ],
                &[
                    "помилование после контракта",
                    "судимость не помеха",
                    "полгода и ты свободен",
                    "qamoqdagilar uchun ozodlik",
                    "inmates freed after service",
                    "база и экипировка от компании",
                ],
                &["пиши в личку", "звони", "DM", "телеграм", "связь", "ждём"],
            ),
            (
                Category::DisguisedMilitary,
                &[
                    "Требуется охранник в бюджетное учреждение",
                    "Водитель-экспедитор на объекты специальной операции",
                    "Повар на объект СВО",
                    "Qo'riqchi kerak, byudjet tashkiloti",
                    "Guard job at a city maintenance service",
                    "Санитар в медицинское подразделение",
                ],
                &[
                    "удостоверение участника боевых действий",
                    "подготовка на полигоне шесть недель",
                    "выплаты при ранении",
                    "faxriy maqomi va sug'urta",
                    "veteran benefits after deployment",
                    "оформление через военкомат",
                ],
                &[
                    "звоните",
                    "тел",
                    "подробности в личке",
                    "Tel",
                    "call",
                    "пишите",
                ],
            ),
            (
                Category::FrontlineLabour,
                &[
                    "Копать окопы в приграничье",
                    "Земляные работы на оборонительных рубежах",
                    "Строительство фортификаций",
                    "Okop qazish ishi",
                    "Окоп казууга кишилер керек",
                    "Dig trenches near the front line",
                ],
                &[
                    "оплата за каждый час",
                    "проживание в палатках",
                    "линия обороны, вахта",
                    "yotoqxona va ovqat bepul",
                    "building defensive lines",
                    "погрузка боеприпасов на складах",
                ],
                &["звонить", "вотсап", "тел", "Tel", "call", "пишите"],
            ),
            (
                Category::OccupiedReconstruction,
                &[
                    "Вахта в Мариуполе",
                    "Восстановление жилых домов в ДНР",
                    "Стройка в новых регионах",
                    "Mariupolga vaxta",
                    "Бердянскіге вахтамен жұмысшылар",
                    "Rebuilding apartment blocks in Melitopol",
                ],
                &[
                    "бетонщики и каменщики",
                    "жильё в модульном городке",
                    "ремонт дорог и подстанций",
                    "betonchi va elektrik kerak",
                    "жатақхана және тамақ тегін",
                    "roofers and masons wanted",
                ],
                &[
                    "билеты оплачиваем",
                    "звоните",
                    "тел",
                    "Tel",
                    "contact",
                    "хабарласыңыз",
                ],
            ),
            (
                Category::JobOther,
                &[
                    "Курьеры в службу доставки",
                    "Сортировочный центр ищет упаковщиков",
                    "Таксопарк приглашает водителей",
                    "Sankt-Peterburgda yuk tashuvchilar kerak",
                    "Strawberry harvest jobs on British farms",
                    "Пекарь в сетевую пекарню",
                ],
                &[
                    "свободный график",
                    "официальное трудоустройство",
                    "оплата каждую неделю",
                    "yotoqxona bepul",
                    "visa for six months",
                    "бесплатный служебный автобус",
                ],
                &["звонить", "тел", "пишите", "Tel", "apply", "ватсап"],
            ),
            (
                Category::Other,
                &[
                    "Сдам угол в квартире недорого",
                    "Кто знает как продлить патент",
                    "Новости: суд приговорил жителя",
                    "Samarqandga bilet qancha",
                    "Has anyone been to Mariupol",
                    "Переводы без комиссии",
                ],
                &[
                    "только для мужчин",
                    "помогите пожалуйста",
                    "сообщили правозащитники",
                    "hozir uchmoqchiman",
                    "is it true they keep your passport",
                    "доставка до дома",
                ],
                &[
                    "спасибо",
                    "заранее благодарен",
                    "ответьте",
                    "rahmat",
                    "thanks",
                    "берегите себя",
                ],
            ),
        ];
        // Words every kind of message uses, so that no class is told apart by them.
        let shared = [
            "Москва",
            "срочно!",
            "оплата каждую неделю",
            "проживание есть",
            "Ish bor",
            "жумуш бар",
            "work available",
            "без опыта",
            "тел +7 900 000 00 00",
            "🔥🔥",
            "подробнее в личке",
            "жильё и питание",
        ];
        let mut rng = super::Rng::new(7);
        let mut out = Vec::new();
        for (category, heads, bodies, tails) in pools {
            for _ in 0..30usize {
                let mut pick = |n: usize| (rng.next() % n as u64) as usize;
                // Sometimes a message is only its opening and shared words.
                let body = if pick(4) == 0 {
                    ""
                } else {
                    bodies[pick(bodies.len())]
                };
                let text = format!(
                    "{} {}. {}, {} {}",
                    shared[pick(shared.len())],
                    heads[pick(heads.len())],
                    body,
                    shared[pick(shared.len())],
                    tails[pick(tails.len())]
                );
                out.push((text, category));
            }
        }
        out
    }

    fn small() -> TrainParams {
        TrainParams {
            hash_bits: 14,
            epochs: 8,
            trained_at: "2026-11-28".into(),
            ..TrainParams::default()
        }
    }

    #[test]
    fn learns_well_above_the_majority_baseline() {
        let data = synthetic();
        let examples: Vec<(&str, Category)> = data.iter().map(|(t, c)| (t.as_str(), *c)).collect();
        let report = cross_validate(&examples, 5, &small());
        println!(
            "5-fold CV: mean accuracy {:.3}, mean macro-F1 {:.3}",
            report.mean_accuracy, report.mean_macro_f1
        );
        assert_eq!(report.folds.len(), 5);
        // Seven balanced classes: the majority baseline is 1/7 ≈ 0.14.
        assert!(report.mean_accuracy > 0.7, "{report:?}");
        assert!(report.mean_macro_f1 > 0.7, "{report:?}");
        // Deterministic.
        assert_eq!(report, cross_validate(&examples, 5, &small()));
    }

    #[test]
    fn scores_are_probabilities_in_category_order() {
        let data = synthetic();
        let examples: Vec<(&str, Category)> = data.iter().map(|(t, c)| (t.as_str(), *c)).collect();
        let model = LinearModel::train(&examples, &small());
        let scores = model.scores(&normalize("ЧВК набирает бойцов, судимость не помеха"));
        let sum: f32 = scores.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4);
        assert_eq!(
            model.predict(&normalize("ЧВК набирает бойцов, судимость не помеха")),
            Category::Pmc
        );
        assert_eq!(model.info().examples, 210);
        assert_eq!(model.info().label_counts, [30; 7]);
        assert_eq!(model.dimensions(), 1 << 14);
    }

    #[test]
    fn binary_format_round_trips_and_rejects_damage() {
        let examples = [
            ("Контракт с Минобороны", Category::MilitaryContract),
            ("Курьер в доставку", Category::JobOther),
        ];
        let params = TrainParams {
            hash_bits: 8,
            ..small()
        };
        let model = LinearModel::train(&examples, &params);
        let bytes = model.to_bytes();
        let back = LinearModel::from_bytes(&bytes).expect("round trip");
        assert_eq!(back, model);
        assert_eq!(back.info().trained_at, "2026-11-28");

        let mut corrupted = bytes.clone();
        let middle = corrupted.len() / 2;
        corrupted[middle] ^= 0x10;
        assert!(matches!(
            LinearModel::from_bytes(&corrupted),
            Err(ModelError::Checksum { .. })
        ));
        assert_eq!(
            LinearModel::from_bytes(b"PK\x03\x04 a zip file"),
            Err(ModelError::BadMagic)
        );
        let mut newer = bytes.clone();
        newer[8] = 9;
        assert_eq!(
            LinearModel::from_bytes(&newer),
            Err(ModelError::UnsupportedFormat(9))
        );
        let mut other_features = bytes.clone();
        other_features[10] = 7;
        assert_eq!(
            LinearModel::from_bytes(&other_features),
            Err(ModelError::UnsupportedFeatures(7))
        );
        assert!(LinearModel::from_bytes(&bytes[..bytes.len() - 9]).is_err());
    }

    #[test]
    fn features_of_long_and_empty_texts() {
        let mut out = Vec::new();
        assert_eq!(features(&normalize(""), 10, &mut out), 0.0);
        let long = "а".repeat(10_000);
        assert!(features(&normalize(&long), 10, &mut out) > 0.0);
    }

    proptest! {
        #[test]
        fn from_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = LinearModel::from_bytes(&bytes);
            let mut with_magic = MAGIC.to_vec();
            with_magic.extend_from_slice(&[1, 0, 1, 0]);
            with_magic.extend_from_slice(&bytes);
            let _ = LinearModel::from_bytes(&with_magic);
        }

        #[test]
        fn scoring_never_panics(s in "\\PC{0,200}") {
            let model = LinearModel::train(&[("a", Category::Other)], &TrainParams { hash_bits: 6, epochs: 1, ..TrainParams::default() });
            let scores = model.scores(&normalize(&s));
            prop_assert!(scores.iter().all(|p| p.is_finite()));
        }
    }
}
