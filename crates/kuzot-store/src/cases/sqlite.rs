//! The case registry in `kuzot.db` of a SQLite data directory (migration 0009).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::{
    BlindTokens, CaseStore, DataKeyRow, EventRow, InterventionRow, InvolvementRow, MergeRow,
    PersonRow, SourceRow, StoredDate, merge_refusal, now,
};
use crate::{SqliteStore, StoreError};

/// The case registry's tables in a SQLite data directory.
#[derive(Debug)]
pub struct SqliteCases {
    file: PathBuf,
    conn: Mutex<Connection>,
}

const PERSON_COLUMNS: &str = "id, uid, key_id, sex, citizenships, names, birth, birthplace, \
     contacts, notes, merged_into";

fn person_row(r: &Row<'_>) -> rusqlite::Result<PersonRow> {
    let citizenships: String = r.get(4)?;
    Ok(PersonRow {
        id: r.get(0)?,
        uid: r.get(1)?,
        key_id: r.get(2)?,
        sex: r.get(3)?,
        citizenships: split_codes(&citizenships),
        names: r.get(5)?,
        birth: r.get(6)?,
        birthplace: r.get(7)?,
        contacts: r.get(8)?,
        notes: r.get(9)?,
        merged_into: r.get(10)?,
    })
}

pub(super) fn split_codes(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn date_at(r: &Row<'_>, first: usize) -> rusqlite::Result<Option<StoredDate>> {
    let year: Option<i64> = r.get(first)?;
    let month: Option<i64> = r.get(first + 1)?;
    let day: Option<i64> = r.get(first + 2)?;
    Ok(year.map(|year| StoredDate { year, month, day }))
}

fn merge_row(r: &Row<'_>) -> rusqlite::Result<MergeRow> {
    Ok(MergeRow {
        id: r.get(0)?,
        kept_id: r.get(1)?,
        merged_id: r.get(2)?,
        decided_by: r.get(3)?,
        decided_at: r.get(4)?,
        undone_by: r.get(5)?,
        undone_at: r.get(6)?,
    })
}

const MERGE_COLUMNS: &str = "id, kept_id, merged_id, decided_by, decided_at, undone_by, undone_at";

fn write_tokens(
    tx: &Transaction<'_>,
    person_id: i64,
    tokens: &BlindTokens,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM case_name_tokens WHERE person_id = ?1",
        params![person_id],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO case_name_tokens (token, split, person_id) VALUES (?1, ?2, ?3)",
    )?;
    for (list, split) in [(&tokens.usual, false), (&tokens.split, true)] {
        for token in list {
            insert.execute(params![token, split, person_id])?;
        }
    }
    Ok(())
}

fn merged_into(tx: &Transaction<'_>, id: i64) -> Result<Option<Option<i64>>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT merged_into FROM case_persons WHERE id = ?1",
            params![id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?)
}

