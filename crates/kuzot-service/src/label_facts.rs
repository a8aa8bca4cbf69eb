//! Checks the facts an analyst corrects in a label before they are stored: they come from a
//! form or a script, and stored facts feed the phone index, the dashboards and the
//! exports, so a label must not carry 20,000 "phones" or a place that is a page of text.

use kuzot_analysis::phones::extract_phones;
use kuzot_model::{Facts, Span};

/// The most facts one label may carry, all kinds together. A message long enough to hold
/// more is not an ad that an analyst corrects fact by fact.
pub const MAX_LABEL_FACTS: usize = 200;

/// The longest place id a label may carry, in characters. Gazetteer ids are a few words
/// (`donetsk_region`); an analyst may add a place the gazetteer lacks, but not a paragraph.
pub const MAX_PLACE_CHARS: usize = 100;

/// How many characters of a refused value an error quotes.
const QUOTED_CHARS: usize = 40;

/// What is wrong with a label's facts. The web shows it in the user's language; its
/// `Display` is the English one for the API's logs and the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactProblem {
    /// More facts than [`MAX_LABEL_FACTS`].
    #[error("the label has {count} facts; at most {limit} are accepted")]
    TooMany {
        /// Facts given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A phone that the engine's phone reader does not read as exactly one number.
    #[error(
        "{value:?} is not a phone number kuzot can read (write it with its country code, \
         such as +7 900 555 01 23)"
    )]
    NotAPhone {
        /// The value, cut to a few dozen characters.
        value: String,
    },
    /// A place with an empty id.
    #[error("a place has no name")]
    EmptyPlace,
    /// A place id longer than [`MAX_PLACE_CHARS`].
    #[error("a place name has {chars} characters; at most {limit} are accepted")]
    PlaceTooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// A currency that is not a three-letter code.
    #[error("{value:?} is not a currency code (three capital letters, such as RUB)")]
    BadCurrency {
        /// The value, cut to a few dozen characters.
        value: String,
    },
    /// An amount below zero, or a range whose lower bound is above its upper one.
    #[error("an amount of money is negative or its range is reversed")]
    BadAmount,
    /// A span that is not inside the message's text.
    #[error(
        "a {fact} is marked at bytes {start}..{end}, which is not a stretch of the message's \
         text ({text_bytes} bytes)"
    )]
    SpanOutsideText {
        /// Which kind of fact: money or place.
        fact: &'static str,
        /// Start given.
        start: usize,
        /// End given.
        end: usize,
        /// Length of the text in bytes.
        text_bytes: usize,
    },
}

/// Checks the corrected `facts` of a label on a message whose text is `text`, and returns
/// them with every phone written the way the engine writes it (E.164, each once), so that
/// the label's phones meet the engine's in the phone index.
pub fn checked_label_facts(text: &str, facts: &Facts) -> Result<Facts, FactProblem> {
    let count = facts.money.len()
        + facts.places.len()
        + facts.phones.len()
        + facts.orgs.len()
        + facts.promises.len();
    if count > MAX_LABEL_FACTS {
        return Err(FactProblem::TooMany {
            count,
            limit: MAX_LABEL_FACTS,
        });
    }
    let mut checked = facts.clone();
    checked.phones.clear();
    for phone in &facts.phones {
        let found = extract_phones(phone);
        let [(number, _)] = found.as_slice() else {
            return Err(FactProblem::NotAPhone {
                value: quoted(phone),
            });
        };
        if !checked.phones.contains(number) {
            checked.phones.push(number.clone());
        }
    }
    for place in &facts.places {
        let chars = place.id.trim().chars().count();
        if chars == 0 {
            return Err(FactProblem::EmptyPlace);
        }
        if chars > MAX_PLACE_CHARS {
            return Err(FactProblem::PlaceTooLong {
                chars,
                limit: MAX_PLACE_CHARS,
            });
        }
        check_span(text, "place", place.span)?;
    }
    for money in &facts.money {
        if let Some(currency) = &money.currency
            && !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(FactProblem::BadCurrency {
                value: quoted(currency),
            });
        }
        let negative = [money.min, money.max]
            .into_iter()
            .flatten()
            .any(|v| !v.is_finite() || v < 0.0);
        let reversed = matches!((money.min, money.max), (Some(min), Some(max)) if min > max);
        if negative || reversed {
            return Err(FactProblem::BadAmount);
        }
        check_span(text, "money", money.span)?;
    }
    for place in &mut checked.places {
        place.id = place.id.trim().to_owned();
    }
    Ok(checked)
}

/// A span is either left out (0..0: the analyst added the fact without marking where) or
/// a stretch of the text that starts and ends on character boundaries.
fn check_span(text: &str, fact: &'static str, span: Span) -> Result<(), FactProblem> {
    if span == Span::default() {
        return Ok(());
    }
    let inside = span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end);
    if inside {
        Ok(())
    } else {
        Err(FactProblem::SpanOutsideText {
            fact,
            start: span.start,
            end: span.end,
            text_bytes: text.len(),
        })
    }
}

