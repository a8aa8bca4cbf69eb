//! Responses from KoboToolbox and ODK Central exports (CSV or XLSX), matched to the form.
//!
//! **What the exports look like** (as the two services write them by default):
//!
//! | | KoboToolbox | ODK Central |
//! |---|---|---|
//! | CSV delimiter | `;` (configurable) | `,` |
//! | group paths | `group/question` (the separator is an export setting, `/` by default; with "include groups" off, bare names) | `group-question` |
//! | select_multiple | `q` with space-separated codes and/or split `q/code` columns holding 1/0 | `q` with codes and, with `splitSelectMultiples`, `q/code` columns (`group-q/code`) for the codes its data holds |
//! | submission id | `_uuid` (and `meta/instanceID` = `uuid:…`; `meta/rootUuid` where written) | `KEY` = `meta-instanceID` = `uuid:…` |
//! | time | `_submission_time` | `SubmissionDate` |
//! | repeat groups | XLSX: one sheet per repeat, rows linked by `_parent_index` → the parent's `_index` (`_parent_table_name` names the parent sheet) | one CSV per repeat, rows linked by `PARENT_KEY` → the parent's `KEY` |
//! | geopoint | `q` = `lat lon alt acc`, plus `_q_latitude`, `_q_longitude`, `_q_altitude`, `_q_precision` | `q-Latitude`, `q-Longitude`, `q-Altitude`, `q-Accuracy` |
//!
//! A header is matched to a question by its path joined with `/`, then joined with `-`, then
//! by the bare name; a split select column is the question's header plus `/code` or `-code`.
//! The response id is the first of `meta/rootUuid`, `_uuid`, `KEY`, `meta/instanceID`,
//! `meta-instanceID`, `instanceID` that the export has, with any `uuid:` prefix removed, so
//! the same submission has the same id in both services' exports. The order prefers the
//! columns meant to stay when a submission is edited (an edit gives the submission a new
//! `instanceID`; Kobo's `meta/rootUuid`, where written, and Central's `KEY` name the
//! submission rather than its version), which is what merging a newer export relies on;
//! where an export has only the changing id, an edited submission arrives as a new one.
//! Exports with
//! labels instead of XML names as headers or values are not matched (their columns are
//! reported as unknown).
//!
//! Whatever does not match the form is listed as an [`ImportProblem`] (table, row, column,
//! reason) and left out; everything else is imported.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::table::{Table, TableError, read_csv, read_xlsx};
use crate::xlsform::{Form, Question, QuestionKind};

/// One submission, matched to its form: plain data, ready to be stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The submission's id (its uuid without the `uuid:` prefix).
    pub id: String,
    /// When the server received it, as the export wrote it.
    pub submitted_at: Option<String>,
    /// The pseudonymous participant id, from the column the caller named.
    pub participant_id: Option<String>,
    /// Answers outside repeats, by question path. Unanswered questions are absent.
    pub answers: BTreeMap<String, Answer>,
    /// Repeat instances by repeat path, in export order; each maps question paths to
    /// answers. A nested repeat's instances are kept under the submission (not under their
    /// parent instance).
    pub repeats: BTreeMap<String, Vec<BTreeMap<String, Answer>>>,
}

/// One answer, typed by its question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// A select_one code.
    Choice(String),
    /// select_multiple codes, in the order of the choice list.
    Choices(Vec<String>),
    /// An integer.
    Integer(i64),
    /// A decimal.
    Decimal(f64),
    /// A date, `YYYY-MM-DD`.
    Date(String),
    /// A geopoint.
    Geopoint(GeoPoint),
    /// Any other value as written (text, time, calculate, …).
    Text(String),
}

impl Answer {
    /// The answer as export text (codes space-separated).
    pub fn as_text(&self) -> String {
        match self {
            Answer::Choice(c) | Answer::Date(c) | Answer::Text(c) => c.clone(),
            Answer::Choices(codes) => codes.join(" "),
            Answer::Integer(i) => i.to_string(),
            Answer::Decimal(d) => d.to_string(),
            Answer::Geopoint(p) => format!(
                "{} {} {} {}",
                p.latitude, p.longitude, p.altitude, p.accuracy
            ),
        }
    }
}

