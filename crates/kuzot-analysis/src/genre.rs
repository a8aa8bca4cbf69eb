//! Genre: who speaks, to whom, to what end — an offer (`ad`), a `report`, a `testimony`, a
//! `warning`, a `job_search` or `chatter`.
//!
//! The cue model knows what a text is ABOUT (a contract, a PMC, trenches); it cannot tell an
//! ad from a news item that quotes one, because both carry the same words. What tells them
//! apart is framing: a report attributes ("сообщили", "деди", "said"), narrates in the third
//! person and the past, names outlets and courts; an ad addresses the reader ("вы", "сиз",
//! "you"), speaks for "we", calls to act ("звоните", "жазыңыз"), gives a number and a price.
//!
//! So the genre model sees **no topic words**. Each word of the text becomes either its
//! framing role (from `data/genre-words.tsv`: `p2`, `attrib`, `imper`, … in all six
//! languages) or only its last two and three letters (verb person and tense, case endings);
//! beside these come the shape of the text (length, lines, bullets, exclamation and
//! question marks, capitals, quotes, links) and the cue model's whole-text evidence
//! (contacts, pay, calls to act, news words). A logistic regression over these hashed
//! features gives the probability that the text is an offer. Because the roles are shared
//! across languages and no topic word is seen, what it learns from Russian and Kazakh news
//! and from vacancies carries over to recruitment ads and to reports in Kyrgyz, Uzbek,
//! Tajik and English, and military words cannot make a report look like an ad.
//!
//! It is trained by weak supervision on real text (`kuzot train-genre`): news corpora are
//! reports, vacancy corpora are ads, and the labelled development set gives both; the cue
//! model acts as a noisy labeller that drops news posts carrying a contact and a call to act
//! (channels' own advertising). The model ships compiled in (`data/genre-model.kzg`) and is
//! rebuilt bit for bit by the same command.
//!
//! Among texts that are not offers, the roles decide: warnings warn, job seekers seek, a
//! first-person account is a testimony, attribution and narration make a report, and the
//! rest is chatter.
//!
//! ```
//! use kuzot_analysis::genre::GenreWords;
//! use kuzot_analysis::normalize::normalize;
//! let words = GenreWords::try_new().expect("compiled-in data is valid");
//! let roles = words.count(&normalize("Звоните нам! Мы приглашаем вас на работу"));
//! assert!(roles.get("p2") >= 1 && roles.get("imper") >= 1 && roles.get("offer") >= 1);
//! ```

use kuzot_model::Genre;

use crate::classify::Evidence;
use crate::lexicon::{Lexicon, LexiconError, parse_tsv};
use crate::linear::{ModelError, Rng, checked_model_file, crc32, hash_bytes};
use crate::normalize::Normalized;

const GENRE_WORDS_TSV: &str = include_str!("../data/genre-words.tsv");
/// The model trained by `kuzot train-genre` from the repository's recipe.
pub const DEFAULT_MODEL: &[u8] = include_bytes!("../data/genre-model.kzg");

/// Version of the genre feature extractor; a saved model records it.
pub const GENRE_FEATURE_VERSION: u16 = 2;
/// Version of the genre model's binary format.
pub const GENRE_FORMAT_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"KUZOTGM\0";
/// Hashed feature dimensions of a genre model: 2^16 (the features are few: roles, endings,
/// shape), 256 KiB of weights.
const DEFAULT_HASH_BITS: u32 = 16;
const MAX_HASH_BITS: u32 = 20;
/// Words whose endings are read, from the start: a long report says what it is early.
const MAX_WORDS: usize = 400;

/// The framing roles, in the order of [`RoleCounts`].
pub const ROLES: [&str; 15] = [
    "p1s",
    "p1p",
    "p2",
    "p3",
    "attrib",
    "media",
    "official",
    "narr",
    "imper",
    "offer",
    "warn",
    "seek",
    "ask",
    "experience",
    "aboutads",
];

/// How often each framing role occurs in a text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoleCounts([u16; ROLES.len()]);

