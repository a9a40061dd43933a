//! Robust matching: finding the altered copies plain PDQ misses.
//!
//! Copies that circulate are rarely the original file: they are cropped,
//! framed, mirrored, captioned, watermarked, screenshotted. PDQ finds
//! re-encodes and resizes of the whole picture, but a hash of a different
//! rectangle of pixels is a different hash (cutting 2.5% off each edge
//! already moves it by about 48 bits), and PDQ is not turn or mirror
//! invariant. So both sides hash more than the whole image, and a match is
//! a pair of hashes *of the same pixels*:
//!
//! * **bank side** ([`bank_hashes`], on the victim's device, from the
//!   original): the plain PDQ hash first, exactly [`pdq::hash`] of the image
//!   and so exchangeable with every other PDQ user; then hashes of fixed
//!   parts of the original that copies are commonly cut to or that survive
//!   an overlay ([`Part`]: central crops of 95, 90 and 80%, 85% crops pushed
//!   to each corner, the top and bottom 80%), and of the original without
//!   uniform borders when it has them;
//! * **query side** ([`query_hashes`], by a platform or investigator, on each
//!   file checked): the plain hash; the seven turned and mirrored variants
//!   (of the pixels turned, which lands closer than PDQ's DCT shortcut on
//!   textured pictures); the picture without uniform borders or letterbox
//!   bars, or without a caption band added above or below it; the picture
//!   found inside a screenshot; a picture turned by a few degrees,
//!   straightened; and the top and bottom 80%;
//! * **decision** ([`decide`]): each pair of labels that stands for a real
//!   way of copying has a radius ([`radius`], PDQ's standard 31 bits), all
//!   other pairs are never compared; a near miss on every pair (a filtered
//!   copy) is taken when two different stored hashes of the image are both
//!   within [`CORROBORATION_RADIUS`] on pairs that can corroborate
//!   ([`corroborates`]: the query as it is and its end parts, whose pixels
//!   are the original's). Which stored hashes come from one
//!   image is known only on the victim's side, so what ships (the bank's
//!   match API, `hashbank scan`) decides per stored hash with
//!   [`decide_stored`]: the same radii, and corroboration by two stored
//!   hashes of different labels, of whatever image.
//!
//! Everything works on luma, as PDQ does; derived hashes are computed on a
//! copy averaged down to a working size ([`WORK_MIN_SIDE`]). The module is
//! pure computation (no threads, no I/O) and builds for WebAssembly, so
//! the victim's page runs the same code as the bank and `scan`.
//!
//! Every hash under [`pdq::QUALITY_THRESHOLD`] is left out, except the plain
//! hash, which is always first so that callers can apply the same rule to it
//! as to any PDQ hash. BENCHMARKS.md (section *Robustness*) has the
//! measurements behind every choice: recall per kind of copy, the distances
//! between non-matching pairs for every pair of labels, and the cost.
//!
//! ```
//! use media::robust::{bank_hashes, decide, query_hashes, radius, Candidate, Role};
//! use media::{Decoded, PixelData};
//!
//! // An original and a copy of it with black bars above and below.
//! let (w, h) = (160, 120);
//! let pixel = |x: usize, y: usize| ((x * 7 + y * 3) % 200 + ((x / 20 + y / 15) % 2) * 40) as u8;
//! let original: Vec<u8> = (0..w * h).map(|i| pixel(i % w, i / w)).collect();
//! let mut barred = vec![0u8; w * (h + 24)];
//! barred[w * 12..w * (h + 12)].copy_from_slice(&original);
//! let original = Decoded::full(w, h, PixelData::Gray(original));
//! let copy = Decoded::full(w, h + 24, PixelData::Gray(barred));
//!
//! let stored = bank_hashes(&original);
//! assert_eq!(stored[0].role(), Role::Plain);
//! assert_eq!(stored[0].hash, pdq::hash(&original.as_image()).hash);
//!
//! // What an index would return: every stored hash near a query hash.
//! let mut candidates = Vec::new();
//! for q in query_hashes(&copy) {
//!     for (id, s) in stored.iter().enumerate() {
//!         let distance = q.hash.distance(&s.hash);
//!         if radius(q.label, s.label).is_some() {
//!             let (image, stored) = (7, id as u64);
//!             candidates.push(Candidate { query: q.label, image, stored, label: s.label, distance });
//!         }
//!     }
//! }
//! let matches = decide(&candidates);
//! assert_eq!(matches.len(), 1);
//! assert_eq!(matches[0].image, 7);
//! assert_eq!(matches[0].query.as_str(), "trim");
//! ```

mod band;
mod plane;
mod rotate;
mod screen;
mod trim;

use pdq::{Dihedral, Hash256, PdqHash, QUALITY_THRESHOLD};

use crate::pixels::Decoded;
use plane::{Colour, Plane};

// The labels, radii and decision live in `hashbank-model` (no decoding
// there); they are named here too, beside the hashing that makes them.
pub use model::{
    corroborates, decide, decide_stored, radius, search_radius, BankLabel, Candidate, Evidence,
    Match, Part, QueryLabel, Role, UnknownLabel, CORROBORATION_RADIUS, SAME_PICTURE_RADIUS,
    SEARCH_RADIUS,
};
pub use plane::{Rect, WORK_MIN_SIDE};

/// The pixels of `part` in a `width` x `height` image.
pub fn part_rect(part: Part, width: usize, height: usize) -> Rect {
    let [l, t, r, b] = part.bounds();
    Rect::full(width, height).fraction(l, t, r, b)
}

