//! The audit log: every write, who made it, what and when; append-only,
//! each entry chained to the one before by SHA-256 so that an altered or
//! removed entry shows.
//!
//! `entry_hash = SHA-256(prev_hash || seq || at || actor || action || subject || detail)`
//! where `prev_hash` is the previous entry's `entry_hash` as 64 hex digits
//! (64 zeros before the first), `seq` and `at` are 8-byte big-endian and each
//! text is its UTF-8 length as 4-byte big-endian followed by its bytes. The
//! `head` row holds the last seq and hash, so a removed last entry shows too.
//!
//! Entries never hold PINs, keys or hash values: ids and counts only.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::Result;
use crate::secrets::to_hex;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Entries read per query while verifying.
const VERIFY_PAGE: i64 = 10_000;

/// Who made a write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The person holding a case's number and PIN.
    Case,
    /// A platform, by name.
    Platform(String),
    /// An operator at the command line.
    Operator,
    /// The bank itself (e.g. a suspension).
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Case => f.write_str("case"),
            Actor::Platform(name) => write!(f, "platform:{name}"),
            Actor::Operator => f.write_str("operator"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// One entry's fields, without its chain hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3, ... with no gap.
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// `case`, `platform:<name>`, `operator` or `system`.
    pub actor: String,
    /// What was done, e.g. `case.create`.
    pub action: String,
    /// What it was done to, e.g. `case:123`.
    pub subject: String,
    /// Counts and ids, as short text.
    pub detail: String,
}

/// The chain hash of `entry` after an entry whose hash is `prev_hash`.
pub fn entry_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(entry.seq.to_be_bytes());
    hasher.update(entry.at.to_be_bytes());
    for text in [&entry.actor, &entry.action, &entry.subject, &entry.detail] {
        hasher.update((text.len() as u32).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    to_hex(&hasher.finalize())
}

/// What `hashbank audit verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditVerdict {
    /// Every entry is there and unaltered.
    Intact {
        /// Entries checked.
        entries: i64,
    },
    /// The first entry found missing or altered.
    Broken {
        /// Its sequence number.
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

type AuditRow = (i64, i64, String, String, String, String, String, String);

/// Walks the whole chain.
pub async fn verify(db: &Db) -> Result<AuditVerdict> {
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT audit_seq, audit_hash FROM head WHERE id = 1")
            .fetch_one(&db.pool)
            .await?;
    let mut prev_seq = 0;
    let mut prev_hash = GENESIS_HASH.to_string();
    loop {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, entry_hash \
             FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(prev_seq)
        .bind(VERIFY_PAGE)
        .fetch_all(&db.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for (seq, at, actor, action, subject, detail, stored_prev, stored_hash) in rows {
            if seq != prev_seq + 1 {
                return Ok(AuditVerdict::Broken {
                    seq: prev_seq + 1,
                    reason: format!("entry {} is missing (the next is {seq})", prev_seq + 1),
                });
            }
            if stored_prev != prev_hash {
                return Ok(AuditVerdict::Broken {
                    seq,
                    reason: format!("entry {seq} does not chain to entry {prev_seq}"),
                });
            }
            let entry = AuditEntry {
                seq,
                at,
                actor,
                action,
                subject,
                detail,
            };
            if entry_hash(&prev_hash, &entry) != stored_hash {
                return Ok(AuditVerdict::Broken {
                    seq,
                    reason: format!("entry {seq} was altered (its hash does not match)"),
                });
            }
            prev_seq = seq;
            prev_hash = stored_hash;
        }
    }
    if prev_seq < head_seq {
        return Ok(AuditVerdict::Broken {
            seq: prev_seq + 1,
            reason: format!(
                "entries {} to {head_seq} are missing (the log ends at {prev_seq})",
                prev_seq + 1
            ),
        });
    }
    if prev_seq > head_seq || prev_hash != head_hash {
        return Ok(AuditVerdict::Broken {
            seq: prev_seq,
            reason: format!("entry {prev_seq} does not match the last entry the bank recorded"),
        });
    }
    Ok(AuditVerdict::Intact { entries: prev_seq })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_every_field() {
        let entry = AuditEntry {
            seq: 1,
            at: 2,
            actor: "operator".into(),
            action: "platform.add".into(),
            subject: "platform:1".into(),
            detail: "name=a".into(),
        };
        let base = entry_hash(GENESIS_HASH, &entry);
        assert_eq!(base.len(), 64);
        let mut other = entry.clone();
        other.detail = "name=b".into();
        assert_ne!(entry_hash(GENESIS_HASH, &other), base);
        // Field boundaries count: "ab"+"c" differs from "a"+"bc".
        let mut a = entry.clone();
        a.action = "ab".into();
        a.subject = "c".into();
        let mut b = entry.clone();
        b.action = "a".into();
        b.subject = "bc".into();
        assert_ne!(entry_hash(GENESIS_HASH, &a), entry_hash(GENESIS_HASH, &b));
        assert_ne!(entry_hash(&base, &entry), base);
    }
}