impl SqliteCases {
    /// Opens the registry in the data directory `data_dir`, migrating the store first.
    pub fn open(data_dir: &Path) -> Result<SqliteCases, StoreError> {
        // Opening the evidence store creates the directory with its permissions and runs
        // the migrations (0009 makes these tables); the registry then has a connection of
        // its own.
        drop(SqliteStore::open(data_dir)?);
        let file = data_dir.join("kuzot.db");
        let conn = Connection::open(&file)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(SqliteCases {
            file,
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // SQLite rolls back what a panicking holder left: a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CaseStore for SqliteCases {
    fn location(&self) -> String {
        self.file.display().to_string()
    }

    fn data_keys(&self) -> Result<Vec<DataKeyRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT key_id, wrapped_by, wrapped FROM case_data_keys ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DataKeyRow {
                key_id: r.get(0)?,
                wrapped_by: r.get(1)?,
                wrapped: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn add_data_key(&self, key: &DataKeyRow) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO case_data_keys (key_id, wrapped_by, wrapped, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![key.key_id, key.wrapped_by, key.wrapped, now()],
        )?;
        Ok(())
    }

    fn add_persons(&self, persons: &[(PersonRow, BlindTokens)]) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = now();
        let mut ids = Vec::with_capacity(persons.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO case_persons (uid, key_id, sex, citizenships, names, birth,
                     birthplace, contacts, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            )?;
            for (p, tokens) in persons {
                insert.execute(params![
                    p.uid,
                    p.key_id,
                    p.sex,
                    p.citizenships.join(","),
                    p.names,
                    p.birth,
                    p.birthplace,
                    p.contacts,
                    p.notes,
                    at
                ])?;
                let id = tx.last_insert_rowid();
                write_tokens(&tx, id, tokens)?;
                ids.push(id);
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    fn replace_person(&self, p: &PersonRow, tokens: &BlindTokens) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE case_persons SET key_id = ?3, sex = ?4, citizenships = ?5, names = ?6,
                 birth = ?7, birthplace = ?8, contacts = ?9, notes = ?10, updated_at = ?11
             WHERE id = ?1 AND uid = ?2",
            params![
                p.id,
                p.uid,
                p.key_id,
                p.sex,
                p.citizenships.join(","),
                p.names,
                p.birth,
                p.birthplace,
                p.contacts,
                p.notes,
                now()
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("person {}", p.id)));
        }
        write_tokens(&tx, p.id, tokens)?;
        tx.commit()?;
        Ok(())
    }

    fn persons(&self, ids: &[i64]) -> Result<Vec<PersonRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} FROM case_persons WHERE id = ?1"
        ))?;
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut out = Vec::with_capacity(sorted.len());
        for id in sorted {
            if let Some(row) = stmt.query_row(params![id], person_row).optional()? {
                out.push(row);
            }
        }
        Ok(out)
    }

    fn list_persons(&self, after: i64, limit: u32) -> Result<Vec<PersonRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {PERSON_COLUMNS} FROM case_persons WHERE id > ?1 ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after, limit], person_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn person_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM case_persons", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    fn token_counts(
        &self,
        tokens: &[Vec<u8>],
        split: bool,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT count(*) FROM case_name_tokens WHERE token = ?1 AND split = ?2",
        )?;
        let mut out = Vec::new();
        for token in tokens {
            let n: i64 = stmt.query_row(params![token, split], |r| r.get(0))?;
            if n > 0 {
                out.push((token.clone(), u64::try_from(n).unwrap_or_default()));
            }
        }
        Ok(out)
    }

    fn token_postings(&self, tokens: &[Vec<u8>], split: bool) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT person_id FROM case_name_tokens WHERE token = ?1 AND split = ?2",
        )?;
        let mut out = Vec::new();
        for token in tokens {
            let ids = stmt.query_map(params![token, split], |r| r.get::<_, i64>(0))?;
            for id in ids {
                out.push(id?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn add_source(&self, s: &SourceRow) -> Result<i64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO case_sources (uid, key_id, kind, document_id, reliability, credibility,
                 reference, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                s.uid,
                s.key_id,
                s.kind,
                s.document_id,
                s.reliability,
                s.credibility,
                s.reference,
                now()
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn sources(&self, ids: &[i64]) -> Result<Vec<SourceRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, uid, key_id, kind, document_id, reliability, credibility, reference
             FROM case_sources WHERE id = ?1",
        )?;
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut out = Vec::new();
        for id in sorted {
            let row = stmt
                .query_row(params![id], |r| {
                    Ok(SourceRow {
                        id: r.get(0)?,
                        uid: r.get(1)?,
                        key_id: r.get(2)?,
                        kind: r.get(3)?,
                        document_id: r.get(4)?,
                        reliability: r.get(5)?,
                        credibility: r.get(6)?,
                        reference: r.get(7)?,
                    })
                })
                .optional()?;
            out.extend(row);
        }
        Ok(out)
    }

    fn add_event(&self, e: &EventRow, involvements: &[InvolvementRow]) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO case_events (uid, key_id, kind, year, month, day, place, details,
                 created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.uid,
                e.key_id,
                e.kind,
                e.date.map(|d| d.year),
                e.date.and_then(|d| d.month),
                e.date.and_then(|d| d.day),
                e.place,
                e.details,
                now()
            ],
        )?;
        let event_id = tx.last_insert_rowid();
        for source in &e.sources {
            tx.execute(
                "INSERT OR IGNORE INTO case_event_sources (event_id, source_id) VALUES (?1, ?2)",
                params![event_id, source],
            )?;
        }
        for i in involvements {
            tx.execute(
                "INSERT INTO case_involvements (uid, key_id, event_id, person_id, organisation,
                     role)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    i.uid,
                    i.key_id,
                    event_id,
                    i.person_id,
                    i.organisation,
                    i.role
                ],
            )?;
        }
        tx.commit()?;
        Ok(event_id)
    }

    fn events_of(
        &self,
        person_ids: &[i64],
    ) -> Result<Vec<(EventRow, Vec<InvolvementRow>)>, StoreError> {
        let conn = self.conn();
        let mut event_ids = Vec::new();
        {
            let mut stmt =
                conn.prepare_cached("SELECT event_id FROM case_involvements WHERE person_id = ?1")?;
            for person in person_ids {
                for id in stmt.query_map(params![person], |r| r.get::<_, i64>(0))? {
                    event_ids.push(id?);
                }
            }
        }
        event_ids.sort_unstable();
        event_ids.dedup();
        let mut event_stmt = conn.prepare_cached(
            "SELECT id, uid, key_id, kind, year, month, day, place, details
             FROM case_events WHERE id = ?1",
        )?;
        let mut source_stmt = conn.prepare_cached(
            "SELECT source_id FROM case_event_sources WHERE event_id = ?1 ORDER BY source_id",
        )?;
        let mut involvement_stmt = conn.prepare_cached(
            "SELECT id, uid, key_id, event_id, person_id, organisation, role
             FROM case_involvements WHERE event_id = ?1 ORDER BY id",
        )?;
        let mut out = Vec::with_capacity(event_ids.len());
        for id in event_ids {
            let mut event = event_stmt.query_row(params![id], |r| {
                Ok(EventRow {
                    id: r.get(0)?,
                    uid: r.get(1)?,
                    key_id: r.get(2)?,
                    kind: r.get(3)?,
                    date: date_at(r, 4)?,
                    place: r.get(7)?,
                    details: r.get(8)?,
                    sources: Vec::new(),
                })
            })?;
            for source in source_stmt.query_map(params![id], |r| r.get::<_, i64>(0))? {
                event.sources.push(source?);
            }
            let involvements = involvement_stmt
                .query_map(params![id], |r| {
                    Ok(InvolvementRow {
                        id: r.get(0)?,
                        uid: r.get(1)?,
                        key_id: r.get(2)?,
                        event_id: r.get(3)?,
                        person_id: r.get(4)?,
                        organisation: r.get(5)?,
                        role: r.get(6)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            out.push((event, involvements));
        }
        Ok(out)
    }

    fn add_intervention(&self, i: &InterventionRow) -> Result<i64, StoreError> {
        let conn = self.conn();
        let at = now();
        conn.execute(
            "INSERT INTO case_interventions (uid, key_id, person_id, kind, year, month, day,
                 status, addressee, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            params![
                i.uid,
                i.key_id,
                i.person_id,
                i.kind,
                i.date.map(|d| d.year),
                i.date.and_then(|d| d.month),
                i.date.and_then(|d| d.day),
                i.status,
                i.addressee,
                i.notes,
                at
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn interventions_of(&self, person_ids: &[i64]) -> Result<Vec<InterventionRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, uid, key_id, person_id, kind, year, month, day, status, addressee, notes
             FROM case_interventions WHERE person_id = ?1 ORDER BY id",
        )?;
        let mut out = Vec::new();
        for person in person_ids {
            let rows = stmt.query_map(params![person], |r| {
                Ok(InterventionRow {
                    id: r.get(0)?,
                    uid: r.get(1)?,
                    key_id: r.get(2)?,
                    person_id: r.get(3)?,
                    kind: r.get(4)?,
                    date: date_at(r, 5)?,
                    status: r.get(8)?,
                    addressee: r.get(9)?,
                    notes: r.get(10)?,
                })
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        out.sort_by_key(|i| i.id);
        Ok(out)
    }

    fn merge_persons(&self, kept: i64, merged: i64, decided_by: &str) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(refusal) = merge_refusal(
            kept,
            merged,
            merged_into(&tx, kept)?,
            merged_into(&tx, merged)?,
        ) {
            return Err(refusal);
        }
        tx.execute(
            "UPDATE case_persons SET merged_into = ?1 WHERE id = ?2",
            params![kept, merged],
        )?;
        tx.execute(
            "INSERT INTO case_merges (kept_id, merged_id, decided_by, decided_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![kept, merged, decided_by, now()],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    fn unmerge(&self, merge_id: i64, undone_by: &str) -> Result<MergeRow, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let merge = tx
            .query_row(
                &format!("SELECT {MERGE_COLUMNS} FROM case_merges WHERE id = ?1"),
                params![merge_id],
                merge_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("merge {merge_id}")))?;
        if merge.undone_at.is_some() {
            return Err(StoreError::Refused(format!(
                "merge {merge_id} was already undone"
            )));
        }
        tx.execute(
            "UPDATE case_persons SET merged_into = NULL WHERE id = ?1 AND merged_into = ?2",
            params![merge.merged_id, merge.kept_id],
        )?;
        let at = now();
        tx.execute(
            "UPDATE case_merges SET undone_by = ?2, undone_at = ?3 WHERE id = ?1",
            params![merge_id, undone_by, at],
        )?;
        tx.commit()?;
        Ok(MergeRow {
            undone_by: Some(undone_by.to_owned()),
            undone_at: Some(at),
            ..merge
        })
    }

    fn merges_of(&self, person_id: i64) -> Result<Vec<MergeRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {MERGE_COLUMNS} FROM case_merges WHERE kept_id = ?1 OR merged_id = ?1
             ORDER BY id"
        ))?;
        let rows = stmt.query_map(params![person_id], merge_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
