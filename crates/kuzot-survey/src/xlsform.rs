//! XLSForm questionnaires (`.xlsx` with `survey`, `choices` and `settings` sheets), the
//! format KoboToolbox and ODK forms are written in.
//!
//! What is kept: every question's type, name, path through its groups, labels per language
//! (`label::Kyrgyz (ky)` → `ky`, `label::English` → `English`, a plain `label` → the default
//! language), `relevant` (as text, for display; it is not evaluated), `required`, and the
//! repeat it sits in. Any syntax error (unknown type, a select without its list, a list
//! missing from `choices`, an unbalanced `begin`/`end`, a duplicate or invalid name) is
//! reported with its sheet, row and reason; all errors are collected before failing.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::table::{Table, TableError, read_xlsx};

/// A questionnaire read from an XLSForm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// `form_title` from `settings`, if given.
    pub title: Option<String>,
    /// `form_id` from `settings`, if given.
    pub form_id: Option<String>,
    /// `version` from `settings`, if given.
    pub version: Option<String>,
    /// `default_language` from `settings`, if given: the language of plain `label` columns.
    pub default_language: Option<String>,
    /// The languages of the label columns, in the order of the survey sheet's columns
    /// (codes such as `ky`, or the language names where no code is given).
    pub languages: Vec<String>,
    /// Every question (and note, calculate and metadata field) in form order.
    pub questions: Vec<Question>,
    /// Every group and repeat in form order.
    pub groups: Vec<Group>,
    /// Choice lists by list name, each in the sheet's order.
    pub choice_lists: BTreeMap<String, Vec<Choice>>,
}

/// One row of the survey sheet that holds a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The `name` column.
    pub name: String,
    /// The names of the enclosing groups and the question's own, joined with `/`.
    pub path: String,
    /// What kind of value the question holds.
    pub kind: QuestionKind,
    /// Labels by language (`""` for a plain `label` column).
    pub labels: Labels,
    /// The `relevant` expression, kept as written.
    pub relevant: Option<String>,
    /// Whether `required` is `yes`/`true`/`true()`.
    pub required: bool,
    /// The path of the innermost repeat the question is in, if any.
    pub repeat: Option<String>,
    /// The survey sheet's row.
    pub row: usize,
}

/// The kinds of question kuzot distinguishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "list", rename_all = "snake_case")]
pub enum QuestionKind {
    /// `select_one LIST`: one code of the list.
    SelectOne(String),
    /// `select_multiple LIST`: any set of codes of the list.
    SelectMultiple(String),
    /// `integer`.
    Integer,
    /// `decimal`.
    Decimal,
    /// `text`.
    Text,
    /// `date`.
    Date,
    /// `datetime`.
    DateTime,
    /// `time`.
    Time,
    /// `geopoint`: latitude, longitude, altitude, accuracy.
    Geopoint,
    /// `note`: shown, holds no answer.
    Note,
    /// `calculate` (and `hidden`): a value the form computes.
    Calculate,
    /// Any other value type XLSForm defines (`barcode`, `image`, `range`, `start`,
    /// `deviceid`, …): kept as text.
    Other(String),
}

impl QuestionKind {
    /// The choice list of a select question.
    pub fn choice_list(&self) -> Option<&str> {
        match self {
            QuestionKind::SelectOne(list) | QuestionKind::SelectMultiple(list) => Some(list),
            _ => None,
        }
    }

    /// Whether the question holds no answer (a note).
    pub fn holds_no_answer(&self) -> bool {
        matches!(self, QuestionKind::Note)
    }
}

/// A `begin group` / `begin repeat` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The enclosing groups' names and its own, joined with `/`.
    pub path: String,
    /// Whether it is a repeat.
    pub repeat: bool,
    /// Labels by language.
    pub labels: Labels,
    /// The `relevant` expression, kept as written.
    pub relevant: Option<String>,
    /// The survey sheet's row of its `begin`.
    pub row: usize,
}

/// One row of the choices sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The code stored in answers (`name` column).
    pub name: String,
    /// Labels by language.
    pub labels: Labels,
}

/// Labels by language; `""` is a plain `label` column.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels(pub BTreeMap<String, String>);

impl Labels {
    /// The label in `language`, else the plain label, else any label, else `None`.
    pub fn get(&self, language: Option<&str>) -> Option<&str> {
        language
            .and_then(|l| self.0.get(l))
            .or_else(|| self.0.get(""))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
    }
}