/// Latitude and longitude in degrees, altitude and accuracy in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Degrees north, −90…90.
    pub latitude: f64,
    /// Degrees east, −180…180.
    pub longitude: f64,
    /// Metres (0 when not given).
    pub altitude: f64,
    /// Metres (0 when not given).
    pub accuracy: f64,
}

/// Something in an export that does not match the form, and was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// The sheet or file.
    pub table: String,
    /// The row (1 = the header row: a problem with a whole column).
    pub row: usize,
    /// The column's header.
    pub column: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, row {}, column {:?}: {}",
            self.table, self.row, self.column, self.reason
        )
    }
}

/// How to read an export.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The question (path or name) or export column that holds the pseudonymous
    /// participant id, if any.
    pub participant_column: Option<String>,
}

/// The responses of one export, and what was left out of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Import {
    /// Responses in export order.
    pub responses: Vec<Response>,
    /// Everything that did not match the form.
    pub problems: Vec<ImportProblem>,
}

/// Why an export could not be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read as CSV or XLSX.
    #[error(transparent)]
    Table(#[from] TableError),
    /// The export has no sheet or file.
    #[error("the export has no table")]
    Empty,
    /// The main table has no submission id column.
    #[error(
        "{table}: no submission id column (one of meta/rootUuid, _uuid, KEY, meta/instanceID, meta-instanceID, instanceID)"
    )]
    NoIdColumn {
        /// The main sheet or file.
        table: String,
    },
}

/// Reads an export file: XLSX (by its zip signature) or CSV. The first sheet of a workbook
/// is the main table; further sheets are repeat groups.
pub fn import_file(
    form: &Form,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let tables = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        vec![read_csv(file_name, bytes)?]
    };
    import_tables(form, &tables, options)
}

/// Matches an export's tables to the form: `tables[0]` is the main table, the others are
/// repeat groups, found by name (a sheet named like the repeat, or a file whose name ends
/// with `-repeat.csv`/`-repeat`). Tables that match no repeat are reported and skipped.
pub fn import_tables(
    form: &Form,
    tables: &[Table],
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    let main = tables.first().ok_or(ImportError::Empty)?;
    let mut import = Import::default();
    let columns = ColumnMap::new(form, main, None, options, &mut import.problems);
    let Some(id_column) = columns.id else {
        return Err(ImportError::NoIdColumn {
            table: main.name.clone(),
        });
    };
    // Where each table row's key leads: (table, own key) → response index.
    let mut owners: HashMap<(String, String), usize> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for row in &main.rows {
        let id = strip_uuid(&row.cells[id_column]);
        if id.is_empty() {
            import.problems.push(problem(
                main,
                row.number,
                &main.header[id_column],
                "no submission id: row skipped",
            ));
            continue;
        }
        if let Some(first) = seen_ids.get(&id) {
            let reason = format!("submission id {id:?} already on row {first}: row skipped");
            import
                .problems
                .push(problem(main, row.number, &main.header[id_column], &reason));
            continue;
        }
        seen_ids.insert(id.clone(), row.number);
        let answers = columns.read_row(form, main, row.number, &row.cells, &mut import.problems);
        let participant_id = columns.participant(&row.cells, &answers);
        let index = import.responses.len();
        for key in columns.own_keys(&main.name, &row.cells) {
            owners.insert(key, index);
        }
        import.responses.push(Response {
            id,
            submitted_at: columns
                .submitted
                .map(|c| row.cells[c].trim().to_owned())
                .filter(|t| !t.is_empty()),
            participant_id,
            answers,
            repeats: BTreeMap::new(),
        });
    }
    // Repeat tables, parents before children as the form nests them.
    let mut repeat_tables: Vec<(&Table, &str)> = Vec::new();
    for table in &tables[1..] {
        match repeat_for_table(form, &table.name) {
            Some(path) => repeat_tables.push((table, path)),
            None => import.problems.push(problem(
                table,
                1,
                "",
                "this table matches no repeat group of the form: skipped",
            )),
        }
    }
    repeat_tables.sort_by_key(|(_, path)| path.matches('/').count());
    for (table, repeat_path) in repeat_tables {
        let columns = ColumnMap::new(
            form,
            table,
            Some(repeat_path),
            options,
            &mut import.problems,
        );
        for row in &table.rows {
            let Some(owner) = columns.owner(&main.name, &row.cells, &owners) else {
                import.problems.push(problem(
                    table,
                    row.number,
                    "",
                    "no parent submission matches this row's parent key: row skipped",
                ));
                continue;
            };
            let answers =
                columns.read_row(form, table, row.number, &row.cells, &mut import.problems);
            for key in columns.own_keys(&table.name, &row.cells) {
                owners.insert(key, owner);
            }
            import.responses[owner]
                .repeats
                .entry(repeat_path.to_owned())
                .or_default()
                .push(answers);
        }
    }
    Ok(import)
}

