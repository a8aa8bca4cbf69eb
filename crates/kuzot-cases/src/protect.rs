//! Protection of the persons in the registry: envelope encryption and keyed blind indexes.
//!
//! - The **key-encryption key** (KEK, 32 random bytes) lives in a key file kept apart from
//!   the data directory and the database ([`KeyEncryptionKey::create_file`] refuses to
//!   write it inside the data directory). A copy of the database alone opens nothing.
//! - **Data keys** are random, wrapped by the KEK with XChaCha20-Poly1305 and stored in
//!   the database under a key id; the AAD of the wrapping binds the key id, so a wrapped
//!   key cannot be passed off as another.
//! - **Personal fields** are sealed with a data key (XChaCha20-Poly1305, a random 192-bit
//!   nonce per value, so random nonces never repeat in practice). The AAD binds the table,
//!   the row's unique id and the field's name: ciphertext moved to another row or field
//!   fails to open instead of showing another person's data.
//! - **Blind indexes**: a key derived from the KEK with HKDF-SHA256 (its own label, so it
//!   is independent of the wrapping) keys HMAC-SHA256 over the name forms the matcher
//!   blocks on ([`crate::name_match::blocking_forms`]). The database keeps only these
//!   tokens, so a search by name finds its candidates without decrypting every person.
//!   Tokens are cut to [`BLIND_TOKEN_BYTES`] (see there for why).
//!
//! What the tokens still reveal to someone holding the database but not the key: which
//! persons share a name form (equal tokens), and how many forms a name has. That is the
//! price of searching without the key; the forms themselves, and so the names, stay hidden.
//!
//! Key material is zeroized when dropped ([`zeroize::Zeroizing`]).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::hmac::{Hmac, Mac};
use sha2_hkdf::Sha256;
use zeroize::Zeroizing;

use crate::name_match::{BlockingForm, PersonRecord, blocking_forms, prepare};

/// The first word of a key file: what it is and in which format.
const KEY_FILE_MAGIC: &str = "kuzot-cases-kek-v1";

/// HKDF labels: each derived key has its own, so none can stand in for another.
const BLIND_INDEX_LABEL: &[u8] = b"kuzot-cases blind index v1";
const KEY_ID_LABEL: &[u8] = b"kuzot-cases key id v1";

/// The AAD prefix of a wrapped data key and of a sealed field.
const WRAP_AAD: &str = "kuzot-cases/data-key/v1";
const FIELD_AAD: &str = "kuzot-cases/field/v1";

/// The format byte in front of every sealed value (nonce, then ciphertext and tag).
const SEALED_FORMAT: u8 = 1;
const NONCE_BYTES: usize = 24;

/// Bytes kept of each blind-index HMAC. A token only chooses candidates, which are then
/// decrypted and scored, so a collision between two different name forms costs one
/// wasted comparison, never a wrong answer: 64 bits make a collision among even ten
/// million distinct forms unlikely (about 1 in 400,000), and half the length of 128 bits
/// keeps the token index (the registry's largest table) small.
pub const BLIND_TOKEN_BYTES: usize = 8;

/// What protection could not do, naming the key file or key id concerned.
#[derive(Debug, thiserror::Error)]
pub enum ProtectError {
    /// No key file where the settings say.
    #[error(
        "the cases key file {path} does not exist: the registry's personal data is sealed with \
         it. Give the path of the key file the registry was created with ([cases] key_file or \
         KUZOT_CASES_KEY_FILE), or, for a new registry, create one with `kuzot cases init-key PATH`"
    )]
    KeyFileMissing {
        /// The key file.
        path: PathBuf,
    },
    /// The key file is there but unusable.
    #[error("the cases key file {path} is not usable: {reason}")]
    KeyFileUnusable {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `init-key` would overwrite a key.
    #[error(
        "{path} already exists; a key file is never overwritten (the data sealed with it would be lost)"
    )]
    KeyFileExists {
        /// The key file.
        path: PathBuf,
    },
    /// `init-key` was asked to write the key beside the data it protects.
    #[error(
        "{path} is inside the data directory {data_dir}: the key must be kept apart from the \
         data it protects (another disk, a secrets mount), or a copy of the data directory \
         carries the key with it"
    )]
    KeyFileInsideData {
        /// The key file.
        path: PathBuf,
        /// The data directory.
        data_dir: PathBuf,
    },
    /// The key does not open the data keys stored in the registry.
    #[error(
        "this key does not open the registry's data keys: the key file {path} holds key id \
         {key_id}, but data key {data_key_id} was wrapped by key id {wrapped_by}. Use the key \
         file the registry was created with; nothing was read or written"
    )]
    WrongKey {
        /// The key file.
        path: PathBuf,
        /// The id of the key in the file.
        key_id: String,
        /// The data key that did not open.
        data_key_id: String,
        /// The id of the key that wrapped it.
        wrapped_by: String,
    },
    /// A sealed value did not open: altered, moved from another row or field, or damaged.
    #[error(
        "the sealed field {field} of {table} row {row} does not open: it was altered, moved \
         from another row or field, or damaged"
    )]
    FieldDoesNotOpen {
        /// The table.
        table: String,
        /// The field.
        field: String,
        /// The row's unique id (hex).
        row: String,
    },
    /// A row names a data key the registry does not hold.
    #[error("the data key {0} is not in the registry")]
    UnknownDataKey(String),
    /// A sealed value's plaintext is not what the field holds.
    #[error("the sealed field {field} holds no valid value: {reason}")]
    BadPlaintext {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// The operating system gave no random bytes.
    #[error("no random bytes from the operating system: {0}")]
    NoRandomness(String),
}

fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, ProtectError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(&mut bytes[..]).map_err(|e| ProtectError::NoRandomness(e.to_string()))?;
    Ok(bytes)
}

/// A fresh unique id for a registry row: the AAD of its sealed fields binds it.
pub fn new_row_uid() -> Result<[u8; 16], ProtectError> {
    Ok(*random::<16>()?)
}

/// The key-encryption key, read from its key file.
pub struct KeyEncryptionKey {
    bytes: Zeroizing<[u8; 32]>,
    path: PathBuf,
    id: String,
}

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEncryptionKey")
            .field("path", &self.path)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn derive(kek: &[u8; 32], label: &[u8]) -> Zeroizing<[u8; 32]> {
    let hkdf = hkdf::Hkdf::<Sha256>::new(None, kek);
    let mut out = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit of 255 blocks: expand cannot fail.
    if hkdf.expand(label, &mut out[..]).is_err() {
        unreachable!("HKDF-SHA256 expands 32 bytes");
    }
    out
}

impl KeyEncryptionKey {
    fn from_bytes(bytes: Zeroizing<[u8; 32]>, path: PathBuf) -> KeyEncryptionKey {
        let id_bytes = derive(&bytes, KEY_ID_LABEL);
        let id = format!("kek-{}", hex::encode(&id_bytes[..6]));
        KeyEncryptionKey { bytes, path, id }
    }

    /// Creates a new key file at `path` (mode 0600, never overwriting one), refusing a path
    /// inside any of `data_dirs` (the data directory, the store's directory). Returns the key.
    pub fn create_file(path: &Path, data_dirs: &[&Path]) -> Result<KeyEncryptionKey, ProtectError> {
        let unusable = |reason: String| ProtectError::KeyFileUnusable {
            path: path.to_owned(),
            reason,
        };
        if let Some(data_dir) = data_dirs.iter().find(|dir| is_inside(path, dir)) {
            return Err(ProtectError::KeyFileInsideData {
                path: path.to_owned(),
                data_dir: data_dir.to_path_buf(),
            });
        }
        let bytes = random::<32>()?;
        let text = Zeroizing::new(format!("{KEY_FILE_MAGIC} {}\n", hex::encode(&bytes[..])));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                ProtectError::KeyFileExists {
                    path: path.to_owned(),
                }
            } else {
                unusable(e.to_string())
            }
        })?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| unusable(e.to_string()))?;
        Ok(KeyEncryptionKey::from_bytes(bytes, path.to_owned()))
    }

    /// Reads the key file at `path`.
    pub fn load(path: &Path) -> Result<KeyEncryptionKey, ProtectError> {
        let unusable = |reason: &str| ProtectError::KeyFileUnusable {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProtectError::KeyFileMissing {
                    path: path.to_owned(),
                });
            }
            Err(e) => return Err(unusable(&e.to_string())),
        };
        let mut words = text.split_whitespace();
        if words.next() != Some(KEY_FILE_MAGIC) {
            return Err(unusable(&format!(
                "it does not start with {KEY_FILE_MAGIC:?}; it is not a kuzot cases key file"
            )));
        }
        let hex_key = words
            .next()
            .ok_or_else(|| unusable("the key is missing after the first word"))?;
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(hex_key, &mut bytes[..])
            .map_err(|_| unusable("the key is not 64 hexadecimal digits"))?;
        if words.next().is_some() {
            return Err(unusable("unexpected text after the key"));
        }
        Ok(KeyEncryptionKey::from_bytes(bytes, path.to_owned()))
    }

    /// The key's id: a one-way fingerprint that names it in messages and beside the data
    /// keys it wrapped, never the key itself.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(*self.bytes))
    }
}