/// One error in an XLSForm: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormError {
    /// The sheet (`survey`, `choices`, `settings`, or the file).
    pub sheet: String,
    /// The sheet's row (0 when the error is about the sheet as a whole).
    pub row: usize,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.row == 0 {
            write!(f, "sheet {}: {}", self.sheet, self.reason)
        } else {
            write!(f, "sheet {}, row {}: {}", self.sheet, self.row, self.reason)
        }
    }
}

/// Why a form could not be read: every error found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormErrors(pub Vec<FormError>);

impl std::fmt::Display for FormErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FormErrors {}

impl From<TableError> for FormErrors {
    fn from(e: TableError) -> Self {
        FormErrors(vec![FormError {
            sheet: "(workbook)".to_owned(),
            row: 0,
            reason: e.to_string(),
        }])
    }
}

impl Form {
    /// Reads an XLSForm from the bytes of its `.xlsx` file.
    pub fn from_xlsx(bytes: &[u8]) -> Result<Form, FormErrors> {
        let tables = read_xlsx(bytes)?;
        Form::from_tables(&tables)
    }

    /// Reads an XLSForm from its sheets (found by name, case-insensitively).
    pub fn from_tables(tables: &[Table]) -> Result<Form, FormErrors> {
        let sheet = |name: &str| tables.iter().find(|t| t.name.eq_ignore_ascii_case(name));
        let mut errors = Vec::new();
        let Some(survey) = sheet("survey") else {
            return Err(FormErrors(vec![FormError {
                sheet: "survey".to_owned(),
                row: 0,
                reason: "the workbook has no `survey` sheet".to_owned(),
            }]));
        };
        let settings = sheet("settings").map(read_settings).unwrap_or_default();
        let choice_lists = match sheet("choices") {
            Some(choices) => read_choices(choices, &mut errors),
            None => BTreeMap::new(),
        };
        let mut form = Form {
            title: settings.get("form_title").cloned(),
            form_id: settings.get("form_id").cloned(),
            version: settings.get("version").cloned(),
            default_language: settings.get("default_language").cloned(),
            languages: label_languages(&survey.header),
            questions: Vec::new(),
            groups: Vec::new(),
            choice_lists,
        };
        read_survey(survey, &mut form, &mut errors);
        if errors.is_empty() {
            Ok(form)
        } else {
            Err(FormErrors(errors))
        }
    }

    /// The question at `path` (`group/name`) or, if no path matches, the one question
    /// whose bare name is `path`.
    pub fn question(&self, path: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.path == path).or_else(|| {
            let mut named = self.questions.iter().filter(|q| q.name == path);
            match (named.next(), named.next()) {
                (Some(q), None) => Some(q),
                _ => None,
            }
        })
    }

    /// The choices of a select question (empty for other kinds).
    pub fn choices_of(&self, question: &Question) -> &[Choice] {
        question
            .kind
            .choice_list()
            .and_then(|list| self.choice_lists.get(list))
            .map_or(&[], Vec::as_slice)
    }
}

fn read_settings(table: &Table) -> BTreeMap<String, String> {
    let mut settings = BTreeMap::new();
    if let Some(row) = table.rows.first() {
        for (key, value) in table.header.iter().zip(&row.cells) {
            let value = value.trim();
            if !key.is_empty() && !value.is_empty() {
                settings.insert(key.to_ascii_lowercase(), value.to_owned());
            }
        }
    }
    settings
}

/// The language of a label column: `label::Kyrgyz (ky)` → `ky`; `label::English` →
/// `English`; `label` → `""`. `None` for columns that are not labels.
fn label_language(column: &str) -> Option<String> {
    let rest = column.strip_prefix("label")?;
    if rest.is_empty() {
        return Some(String::new());
    }
    let language = rest
        .strip_prefix("::")
        .or_else(|| rest.strip_prefix(':'))?
        .trim();
    if let (Some(open), true) = (language.rfind('('), language.ends_with(')')) {
        let code = language[open + 1..language.len() - 1].trim();
        if !code.is_empty() {
            return Some(code.to_owned());
        }
    }
    Some(language.to_owned())
}

fn label_languages(header: &[String]) -> Vec<String> {
    let mut languages: Vec<String> = Vec::new();
    for column in header {
        if let Some(language) = label_language(column)
            && !language.is_empty()
            && !languages.contains(&language)
        {
            languages.push(language);
        }
    }
    languages
}

