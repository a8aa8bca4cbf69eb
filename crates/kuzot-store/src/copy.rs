//! Copying a whole store between backends (`kuzot migrate`): which tables hold what, in an
//! order that satisfies their foreign keys, with each column's kind, and the functions that
//! read and write rows of them on SQLite and on PostgreSQL.
//!
//! The descriptions are backend-neutral: both backends use the same table and column names
//! (SQLite's schema after migration 0006). A row travels as a slice of [`Value`]s, one per
//! column of its [`CopyTable`], in the table's column order.
//!
//! The change log (`changes`) is not copied: a migrated store starts a fresh log with one
//! entry covering every document, so every search index over it rebuilds.

use std::io::Write;

use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;

use crate::StoreError;

/// What a column holds, whichever database: decides how a value is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A 64-bit integer (SQLite INTEGER, PostgreSQL bigint).
    Int,
    /// A double (SQLite REAL, PostgreSQL double precision).
    Real,
    /// UTF-8 text without NUL characters (text on both).
    Text,
    /// Bytes (SQLite BLOB, PostgreSQL bytea).
    Bytes,
    /// A flag (SQLite INTEGER 0/1, PostgreSQL boolean).
    Bool,
}

/// One column of a copied table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyColumn {
    /// Its name, the same on both backends.
    pub name: &'static str,
    /// What it holds.
    pub kind: ColumnKind,
}

/// One table as the copy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyTable {
    /// Its name, the same on both backends.
    pub name: &'static str,
    /// The copied columns, in the order of every row's values.
    pub columns: &'static [CopyColumn],
    /// The columns rows are read in the order of (a unique key where the table has one),
    /// so that a copy writes rows in the order the source holds them.
    pub order_by: &'static str,
    /// The column whose values the database generates (an identity or rowid), if any:
    /// after a load its sequence is moved past the largest copied value.
    pub generated_id: Option<&'static str>,
}

