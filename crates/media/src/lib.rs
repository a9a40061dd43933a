//! Image files to pixels for PDQ, and the fingerprint of a file.
//!
//! This crate reads JPEG, PNG, WebP, GIF (first frame), BMP and TIFF into
//! 8-bit pixels the way PDQ's reference pipelines do: alpha is dropped (not
//! composited), palette and 1-bit images are expanded, 16-bit samples are
//! scaled to 8 bits, and **EXIF orientation is ignored**, as the reference
//! ignores it, so a photo hashes as it is stored, not as it is shown.
//!
//! Every input is bounded: a file over the size limit or an image whose
//! header states more pixels than the pixel limit, or a side longer than
//! [`MAX_SIDE`], is refused before it is decoded; corrupt and truncated
//! files give an error that names the file. Nothing here panics on hostile
//! bytes.
//!
//! Two pipelines lead to the hash ([`Pipeline`]): *canonical*, at full
//! resolution (the hashes other PDQ users hold), and *fast*, which scales
//! first (JPEGs in the DCT domain) and lands within a few bits.
//!
//! ```
//! use media::{fingerprint, Options};
//!
//! // A 2x2 grey PNG is too small for PDQ: it hashes to zero, quality 0.
//! let mut png = Vec::new();
//! image::GrayImage::from_raw(2, 2, vec![0, 80, 160, 240])
//!     .unwrap()
//!     .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
//!     .unwrap();
//! let print = fingerprint(&png, &Options::default()).unwrap();
//! assert_eq!((print.width, print.height, print.quality), (2, 2, 0));
//! assert_eq!(print.pdq, pdq::Hash256::ZERO);
//!
//! let err = fingerprint(b"plain text", &Options::default()).unwrap_err();
//! assert!(err.to_string().starts_with("not an image"));
//! ```

mod decode;
mod error;
mod fingerprint;
mod pixels;
mod png_decode;
pub mod robust;
pub mod video;
#[cfg(not(target_arch = "wasm32"))]
mod webp;

pub use decode::{
    decode, dimensions, Format, Limits, Pipeline, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS,
    FAST_MIN_SIDE, FAST_MIN_SIDE_JPEG, FAST_MIN_SIDE_JPEG_EIGHTH, LARGE_PIXELS, MAX_SIDE,
};
pub use error::{ErrorKind, MediaError};
pub use fingerprint::{digests, fingerprint, fingerprint_file, read_file, Fingerprint, Options};
pub use pixels::{Decoded, PixelData};