fn problem(table: &Table, row: usize, column: &str, reason: &str) -> ImportProblem {
    ImportProblem {
        table: table.name.clone(),
        row,
        column: column.to_owned(),
        reason: reason.to_owned(),
    }
}

fn strip_uuid(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix("uuid:").unwrap_or(text).to_owned()
}

/// The repeat a sheet or file name stands for: the repeat's name or path, or a file named
/// `form-repeat` (ODK Central), with any `.csv` extension.
fn repeat_for_table<'f>(form: &'f Form, table_name: &str) -> Option<&'f str> {
    let stem = table_name.strip_suffix(".csv").unwrap_or(table_name);
    form.groups
        .iter()
        .filter(|g| g.repeat)
        .map(|g| g.path.as_str())
        .find(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            stem == *path || stem == name || stem.ends_with(&format!("-{name}"))
        })
}

/// Export columns that are neither questions nor unknown: the services' own metadata.
const METADATA_COLUMNS: &[&str] = &[
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_version_",
    "_tags",
    "_index",
    "_parent_index",
    "_parent_table_name",
    "_xform_id_string",
    "_attachments",
    "_geolocation",
    "_duration",
    "formhub/uuid",
    "meta/instanceID",
    "meta/rootUuid",
    "meta/deprecatedID",
    "meta/instanceName",
    "meta-instanceID",
    "meta-instanceName",
    "meta-deprecatedID",
    "instanceID",
    "SubmissionDate",
    "KEY",
    "PARENT_KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
];

const ID_COLUMNS: &[&str] = &[
    "meta/rootUuid",
    "_uuid",
    "KEY",
    "meta/instanceID",
    "meta-instanceID",
    "instanceID",
];

#[derive(Debug, Clone, Copy)]
enum Target {
    Question(usize),
    ChoiceFlag(usize, usize),
    GeoPart(usize, usize),
}

/// How one table's columns map to the form.
struct ColumnMap {
    targets: Vec<Option<Target>>,
    /// The submission id column.
    id: Option<usize>,
    submitted: Option<usize>,
    participant: Option<ParticipantSource>,
    /// Kobo `_index`: a row's own key within its sheet, which child rows refer to.
    kobo_index: Option<usize>,
    /// ODK `KEY`: a row's own key, unique across the export's files.
    odk_key: Option<usize>,
    kobo_parent: Option<(usize, Option<usize>)>,
    odk_parent: Option<usize>,
    /// Questions of the scope that are required and always asked.
    required: Vec<usize>,
}

enum ParticipantSource {
    Question(String),
    Column(usize),
}

