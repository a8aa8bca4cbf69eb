//! Keyed pseudonyms for the authors of messages.
//!
//! The authors in chat exports are private people, some of them at risk. The store keeps
//! `HMAC-SHA256(store key, author id or name)` instead of the author: the same person gets
//! the same pseudonym across every import into one store (so an analyst can still see that
//! ten ads came from one account), but the pseudonym cannot be turned back into a name, nor
//! matched against another store's, without the key. The key is created at random on the
//! store's first open and kept beside the database, outside the repository.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use kuzot_model::{AuthorRef, ChatRef};
use sha2::Sha256;

use crate::StoreError;

const KEY_BYTES: usize = 32;

/// The secret key of a store's pseudonyms, carried from one store to another by
/// `kuzot migrate` so that pseudonyms keep matching. It never shows in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PseudonymKey([u8; KEY_BYTES]);

impl std::fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PseudonymKey(<hidden>)")
    }
}

impl PseudonymKey {
    /// The key as lowercase hex, for a backend that stores it (never to be shown or logged).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads a key written by [`PseudonymKey::to_hex`].
    pub fn from_hex(text: &str) -> Option<PseudonymKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(PseudonymKey(bytes.try_into().ok()?))
    }
}

/// Turns author names and ids into stable pseudonyms.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: [u8; KEY_BYTES],
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer { key: <hidden> }")
    }
}

impl Pseudonymizer {
    /// A pseudonymizer with a given key (tests, or a key held elsewhere).
    pub fn with_key(key: [u8; KEY_BYTES]) -> Pseudonymizer {
        Pseudonymizer { key }
    }

    /// The key, to give another store the same pseudonyms (`kuzot migrate`).
    pub fn key(&self) -> PseudonymKey {
        PseudonymKey(self.key)
    }

    /// A pseudonymizer with a key carried from another store.
    pub fn from_key(key: &PseudonymKey) -> Pseudonymizer {
        Pseudonymizer { key: key.0 }
    }

    /// Replaces the key file at `path` with `key` (owner-only, atomically) and returns the
    /// pseudonymizer of that key.
    pub fn replace_key_file(path: &Path, key: &PseudonymKey) -> Result<Pseudonymizer, StoreError> {
        replace_private(path, key.to_hex().as_bytes())?;
        Ok(Pseudonymizer::from_key(key))
    }

    /// Loads the key file, creating it with a fresh random key if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Pseudonymizer, StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|e| StoreError::BadSecret {
                    path: path.to_owned(),
                    reason: e.to_string(),
                })?;
                let key: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| StoreError::BadSecret {
                    path: path.to_owned(),
                    reason: format!("expected {KEY_BYTES} bytes of hex"),
                })?;
                Ok(Pseudonymizer { key })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; KEY_BYTES];
                getrandom::fill(&mut key).map_err(|e| StoreError::BadSecret {
                    path: path.to_owned(),
                    reason: format!("no randomness from the system: {e}"),
                })?;
                if create_private_once(path, hex::encode(key).as_bytes())? {
                    Ok(Pseudonymizer { key })
                } else {
                    // Another process opening the same new store created the key first:
                    // use that one, or the two would pseudonymise differently.
                    Pseudonymizer::load_or_create(path)
                }
            }
            Err(e) => Err(StoreError::Io {
                path: path.to_owned(),
                source: e,
            }),
        }
    }

    /// The pseudonym of one author: from the id when there is one (names change), else
    /// from the name; `None` for an empty author.
    pub fn pseudonym(&self, author: &AuthorRef) -> Option<String> {
        let (kind, value) = match (&author.id, &author.name) {
            (Some(id), _) => ("id", id.as_str()),
            (None, Some(name)) => ("name", name.trim()),
            (None, None) => return None,
        };
        self.keyed("anon-", kind, value)
    }

    /// The pseudonym of a private chat (a personal chat is named after a private person):
    /// from the chat's id when there is one, else its name, so that every message of one
    /// chat, across exports, keeps one name. Shown as `anon-chat-<16 hex>`, and never equal
    /// to an author's pseudonym of the same id or name.
    pub fn chat_pseudonym(&self, chat: &ChatRef) -> Option<String> {
        let (kind, value) = match (&chat.id, &chat.name) {
            (Some(id), _) => ("chat-id", id.as_str()),
            (None, Some(name)) => ("chat-name", name.trim()),
            (None, None) => return None,
        };
        self.keyed("anon-chat-", kind, value)
    }

    fn keyed(&self, prefix: &str, kind: &str, value: &str) -> Option<String> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        Some(format!("{prefix}{}", hex::encode(&digest[..8])))
    }
}

