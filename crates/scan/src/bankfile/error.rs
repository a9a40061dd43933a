//! Why a local bank file could not be opened or saved.

use std::io;
use std::path::PathBuf;

use hashbank_index::IndexError;

/// Why a local bank file could not be opened or saved. Every variant names
/// the file; [`BankFileError::is_damaged`] tells a damaged file (start over
/// with a fresh copy) from a failure of the machine.
#[derive(Debug, thiserror::Error)]
pub enum BankFileError {
    /// The operating system refused a read, a write or a rename.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// Not a hashbank file at all.
    #[error("{}: not a hashbank bank file", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// A hashbank file of another kind (a PDQ index, say).
    #[error("{}: holds a {found}, not a local bank", path.display())]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What it holds.
        found: String,
    },
    /// Written by a build with another format version (an older build's
    /// file lacks what matching needs now: a new sync makes one).
    #[error("{}: bank file format version {found}, this build reads version {supported} only", path.display())]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// Shorter than its header says.
    #[error("{}: truncated: {expected} bytes expected, {found} present", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The length the header announces.
        expected: u64,
        /// The length on disk.
        found: u64,
    },
    /// The bytes do not match their checksum.
    #[error("{}: checksum mismatch, the file is corrupt", path.display())]
    ChecksumMismatch {
        /// The file.
        path: PathBuf,
    },
    /// The checksum matches but the contents are inconsistent.
    #[error("{}: corrupt: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// One of the hash sets inside the file is damaged.
    #[error(transparent)]
    Part(#[from] IndexError),
}

impl BankFileError {
    /// Whether the file itself is damaged, foreign or from another version
    /// (rather than unreadable for a reason outside it).
    pub fn is_damaged(&self) -> bool {
        !matches!(
            self,
            BankFileError::Io { .. } | BankFileError::Part(IndexError::Io { .. })
        )
    }
}