impl RoleCounts {
    /// The count of a role by name (0 for an unknown name).
    pub fn get(&self, role: &str) -> u16 {
        ROLES
            .iter()
            .position(|r| *r == role)
            .map_or(0, |i| self.0[i])
    }

    fn at(&self, i: usize) -> u16 {
        self.0[i]
    }
}

const P1S: usize = 0;
const P1P: usize = 1;
const P2: usize = 2;
const P3: usize = 3;
const ATTRIB: usize = 4;
const MEDIA: usize = 5;
const OFFICIAL: usize = 6;
const NARR: usize = 7;
const IMPER: usize = 8;
const OFFER: usize = 9;
const WARN: usize = 10;
const SEEK: usize = 11;
const ASK: usize = 12;
const EXPERIENCE: usize = 13;
const ABOUTADS: usize = 14;

/// The compiled framing-word lexicon.
#[derive(Debug)]
pub struct GenreWords {
    lexicon: Lexicon<usize>,
}

impl GenreWords {
    /// Builds the lexicon from `data/genre-words.tsv`; an error names the line.
    pub fn try_new() -> Result<GenreWords, LexiconError> {
        let file = "data/genre-words.tsv";
        let mut patterns: Vec<(String, usize)> = Vec::new();
        for (line, row) in parse_tsv(file, GENRE_WORDS_TSV, 3)? {
            let role =
                ROLES
                    .iter()
                    .position(|r| *r == row[0])
                    .ok_or_else(|| LexiconError::Line {
                        file: file.to_owned(),
                        line,
                        reason: format!("unknown role {:?}", row[0]),
                    })?;
            // One word may be listed for two languages; count it once per role.
            if !patterns.iter().any(|(p, r)| p == row[1] && *r == role) {
                patterns.push((row[1].to_owned(), role));
            }
        }
        Ok(GenreWords {
            lexicon: Lexicon::build(patterns)?,
        })
    }

    /// Counts the roles in a normalised text.
    pub fn count(&self, text: &Normalized) -> RoleCounts {
        let mut counts = RoleCounts::default();
        for m in self.lexicon.find(text) {
            if let Some(c) = counts.0.get_mut(*m.value) {
                *c = c.saturating_add(1);
            }
        }
        counts
    }

    /// Every matched role word as `(role, start, end)` in the normalised text.
    fn matches(&self, text: &Normalized) -> Vec<(usize, usize, usize)> {
        let mut found: Vec<(usize, usize, usize)> = self
            .lexicon
            .find(text)
            .map(|m| (*m.value, m.start, m.end))
            .collect();
        found.sort_by_key(|m| (m.1, std::cmp::Reverse(m.2)));
        found
    }
}

/// The hashed features of one text, as the genre model reads it.
#[derive(Debug, Clone, Default)]
pub struct GenreFeatures {
    /// Feature indices (repeats allowed), before masking to the model's size.
    hashes: Vec<u64>,
    /// Of them, the first `tokens` are word tokens (scaled by 1/√tokens); the rest are
    /// whole-text features (weight 1).
    tokens: usize,
    /// The role counts, kept for the rules that pick a genre among non-offers.
    pub roles: RoleCounts,
    /// Words in the text.
    pub words: usize,
    /// Words that look like past-tense verbs (by their endings).
    pub past: usize,
}

fn bucket(v: f32, edges: &[f32]) -> u8 {
    edges.iter().take_while(|e| v >= **e).count() as u8
}

fn feature(name: &str, value: u8) -> u64 {
    hash_bytes(11, &[name.as_bytes(), &[value]])
}

