//! The case registry's use cases (issue 10): add and update persons with their names,
//! events, sources and interventions; find persons by name across spellings; show a
//! person's case; merge and unmerge persons; import persons from a CSV file.
//!
//! [`CaseRegistry`] joins the store (sealed bytes and blind-index tokens, see
//! [`kuzot_store::cases`]) with the keys ([`kuzot_cases::protect`]): everything personal
//! is sealed here before it reaches the store, and opened here after it leaves it. A
//! search by name keys the query's name forms, asks the store for the persons posted under
//! those tokens, opens only those, and scores them with the name matcher.
//!
//! Nothing here logs personal data: errors name rows, columns and ids, never a name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use kuzot_cases::name_match::{
    MatchSuggestion, MatcherConfig, PartialDate, PersonRecord, SPLIT_MAX_BLOCK, compare, prepare,
};
use kuzot_cases::protect::{
    FieldRef, KeyEncryptionKey, NameTokens, ProtectError, Vault, WrappedDataKey, new_row_uid,
};
use kuzot_cases::registry::{
    CaseEventKind, Contact, ContactKind, Credibility, Event, EventDetails, Intervention,
    InterventionKind, InterventionStatus, Involvement, InvolvementRole, NameSpelling, Party,
    Person, Place, Reliability, RowId, Sex, Source, SourceKind, parse_partial_date,
};
use kuzot_store::StoreError;
use kuzot_store::cases::{
    BlindTokens, CaseStore, DataKeyRow, EventRow, InterventionRow, InvolvementRow, MergeRow,
    PersonRow, SourceRow, StoredDate,
};

/// What a use case of the registry could not do.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// A key or a sealed value.
    #[error(transparent)]
    Protect(#[from] ProtectError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value given by the caller cannot be stored.
    #[error("{0}")]
    Invalid(String),
    /// A file to import cannot be read at all.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

const PERSONS: &str = "case_persons";
const SOURCES: &str = "case_sources";
const EVENTS: &str = "case_events";
const INVOLVEMENTS: &str = "case_involvements";
const INTERVENTIONS: &str = "case_interventions";

/// The sealed fields of a person that a search by name opens for each candidate.
pub const MATCHING_FIELDS: [&str; 3] = ["names", "birth", "birthplace"];

/// The most spellings, contacts or characters a person's fields may hold: a bound on what
/// one import row or request can make the registry seal and index.
const MAX_NAMES: usize = 32;
const MAX_FIELD_CHARS: usize = 20_000;

/// A person as stored, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPerson {
    /// The person's id.
    pub id: RowId,
    /// The person.
    pub person: Person,
    /// The person this one was merged into, while that merge stands.
    pub merged_into: Option<RowId>,
}

/// An event as stored, opened, with who took part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event's id.
    pub id: RowId,
    /// The event.
    pub event: Event,
    /// Who took part, in what role.
    pub involvements: Vec<Involvement>,
}

/// A person's case: the person, those merged into them, the timeline, the sources and the
/// interventions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    /// The person shown.
    pub person: StoredPerson,
    /// The persons merged into this one (their names and events belong to the case).
    pub merged: Vec<StoredPerson>,
    /// The events of the person and of those merged into them, by date.
    pub events: Vec<StoredEvent>,
    /// The sources cited by the names and events.
    pub sources: Vec<(RowId, Source)>,
    /// The interventions for the person and those merged into them.
    pub interventions: Vec<(RowId, Intervention)>,
    /// The merges that concern the person, standing and undone.
    pub merges: Vec<MergeRow>,
}

/// A person found by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The person (after merges: the person kept).
    pub id: RowId,
    /// Every spelling of the person's name.
    pub names: Vec<String>,
    /// The birth date, if known.
    pub birth: Option<PartialDate>,
    /// The matcher's score and reasons.
    pub suggestion: MatchSuggestion,
}

/// The registry: the store with its keys opened.
pub struct CaseRegistry {
    store: Box<dyn CaseStore>,
    vault: Vault,
    config: MatcherConfig,
}

impl std::fmt::Debug for CaseRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseRegistry")
            .field("store", &self.store.location())
            .field("vault", &self.vault)
            .finish()
    }
}

fn to_stored(date: Option<PartialDate>) -> Option<StoredDate> {
    date.map(|d| StoredDate {
        year: i64::from(d.year),
        month: d.month.map(i64::from),
        day: d.day.map(i64::from),
    })
}

/// The stored date; a part out of its range (only a damaged row has one) is unknown.
fn from_stored(date: Option<StoredDate>) -> Option<PartialDate> {
    let d = date?;
    Some(PartialDate {
        year: i32::try_from(d.year).ok()?,
        month: d.month.and_then(|m| u8::try_from(m).ok()),
        day: d.day.and_then(|d| u8::try_from(d).ok()),
    })
}