impl ColumnMap {
    fn new(
        form: &Form,
        table: &Table,
        repeat: Option<&str>,
        options: &ImportOptions,
        problems: &mut Vec<ImportProblem>,
    ) -> ColumnMap {
        let in_scope: Vec<usize> = (0..form.questions.len())
            .filter(|&i| {
                form.questions[i].repeat.as_deref() == repeat
                    && !form.questions[i].kind.holds_no_answer()
            })
            .collect();
        let lookup = header_lookup(form, &in_scope);
        let mut targets = Vec::with_capacity(table.header.len());
        let mut covered: BTreeSet<usize> = BTreeSet::new();
        for header in &table.header {
            let target = lookup.get(header.as_str()).copied();
            if let Some(Target::Question(q) | Target::ChoiceFlag(q, _) | Target::GeoPart(q, _)) =
                target
            {
                covered.insert(q);
            }
            targets.push(target);
        }
        let column = |name: &str| table.column(name);
        let participant = options.participant_column.as_deref().and_then(|name| {
            if let Some(q) = form.question(name) {
                Some(ParticipantSource::Question(q.path.clone()))
            } else if let Some(c) = column(name) {
                Some(ParticipantSource::Column(c))
            } else {
                if repeat.is_none() {
                    problems.push(problem(
                        table,
                        1,
                        name,
                        "the participant id column is not in the export",
                    ));
                }
                None
            }
        });
        let participant_column = match &participant {
            Some(ParticipantSource::Column(c)) => Some(*c),
            _ => None,
        };
        for (index, header) in table.header.iter().enumerate() {
            let known = targets[index].is_some()
                || METADATA_COLUMNS.contains(&header.as_str())
                || header.starts_with("_submission_")
                || header.is_empty()
                || participant_column == Some(index);
            if !known {
                problems.push(problem(
                    table,
                    1,
                    header,
                    "the column is not in the form: its values were not imported",
                ));
            }
        }
        let required: Vec<usize> = in_scope
            .iter()
            .copied()
            .filter(|&q| form.questions[q].required && always_asked(form, &form.questions[q]))
            .collect();
        // A required question without a column is reported once, not on every row.
        for &q in &required {
            if !covered.contains(&q) {
                problems.push(problem(
                    table,
                    1,
                    &form.questions[q].path,
                    "a required question has no column in the export",
                ));
            }
        }
        let required = required
            .into_iter()
            .filter(|q| covered.contains(q))
            .collect();
        let kobo_parent = column("_parent_index").map(|c| (c, column("_parent_table_name")));
        ColumnMap {
            targets,
            id: ID_COLUMNS.iter().find_map(|name| column(name)),
            submitted: column("_submission_time").or_else(|| column("SubmissionDate")),
            participant,
            kobo_index: column("_index"),
            odk_key: column("KEY"),
            kobo_parent,
            odk_parent: column("PARENT_KEY"),
            required,
        }
    }

    /// A row's own keys as (scope, key): a Kobo `_index` is scoped by its sheet, an ODK
    /// `KEY` by nothing (`""`), since it is unique across the export.
    fn own_keys(&self, table: &str, cells: &[String]) -> Vec<(String, String)> {
        let mut keys = Vec::new();
        for (column, scope) in [(self.kobo_index, table), (self.odk_key, "")] {
            if let Some(c) = column {
                let key = cells[c].trim();
                if !key.is_empty() {
                    keys.push((scope.to_owned(), key.to_owned()));
                }
            }
        }
        keys
    }