impl GenreWords {
    /// Computes the genre features of a text from its original, its normalised form and
    /// the cue model's evidence.
    pub fn features(
        &self,
        original: &str,
        text: &Normalized,
        evidence: &Evidence,
    ) -> GenreFeatures {
        let s = text.text();
        let role_words = self.matches(text);
        let mut roles = RoleCounts::default();
        for &(role, _, _) in &role_words {
            if let Some(c) = roles.0.get_mut(role) {
                *c = c.saturating_add(1);
            }
        }
        let mut hashes: Vec<u64> = Vec::with_capacity(256);
        // Word tokens: a role word is its role; any other word only its ending.
        let mut next_role = 0;
        let mut previous: u64 = 0;
        let mut words = 0usize;
        let mut past = 0usize;
        let endings = PastEndings::of(s);
        for (start, end) in text.words() {
            words += 1;
            if endings.looks_past(&s[start..end]) {
                past += 1;
            }
            if words > MAX_WORDS {
                continue;
            }
            while next_role < role_words.len() && role_words[next_role].1 < start {
                next_role += 1;
            }
            let token = if next_role < role_words.len() && role_words[next_role].1 == start {
                hash_bytes(12, &[ROLES[role_words[next_role].0].as_bytes()])
            } else {
                let word = &s[start..end];
                let chars: Vec<(usize, char)> = word.char_indices().collect();
                if chars.iter().all(|(_, c)| c.is_ascii_digit()) {
                    hash_bytes(13, &[b"#"])
                } else if chars.len() >= 4 {
                    let from2 = chars[chars.len() - 2].0;
                    let from3 = chars[chars.len() - 3].0;
                    hashes.push(hash_bytes(14, &[&word.as_bytes()[from3..]]));
                    hash_bytes(15, &[&word.as_bytes()[from2..]])
                } else {
                    hash_bytes(16, &[word.as_bytes()])
                }
            };
            hashes.push(token);
            if previous != 0 {
                hashes.push(hash_bytes(
                    17,
                    &[&previous.to_le_bytes(), &token.to_le_bytes()],
                ));
            }
            previous = token;
        }
        let tokens = hashes.len();

        // Roles: counts and density.
        let per_word = 100.0 / words.max(1) as f32;
        for (i, name) in ROLES.iter().enumerate() {
            let n = f32::from(roles.at(i));
            hashes.push(feature(name, bucket(n, &[1.0, 2.0, 3.0, 5.0, 9.0])));
            let density = bucket(n * per_word, &[0.5, 1.0, 2.0, 4.0, 8.0]);
            hashes.push(hash_bytes(11, &[name.as_bytes(), b"/100w", &[density]]));
        }
        // The cue model's whole-text evidence.
        let ev = [
            ("ev:news", evidence.news),
            ("ev:warning", evidence.warning),
            ("ev:question", evidence.question),
            ("ev:service", evidence.service),
            ("ev:cta", evidence.cta),
            ("ev:contact", evidence.contact),
            ("ev:offer", evidence.offer),
            ("ev:job", evidence.job),
            ("ev:money", evidence.money),
            ("ev:pay", evidence.pay),
        ];
        for (name, v) in ev {
            hashes.push(feature(name, bucket(v, &[0.5, 1.5, 3.0, 6.0, 12.0])));
        }
        // Shape.
        let shape = Shape::of(original);
        let wf = words as f32;
        hashes.push(feature(
            "len",
            bucket(
                original.len() as f32,
                &[80.0, 200.0, 400.0, 800.0, 1600.0, 3200.0],
            ),
        ));
        hashes.push(feature(
            "words",
            bucket(wf, &[5.0, 15.0, 40.0, 80.0, 160.0, 320.0]),
        ));
        hashes.push(feature(
            "lines",
            bucket(shape.lines as f32, &[2.0, 4.0, 8.0, 16.0]),
        ));
        hashes.push(feature(
            "words/line",
            bucket(
                wf / shape.lines.max(1) as f32,
                &[4.0, 8.0, 15.0, 30.0, 60.0],
            ),
        ));
        hashes.push(feature(
            "bullets",
            bucket(
                shape.bullet_lines as f32 / shape.lines.max(1) as f32,
                &[0.1, 0.3, 0.6],
            ),
        ));
        hashes.push(feature(
            "!",
            bucket(shape.exclamations as f32, &[1.0, 2.0, 4.0, 8.0]),
        ));
        hashes.push(feature(
            "?",
            bucket(shape.questions as f32, &[1.0, 2.0, 4.0]),
        ));
        hashes.push(feature(
            "quotes",
            bucket(shape.quotes as f32, &[1.0, 2.0, 4.0, 8.0]),
        ));
        hashes.push(feature(
            "caps",
            bucket(
                shape.caps_words as f32 / wf.max(1.0),
                &[0.05, 0.15, 0.3, 0.5],
            ),
        ));
        hashes.push(feature(
            "sentence",
            bucket(
                wf / shape.sentences.max(1) as f32,
                &[6.0, 10.0, 15.0, 22.0, 30.0],
            ),
        ));
        hashes.push(feature("link", u8::from(shape.links > 0)));
        hashes.push(feature("handle", u8::from(shape.handles > 0)));
        hashes.push(feature("hashtag", u8::from(shape.hashtags > 0)));
        hashes.push(feature(
            "emoji",
            bucket(shape.symbols as f32, &[1.0, 3.0, 8.0]),
        ));
        hashes.push(feature("quoted-speech", u8::from(shape.quoted_speech)));
        hashes.push(feature(
            "past/100w",
            bucket(past as f32 * per_word, &[1.0, 2.0, 4.0, 7.0, 11.0]),
        ));
        hashes.push(feature("bias", 0));
        GenreFeatures {
            hashes,
            tokens,
            roles,
            words,
            past,
        }
    }
}