fn tokens_for_store(tokens: NameTokens) -> BlindTokens {
    BlindTokens {
        usual: tokens.usual.iter().map(|t| t.to_vec()).collect(),
        split: tokens.split.iter().map(|t| t.to_vec()).collect(),
    }
}

fn check_person(person: &Person) -> Result<(), CaseError> {
    let names = person
        .names
        .iter()
        .filter(|n| !n.name.trim().is_empty())
        .count();
    if names == 0 {
        return Err(CaseError::Invalid(
            "a person needs at least one name".into(),
        ));
    }
    if person.names.len() > MAX_NAMES || person.contacts.len() > MAX_NAMES {
        return Err(CaseError::Invalid(format!(
            "a person holds at most {MAX_NAMES} names and {MAX_NAMES} contacts"
        )));
    }
    if person.notes.chars().count() > MAX_FIELD_CHARS {
        return Err(CaseError::Invalid(format!(
            "notes are at most {MAX_FIELD_CHARS} characters"
        )));
    }
    for code in &person.citizenships {
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(CaseError::Invalid(format!(
                "citizenship {:?} is not a two-letter ISO 3166 code such as KG or RU",
                code.chars().take(10).collect::<String>()
            )));
        }
    }
    Ok(())
}

impl CaseRegistry {
    /// Opens the registry in `store` with the key-encryption key `kek`. A registry without
    /// data keys gets its first; a key that does not open the stored data keys is refused
    /// before anything is read or written.
    pub fn open(
        store: Box<dyn CaseStore>,
        kek: &KeyEncryptionKey,
    ) -> Result<CaseRegistry, CaseError> {
        let stored: Vec<WrappedDataKey> = store
            .data_keys()?
            .into_iter()
            .map(|k| WrappedDataKey {
                key_id: k.key_id,
                wrapped_by: k.wrapped_by,
                wrapped: k.wrapped,
            })
            .collect();
        let (vault, created) = Vault::unlock(kek, &stored)?;
        if let Some(key) = created {
            store.add_data_key(&DataKeyRow {
                key_id: key.key_id,
                wrapped_by: key.wrapped_by,
                wrapped: key.wrapped,
            })?;
        }
        Ok(CaseRegistry {
            store,
            vault,
            config: MatcherConfig::default(),
        })
    }

    /// The store underneath (for counts and merges listings).
    pub fn store(&self) -> &dyn CaseStore {
        self.store.as_ref()
    }