/// Writes `bytes` to a new, uniquely named file beside `path` (mode 0600, synced) and
/// returns its path, so that the key file itself only ever appears whole.
fn write_private_temporary(path: &Path, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    let mut unique = [0u8; 8];
    getrandom::fill(&mut unique).map_err(|e| StoreError::BadSecret {
        path: path.to_owned(),
        reason: format!("no randomness from the system: {e}"),
    })?;
    let tmp = path.with_extension(format!("tmp-{}", hex::encode(unique)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(StoreError::Io {
                path: tmp,
                source: e,
            })
        }
    }
}

/// Writes `bytes` to `path` (owner only), replacing what is there.
fn replace_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = write_private_temporary(path, bytes)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        StoreError::Io {
            path: path.to_owned(),
            source: e,
        }
    })
}

/// Writes `bytes` to `path` (owner only) unless `path` exists: of two processes racing to
/// create it exactly one wins (a hard link fails when its target exists, where a rename
/// would replace it). Returns whether this call created it.
fn create_private_once(path: &Path, bytes: &[u8]) -> Result<bool, StoreError> {
    let tmp = write_private_temporary(path, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(StoreError::Io {
            path: path.to_owned(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_creating_a_store_at_once_share_one_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret.key");
        let keys: Vec<[u8; KEY_BYTES]> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| Pseudonymizer::load_or_create(&path).expect("key").key))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]), "keys differ");
        let on_disk = Pseudonymizer::load_or_create(&path).expect("key").key;
        assert_eq!(on_disk, keys[0]);
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .collect();
        assert_eq!(left.len(), 1, "temporary files left behind");
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_prefer_ids() {
        let a = Pseudonymizer::with_key([1; 32]);
        let b = Pseudonymizer::with_key([2; 32]);
        let author = AuthorRef {
            id: Some("user42".into()),
            name: Some("Айбек".into()),
        };
        let renamed = AuthorRef {
            id: Some("user42".into()),
            name: Some("Aibek".into()),
        };
        assert_eq!(a.pseudonym(&author), a.pseudonym(&renamed));
        assert_ne!(a.pseudonym(&author), b.pseudonym(&author));
        let p = a.pseudonym(&author).expect("pseudonym");
        assert!(p.starts_with("anon-") && p.len() == 21 && !p.contains("Айбек"));
        assert_eq!(a.pseudonym(&AuthorRef::default()), None);
    }

    #[test]
    fn chat_pseudonyms_are_stable_keyed_and_apart_from_authors() {
        let a = Pseudonymizer::with_key([1; 32]);
        let b = Pseudonymizer::with_key([2; 32]);
        let chat = ChatRef {
            id: Some("4242".into()),
            name: Some("Айгуль".into()),
            kind: Some("personal_chat".into()),
        };
        let renamed = ChatRef {
            name: Some("Aigul".into()),
            ..chat.clone()
        };
        let p = a.chat_pseudonym(&chat).expect("pseudonym");
        assert_eq!(Some(&p), a.chat_pseudonym(&renamed).as_ref());
        assert_ne!(Some(&p), b.chat_pseudonym(&chat).as_ref());
        assert!(p.starts_with("anon-chat-") && p.len() == 26 && !p.contains("Айгуль"));
        let same_id_author = AuthorRef {
            id: Some("4242".into()),
            name: None,
        };
        assert_ne!(a.pseudonym(&same_id_author), Some(p.clone()));
        let by_name = ChatRef {
            id: None,
            ..chat.clone()
        };
        assert_eq!(
            a.chat_pseudonym(&by_name),
            a.chat_pseudonym(&ChatRef {
                name: Some(" Айгуль ".into()),
                ..by_name.clone()
            })
        );
        assert_eq!(a.chat_pseudonym(&ChatRef::default()), None);
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("secret.key");
        let first = Pseudonymizer::load_or_create(&path).expect("create");
        let again = Pseudonymizer::load_or_create(&path).expect("load");
        let author = AuthorRef {
            id: None,
            name: Some("x".into()),
        };
        assert_eq!(first.pseudonym(&author), again.pseudonym(&author));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").expect("write");
        let err = Pseudonymizer::load_or_create(&path).expect_err("bad key");
        assert!(err.to_string().contains("pseudonym key is unreadable"));
    }
}
