//! Field research for kuzot: questionnaires, their responses and honest estimates.
//!
//! - [`xlsform`]: read an XLSForm questionnaire (`survey`, `choices`, `settings`; groups,
//!   repeats, labels per language), with every syntax error named by sheet, row and reason.
//! - [`responses`]: import KoboToolbox and ODK Central exports (CSV or XLSX, repeat groups
//!   as linked sheets), matched to the form; what does not match is listed and the rest
//!   imported; a newer export merges by submission id.
//! - [`estimate`]: frequency tables and cross-tabs with bases, 95% intervals
//!   ([`intervals`]), tests of association and effect sizes ([`association`]), weights and
//!   suppression of small cells for publication.
//!
//! Every type is plain data with serde, so that a later step can store it.

pub mod association;
pub mod estimate;
pub mod intervals;
pub mod responses;
pub mod table;
pub mod xlsform;

pub use association::{EffectSize, TestMethod, TestResult, fisher_exact_2x2, test_association};
pub use estimate::{
    Base, Cell, CrossRow, CrossTab, EstimateError, FrequencyRow, FrequencyTable, RowKind,
    TableOptions, cross_tab, frequency_table,
};
pub use intervals::{Interval, IntervalMethod, clopper_pearson, proportion_interval, wilson};
pub use responses::{
    Answer, GeoPoint, Import, ImportError, ImportOptions, ImportProblem, MergeSummary, Response,
    SurveyData, import_file, import_tables,
};
pub use table::{Table, TableError, TableRow, read_csv, read_xlsx};
pub use xlsform::{Choice, Form, FormError, FormErrors, Group, Labels, Question, QuestionKind};