    /// The opened keys (for the benchmark of their cost).
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    fn at<'a>(table: &'a str, uid: &'a [u8], field: &'a str) -> FieldRef<'a> {
        FieldRef { table, uid, field }
    }

    /// The person's row, sealed, with its tokens, for the row `uid`.
    fn seal_person(
        &self,
        id: RowId,
        uid: &[u8],
        person: &Person,
    ) -> Result<(PersonRow, BlindTokens), CaseError> {
        check_person(person)?;
        let names: Vec<NameSpelling> = person
            .names
            .iter()
            .filter(|n| !n.name.trim().is_empty())
            .cloned()
            .collect();
        let v = &self.vault;
        let row = PersonRow {
            id,
            uid: uid.to_vec(),
            key_id: v.current_key_id().to_owned(),
            sex: person.sex.map(|s| s.as_str().to_owned()),
            citizenships: person.citizenships.clone(),
            names: v.seal_json(Self::at(PERSONS, uid, "names"), &names)?,
            birth: v.seal_json(Self::at(PERSONS, uid, "birth"), &person.birth)?,
            birthplace: v.seal_json(Self::at(PERSONS, uid, "birthplace"), &person.birthplace)?,
            contacts: v.seal_json(Self::at(PERSONS, uid, "contacts"), &person.contacts)?,
            notes: v.seal_json(Self::at(PERSONS, uid, "notes"), &person.notes)?,
            merged_into: None,
        };
        let spellings: Vec<String> = names.into_iter().map(|n| n.name).collect();
        Ok((row, tokens_for_store(self.vault.name_tokens(&spellings))))
    }

    fn open_person(&self, row: &PersonRow) -> Result<StoredPerson, CaseError> {
        let v = &self.vault;
        let (key, uid) = (row.key_id.as_str(), row.uid.as_slice());
        let person = Person {
            names: v.open_json(key, Self::at(PERSONS, uid, "names"), &row.names)?,
            sex: row.sex.as_deref().and_then(Sex::parse),
            birth: v.open_json(key, Self::at(PERSONS, uid, "birth"), &row.birth)?,
            birthplace: v.open_json(key, Self::at(PERSONS, uid, "birthplace"), &row.birthplace)?,
            citizenships: row.citizenships.clone(),
            contacts: v.open_json(key, Self::at(PERSONS, uid, "contacts"), &row.contacts)?,
            notes: v.open_json(key, Self::at(PERSONS, uid, "notes"), &row.notes)?,
        };
        Ok(StoredPerson {
            id: row.id,
            person,
            merged_into: row.merged_into,
        })
    }

    /// The fields of a person's row that the matcher compares, opened; the others
    /// (contacts, notes) stay sealed: a search opens no more than it scores.
    fn open_for_matching(&self, row: &PersonRow) -> Result<StoredPerson, CaseError> {
        let v = &self.vault;
        let (key, uid) = (row.key_id.as_str(), row.uid.as_slice());
        let [names, birth, birthplace] = MATCHING_FIELDS;
        let person = Person {
            names: v.open_json(key, Self::at(PERSONS, uid, names), &row.names)?,
            birth: v.open_json(key, Self::at(PERSONS, uid, birth), &row.birth)?,
            birthplace: v.open_json(key, Self::at(PERSONS, uid, birthplace), &row.birthplace)?,
            ..Person::default()
        };
        Ok(StoredPerson {
            id: row.id,
            person,
            merged_into: row.merged_into,
        })
    }

    /// Adds a person; their id.
    pub fn add_person(&self, person: &Person) -> Result<RowId, CaseError> {
        Ok(self.add_persons(std::slice::from_ref(person))?[0])
    }

    /// Adds persons in one transaction; their ids in order.
    pub fn add_persons(&self, persons: &[Person]) -> Result<Vec<RowId>, CaseError> {
        let rows = persons
            .iter()
            .map(|p| self.seal_person(0, &new_row_uid()?, p))
            .collect::<Result<Vec<_>, CaseError>>()?;
        let ids = self.store.add_persons(&rows)?;
        if ids.len() != persons.len() {
            return Err(CaseError::Store(StoreError::Corrupt(format!(
                "{} persons added, {} ids returned",
                persons.len(),
                ids.len()
            ))));
        }
        Ok(ids)
    }

    /// Replaces what is known of person `id` (names, birth, places, contacts, notes).
    pub fn update_person(&self, id: RowId, person: &Person) -> Result<(), CaseError> {
        let stored = self
            .store
            .persons(&[id])?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("person {id}")))?;
        let (row, tokens) = self.seal_person(id, &stored.uid, person)?;
        self.store.replace_person(&row, &tokens)?;
        Ok(())
    }

    /// The person `id`, opened; `None` if there is none.
    pub fn person(&self, id: RowId) -> Result<Option<StoredPerson>, CaseError> {
        self.store
            .persons(&[id])?
            .first()
            .map(|row| self.open_person(row))
            .transpose()
    }

    /// Persons by id order, after `after`, at most `limit`, opened.
    pub fn list(&self, after: RowId, limit: u32) -> Result<Vec<StoredPerson>, CaseError> {
        self.store
            .list_persons(after, limit)?
            .iter()
            .map(|row| self.open_person(row))
            .collect()
    }

    /// Adds a source; its id.
    pub fn add_source(&self, source: &Source) -> Result<RowId, CaseError> {
        let uid = new_row_uid()?;
        let row = SourceRow {
            id: 0,
            uid: uid.to_vec(),
            key_id: self.vault.current_key_id().to_owned(),
            kind: source.kind.as_str().to_owned(),
            document_id: source.document_id,
            reliability: source.reliability.letter().to_string(),
            credibility: i64::from(source.credibility.grade()),
            reference: self
                .vault
                .seal_json(Self::at(SOURCES, &uid, "reference"), &source.reference)?,
        };
        Ok(self.store.add_source(&row)?)
    }

    fn open_source(&self, row: &SourceRow) -> Result<Source, CaseError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("source {}: {what}", row.id));
        Ok(Source {
            kind: SourceKind::parse(&row.kind).ok_or_else(|| corrupt("unknown kind"))?,
            document_id: row.document_id,
            reference: self.vault.open_json(
                &row.key_id,
                Self::at(SOURCES, &row.uid, "reference"),
                &row.reference,
            )?,
            reliability: Reliability::parse(&row.reliability)
                .ok_or_else(|| corrupt("unknown reliability"))?,
            credibility: u8::try_from(row.credibility)
                .ok()
                .and_then(Credibility::new)
                .ok_or_else(|| corrupt("credibility outside 1–6"))?,
        })
    }

    /// Adds an event with those who took part; its id.
    pub fn add_event(
        &self,
        event: &Event,
        involvements: &[Involvement],
    ) -> Result<RowId, CaseError> {
        let uid = new_row_uid()?;
        let key_id = self.vault.current_key_id().to_owned();
        let row = EventRow {
            id: 0,
            uid: uid.to_vec(),
            key_id: key_id.clone(),
            kind: event.kind.as_str().to_owned(),
            date: to_stored(event.date),
            place: self
                .vault
                .seal_json(Self::at(EVENTS, &uid, "place"), &event.place)?,
            details: self
                .vault
                .seal_json(Self::at(EVENTS, &uid, "details"), &event.details)?,
            sources: event.sources.clone(),
        };
        let rows = involvements
            .iter()
            .map(|i| {
                let uid = new_row_uid()?;
                let (person_id, organisation) = match &i.party {
                    Party::Person(id) => (Some(*id), String::new()),
                    Party::Organisation(name) => (None, name.clone()),
                };
                Ok(InvolvementRow {
                    id: 0,
                    uid: uid.to_vec(),
                    key_id: key_id.clone(),
                    event_id: 0,
                    person_id,
                    organisation: self
                        .vault
                        .seal_json(Self::at(INVOLVEMENTS, &uid, "organisation"), &organisation)?,
                    role: i.role.as_str().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, CaseError>>()?;
        Ok(self.store.add_event(&row, &rows)?)
    }

    /// Adds an intervention for person `person`; its id.
    pub fn add_intervention(
        &self,
        person: RowId,
        intervention: &Intervention,
    ) -> Result<RowId, CaseError> {
        let uid = new_row_uid()?;
        let row = InterventionRow {
            id: 0,
            uid: uid.to_vec(),
            key_id: self.vault.current_key_id().to_owned(),
            person_id: person,
            kind: intervention.kind.as_str().to_owned(),
            date: to_stored(intervention.date),
            status: intervention.status.as_str().to_owned(),
            addressee: self.vault.seal_json(
                Self::at(INTERVENTIONS, &uid, "addressee"),
                &intervention.addressee,
            )?,
            notes: self
                .vault
                .seal_json(Self::at(INTERVENTIONS, &uid, "notes"), &intervention.notes)?,
        };
        Ok(self.store.add_intervention(&row)?)
    }

    fn open_event(
        &self,
        row: &EventRow,
        involvements: &[InvolvementRow],
    ) -> Result<StoredEvent, CaseError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("event {}: {what}", row.id));
        let event = Event {
            kind: CaseEventKind::parse(&row.kind).ok_or_else(|| corrupt("unknown kind"))?,
            date: from_stored(row.date),
            place: self.vault.open_json(
                &row.key_id,
                Self::at(EVENTS, &row.uid, "place"),
                &row.place,
            )?,
            details: self.vault.open_json(
                &row.key_id,
                Self::at(EVENTS, &row.uid, "details"),
                &row.details,
            )?,
            sources: row.sources.clone(),
        };
        let involvements = involvements
            .iter()
            .map(|i| {
                let party = match i.person_id {
                    Some(id) => Party::Person(id),
                    None => Party::Organisation(self.vault.open_json(
                        &i.key_id,
                        Self::at(INVOLVEMENTS, &i.uid, "organisation"),
                        &i.organisation,
                    )?),
                };
                Ok(Involvement {
                    party,
                    role: InvolvementRole::parse(&i.role)
                        .ok_or_else(|| corrupt("unknown involvement role"))?,
                })
            })
            .collect::<Result<Vec<_>, CaseError>>()?;
        Ok(StoredEvent {
            id: row.id,
            event,
            involvements,
        })
    }

    /// The person kept for `id` after the merges that stand (`id` itself if none).
    fn kept_person(&self, id: RowId) -> Result<RowId, CaseError> {
        let mut current = id;
        let mut seen = BTreeSet::new();
        while seen.insert(current) {
            match self.store.persons(&[current])?.first() {
                Some(PersonRow {
                    merged_into: Some(into),
                    ..
                }) => current = *into,
                _ => return Ok(current),
            }
        }
        Err(CaseError::Store(StoreError::Corrupt(format!(
            "person {id}: the merges form a loop"
        ))))
    }

    /// The persons merged into `id`, directly or through others.
    fn merged_into(&self, id: RowId) -> Result<Vec<RowId>, CaseError> {
        let mut found = Vec::new();
        let mut queue = vec![id];
        let mut seen = BTreeSet::from([id]);
        while let Some(person) = queue.pop() {
            for merge in self.store.merges_of(person)? {
                if merge.kept_id == person
                    && merge.undone_at.is_none()
                    && seen.insert(merge.merged_id)
                {
                    found.push(merge.merged_id);
                    queue.push(merge.merged_id);
                }
            }
        }
        found.sort_unstable();
        Ok(found)
    }

    /// Person `id`'s case; `None` if there is no such person. A person merged into another
    /// is shown as they are, with `merged_into` naming the person kept.
    pub fn show(&self, id: RowId) -> Result<Option<CaseFile>, CaseError> {
        let Some(person) = self.person(id)? else {
            return Ok(None);
        };
        let merged_ids = self.merged_into(id)?;
        let merged = self
            .store
            .persons(&merged_ids)?
            .iter()
            .map(|row| self.open_person(row))
            .collect::<Result<Vec<_>, _>>()?;
        let mut everyone = merged_ids.clone();
        everyone.push(id);
        let mut events = self
            .store
            .events_of(&everyone)?
            .iter()
            .map(|(row, involvements)| self.open_event(row, involvements))
            .collect::<Result<Vec<_>, _>>()?;
        // Undated events last; otherwise by date, then in the order recorded.
        events.sort_by_key(|e| {
            (
                e.event.date.is_none(),
                e.event.date.map(|d| (d.year, d.month, d.day)),
                e.id,
            )
        });
        let mut source_ids: Vec<RowId> = events
            .iter()
            .flat_map(|e| e.event.sources.clone())
            .collect();
        for p in std::iter::once(&person).chain(&merged) {
            source_ids.extend(p.person.names.iter().filter_map(|n| n.source));
        }
        let sources = self
            .store
            .sources(&source_ids)?
            .iter()
            .map(|row| Ok((row.id, self.open_source(row)?)))
            .collect::<Result<Vec<_>, CaseError>>()?;
        let interventions = self
            .store
            .interventions_of(&everyone)?
            .iter()
            .map(|row| Ok((row.id, self.open_intervention(row)?)))
            .collect::<Result<Vec<_>, CaseError>>()?;
        let merges = self.store.merges_of(id)?;
        Ok(Some(CaseFile {
            person,
            merged,
            events,
            sources,
            interventions,
            merges,
        }))
    }

    fn open_intervention(&self, row: &InterventionRow) -> Result<Intervention, CaseError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("intervention {}: {what}", row.id));
        Ok(Intervention {
            kind: InterventionKind::parse(&row.kind).ok_or_else(|| corrupt("unknown kind"))?,
            date: from_stored(row.date),
            addressee: self.vault.open_json(
                &row.key_id,
                Self::at(INTERVENTIONS, &row.uid, "addressee"),
                &row.addressee,
            )?,
            status: InterventionStatus::parse(&row.status)
                .ok_or_else(|| corrupt("unknown status"))?,
            notes: self.vault.open_json(
                &row.key_id,
                Self::at(INTERVENTIONS, &row.uid, "notes"),
                &row.notes,
            )?,
        })
    }

    /// The persons whose blind-index tokens meet those of `name`, as the matcher's
    /// [`kuzot_cases::name_match::PersonIndex`] blocks: usual forms shared by at most
    /// `max_block` persons (the rarest when none is), and split readings only in narrow
    /// blocks. Sorted, without repeats.
    pub fn candidate_ids(&self, name: &str) -> Result<Vec<RowId>, CaseError> {
        let tokens = tokens_for_store(self.vault.name_tokens(&[name.to_owned()]));
        let max_block = self.config.max_block as u64;
        let narrow = SPLIT_MAX_BLOCK as u64;
        let counts = self.store.token_counts(&tokens.usual, false)?;
        let mut chosen: Vec<Vec<u8>> = counts
            .iter()
            .filter(|(_, n)| *n <= max_block)
            .map(|(t, _)| t.clone())
            .collect();
        if chosen.is_empty()
            && let Some((rarest, _)) = counts.iter().min_by_key(|(_, n)| *n)
        {
            chosen.push(rarest.clone());
        }
        let mut ids = self.store.token_postings(&chosen, false)?;
        // A split reading of the query meets the others' usual forms, and the query's usual
        // forms meet the others' split readings, only where few persons share them.
        let split_meets_usual: Vec<Vec<u8>> = self
            .store
            .token_counts(&tokens.split, false)?
            .into_iter()
            .filter(|(_, n)| *n <= narrow)
            .map(|(t, _)| t)
            .collect();
        ids.extend(self.store.token_postings(&split_meets_usual, false)?);
        let usual_meets_split: Vec<Vec<u8>> = self
            .store
            .token_counts(&tokens.usual, true)?
            .into_iter()
            .filter(|(_, n)| *n <= narrow)
            .map(|(t, _)| t)
            .collect();
        ids.extend(self.store.token_postings(&usual_meets_split, true)?);
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// The persons who may be the one named `name`, best first, at most `limit`: the
    /// candidates of the blind index, opened and scored by the name matcher. A person
    /// merged into another is found as the person kept.
    pub fn find_by_name(&self, name: &str, limit: usize) -> Result<Vec<Candidate>, CaseError> {
        let ids = self.candidate_ids(name)?;
        let query = prepare(PersonRecord {
            names: vec![name.to_owned()],
            ..PersonRecord::default()
        });
        let mut best: BTreeMap<RowId, Candidate> = BTreeMap::new();
        for row in self.store.persons(&ids)? {
            let stored = self.open_for_matching(&row)?;
            let record = stored.person.match_record(stored.id, &[]);
            let suggestion = compare(&query, &prepare(record));
            if suggestion.name_similarity < self.config.min_name_similarity {
                continue;
            }
            let kept = match stored.merged_into {
                Some(_) => self.kept_person(stored.id)?,
                None => stored.id,
            };
            let better = best
                .get(&kept)
                .is_none_or(|known| known.suggestion.score < suggestion.score);
            if better {
                best.insert(
                    kept,
                    Candidate {
                        id: kept,
                        names: stored.person.names.iter().map(|n| n.name.clone()).collect(),
                        birth: stored.person.birth,
                        suggestion,
                    },
                );
            }
        }
        // A merged person's names stand for the person kept: show the kept person's.
        for candidate in best.values_mut() {
            if let Some(kept) = self.person(candidate.id)? {
                candidate.names = kept.person.names.iter().map(|n| n.name.clone()).collect();
                candidate.birth = kept.person.birth;
            }
        }
        let mut found: Vec<Candidate> = best.into_values().collect();
        found.sort_by(|a, b| {
            b.suggestion
                .score
                .total_cmp(&a.suggestion.score)
                .then(a.id.cmp(&b.id))
        });
        found.truncate(limit);
        Ok(found)
    }

    /// Records a caseworker's decision that `merged` is the person `kept`; the merge's id.
    pub fn merge(&self, kept: RowId, merged: RowId, decided_by: &str) -> Result<i64, CaseError> {
        Ok(self.store.merge_persons(kept, merged, decided_by)?)
    }

    /// Undoes merge `merge_id`.
    pub fn unmerge(&self, merge_id: i64, undone_by: &str) -> Result<MergeRow, CaseError> {
        Ok(self.store.unmerge(merge_id, undone_by)?)
    }
}

