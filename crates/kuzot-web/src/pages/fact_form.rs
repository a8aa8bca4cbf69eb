//! The facts part of the label form: one row per fact (kind, value, and for an amount its
//! currency and period), read back into [`Facts`].
//!
//! The form works without script. A row's position in the text (its span) comes from, in
//! this order: a selection the page's script turned into character offsets (`fN-sel`);
//! the span the row was shown with, when the row is unchanged; a search for the value in
//! the text; and otherwise none, which the store accepts as "not marked". Amounts are
//! searched by their digits, so `200000` finds "200 000 руб".

use std::collections::BTreeMap;

use kuzot_model::{Facts, Money, MoneyRole, Org, Period, Place, Promise, Span};

use crate::i18n::Tr;

/// The kinds of fact a row can be, as in [`kuzot_model::FactSpan::fact`].
pub const KINDS: [&str; 5] = ["money", "place", "phone", "org", "promise"];

/// Rows a form may carry. More than the service's fact limit, so that the service names
/// that limit; a body with thousands of row numbers is refused here before any work.
const MAX_ROWS: usize = kuzot_service::MAX_LABEL_FACTS + 50;

/// One row of the form as the template draws it. Every field is a plain string so that a
/// refused form is drawn again with exactly what the analyst typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactRow {
    /// Row number in the field names (`f3-kind`).
    pub index: usize,
    /// `money`, `place`, `phone`, `org`, `promise`, or empty for a blank row.
    pub kind: String,
    /// The amount, place or phone as typed.
    pub value: String,
    /// Currency code of an amount.
    pub currency: String,
    /// Period of an amount (`month`, `day`, `hour`, `one_time`), or empty.
    pub period: String,
    /// Organisation id of an `org` row.
    pub org: String,
    /// Promise id of a `promise` row.
    pub promise: String,
    /// Occupied territory (places).
    pub occupied: bool,
    /// The span shown with the row, in bytes; empty when none.
    pub start: String,
    /// End of that span.
    pub end: String,
    /// What the row was when drawn (kind, value, currency, period), to tell an unchanged
    /// row, whose span and inferred currency stand, from an edited one.
    pub orig: String,
    /// The amount's role as the engine read it; carried, not edited.
    pub role: String,
    /// The currency was inferred by the engine (kept while the row is unchanged).
    pub inferred: bool,
    /// A selection made with the page's script: `start-end` in characters.
    pub sel: String,
    /// The text the span covers, shown beside the row.
    pub marked: String,
}

impl FactRow {
    fn signature(&self) -> String {
        let what = match self.kind.as_str() {
            "org" => self.org.as_str(),
            "promise" => self.promise.as_str(),
            _ => self.value.trim(),
        };
        format!(
            "{}|{}|{}|{}",
            self.kind,
            what,
            self.currency.trim().to_uppercase(),
            self.period
        )
    }
}

/// Something wrong with one row, before the service's own checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// Row number as the analyst sees it (from 1).
    pub row: usize,
    /// What is wrong.
    pub kind: RowProblemKind,
}

/// What is wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblemKind {
    /// An amount that does not read as a number or a range.
    NotAnAmount(String),
    /// An amount, place or phone row with no value.
    NoValue,
    /// A kind, organisation, promise or period that is not one of the choices.
    BadChoice,
    /// More rows than any label may hold.
    TooMany,
}

impl RowProblem {
    /// The problem in the user's language.
    pub fn text(&self, tr: &Tr) -> String {
        let row = tr.int(self.row as u64);
        match &self.kind {
            RowProblemKind::NotAnAmount(v) => tr.args(
                "label-row-not-an-amount",
                &[("row", row.as_str()), ("value", v.as_str())],
            ),
            RowProblemKind::NoValue => tr.t1("label-row-no-value", "row", row),
            RowProblemKind::BadChoice => tr.t1("label-row-bad-choice", "row", row),
            RowProblemKind::TooMany => tr.t1(
                "label-row-too-many",
                "limit",
                tr.int(kuzot_service::MAX_LABEL_FACTS as u64),
            ),
        }
    }
}

fn snake(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn from_snake<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(id.to_owned())).ok()
}