/// Whether `path` lies inside `dir`, comparing the real locations (symbolic links and
/// `..` resolved) of the folders that exist.
fn is_inside(path: &Path, dir: &Path) -> bool {
    let real = |p: &Path| -> PathBuf {
        // The file itself need not exist yet: resolve the nearest existing ancestor and
        // keep the rest as written.
        let mut existing = p.to_owned();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_owned());
                    existing = parent.to_owned();
                }
                _ => break,
            }
        }
        let mut resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
        if resolved.as_os_str().is_empty() {
            resolved = std::env::current_dir().unwrap_or_default();
        }
        for name in rest.into_iter().rev() {
            resolved.push(name);
        }
        resolved
    };
    real(path).starts_with(real(dir))
}

/// A data key as the database keeps it: wrapped by the KEK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedDataKey {
    /// The data key's id (`dk-` and 16 hex digits).
    pub key_id: String,
    /// The id of the KEK that wrapped it.
    pub wrapped_by: String,
    /// Nonce, ciphertext and tag.
    pub wrapped: Vec<u8>,
}

/// Which sealed value: the table, the row's unique id and the field. Bound into the AAD.
#[derive(Debug, Clone, Copy)]
pub struct FieldRef<'a> {
    /// The table, e.g. `case_persons`.
    pub table: &'a str,
    /// The row's unique id.
    pub uid: &'a [u8],
    /// The field, e.g. `names`.
    pub field: &'a str,
}

impl FieldRef<'_> {
    fn aad(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64);
        // Lengths before each part: no two (table, uid, field) give the same bytes.
        for part in [
            FIELD_AAD.as_bytes(),
            self.table.as_bytes(),
            self.uid,
            self.field.as_bytes(),
        ] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part);
        }
        aad
    }
}

/// Blind-index tokens of a person's names: those of the usual readings and those of the
/// split readings, kept apart as the matcher keeps its blocking keys apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameTokens {
    /// Tokens of the words' usual forms.
    pub usual: Vec<[u8; BLIND_TOKEN_BYTES]>,
    /// Tokens of the words' split-reading skeletons.
    pub split: Vec<[u8; BLIND_TOKEN_BYTES]>,
}