/// Endings of Russian past-tense verbs (-ал, -ила, -ели, …: a vowel before л).
const RU_PAST: [&str; 28] = [
    "ал", "ил", "ел", "ял", "ул", "ыл", "ала", "ила", "ела", "яла", "ула", "ыла", "али", "или",
    "ели", "яли", "ули", "ыли", "ало", "ило", "ело", "яло", "уло", "ыло", "лся", "лась", "лись",
    "лось",
];
/// Endings of Kyrgyz and Kazakh past tense and past participles.
const TURKIC_CYRILLIC_PAST: [&str; 12] = [
    "ды", "ди", "ты", "ти", "ду", "дү", "ту", "тү", "ган", "ген", "кан", "кен",
];
/// Endings of Tajik past tense.
const TAJIK_PAST: [&str; 5] = ["ид", "анд", "аст", "ем", "ам"];
/// Endings of Uzbek (Latin) and English past tense.
const LATIN_PAST: [&str; 4] = ["di", "gan", "ed", "dilar"];

/// Which past-tense endings apply, from the letters of the whole text: Kyrgyz and Kazakh
/// endings would match Russian noun cases, so they count only in texts with Kyrgyz or
/// Kazakh letters, and Tajik ones only with Tajik letters.
#[derive(Debug, Clone, Copy)]
struct PastEndings {
    turkic: bool,
    tajik: bool,
}

impl PastEndings {
    fn of(text: &str) -> PastEndings {
        PastEndings {
            turkic: text.contains(['ң', 'ө', 'ү', 'ә', 'ұ', 'і', 'қ', 'ғ']),
            tajik: text.contains(['ӣ', 'ӯ', 'ҳ', 'ҷ']),
        }
    }

    /// Whether a (normalised, lower-case) word of five letters or more ends like a
    /// past-tense verb. Nouns share some endings: the model weighs the density, never a
    /// single word.
    fn looks_past(self, word: &str) -> bool {
        if word.chars().count() < 5 {
            return false;
        }
        let ends = |list: &[&str]| list.iter().any(|e| word.ends_with(e));
        if word.is_ascii() {
            return ends(&LATIN_PAST);
        }
        (ends(&RU_PAST) && !word.ends_with("иал"))
            || (self.turkic && ends(&TURKIC_CYRILLIC_PAST))
            || (self.tajik && ends(&TAJIK_PAST))
    }
}

/// Counts of the shape of a text.
#[derive(Debug, Default)]
struct Shape {
    lines: usize,
    bullet_lines: usize,
    exclamations: usize,
    questions: usize,
    quotes: usize,
    caps_words: usize,
    sentences: usize,
    links: usize,
    handles: usize,
    hashtags: usize,
    symbols: usize,
    /// A quotation followed by a dash or a comma and a dash: «…», — said X.
    quoted_speech: bool,
}