    /// The response a repeat row belongs to, through its parent key.
    fn owner(
        &self,
        main_table: &str,
        cells: &[String],
        owners: &HashMap<(String, String), usize>,
    ) -> Option<usize> {
        if let Some(c) = self.odk_parent
            && let Some(&owner) = owners.get(&(String::new(), cells[c].trim().to_owned()))
        {
            return Some(owner);
        }
        if let Some((c, table_column)) = self.kobo_parent {
            let table = table_column
                .map(|t| cells[t].trim().to_owned())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| main_table.to_owned());
            return owners.get(&(table, cells[c].trim().to_owned())).copied();
        }
        None
    }

    fn participant(&self, cells: &[String], answers: &BTreeMap<String, Answer>) -> Option<String> {
        match self.participant.as_ref()? {
            ParticipantSource::Question(path) => answers.get(path).map(Answer::as_text),
            ParticipantSource::Column(c) => Some(cells[*c].trim().to_owned()),
        }
        .filter(|t| !t.is_empty())
    }

    fn read_row(
        &self,
        form: &Form,
        table: &Table,
        row: usize,
        cells: &[String],
        problems: &mut Vec<ImportProblem>,
    ) -> BTreeMap<String, Answer> {
        let mut answers = BTreeMap::new();
        // Per select_multiple question: (choices flagged 1, choices with a 0/1 cell).
        let mut flags: BTreeMap<usize, (BTreeSet<usize>, BTreeSet<usize>)> = BTreeMap::new();
        let mut geo_parts: BTreeMap<usize, [Option<f64>; 4]> = BTreeMap::new();
        // Questions whose value was reported as invalid: not reported again as missing.
        let mut rejected: BTreeSet<usize> = BTreeSet::new();
        for (index, target) in self.targets.iter().enumerate() {
            let Some(target) = *target else { continue };
            let cell = cells[index].trim();
            if cell.is_empty() {
                continue;
            }
            let header = &table.header[index];
            match target {
                Target::Question(q) => {
                    let question = &form.questions[q];
                    match parse_answer(form, question, cell) {
                        Ok(answer) => {
                            answers.insert(question.path.clone(), answer);
                        }
                        Err(reason) => {
                            rejected.insert(q);
                            problems.push(problem(table, row, header, &reason));
                        }
                    }
                }
                Target::ChoiceFlag(q, choice) => match cell {
                    "1" | "1.0" | "TRUE" | "true" => {
                        let entry = flags.entry(q).or_default();
                        entry.0.insert(choice);
                        entry.1.insert(choice);
                    }
                    "0" | "0.0" | "FALSE" | "false" => {
                        flags.entry(q).or_default().1.insert(choice);
                    }
                    _ => {
                        rejected.insert(q);
                        problems.push(problem(table, row, header, "the value is not 1 or 0"));
                    }
                },
                Target::GeoPart(q, part) => match cell.parse::<f64>() {
                    Ok(value) if value.is_finite() => {
                        geo_parts.entry(q).or_default()[part] = Some(value)
                    }
                    _ => {
                        rejected.insert(q);
                        problems.push(problem(table, row, header, "the value is not a number"));
                    }
                },
            }
        }
        for (q, (chosen, with_cell)) in flags {
            if with_cell.is_empty() {
                continue;
            }
            let question = &form.questions[q];
            let choices = form.choices_of(question);
            let codes: Vec<String> = chosen.iter().map(|&c| choices[c].name.clone()).collect();
            match answers.get(&question.path) {
                Some(Answer::Choices(from_column)) => {
                    // ODK Central writes split columns only for the values its data has
                    // seen: compare over the choices that have one.
                    let covered: Vec<&String> = from_column
                        .iter()
                        .filter(|code| with_cell.iter().any(|&c| choices[c].name == **code))
                        .collect();
                    if covered.len() != codes.len()
                        || covered.iter().zip(&codes).any(|(a, b)| *a != b)
                    {
                        let reason = format!(
                            "the split 0/1 columns say {:?} but the column says {:?}; the column was kept",
                            codes.join(" "),
                            from_column.join(" ")
                        );
                        problems.push(problem(table, row, &question.path, &reason));
                    }
                }
                _ => {
                    answers.insert(question.path.clone(), Answer::Choices(codes));
                }
            }
        }
        for (q, parts) in geo_parts {
            let question = &form.questions[q];
            if answers.contains_key(&question.path) {
                continue;
            }
            if let [Some(latitude), Some(longitude), altitude, accuracy] = parts {
                match geopoint(
                    latitude,
                    longitude,
                    altitude.unwrap_or(0.0),
                    accuracy.unwrap_or(0.0),
                ) {
                    Ok(point) => {
                        answers.insert(question.path.clone(), Answer::Geopoint(point));
                    }
                    Err(reason) => problems.push(problem(table, row, &question.path, &reason)),
                }
            }
        }
        for &q in &self.required {
            let question = &form.questions[q];
            if !answers.contains_key(&question.path) && !rejected.contains(&q) {
                problems.push(problem(
                    table,
                    row,
                    &question.path,
                    "required answer is missing (the rest of the row was imported)",
                ));
            }
        }
        answers
    }
}

