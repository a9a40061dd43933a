//! Everything `hashbank sync` and `hashbank scan` do besides reading their
//! arguments: a local copy of the bank in one file, kept up to date from
//! the bank's feed; walking folders and the zip and tar(.gz) archives in
//! them under limits that hostile input cannot get past; hashing every
//! image on all cores and matching it against the local copy or the
//! bank's match API; and the reports (JSON lines, CSV, HTML, the
//! investigator's grouping by bank hash, reports sent back to the bank).
//!
//! For platforms checking their stored files and uploads, and for
//! investigators checking a seized collection on a machine that may be
//! offline. The HTTP client of the bank's API and `sync` are
//! `hashbank-client`. Not the bank itself (`hashbank-bank`, `hashbank-server`), not
//! image decoding (`hashbank-media`), not the matcher and its local bank
//! file (`hashbank-matcher`).
//!
//! A scan never stops for a bad file: archive bombs, entries whose names
//! climb out of the archive, links, loops, files claiming huge sizes,
//! non-images named as images and unreadable files are each skipped with
//! a reason ([`SkipKind`]) and counted. Nothing from an archive is ever
//! written to disk.
//!
//! ```
//! use hashbank_scan::{scan, HashMeta, HashValue, Kind, LocalBank, NoProgress, Role, ScanOptions};
//! use matcher::Change;
//!
//! // A local bank holding one MD5 digest, saved and opened again.
//! let dir = tempfile::tempdir().unwrap();
//! let mut bank = LocalBank::new("https://bank.example");
//! let meta = HashMeta { kind: Kind::Md5, role: Role::Plain, category: None, quality: None, label: None };
//! bank.apply(&[Change::Add { id: 7, value: HashValue::Md5([0; 16]), meta }], 1);
//! bank.save(dir.path().join("bank.hbl")).unwrap();
//! let bank = LocalBank::open(dir.path().join("bank.hbl")).unwrap();
//! assert_eq!(bank.cursor(), 1);
//!
//! // A folder with a text file named as a photo: skipped, with its reason.
//! std::fs::write(dir.path().join("photo.jpg"), b"not an image").unwrap();
//! let outcome = scan(&[dir.path().join("photo.jpg")], &bank, &ScanOptions::default(), &NoProgress);
//! assert!(outcome.matches.is_empty());
//! assert_eq!(outcome.skips[0].kind.as_str(), "not_an_image");
//! ```

pub mod archive;
mod decide;
mod hashes;
mod query;
pub mod report;
mod report_to;
mod scan;
mod skip;
mod source;
pub mod walk;

pub use decide::{decide, Candidate, FileMatch};
pub use hashes::{hex, Category, HashMeta, HashValue, Kind, Role};
pub use matcher::{Change, FileError, Found, LocalBank, DEFAULT_SEARCH_MEMORY};
pub use query::{Label, Query, QueryHash};
pub use report_to::{file_finds, report_matches, Filed, Reported};
pub use scan::{
    scan, MatchRecord, NoProgress, Progress, ScanOptions, ScanOutcome, SkipRecord, Stats,
};
pub use skip::{Skip, SkipKind};
pub use source::{MatchSource, RemoteBank, MAX_MATCH_BATCH};