fn labels_of(table: &Table, cells: &[String]) -> Labels {
    let mut labels = BTreeMap::new();
    for (column, cell) in table.header.iter().zip(cells) {
        if let Some(language) = label_language(column) {
            let text = cell.trim();
            if !text.is_empty() {
                labels.insert(language, text.to_owned());
            }
        }
    }
    Labels(labels)
}

/// XML names: a letter or `_` first, then letters, digits, `_`, `-`, `.`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn read_choices(table: &Table, errors: &mut Vec<FormError>) -> BTreeMap<String, Vec<Choice>> {
    let mut lists: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
    let error = |row: usize, reason: String| FormError {
        sheet: table.name.clone(),
        row,
        reason,
    };
    let list_column = table
        .column("list_name")
        .or_else(|| table.column("list name"));
    let (Some(list_column), Some(name_column)) = (list_column, table.column("name")) else {
        errors.push(error(0, "needs `list_name` and `name` columns".to_owned()));
        return lists;
    };
    for row in &table.rows {
        let list = row.cells[list_column].trim();
        let name = row.cells[name_column].trim();
        if list.is_empty() && name.is_empty() {
            continue;
        }
        if list.is_empty() {
            errors.push(error(
                row.number,
                format!("choice {name:?} has no list_name"),
            ));
            continue;
        }
        if name.is_empty() {
            errors.push(error(
                row.number,
                format!("a choice of list {list:?} has no name"),
            ));
            continue;
        }
        let choices = lists.entry(list.to_owned()).or_default();
        if choices.iter().any(|c| c.name == name) {
            errors.push(error(
                row.number,
                format!("choice {name:?} appears twice in list {list:?}"),
            ));
            continue;
        }
        choices.push(Choice {
            name: name.to_owned(),
            labels: labels_of(table, &row.cells),
        });
    }
    lists
}

/// XLSForm's value types other than selects that kuzot keeps as [`QuestionKind::Other`].
const OTHER_VALUE_TYPES: &[&str] = &[
    "range",
    "geotrace",
    "geoshape",
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "acknowledge",
    "background-audio",
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "rank",
];

fn parse_kind(type_text: &str) -> Result<QuestionKind, String> {
    let mut words = type_text.split_whitespace();
    let head = words.next().unwrap_or_default();
    let list = words.next();
    let select = |make: fn(String) -> QuestionKind| match (list, words.clone().next()) {
        (Some(list), None) => Ok(make(list.to_owned())),
        (None, _) => Err(format!("`{head}` needs a choice list name after it")),
        (Some(_), Some(_)) => Err(format!(
            "`{type_text}`: choices from a file (`or_other` and `_from_file`) are not supported"
        )),
    };
    match head {
        "select_one" => select(QuestionKind::SelectOne),
        "select_multiple" => select(QuestionKind::SelectMultiple),
        _ if list.is_some() => Err(format!("unknown type {type_text:?}")),
        "integer" | "int" => Ok(QuestionKind::Integer),
        "decimal" => Ok(QuestionKind::Decimal),
        "text" | "string" => Ok(QuestionKind::Text),
        "date" => Ok(QuestionKind::Date),
        "datetime" | "dateTime" => Ok(QuestionKind::DateTime),
        "time" => Ok(QuestionKind::Time),
        "geopoint" => Ok(QuestionKind::Geopoint),
        "note" => Ok(QuestionKind::Note),
        "calculate" | "hidden" => Ok(QuestionKind::Calculate),
        other if OTHER_VALUE_TYPES.contains(&other) => Ok(QuestionKind::Other(other.to_owned())),
        other => Err(format!("unknown type {other:?}")),
    }
}

fn is_yes(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "yes" | "true" | "true()" | "1"
    )
}

