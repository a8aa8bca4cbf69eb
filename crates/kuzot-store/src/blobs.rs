//! Source files kept byte for byte under their SHA-256.
//!
//! A file is copied to a temporary name inside the store while it is hashed, flushed to
//! disk, then renamed to `sources/<first two hex digits>/<sha256>`; an existing blob is never
//! rewritten. A copy killed half-way leaves only a temporary file, removed on the next open.
//!
//! A process killed between keeping a file and committing its import leaves a kept file
//! that no source row names (and the web server's `uploads/` folder of that upload). The
//! store sweeps those on open ([`BlobStore::sweep_orphans`]), but only once they are older
//! than [`ORPHAN_GRACE`]: another process (a server beside a CLI import) may be in the
//! middle of an import whose file is kept and whose row is not committed yet.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::StoreError;

/// The folder of kept source files.
#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// A source file as kept in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Where the kept copy is, in a SQLite data directory. Empty on PostgreSQL, where the
    /// copy is rows of the database, not a file: read it with `open_source_file`.
    pub path: PathBuf,
    /// True when this call created the copy (it was not in the store before).
    pub newly_kept: bool,
}

/// How old a file left by an interrupted import must be before it is removed: longer than
/// any import takes between keeping its file and committing, so that a running import in
/// another process never loses its file.
pub const ORPHAN_GRACE: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// What [`BlobStore::sweep_orphans`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Files removed.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Whether `path` was last written longer than `grace` ago (unknown times count as fresh).
fn older_than(path: &Path, grace: std::time::Duration) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > grace)
}

impl BlobStore {
    /// Opens (creating) the folder. Temporary files of copies are removed by
    /// [`BlobStore::sweep_orphans`], once old enough not to be another process's copy.
    pub fn open(root: impl Into<PathBuf>) -> Result<BlobStore, StoreError> {
        let root = root.into();
        create_private_dir(&root.join("tmp"))?;
        Ok(BlobStore { root })
    }

    /// The folder of kept files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Removes temporary copies and kept files for which `is_referenced` says no source row
    /// exists, when last written longer than `grace` ago. Never removes a referenced file;
    /// a file that cannot be removed is left for the next sweep.
    pub fn sweep_orphans(
        &self,
        grace: std::time::Duration,
        mut is_referenced: impl FnMut(&str) -> Result<bool, StoreError>,
    ) -> Result<SweepReport, StoreError> {
        let mut report = SweepReport::default();
        let remove = |path: &Path, report: &mut SweepReport| {
            let size = std::fs::symlink_metadata(path).map_or(0, |m| m.len());
            if std::fs::remove_file(path).is_ok() {
                report.files += 1;
                report.bytes += size;
            }
        };
        if let Ok(entries) = std::fs::read_dir(self.root.join("tmp")) {
            for entry in entries.flatten() {
                if older_than(&entry.path(), grace) {
                    remove(&entry.path(), &mut report);
                }
            }
        }
        let Ok(prefixes) = std::fs::read_dir(&self.root) else {
            return Ok(report);
        };
        for prefix in prefixes.flatten() {
            let name = prefix.file_name();
            let name = name.to_string_lossy();
            if name.len() != 2 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let Ok(blobs) = std::fs::read_dir(prefix.path()) else {
                continue;
            };
            for blob in blobs.flatten() {
                let sha256 = blob.file_name().to_string_lossy().into_owned();
                let is_blob_name = sha256.len() == 64
                    && sha256.starts_with(name.as_ref())
                    && sha256.bytes().all(|b| b.is_ascii_hexdigit());
                if !is_blob_name || !older_than(&blob.path(), grace) {
                    continue;
                }
                if !is_referenced(&sha256)? {
                    remove(&blob.path(), &mut report);
                }
            }
        }
        Ok(report)
    }

    /// Where the blob of `sha256` lives (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("00");
        self.root.join(prefix).join(sha256)
    }

    /// Copies `source` into the store (if its content is not there yet) and returns its hash.
    pub fn keep(&self, source: &Path) -> Result<StoredBlob, StoreError> {
        let mut input = File::open(source).map_err(StoreError::io(source))?;
        let tmp_path = self.root.join("tmp").join(format!(
            "{}-{}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos()
        ));
        let mut output = File::options()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp_path)
            .map_err(StoreError::io(&tmp_path))?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        let result = (|| -> Result<(), StoreError> {
            loop {
                let n = match input.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(StoreError::Io {
                            path: source.to_owned(),
                            source: e,
                        });
                    }
                };
                hasher.update(&buffer[..n]);
                output
                    .write_all(&buffer[..n])
                    .map_err(StoreError::io(&tmp_path))?;
                size += n as u64;
            }
            output.sync_all().map_err(StoreError::io(&tmp_path))
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp_path);
            return Err(e);
        }
        drop(output);
        let sha256 = hex::encode(hasher.finalize());
        let path = self.path_of(&sha256);
        if path.exists() {
            let _ = std::fs::remove_file(&tmp_path);
            return Ok(StoredBlob {
                sha256,
                size,
                path,
                newly_kept: false,
            });
        }
        let dir = path.parent().unwrap_or(&self.root);
        create_private_dir(dir)?;
        std::fs::rename(&tmp_path, &path).map_err(StoreError::io(&path))?;
        // Kept evidence holds the real author names the pseudonyms hide: readable by its
        // owner only, and read-only, since nothing in kuzot rewrites it.
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400));
        sync_dir(dir);
        Ok(StoredBlob {
            sha256,
            size,
            path,
            newly_kept: true,
        })
    }

    /// Removes a blob that no source record refers to (an import that was rejected).
    pub fn discard(&self, blob: &StoredBlob) -> Result<(), StoreError> {
        if blob.newly_kept {
            std::fs::remove_file(&blob.path).map_err(StoreError::io(&blob.path))?;
        }
        Ok(())
    }

    /// Opens a kept blob for reading.
    pub fn open_blob(&self, sha256: &str) -> Result<File, StoreError> {
        let path = self.path_of(sha256);
        File::open(&path).map_err(StoreError::io(path))
    }
}