impl Shape {
    fn of(text: &str) -> Shape {
        let mut shape = Shape::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            shape.lines += 1;
            if line
                .chars()
                .next()
                .is_some_and(|c| !c.is_alphanumeric() && !matches!(c, '«' | '"' | '“' | '('))
            {
                shape.bullet_lines += 1;
            }
        }
        let mut caps_run = 0usize;
        let mut word_len = 0usize;
        let mut prev = ' ';
        for c in text.chars() {
            match c {
                '!' => shape.exclamations += 1,
                '?' => shape.questions += 1,
                '«' | '»' | '“' | '”' | '„' | '"' => shape.quotes += 1,
                '@' => shape.handles += 1,
                '#' => shape.hashtags += 1,
                _ => {}
            }
            if matches!(c, '.' | '!' | '?' | '…') && prev.is_alphanumeric() {
                shape.sentences += 1;
            }
            if !c.is_alphanumeric()
                && !c.is_whitespace()
                && !c.is_ascii_punctuation()
                && (c as u32) >= 0x2190
            {
                shape.symbols += 1;
            }
            if c.is_alphabetic() {
                word_len += 1;
                if c.is_uppercase() {
                    caps_run += 1;
                }
            } else {
                if word_len >= 3 && caps_run == word_len {
                    shape.caps_words += 1;
                }
                word_len = 0;
                caps_run = 0;
            }
            prev = c;
        }
        if word_len >= 3 && caps_run == word_len {
            shape.caps_words += 1;
        }
        shape.sentences = shape.sentences.max(1);
        shape.links = text.matches("http").count() + text.matches("www.").count();
        shape.quoted_speech = ["», —", "», -", "» —", "\", —", "”, —", "», – "]
            .iter()
            .any(|p| text.contains(p));
        shape
    }
}

/// What a genre model records about its training.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenreTrainingInfo {
    /// Examples it was trained on.
    pub examples: u64,
    /// Of them, offers.
    pub ads: u64,
    /// Passes over the examples.
    pub epochs: u32,
    /// What the caller recorded as the training date or recipe version.
    pub trained_at: String,
}

/// Training settings of the genre model.
#[derive(Debug, Clone, PartialEq)]
pub struct GenreTrainParams {
    /// `2^hash_bits` dimensions.
    pub hash_bits: u32,
    /// Passes over the examples.
    pub epochs: usize,
    /// AdaGrad base learning rate.
    pub learning_rate: f32,
    /// L2 regularisation.
    pub l2: f32,
    /// Seed of the example order.
    pub seed: u64,
    /// Recorded in the model.
    pub trained_at: String,
}

impl Default for GenreTrainParams {
    fn default() -> GenreTrainParams {
        GenreTrainParams {
            hash_bits: DEFAULT_HASH_BITS,
            epochs: 6,
            learning_rate: 0.1,
            l2: 1e-6,
            seed: 7,
            trained_at: String::new(),
        }
    }
}

