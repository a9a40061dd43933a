//! The bank: cases and their hashes, platforms, reports of matches and
//! their outcomes, the hash feed and the audit log, on SQLite or
//! PostgreSQL; and the in-memory matcher (`hashbank-index`) kept in step
//! with every committed write.
//!
//! This crate is the domain and its storage. It knows nothing of HTTP
//! (`hashbank-server` puts it on the network) and never sees an image: it
//! holds hashes, case metadata and reports only. It has no way to list
//! cases; a case is reached by its number and PIN.
//!
//! - Every write goes through one transaction shape that first takes the
//!   `head` row, so writers on all servers sharing a database go one at a
//!   time, and feed cursors and audit sequence numbers follow commit order.
//! - Platforms see hash values, not case hashes: the same (kind, label,
//!   value) filed in many cases is one entry on the feed and one match,
//!   under one public id; suspension works on the value.
//! - The feed is also the change sequence every server's matcher follows
//!   ([`Bank::follow`]); a server applies its own writes right after commit.
//!   Platforms see an entry only once it is released, in a shuffled batch
//!   that mixes several writes ([`FeedRelease`]), so the feed does not show
//!   which hashes came from one case.
//! - Erased values leave the disk (SQLite `secure_delete` and a truncating
//!   checkpoint, PostgreSQL vacuum), and the audit chain is keyed by a key
//!   outside the database ([`AuditKey`]).
//! - Each PDQ hash carries a label saying what it is a hash of (the whole
//!   image, `pdq`, or a part of it, `model::BankLabel`); the match
//!   API compares a query hash only with the labels `model::radius`
//!   pairs with the query's own.
//! - PINs and API keys are stored only as argon2id hashes.
//! - What the bank takes from and answers to the HTTP API are the bodies
//!   of `hashbank-api` (re-exported here): cases as filed and shown, feed
//!   pages, match queries and results, reports and outcomes.
//!
//! ```
//! use hashbank_bank::{Bank, HashQuery, Kind, NewCase, NewHash, Role, Settings};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let dir = tempfile::tempdir().unwrap();
//! let url = format!("sqlite://{}", dir.path().join("bank.db").display());
//! let bank = Bank::open(&url, Settings::default()).await.unwrap();
//! bank.load().await.unwrap();
//!
//! let pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
//! let hash = NewHash {
//!     kind: Kind::Pdq,
//!     value: pdq.into(),
//!     quality: Some(100),
//!     role: Role::Plain,
//!     label: None,
//! };
//! let case = bank.create_case(NewCase { hashes: vec![hash], category: None }).await.unwrap();
//! assert!(case.case_number.starts_with("HB-"));
//!
//! let results = bank
//!     .match_hashes(vec![HashQuery { kind: Kind::Pdq, value: pdq.into(), label: None }], None, Default::default())
//!     .await
//!     .unwrap();
//! assert_eq!(Some(results[0].matches[0].hash_id), case.hashes[0].hash_id);
//!
//! bank.withdraw_case(&case.case_number, &case.pin).await.unwrap();
//! let results = bank
//!     .match_hashes(vec![HashQuery { kind: Kind::Pdq, value: pdq.into(), label: None }], None, Default::default())
//!     .await
//!     .unwrap();
//! assert!(results[0].matches.is_empty());
//! # });
//! ```

mod audit;
mod bank;
mod cases;
mod clock;
mod db;
mod error;
mod exchanges;
mod feed;
mod finds;
mod hashes;
mod import;
mod matcher;
mod pins;
mod platforms;
mod release;
mod reports;
mod secrets;
mod statements;
mod stats;
mod stopncii;
mod values;
mod withdrawn;
mod write;

pub use audit::{
    chain_hash, default_key_path, entry_hash, head as audit_head, verify as verify_audit, Actor,
    AuditEntry, AuditKey, AuditVerdict, KeptHead, GENESIS_HASH,
};
pub use bank::{
    default_argon2_permits, Bank, OpenOptions, Settings, DEFAULT_ARGON2_QUEUE_WAIT,
    DEFAULT_FIRST_LOCK, DEFAULT_KEY_CACHE_TTL, DEFAULT_LOCKOUT_AFTER, DEFAULT_PIN_CEILING,
    DEFAULT_PIN_WINDOW, DEFAULT_SUSPEND_AFTER,
};
pub use cases::{
    CaseHash, CasePlatform, CaseReport, CaseStatus, CaseView, CreatedCase, MoreHashes, NewCase,
    Withdrawn,
};
pub use clock::rfc3339;
pub use db::{Backend, Db};
pub use error::{BankError, Result};
pub use exchanges::{
    Applied, ExchangeInfo, Forward, ForwardKind, Source, FORWARD_PREFIX, MAX_FORWARD_HOPS,
};
pub use feed::{FeedEntry, FeedOp, FeedPage, DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT};
pub use finds::MAX_FIND_FILES;
pub use hashes::{
    blank_pdq_hashes, check_hex, check_new_hashes, check_pdq_value, check_video, Category,
    CheckedHash, HashStatus, Kind, NewHash, Role, MAX_FRAMES_PER_CASE, MAX_HASHES_PER_CASE,
    MAX_PDQ_BITS, MAX_VIDEOS_PER_CASE, MIN_PDQ_BITS,
};
pub use import::ImportedCase;
pub use matcher::{Change, Entry, FeedMatcher, Opened};
pub use model::{BankLabel, QueryLabel};
pub use pins::{PinAttempt, MAX_LOCK, MAX_PIN_CLIENTS};
pub use platforms::{check_contact, KeyRole, Platform, PlatformInfo};
pub use release::{FeedRelease, DEFAULT_DELETE_HOLD, DEFAULT_HOLD, DEFAULT_MIX_WRITES};
pub use reports::{
    video_rule, HashQuery, NewReport, Outcome, QueryResult, DEFAULT_RADIUS, MAX_CONTENT_REF_LEN,
    MAX_MATCH_BATCH, MAX_QUERY_FRAMES, MAX_RADIUS,
};
pub use secrets::{Argon2Cost, CASE_NUMBER_PREFIX, KEY_PREFIX, PIN_DIGITS};
pub use statements::puid_of;
pub use stats::Stats;
pub use stopncii::{DEFAULT_STOPNCII_PAGE, FEEDBACK_CONTENT_REF, MAX_FEEDBACKS, MAX_STOPNCII_PAGE};
pub use withdrawn::WITHDRAWN_WINDOW_DAYS;
