//! One file in, one report out: its fingerprint, the hashes to submit, or
//! why it is refused.

use media::{decode, Limits, Pipeline};
use model::hex;
use serde::Serialize;

use crate::refusal::Refusal;
use api::NewHash;

use crate::submission::{image_hashes, submission};

/// The fingerprint of a file, as `hashbank hash` prints it: hex hashes and
/// the image's size in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Print {
    /// The plain PDQ hash of the whole image, 64 hex digits.
    pub pdq: String,
    /// Its quality, 0..=100.
    pub quality: u8,
    /// MD5 of the file's bytes.
    pub md5: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Width of the image in the file.
    pub width: usize,
    /// Height of the image in the file.
    pub height: usize,
}

/// What the page learns about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The fingerprint, when the image could be decoded (also when it is
    /// refused for its quality).
    pub fingerprint: Option<Print>,
    /// The hashes to submit for it: none when it is refused.
    pub hashes: Vec<NewHash>,
    /// Why it cannot be used, if it cannot.
    pub refusal: Option<Refusal>,
}

impl Report {
    fn refused(fingerprint: Option<Print>, refusal: Refusal) -> Report {
        Report {
            fingerprint,
            hashes: Vec::new(),
            refusal: Some(refusal),
        }
    }
}

/// Fingerprints one file with the command line's defaults: the canonical
/// pipeline and its limits (64 MiB, 100 megapixels).
pub fn fingerprint_report(bytes: &[u8]) -> Report {
    let decoded = match decode(bytes, &Limits::default(), Pipeline::Canonical) {
        Ok(decoded) => decoded,
        Err(err) => return Report::refused(None, Refusal::of_error(&err)),
    };
    let hashes = image_hashes(&decoded);
    let (md5, sha256) = media::digests(bytes);
    let print = Print {
        pdq: hashes.plain.hash.to_hex(),
        quality: hashes.plain.quality,
        md5: hex(&md5),
        sha256: hex(&sha256),
        width: decoded.source_width,
        height: decoded.source_height,
    };
    if let Some(refusal) = Refusal::of_quality(print.quality) {
        return Report::refused(Some(print), refusal);
    }
    Report {
        hashes: submission(&print, &hashes.extra),
        fingerprint: Some(print),
        refusal: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::RefusalCode;

    fn png(width: u32, height: u32, pixel: impl Fn(u32, u32) -> u8) -> Vec<u8> {
        let pixels = (0..width * height)
            .map(|i| pixel(i % width, i / width))
            .collect();
        let image = image::GrayImage::from_raw(width, height, pixels).unwrap();
        let mut out = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn the_fingerprint_is_the_command_lines() {
        let bytes = png(128, 96, |x, y| {
            (((x * 7 + y * 13) % 251) ^ ((x / 8 + y / 8) * 40 % 256)) as u8
        });
        let report = fingerprint_report(&bytes);
        let native = media::fingerprint(&bytes, &media::Options::default()).unwrap();
        let print = report.fingerprint.unwrap();
        assert_eq!(print.pdq, native.pdq.to_hex());
        assert_eq!(print.quality, native.quality);
        assert_eq!(print.md5, hex(&native.md5));
        assert_eq!(print.sha256, hex(&native.sha256));
        assert_eq!((print.width, print.height), (native.width, native.height));
        assert!(report.refusal.is_none());
        assert_eq!(report.hashes[0].value, print.pdq);
    }

    #[test]
    fn a_blank_picture_is_refused_with_its_fingerprint() {
        let report = fingerprint_report(&png(64, 64, |_, _| 200));
        assert_eq!(report.refusal.unwrap().code, RefusalCode::LowQuality);
        assert!(report.hashes.is_empty());
        assert_eq!(report.fingerprint.unwrap().quality, 0);
    }

    #[test]
    fn files_that_are_not_images_are_refused() {
        for bytes in [&b""[..], b"hello", b"\x89PNG\r\n\x1a\n truncated"] {
            let report = fingerprint_report(bytes);
            assert!(report.fingerprint.is_none());
            assert!(report.hashes.is_empty());
            let code = report.refusal.unwrap().code;
            assert!(
                matches!(code, RefusalCode::NotAnImage | RefusalCode::Corrupt),
                "{code:?}"
            );
        }
    }
}