/// An amount as a form shows it: `200000`, `180000-250000`, or `-250000` for "up to".
fn amount_text(m: &Money) -> String {
    match (m.min, m.max) {
        (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
        (Some(a), _) => format!("{a}"),
        (None, Some(b)) => format!("-{b}"),
        (None, None) => String::new(),
    }
}

fn span_fields(text: &str, span: Span) -> (String, String, String) {
    if span == Span::default() {
        return (String::new(), String::new(), String::new());
    }
    let marked = text.get(span.start..span.end).unwrap_or("");
    let mut shown: String = marked.chars().take(60).collect();
    if marked.chars().nth(60).is_some() {
        shown.push('…');
    }
    (span.start.to_string(), span.end.to_string(), shown)
}

/// The rows that show `facts` on a message whose text is `text`, in the order
/// [`facts_of_rows`] reads them back (money, places, phones, organisations, promises), so an
/// untouched form gives back equal facts.
pub fn rows_of(text: &str, facts: &Facts) -> Vec<FactRow> {
    let mut rows = Vec::new();
    for m in &facts.money {
        let (start, end, marked) = span_fields(text, m.span);
        rows.push(FactRow {
            kind: "money".into(),
            value: amount_text(m),
            currency: m.currency.clone().unwrap_or_default(),
            period: m.period.map(snake).unwrap_or_default(),
            role: m.role.map(snake).unwrap_or_default(),
            inferred: m.currency_inferred,
            start,
            end,
            marked,
            ..FactRow::default()
        });
    }
    for p in &facts.places {
        let (start, end, marked) = span_fields(text, p.span);
        rows.push(FactRow {
            kind: "place".into(),
            value: p.id.clone(),
            occupied: p.occupied,
            start,
            end,
            marked,
            ..FactRow::default()
        });
    }
    for phone in &facts.phones {
        rows.push(FactRow {
            kind: "phone".into(),
            value: phone.clone(),
            ..FactRow::default()
        });
    }
    for o in &facts.orgs {
        rows.push(FactRow {
            kind: "org".into(),
            org: o.as_str().into(),
            ..FactRow::default()
        });
    }
    for p in &facts.promises {
        rows.push(FactRow {
            kind: "promise".into(),
            promise: p.as_str().into(),
            ..FactRow::default()
        });
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.index = i;
        row.orig = row.signature();
    }
    rows
}

/// Blank rows to follow `rows`, so that a fact can be added without script.
pub fn with_blank_rows(mut rows: Vec<FactRow>, blank: usize) -> Vec<FactRow> {
    let next = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    for i in 0..blank {
        rows.push(FactRow {
            index: next + i,
            ..FactRow::default()
        });
    }
    rows
}

/// The rows of a submitted form (fields `fN-…`), in row order. Rows marked for removal
/// are left out; blank rows are kept so that a refused form is drawn with them.
pub fn rows_from_form(fields: &[(String, String)]) -> Result<Vec<FactRow>, RowProblem> {
    let mut rows: BTreeMap<usize, FactRow> = BTreeMap::new();
    let mut removed = Vec::new();
    for (name, value) in fields {
        let Some((index, field)) = name
            .strip_prefix('f')
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(n, field)| Some((n.parse::<usize>().ok()?, field)))
        else {
            continue;
        };
        if !rows.contains_key(&index) && rows.len() >= MAX_ROWS {
            return Err(RowProblem {
                row: rows.len() + 1,
                kind: RowProblemKind::TooMany,
            });
        }
        let row = rows.entry(index).or_insert_with(|| FactRow {
            index,
            ..FactRow::default()
        });
        let value = value.clone();
        match field {
            "kind" => row.kind = value,
            "value" => row.value = value,
            "currency" => row.currency = value,
            "period" => row.period = value,
            "org" => row.org = value,
            "promise" => row.promise = value,
            "occupied" => row.occupied = !value.is_empty(),
            "start" => row.start = value,
            "end" => row.end = value,
            "orig" => row.orig = value,
            "role" => row.role = value,
            "inferred" => row.inferred = value == "1",
            "sel" => row.sel = value,
            "remove" if !value.is_empty() => removed.push(index),
            _ => {}
        }
    }
    Ok(rows
        .into_values()
        .filter(|r| !removed.contains(&r.index))
        .collect())
}

