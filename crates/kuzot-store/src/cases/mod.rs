//! The case registry's storage (issue 10), behind one interface ([`CaseStore`]) with two
//! backends: [`SqliteCases`] (tables in `kuzot.db` of a data directory, SQLite migration
//! 0009) and [`PostgresCases`] (the same tables in the evidence database, PostgreSQL
//! migration 0004).
//!
//! The store never sees a person's name: it keeps sealed values (opaque bytes, sealed and
//! opened by `kuzot_cases::protect` with keys the database does not hold), blind-index
//! tokens, and the non-personal columns (ids, kinds, grades, statuses, event dates).
//! Merges of persons are rows of their own and never delete anything: undoing one restores
//! the persons as they were.

mod postgres;
mod sqlite;

use crate::{StoreError, StoreLocation};

pub use self::postgres::PostgresCases;
pub use self::sqlite::SqliteCases;

/// A data key as stored: wrapped by the key-encryption key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeyRow {
    /// The data key's id.
    pub key_id: String,
    /// The id (fingerprint) of the key-encryption key that wrapped it.
    pub wrapped_by: String,
    /// The wrapped key.
    pub wrapped: Vec<u8>,
}

/// A date known to the year, month or day, as the columns `year`, `month`, `day` hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredDate {
    /// The year.
    pub year: i64,
    /// The month, if known.
    pub month: Option<i64>,
    /// The day, if known.
    pub day: Option<i64>,
}

/// A person's row: sealed fields and the columns in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Row id (ignored when adding).
    pub id: i64,
    /// The random unique id that the sealed fields' AAD binds.
    pub uid: Vec<u8>,
    /// The data key the fields are sealed with.
    pub key_id: String,
    /// Sex, if known.
    pub sex: Option<String>,
    /// Citizenships (ISO 3166-1 alpha-2).
    pub citizenships: Vec<String>,
    /// Sealed: every spelling of the name with its source.
    pub names: Vec<u8>,
    /// Sealed: the birth date.
    pub birth: Vec<u8>,
    /// Sealed: the birthplace.
    pub birthplace: Vec<u8>,
    /// Sealed: the contacts.
    pub contacts: Vec<u8>,
    /// Sealed: the notes.
    pub notes: Vec<u8>,
    /// The person this one was merged into, if a merge stands (read only: set by
    /// [`CaseStore::merge_persons`]).
    pub merged_into: Option<i64>,
}

/// A person's blind-index tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlindTokens {
    /// Tokens of the usual name forms.
    pub usual: Vec<Vec<u8>>,
    /// Tokens of split readings.
    pub split: Vec<Vec<u8>>,
}

/// A source's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// Row id (ignored when adding).
    pub id: i64,
    /// The unique id the sealed reference binds.
    pub uid: Vec<u8>,
    /// The data key of the sealed reference.
    pub key_id: String,
    /// The kind of source.
    pub kind: String,
    /// The stored kuzot document, if the source is one.
    pub document_id: Option<i64>,
    /// Reliability, A–F.
    pub reliability: String,
    /// Credibility, 1–6.
    pub credibility: i64,
    /// Sealed: the URL, interview or spreadsheet row.
    pub reference: Vec<u8>,
}

/// An event's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// Row id (ignored when adding).
    pub id: i64,
    /// The unique id the sealed fields bind.
    pub uid: Vec<u8>,
    /// The data key of the sealed fields.
    pub key_id: String,
    /// The kind of event.
    pub kind: String,
    /// When.
    pub date: Option<StoredDate>,
    /// Sealed: where.
    pub place: Vec<u8>,
    /// Sealed: the details.
    pub details: Vec<u8>,
    /// The sources that report it.
    pub sources: Vec<i64>,
}

/// An involvement's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvolvementRow {
    /// Row id (ignored when adding).
    pub id: i64,
    /// The unique id the sealed organisation binds.
    pub uid: Vec<u8>,
    /// The data key of the sealed organisation.
    pub key_id: String,
    /// The event (ignored when adding with the event).
    pub event_id: i64,
    /// The person, when a person of the registry took part.
    pub person_id: Option<i64>,
    /// Sealed: the organisation's name when an organisation took part.
    pub organisation: Vec<u8>,
    /// The role.
    pub role: String,
}

/// An intervention's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionRow {
    /// Row id (ignored when adding).
    pub id: i64,
    /// The unique id the sealed fields bind.
    pub uid: Vec<u8>,
    /// The data key of the sealed fields.
    pub key_id: String,
    /// The person it is for.
    pub person_id: i64,
    /// The kind.
    pub kind: String,
    /// When.
    pub date: Option<StoredDate>,
    /// Where it stands.
    pub status: String,
    /// Sealed: to whom.
    pub addressee: Vec<u8>,
    /// Sealed: notes.
    pub notes: Vec<u8>,
}