/// Creates `dir` and any missing parents, readable by the owner only (0700).
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(StoreError::io(dir))
}

/// Makes a rename durable on file systems that need the directory flushed.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes the web server's `uploads/` folders of `data_dir` whose files are all older than
/// `grace`: an upload is a folder of files the server imports and then removes, so one that
/// outlived the grace period belongs to a server that died before its import ended. The
/// SQLite store runs it when it sweeps; on PostgreSQL, where the store has no data
/// directory, the web server runs it at start.
pub fn sweep_stale_uploads(data_dir: &Path, grace: std::time::Duration) -> SweepReport {
    let mut report = SweepReport::default();
    if let Ok(uploads) = std::fs::read_dir(data_dir.join("uploads")) {
        for upload in uploads.flatten() {
            let path = upload.path();
            let stale = std::fs::read_dir(&path).is_ok_and(|files| {
                files.flatten().all(|f| {
                    f.metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > grace)
                })
            }) && std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > grace);
            if !stale || !upload.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let bytes: u64 = std::fs::read_dir(&path)
                .map(|files| {
                    files
                        .flatten()
                        .filter_map(|f| f.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0);
            let files = std::fs::read_dir(&path).map_or(0, |f| f.count() as u64);
            if std::fs::remove_dir_all(&path).is_ok() {
                report.files += files;
                report.bytes += bytes;
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_content_once_under_its_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = BlobStore::open(dir.path().join("sources")).expect("open");
        let a = dir.path().join("a.txt");
        std::fs::write(&a, b"abc").expect("write");
        let first = blobs.keep(&a).expect("keep");
        assert_eq!(
            first.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(first.newly_kept);
        assert_eq!(std::fs::read(&first.path).expect("read"), b"abc");
        let b = dir.path().join("b.txt");
        std::fs::write(&b, b"abc").expect("write");
        let second = blobs.keep(&b).expect("keep");
        assert!(!second.newly_kept);
        assert_eq!(second.path, first.path);
        assert_eq!(
            std::fs::read_dir(dir.path().join("sources/tmp"))
                .expect("tmp")
                .count(),
            0
        );
    }

    /// Backdates a file past the grace period.
    fn age(path: &Path) {
        let old = std::time::SystemTime::now() - ORPHAN_GRACE - std::time::Duration::from_secs(60);
        File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(old))
            .or_else(|_| {
                // Kept blobs are read-only: lift that for the test's backdating only.
                let mut permissions = std::fs::metadata(path)?.permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                permissions.set_readonly(false);
                std::fs::set_permissions(path, permissions)?;
                File::options().write(true).open(path)?.set_modified(old)
            })
            .expect("backdate");
    }

    #[test]
    fn sweeping_removes_old_unreferenced_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = BlobStore::open(dir.path().join("sources")).expect("open");
        let keep = |content: &[u8]| {
            let path = dir.path().join("input");
            std::fs::write(&path, content).expect("write");
            blobs.keep(&path).expect("keep")
        };
        let referenced = keep(b"committed import");
        let orphan = keep(b"killed before commit");
        let fresh = keep(b"another process is importing this right now");
        let old_tmp = dir.path().join("sources/tmp/123-456");
        let fresh_tmp = dir.path().join("sources/tmp/123-789");
        std::fs::write(&old_tmp, b"half a copy").expect("write");
        std::fs::write(&fresh_tmp, b"a copy in progress").expect("write");
        for path in [&referenced.path, &orphan.path, &old_tmp] {
            age(path);
        }
        let report = blobs
            .sweep_orphans(ORPHAN_GRACE, |sha| Ok(sha == referenced.sha256))
            .expect("sweep");
        assert_eq!(report.files, 2);
        assert!(
            referenced.path.exists(),
            "a referenced file is never removed"
        );
        assert!(!orphan.path.exists(), "an old orphan is removed");
        assert!(fresh.path.exists(), "a fresh one may be another import's");
        assert!(!old_tmp.exists());
        assert!(fresh_tmp.exists());
    }
}