/// Whether a question is asked of everyone: no `relevant` on it or on a group around it.
/// (Relevance is not evaluated, so a required question that may be skipped is not checked.)
fn always_asked(form: &Form, question: &Question) -> bool {
    question.relevant.is_none()
        && form
            .groups
            .iter()
            .filter(|g| question.path.starts_with(&format!("{}/", g.path)))
            .all(|g| g.relevant.is_none())
}

/// Header text → target, for the questions in scope. Earlier candidates win: paths joined
/// with `/`, then with `-`, then bare names.
fn header_lookup(form: &Form, in_scope: &[usize]) -> HashMap<String, Target> {
    let mut lookup: HashMap<String, Target> = HashMap::new();
    let headers_of = |q: &Question, tier: usize| -> String {
        match tier {
            0 => q.path.clone(),
            1 => q.path.replace('/', "-"),
            _ => q.name.clone(),
        }
    };
    for tier in 0..3 {
        for &q in in_scope {
            let question = &form.questions[q];
            let base = headers_of(question, tier);
            lookup.entry(base.clone()).or_insert(Target::Question(q));
            if matches!(question.kind, QuestionKind::SelectMultiple(_)) {
                for (c, choice) in form.choices_of(question).iter().enumerate() {
                    for separator in ["/", "-"] {
                        lookup
                            .entry(format!("{base}{separator}{}", choice.name))
                            .or_insert(Target::ChoiceFlag(q, c));
                    }
                }
            }
            if question.kind == QuestionKind::Geopoint {
                for (part, (kobo, odk)) in [
                    ("latitude", "Latitude"),
                    ("longitude", "Longitude"),
                    ("altitude", "Altitude"),
                    ("precision", "Accuracy"),
                ]
                .into_iter()
                .enumerate()
                {
                    lookup
                        .entry(format!("_{base}_{kobo}"))
                        .or_insert(Target::GeoPart(q, part));
                    lookup
                        .entry(format!("{base}-{odk}"))
                        .or_insert(Target::GeoPart(q, part));
                }
            }
        }
    }
    lookup
}

fn geopoint(
    latitude: f64,
    longitude: f64,
    altitude: f64,
    accuracy: f64,
) -> Result<GeoPoint, String> {
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=180.0).contains(&longitude) {
        return Err("the point is outside latitude −90…90 or longitude −180…180".to_owned());
    }
    Ok(GeoPoint {
        latitude,
        longitude,
        altitude,
        accuracy,
    })
}

