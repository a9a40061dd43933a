//! The one error type of the crate.

use std::io;
use std::path::PathBuf;

/// Why a hashbank file (an index, a digest set, a matcher or a local bank
/// file) could not be saved or opened. Every variant names the file;
/// [`FileError::is_damaged`] tells a damaged file from a failure of the
/// machine.
///
/// Searches and writes in memory cannot fail; only files can.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The operating system refused a read, a write or a rename.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The file does not start with hashbank's magic bytes.
    #[error("{}: not a hashbank {expected} (wrong magic bytes)", path.display())]
    Foreign {
        /// The file concerned.
        path: PathBuf,
        /// What kind of file was expected ("index file", "bank file").
        expected: &'static str,
    },
    /// The file is a hashbank file of another kind (say a SHA-256 set opened as a PDQ index).
    #[error("{}: holds a {found}, not a {expected}", path.display())]
    WrongKind {
        /// The file concerned.
        path: PathBuf,
        /// The kind asked for.
        expected: String,
        /// The kind the file declares.
        found: String,
    },
    /// The file was written in a format version this build does not read.
    #[error("{}: {kind} format version {found}, this build reads version {supported} only", path.display())]
    UnsupportedVersion {
        /// The file concerned.
        path: PathBuf,
        /// What kind of file it is.
        kind: String,
        /// The version in the file.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// The file is shorter than its header says.
    #[error("{}: truncated: {expected} bytes expected, {found} present", path.display())]
    Truncated {
        /// The file concerned.
        path: PathBuf,
        /// Length the header announces (or the header's own length).
        expected: u64,
        /// Length found on disk.
        found: u64,
    },
    /// The body's checksum does not match the header's: the bytes were altered.
    #[error("{}: checksum mismatch, the file is corrupt", path.display())]
    ChecksumMismatch {
        /// The file concerned.
        path: PathBuf,
    },
    /// The checksums match but the contents are not a valid index.
    #[error("{}: corrupt: {reason}", path.display())]
    Corrupt {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong, in a few words.
        reason: String,
    },
}

impl FileError {
    /// Whether the file itself is damaged, foreign or of another version
    /// (rather than unreadable for a reason outside it).
    pub fn is_damaged(&self) -> bool {
        !matches!(self, FileError::Io { .. })
    }
}
