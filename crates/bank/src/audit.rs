//! The audit log: every write, who made it, what and when; append-only,
//! each entry chained to the one before so that an altered or removed entry
//! shows.
//!
//! `entry_hash = HMAC-SHA256(key, prev_hash || seq || at || actor || action || subject || detail)`
//! where `prev_hash` is the previous entry's `entry_hash` as 64 hex digits
//! (64 zeros before the first), `seq` and `at` are 8-byte big-endian and each
//! text is its UTF-8 length as 4-byte big-endian followed by its bytes. The
//! key lives in a file outside the database ([`AuditKey`]), so someone who
//! can write the database but not read the key cannot make a chain that
//! verifies. Entries written before the bank had a key (below the key's
//! `from`) are chained by plain SHA-256 of the same bytes, as they were
//! written. The `head` row holds the last seq and hash, so a removed last
//! entry shows too; a head the operator kept ([`KeptHead`], from `hashbank
//! audit head`) also catches a log cut back to an earlier entry together
//! with its head row.
//!
//! Entries never hold PINs, keys or hash values: ids and counts only.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::{BankError, Result};
use model::hex as to_hex;

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

/// Bytes of a key.
const KEY_BYTES: usize = 32;

/// The audit log's key: HMAC-SHA256 over every entry from `from` on. Kept in
/// a file outside the database:
///
/// ```text
/// # the hashbank audit key ...
/// key = <64 hex digits>
/// from = <the first entry it seals>
/// ```
#[derive(Clone)]
pub struct AuditKey {
    key: [u8; KEY_BYTES],
    from: i64,
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey {{ from: {} }}", self.from)
    }
}

impl AuditKey {
    /// A new random key sealing entries from `from` on.
    pub fn generate(from: i64) -> AuditKey {
        let mut key = [0u8; KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        AuditKey {
            key,
            from: from.max(1),
        }
    }

    /// The first entry this key seals (earlier ones are plain SHA-256).
    pub fn from_seq(&self) -> i64 {
        self.from
    }

    /// Reads a key file.
    pub fn load(path: &Path) -> Result<AuditKey> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            BankError::invalid(
                "no_audit_key",
                format!("reading the audit key {}: {e}", path.display()),
            )
        })?;
        let bad = |why: &str| {
            BankError::invalid(
                "invalid_audit_key",
                format!("the audit key {} is not usable: {why}", path.display()),
            )
        };
        let (mut key, mut from) = (None, None);
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("key", hex)) => {
                    key = Some(parse_key(hex).ok_or_else(|| bad("its key is not 64 hex digits"))?)
                }
                Some(("from", n)) => {
                    from = Some(
                        n.parse::<i64>()
                            .map_err(|_| bad("its from is not a number"))?,
                    )
                }
                _ => return Err(bad("a line is neither key = ... nor from = ...")),
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                if meta.permissions().mode() & 0o077 != 0 {
                    tracing::warn!(path = %path.display(), "the audit key is readable by others");
                }
            }
        }
        Ok(AuditKey {
            key: key.ok_or_else(|| bad("it has no key line"))?,
            from: from.unwrap_or(1).max(1),
        })
    }

    /// Writes the key to a new file `path`, readable by its owner only;
    /// refuses to overwrite one.
    pub fn save(&self, path: &Path) -> Result<()> {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let text = format!(
            "# The hashbank audit key: it seals the audit log from entry `from` on.\n\
             # Keep it apart from the database; every server of the bank needs the same file.\n\
             key = {}\nfrom = {}\n",
            to_hex(&self.key),
            self.from
        );
        let written = options.open(path).and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|_| file.sync_all())
        });
        written.map_err(|e| {
            BankError::invalid(
                "invalid_audit_key",
                format!("writing the audit key {}: {e}", path.display()),
            )
        })
    }
}

fn parse_key(hex: &str) -> Option<[u8; KEY_BYTES]> {
    if hex.len() != 2 * KEY_BYTES || !hex.is_ascii() {
        return None;
    }
    let mut key = [0u8; KEY_BYTES];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Where a SQLite bank's audit key is kept when none is named: beside the
/// database, `NAME.audit-key` for `NAME.db`.
pub fn default_key_path(database_file: &Path) -> PathBuf {
    database_file.with_extension("audit-key")
}

/// The key for `db`: the file `path` (or the default beside a SQLite file).
/// When it does not exist and `create`, a SQLite bank gets a new one sealing
/// the entries after the current last; a PostgreSQL bank's key is made with
/// `hashbank audit new-key` and given to every server.
pub(crate) async fn open_key(db: &Db, path: Option<&Path>, create: bool) -> Result<AuditKey> {
    let path = match (path, db.file()) {
        (Some(path), _) => path.to_path_buf(),
        (None, Some(file)) => default_key_path(file),
        (None, None) => {
            return Err(BankError::invalid(
                "no_audit_key",
                "a PostgreSQL bank needs its audit key: --audit-key FILE (or \
                 HASHBANK_AUDIT_KEY_FILE); `hashbank audit new-key --out FILE` makes one, and \
                 every server sharing the bank uses the same file",
            ))
        }
    };
    let may_make = create && db.file().is_some();
    if !path.exists() && !may_make {
        return Err(BankError::invalid(
            "no_audit_key",
            format!(
                "there is no audit key at {} (`hashbank serve` makes one beside a SQLite bank \
                 on first start; `hashbank audit new-key` makes one for a PostgreSQL bank; or \
                 give --audit-key FILE)",
                path.display()
            ),
        ));
    }
    if path.exists() {
        return AuditKey::load(&path);
    }
    let (last,): (i64,) = sqlx::query_as("SELECT audit_seq FROM head WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    let key = AuditKey::generate(last + 1);
    match key.save(&path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "made a new audit key");
            Ok(key)
        }
        // Made at the same moment by another process: use that one.
        Err(_) if path.exists() => AuditKey::load(&path),
        Err(err) => Err(err),
    }
}