/// One cell as its question's answer, or why it is not one.
fn parse_answer(form: &Form, question: &Question, cell: &str) -> Result<Answer, String> {
    match &question.kind {
        QuestionKind::SelectOne(list) => {
            if form.choices_of(question).iter().any(|c| c.name == cell) {
                Ok(Answer::Choice(cell.to_owned()))
            } else {
                Err(format!(
                    "{:?} is not a choice of list {list:?}",
                    shown(cell)
                ))
            }
        }
        QuestionKind::SelectMultiple(list) => {
            let choices = form.choices_of(question);
            let mut chosen = BTreeSet::new();
            for code in cell.split_whitespace() {
                match choices.iter().position(|c| c.name == code) {
                    Some(index) => {
                        chosen.insert(index);
                    }
                    None => {
                        return Err(format!(
                            "{:?} is not a choice of list {list:?}",
                            shown(code)
                        ));
                    }
                }
            }
            Ok(Answer::Choices(
                chosen
                    .into_iter()
                    .map(|i| choices[i].name.clone())
                    .collect(),
            ))
        }
        QuestionKind::Integer => parse_integer(cell)
            .map(Answer::Integer)
            .ok_or_else(|| "the value is not an integer".to_owned()),
        QuestionKind::Decimal => match cell.parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(Answer::Decimal(value)),
            _ => Err("the value is not a decimal number".to_owned()),
        },
        QuestionKind::Date => {
            let date = cell.get(..10).unwrap_or(cell);
            if is_iso_date(date) {
                Ok(Answer::Date(date.to_owned()))
            } else {
                Err("the value is not a date (YYYY-MM-DD)".to_owned())
            }
        }
        QuestionKind::Geopoint => {
            let numbers: Result<Vec<f64>, _> =
                cell.split_whitespace().map(str::parse::<f64>).collect();
            match numbers.as_deref() {
                Ok([lat, lon, rest @ ..]) if rest.len() <= 2 => geopoint(
                    *lat,
                    *lon,
                    rest.first().copied().unwrap_or(0.0),
                    rest.get(1).copied().unwrap_or(0.0),
                ),
                _ => Err(
                    "the value is not a geopoint (latitude longitude [altitude accuracy])"
                        .to_owned(),
                ),
            }
            .map(Answer::Geopoint)
        }
        _ => Ok(Answer::Text(cell.to_owned())),
    }
}

/// A rejected code as shown in a problem: at most 40 characters, since a mistyped cell
/// may hold anything (problems of other kinds name row and column, not the value).
fn shown(value: &str) -> String {
    let mut chars = value.chars();
    let mut text: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        text.push('…');
    }
    text
}

/// An integer, also as a spreadsheet writes a whole number (`12.0`).
fn parse_integer(cell: &str) -> Option<i64> {
    cell.parse::<i64>().ok().or_else(|| {
        let value = cell.parse::<f64>().ok()?;
        (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
    })
}

fn is_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| text[range].bytes().all(|b| b.is_ascii_digit());
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let month: u32 = text[5..7].parse().unwrap_or(0);
    let day: u32 = text[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Responses of one survey, kept by id; a newer export is merged into them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SurveyData {
    /// Responses in the order they were first imported.
    pub responses: Vec<Response>,
}

/// What a merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSummary {
    /// Responses whose id was new.
    pub added: usize,
    /// Responses whose id was known and whose content changed (they were replaced).
    pub updated: usize,
    /// Responses whose id was known, unchanged.
    pub unchanged: usize,
}

impl SurveyData {
    /// Merges a newer export: new ids are appended, known ids with other content replace
    /// the stored response (in place), identical ones are left. Responses absent from the
    /// newer export are kept (exports are often filtered; deletions are not inferred).
    pub fn merge(&mut self, newer: Vec<Response>) -> MergeSummary {
        let mut position: HashMap<String, usize> = self
            .responses
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let mut summary = MergeSummary::default();
        for response in newer {
            match position.get(&response.id) {
                Some(&i) if self.responses[i] == response => summary.unchanged += 1,
                Some(&i) => {
                    self.responses[i] = response;
                    summary.updated += 1;
                }
                None => {
                    position.insert(response.id.clone(), self.responses.len());
                    self.responses.push(response);
                    summary.added += 1;
                }
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_integers_are_checked() {
        assert!(is_iso_date("2026-03-01"));
        assert!(!is_iso_date("2026-13-01"));
        assert!(!is_iso_date("01.03.2026"));
        assert_eq!(parse_integer("12.0"), Some(12));
        assert_eq!(parse_integer("12.5"), None);
        assert_eq!(strip_uuid(" uuid:abc "), "abc");
    }
}
