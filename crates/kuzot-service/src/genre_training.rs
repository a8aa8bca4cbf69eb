//! Training the genre model (`kuzot train-genre`) by weak supervision from real text.
//!
//! The recipe, reproducible from the repository and the shared data beside it:
//! - `corpora/ru-telegram-news.jsonl` (posts of Russian news channels) and
//!   `corpora/kk-news-sentences.jsonl` (Kazakh TV news): not offers. Every fourth line is
//!   taken, so that the news does not drown the vacancies. The cue model is a noisy
//!   labeller here: a news post with a phone number and a call to act is the channel's own
//!   advertising, so it is left out rather than taught as news.
//! - `corpora/ru-superjob-vacancies.jsonl` (real vacancies): offers.
//! - `eval/dev.jsonl` (labelled messages written for the project): its `genre` says which
//!   are offers. `real-dev.jsonl` is never used, so that figures on it are held out.
//!
//! Offers are weighted so that both sides carry comparable weight. The same files and
//! parameters give the same model, bit for bit.

use std::path::{Path, PathBuf};

use kuzot_analysis::Engine;
use kuzot_analysis::genre::{GenreFeatures, GenreModel, GenreTrainParams, decide};
use kuzot_model::Genre;
use rayon::prelude::*;
use serde::Serialize;

use crate::ServiceError;

/// Every n-th news line is used.
const NEWS_STRIDE: usize = 4;
/// Weight of a labelled development message relative to a corpus line: they are chat
/// messages like the ones kuzot reads, where the corpora are news and job-site pages.
const LABELLED_WEIGHT: f32 = 3.0;

/// Where each training text came from, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GenreSource {
    /// Russian Telegram news.
    RuNews,
    /// Kazakh news sentences.
    KkNews,
    /// SuperJob vacancies.
    Vacancies,
    /// The labelled development set.
    Labelled,
}

/// One training text.
#[derive(Debug, Clone)]
pub struct GenreExample {
    /// The text.
    pub text: String,
    /// Whether it is an offer.
    pub is_ad: bool,
    /// Where it came from.
    pub source: GenreSource,
}

/// What training did.
#[derive(Debug, Clone, Serialize)]
pub struct GenreTrainingReport {
    /// Examples per source: (source, examples, of them offers).
    pub examples: Vec<(GenreSource, usize, usize)>,
    /// News lines left out because the cue model saw an advertisement in them.
    pub dropped_as_channel_ads: usize,
    /// With `--cv K`: per source, held-out accuracy of "is an offer" (correct, total).
    pub cross_validation: Vec<(GenreSource, usize, usize)>,
}

fn read_jsonl(path: &Path) -> Result<Vec<serde_json::Value>, ServiceError> {
    let text = std::fs::read_to_string(path).map_err(|e| ServiceError::Path {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| ServiceError::Path {
                path: path.to_path_buf(),
                reason: format!("line {}: not JSON: {e}", i + 1),
            })?;
        out.push(value);
    }
    Ok(out)
}

fn text_of(value: &serde_json::Value) -> Option<String> {
    value
        .get("text")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
}

/// Reads the training texts from the shared data directory (`corpora/` and `eval/`).
pub fn genre_training_texts(shared: &Path) -> Result<Vec<GenreExample>, ServiceError> {
    let mut examples = Vec::new();
    let corpus = |name: &str| -> PathBuf { shared.join("corpora").join(name) };
    for (file, source) in [
        ("ru-telegram-news.jsonl", GenreSource::RuNews),
        ("kk-news-sentences.jsonl", GenreSource::KkNews),
    ] {
        for (i, v) in read_jsonl(&corpus(file))?.iter().enumerate() {
            if i % NEWS_STRIDE != 0 {
                continue;
            }
            if let Some(text) = text_of(v) {
                examples.push(GenreExample {
                    text,
                    is_ad: false,
                    source,
                });
            }
        }
    }
    for v in read_jsonl(&corpus("ru-superjob-vacancies.jsonl"))? {
        if let Some(text) = text_of(&v) {
            examples.push(GenreExample {
                text,
                is_ad: true,
                source: GenreSource::Vacancies,
            });
        }
    }
    for v in read_jsonl(&shared.join("eval").join("dev.jsonl"))? {
        let (Some(text), Some(genre)) = (text_of(&v), v.get("genre").and_then(|g| g.as_str()))
        else {
            continue;
        };
        examples.push(GenreExample {
            text,
            is_ad: genre == "ad",
            source: GenreSource::Labelled,
        });
    }
    Ok(examples)
}