fn read_survey(table: &Table, form: &mut Form, errors: &mut Vec<FormError>) {
    let error = |row: usize, reason: String| FormError {
        sheet: table.name.clone(),
        row,
        reason,
    };
    let (Some(type_column), Some(name_column)) = (table.column("type"), table.column("name"))
    else {
        errors.push(error(0, "needs `type` and `name` columns".to_owned()));
        return;
    };
    let relevant_column = table.column("relevant");
    let required_column = table.column("required");
    let optional = |cells: &[String], column: Option<usize>| {
        column
            .map(|c| cells[c].trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    // Open groups: (name, is_repeat, begin row).
    let mut open: Vec<(String, bool, usize)> = Vec::new();
    let mut paths_seen: BTreeSet<String> = BTreeSet::new();
    for row in &table.rows {
        let type_text = row.cells[type_column].trim();
        let name = row.cells[name_column].trim();
        if type_text.is_empty() {
            if !name.is_empty() {
                errors.push(error(row.number, format!("{name:?} has no type")));
            }
            continue;
        }
        let type_lower = type_text.to_ascii_lowercase().replace('_', " ");
        let relevant = optional(&row.cells, relevant_column);
        let path_of = |name: &str, open: &[(String, bool, usize)]| {
            let mut parts: Vec<&str> = open.iter().map(|(n, _, _)| n.as_str()).collect();
            parts.push(name);
            parts.join("/")
        };
        match type_lower.as_str() {
            "begin group" | "begin repeat" => {
                let repeat = type_lower == "begin repeat";
                if !valid_name(name) {
                    errors.push(error(row.number, invalid_name_reason(name)));
                }
                let path = path_of(name, &open);
                if !paths_seen.insert(path.clone()) {
                    errors.push(error(
                        row.number,
                        format!("the name {path:?} is used twice"),
                    ));
                }
                form.groups.push(Group {
                    path,
                    repeat,
                    labels: labels_of(table, &row.cells),
                    relevant,
                    row: row.number,
                });
                open.push((name.to_owned(), repeat, row.number));
            }
            "end group" | "end repeat" => {
                let repeat = type_lower == "end repeat";
                match open.pop() {
                    Some((_, was_repeat, _)) if was_repeat == repeat => {}
                    Some((open_name, _, begin_row)) => errors.push(error(
                        row.number,
                        format!(
                            "`{type_text}` closes {open_name:?}, which row {begin_row} began as a {}",
                            if repeat { "group" } else { "repeat" }
                        ),
                    )),
                    None => errors.push(error(
                        row.number,
                        format!("`{type_text}` without a matching begin"),
                    )),
                }
            }
            _ => {
                let kind = match parse_kind(type_text) {
                    Ok(kind) => kind,
                    Err(reason) => {
                        errors.push(error(row.number, reason));
                        continue;
                    }
                };
                if !valid_name(name) {
                    errors.push(error(row.number, invalid_name_reason(name)));
                    continue;
                }
                if let Some(list) = kind.choice_list()
                    && !form.choice_lists.contains_key(list)
                {
                    errors.push(error(
                        row.number,
                        format!("choice list {list:?} is not in the choices sheet"),
                    ));
                }
                let path = path_of(name, &open);
                if !paths_seen.insert(path.clone()) {
                    errors.push(error(
                        row.number,
                        format!("the name {path:?} is used twice"),
                    ));
                    continue;
                }
                let repeat = open
                    .iter()
                    .rposition(|(_, is_repeat, _)| *is_repeat)
                    .map(|last| {
                        open[..=last]
                            .iter()
                            .map(|(n, _, _)| n.as_str())
                            .collect::<Vec<_>>()
                            .join("/")
                    });
                form.questions.push(Question {
                    name: name.to_owned(),
                    path,
                    kind,
                    labels: labels_of(table, &row.cells),
                    relevant,
                    required: required_column.is_some_and(|c| is_yes(&row.cells[c])),
                    repeat,
                    row: row.number,
                });
            }
        }
    }
    for (name, repeat, begin_row) in open {
        errors.push(error(
            begin_row,
            format!(
                "{} {name:?} is never ended",
                if repeat { "repeat" } else { "group" }
            ),
        ));
    }
}

fn invalid_name_reason(name: &str) -> String {
    if name.is_empty() {
        "the row has no name".to_owned()
    } else {
        format!(
            "{name:?} is not a valid name (a letter or `_` first, then letters, digits, `_`, `-`, `.`)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_columns_name_their_language() {
        assert_eq!(label_language("label::Kyrgyz (ky)").as_deref(), Some("ky"));
        assert_eq!(label_language("label::Русский (ru)").as_deref(), Some("ru"));
        assert_eq!(label_language("label::English").as_deref(), Some("English"));
        assert_eq!(label_language("label").as_deref(), Some(""));
        assert_eq!(label_language("hint::English (en)"), None);
        assert_eq!(label_language("labels"), None);
    }

    #[test]
    fn types_parse_with_their_lists() {
        assert_eq!(
            parse_kind("select_one yes_no"),
            Ok(QuestionKind::SelectOne("yes_no".into()))
        );
        assert!(parse_kind("select_multiple").is_err());
        assert!(parse_kind("integr").is_err());
        assert_eq!(parse_kind("start"), Ok(QuestionKind::Other("start".into())));
    }
}
