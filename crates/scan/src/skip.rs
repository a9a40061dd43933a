//! Why a file was skipped: hostile or broken input is counted and reported,
//! never a reason to stop.

use std::fmt;

use media::ErrorKind;
use serde::Serialize;

use crate::walk::WalkErrorKind;

/// The kinds of reason a file is skipped for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// The content is not an image (whatever its name says).
    NotAnImage,
    /// A corrupt or truncated image.
    Corrupt,
    /// An image using a feature the decoder does not read.
    Unsupported,
    /// An empty file.
    Empty,
    /// A file or archive entry over the size limit.
    TooLarge,
    /// An image whose header states more pixels than the limit.
    TooManyPixels,
    /// A file that could not be read.
    Unreadable,
    /// A symbolic link leading back into its own folder.
    LinkLoop,
    /// A symbolic link, not followed.
    LinkNotFollowed,
    /// An archive entry compressed beyond the ratio limit: a bomb.
    ArchiveBomb,
    /// An archive that expands beyond the total size limit.
    ArchiveTooLarge,
    /// An archive with more entries than the limit.
    TooManyEntries,
    /// Archives nested deeper than the limit.
    TooDeep,
    /// An archive entry whose name climbs out of the archive (`..`, an
    /// absolute path, a drive letter, a NUL).
    UnsafeName,
    /// A symbolic or hard link inside an archive.
    LinkInArchive,
    /// A device, pipe or other special entry inside an archive.
    SpecialFile,
    /// An archive whose structure is damaged.
    CorruptArchive,
    /// An encrypted archive entry.
    Encrypted,
    /// The decoder failed on the file in a way it should not (a bug that
    /// made it panic, or a video decoder that crashed or gave up); the scan
    /// went on without it.
    DecoderFailed,
    /// A video longer than the duration limit, or with more frames to hash
    /// than a video hash holds.
    TooLong,
    /// A video whose decoding ran past the time limit.
    TimedOut,
}

impl SkipKind {
    /// Every kind, in order.
    pub const ALL: [SkipKind; 21] = [
        SkipKind::NotAnImage,
        SkipKind::Corrupt,
        SkipKind::Unsupported,
        SkipKind::Empty,
        SkipKind::TooLarge,
        SkipKind::TooManyPixels,
        SkipKind::Unreadable,
        SkipKind::LinkLoop,
        SkipKind::LinkNotFollowed,
        SkipKind::ArchiveBomb,
        SkipKind::ArchiveTooLarge,
        SkipKind::TooManyEntries,
        SkipKind::TooDeep,
        SkipKind::UnsafeName,
        SkipKind::LinkInArchive,
        SkipKind::SpecialFile,
        SkipKind::CorruptArchive,
        SkipKind::Encrypted,
        SkipKind::DecoderFailed,
        SkipKind::TooLong,
        SkipKind::TimedOut,
    ];

    /// The word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipKind::NotAnImage => "not_an_image",
            SkipKind::Corrupt => "corrupt",
            SkipKind::Unsupported => "unsupported",
            SkipKind::Empty => "empty",
            SkipKind::TooLarge => "too_large",
            SkipKind::TooManyPixels => "too_many_pixels",
            SkipKind::Unreadable => "unreadable",
            SkipKind::LinkLoop => "link_loop",
            SkipKind::LinkNotFollowed => "link_not_followed",
            SkipKind::ArchiveBomb => "archive_bomb",
            SkipKind::ArchiveTooLarge => "archive_too_large",
            SkipKind::TooManyEntries => "too_many_entries",
            SkipKind::TooDeep => "too_deep",
            SkipKind::UnsafeName => "unsafe_name",
            SkipKind::LinkInArchive => "link_in_archive",
            SkipKind::SpecialFile => "special_file",
            SkipKind::CorruptArchive => "corrupt_archive",
            SkipKind::Encrypted => "encrypted",
            SkipKind::DecoderFailed => "decoder_failed",
            SkipKind::TooLong => "too_long",
            SkipKind::TimedOut => "timed_out",
        }
    }
}

impl fmt::Display for SkipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reason: its kind and the words that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// What kind of reason.
    pub kind: SkipKind,
    /// Why, in words.
    pub detail: String,
}

impl From<&video::VideoError> for Skip {
    fn from(e: &video::VideoError) -> Skip {
        use video::VideoError as E;
        let kind = match e {
            E::FileTooLarge { .. } => SkipKind::TooLarge,
            E::Tool { .. } => SkipKind::Unsupported,
            E::NotAVideo(_) => SkipKind::Corrupt,
            E::FrameTooLarge { .. } => SkipKind::TooManyPixels,
            E::TooLong { .. } | E::TooManyFrames { .. } => SkipKind::TooLong,
            E::Timeout { .. } => SkipKind::TimedOut,
            E::Decoder(_) => SkipKind::DecoderFailed,
            E::Io(_) => SkipKind::Unreadable,
        };
        Skip::new(kind, e.to_string())
    }
}

impl Skip {
    /// A reason of `kind`.
    pub fn new(kind: SkipKind, detail: impl Into<String>) -> Skip {
        Skip {
            kind,
            detail: detail.into(),
        }
    }
}

impl From<ErrorKind> for Skip {
    fn from(err: ErrorKind) -> Skip {
        let kind = match &err {
            ErrorKind::Io(_) => SkipKind::Unreadable,
            ErrorKind::FileTooLarge { .. } => SkipKind::TooLarge,
            ErrorKind::Empty => SkipKind::Empty,
            ErrorKind::NotAnImage => SkipKind::NotAnImage,
            ErrorKind::TooManyPixels { .. } => SkipKind::TooManyPixels,
            ErrorKind::Corrupt { .. } => SkipKind::Corrupt,
            ErrorKind::Unsupported { .. } => SkipKind::Unsupported,
        };
        Skip::new(kind, err.to_string())
    }
}

impl From<WalkErrorKind> for SkipKind {
    fn from(kind: WalkErrorKind) -> SkipKind {
        match kind {
            WalkErrorKind::LinkLoop => SkipKind::LinkLoop,
            WalkErrorKind::LinkNotFollowed => SkipKind::LinkNotFollowed,
            WalkErrorKind::Unreadable => SkipKind::Unreadable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_unique_and_match_serde() {
        let mut words: Vec<&str> = SkipKind::ALL.iter().map(|k| k.as_str()).collect();
        for kind in SkipKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), SkipKind::ALL.len());
    }
}