/// What a spreadsheet column holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImportField {
    /// A spelling of the name (several columns may hold names).
    Name,
    /// Sex.
    Sex,
    /// Birth date (year, month or day).
    Birth,
    /// Country of origin.
    Country,
    /// Region of origin.
    Region,
    /// District of origin.
    District,
    /// Village or town of origin.
    Locality,
    /// Citizenships, as ISO codes separated by commas or semicolons.
    Citizenship,
    /// A phone number.
    Phone,
    /// A postal or home address.
    Address,
    /// Notes.
    Notes,
    /// The URL that reported the person (the row's source; otherwise the file's row).
    SourceUrl,
    /// The date of an event of this kind.
    EventDate(CaseEventKind),
    /// The place of an event of this kind.
    EventPlace(CaseEventKind),
    /// The colony of a conviction.
    Colony,
}

impl ImportField {
    /// Parses a field name: `name`, `sex`, `birth`, `country`, `region`, `district`,
    /// `locality`, `citizenship`, `phone`, `address`, `notes`, `source_url`, `colony`, or
    /// `KIND_date` / `KIND_place` for an event kind (`death_date`, `detention_place`).
    pub fn parse(text: &str) -> Option<ImportField> {
        let text = text.trim().to_lowercase();
        Some(match text.as_str() {
            "name" => ImportField::Name,
            "sex" => ImportField::Sex,
            "birth" | "birth_date" => ImportField::Birth,
            "country" => ImportField::Country,
            "region" => ImportField::Region,
            "district" => ImportField::District,
            "locality" | "village" => ImportField::Locality,
            "citizenship" => ImportField::Citizenship,
            "phone" => ImportField::Phone,
            "address" => ImportField::Address,
            "notes" => ImportField::Notes,
            "source_url" => ImportField::SourceUrl,
            "colony" => ImportField::Colony,
            other => {
                if let Some(kind) = other.strip_suffix("_date").and_then(CaseEventKind::parse) {
                    ImportField::EventDate(kind)
                } else if let Some(kind) =
                    other.strip_suffix("_place").and_then(CaseEventKind::parse)
                {
                    ImportField::EventPlace(kind)
                } else {
                    return None;
                }
            }
        })
    }
}

