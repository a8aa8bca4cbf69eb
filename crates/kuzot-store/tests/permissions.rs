//! The evidence is private on disk: the data folder and `sources/` are 0700, the database,
//! the key and the kept files are the owner's only, whatever the umask; and a store made
//! looser by hand is reported when opened.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use kuzot_store::{Store, loose_permissions};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn a_new_store_is_for_its_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let store = Store::open(&data).expect("open");
    let input = dir.path().join("chat.txt");
    std::fs::write(&input, "Работа").expect("write");
    let blob = store.keep_source_file(&input).expect("keep");
    drop(store);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("sources")), 0o700);
    assert_eq!(mode(blob.path.parent().expect("prefix folder")), 0o700);
    assert_eq!(
        mode(&blob.path) & 0o077,
        0,
        "kept file {:o}",
        mode(&blob.path)
    );
    assert_eq!(mode(&data.join("kuzot.db")), 0o600);
    assert_eq!(mode(&data.join("secret.key")), 0o600);
    assert!(loose_permissions(&data).is_empty());
}

#[test]
fn loose_permissions_are_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    drop(Store::open(&data).expect("open"));
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(
        data.join("kuzot.db"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let loose = loose_permissions(&data);
    let names: Vec<_> = loose.iter().map(|l| (l.path.clone(), l.is_dir)).collect();
    assert_eq!(
        names,
        [(data.clone(), true), (data.join("kuzot.db"), false)]
    );
    // Opening still works (with a warning), and does not silently change what the owner set.
    drop(Store::open(&data).expect("open"));
    assert_eq!(mode(&data), 0o755);
}