/// A trained genre model: the probability that a text is an offer.
#[derive(Debug, Clone, PartialEq)]
pub struct GenreModel {
    hash_bits: u32,
    weights: Vec<f32>,
    bias: f32,
    info: GenreTrainingInfo,
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

impl GenreModel {
    /// Trains on `(features, is an offer, weight)` triples.
    pub fn train(examples: &[(GenreFeatures, bool, f32)], params: &GenreTrainParams) -> GenreModel {
        let hash_bits = params.hash_bits.clamp(8, MAX_HASH_BITS);
        let mask = (1u64 << hash_bits) - 1;
        let dims = 1usize << hash_bits;
        let mut weights = vec![0.0f32; dims];
        let mut accum = vec![0.0f32; dims];
        let mut bias = 0.0f32;
        let mut bias_accum = 0.0f32;
        let prepared: Vec<(Vec<u32>, usize, f32, f32, f32)> = examples
            .iter()
            .map(|(f, is_ad, weight)| {
                let idx: Vec<u32> = f.hashes.iter().map(|h| (h & mask) as u32).collect();
                let scale = 1.0 / (f.tokens.max(1) as f32).sqrt();
                (
                    idx,
                    f.tokens,
                    scale,
                    if *is_ad { 1.0 } else { 0.0 },
                    *weight,
                )
            })
            .collect();
        let mut order: Vec<usize> = (0..prepared.len()).collect();
        let mut rng = Rng::new(params.seed);
        let lr = params.learning_rate;
        let eps = 1e-8f32;
        for _ in 0..params.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (idx, tokens, scale, y, weight) = &prepared[i];
                let p = sigmoid(score(&weights, bias, idx.iter().copied(), *tokens, *scale));
                let g = (p - y) * weight;
                bias_accum += g * g;
                bias -= lr * g / (bias_accum.sqrt() + eps);
                for (k, &f) in idx.iter().enumerate() {
                    let x = if k < *tokens { *scale } else { 1.0 };
                    let w = &mut weights[f as usize];
                    let gw = g * x + params.l2 * *w;
                    let a = &mut accum[f as usize];
                    *a += gw * gw;
                    *w -= lr * gw / (a.sqrt() + eps);
                }
            }
        }
        GenreModel {
            hash_bits,
            weights,
            bias,
            info: GenreTrainingInfo {
                examples: examples.len() as u64,
                ads: examples.iter().filter(|e| e.1).count() as u64,
                epochs: u32::try_from(params.epochs).unwrap_or(u32::MAX),
                trained_at: params.trained_at.clone(),
            },
        }
    }

    /// The probability that the text whose features these are is an offer.
    pub fn probability_of_ad(&self, features: &GenreFeatures) -> f32 {
        let mask = (1u64 << self.hash_bits) - 1;
        let idx = features.hashes.iter().map(|h| (h & mask) as u32);
        let scale = 1.0 / (features.tokens.max(1) as f32).sqrt();
        let p = sigmoid(score(&self.weights, self.bias, idx, features.tokens, scale));
        if p.is_finite() { p } else { 0.5 }
    }

    /// What the model records about its training.
    pub fn info(&self) -> &GenreTrainingInfo {
        &self.info
    }

    /// The model in its versioned binary format: magic, format and feature versions, hash
    /// size, training record, bias, weights, CRC-32.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.weights.len() * 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&GENRE_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&GENRE_FEATURE_VERSION.to_le_bytes());
        out.extend_from_slice(&self.hash_bits.to_le_bytes());
        out.extend_from_slice(&self.info.examples.to_le_bytes());
        out.extend_from_slice(&self.info.ads.to_le_bytes());
        out.extend_from_slice(&self.info.epochs.to_le_bytes());
        let date = self.info.trained_at.as_bytes();
        out.extend_from_slice(&(date.len() as u32).to_le_bytes());
        out.extend_from_slice(date);
        out.extend_from_slice(&self.bias.to_le_bytes());
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Reads a model written by [`GenreModel::to_bytes`]; never panics on any bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<GenreModel, ModelError> {
        let (mut r, body_len) =
            checked_model_file(bytes, MAGIC, GENRE_FORMAT_VERSION, GENRE_FEATURE_VERSION)?;
        let hash_bits = r.u32()?;
        if !(8..=MAX_HASH_BITS).contains(&hash_bits) {
            return Err(ModelError::Malformed(format!(
                "hash size 2^{hash_bits} out of range"
            )));
        }
        let examples = r.u64()?;
        let ads = r.u64()?;
        let epochs = r.u32()?;
        let date_len = r.u32()? as usize;
        let trained_at = String::from_utf8(r.take(date_len)?.to_vec())
            .map_err(|_| ModelError::Malformed("training date is not UTF-8".into()))?;
        let bias = r.f32()?;
        let n = 1usize << hash_bits;
        if body_len.saturating_sub(r.at) != n * 4 {
            return Err(ModelError::Malformed(format!(
                "expected {n} weights, found {} bytes",
                body_len.saturating_sub(r.at)
            )));
        }
        let weights = r
            .take(n * 4)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(GenreModel {
            hash_bits,
            weights,
            bias,
            info: GenreTrainingInfo {
                examples,
                ads,
                epochs,
                trained_at,
            },
        })
    }
}