/// A merge decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRow {
    /// Row id.
    pub id: i64,
    /// The person kept.
    pub kept_id: i64,
    /// The person merged into it.
    pub merged_id: i64,
    /// Who decided.
    pub decided_by: String,
    /// When (RFC 3339).
    pub decided_at: String,
    /// Who undid it, if undone.
    pub undone_by: Option<String>,
    /// When undone.
    pub undone_at: Option<String>,
}

/// The case registry's tables, on either backend. Every method is one transaction.
pub trait CaseStore: Send + Sync {
    /// Where the registry is (a path or a URL without its password), for messages.
    fn location(&self) -> String;

    /// The stored data keys, oldest first.
    fn data_keys(&self) -> Result<Vec<DataKeyRow>, StoreError>;

    /// Stores a new data key.
    fn add_data_key(&self, key: &DataKeyRow) -> Result<(), StoreError>;

    /// Adds persons with their tokens in one transaction; their new ids in order.
    fn add_persons(&self, persons: &[(PersonRow, BlindTokens)]) -> Result<Vec<i64>, StoreError>;

    /// Replaces a person's sealed fields, clear columns and tokens (`person.id` says which;
    /// its `uid` must be the stored one, which the sealing bound).
    fn replace_person(&self, person: &PersonRow, tokens: &BlindTokens) -> Result<(), StoreError>;

    /// The persons with these ids that exist, in id order.
    fn persons(&self, ids: &[i64]) -> Result<Vec<PersonRow>, StoreError>;

    /// Up to `limit` persons with ids above `after`, in id order (merged ones included).
    fn list_persons(&self, after: i64, limit: u32) -> Result<Vec<PersonRow>, StoreError>;

    /// How many persons are stored (merged ones included).
    fn person_count(&self) -> Result<u64, StoreError>;

    /// How many persons each of these tokens (of the usual or split kind) is posted for;
    /// tokens without a posting are left out.
    fn token_counts(
        &self,
        tokens: &[Vec<u8>],
        split: bool,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError>;

    /// The persons posted under any of these tokens, sorted, without repeats.
    fn token_postings(&self, tokens: &[Vec<u8>], split: bool) -> Result<Vec<i64>, StoreError>;

    /// Adds a source; its id.
    fn add_source(&self, source: &SourceRow) -> Result<i64, StoreError>;

    /// The sources with these ids, in id order.
    fn sources(&self, ids: &[i64]) -> Result<Vec<SourceRow>, StoreError>;

    /// Adds an event with its involvements and source links; the event's id.
    fn add_event(
        &self,
        event: &EventRow,
        involvements: &[InvolvementRow],
    ) -> Result<i64, StoreError>;

    /// The events any of these persons is involved in, each with all its involvements,
    /// in event id order.
    fn events_of(
        &self,
        person_ids: &[i64],
    ) -> Result<Vec<(EventRow, Vec<InvolvementRow>)>, StoreError>;

    /// Adds an intervention; its id.
    fn add_intervention(&self, intervention: &InterventionRow) -> Result<i64, StoreError>;

    /// The interventions for any of these persons, in id order.
    fn interventions_of(&self, person_ids: &[i64]) -> Result<Vec<InterventionRow>, StoreError>;

    /// Records that `merged` is the same person as `kept`, by a caseworker's decision.
    /// Refused when either is missing or already merged into someone, or they are one.
    fn merge_persons(&self, kept: i64, merged: i64, decided_by: &str) -> Result<i64, StoreError>;

    /// Undoes a standing merge: the merged person stands alone again. The merge row stays,
    /// marked undone.
    fn unmerge(&self, merge_id: i64, undone_by: &str) -> Result<MergeRow, StoreError>;

    /// The merges (standing and undone) that concern a person, in id order.
    fn merges_of(&self, person_id: i64) -> Result<Vec<MergeRow>, StoreError>;
}

/// Opens the case registry's tables at `location` (migrating the store first).
pub fn open_cases(location: &StoreLocation) -> Result<Box<dyn CaseStore>, StoreError> {
    Ok(match location {
        StoreLocation::Sqlite(dir) => Box::new(SqliteCases::open(dir)?),
        StoreLocation::Postgres(url) => Box::new(PostgresCases::connect(url)?),
    })
}

/// Why a merge is refused, checked the same way on both backends.
fn merge_refusal(
    kept: i64,
    merged: i64,
    kept_row: Option<Option<i64>>,
    merged_row: Option<Option<i64>>,
) -> Option<StoreError> {
    if kept == merged {
        return Some(StoreError::Refused(format!(
            "person {kept} cannot be merged into itself"
        )));
    }
    for (id, row) in [(kept, kept_row), (merged, merged_row)] {
        match row {
            None => return Some(StoreError::NotFound(format!("person {id}"))),
            Some(Some(into)) => {
                return Some(StoreError::Refused(format!(
                    "person {id} is already merged into person {into}; undo that merge first"
                )));
            }
            Some(None) => {}
        }
    }
    None
}

fn now() -> String {
    crate::rows::rfc3339(time::OffsetDateTime::now_utc())
}
