//! What one file is looked up by: a list of hashes, each with a label
//! saying what it is a hash of. The PDQ hashes of the picture and of views
//! of it (`media::robust::query_hashes`: turned and mirrored, without
//! borders or a caption band, inside a screenshot, straightened, its top
//! and bottom parts), and the file's MD5 and SHA-256; [`crate::decide`]
//! judges what they find.

use std::sync::Arc;

use media::robust;
use media::Decoded;
use model::{QueryLabel, VideoHash};
use pdq::QUALITY_THRESHOLD;

use crate::hashes::HashValue;

/// What a query hash is a hash of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Label {
    /// A PDQ hash of the picture or of a view of it.
    Pdq(QueryLabel),
    /// The MD5 of the file.
    Md5,
    /// The SHA-256 of the file.
    Sha256,
    /// The vPDQ hash of a video file.
    Vpdq,
}

impl Label {
    /// The word used in reports: the PDQ query label (`pdq`, `rot90`,
    /// `trim`, `uncaption`, ...), or `md5` and `sha256` for the digests.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Pdq(l) => l.as_str(),
            Label::Md5 => "md5",
            Label::Sha256 => "sha256",
            Label::Vpdq => "vpdq",
        }
    }
}

/// One hash of a query file.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryHash {
    /// What it is a hash of.
    pub label: Label,
    /// The hash.
    pub value: HashValue,
}

/// The hashes one file is looked up by.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The hashes: PDQ first (the plain hash, then the others), then MD5
    /// and SHA-256.
    pub hashes: Vec<QueryHash>,
    /// Whether the file's plain PDQ hash was too weak to match on (left
    /// out).
    pub weak_pdq: bool,
    /// A video file: its vPDQ hash, matched as a whole
    /// ([`crate::MatchSource::video_matches`]); its MD5 and SHA-256 are
    /// in `hashes`.
    pub video: Option<Arc<VideoHash>>,
}

impl Query {
    /// The query of a decoded image and the bytes of its file: the PDQ
    /// hashes of [`robust::query_hashes`] (the plain hash only when its
    /// quality reaches [`pdq::QUALITY_THRESHOLD`], since weaker ones match
    /// unrelated images; the others come only when they reach it), then the
    /// file's MD5 and SHA-256.
    pub fn of(image: &Decoded, bytes: &[u8]) -> Query {
        let pdq = robust::query_hashes(image);
        let weak_pdq = pdq
            .first()
            .is_none_or(|plain| plain.quality < QUALITY_THRESHOLD);
        let (md5, sha256) = media::digests(bytes);
        let mut hashes: Vec<QueryHash> = pdq
            .iter()
            .filter(|h| h.quality >= QUALITY_THRESHOLD)
            .map(|h| QueryHash {
                label: Label::Pdq(h.label),
                value: HashValue::Pdq(h.hash),
            })
            .collect();
        hashes.push(QueryHash {
            label: Label::Md5,
            value: HashValue::Md5(md5),
        });
        hashes.push(QueryHash {
            label: Label::Sha256,
            value: HashValue::Sha256(sha256),
        });
        Query {
            hashes,
            weak_pdq,
            video: None,
        }
    }

    /// The query of a video file: its vPDQ hash, its MD5 and SHA-256.
    pub fn of_video(print: video::VideoPrint) -> Query {
        Query {
            hashes: vec![
                QueryHash {
                    label: Label::Md5,
                    value: HashValue::Md5(print.md5),
                },
                QueryHash {
                    label: Label::Sha256,
                    value: HashValue::Sha256(print.sha256),
                },
            ],
            weak_pdq: false,
            video: Some(Arc::new(print.hash)),
        }
    }
}

#[cfg(test)]
mod tests {
    use media::PixelData;

    use super::*;

    fn textured(w: usize, h: usize) -> Decoded {
        let pixel =
            |x: usize, y: usize| ((x * 7 + y * 3) % 200 + ((x / 20 + y / 15) % 2) * 40) as u8;
        let pixels = (0..w * h).map(|i| pixel(i % w, i / w)).collect();
        Decoded::full(w, h, PixelData::Gray(pixels))
    }

    #[test]
    fn the_plain_hash_comes_first_then_views_then_digests() {
        let image = textured(160, 120);
        let q = Query::of(&image, b"file bytes");
        assert!(!q.weak_pdq);
        assert_eq!(q.hashes[0].label, Label::Pdq(QueryLabel::Plain));
        assert_eq!(
            q.hashes[0].value,
            HashValue::Pdq(pdq::hash(&image.as_image()).hash)
        );
        assert!(q.hashes.len() > 3, "views of the picture are looked up");
        let n = q.hashes.len();
        assert_eq!(
            (q.hashes[n - 2].label, q.hashes[n - 1].label),
            (Label::Md5, Label::Sha256)
        );
        assert_eq!(
            q.hashes[n - 2].value,
            HashValue::Md5(media::digests(b"file bytes").0)
        );
    }

    #[test]
    fn a_weak_plain_hash_is_left_out() {
        let flat = Decoded::full(64, 64, PixelData::Gray(vec![128; 64 * 64]));
        let q = Query::of(&flat, b"x");
        assert!(q.weak_pdq);
        let labels: Vec<Label> = q.hashes.iter().map(|h| h.label).collect();
        assert_eq!(labels, vec![Label::Md5, Label::Sha256]);
    }
}
