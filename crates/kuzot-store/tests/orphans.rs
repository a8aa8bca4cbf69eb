//! What a killed import leaves on disk is swept when the store opens: kept files that no
//! committed source names and stale upload folders, once older than the grace period;
//! never a file that a committed source names, nor anything fresh.

use std::fs::File;
use std::path::Path;
use std::time::{Duration, SystemTime};

use kuzot_model::SourceFormat;
use kuzot_store::{NewSource, ORPHAN_GRACE, Store};

/// Backdates a file or folder past the grace period (kept files are read-only, so their
/// write bit is lifted for this).
fn age(path: &Path) {
    let old = SystemTime::now() - ORPHAN_GRACE - Duration::from_secs(60);
    let meta = std::fs::metadata(path).expect("metadata");
    if meta.is_file() {
        let mut permissions = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(path, permissions).expect("chmod");
        File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(old))
            .expect("backdate");
    } else {
        File::open(path)
            .and_then(|f| f.set_modified(old))
            .expect("backdate");
    }
}

#[test]
fn opening_the_store_sweeps_what_killed_imports_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let input = dir.path().join("input.txt");
    let (committed, orphan, upload) = {
        let mut store = Store::open(&data).expect("open");
        std::fs::write(&input, "committed").expect("write");
        let committed = store.keep_source_file(&input).expect("keep");
        let import = store
            .begin_import(NewSource::new(
                &committed,
                "input.txt",
                SourceFormat::PlainText,
                "test",
            ))
            .expect("begin");
        import.commit().expect("commit");
        // A second file kept, its import killed before the commit.
        std::fs::write(&input, "killed").expect("write");
        let orphan = store.keep_source_file(&input).expect("keep");
        let upload = data.join("uploads/0123abcd");
        std::fs::create_dir_all(&upload).expect("mkdir");
        std::fs::write(upload.join("result.json"), "{}").expect("write");
        (committed, orphan, upload)
    };
    // Fresh leftovers may belong to an import running in another process: kept.
    drop(Store::open(&data).expect("reopen"));
    assert!(orphan.path.exists() && upload.exists());

    age(&committed.path);
    age(&orphan.path);
    age(&upload.join("result.json"));
    age(&upload);
    drop(Store::open(&data).expect("reopen"));
    assert!(committed.path.exists(), "a committed source's file stays");
    assert!(!orphan.path.exists(), "the orphan is gone");
    assert!(!upload.exists(), "the stale upload is gone");
    assert_eq!(std::fs::read(&committed.path).expect("read"), b"committed");
}