/// The parts of the original the bank hashes besides the whole.
pub const BANK_PARTS: [Part; 9] = Part::ALL;

/// The fixed parts of the copy the query side hashes: the end parts, which
/// are compared with the same parts of the original.
pub const QUERY_PARTS: [Part; 2] = [Part::Top80, Part::Bottom80];

/// The most hashes [`bank_hashes`] gives for one image (and so the most the
/// bank stores for it): the plain hash, the trimmed one, the parts.
pub const MAX_BANK_HASHES: usize = 2 + BANK_PARTS.len();

/// The most hashes [`query_hashes`] gives for one image (each is looked up
/// in the index): the plain hash, seven dihedral variants, the trimmed,
/// uncaptioned, screenshot and straightened pictures, the parts.
pub const MAX_QUERY_HASHES: usize = 1 + 7 + 4 + QUERY_PARTS.len();

/// A hash for the bank, computed from the original on the victim's device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankHash {
    /// The PDQ hash.
    pub hash: Hash256,
    /// Its PDQ quality (0..=100).
    pub quality: u8,
    /// What it is a hash of; its role (plain or extra) follows.
    pub label: BankLabel,
}

impl BankHash {
    /// Plain (the PDQ hash every PDQ user holds) or extra.
    pub fn role(&self) -> Role {
        self.label.role()
    }
}

/// A hash of a query image (a file a platform or investigator checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryHash {
    /// The PDQ hash.
    pub hash: Hash256,
    /// Its PDQ quality (0..=100).
    pub quality: u8,
    /// What it is a hash of.
    pub label: QueryLabel,
    /// The part of the query image it was computed from, in the image's
    /// pixels (the whole image for dihedral variants and a straightened
    /// picture).
    pub region: Rect,
}

fn usable(h: &PdqHash) -> bool {
    h.quality >= QUALITY_THRESHOLD
}

/// The PDQ hash of rectangle `r` of an image.
fn hash_of(image: &Decoded, r: Rect) -> PdqHash {
    Plane::of_rect(image, r).hash()
}

/// The hashes the bank stores for one original image.
///
/// The first is always the plain PDQ hash of the whole image, exactly
/// [`pdq::hash`] of it (role [`Role::Plain`]), whatever its quality: the
/// caller stores it only when its quality reaches
/// [`pdq::QUALITY_THRESHOLD`]. The additional hashes (role [`Role::Extra`])
/// follow, only those of sufficient quality: the image without uniform
/// borders (when it has some) and the fixed parts [`BANK_PARTS`].
pub fn bank_hashes(image: &Decoded) -> Vec<BankHash> {
    let plain = pdq::hash(&image.as_image());
    let mut out = vec![BankHash {
        hash: plain.hash,
        quality: plain.quality,
        label: BankLabel::Plain,
    }];
    let mut push = |h: PdqHash, label| {
        if usable(&h) {
            out.push(BankHash {
                hash: h.hash,
                quality: h.quality,
                label,
            });
        }
    };
    let plane = Plane::working(image);
    let factor = plane::work_factor(image.width, image.height);
    if let Some(r) = trim::trim_borders(&plane) {
        push(hash_of(image, r.scaled(factor)), BankLabel::Trim);
    }
    for p in BANK_PARTS {
        push(
            hash_of(image, part_rect(p, image.width, image.height)),
            BankLabel::Part(p),
        );
    }
    out
}

/// The hashes to look up for one query image.
///
/// The first is always the plain PDQ hash of the whole image, exactly
/// [`pdq::hash`] of it, whatever its quality (a caller matches it only when
/// its quality reaches [`pdq::QUALITY_THRESHOLD`]); then, only those of
/// sufficient quality: the seven other dihedral variants, the image without
/// uniform borders, the picture inside a screenshot, the image without a
/// caption band, a turned picture straightened (each when found), and the
/// fixed parts [`QUERY_PARTS`].
pub fn query_hashes(image: &Decoded) -> Vec<QueryHash> {
    let plain = pdq::hash(&image.as_image());
    let whole = Rect::full(image.width, image.height);
    let mut out = vec![QueryHash {
        hash: plain.hash,
        quality: plain.quality,
        label: QueryLabel::Plain,
        region: whole,
    }];
    let mut push = |h: PdqHash, label, region| {
        if usable(&h) {
            out.push(QueryHash {
                hash: h.hash,
                quality: h.quality,
                label,
                region,
            });
        }
    };
    let plane = Plane::working(image);
    let factor = plane::work_factor(image.width, image.height);
    for d in &Dihedral::ALL[1..] {
        push(
            plane.transformed(*d).hash(),
            QueryLabel::Dihedral(*d),
            whole,
        );
    }
    if let Some(r) = trim::trim_borders(&plane) {
        let r = r.scaled(factor);
        push(hash_of(image, r), QueryLabel::Trim, r);
    }
    if let Some(r) = screen::find_picture(&Colour::of(image), factor) {
        push(hash_of(image, r), QueryLabel::Screen, r);
    }
    if let Some(r) = band::cut_band(&plane) {
        let r = r.scaled(factor);
        push(hash_of(image, r), QueryLabel::Uncaption, r);
    }
    if let Some(p) = rotate::straighten(&plane) {
        push(p.hash(), QueryLabel::Straight, whole);
    }
    for p in QUERY_PARTS {
        let r = part_rect(p, image.width, image.height);
        push(hash_of(image, r), QueryLabel::Part(p), r);
    }
    out
}
