//! Why an image or a video cannot be used: every media error mapped to a stable code,
//! in one place. The page shows a message for each code in the reader's
//! language; the English text here is for logs and tests.

use media::ErrorKind;
use serde::Serialize;

/// The reasons an image or a video is refused on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// Not JPEG, PNG, WebP, GIF, BMP or TIFF, or an empty file.
    NotAnImage,
    /// Over the file size limit.
    TooLarge,
    /// Over the pixel limit (a video: its frames).
    TooManyPixels,
    /// A video over the duration limit.
    TooLong,
    /// Damaged, truncated, or using a feature the decoder does not read.
    Corrupt,
    /// Decoded, but with too little detail for a PDQ hash to be reliable
    /// (quality under [`pdq::QUALITY_THRESHOLD`], e.g. a blank picture).
    LowQuality,
}

/// A refusal: its code and an English explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The stable code.
    pub code: RefusalCode,
    /// What went wrong, in English.
    pub message: String,
}

impl Refusal {
    /// The refusal for a media error.
    pub fn of_error(err: &ErrorKind) -> Refusal {
        let code = match err {
            ErrorKind::NotAnImage | ErrorKind::Empty => RefusalCode::NotAnImage,
            ErrorKind::FileTooLarge { .. } => RefusalCode::TooLarge,
            ErrorKind::TooManyPixels { .. } => RefusalCode::TooManyPixels,
            ErrorKind::Corrupt { .. } | ErrorKind::Unsupported { .. } | ErrorKind::Io(_) => {
                RefusalCode::Corrupt
            }
        };
        Refusal {
            code,
            message: err.to_string(),
        }
    }

    /// The refusal for an image whose PDQ quality is `quality`, if it is too
    /// low to match on.
    pub fn of_quality(quality: u8) -> Option<Refusal> {
        (quality < pdq::QUALITY_THRESHOLD).then(|| Refusal {
            code: RefusalCode::LowQuality,
            message: format!(
                "PDQ quality {quality} is under {}: too little detail to match on",
                pdq::QUALITY_THRESHOLD
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_its_code() {
        let cases = [
            (ErrorKind::NotAnImage, "not_an_image"),
            (ErrorKind::Empty, "not_an_image"),
            (ErrorKind::FileTooLarge { size: 2, limit: 1 }, "too_large"),
            (
                ErrorKind::TooManyPixels {
                    width: 2,
                    height: 2,
                    pixels: 4,
                    limit: 1,
                },
                "too_many_pixels",
            ),
            (
                ErrorKind::Corrupt {
                    format: "PNG",
                    detail: "truncated".into(),
                },
                "corrupt",
            ),
            (
                ErrorKind::Unsupported {
                    format: "TIFF",
                    detail: "tiles".into(),
                },
                "corrupt",
            ),
        ];
        for (err, code) in cases {
            let refusal = Refusal::of_error(&err);
            assert_eq!(serde_json::to_value(refusal.code).unwrap(), code);
            assert_eq!(refusal.message, err.to_string());
        }
    }

    #[test]
    fn quality_under_the_threshold_is_refused() {
        assert_eq!(
            Refusal::of_quality(49).map(|r| r.code),
            Some(RefusalCode::LowQuality)
        );
        assert_eq!(Refusal::of_quality(50), None);
        assert_eq!(Refusal::of_quality(100), None);
    }
}
