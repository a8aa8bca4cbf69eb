//! Source files kept byte for byte under their SHA-256.
//!
//! A file is copied to a temporary name inside the store while it is hashed, flushed to
//! disk, then renamed to `sources/<first two hex digits>/<sha256>`; an existing blob is never
//! rewritten. A copy killed half-way leaves only a temporary file, removed on the next open.

use std::fs::File;
use std::io::{Read, Write};
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
    /// Where the kept copy is.
    pub path: PathBuf,
    /// True when this call created the copy (it was not in the store before).
    pub newly_kept: bool,
}

impl BlobStore {
    /// Opens (creating) the folder, and removes temporary files of interrupted copies.
    pub fn open(root: impl Into<PathBuf>) -> Result<BlobStore, StoreError> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp")).map_err(StoreError::io(&root))?;
        let tmp = root.join("tmp");
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(BlobStore { root })
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
        let mut output = File::create(&tmp_path).map_err(StoreError::io(&tmp_path))?;
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
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        std::fs::rename(&tmp_path, &path).map_err(StoreError::io(&path))?;
        // Kept evidence is read-only: nothing in kuzot rewrites it.
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut permissions = meta.permissions();
            permissions.set_readonly(true);
            let _ = std::fs::set_permissions(&path, permissions);
        }
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

/// Makes a rename durable on file systems that need the directory flushed.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
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
}
