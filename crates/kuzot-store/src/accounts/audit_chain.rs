//! The hash chain that makes the audit log tamper-evident, the same on both backends.
//!
//! Every entry stores `hash = SHA-256(prev_hash || encoding(id, at, actor, action, detail))`
//! as 64 lowercase hex digits, where `prev_hash` is the 32 bytes of the entry before it
//! (by id) and, for the first entry, [`GENESIS`] (32 zero bytes). The encoding is
//! unambiguous: the ASCII tag `kuzot-audit-v1`, the id as 8 bytes big-endian (two's
//! complement), then each of `at`, `actor`, `action`, `detail` as its UTF-8 length in 8
//! bytes big-endian followed by its bytes. No two different entries encode alike, so no
//! field can be moved into its neighbour without changing the hash.
//!
//! A one-row chain head (`audit_chain` on SQLite, `accounts_audit_chain` on PostgreSQL)
//! records the id and hash of the last entry. Appends take a lock that serialises every
//! appender (SQLite's write lock, a row lock on the head on PostgreSQL), give the new
//! entry the id after the head's, and move the head in the same transaction. So the ids
//! of entries written under the chain have no gaps, and the verifier finds:
//! - an edited entry: its hash no longer follows from its content and the one before;
//! - a deleted entry: a missing id (or, for entries from before the chain, the next
//!   entry's hash not following);
//! - a deleted tail: the head names a later entry than the log holds;
//! - an entry added by hand: an id beyond the head.
//!
//! Entries already in a log when the chain was introduced (by the migration that adds it)
//! are chained in id order at that moment, and the head remembers the last of them
//! (`preexisting_through`): the chain shows they were not changed after the migration, but
//! cannot show that nobody edited them before it. Their ids may have gaps from before.
//!
//! What a chain inside the database cannot stop: someone with write access who recomputes
//! every hash after an edit and moves the head. Against that, note the head that
//! `kuzot audit verify` prints somewhere else (a notebook, a message to a colleague): an
//! entry whose noted hash changed shows that the log was rewritten.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry: 32 zero bytes.
pub const GENESIS: [u8; 32] = [0; 32];

/// Tag at the start of every encoded entry: the version of the encoding.
const ENCODING_TAG: &[u8] = b"kuzot-audit-v1";

/// The hash of one entry, chained from the one before.
pub fn entry_hash(
    prev: &[u8; 32],
    id: i64,
    at: &str,
    actor: &str,
    action: &str,
    detail: &str,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(ENCODING_TAG);
    hasher.update(id.to_be_bytes());
    for field in [at, actor, action, detail] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// A stored hash (64 hex digits) as bytes; `None` when it is not one.
pub fn parse_hash(hex_digits: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut out).ok()?;
    Some(out)
}

/// The chain head as stored: the last entry's id and hash, and where the chain began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Id of the last entry (0 for an empty log).
    pub last_id: i64,
    /// Hash of the last entry (hex), or of [`GENESIS`] for an empty log.
    pub last_hash: String,
    /// Id of the last entry that was already in the log when the chain was introduced
    /// (0 when the log was chained from its start).
    pub preexisting_through: i64,
    /// When the chain was introduced (RFC 3339).
    pub chained_at: String,
}

/// The result of checking the audit log's chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditChainStatus {
    /// Every entry follows from the one before and the head names the last one.
    Intact {
        /// Entries checked.
        entries: u64,
        /// Id of the last entry (0 for an empty log).
        head_id: i64,
        /// Hash of the last entry (hex): note it elsewhere to catch a rewrite later.
        head_hash: String,
        /// Entries up to this id were chained when the chain was introduced, not as
        /// they were written (0 when the whole log was written chained).
        preexisting_through: i64,
        /// When the chain was introduced (RFC 3339).
        chained_at: String,
    },
    /// The first entry where the chain breaks.
    Broken(AuditChainBreak),
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditChainBreak {
    /// Id of the first broken (or missing) entry.
    pub id: i64,
    /// Its time as stored, when the entry is there (RFC 3339).
    pub at: Option<String>,
    /// What is wrong.
    pub problem: AuditChainProblem,
}

/// What is wrong with the first broken entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditChainProblem {
    /// The stored hash does not follow from the entry's content and the entry before it:
    /// the entry was edited, or one before it (from before the chain) was deleted.
    HashMismatch,
    /// The stored hash is not 64 hex digits.
    MalformedHash,
    /// The entry is missing: ids written under the chain have no gaps.
    Missing,
    /// The entries from this id to the head's were deleted (the tail of the log).
    TailMissing {
        /// The last id the head records.
        head_id: i64,
    },
    /// The entry has an id beyond the chain head: it was added without the chain.
    BeyondHead {
        /// The last id the head records.
        head_id: i64,
    },
    /// The head records another hash for its last entry than the entry has.
    HeadMismatch,
    /// The chain head row is missing.
    NoHead,
}