/// Trains the genre model on the texts; with `cv = Some(k)`, also reports k-fold held-out
/// accuracy per source (folds by position, deterministic).
pub fn train_genre_model(
    engine: &Engine,
    texts: &[GenreExample],
    trained_at: &str,
    cv: Option<usize>,
) -> Result<(GenreModel, GenreTrainingReport), ServiceError> {
    let featured: Vec<(GenreFeatures, &GenreExample, bool)> = texts
        .par_iter()
        .filter_map(|e| {
            let f = engine.genre_features(&e.text)?;
            Some((f, e))
        })
        .map(|(f, e)| {
            // The weak labeller: a news post that carries a contact and a call to act is
            // the channel's advertising; leave it out.
            let ad_in_news = !e.is_ad
                && matches!(e.source, GenreSource::RuNews | GenreSource::KkNews)
                && f.roles.get("imper") + f.roles.get("offer") > 0
                && has_contact(&e.text);
            (f, e, ad_in_news)
        })
        .collect();
    if featured.is_empty() {
        return Err(ServiceError::Path {
            path: PathBuf::from("genre training texts"),
            reason: "none could be analysed (is the analysis data broken?)".into(),
        });
    }
    let dropped = featured.iter().filter(|f| f.2).count();
    let kept: Vec<(&GenreFeatures, &GenreExample)> = featured
        .iter()
        .filter(|f| !f.2)
        .map(|(f, e, _)| (f, *e))
        .collect();
    let ads: f32 = kept.iter().filter(|(_, e)| e.is_ad).count() as f32;
    let not_ads: f32 = kept.len() as f32 - ads;
    let ad_weight = if ads > 0.0 {
        (0.5 * not_ads / ads).max(1.0)
    } else {
        1.0
    };
    let weighted = |items: &[(&GenreFeatures, &GenreExample)]| -> Vec<(GenreFeatures, bool, f32)> {
        items
            .iter()
            .map(|(f, e)| {
                let mut w = if e.is_ad { ad_weight } else { 1.0 };
                if e.source == GenreSource::Labelled {
                    w *= LABELLED_WEIGHT;
                }
                ((*f).clone(), e.is_ad, w)
            })
            .collect()
    };
    let params = GenreTrainParams {
        trained_at: trained_at.to_owned(),
        ..GenreTrainParams::default()
    };
    let model = GenreModel::train(&weighted(&kept), &params);

    let sources = [
        GenreSource::RuNews,
        GenreSource::KkNews,
        GenreSource::Vacancies,
        GenreSource::Labelled,
    ];
    let examples = sources
        .iter()
        .map(|s| {
            let of: Vec<_> = kept.iter().filter(|(_, e)| e.source == *s).collect();
            (*s, of.len(), of.iter().filter(|(_, e)| e.is_ad).count())
        })
        .collect();
    let mut cross_validation = Vec::new();
    if let Some(k) = cv.filter(|k| *k >= 2) {
        let mut right = [0usize; 4];
        let mut total = [0usize; 4];
        for fold in 0..k {
            let train: Vec<_> = kept
                .iter()
                .enumerate()
                .filter(|(i, _)| i % k != fold)
                .map(|(_, x)| *x)
                .collect();
            let fold_model = GenreModel::train(&weighted(&train), &params);
            for (i, (f, e)) in kept.iter().enumerate() {
                if i % k != fold {
                    continue;
                }
                let p = fold_model.probability_of_ad(f);
                let predicted_ad = decide(p, f, &Default::default()) == Genre::Ad;
                let s = sources.iter().position(|s| *s == e.source).unwrap_or(0);
                total[s] += 1;
                if predicted_ad == e.is_ad {
                    right[s] += 1;
                }
            }
        }
        for (i, s) in sources.iter().enumerate() {
            cross_validation.push((*s, right[i], total[i]));
        }
    }
    Ok((
        model,
        GenreTrainingReport {
            examples,
            dropped_as_channel_ads: dropped,
            cross_validation,
        },
    ))
}

/// A phone number or a messenger handle in the text.
fn has_contact(text: &str) -> bool {
    !kuzot_analysis::phones::extract_phones(text).is_empty() || text.contains("t.me/")
}
