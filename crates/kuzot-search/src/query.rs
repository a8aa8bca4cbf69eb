//! The query language and the filters, turned into tantivy queries by hand: the query is
//! untrusted input, and building it ourselves means no string can make it fail.
//!
//! Syntax: words are AND-ed (every word must be there); `"a quoted phrase"` must appear
//! as written (an unclosed quote runs to the end); `-word` or `-"phrase"` excludes;
//! `word*` matches every indexed word starting with the (stemmed) prefix. Anything else,
//! `field:value` included, is just text. Input beyond [`MAX_QUERY_CHARS`] is ignored.
//!
//! A single word (not a phrase, not a prefix) also matches the members of its word family
//! that the index holds ([`crate::family`]); which ones is returned beside the hits.
//!
//! A query text that is not blank but holds no word the index can match — only symbols or
//! emoji, a word longer than any indexed one, empty quotes, a bare `*`, or only exclusions —
//! matches NOTHING (and says so: `SearchResults::unsearchable`): read as "no text", it would
//! match, and export, the whole store.

use std::ops::Bound;

use kuzot_model::Category;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use crate::analyzer::{MAX_TOKEN_BYTES, analyze};
use crate::family::family_terms;
use crate::index::Fields;
use crate::{SearchQuery, WordFamily, category_code};

/// Characters of a query text that are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// One clause of the query text as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clause {
    pub text: String,
    pub exclude: bool,
    pub phrase: bool,
    pub prefix: bool,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '«' | '»' | '“' | '”' | '„')
}

/// Splits the query text into clauses. Never fails.
pub(crate) fn parse_clauses(text: &str) -> Vec<Clause> {
    let text = match text.char_indices().nth(MAX_QUERY_CHARS) {
        Some((cut, _)) => text.get(..cut).unwrap_or(""),
        None => text,
    };
    let mut clauses = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let mut exclude = false;
        if first == '-' {
            chars.next();
            exclude = true;
        }
        let mut buf = String::new();
        let phrase = chars.next_if(|c| is_quote(*c)).is_some();
        if phrase {
            for c in chars.by_ref() {
                if is_quote(c) {
                    break;
                }
                buf.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                buf.push(c);
            }
        }
        let prefix = !phrase && buf.ends_with('*');
        let text = buf.trim_end_matches('*').to_owned();
        if !text.is_empty() {
            clauses.push(Clause {
                text,
                exclude,
                phrase,
                prefix,
            });
        }
    }
    clauses
}

/// The query of one clause, or `None` when it holds no indexable word. A single positive
/// word also matches its family's terms in the index; they are pushed onto `families`.
fn clause_query(
    clause: &Clause,
    fields: &Fields,
    searcher: &Searcher,
    families: &mut Vec<WordFamily>,
) -> Option<Box<dyn Query>> {
    let terms = analyze(&clause.text);
    if clause.prefix && terms.len() == 1 {
        let (_, stem) = terms.first()?;
        // The stem is made of letters, digits and inner apostrophes only (the normaliser's
        // words), none of which is a regex operator; checked anyway, since a pattern built
        // from input must never be able to do anything but match literally.
        if stem.chars().all(|c| c.is_alphanumeric() || c == '\'') && stem.len() <= MAX_TOKEN_BYTES {
            let pattern = format!("{stem}.*");
            if let Ok(q) = RegexQuery::from_pattern(&pattern, fields.text) {
                return Some(Box::new(q));
            }
        }
    }
    match terms.len() {
        0 => None,
        1 => {
            let (_, t) = terms.first()?;
            let exact: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(fields.text, t),
                IndexRecordOption::WithFreqs,
            ));
            let family = if clause.phrase {
                Vec::new()
            } else {
                family_terms(searcher, fields.text, t)
            };
            if family.is_empty() {
                return Some(exact);
            }
            let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, exact)];
            for member in &family {
                any.push((
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(fields.text, member),
                        IndexRecordOption::WithFreqs,
                    )),
                ));
            }
            if !clause.exclude {
                families.push(WordFamily {
                    word: clause.text.clone(),
                    also: family,
                });
            }
            Some(Box::new(BooleanQuery::new(any)))
        }
        _ => {
            let first = terms.first().map(|(p, _)| *p).unwrap_or(0);
            let with_offset = terms
                .into_iter()
                .map(|(p, t)| (p - first.min(p), Term::from_field_text(fields.text, &t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(with_offset)))
        }
    }
}

/// What the text of a query asks for.
pub(crate) enum TextPart {
    /// Blank text: no condition on the text (filters alone decide).
    Blank,
    /// Text with nothing the index can match: matches no document.
    Unsearchable,
    /// The text's query.
    Query(Box<dyn Query>),
}

/// The text part of the query; the word families it was widened with go to `families`.
pub(crate) fn text_query(
    text: &str,
    fields: &Fields,
    searcher: &Searcher,
    families: &mut Vec<WordFamily>,
) -> TextPart {
    if text.trim().is_empty() {
        return TextPart::Blank;
    }
    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut positive = false;
    for clause in parse_clauses(text) {
        if let Some(q) = clause_query(&clause, fields, searcher, families) {
            positive |= !clause.exclude;
            let occur = if clause.exclude {
                Occur::MustNot
            } else {
                Occur::Must
            };
            subqueries.push((occur, q));
        }
    }
    // Exclusions alone would be "everything but": the whole store for a word that occurs
    // nowhere. They only narrow a search that has something to find.
    if !positive {
        return TextPart::Unsearchable;
    }
    TextPart::Query(Box::new(BooleanQuery::new(subqueries)))
}