/// The plain SHA-256 chain hash of `entry` after an entry whose hash is
/// `prev_hash` (entries written before the bank had a key).
pub fn entry_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    feed_entry(&mut hasher, prev_hash, entry);
    to_hex(&hasher.finalize())
}

/// The chain hash of `entry` after `prev_hash`: keyed when `key` seals it.
pub fn chain_hash(key: Option<&AuditKey>, prev_hash: &str, entry: &AuditEntry) -> String {
    match key {
        Some(key) if entry.seq >= key.from => {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(&key.key).expect("HMAC takes any key length");
            feed_entry(&mut mac, prev_hash, entry);
            to_hex(&mac.finalize().into_bytes())
        }
        _ => entry_hash(prev_hash, entry),
    }
}

fn feed_entry(sink: &mut impl sha2::digest::Update, prev_hash: &str, entry: &AuditEntry) {
    sink.update(prev_hash.as_bytes());
    sink.update(&entry.seq.to_be_bytes());
    sink.update(&entry.at.to_be_bytes());
    for text in [&entry.actor, &entry.action, &entry.subject, &entry.detail] {
        sink.update(&(text.len() as u32).to_be_bytes());
        sink.update(text.as_bytes());
    }
}

/// An entry of the chain the operator kept outside the bank (`SEQ:HASH`, as
/// `hashbank audit head` prints it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptHead {
    /// The entry's seq.
    pub seq: i64,
    /// Its entry_hash.
    pub hash: String,
}

impl std::str::FromStr for KeptHead {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<KeptHead, String> {
        let (seq, hash) = text
            .trim()
            .split_once(':')
            .ok_or("a kept head is SEQ:HASH, as `hashbank audit head` prints it")?;
        let seq: i64 = seq
            .parse()
            .map_err(|_| format!("{seq:?} is not an entry number"))?;
        let hash = hash.to_ascii_lowercase();
        if seq < 0 || parse_key(&hash).is_none() {
            return Err("a kept head is SEQ:HASH with 64 hex digits".into());
        }
        Ok(KeptHead { seq, hash })
    }
}

impl fmt::Display for KeptHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// The last entry the bank recorded, as the operator keeps it.
pub async fn head(db: &Db) -> Result<KeptHead> {
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT audit_seq, audit_hash FROM head WHERE id = 1")
            .fetch_one(&db.pool)
            .await?;
    Ok(KeptHead { seq, hash })
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

/// Walks the whole chain, checking each entry's hash with the bank's key,
/// and that it holds `kept` (a head the operator kept) when given.
pub async fn verify(db: &Db, kept: Option<&KeptHead>) -> Result<AuditVerdict> {
    let key = db.audit_key.as_deref();
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
            if chain_hash(key, &prev_hash, &entry) != stored_hash {
                return Ok(AuditVerdict::Broken {
                    seq,
                    reason: format!("entry {seq} was altered (its hash does not match)"),
                });
            }
            if let Some(kept) = kept.filter(|k| k.seq == seq) {
                if kept.hash != stored_hash {
                    return Ok(AuditVerdict::Broken {
                        seq,
                        reason: format!(
                            "entry {seq} is not the head kept as {kept} (the log was rewritten)"
                        ),
                    });
                }
            }
            prev_seq = seq;
            prev_hash = stored_hash;
        }
    }
    if let Some(kept) = kept.filter(|k| k.seq > prev_seq) {
        return Ok(AuditVerdict::Broken {
            seq: prev_seq + 1,
            reason: format!(
                "the log ends at entry {prev_seq}, before the head kept as {kept} (it was cut back)"
            ),
        });
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

    #[test]
    fn keyed_from_its_first_entry_on() {
        let entry = |seq| AuditEntry {
            seq,
            at: 2,
            actor: "case".into(),
            action: "case.create".into(),
            subject: "case:1".into(),
            detail: "hashes=1".into(),
        };
        let key = AuditKey::generate(5);
        let other = AuditKey::generate(5);
        assert_eq!(
            chain_hash(Some(&key), GENESIS_HASH, &entry(4)),
            entry_hash(GENESIS_HASH, &entry(4))
        );
        let sealed = chain_hash(Some(&key), GENESIS_HASH, &entry(5));
        assert_ne!(sealed, entry_hash(GENESIS_HASH, &entry(5)));
        assert_ne!(sealed, chain_hash(Some(&other), GENESIS_HASH, &entry(5)));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bank.audit-key");
        key.save(&path).unwrap();
        assert!(key.save(&path).is_err(), "never overwritten");
        let loaded = AuditKey::load(&path).unwrap();
        assert_eq!(loaded.from_seq(), 5);
        assert_eq!(chain_hash(Some(&loaded), GENESIS_HASH, &entry(5)), sealed);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "key = 12\n").unwrap();
        assert!(AuditKey::load(&path).is_err());

        let kept: KeptHead = format!("7:{sealed}").parse().unwrap();
        assert_eq!(kept.to_string(), format!("7:{sealed}"));
        assert!("7".parse::<KeptHead>().is_err());
        assert!("x:ab".parse::<KeptHead>().is_err());
    }
}
