//! The case registry in a PostgreSQL database, beside the evidence (migration 0004 of the
//! evidence schema).

use std::sync::{Mutex, MutexGuard};

use postgres::{Client, GenericClient, Row, Transaction};

use super::{
    BlindTokens, CaseStore, DataKeyRow, EventRow, InterventionRow, InvolvementRow, MergeRow,
    PersonRow, SourceRow, StoredDate, merge_refusal, now, sqlite::split_codes,
};
use crate::postgres::connect_client;
use crate::{PostgresStore, StoreError, url_without_password};

/// The case registry's tables in a PostgreSQL database.
pub struct PostgresCases {
    shown: String,
    client: Mutex<Client>,
}

impl std::fmt::Debug for PostgresCases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresCases")
            .field("location", &self.shown)
            .finish()
    }
}

const PERSON_COLUMNS: &str = "id, uid, key_id, sex, citizenships, names, birth, birthplace, \
     contacts, notes, merged_into";
const MERGE_COLUMNS: &str = "id, kept_id, merged_id, decided_by, decided_at, undone_by, undone_at";

fn person_row(r: &Row) -> PersonRow {
    let citizenships: String = r.get(4);
    PersonRow {
        id: r.get(0),
        uid: r.get(1),
        key_id: r.get(2),
        sex: r.get(3),
        citizenships: split_codes(&citizenships),
        names: r.get(5),
        birth: r.get(6),
        birthplace: r.get(7),
        contacts: r.get(8),
        notes: r.get(9),
        merged_into: r.get(10),
    }
}

fn date_at(r: &Row, first: usize) -> Option<StoredDate> {
    let year: Option<i64> = r.get(first);
    year.map(|year| StoredDate {
        year,
        month: r.get(first + 1),
        day: r.get(first + 2),
    })
}

fn merge_row(r: &Row) -> MergeRow {
    MergeRow {
        id: r.get(0),
        kept_id: r.get(1),
        merged_id: r.get(2),
        decided_by: r.get(3),
        decided_at: r.get(4),
        undone_by: r.get(5),
        undone_at: r.get(6),
    }
}

fn write_tokens(
    tx: &mut Transaction<'_>,
    person_id: i64,
    tokens: &BlindTokens,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM case_name_tokens WHERE person_id = $1",
        &[&person_id],
    )?;
    for (list, split) in [(&tokens.usual, false), (&tokens.split, true)] {
        if list.is_empty() {
            continue;
        }
        tx.execute(
            "INSERT INTO case_name_tokens (token, split, person_id)
             SELECT DISTINCT t, $2::boolean, $3::bigint FROM unnest($1::bytea[]) AS t
             ON CONFLICT DO NOTHING",
            &[list, &split, &person_id],
        )?;
    }
    Ok(())
}

fn merged_into(tx: &mut Transaction<'_>, id: i64) -> Result<Option<Option<i64>>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT merged_into FROM case_persons WHERE id = $1 FOR UPDATE",
            &[&id],
        )?
        .map(|r| r.get(0)))
}

fn sorted_ids(ids: &[i64]) -> Vec<i64> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

