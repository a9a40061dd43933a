//! What can go wrong between a file and its pixels.

use std::fmt;
use std::path::{Path, PathBuf};

/// Why an input could not be turned into pixels.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is larger than the size limit; it was not read.
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    FileTooLarge {
        /// File size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The bytes are not in an image format this crate reads.
    #[error("not an image: the content is not JPEG, PNG, WebP, GIF, BMP or TIFF")]
    NotAnImage,
    /// The header states more pixels than the limit; nothing was decoded.
    #[error("the image is {width}x{height} ({pixels} pixels), over the limit of {limit} pixels")]
    TooManyPixels {
        /// Width from the header.
        width: u64,
        /// Height from the header.
        height: u64,
        /// Their product.
        pixels: u64,
        /// The limit in pixels.
        limit: u64,
    },
    /// The image is truncated or its data is invalid.
    #[error("corrupt or truncated {format} file: {detail}")]
    Corrupt {
        /// Format name.
        format: &'static str,
        /// What the decoder said.
        detail: String,
    },
    /// A valid file that uses a feature this crate does not decode.
    #[error("unsupported {format} file: {detail}")]
    Unsupported {
        /// Format name.
        format: &'static str,
        /// What is not supported.
        detail: String,
    },
}

/// The JPEG decoder's refusals, named as every format's.
impl From<jpeg::Error> for ErrorKind {
    fn from(err: jpeg::Error) -> ErrorKind {
        match err {
            jpeg::Error::Corrupt(detail) => ErrorKind::Corrupt {
                format: "JPEG",
                detail: detail.to_owned(),
            },
            jpeg::Error::Unsupported(detail) => ErrorKind::Unsupported {
                format: "JPEG",
                detail: detail.to_owned(),
            },
        }
    }
}

/// An [`ErrorKind`] with the file it happened to, when there is one.
#[derive(Debug)]
pub struct MediaError {
    /// The file, if the input came from one.
    pub path: Option<PathBuf>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl MediaError {
    /// An error about the file at `path`.
    pub fn at(path: &Path, kind: ErrorKind) -> MediaError {
        MediaError {
            path: Some(path.to_path_buf()),
            kind,
        }
    }
}

impl From<ErrorKind> for MediaError {
    fn from(kind: ErrorKind) -> MediaError {
        MediaError { path: None, kind }
    }
}

impl fmt::Display for MediaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{}: {}", path.display(), self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for MediaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}