/// The model's log-odds for masked feature indices: word tokens (the first `tokens`)
/// weigh `scale` each, whole-text features 1.
fn score(
    weights: &[f32],
    bias: f32,
    idx: impl IntoIterator<Item = u32>,
    tokens: usize,
    scale: f32,
) -> f32 {
    let mut z = bias;
    for (k, f) in idx.into_iter().enumerate() {
        let x = if k < tokens { scale } else { 1.0 };
        z += weights.get(f as usize).copied().unwrap_or(0.0) * x;
    }
    z
}

/// Probability of an offer above which a text is an `ad`.
pub const AD_THRESHOLD: f32 = 0.5;

/// The genre of a text from the model's probability of an offer and the framing roles.
///
/// An offer is an `ad`, unless the speaker offers their own work ("выполню", "ищу работу"
/// with no "we" and no vacancy words): that is `job_search`. Among the rest, a warning
/// warns; a job seeker seeks; a first-person account with no attribution is a testimony;
/// attribution, outlets, official bodies, narration or ads named as a subject make a
/// report, as does any long prose; short texts left over are chatter.
pub fn decide(p_ad: f32, features: &GenreFeatures, evidence: &Evidence) -> Genre {
    decide_with_topic(p_ad, features, evidence, 0.0)
}

/// How strongly a text speaks about recruitment (the highest raw risk score before the
/// offer gate) above which, with no reporting frame at all, it is promotion: an ad.
pub const PROMOTION_TOPIC_MIN: f32 = 4.0;

/// Reporting-frame strength: attribution, outlets, ads named as a subject, narration,
/// third-person story, past-tense density, news words.
pub fn reporting_frame(features: &GenreFeatures, evidence: &Evidence) -> u16 {
    let r = &features.roles;
    let mut frame = r.at(ATTRIB) + r.at(MEDIA) + r.at(ABOUTADS) + r.at(NARR);
    if r.at(P3) >= 2 {
        frame += 1;
    }
    if features.past * 100 >= 4 * features.words.max(1) {
        frame += 1;
    }
    if evidence.news >= 2.0 {
        frame += 1;
    }
    frame
}