/// The facts the rows describe, with spans found as the module says.
pub fn facts_of_rows(text: &str, rows: &[FactRow]) -> Result<Facts, RowProblem> {
    let mut facts = Facts::default();
    for row in rows {
        // Named by the number its legend shows.
        let problem = |kind| RowProblem {
            row: row.index + 1,
            kind,
        };
        let value = row.value.trim();
        let unchanged = !row.orig.is_empty() && row.orig == row.signature();
        let span = || {
            if let Some(span) = selection_span(text, &row.sel) {
                return span;
            }
            if unchanged && let (Ok(start), Ok(end)) = (row.start.parse(), row.end.parse()) {
                return Span { start, end };
            }
            match row.kind.as_str() {
                "money" => find_number(text, value),
                _ => find_words(text, value),
            }
            .unwrap_or_default()
        };
        match row.kind.as_str() {
            "" => {}
            "money" => {
                if value.is_empty() {
                    return Err(problem(RowProblemKind::NoValue));
                }
                let (min, max) = parse_amount(value)
                    .ok_or_else(|| problem(RowProblemKind::NotAnAmount(short(value))))?;
                let currency = Some(row.currency.trim().to_uppercase()).filter(|c| !c.is_empty());
                let period = match row.period.as_str() {
                    "" => None,
                    p => Some(
                        from_snake::<Period>(p)
                            .ok_or_else(|| problem(RowProblemKind::BadChoice))?,
                    ),
                };
                let role = match row.role.as_str() {
                    "" => None,
                    r => from_snake::<MoneyRole>(r),
                };
                facts.money.push(Money {
                    min,
                    max,
                    currency_inferred: unchanged && row.inferred && currency.is_some(),
                    currency,
                    period,
                    role,
                    span: span(),
                });
            }
            "place" => {
                if value.is_empty() {
                    return Err(problem(RowProblemKind::NoValue));
                }
                facts.places.push(Place {
                    id: value.to_owned(),
                    occupied: row.occupied,
                    span: span(),
                });
            }
            "phone" => {
                if value.is_empty() {
                    return Err(problem(RowProblemKind::NoValue));
                }
                facts.phones.push(value.to_owned());
            }
            "org" => facts.orgs.push(
                from_snake::<Org>(&row.org).ok_or_else(|| problem(RowProblemKind::BadChoice))?,
            ),
            "promise" => facts.promises.push(
                from_snake::<Promise>(&row.promise)
                    .ok_or_else(|| problem(RowProblemKind::BadChoice))?,
            ),
            _ => return Err(problem(RowProblemKind::BadChoice)),
        }
    }
    Ok(facts)
}

fn short(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if value.chars().nth(40).is_some() {
        s.push('…');
    }
    s
}

/// Reads `200000`, `200 000`, `1.790.000`, `12,5`, `180000-250000` (or with `–`), and
/// `-250000` ("up to"). `None` when it is none of these.
pub fn parse_amount(value: &str) -> Option<(Option<f64>, Option<f64>)> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{202f}')
        .map(|c| {
            if matches!(c, '–' | '—' | '−') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let (low, high) = match compact.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (compact.as_str(), None),
    };
    let low = if low.is_empty() {
        None
    } else {
        Some(number(low)?)
    };
    let high = match high {
        Some(h) => Some(number(h)?),
        None => None,
    };
    match (low, high) {
        (None, None) => None,
        (Some(a), None) => Some((Some(a), None)),
        (a, Some(b)) => Some((a, Some(b))),
    }
}

/// One number with its digits grouped by `.` or `,` (several, or one followed by exactly
/// three digits) or with one of them as the decimal mark.
fn number(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return None;
    }
    let seps: Vec<usize> = s
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'.' || *b == b',')
        .map(|(i, _)| i)
        .collect();
    let grouping = match seps.as_slice() {
        [] => false,
        [one] => s.len() - one - 1 == 3 && *one > 0,
        _ => true,
    };
    let plain: String = if grouping {
        s.chars().filter(char::is_ascii_digit).collect()
    } else {
        s.replace(',', ".")
    };
    let v: f64 = plain.parse().ok()?;
    v.is_finite().then_some(v)
}

/// The span of the first number in `text` whose digits are the digits of the amount's
/// first figure (`200000` finds "200 000" and "200.000").
fn find_number(text: &str, value: &str) -> Option<Span> {
    let (min, max) = parse_amount(value)?;
    let figure = min.or(max)?;
    if figure.fract() != 0.0 || figure > 1e15 {
        return None;
    }
    let wanted = format!("{}", figure as u64);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // A run of digits and the separators people group them with.
        let start = i;
        let mut end = i;
        let mut digits = String::new();
        let mut j = i;
        while j < bytes.len() {
            let rest = &text[j..];
            let c = rest.chars().next().unwrap_or('\0');
            if c.is_ascii_digit() {
                digits.push(c);
                j += 1;
                end = j;
            } else if matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '.' | ',')
                && rest[c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit())
            {
                j += c.len_utf8();
            } else {
                break;
            }
        }
        if digits == wanted {
            return Some(Span { start, end });
        }
        i = j.max(i + 1);
    }
    None
}