/// Which column holds which field: from `column=field` pairs, and headers that are
/// themselves field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    explicit: Vec<(String, ImportField)>,
}

impl ColumnMapping {
    /// Reads `column=field` pairs (as given to `--map`).
    pub fn parse(pairs: &[String]) -> Result<ColumnMapping, CaseError> {
        let mut explicit = Vec::new();
        for pair in pairs {
            let (column, field) = pair.rsplit_once('=').ok_or_else(|| {
                CaseError::Invalid(format!("--map {pair:?}: write COLUMN=FIELD, e.g. ФИО=name"))
            })?;
            let field = ImportField::parse(field).ok_or_else(|| {
                CaseError::Invalid(format!(
                    "--map {pair:?}: {field:?} is not a field (name, sex, birth, country, region, \
                     district, locality, citizenship, phone, address, notes, source_url, colony, \
                     or KIND_date / KIND_place with KIND one of {})",
                    CaseEventKind::ALL.map(|k| k.as_str()).join(", ")
                ))
            })?;
            explicit.push((column.trim().to_owned(), field));
        }
        Ok(ColumnMapping { explicit })
    }

    /// The field of each header column (`None`: not imported), and the mapped columns the
    /// header lacks.
    fn resolve(&self, header: &[String]) -> (Vec<Option<ImportField>>, Vec<String>) {
        let mut fields: Vec<Option<ImportField>> =
            header.iter().map(|h| ImportField::parse(h)).collect();
        let mut missing = Vec::new();
        for (column, field) in &self.explicit {
            match header.iter().position(|h| h.trim() == column) {
                Some(i) => fields[i] = Some(field.clone()),
                None => missing.push(column.clone()),
            }
        }
        (fields, missing)
    }
}