impl PostgresCases {
    /// Connects to the database at `url`, migrating the evidence schema (which holds the
    /// registry's tables) first.
    pub fn connect(url: &str) -> Result<PostgresCases, StoreError> {
        drop(PostgresStore::connect(url)?);
        Ok(PostgresCases {
            shown: url_without_password(url),
            client: Mutex::new(connect_client(url)?),
        })
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        // Every method is one statement or one transaction: a poisoned lock is still usable.
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn events_rows(
    client: &mut impl GenericClient,
    event_ids: &[i64],
) -> Result<Vec<(EventRow, Vec<InvolvementRow>)>, StoreError> {
    let mut out = Vec::with_capacity(event_ids.len());
    let events = client.query(
        "SELECT e.id, e.uid, e.key_id, e.kind, e.year, e.month, e.day, e.place, e.details,
                coalesce(array_agg(s.source_id ORDER BY s.source_id)
                    FILTER (WHERE s.source_id IS NOT NULL), '{}')
         FROM case_events e LEFT JOIN case_event_sources s ON s.event_id = e.id
         WHERE e.id = ANY($1) GROUP BY e.id ORDER BY e.id",
        &[&event_ids],
    )?;
    let involvements = client.query(
        "SELECT id, uid, key_id, event_id, person_id, organisation, role
         FROM case_involvements WHERE event_id = ANY($1) ORDER BY id",
        &[&event_ids],
    )?;
    for r in events {
        let id: i64 = r.get(0);
        let event = EventRow {
            id,
            uid: r.get(1),
            key_id: r.get(2),
            kind: r.get(3),
            date: date_at(&r, 4),
            place: r.get(7),
            details: r.get(8),
            sources: r.get(9),
        };
        let own = involvements
            .iter()
            .filter(|i| i.get::<_, i64>(3) == id)
            .map(|i| InvolvementRow {
                id: i.get(0),
                uid: i.get(1),
                key_id: i.get(2),
                event_id: i.get(3),
                person_id: i.get(4),
                organisation: i.get(5),
                role: i.get(6),
            })
            .collect();
        out.push((event, own));
    }
    Ok(out)
}

impl CaseStore for PostgresCases {
    fn location(&self) -> String {
        self.shown.clone()
    }

    fn data_keys(&self) -> Result<Vec<DataKeyRow>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT key_id, wrapped_by, wrapped FROM case_data_keys
                 ORDER BY created_at, key_id",
                &[],
            )?
            .iter()
            .map(|r| DataKeyRow {
                key_id: r.get(0),
                wrapped_by: r.get(1),
                wrapped: r.get(2),
            })
            .collect())
    }

    fn add_data_key(&self, key: &DataKeyRow) -> Result<(), StoreError> {
        self.client().execute(
            "INSERT INTO case_data_keys (key_id, wrapped_by, wrapped, created_at)
             VALUES ($1, $2, $3, $4)",
            &[&key.key_id, &key.wrapped_by, &key.wrapped, &now()],
        )?;
        Ok(())
    }

    fn add_persons(&self, persons: &[(PersonRow, BlindTokens)]) -> Result<Vec<i64>, StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let at = now();
        let insert = tx.prepare(
            "INSERT INTO case_persons (uid, key_id, sex, citizenships, names, birth,
                 birthplace, contacts, notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )?;
        let mut ids = Vec::with_capacity(persons.len());
        for (p, tokens) in persons {
            let id: i64 = tx
                .query_one(
                    &insert,
                    &[
                        &p.uid,
                        &p.key_id,
                        &p.sex,
                        &p.citizenships.join(","),
                        &p.names,
                        &p.birth,
                        &p.birthplace,
                        &p.contacts,
                        &p.notes,
                        &at,
                    ],
                )?
                .get(0);
            write_tokens(&mut tx, id, tokens)?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    fn replace_person(&self, p: &PersonRow, tokens: &BlindTokens) -> Result<(), StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let changed = tx.execute(
            "UPDATE case_persons SET key_id = $3, sex = $4, citizenships = $5, names = $6,
                 birth = $7, birthplace = $8, contacts = $9, notes = $10, updated_at = $11
             WHERE id = $1 AND uid = $2",
            &[
                &p.id,
                &p.uid,
                &p.key_id,
                &p.sex,
                &p.citizenships.join(","),
                &p.names,
                &p.birth,
                &p.birthplace,
                &p.contacts,
                &p.notes,
                &now(),
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!("person {}", p.id)));
        }
        write_tokens(&mut tx, p.id, tokens)?;
        tx.commit()?;
        Ok(())
    }

    fn persons(&self, ids: &[i64]) -> Result<Vec<PersonRow>, StoreError> {
        let ids = sorted_ids(ids);
        Ok(self
            .client()
            .query(
                &format!(
                    "SELECT {PERSON_COLUMNS} FROM case_persons WHERE id = ANY($1) ORDER BY id"
                ),
                &[&ids],
            )?
            .iter()
            .map(person_row)
            .collect())
    }

    fn list_persons(&self, after: i64, limit: u32) -> Result<Vec<PersonRow>, StoreError> {
        Ok(self
            .client()
            .query(
                &format!(
                    "SELECT {PERSON_COLUMNS} FROM case_persons WHERE id > $1 ORDER BY id LIMIT $2"
                ),
                &[&after, &i64::from(limit)],
            )?
            .iter()
            .map(person_row)
            .collect())
    }

    fn person_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()
            .query_one("SELECT count(*) FROM case_persons", &[])?
            .get(0);
        Ok(u64::try_from(n).unwrap_or_default())
    }

    fn token_counts(
        &self,
        tokens: &[Vec<u8>],
        split: bool,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT token, count(*) FROM case_name_tokens
                 WHERE token = ANY($1) AND split = $2 GROUP BY token",
                &[&tokens, &split],
            )?
            .iter()
            .map(|r| {
                let n: i64 = r.get(1);
                (r.get(0), u64::try_from(n).unwrap_or_default())
            })
            .collect())
    }

    fn token_postings(&self, tokens: &[Vec<u8>], split: bool) -> Result<Vec<i64>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT DISTINCT person_id FROM case_name_tokens
                 WHERE token = ANY($1) AND split = $2 ORDER BY person_id",
                &[&tokens, &split],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn add_source(&self, s: &SourceRow) -> Result<i64, StoreError> {
        Ok(self
            .client()
            .query_one(
                "INSERT INTO case_sources (uid, key_id, kind, document_id, reliability,
                     credibility, reference, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &s.uid,
                    &s.key_id,
                    &s.kind,
                    &s.document_id,
                    &s.reliability,
                    &s.credibility,
                    &s.reference,
                    &now(),
                ],
            )?
            .get(0))
    }

    fn sources(&self, ids: &[i64]) -> Result<Vec<SourceRow>, StoreError> {
        let ids = sorted_ids(ids);
        Ok(self
            .client()
            .query(
                "SELECT id, uid, key_id, kind, document_id, reliability, credibility, reference
                 FROM case_sources WHERE id = ANY($1) ORDER BY id",
                &[&ids],
            )?
            .iter()
            .map(|r| SourceRow {
                id: r.get(0),
                uid: r.get(1),
                key_id: r.get(2),
                kind: r.get(3),
                document_id: r.get(4),
                reliability: r.get(5),
                credibility: r.get(6),
                reference: r.get(7),
            })
            .collect())
    }

    fn add_event(&self, e: &EventRow, involvements: &[InvolvementRow]) -> Result<i64, StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let event_id: i64 = tx
            .query_one(
                "INSERT INTO case_events (uid, key_id, kind, year, month, day, place, details,
                     created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &e.uid,
                    &e.key_id,
                    &e.kind,
                    &e.date.map(|d| d.year),
                    &e.date.and_then(|d| d.month),
                    &e.date.and_then(|d| d.day),
                    &e.place,
                    &e.details,
                    &now(),
                ],
            )?
            .get(0);
        tx.execute(
            "INSERT INTO case_event_sources (event_id, source_id)
             SELECT DISTINCT $1::bigint, s FROM unnest($2::bigint[]) AS s",
            &[&event_id, &e.sources],
        )?;
        for i in involvements {
            tx.execute(
                "INSERT INTO case_involvements (uid, key_id, event_id, person_id, organisation,
                     role)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &i.uid,
                    &i.key_id,
                    &event_id,
                    &i.person_id,
                    &i.organisation,
                    &i.role,
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
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let event_ids: Vec<i64> = tx
            .query(
                "SELECT DISTINCT event_id FROM case_involvements WHERE person_id = ANY($1)",
                &[&person_ids],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let out = events_rows(&mut tx, &sorted_ids(&event_ids))?;
        tx.commit()?;
        Ok(out)
    }

    fn add_intervention(&self, i: &InterventionRow) -> Result<i64, StoreError> {
        let at = now();
        Ok(self
            .client()
            .query_one(
                "INSERT INTO case_interventions (uid, key_id, person_id, kind, year, month, day,
                     status, addressee, notes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
                &[
                    &i.uid,
                    &i.key_id,
                    &i.person_id,
                    &i.kind,
                    &i.date.map(|d| d.year),
                    &i.date.and_then(|d| d.month),
                    &i.date.and_then(|d| d.day),
                    &i.status,
                    &i.addressee,
                    &i.notes,
                    &at,
                ],
            )?
            .get(0))
    }

    fn interventions_of(&self, person_ids: &[i64]) -> Result<Vec<InterventionRow>, StoreError> {
        Ok(self
            .client()
            .query(
                "SELECT id, uid, key_id, person_id, kind, year, month, day, status, addressee,
                     notes
                 FROM case_interventions WHERE person_id = ANY($1) ORDER BY id",
                &[&person_ids],
            )?
            .iter()
            .map(|r| InterventionRow {
                id: r.get(0),
                uid: r.get(1),
                key_id: r.get(2),
                person_id: r.get(3),
                kind: r.get(4),
                date: date_at(r, 5),
                status: r.get(8),
                addressee: r.get(9),
                notes: r.get(10),
            })
            .collect())
    }

    fn merge_persons(&self, kept: i64, merged: i64, decided_by: &str) -> Result<i64, StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        // Rows locked in id order (FOR UPDATE), so two merges of the same pair wait for
        // each other instead of deadlocking.
        let (first, second) = (kept.min(merged), kept.max(merged));
        let first_row = merged_into(&mut tx, first)?;
        let second_row = merged_into(&mut tx, second)?;
        let (kept_row, merged_row) = if first == kept {
            (first_row, second_row)
        } else {
            (second_row, first_row)
        };
        if let Some(refusal) = merge_refusal(kept, merged, kept_row, merged_row) {
            return Err(refusal);
        }
        tx.execute(
            "UPDATE case_persons SET merged_into = $1 WHERE id = $2",
            &[&kept, &merged],
        )?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO case_merges (kept_id, merged_id, decided_by, decided_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
                &[&kept, &merged, &decided_by, &now()],
            )?
            .get(0);
        tx.commit()?;
        Ok(id)
    }

    fn unmerge(&self, merge_id: i64, undone_by: &str) -> Result<MergeRow, StoreError> {
        let mut client = self.client();
        let mut tx = client.transaction()?;
        let merge = tx
            .query_opt(
                &format!("SELECT {MERGE_COLUMNS} FROM case_merges WHERE id = $1 FOR UPDATE"),
                &[&merge_id],
            )?
            .map(|r| merge_row(&r))
            .ok_or_else(|| StoreError::NotFound(format!("merge {merge_id}")))?;
        if merge.undone_at.is_some() {
            return Err(StoreError::Refused(format!(
                "merge {merge_id} was already undone"
            )));
        }
        tx.execute(
            "UPDATE case_persons SET merged_into = NULL WHERE id = $1 AND merged_into = $2",
            &[&merge.merged_id, &merge.kept_id],
        )?;
        let at = now();
        tx.execute(
            "UPDATE case_merges SET undone_by = $2, undone_at = $3 WHERE id = $1",
            &[&merge_id, &undone_by, &at],
        )?;
        tx.commit()?;
        Ok(MergeRow {
            undone_by: Some(undone_by.to_owned()),
            undone_at: Some(at),
            ..merge
        })
    }

    fn merges_of(&self, person_id: i64) -> Result<Vec<MergeRow>, StoreError> {
        Ok(self
            .client()
            .query(
                &format!(
                    "SELECT {MERGE_COLUMNS} FROM case_merges
                     WHERE kept_id = $1 OR merged_id = $1 ORDER BY id"
                ),
                &[&person_id],
            )?
            .iter()
            .map(merge_row)
            .collect())
    }
}