/// The span of the first case-insensitive occurrence of `value` in `text`.
fn find_words(text: &str, value: &str) -> Option<Span> {
    let needle: Vec<char> = value.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return None;
    }
    for (start, _) in text.char_indices() {
        let mut matched = 0;
        for (offset, c) in text[start..].char_indices() {
            let lower: Vec<char> = c.to_lowercase().collect();
            if needle.get(matched..matched + lower.len()) != Some(lower.as_slice()) {
                break;
            }
            matched += lower.len();
            if matched == needle.len() {
                let end = start + offset + c.len_utf8();
                return Some(Span { start, end });
            }
        }
    }
    None
}

/// A selection `a-b` in characters of the text as a browser holds it (a line break is one
/// character there, also where the file has CR LF) turned into bytes of the stored text,
/// with spaces at either edge left out.
fn selection_span(text: &str, sel: &str) -> Option<Span> {
    let (a, b) = sel.split_once('-')?;
    let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    if a >= b {
        return None;
    }
    // Byte offset of every browser character, and the end.
    let mut offsets = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        offsets.push(i);
        if c == '\r' && chars.peek().map(|(_, n)| *n) == Some('\n') {
            chars.next();
        }
        if offsets.len() > b {
            break;
        }
    }
    offsets.push(text.len());
    let mut start = *offsets.get(a)?;
    let mut end = *offsets.get(b)?;
    let piece = &text[start..end];
    start += piece.len() - piece.trim_start().len();
    end -= piece.len() - piece.trim_end().len();
    (start < end).then_some(Span { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "Охрана в Мариуполе.\r\nОплата 200 000 руб в месяц, звоните +7 999 555 01 07";

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        assert_eq!(parse_amount("200000"), Some((Some(200000.0), None)));
        assert_eq!(parse_amount("200 000"), Some((Some(200000.0), None)));
        assert_eq!(parse_amount("1.790.000"), Some((Some(1790000.0), None)));
        assert_eq!(parse_amount("210,000"), Some((Some(210000.0), None)));
        assert_eq!(parse_amount("12,5"), Some((Some(12.5), None)));
        assert_eq!(
            parse_amount("180000 – 250000"),
            Some((Some(180000.0), Some(250000.0)))
        );
        assert_eq!(parse_amount("-250000"), Some((None, Some(250000.0))));
        assert_eq!(parse_amount("200 тысяч"), None);
        assert_eq!(parse_amount("-"), None);
        assert_eq!(parse_amount(""), None);
    }

    #[test]
    fn an_untouched_form_gives_back_the_same_facts() {
        let start = TEXT.find("200").expect("amount");
        let place_start = TEXT.find("Мариуполе").expect("place");
        let facts = Facts {
            money: vec![Money {
                min: Some(200000.0),
                max: Some(250000.5),
                currency: Some("RUB".into()),
                currency_inferred: true,
                period: Some(Period::Month),
                role: Some(MoneyRole::Salary),
                span: Span {
                    start,
                    end: start + "200 000".len(),
                },
            }],
            places: vec![Place {
                id: "mariupol".into(),
                occupied: true,
                span: Span {
                    start: place_start,
                    end: place_start + "Мариуполе".len(),
                },
            }],
            phones: vec!["+79995550107".into()],
            orgs: vec![Org::MinistryOfDefence],
            promises: vec![Promise::LumpSum, Promise::Housing],
        };
        let rows = rows_of(TEXT, &facts);
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].marked, "200 000");
        // Through the form fields, as a browser sends them.
        let mut fields = Vec::new();
        for r in with_blank_rows(rows, 2) {
            let i = r.index;
            for (name, value) in [
                ("kind", r.kind),
                ("value", r.value),
                ("currency", r.currency),
                ("period", r.period),
                ("org", r.org),
                ("promise", r.promise),
                ("start", r.start),
                ("end", r.end),
                ("orig", r.orig),
                ("role", r.role),
                (
                    "inferred",
                    if r.inferred {
                        "1".into()
                    } else {
                        String::new()
                    },
                ),
                (
                    "occupied",
                    if r.occupied {
                        "on".into()
                    } else {
                        String::new()
                    },
                ),
            ] {
                if !value.is_empty() {
                    fields.push((format!("f{i}-{name}"), value));
                }
            }
        }
        let back = facts_of_rows(TEXT, &rows_from_form(&fields).expect("rows")).expect("facts");
        assert_eq!(back, facts);
    }

    #[test]
    fn without_script_a_span_is_found_by_its_value_or_left_out() {
        let rows = rows_from_form(&pairs(&[
            ("f0-kind", "money"),
            ("f0-value", "200000"),
            ("f0-currency", "rub"),
            ("f1-kind", "place"),
            ("f1-value", "мариуполе"),
            ("f2-kind", "place"),
            ("f2-value", "donetsk"),
            ("f3-kind", ""),
            ("f3-value", "ignored: blank kind"),
        ]))
        .expect("rows");
        let facts = facts_of_rows(TEXT, &rows).expect("facts");
        let m = &facts.money[0];
        assert_eq!(&TEXT[m.span.start..m.span.end], "200 000");
        assert_eq!(m.currency.as_deref(), Some("RUB"));
        assert!(!m.currency_inferred);
        let p = &facts.places[0];
        assert_eq!(&TEXT[p.span.start..p.span.end], "Мариуполе");
        assert_eq!(facts.places[1].span, Span::default(), "not in the text");
        assert_eq!(facts.places.len(), 2);
    }

    #[test]
    fn an_edited_row_loses_its_old_span_and_a_selection_sets_a_new_one() {
        // The amount was changed: the old span (of "200 000") no longer stands, and
        // 150000 is not in the text.
        let rows = rows_from_form(&pairs(&[
            ("f0-kind", "money"),
            ("f0-value", "150000"),
            ("f0-start", "3"),
            ("f0-end", "9"),
            ("f0-orig", "money|200000||"),
        ]))
        .expect("rows");
        assert_eq!(
            facts_of_rows(TEXT, &rows).expect("facts").money[0].span,
            Span::default()
        );
        // A selection counts characters as the browser does: CR LF is one.
        let chars_before = TEXT.replace("\r\n", "\n").find("200").expect("amount");
        let chars_before = TEXT.replace("\r\n", "\n")[..chars_before].chars().count();
        let sel = format!("{}-{}", chars_before - 1, chars_before + 7);
        let rows = rows_from_form(&pairs(&[
            ("f0-kind", "money"),
            ("f0-value", "200000"),
            ("f0-sel", &sel),
        ]))
        .expect("rows");
        let m = &facts_of_rows(TEXT, &rows).expect("facts").money[0];
        assert_eq!(
            &TEXT[m.span.start..m.span.end],
            "200 000",
            "edge space trimmed"
        );
        // A selection past the end is no span at all.
        assert_eq!(selection_span(TEXT, "5-100000"), None);
        assert_eq!(selection_span(TEXT, "junk"), None);
    }

    #[test]
    fn removed_rows_go_and_bad_rows_are_named() {
        let rows = rows_from_form(&pairs(&[
            ("f0-kind", "phone"),
            ("f0-value", "+7 999 555 01 07"),
            ("f0-remove", "1"),
            ("f1-kind", "org"),
            ("f1-org", "wagner"),
        ]))
        .expect("rows");
        let facts = facts_of_rows(TEXT, &rows).expect("facts");
        assert!(facts.phones.is_empty());
        assert_eq!(facts.orgs, vec![Org::Wagner]);
        for (fields, expected) in [
            (
                vec![("f0-kind", "money"), ("f0-value", "a lot")],
                RowProblemKind::NotAnAmount("a lot".into()),
            ),
            (vec![("f0-kind", "place")], RowProblemKind::NoValue),
            (
                vec![("f0-kind", "org"), ("f0-org", "nato")],
                RowProblemKind::BadChoice,
            ),
            (vec![("f0-kind", "rumour")], RowProblemKind::BadChoice),
            (
                vec![
                    ("f0-kind", "money"),
                    ("f0-value", "5"),
                    ("f0-period", "year"),
                ],
                RowProblemKind::BadChoice,
            ),
        ] {
            let rows = rows_from_form(&pairs(&fields)).expect("rows");
            let problem = facts_of_rows(TEXT, &rows).expect_err("refused");
            assert_eq!(problem.row, 1);
            assert_eq!(problem.kind, expected);
        }
        let many: Vec<(String, String)> = (0..MAX_ROWS + 1)
            .map(|i| (format!("f{i}-kind"), "phone".to_owned()))
            .collect();
        assert_eq!(
            rows_from_form(&many).expect_err("too many").kind,
            RowProblemKind::TooMany
        );
    }
}
