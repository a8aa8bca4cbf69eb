//! Kept source files in PostgreSQL: each file once per content, in chunks of 1 MiB
//! (`source_files` + `source_chunks`), so that every machine sharing the database reads
//! the same originals with nothing else to set up.

use std::io::Read;
use std::path::Path;

use ::postgres::Client;
use sha2::{Digest, Sha256};

use crate::evidence_store::SourceReader;
use crate::{StoreError, StoredBlob, SweepReport};

/// Bytes per stored chunk: large enough that a file is few rows, small enough that one
/// chunk in memory (writing or reading) costs nothing.
const CHUNK_BYTES: usize = 1024 * 1024;

/// Fills `buffer` from `input` as far as it goes; returns how many bytes were read
/// (fewer than its length only at the end of the file).
fn fill(input: &mut impl Read, buffer: &mut [u8], path: &Path) -> Result<usize, StoreError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StoreError::io(path)(e)),
        }
    }
    Ok(filled)
}

/// SHA-256 (hex) and size of the file at `path`, read in chunks.
fn hash_file(path: &Path, buffer: &mut [u8]) -> Result<(String, u64), StoreError> {
    let mut input = std::fs::File::open(path).map_err(StoreError::io(path))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = fill(&mut input, buffer, path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Keeps the file at `path` in the database, once per content. The file is read twice:
/// first for its SHA-256, so that a file already kept (a re-import) is not sent again;
/// then chunk by chunk into one transaction, hashed again, and refused if it changed in
/// between. Two processes keeping the same file at once: the second waits on the unique
/// SHA-256 and finds it kept.
///
/// The returned [`StoredBlob::path`] is empty: on PostgreSQL a kept file has no path, it
/// is read with `open_source_file`.
pub(super) fn keep(client: &mut Client, path: &Path) -> Result<StoredBlob, StoreError> {
    let mut buffer = vec![0u8; CHUNK_BYTES];
    let (sha256, size) = hash_file(path, &mut buffer)?;
    let kept_at = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut tx = client.transaction()?;
    let inserted = tx.query_opt(
        "INSERT INTO source_files (sha256, size, kept_at) VALUES ($1, $2, $3)
         ON CONFLICT (sha256) DO NOTHING RETURNING id",
        &[&sha256, &(size as i64), &kept_at],
    )?;
    let Some(row) = inserted else {
        return Ok(StoredBlob {
            sha256,
            size,
            path: Default::default(),
            newly_kept: false,
        });
    };
    let file_id: i64 = row.get(0);
    let insert =
        tx.prepare("INSERT INTO source_chunks (file_id, seq, bytes) VALUES ($1, $2, $3)")?;
    let mut input = std::fs::File::open(path).map_err(StoreError::io(path))?;
    let mut hasher = Sha256::new();
    let mut written = 0u64;
    let mut seq = 0i32;
    loop {
        let n = fill(&mut input, &mut buffer, path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        written += n as u64;
        tx.execute(&insert, &[&file_id, &seq, &&buffer[..n]])?;
        seq += 1;
    }
    if hex::encode(hasher.finalize()) != sha256 || written != size {
        return Err(StoreError::io(path)(std::io::Error::other(
            "the file changed while it was being kept; import it again once it is complete",
        )));
    }
    tx.commit()?;
    Ok(StoredBlob {
        sha256,
        size,
        path: Default::default(),
        newly_kept: true,
    })
}

/// Opens a kept file for reading. The reader has a connection of its own and fetches
/// one chunk at a time, so it outlives the store's borrow and never holds a whole file.
pub(super) fn open(
    client: &mut Client,
    url: &str,
    sha256: &str,
) -> Result<SourceReader, StoreError> {
    let file_id: i64 = client
        .query_opt("SELECT id FROM source_files WHERE sha256 = $1", &[&sha256])?
        .ok_or_else(|| StoreError::NotFound(format!("kept source file {sha256}")))?
        .get(0);
    let own = super::connect_client(url)?;
    Ok(Box::new(ChunkReader {
        client: own,
        file_id,
        next_seq: 0,
        chunk: Vec::new(),
        position: 0,
        ended: false,
    }))
}

/// Reads a kept file chunk by chunk over its own connection.
struct ChunkReader {
    client: Client,
    file_id: i64,
    next_seq: i32,
    chunk: Vec<u8>,
    position: usize,
    ended: bool,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.chunk.len() {
            if self.ended || out.is_empty() {
                return Ok(0);
            }
            let row = self
                .client
                .query_opt(
                    "SELECT bytes FROM source_chunks WHERE file_id = $1 AND seq = $2",
                    &[&self.file_id, &self.next_seq],
                )
                .map_err(std::io::Error::other)?;
            match row {
                Some(r) => {
                    self.chunk = r.get(0);
                    self.position = 0;
                    self.next_seq += 1;
                }
                None => self.ended = true,
            }
        }
        let n = out.len().min(self.chunk.len() - self.position);
        out[..n].copy_from_slice(&self.chunk[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// Removes a file this process newly kept, unless a committed source names it.
pub(super) fn discard(client: &mut Client, blob: &StoredBlob) -> Result<(), StoreError> {
    if !blob.newly_kept {
        return Ok(());
    }
    client.execute(
        "DELETE FROM source_files f WHERE f.sha256 = $1
           AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.sha256 = f.sha256)",
        &[&blob.sha256],
    )?;
    Ok(())
}

/// Removes kept files that no committed source names, kept `grace` or more ago (in whole
/// seconds: a grace of zero removes every orphan).
pub(super) fn sweep_orphans(
    client: &mut Client,
    grace: std::time::Duration,
) -> Result<SweepReport, StoreError> {
    let cutoff = time::OffsetDateTime::now_utc().unix_timestamp()
        - i64::try_from(grace.as_secs()).unwrap_or(i64::MAX / 2);
    let rows = client.query(
        "DELETE FROM source_files f WHERE f.kept_at <= $1
           AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.sha256 = f.sha256)
         RETURNING size",
        &[&cutoff],
    )?;
    Ok(SweepReport {
        files: rows.len() as u64,
        bytes: rows.iter().map(|r| r.get::<_, i64>(0).max(0) as u64).sum(),
    })
}