fn term_filter(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// The filters of `q`, each a clause that must hold.
pub(crate) fn filter_queries(q: &SearchQuery, f: &Fields) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    if let Some(c) = q.category {
        out.push(term_filter(Term::from_field_u64(
            f.category,
            category_code(c),
        )));
    }
    if let Some(g) = q.genre {
        out.push(term_filter(Term::from_field_text(f.genre, g.as_str())));
    }
    if let Some(t) = q.topic {
        out.push(term_filter(Term::from_field_text(f.topic, t.as_str())));
    }
    let text_filters = [
        (&q.lang, f.lang),
        (&q.chat, f.chat),
        (&q.place, f.place),
        (&q.org, f.org),
        (&q.phone, f.phone),
        (&q.promise, f.promise),
    ];
    for (value, field) in text_filters {
        if let Some(v) = value {
            out.push(term_filter(Term::from_field_text(field, v.trim())));
        }
    }
    if let Some(source) = &q.source {
        let source = source.trim().to_ascii_lowercase();
        if source.is_empty() || source.len() > 64 || !source.bytes().all(|b| b.is_ascii_hexdigit())
        {
            out.push(Box::new(EmptyQuery));
        } else if source.len() == 64 {
            out.push(term_filter(Term::from_field_text(f.source, &source)));
        } else {
            // Hex digits only, checked above: the pattern is a literal prefix.
            match RegexQuery::from_pattern(&format!("{source}.*"), f.source) {
                Ok(r) => out.push(Box::new(r)),
                Err(_) => out.push(Box::new(EmptyQuery)),
            }
        }
    }
    if let Some(occupied) = q.occupied {
        out.push(term_filter(Term::from_field_u64(
            f.occupied,
            u64::from(occupied),
        )));
    }
    if q.since.is_some() || q.until.is_some() {
        let lower = q.since.map_or(
            Bound::Included(Term::from_field_i64(f.time, i64::MIN)),
            |s| Bound::Included(Term::from_field_i64(f.time, s)),
        );
        let upper = q.until.map_or(
            Bound::Included(Term::from_field_i64(f.time, i64::MAX)),
            |u| Bound::Excluded(Term::from_field_i64(f.time, u)),
        );
        out.push(Box::new(RangeQuery::new(lower, upper)));
    }
    if let Some(min) = q.min_pay_rub {
        if min.is_nan() {
            out.push(Box::new(EmptyQuery));
        } else {
            out.push(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_f64(f.pay, min)),
                Bound::Included(Term::from_field_f64(f.pay, f64::INFINITY)),
            )));
        }
    }
    out
}

/// The query built from a [`SearchQuery`].
pub(crate) struct BuiltQuery {
    /// Text AND every filter.
    pub query: Box<dyn Query>,
    /// The text holds a searchable word (relevance and snippets make sense).
    pub has_text: bool,
    /// The text is not blank but holds nothing searchable: the query matches nothing.
    pub unsearchable: bool,
    /// The query words widened to their word family, and with which terms.
    pub families: Vec<WordFamily>,
}

/// The whole query: text AND every filter, filters scoring nothing so that they do not
/// bend relevance; and the word families the text was widened with.
pub(crate) fn build_query(q: &SearchQuery, f: &Fields, searcher: &Searcher) -> BuiltQuery {
    let mut families = Vec::new();
    let (text, has_text) = match text_query(&q.text, f, searcher, &mut families) {
        TextPart::Blank => (None, false),
        TextPart::Unsearchable => {
            return BuiltQuery {
                query: Box::new(EmptyQuery),
                has_text: false,
                unsearchable: true,
                families,
            };
        }
        TextPart::Query(query) => (Some(query), true),
    };
    let filters = filter_queries(q, f);
    let built = |query| BuiltQuery {
        query,
        has_text,
        unsearchable: false,
        families,
    };
    if filters.is_empty() {
        return built(text.unwrap_or_else(|| Box::new(AllQuery)));
    }
    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    subqueries.push((Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery))));
    for filter in filters {
        subqueries.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    built(Box::new(BooleanQuery::new(subqueries)))
}

/// The category as stored in the index (an unanalysed document counts as `other`).
pub(crate) fn category_from_code(code: u64) -> Category {
    usize::try_from(code)
        .ok()
        .and_then(|i| Category::ALL.get(i).copied())
        .unwrap_or(Category::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_read_leniently() {
        let c = parse_clauses(r#"вагнер -вахта "контракт на год" конт* "unclosed"#);
        let texts: Vec<(&str, bool, bool, bool)> = c
            .iter()
            .map(|c| (c.text.as_str(), c.exclude, c.phrase, c.prefix))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("вагнер", false, false, false),
                ("вахта", true, false, false),
                ("контракт на год", false, true, false),
                ("конт", false, false, true),
                ("unclosed", false, true, false),
            ]
        );
        assert!(parse_clauses("- * -\"\" **").is_empty());
    }
}