impl CopyTable {
    /// The column names joined by commas, for a SELECT or a COPY column list.
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const fn column(name: &'static str, kind: ColumnKind) -> CopyColumn {
    CopyColumn { name, kind }
}

use ColumnKind::{Bool, Bytes, Int, Real, Text};

/// The evidence tables, parents before children. Not `changes` (see the module docs).
pub const EVIDENCE_TABLES: &[CopyTable] = &[
    CopyTable {
        name: "sources",
        columns: &[
            column("id", Int),
            column("sha256", Text),
            column("size", Int),
            column("original_name", Text),
            column("format", Text),
            column("imported_at", Text),
            column("imported_by", Text),
            column("keep_authors", Bool),
            column("added", Int),
            column("already_present", Int),
            column("rejected", Int),
            column("service_records", Int),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "rejected_records",
        columns: &[
            column("source_id", Int),
            column("record", Int),
            column("line", Int),
            column("byte_offset", Int),
            column("reason", Text),
        ],
        // No key: the order an import rejected them in is the order of their records.
        order_by: "source_id, record, line, byte_offset, reason",
        generated_id: None,
    },
    CopyTable {
        name: "documents",
        columns: &[
            column("id", Int),
            column("source_id", Int),
            column("dedup_key", Bytes),
            column("kind", Text),
            column("chat_id", Text),
            column("chat_name", Text),
            column("chat_kind", Text),
            column("author", Text),
            column("author_name", Text),
            column("author_id", Text),
            column("forwarded_from", Text),
            column("message_id", Text),
            column("reply_to", Text),
            column("time", Int),
            column("edited", Int),
            column("title", Text),
            column("url", Text),
            column("text", Text),
            column("media", Text),
            column("record", Int),
            column("line", Int),
            column("byte_offset", Int),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "analyses",
        columns: &[
            column("document_id", Int),
            column("engine_version", Text),
            column("lang", Text),
            column("script", Text),
            column("category", Text),
            column("confidence", Real),
            column("occupied", Bool),
            column("result", Text),
            column("cluster_id", Int),
            column("analysed_at", Text),
            column("genre", Text),
            column("topic", Text),
        ],
        order_by: "document_id",
        generated_id: None,
    },
    CopyTable {
        name: "signatures",
        columns: &[column("document_id", Int), column("signature", Bytes)],
        order_by: "document_id",
        generated_id: None,
    },
    CopyTable {
        name: "document_phones",
        columns: &[column("phone", Text), column("document_id", Int)],
        order_by: "phone, document_id",
        generated_id: None,
    },
    CopyTable {
        name: "labels",
        columns: &[
            column("id", Int),
            column("document_id", Int),
            column("category", Text),
            column("facts", Text),
            column("note", Text),
            column("labelled_by", Text),
            column("labelled_at", Text),
            column("engine_version", Text),
            column("engine_category", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    // The regrouping generations; a lease is not copied (it belongs to a process of the
    // store it was taken in).
    CopyTable {
        name: "regroup_requests",
        columns: &[column("id", Int), column("generation", Int)],
        order_by: "id",
        generated_id: None,
    },
    CopyTable {
        name: "regroup_runs",
        columns: &[column("id", Int), column("done", Int)],
        order_by: "id",
        generated_id: None,
    },
    CopyTable {
        name: "analysis_queue",
        columns: &[column("document_id", Int)],
        order_by: "document_id",
        generated_id: None,
    },
    // The administrator's choice of what feeds the public numbers page moves with the
    // store, or a migrated store would publish nothing until chosen again.
    CopyTable {
        name: "public_sources",
        columns: &[
            column("source_id", Int),
            column("chosen_by", Text),
            column("chosen_at", Text),
        ],
        order_by: "source_id",
        generated_id: None,
    },
    // The case registry moves and is backed up as it is stored: sealed values, wrapped data
    // keys and blind-index tokens. The key that opens them is never in the store, so a
    // backup or a migrated copy is as closed as the original without it.
    CopyTable {
        name: "case_data_keys",
        columns: &[
            column("key_id", Text),
            column("wrapped_by", Text),
            column("wrapped", Bytes),
            column("created_at", Text),
        ],
        order_by: "key_id",
        generated_id: None,
    },
    CopyTable {
        name: "case_persons",
        columns: &[
            column("id", Int),
            column("uid", Bytes),
            column("key_id", Text),
            column("sex", Text),
            column("citizenships", Text),
            column("names", Bytes),
            column("birth", Bytes),
            column("birthplace", Bytes),
            column("contacts", Bytes),
            column("notes", Bytes),
            column("merged_into", Int),
            column("created_at", Text),
            column("updated_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "case_name_tokens",
        columns: &[
            column("token", Bytes),
            column("split", Bool),
            column("person_id", Int),
        ],
        order_by: "person_id, split, token",
        generated_id: None,
    },
    CopyTable {
        name: "case_sources",
        columns: &[
            column("id", Int),
            column("uid", Bytes),
            column("key_id", Text),
            column("kind", Text),
            column("document_id", Int),
            column("reliability", Text),
            column("credibility", Int),
            column("reference", Bytes),
            column("created_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "case_events",
        columns: &[
            column("id", Int),
            column("uid", Bytes),
            column("key_id", Text),
            column("kind", Text),
            column("year", Int),
            column("month", Int),
            column("day", Int),
            column("place", Bytes),
            column("details", Bytes),
            column("created_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "case_event_sources",
        columns: &[column("event_id", Int), column("source_id", Int)],
        order_by: "event_id, source_id",
        generated_id: None,
    },
    CopyTable {
        name: "case_involvements",
        columns: &[
            column("id", Int),
            column("uid", Bytes),
            column("key_id", Text),
            column("event_id", Int),
            column("person_id", Int),
            column("organisation", Bytes),
            column("role", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "case_interventions",
        columns: &[
            column("id", Int),
            column("uid", Bytes),
            column("key_id", Text),
            column("person_id", Int),
            column("kind", Text),
            column("year", Int),
            column("month", Int),
            column("day", Int),
            column("status", Text),
            column("addressee", Bytes),
            column("notes", Bytes),
            column("created_at", Text),
            column("updated_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "case_merges",
        columns: &[
            column("id", Int),
            column("kept_id", Int),
            column("merged_id", Int),
            column("decided_by", Text),
            column("decided_at", Text),
            column("undone_by", Text),
            column("undone_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
];

/// The account tables (`accounts.db` on SQLite), parents before children.
pub const ACCOUNT_TABLES: &[CopyTable] = &[
    CopyTable {
        name: "users",
        columns: &[
            column("id", Int),
            column("name", Text),
            column("password_hash", Text),
            column("role", Text),
            column("disabled", Bool),
            column("created_at", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "sessions",
        columns: &[
            column("token_sha256", Text),
            column("user_id", Int),
            column("csrf", Text),
            column("expires_at", Int),
        ],
        order_by: "token_sha256",
        generated_id: None,
    },
    CopyTable {
        name: "api_tokens",
        columns: &[
            column("id", Int),
            column("user_id", Int),
            column("name", Text),
            column("token_sha256", Text),
            column("created_at", Text),
            column("last_used", Text),
            column("revoked", Bool),
            column("scope", Text),
        ],
        order_by: "id",
        generated_id: Some("id"),
    },
    CopyTable {
        name: "setup_links",
        columns: &[column("token_sha256", Text), column("created_at", Text)],
        order_by: "token_sha256",
        generated_id: None,
    },
    CopyTable {
        name: "audit_log",
        columns: &[
            column("id", Int),
            column("at", Text),
            column("actor", Text),
            column("action", Text),
            column("detail", Text),
            column("hash", Text),
        ],
        order_by: "id",
        // Ids come from the audit chain's head, not from a sequence.
        generated_id: None,
    },
    CopyTable {
        name: "audit_chain",
        columns: &[
            column("only_row", Int),
            column("last_id", Int),
            column("last_hash", Text),
            column("preexisting_through", Int),
            column("chained_at", Text),
        ],
        order_by: "only_row",
        generated_id: None,
    },
];

/// What receives the rows of several tables read from one snapshot: each row with its
/// table ([`crate::EvidenceStore::copy_tables_out`]).
pub type TableRows<'a> = dyn FnMut(&CopyTable, &[Value]) -> Result<(), StoreError> + 'a;

/// The evidence or account table with this name.
pub fn table_named(name: &str) -> Option<&'static CopyTable> {
    EVIDENCE_TABLES
        .iter()
        .chain(ACCOUNT_TABLES)
        .find(|t| t.name == name)
}

/// One value of one column, whichever backend it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A flag.
    Bool(bool),
}

impl Value {
    fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Bool(_) => "a flag",
        }
    }
}

/// A row whose width is not its table's, or a value not of its column's kind.
fn check_row(table: &CopyTable, row: &[Value]) -> Result<(), StoreError> {
    if row.len() != table.columns.len() {
        return Err(StoreError::Corrupt(format!(
            "a row of {} has {} values for {} columns",
            table.name,
            row.len(),
            table.columns.len()
        )));
    }
    for (column, value) in table.columns.iter().zip(row) {
        let fits = matches!(
            (column.kind, value),
            (_, Value::Null)
                | (Int, Value::Int(_))
                | (Real, Value::Real(_))
                | (Text, Value::Text(_))
                | (Bytes, Value::Bytes(_))
                | (Bool, Value::Bool(_))
        );
        if !fits {
            return Err(StoreError::Corrupt(format!(
                "{}.{} holds {:?} values, not {}",
                table.name,
                column.name,
                column.kind,
                value.kind_name()
            )));
        }
    }
    Ok(())
}

// --- SQLite ---

/// Calls `each` with every row of `table` in a SQLite database, in `table.order_by` order.
/// A value of another type than its column's kind (SQLite does not enforce types) is an
/// error naming the table and column, except integers in a REAL column, read as reals.
pub fn sqlite_dump_table(
    conn: &rusqlite::Connection,
    table: &CopyTable,
    each: &mut dyn FnMut(&[Value]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // Names come from the static table descriptions, never from input.
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        table.column_list(),
        table.name,
        table.order_by
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut values = Vec::with_capacity(table.columns.len());
    while let Some(row) = rows.next()? {
        values.clear();
        for (i, column) in table.columns.iter().enumerate() {
            values.push(sqlite_value(table, column, row.get_ref(i)?)?);
        }
        each(&values)?;
    }
    Ok(())
}

fn sqlite_value(
    table: &CopyTable,
    column: &CopyColumn,
    value: rusqlite::types::ValueRef<'_>,
) -> Result<Value, StoreError> {
    use rusqlite::types::ValueRef;
    let wrong = |found: &str| {
        StoreError::Corrupt(format!(
            "{}.{} should hold {:?} but holds {found}",
            table.name, column.name, column.kind
        ))
    };
    Ok(match (column.kind, value) {
        (_, ValueRef::Null) => Value::Null,
        (Int, ValueRef::Integer(v)) => Value::Int(v),
        (Bool, ValueRef::Integer(v)) => Value::Bool(v != 0),
        (Real, ValueRef::Real(v)) => Value::Real(v),
        (Real, ValueRef::Integer(v)) => Value::Real(v as f64),
        (Text, ValueRef::Text(bytes)) => Value::Text(
            String::from_utf8(bytes.to_vec()).map_err(|_| wrong("text that is not UTF-8"))?,
        ),
        (Bytes, ValueRef::Blob(bytes)) => Value::Bytes(bytes.to_vec()),
        (_, ValueRef::Integer(_)) => return Err(wrong("an integer")),
        (_, ValueRef::Real(_)) => return Err(wrong("a real")),
        (_, ValueRef::Text(_)) => return Err(wrong("text")),
        (_, ValueRef::Blob(_)) => return Err(wrong("a blob")),
    })
}

/// The INSERT statement of one table's rows (ids given, so they are kept).
pub fn sqlite_insert_sql(table: &CopyTable) -> String {
    let placeholders: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({}) VALUES ({})",
        table.name,
        table.column_list(),
        placeholders.join(", ")
    )
}

/// Inserts one row into `table` of a SQLite database, ids as given. Run inside the
/// transaction of the whole load.
pub fn sqlite_insert_row(
    conn: &rusqlite::Connection,
    table: &CopyTable,
    row: &[Value],
) -> Result<(), StoreError> {
    check_row(table, row)?;
    let mut stmt = conn.prepare_cached(&sqlite_insert_sql(table))?;
    let params = row.iter().map(|v| match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
        Value::Bytes(b) => rusqlite::types::Value::Blob(b.clone()),
        Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
    });
    stmt.execute(rusqlite::params_from_iter(params))?;
    Ok(())
}

/// Number of rows of `table` in a SQLite database.
pub fn sqlite_count_rows(
    conn: &rusqlite::Connection,
    table: &CopyTable,
) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", table.name), [], |r| {
        r.get(0)
    })?;
    Ok(n as u64)
}

/// Loads rows into tables of a SQLite database in one transaction, ids kept: `load` is
/// given a target to add rows to; nothing is written unless it returns `Ok`.
pub fn sqlite_load(
    conn: &mut rusqlite::Connection,
    load: &mut dyn FnMut(&mut dyn CopyTarget) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    load(&mut SqliteTarget {
        conn: &tx,
        allowed: None,
    })?;
    tx.commit()?;
    Ok(())
}

/// Where a copy adds rows: one transaction of the target store.
pub trait CopyTarget {
    /// Adds one row to `table`, its values in the table's column order, ids as given.
    /// Rows of a table come after every row of the tables it refers to.
    fn add_row(&mut self, table: &CopyTable, row: &[Value]) -> Result<(), StoreError>;
}

/// A [`CopyTarget`] over a SQLite connection in a transaction.
pub(crate) struct SqliteTarget<'c> {
    pub(crate) conn: &'c rusqlite::Connection,
    /// The tables this target takes (all when `None`).
    pub(crate) allowed: Option<&'static [CopyTable]>,
}

impl CopyTarget for SqliteTarget<'_> {
    fn add_row(&mut self, table: &CopyTable, row: &[Value]) -> Result<(), StoreError> {
        if let Some(allowed) = self.allowed
            && !allowed.iter().any(|t| t.name == table.name)
        {
            return Err(StoreError::Corrupt(format!(
                "the table {} is not one this store takes rows of",
                table.name
            )));
        }
        sqlite_insert_row(self.conn, table, row)
    }
}

// --- PostgreSQL ---

/// Calls `each` with every row of `table` in a PostgreSQL database, in `table.order_by`
/// order, each value read as its column's kind (bigint, double precision, text, bytea,
/// boolean). Rows are streamed, not collected.
pub fn postgres_dump_table(
    client: &mut impl GenericClient,
    table: &CopyTable,
    each: &mut dyn FnMut(&[Value]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        table.column_list(),
        table.name,
        table.order_by
    );
    let mut rows = client.query_raw(&sql, std::iter::empty::<i64>())?;
    let mut values = Vec::with_capacity(table.columns.len());
    while let Some(row) = rows.next()? {
        values.clear();
        for (i, column) in table.columns.iter().enumerate() {
            let value = match column.kind {
                Int => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
                Real => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
                Text => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
                Bytes => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
                Bool => row.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
            };
            values.push(value.unwrap_or(Value::Null));
        }
        each(&values)?;
    }
    Ok(())
}

/// Number of rows of `table` in a PostgreSQL database.
pub fn postgres_count_rows(
    client: &mut impl GenericClient,
    table: &CopyTable,
) -> Result<u64, StoreError> {
    let n: i64 = client
        .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])?
        .get(0);
    Ok(n as u64)
}

/// Appends one value in the text format of `COPY … FROM STDIN`: `\N` for NULL, `t`/`f`
/// for flags, bytea as `\\x` and hex, and in text the backslash, tab, newline and carriage
/// return escaped (the characters that would end a value, a row, or start an escape).
/// Text holding a NUL character, which PostgreSQL text cannot store, is an error.
pub fn push_copy_text_value(out: &mut Vec<u8>, value: &Value) -> Result<(), StoreError> {
    match value {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Real(r) => {
            if r.is_nan() {
                out.extend_from_slice(b"NaN");
            } else if r.is_infinite() {
                out.extend_from_slice(if *r > 0.0 { b"Infinity" } else { b"-Infinity" });
            } else {
                // Rust prints the shortest text that reads back as the same double.
                out.extend_from_slice(format!("{r:?}").as_bytes());
            }
        }
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Bytes(bytes) => {
            // bytea's hex input `\x…`; its backslash is escaped for COPY.
            out.extend_from_slice(b"\\\\x");
            out.extend_from_slice(hex::encode(bytes).as_bytes());
        }
        Value::Text(text) => {
            if text.contains('\0') {
                return Err(StoreError::Corrupt(
                    "a text holds a NUL character, which PostgreSQL cannot store".into(),
                ));
            }
            for &b in text.as_bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(b),
                }
            }
        }
    }
    Ok(())
}

/// Appends one row in the text format of `COPY … FROM STDIN` (tab between values, newline
/// after), checked against its table's columns.
pub fn push_copy_text_row(
    out: &mut Vec<u8>,
    table: &CopyTable,
    row: &[Value],
) -> Result<(), StoreError> {
    check_row(table, row)?;
    for (i, (value, column)) in row.iter().zip(table.columns).enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        push_copy_text_value(out, value).map_err(|e| match e {
            StoreError::Corrupt(why) => {
                StoreError::Corrupt(format!("{}.{}: {why}", table.name, column.name))
            }
            other => other,
        })?;
    }
    out.push(b'\n');
    Ok(())
}

/// Loads rows into PostgreSQL tables with `COPY … FROM STDIN`, buffering rows and sending
/// them a few megabytes at a time. Use it inside a transaction: add rows
/// ([`PostgresLoader::add_row`]), then [`PostgresLoader::finish`], which sends what is left
/// and moves the sequence of every loaded table's generated id past its largest value.
#[derive(Debug, Default)]
pub struct PostgresLoader {
    buffer: Vec<u8>,
    /// The table the buffered rows belong to.
    current: Option<CopyTable>,
    /// Tables that received rows, in order, for the sequence reset.
    loaded: Vec<CopyTable>,
    /// Rows added per table name.
    rows: Vec<(&'static str, u64)>,
}

/// How many bytes of rows are buffered before they are sent.
const COPY_CHUNK_BYTES: usize = 4 << 20;

impl PostgresLoader {
    /// An empty loader.
    pub fn new() -> PostgresLoader {
        PostgresLoader::default()
    }

    /// Adds one row of `table`; rows of one table must come together, after those of the
    /// tables they refer to.
    pub fn add_row(
        &mut self,
        client: &mut impl GenericClient,
        table: &CopyTable,
        row: &[Value],
    ) -> Result<(), StoreError> {
        if self.current.is_some_and(|t| t.name != table.name) {
            self.flush(client)?;
        }
        if self.current.is_none() {
            self.current = Some(*table);
            if !self.loaded.iter().any(|t| t.name == table.name) {
                self.loaded.push(*table);
                self.rows.push((table.name, 0));
            }
        }
        push_copy_text_row(&mut self.buffer, table, row)?;
        if let Some(count) = self.rows.iter_mut().find(|(name, _)| *name == table.name) {
            count.1 += 1;
        }
        if self.buffer.len() >= COPY_CHUNK_BYTES {
            self.flush(client)?;
            self.current = Some(*table);
        }
        Ok(())
    }

    fn flush(&mut self, client: &mut impl GenericClient) -> Result<(), StoreError> {
        let Some(table) = self.current.take() else {
            return Ok(());
        };
        if self.buffer.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "COPY {} ({}) FROM STDIN (FORMAT text)",
            table.name,
            table.column_list()
        );
        let mut writer = client.copy_in(&sql)?;
        writer
            .write_all(&self.buffer)
            .map_err(|e| StoreError::Corrupt(format!("COPY into {}: {e}", table.name)))?;
        writer.finish()?;
        self.buffer.clear();
        Ok(())
    }

    /// Sends the rows still buffered and resets the sequences of the loaded tables'
    /// generated ids past their largest value. Returns the rows loaded per table.
    pub fn finish(
        mut self,
        client: &mut impl GenericClient,
    ) -> Result<Vec<(&'static str, u64)>, StoreError> {
        self.flush(client)?;
        for table in &self.loaded {
            if let Some(id) = table.generated_id {
                reset_postgres_sequence(client, table.name, id)?;
            }
        }
        Ok(self.rows)
    }
}

/// Moves the sequence behind `table.column` (serial or identity) so that the next
/// generated value is above every stored one; a column without a sequence is left alone.
pub fn reset_postgres_sequence(
    client: &mut impl GenericClient,
    table: &str,
    column: &str,
) -> Result<(), StoreError> {
    // The table name is bound as text here; it is the max() that needs it in the SQL.
    let sql = format!(
        "SELECT setval(seq, coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)
         FROM pg_get_serial_sequence($1, $2) AS seq WHERE seq IS NOT NULL"
    );
    client.query(&sql, &[&table, &column])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_the_wrong_shape_are_refused_with_the_table_named() {
        let sources = &EVIDENCE_TABLES[0];
        let err = check_row(sources, &[Value::Int(1)]).expect_err("short row");
        assert!(err.to_string().contains("sources"), "{err}");
        let mut row = vec![Value::Null; sources.columns.len()];
        row[1] = Value::Int(3);
        let err = check_row(sources, &row).expect_err("integer in a text column");
        assert!(err.to_string().contains("sources.sha256"), "{err}");
    }

    #[test]
    fn copy_text_escapes_what_would_end_a_value() {
        let mut out = Vec::new();
        push_copy_text_value(&mut out, &Value::Text("a\tb\nc\\N\rd".into())).expect("text");
        assert_eq!(out, b"a\\tb\\nc\\\\N\\rd");
        out.clear();
        push_copy_text_value(&mut out, &Value::Bytes(vec![0, 0xff, b'\\'])).expect("bytes");
        assert_eq!(out, b"\\\\x00ff5c");
        out.clear();
        push_copy_text_value(&mut out, &Value::Null).expect("null");
        assert_eq!(out, b"\\N");
        let err = push_copy_text_value(&mut out, &Value::Text("a\0b".into())).expect_err("NUL");
        assert!(err.to_string().contains("NUL"), "{err}");
    }
}
