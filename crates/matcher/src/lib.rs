//! The one matcher of hashbank: every hash a bank holds (PDQ hashes in a
//! `hashbank_index::HammingIndex`, MD5 and SHA-256 digests in digest sets)
//! with what the bank says of each (kind, role, label, quality, category),
//! kept in step with the bank's feed, and searched with the rules of
//! `hashbank-model`. The bank server matches with it
//! (`hashbank-bank`), and so does a local copy of the bank in one file
//! ([`LocalBank`], what `hashbank sync` writes and `hashbank scan` reads).
//!
//! Videos (kind `vpdq`) are matched as vPDQ matches them, their frames in
//! the same PDQ index as the pictures' hashes ([`Matcher::search_video`]):
//! a picture finds the videos that show it, and a video the pictures.
//!
//! Every file is written in the one envelope of `hashbank_index::file`,
//! and every failure to read or write one is a [`FileError`].
//!
//! ```
//! use matcher::{Change, HashMeta, LocalBank};
//! use model::{HashValue, Kind, Role};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut bank = LocalBank::new("https://bank.example");
//! let meta = HashMeta { kind: Kind::Md5, role: Role::Plain, category: None, quality: None, label: None };
//! bank.apply(&[Change::Add { id: 7, value: HashValue::Md5([0; 16]), meta }], 1);
//! bank.save(dir.path().join("bank.hbl")).unwrap();
//! let bank = LocalBank::open(dir.path().join("bank.hbl")).unwrap();
//! assert_eq!(bank.cursor(), 1);
//! assert_eq!(bank.search(&HashValue::Md5([0; 16]), 0)[0].hash_id, 7);
//! ```

mod answer;
mod fast;
mod file;
mod local;
mod sets;
mod stored;
mod table;
mod videos;

pub use hashbank_index::FileError;
pub use local::{LocalBank, DEFAULT_SEARCH_MEMORY, FORMAT_VERSION};
pub use sets::{Applied, Change, Found, Matcher};
pub use stored::HashMeta;
pub use videos::{FramePair, PictureInVideo, VideoMatch, VideoSearch};