/// The first characters of a refused value, for the message that names it.
fn quoted(value: &str) -> String {
    let mut cut: String = value
        .chars()
        .take(QUOTED_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if value.chars().nth(QUOTED_CHARS).is_some() {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use kuzot_model::{Money, Place};

    const TEXT: &str = "Охрана в Мариуполе, 200 000 руб. Звоните +7 900 555 01 23";

    fn place(id: &str, span: Span) -> Place {
        Place {
            id: id.to_owned(),
            occupied: false,
            span,
        }
    }

    fn money(min: Option<f64>, max: Option<f64>, currency: Option<&str>, span: Span) -> Money {
        Money {
            min,
            max,
            currency: currency.map(str::to_owned),
            currency_inferred: false,
            period: None,
            role: None,
            span,
        }
    }

    #[test]
    fn phones_are_read_as_the_engine_reads_them_and_written_in_its_form() {
        let facts = Facts {
            phones: vec![
                "+7 (900) 555-01-23".into(),
                "89005550123".into(),
                "+996 770 52 18 49".into(),
            ],
            ..Facts::default()
        };
        let checked = checked_label_facts(TEXT, &facts).expect("valid phones");
        assert_eq!(checked.phones, ["+79005550123", "+996770521849"]);
        for bad in [
            "",
            "Мариуполь",
            "12345",
            "+7 900 555 01 23, +7 900 765 43 21",
        ] {
            let facts = Facts {
                phones: vec![bad.into()],
                ..Facts::default()
            };
            assert!(
                matches!(
                    checked_label_facts(TEXT, &facts),
                    Err(FactProblem::NotAPhone { .. })
                ),
                "{bad:?} was accepted"
            );
        }
        let long = Facts {
            phones: vec!["x".repeat(10_000)],
            ..Facts::default()
        };
        let problem = checked_label_facts(TEXT, &long).expect_err("not a phone");
        assert!(problem.to_string().len() < 200, "{problem}");
    }

    #[test]
    fn too_many_facts_are_refused_with_the_limit() {
        let many = Facts {
            phones: vec!["+79005550123".into(); MAX_LABEL_FACTS + 1],
            ..Facts::default()
        };
        assert_eq!(
            checked_label_facts(TEXT, &many),
            Err(FactProblem::TooMany {
                count: MAX_LABEL_FACTS + 1,
                limit: MAX_LABEL_FACTS
            })
        );
        let at_the_limit = Facts {
            phones: vec!["+79005550123".into(); MAX_LABEL_FACTS],
            ..Facts::default()
        };
        let checked = checked_label_facts(TEXT, &at_the_limit).expect("at the limit");
        assert_eq!(checked.phones, ["+79005550123"], "each phone once");
    }

    #[test]
    fn places_must_have_a_bounded_name_and_a_span_inside_the_text() {
        let at = TEXT.find("Мариуполе").expect("in the text");
        let good = Facts {
            places: vec![
                place(
                    " mariupol ",
                    Span {
                        start: at,
                        end: at + "Мариуполе".len(),
                    },
                ),
                place("sakharovo", Span::default()),
            ],
            ..Facts::default()
        };
        let checked = checked_label_facts(TEXT, &good).expect("valid places");
        assert_eq!(checked.places[0].id, "mariupol");
        for (bad, expected) in [
            (place("  ", Span::default()), FactProblem::EmptyPlace),
            (
                place(&"я".repeat(MAX_PLACE_CHARS + 1), Span::default()),
                FactProblem::PlaceTooLong {
                    chars: MAX_PLACE_CHARS + 1,
                    limit: MAX_PLACE_CHARS,
                },
            ),
            (
                place(
                    "mariupol",
                    Span {
                        start: 5,
                        end: TEXT.len() + 1,
                    },
                ),
                FactProblem::SpanOutsideText {
                    fact: "place",
                    start: 5,
                    end: TEXT.len() + 1,
                    text_bytes: TEXT.len(),
                },
            ),
            (
                // Inside a Cyrillic letter (two bytes each).
                place("mariupol", Span { start: 1, end: 4 }),
                FactProblem::SpanOutsideText {
                    fact: "place",
                    start: 1,
                    end: 4,
                    text_bytes: TEXT.len(),
                },
            ),
        ] {
            let facts = Facts {
                places: vec![bad],
                ..Facts::default()
            };
            assert_eq!(checked_label_facts(TEXT, &facts), Err(expected));
        }
    }

    #[test]
    fn amounts_need_a_currency_code_a_sane_range_and_a_span_inside_the_text() {
        let good = Facts {
            money: vec![money(Some(200_000.0), None, Some("RUB"), Span::default())],
            ..Facts::default()
        };
        assert!(checked_label_facts(TEXT, &good).is_ok());
        let cases = [
            (
                money(Some(1.0), None, Some("рубли"), Span::default()),
                "currency",
            ),
            (money(Some(-5.0), None, None, Span::default()), "negative"),
            (
                money(Some(9.0), Some(2.0), None, Span::default()),
                "reversed",
            ),
            (
                money(Some(1.0), None, None, Span { start: 9, end: 3 }),
                "span",
            ),
        ];
        for (bad, what) in cases {
            let facts = Facts {
                money: vec![bad],
                ..Facts::default()
            };
            assert!(
                checked_label_facts(TEXT, &facts).is_err(),
                "{what} accepted"
            );
        }
    }
}