/// [`decide`], knowing how strongly the text is about recruitment (`risk_topic`: the highest
/// raw risk score before the offer gate).
///
/// Two framing rules stand beside the model, because the model learnt offers from
/// vacancies and chats and reports from news, and two kinds of text are neither:
/// - a text about recruitment that has no reporting frame at all (no attribution, outlet,
///   narration, third-person story, past tense) and tells nobody's own experience is
///   promotion: a recruiter's web page, speech or poster is an `ad`;
/// - a text the model finds only moderately offer-like that addresses nobody (no "you",
///   no call to act, no contact) and has a reporting frame is a report.
pub fn decide_with_topic(
    p_ad: f32,
    features: &GenreFeatures,
    evidence: &Evidence,
    risk_topic: f32,
) -> Genre {
    let r = &features.roles;
    let own_work = r.at(SEEK) > 0 && r.at(P1P) == 0 && r.at(OFFER) == 0;
    let frame = reporting_frame(features, evidence);
    let addresses_reader = r.at(P2) > 0 || r.at(IMPER) > 0 || evidence.contact > 0.0;
    let speaks_to_reader = r.at(P2) > 0 || r.at(P1P) > 0;
    let promotion = risk_topic >= PROMOTION_TOPIC_MIN
        && (frame == 0 || (frame == 1 && speaks_to_reader))
        && r.at(EXPERIENCE) == 0
        && r.at(WARN) == 0;
    let reported = p_ad < 0.9 && frame >= 2 && !addresses_reader;
    if (p_ad >= AD_THRESHOLD && !reported) || promotion {
        return if own_work {
            Genre::JobSearch
        } else {
            Genre::Ad
        };
    }
    if r.at(WARN) > 0 && (r.at(P2) > 0 || r.at(WARN) > 1 || evidence.warning >= 2.0) {
        return Genre::Warning;
    }
    if r.at(SEEK) > 0 && own_work {
        return Genre::JobSearch;
    }
    let reporting = r.at(ATTRIB) + r.at(MEDIA) + r.at(OFFICIAL) + r.at(ABOUTADS);
    if r.at(EXPERIENCE) > 0 && r.at(P1S) >= 2 && r.at(ATTRIB) == 0 && r.at(MEDIA) == 0 {
        return Genre::Testimony;
    }
    let asks = r.at(ASK) > 0 || evidence.question > 0.0;
    if reporting + r.at(NARR) >= 2
        || evidence.news >= 2.0
        || features.words >= 40
        || (features.words >= 25 && !asks)
    {
        return Genre::Report;
    }
    Genre::Chatter
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn features(text: &str) -> GenreFeatures {
        let words = GenreWords::try_new().expect("data");
        words.features(text, &normalize(text), &Evidence::default())
    }

    #[test]
    fn the_compiled_in_data_and_model_load() {
        GenreWords::try_new().expect("genre words");
        let model = GenreModel::from_bytes(DEFAULT_MODEL).expect("default model");
        assert!(model.info().examples > 1000, "{:?}", model.info());
    }

    #[test]
    fn roles_are_counted_in_every_language() {
        let words = GenreWords::try_new().expect("data");
        for (text, role) in [
            ("Звоните прямо сейчас", "imper"),
            ("Бул тууралуу элчилик маалымдады", "attrib"),
            ("Siz uchun ish bor, qo'ng'iroq qiling", "imper"),
            ("Ман дар Маскав кор кардам", "experience"),
            ("Ол сотта мәлімдеді", "attrib"),
            ("According to the ministry, they were sent", "attrib"),
        ] {
            assert!(
                words.count(&normalize(text)).get(role) >= 1,
                "{text}: {role}"
            );
        }
    }

    #[test]
    fn topic_words_are_not_features() {
        // Two texts that differ only in their topic nouns have the same features, except
        // for those nouns' endings.
        let a = features("Мы приглашаем на службу. Звоните!");
        let b = features("Мы приглашаем на стройку. Звоните!");
        let same = a.hashes.iter().filter(|h| b.hashes.contains(h)).count();
        assert!(same + 4 >= a.hashes.len(), "{same} of {}", a.hashes.len());
    }

    #[test]
    fn a_model_round_trips_and_refuses_damage() {
        let examples = vec![
            (
                features("Мы приглашаем вас! Звоните +7 900 000 00 00"),
                true,
                1.0,
            ),
            (
                features("Об этом сообщили журналисты в понедельник, заявил суд"),
                false,
                1.0,
            ),
        ];
        let params = GenreTrainParams {
            hash_bits: 10,
            ..GenreTrainParams::default()
        };
        let model = GenreModel::train(&examples, &params);
        let bytes = model.to_bytes();
        assert_eq!(GenreModel::from_bytes(&bytes).expect("round trip"), model);
        let mut damaged = bytes.clone();
        let last = damaged.len() - 10;
        damaged[last] ^= 0xFF;
        assert!(matches!(
            GenreModel::from_bytes(&damaged),
            Err(ModelError::Checksum { .. })
        ));
        assert!(GenreModel::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        assert!(matches!(
            GenreModel::from_bytes(b"KUZOTLM\0rest"),
            Err(ModelError::BadMagic)
        ));
        let mut other_version = bytes;
        other_version[8] = 9;
        assert!(matches!(
            GenreModel::from_bytes(&other_version),
            Err(ModelError::UnsupportedFormat(9))
        ));
    }

    #[test]
    fn non_offers_get_their_genre_from_the_roles() {
        let ev = Evidence::default();
        let warning = features("Осторожно! Не ведитесь на такие предложения, вас обманут");
        assert_eq!(decide(0.1, &warning, &ev), Genre::Warning);
        let seeker = features("Выполню ремонт квартир, ищу работу. Мой номер ниже");
        assert_eq!(decide(0.9, &seeker, &ev), Genre::JobSearch);
        let account =
            features("Я работал на стройке, мне обещали деньги, но мне не заплатили ничего");
        assert_eq!(decide(0.2, &account, &ev), Genre::Testimony);
        let report = features(
            "Об этом сообщили в министерстве в понедельник, заявил представитель ведомства",
        );
        assert_eq!(decide(0.2, &report, &ev), Genre::Report);
        let question = features("Кто знает, где тут обменник?");
        assert_eq!(decide(0.2, &question, &ev), Genre::Chatter);
    }
}