impl std::fmt::Display for AuditChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}", self.id)?;
        if let Some(at) = &self.at {
            write!(f, " (at {at})")?;
        }
        match &self.problem {
            AuditChainProblem::HashMismatch => write!(
                f,
                ": its hash does not follow from its content and the entry before it (the entry was edited, or an earlier one deleted)"
            ),
            AuditChainProblem::MalformedHash => write!(f, ": its stored hash is not a SHA-256"),
            AuditChainProblem::Missing => write!(f, ": missing (deleted)"),
            AuditChainProblem::TailMissing { head_id } if *head_id == self.id => write!(
                f,
                ": missing, and it is the last entry the chain head records (the end of the log was deleted)"
            ),
            AuditChainProblem::TailMissing { head_id } => write!(
                f,
                ": missing, with every entry after it up to {head_id}, the last one the chain head records (the end of the log was deleted)"
            ),
            AuditChainProblem::BeyondHead { head_id } => write!(
                f,
                ": comes after {head_id}, the last entry the chain head records (added outside kuzot)"
            ),
            AuditChainProblem::HeadMismatch => write!(
                f,
                ": the chain head records another hash for it (the head or the entry was rewritten)"
            ),
            AuditChainProblem::NoHead => write!(f, ": the chain head is missing"),
        }
    }
}

/// Checks entries fed in id order against the chain, stopping at the first break.
#[derive(Debug)]
pub(crate) struct ChainVerifier {
    head: ChainHead,
    prev_hash: [u8; 32],
    prev_id: i64,
    entries: u64,
    broken: Option<AuditChainBreak>,
}

impl ChainVerifier {
    pub(crate) fn new(head: ChainHead) -> ChainVerifier {
        ChainVerifier {
            head,
            prev_hash: GENESIS,
            prev_id: 0,
            entries: 0,
            broken: None,
        }
    }

    /// Whether a break was found (later entries need not be read).
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// Checks the next entry by id.
    pub(crate) fn entry(
        &mut self,
        id: i64,
        at: &str,
        actor: &str,
        action: &str,
        detail: &str,
        stored_hash: &str,
    ) {
        if self.broken.is_some() {
            return;
        }
        let fail = |id: i64, at: Option<&str>, problem| AuditChainBreak {
            id,
            at: at.map(str::to_owned),
            problem,
        };
        if id > self.head.last_id {
            self.broken = Some(fail(
                id,
                Some(at),
                AuditChainProblem::BeyondHead {
                    head_id: self.head.last_id,
                },
            ));
            return;
        }
        // Ids written under the chain follow each other; before it, gaps may be old.
        let preexisting = self.head.preexisting_through;
        if id > preexisting {
            let expected = if self.prev_id < preexisting {
                // The last entry from before the chain is known to have existed.
                preexisting
            } else {
                self.prev_id + 1
            };
            if id != expected {
                self.broken = Some(fail(expected, None, AuditChainProblem::Missing));
                return;
            }
        }
        let Some(stored) = parse_hash(stored_hash) else {
            self.broken = Some(fail(id, Some(at), AuditChainProblem::MalformedHash));
            return;
        };
        let computed = entry_hash(&self.prev_hash, id, at, actor, action, detail);
        if computed != stored {
            self.broken = Some(fail(id, Some(at), AuditChainProblem::HashMismatch));
            return;
        }
        self.prev_hash = computed;
        self.prev_id = id;
        self.entries += 1;
        if id == self.head.last_id && hex::encode(computed) != self.head.last_hash {
            self.broken = Some(fail(id, Some(at), AuditChainProblem::HeadMismatch));
        }
    }

    /// The verdict once every entry was fed.
    pub(crate) fn finish(self) -> AuditChainStatus {
        if let Some(broken) = self.broken {
            return AuditChainStatus::Broken(broken);
        }
        if self.prev_id < self.head.last_id {
            let first_missing = if self.prev_id < self.head.preexisting_through {
                self.head.preexisting_through
            } else {
                self.prev_id + 1
            };
            return AuditChainStatus::Broken(AuditChainBreak {
                id: first_missing,
                at: None,
                problem: AuditChainProblem::TailMissing {
                    head_id: self.head.last_id,
                },
            });
        }
        if self.head.last_id == 0 && self.head.last_hash != hex::encode(GENESIS) {
            return AuditChainStatus::Broken(AuditChainBreak {
                id: 0,
                at: None,
                problem: AuditChainProblem::HeadMismatch,
            });
        }
        AuditChainStatus::Intact {
            entries: self.entries,
            head_id: self.head.last_id,
            head_hash: self.head.last_hash,
            preexisting_through: self.head.preexisting_through,
            chained_at: self.head.chained_at,
        }
    }
}

