//! The one text analyzer of the index, used both when documents are indexed and when a
//! query is read, so that both sides fold and stem alike.
//!
//! Words come from [`kuzot_analysis::normalize`]: lower-cased, `ё` folded to `е`,
//! look-alike Latin letters inside Cyrillic words (and the reverse) repaired, every Uzbek
//! apostrophe variant unified, emoji and decoration dropped. Each token keeps the byte
//! range of the ORIGINAL text it came from, so that snippets highlight the text as
//! written. Tokens longer than [`MAX_TOKEN_BYTES`] are dropped (they are hashes, base64,
//! URLs glued together, never words anyone searches for), then the Russian Snowball
//! stemmer runs on every token.
//!
//! The Russian stemmer only knows Cyrillic endings: Latin words (English, Uzbek Latin,
//! Russian in Latin letters) pass through unchanged. Kyrgyz, Kazakh, Tajik and Uzbek
//! Cyrillic words go through it too; it may strip a Russian-looking ending from them,
//! but it does so identically at index and at query time, so the word as written is
//! always found. Their own inflections, and Russian derivations, are joined at query time
//! by [`crate::family`], which widens a query word to the indexed words of its family.

use kuzot_analysis::normalize::{Normalized, normalize};
use tantivy::tokenizer::{
    Language, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under in the index.
pub const ANALYZER_NAME: &str = "kuzot";

/// Tokens longer than this (in bytes of the normalised word) are not indexed.
pub const MAX_TOKEN_BYTES: usize = 64;

/// The analyzer: normalising tokenizer, long-token removal, Russian stemming.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
        .filter(Stemmer::new(Language::Russian))
        .build()
}

/// The analyzer's terms for `text`, in order, with their positions (for queries).
pub(crate) fn analyze(text: &str) -> Vec<(usize, String)> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.position, token.text.clone()));
    }
    out
}

/// Splits text into the words of [`kuzot_analysis::normalize`], with offsets into the
/// original text.
#[derive(Debug, Clone, Copy, Default)]
pub struct FoldingTokenizer;

/// The token stream of [`FoldingTokenizer`].
#[derive(Debug)]
pub struct FoldingTokenStream {
    normalized: Normalized,
    words: Vec<(usize, usize)>,
    next: usize,
    token: Token,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingTokenStream {
        let normalized = normalize(text);
        let words = normalized.words().collect();
        FoldingTokenStream {
            normalized,
            words,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for FoldingTokenStream {
    fn advance(&mut self) -> bool {
        while let Some(&(start, end)) = self.words.get(self.next) {
            let position = self.next;
            self.next += 1;
            let Some(word) = self.normalized.text().get(start..end) else {
                continue;
            };
            let span = self.normalized.original_span(start, end);
            self.token.text.clear();
            self.token.text.push_str(word);
            self.token.offset_from = span.start;
            self.token.offset_to = span.end.max(span.start);
            self.token.position = position;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        analyze(text).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        assert_eq!(terms("контракт"), terms("контракта"));
        assert_eq!(terms("контракт"), terms("КОНТРАКТЫ"));
        assert_eq!(terms("ёлка"), terms("елка"));
    }

    #[test]
    fn look_alikes_and_apostrophes_fold() {
        assert_eq!(terms("кoнтpaкт"), terms("контракт"));
        assert_eq!(terms("o'zbek"), terms("oʻzbek"));
        assert_eq!(terms("o'zbek"), terms("o‘zbek"));
        assert_eq!(terms("o'zbek"), vec!["o'zbek".to_string()]);
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "🔥 Вагнер ЖДЁТ";
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut spans = Vec::new();
        while let Some(t) = stream.next() {
            spans.push(text.get(t.offset_from..t.offset_to).map(str::to_owned));
        }
        assert_eq!(
            spans,
            vec![Some("Вагнер".to_string()), Some("ЖДЁТ".to_string())]
        );
    }
}