/// Why a date cell was refused. The value itself is not repeated: a birth date is
/// personal, and rejected rows are reported on the log.
const NOT_A_DATE: &str = "not a date: write YYYY, MM.YYYY, YYYY-MM, DD.MM.YYYY or YYYY-MM-DD \
     (a day the month does not have is refused)";

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// The column concerned, if one.
    pub column: Option<String>,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The persons added, with the line of their row.
    pub imported: Vec<(u64, RowId)>,
    /// The rows not imported.
    pub rejected: Vec<RejectedRow>,
    /// Header columns that no field was mapped to (not imported).
    pub ignored_columns: Vec<String>,
}

/// A row read into the model, before it is stored.
struct ReadRow {
    person: Person,
    events: BTreeMap<CaseEventKind, Event>,
    source_url: Option<String>,
}

fn read_row(
    fields: &[Option<ImportField>],
    header: &[String],
    cells: &csv::StringRecord,
) -> Result<ReadRow, (Option<String>, String)> {
    let mut row = ReadRow {
        person: Person::default(),
        events: BTreeMap::new(),
        source_url: None,
    };
    for ((field, column), cell) in fields.iter().zip(header).zip(cells.iter()) {
        let Some(field) = field else { continue };
        let value = cell.trim();
        if value.is_empty() {
            continue;
        }
        if value.chars().count() > MAX_FIELD_CHARS {
            return Err((
                Some(column.clone()),
                format!("longer than {MAX_FIELD_CHARS} characters"),
            ));
        }
        let bad = |reason: String| (Some(column.clone()), reason);
        let owned = Some(value.to_owned());
        let person = &mut row.person;
        match field {
            ImportField::Name => person.names.push(NameSpelling {
                name: value.to_owned(),
                source: None,
            }),
            ImportField::Sex => {
                person.sex = Some(
                    Sex::parse(value)
                        .ok_or_else(|| bad("not a sex: write male or female (m/f, м/ж)".into()))?,
                );
            }
            ImportField::Birth => {
                person.birth = Some(parse_partial_date(value).map_err(|_| bad(NOT_A_DATE.into()))?);
            }
            ImportField::Country => person.birthplace.country = owned,
            ImportField::Region => person.birthplace.region = owned,
            ImportField::District => person.birthplace.district = owned,
            ImportField::Locality => person.birthplace.locality = owned,
            ImportField::Citizenship => {
                for code in value.split([',', ';', ' ']).filter(|c| !c.is_empty()) {
                    let code = code.to_ascii_uppercase();
                    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(bad(format!(
                            "{:?} is not a two-letter country code (KG, RU)",
                            code.chars().take(10).collect::<String>()
                        )));
                    }
                    if !person.citizenships.contains(&code) {
                        person.citizenships.push(code);
                    }
                }
            }
            ImportField::Phone => person.contacts.push(Contact {
                kind: ContactKind::Phone,
                value: value.to_owned(),
                holder: None,
            }),
            ImportField::Address => person.contacts.push(Contact {
                kind: ContactKind::Address,
                value: value.to_owned(),
                holder: None,
            }),
            ImportField::Notes => {
                if !person.notes.is_empty() {
                    person.notes.push('\n');
                }
                person.notes.push_str(value);
            }
            ImportField::SourceUrl => row.source_url = owned,
            ImportField::EventDate(kind) => {
                let date = parse_partial_date(value).map_err(|_| bad(NOT_A_DATE.into()))?;
                event_entry(&mut row.events, *kind).date = Some(date);
            }
            ImportField::EventPlace(kind) => {
                event_entry(&mut row.events, *kind).place.locality = owned;
            }
            ImportField::Colony => {
                event_entry(&mut row.events, CaseEventKind::Conviction)
                    .details
                    .colony = owned;
            }
        }
    }
    if row.person.names.is_empty() {
        return Err((
            None,
            "no name: a row needs at least one name column filled".into(),
        ));
    }
    Ok(row)
}