/// The verdict when the head row is missing although the chain was introduced.
pub(crate) fn no_head() -> AuditChainStatus {
    AuditChainStatus::Broken(AuditChainBreak {
        id: 0,
        at: None,
        problem: AuditChainProblem::NoHead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_after(entries: &[(i64, &str)], preexisting_through: i64) -> (ChainHead, Vec<String>) {
        let mut prev = GENESIS;
        let mut hashes = Vec::new();
        for (id, detail) in entries {
            prev = entry_hash(&prev, *id, "2026-01-02T03:04:05Z", "aida", "label", detail);
            hashes.push(hex::encode(prev));
        }
        let head = ChainHead {
            last_id: entries.last().map_or(0, |e| e.0),
            last_hash: hex::encode(prev),
            preexisting_through,
            chained_at: "2026-01-01T00:00:00Z".into(),
        };
        (head, hashes)
    }

    fn verify(
        head: &ChainHead,
        rows: &[(i64, &str)],
        hashes: &[String],
        skip: Option<i64>,
    ) -> AuditChainStatus {
        let mut v = ChainVerifier::new(head.clone());
        for ((id, detail), hash) in rows.iter().zip(hashes) {
            if Some(*id) != skip {
                v.entry(*id, "2026-01-02T03:04:05Z", "aida", "label", detail, hash);
            }
        }
        v.finish()
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        let a = entry_hash(&GENESIS, 1, "t", "ab", "c", "d");
        let b = entry_hash(&GENESIS, 1, "t", "a", "bc", "d");
        assert_ne!(a, b);
        assert_ne!(a, entry_hash(&GENESIS, 2, "t", "ab", "c", "d"));
        assert_ne!(a, entry_hash(&[1; 32], 1, "t", "ab", "c", "d"));
    }

    #[test]
    fn an_intact_chain_verifies_and_each_kind_of_damage_is_named() {
        let rows = [(1, "document 1"), (2, "document 2"), (3, "document 3")];
        let (head, hashes) = head_after(&rows, 0);
        match verify(&head, &rows, &hashes, None) {
            AuditChainStatus::Intact { entries, .. } => assert_eq!(entries, 3),
            other => panic!("{other:?}"),
        }
        let edited = [(1, "document 1"), (2, "document 9"), (3, "document 3")];
        let AuditChainStatus::Broken(b) = verify(&head, &edited, &hashes, None) else {
            panic!("edit not found")
        };
        assert_eq!((b.id, b.problem), (2, AuditChainProblem::HashMismatch));
        let AuditChainStatus::Broken(b) = verify(&head, &rows, &hashes, Some(2)) else {
            panic!("deletion not found")
        };
        assert_eq!((b.id, b.problem), (2, AuditChainProblem::Missing));
        let AuditChainStatus::Broken(b) = verify(&head, &rows, &hashes, Some(3)) else {
            panic!("truncation not found")
        };
        assert_eq!(
            (b.id, &b.problem),
            (3, &AuditChainProblem::TailMissing { head_id: 3 })
        );
        // Only the last entry is gone: said so, not "every entry after it up to 3".
        let said = b.to_string();
        assert!(
            said.contains("it is the last entry the chain head records"),
            "{said}"
        );
        assert!(!said.contains("up to"), "{said}");
        let (short_head, _) = head_after(&rows[..2], 0);
        let AuditChainStatus::Broken(b) = verify(&short_head, &rows, &hashes, None) else {
            panic!("addition not found")
        };
        assert_eq!(
            (b.id, b.problem),
            (3, AuditChainProblem::BeyondHead { head_id: 2 })
        );
    }

    #[test]
    fn gaps_from_before_the_chain_are_allowed_but_not_after_it() {
        let rows = [(2, "a"), (5, "b"), (6, "c"), (7, "d")];
        let (head, hashes) = head_after(&rows, 5);
        assert!(matches!(
            verify(&head, &rows, &hashes, None),
            AuditChainStatus::Intact { entries: 4, .. }
        ));
        // The last entry from before the chain is known to exist.
        let AuditChainStatus::Broken(b) = verify(&head, &rows, &hashes, Some(5)) else {
            panic!("deletion not found")
        };
        assert_eq!((b.id, b.problem), (5, AuditChainProblem::Missing));
        // An earlier one shows as the next entry's hash not following.
        let AuditChainStatus::Broken(b) = verify(&head, &rows, &hashes, Some(2)) else {
            panic!("deletion not found")
        };
        assert_eq!((b.id, b.problem), (5, AuditChainProblem::HashMismatch));
    }
}