/// The registry's keys once opened: the data keys unwrapped and the blind-index key.
pub struct Vault {
    kek_id: String,
    key_file: PathBuf,
    data_keys: HashMap<String, XChaCha20Poly1305>,
    current: String,
    blind_key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("kek_id", &self.kek_id)
            .field("key_file", &self.key_file)
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

fn wrap_aad(key_id: &str) -> Vec<u8> {
    format!("{WRAP_AAD}\0{key_id}").into_bytes()
}

fn seal_with(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, ProtectError> {
    let nonce = random::<NONCE_BYTES>()?;
    let sealed = cipher
        .encrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| ProtectError::BadPlaintext {
            field: String::from_utf8_lossy(aad).into_owned(),
            reason: "too long to seal".into(),
        })?;
    let mut out = Vec::with_capacity(1 + NONCE_BYTES + sealed.len());
    out.push(SEALED_FORMAT);
    out.extend_from_slice(&nonce[..]);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// `None` when the value is malformed or does not authenticate.
fn open_with(cipher: &XChaCha20Poly1305, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (&format, rest) = sealed.split_first()?;
    if format != SEALED_FORMAT || rest.len() < NONCE_BYTES {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
    cipher
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

impl Vault {
    /// Unwraps the registry's data keys with `kek`. When the registry holds none yet,
    /// makes the first and returns it for the caller to store. Every stored key must open:
    /// one that does not means a wrong key file, and nothing is returned to write with.
    pub fn unlock(
        kek: &KeyEncryptionKey,
        stored: &[WrappedDataKey],
    ) -> Result<(Vault, Option<WrappedDataKey>), ProtectError> {
        let wrapper = kek.cipher();
        let mut data_keys = HashMap::new();
        for key in stored {
            let opened = open_with(&wrapper, &wrap_aad(&key.key_id), &key.wrapped)
                .filter(|bytes| bytes.len() == 32)
                .ok_or_else(|| ProtectError::WrongKey {
                    path: kek.path.clone(),
                    key_id: kek.id.clone(),
                    data_key_id: key.key_id.clone(),
                    wrapped_by: key.wrapped_by.clone(),
                })?;
            let mut bytes = Zeroizing::new([0u8; 32]);
            bytes.copy_from_slice(&opened);
            data_keys.insert(
                key.key_id.clone(),
                XChaCha20Poly1305::new(&Key::from(*bytes)),
            );
        }
        let mut created = None;
        // The newest stored key seals new values (ids sort by creation only by chance, so
        // the caller gives them in creation order).
        let current = match stored.last() {
            Some(key) => key.key_id.clone(),
            None => {
                let bytes = random::<32>()?;
                let key_id = format!("dk-{}", hex::encode(*random::<8>()?));
                let wrapped = seal_with(&wrapper, &wrap_aad(&key_id), &bytes[..])?;
                data_keys.insert(key_id.clone(), XChaCha20Poly1305::new(&Key::from(*bytes)));
                created = Some(WrappedDataKey {
                    key_id: key_id.clone(),
                    wrapped_by: kek.id.clone(),
                    wrapped,
                });
                key_id
            }
        };
        let vault = Vault {
            kek_id: kek.id.clone(),
            key_file: kek.path.clone(),
            data_keys,
            current,
            blind_key: derive(&kek.bytes, BLIND_INDEX_LABEL),
        };
        Ok((vault, created))
    }

    /// The id of the data key new values are sealed with.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// The id of the KEK that opened this vault.
    pub fn kek_id(&self) -> &str {
        &self.kek_id
    }

    /// The key file the KEK came from.
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// Seals `plaintext` for the field `at` with the current data key.
    pub fn seal(&self, at: FieldRef<'_>, plaintext: &[u8]) -> Result<Vec<u8>, ProtectError> {
        let cipher = self
            .data_keys
            .get(&self.current)
            .ok_or_else(|| ProtectError::UnknownDataKey(self.current.clone()))?;
        seal_with(cipher, &at.aad(), plaintext)
    }

    /// Opens the value sealed for the field `at` under the data key `key_id`.
    pub fn open(
        &self,
        key_id: &str,
        at: FieldRef<'_>,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, ProtectError> {
        let cipher = self
            .data_keys
            .get(key_id)
            .ok_or_else(|| ProtectError::UnknownDataKey(key_id.to_owned()))?;
        open_with(cipher, &at.aad(), sealed).ok_or_else(|| ProtectError::FieldDoesNotOpen {
            table: at.table.to_owned(),
            field: at.field.to_owned(),
            row: hex::encode(at.uid),
        })
    }

    /// Seals a value as JSON.
    pub fn seal_json<T: serde::Serialize>(
        &self,
        at: FieldRef<'_>,
        value: &T,
    ) -> Result<Vec<u8>, ProtectError> {
        let json =
            Zeroizing::new(
                serde_json::to_vec(value).map_err(|e| ProtectError::BadPlaintext {
                    field: at.field.to_owned(),
                    reason: e.to_string(),
                })?,
            );
        self.seal(at, &json)
    }

    /// Opens a value sealed as JSON.
    pub fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        key_id: &str,
        at: FieldRef<'_>,
        sealed: &[u8],
    ) -> Result<T, ProtectError> {
        let json = self.open(key_id, at, sealed)?;
        serde_json::from_slice(&json).map_err(|e| ProtectError::BadPlaintext {
            field: at.field.to_owned(),
            reason: e.to_string(),
        })
    }

    fn token(&self, kind: BlockingForm, form: &str) -> [u8; BLIND_TOKEN_BYTES] {
        let mut mac =
            match <Hmac<Sha256> as hkdf::hmac::KeyInit>::new_from_slice(&self.blind_key[..]) {
                Ok(mac) => mac,
                Err(_) => unreachable!("HMAC takes a key of any length"),
            };
        mac.update(&[kind.tag()]);
        mac.update(form.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut token = [0u8; BLIND_TOKEN_BYTES];
        token.copy_from_slice(&full[..BLIND_TOKEN_BYTES]);
        token
    }

    /// The blind-index tokens of a set of names: the keyed forms the matcher blocks on.
    pub fn name_tokens(&self, names: &[String]) -> NameTokens {
        let prepared = prepare(PersonRecord {
            names: names.to_vec(),
            ..PersonRecord::default()
        });
        let forms = blocking_forms(&prepared);
        let keyed = |forms: &[(BlockingForm, String)]| {
            let mut tokens: Vec<[u8; BLIND_TOKEN_BYTES]> = forms
                .iter()
                .map(|(kind, form)| self.token(*kind, form))
                .collect();
            tokens.sort_unstable();
            tokens.dedup();
            tokens
        };
        NameTokens {
            usual: keyed(&forms.usual),
            split: keyed(&forms.split),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(dir: &Path, name: &str) -> KeyEncryptionKey {
        KeyEncryptionKey::create_file(&dir.join(name), &[&dir.join("data")]).expect("key")
    }

    #[test]
    fn a_field_opens_only_where_it_was_sealed() {
        let dir = tempfile::tempdir().expect("dir");
        let kek = key(dir.path(), "k");
        let (vault, created) = Vault::unlock(&kek, &[]).expect("vault");
        let created = created.expect("a first data key");
        let at = FieldRef {
            table: "case_persons",
            uid: &[1; 16],
            field: "names",
        };
        let sealed = vault
            .seal(at, "Жаныбек Тологонов".as_bytes())
            .expect("seal");
        let id = vault.current_key_id().to_owned();
        assert_eq!(
            &vault.open(&id, at, &sealed).expect("open")[..],
            "Жаныбек Тологонов".as_bytes()
        );
        let other_row = FieldRef {
            uid: &[2; 16],
            ..at
        };
        let other_field = FieldRef {
            field: "notes",
            ..at
        };
        assert!(matches!(
            vault.open(&id, other_row, &sealed),
            Err(ProtectError::FieldDoesNotOpen { .. })
        ));
        assert!(matches!(
            vault.open(&id, other_field, &sealed),
            Err(ProtectError::FieldDoesNotOpen { .. })
        ));
        let mut flipped = sealed.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        assert!(vault.open(&id, at, &flipped).is_err());

        // The same key file opens the stored data key again; another key does not.
        let again = KeyEncryptionKey::load(&dir.path().join("k")).expect("load");
        let (reopened, none) =
            Vault::unlock(&again, std::slice::from_ref(&created)).expect("reopen");
        assert!(none.is_none());
        assert_eq!(
            reopened.name_tokens(&["Тологонов".into()]),
            vault.name_tokens(&["Тологонов".into()])
        );
        let stranger = key(dir.path(), "other");
        let error = Vault::unlock(&stranger, &[created]).expect_err("wrong key");
        let message = error.to_string();
        assert!(
            message.contains("does not open the registry's data keys"),
            "{message}"
        );
        assert!(
            message.contains(stranger.id()) && message.contains(kek.id()),
            "{message}"
        );
    }

    #[test]
    fn key_files_are_private_never_overwritten_and_never_in_the_data_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        let path = dir.path().join("cases.key");
        KeyEncryptionKey::create_file(&path, &[&data]).expect("create");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let before = std::fs::read(&path).expect("read");
        assert!(matches!(
            KeyEncryptionKey::create_file(&path, &[&data]),
            Err(ProtectError::KeyFileExists { .. })
        ));
        assert_eq!(std::fs::read(&path).expect("read"), before);
        for inside in [
            data.join("cases.key"),
            data.join("sub/../cases.key"),
            dir.path().join("./data/x.key"),
        ] {
            assert!(
                matches!(
                    KeyEncryptionKey::create_file(&inside, &[&data]),
                    Err(ProtectError::KeyFileInsideData { .. })
                ),
                "{}",
                inside.display()
            );
        }
        assert!(!data.join("cases.key").exists());
        let missing = KeyEncryptionKey::load(&dir.path().join("nope.key")).expect_err("missing");
        assert!(missing.to_string().contains("nope.key"));
        std::fs::write(dir.path().join("bad.key"), "kuzot-cases-kek-v1 zz\n").expect("write");
        assert!(matches!(
            KeyEncryptionKey::load(&dir.path().join("bad.key")),
            Err(ProtectError::KeyFileUnusable { .. })
        ));
    }

    #[test]
    fn spellings_share_blind_tokens_and_other_keys_give_other_tokens() {
        let dir = tempfile::tempdir().expect("dir");
        let (vault, _) = Vault::unlock(&key(dir.path(), "a"), &[]).expect("vault");
        let (other, _) = Vault::unlock(&key(dir.path(), "b"), &[]).expect("vault");
        let cyrillic = vault.name_tokens(&["Жоробеков Алмазбек".into()]);
        let latin = vault.name_tokens(&["Jorobekov Almazbek".into()]);
        assert!(cyrillic.usual.iter().any(|t| latin.usual.contains(t)));
        let elsewhere = other.name_tokens(&["Jorobekov Almazbek".into()]);
        assert!(!elsewhere.usual.iter().any(|t| latin.usual.contains(t)));
    }
}