fn event_entry(events: &mut BTreeMap<CaseEventKind, Event>, kind: CaseEventKind) -> &mut Event {
    events.entry(kind).or_insert_with(|| Event {
        kind,
        date: None,
        place: Place::default(),
        details: EventDetails::default(),
        sources: Vec::new(),
    })
}

/// Imports persons from the CSV file `path`: each readable row becomes a person (every
/// name column a spelling, sourced to the file's row or to the row's URL) with the events
/// its date, place and colony columns give, the person as victim. Rows that cannot be read
/// are listed with their line, column and reason, and the others imported. Dates keep the
/// precision written ("03.1994" stays March 1994).
pub fn import_csv(
    registry: &CaseRegistry,
    path: &Path,
    mapping: &ColumnMapping,
) -> Result<ImportReport, CaseError> {
    let file_error = |reason: String| CaseError::File {
        path: path.to_owned(),
        reason,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| file_error(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| file_error(format!("the header line cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let (fields, missing) = mapping.resolve(&header);
    if !missing.is_empty() {
        return Err(file_error(format!(
            "--map names columns the header lacks: {}; the header has: {}",
            missing.join(", "),
            header.join(", ")
        )));
    }
    if !fields.contains(&Some(ImportField::Name)) {
        return Err(file_error(format!(
            "no column holds a name: map one with --map COLUMN=name (the header has: {})",
            header.join(", ")
        )));
    }
    let mut report = ImportReport {
        ignored_columns: header
            .iter()
            .zip(&fields)
            .filter(|(_, f)| f.is_none())
            .map(|(h, _)| h.clone())
            .collect(),
        ..ImportReport::default()
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                report.rejected.push(RejectedRow {
                    line,
                    column: None,
                    reason: format!("cannot be read: {e}"),
                });
                // A CSV error other than bad UTF-8 leaves the reader where it cannot go on.
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            report.rejected.push(RejectedRow {
                line,
                column: None,
                reason: format!(
                    "{} cells where the header has {} columns: a cell is missing or one too many, \
                     so the values cannot be told apart",
                    record.len(),
                    header.len()
                ),
            });
            continue;
        }
        let mut read = match read_row(&fields, &header, &record) {
            Ok(read) => read,
            Err((column, reason)) => {
                report.rejected.push(RejectedRow {
                    line,
                    column,
                    reason,
                });
                continue;
            }
        };
        let source = match read.source_url.take() {
            Some(url) => Source {
                kind: SourceKind::Url,
                document_id: None,
                reference: url,
                reliability: Reliability::F,
                credibility: Credibility::CANNOT_BE_JUDGED,
            },
            None => Source {
                kind: SourceKind::Spreadsheet,
                document_id: None,
                reference: format!("{file_name}, line {line}"),
                reliability: Reliability::F,
                credibility: Credibility::CANNOT_BE_JUDGED,
            },
        };
        let source_id = registry.add_source(&source)?;
        for name in &mut read.person.names {
            name.source = Some(source_id);
        }
        let id = registry.add_person(&read.person)?;
        for mut event in read.events.into_values() {
            event.sources.push(source_id);
            registry.add_event(
                &event,
                &[Involvement {
                    party: Party::Person(id),
                    role: InvolvementRole::Victim,
                }],
            )?;
        }
        report.imported.push((line, id));
    }
    Ok(report)
}
