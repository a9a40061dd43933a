//! What each PDQ hash is a hash of: the labels of bank and query hashes,
//! their text forms, and the fixed parts of an image.

use std::fmt;
use std::str::FromStr;

use pdq::Dihedral;

use crate::kind::Role;

/// A fixed part of an image, the same on every image: a crop that keeps a
/// given share of each side, or the image without one end.
///
/// The bank hashes these parts of the original so that a copy that shows
/// only that part still meets a hash of the same pixels. PDQ tolerates only
/// about one percent of shift per edge (a 2.5% crop already moves the hash
/// by about 48 bits), so each part stands for the crops close to it and no
/// more; the set covers the crops copies are commonly cut to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// The central 95% of each side (2.5% off each edge).
    Crop95,
    /// The central 90% of each side.
    Crop90,
    /// The central 80% of each side.
    Crop80,
    /// 85% of each side, pushed to the top-left corner (3% off the top and
    /// left edges, 12% off the others).
    Corner85TopLeft,
    /// 85% of each side, pushed to the top-right corner.
    Corner85TopRight,
    /// 85% of each side, pushed to the bottom-left corner.
    Corner85BottomLeft,
    /// 85% of each side, pushed to the bottom-right corner.
    Corner85BottomRight,
    /// The top 80% (without the bottom fifth, where captions and watermarks
    /// go).
    Top80,
    /// The bottom 80% (without the top fifth).
    Bottom80,
}

/// Share of each side the off-centre crops keep ([`Part::Corner85TopLeft`]
/// and its siblings).
const CORNER_KEEP: f64 = 0.85;

/// What those crops leave on the side they are pushed to: a crop pushed to
/// a corner rarely reaches the very edge.
const CORNER_NEAR: f64 = 0.03;

/// Share of the height [`Part::Top80`] and [`Part::Bottom80`] keep: a
/// caption band or a corner watermark takes about the last fifth.
const END_KEEP: f64 = 0.8;

impl Part {
    /// Every part, in label order.
    pub const ALL: [Part; 9] = [
        Part::Crop95,
        Part::Crop90,
        Part::Crop80,
        Part::Corner85TopLeft,
        Part::Corner85TopRight,
        Part::Corner85BottomLeft,
        Part::Corner85BottomRight,
        Part::Top80,
        Part::Bottom80,
    ];

    /// Its text label.
    pub fn label(self) -> &'static str {
        match self {
            Part::Crop95 => "crop95",
            Part::Crop90 => "crop90",
            Part::Crop80 => "crop80",
            Part::Corner85TopLeft => "crop85tl",
            Part::Corner85TopRight => "crop85tr",
            Part::Corner85BottomLeft => "crop85bl",
            Part::Corner85BottomRight => "crop85br",
            Part::Top80 => "top80",
            Part::Bottom80 => "bottom80",
        }
    }

    /// Its edges as fractions of the width and height: left, top, right,
    /// bottom.
    pub fn bounds(self) -> [f64; 4] {
        let centre = |keep: f64| {
            let cut = (1.0 - keep) / 2.0;
            [cut, cut, 1.0 - cut, 1.0 - cut]
        };
        let (near, far) = (CORNER_NEAR, CORNER_NEAR + CORNER_KEEP);
        let (near_end, far_end) = (1.0 - far, 1.0 - near);
        match self {
            Part::Crop95 => centre(0.95),
            Part::Crop90 => centre(0.90),
            Part::Crop80 => centre(0.80),
            Part::Corner85TopLeft => [near, near, far, far],
            Part::Corner85TopRight => [near_end, near, far_end, far],
            Part::Corner85BottomLeft => [near, near_end, far, far_end],
            Part::Corner85BottomRight => [near_end, near_end, far_end, far_end],
            Part::Top80 => [0.0, 0.0, 1.0, END_KEEP],
            Part::Bottom80 => [0.0, 1.0 - END_KEEP, 1.0, 1.0],
        }
    }
}

/// What a stored (bank-side) hash is a hash of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BankLabel {
    /// The whole image: the plain PDQ hash (label `pdq`).
    Plain,
    /// The image without its uniform borders (label `trim`).
    Trim,
    /// A fixed part of the image.
    Part(Part),
}

impl BankLabel {
    /// Every label a stored PDQ hash may have, plain first.
    pub fn all() -> impl Iterator<Item = BankLabel> {
        [BankLabel::Plain, BankLabel::Trim]
            .into_iter()
            .chain(Part::ALL.into_iter().map(BankLabel::Part))
    }

    /// Its text label (`pdq`, `trim`, `crop90`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            BankLabel::Plain => "pdq",
            BankLabel::Trim => "trim",
            BankLabel::Part(p) => p.label(),
        }
    }

    /// Plain for the plain PDQ hash, extra for the others.
    pub fn role(self) -> Role {
        match self {
            BankLabel::Plain => Role::Plain,
            _ => Role::Extra,
        }
    }
}

/// What a query-side hash is a hash of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryLabel {
    /// The whole image: the plain PDQ hash (label `pdq`).
    Plain,
    /// The whole image turned or mirrored (one of the seven dihedral
    /// transforms other than the identity; labels `rot90`, `flipy`, ...).
    Dihedral(Dihedral),
    /// The image without its uniform borders (label `trim`).
    Trim,
    /// The image without a caption band at its top or bottom (label
    /// `uncaption`).
    Uncaption,
    /// The picture found inside a screenshot (label `screen`).
    Screen,
    /// A picture turned by a small angle, straightened (label `straight`).
    Straight,
    /// A fixed part of the image (the same label as the bank's).
    Part(Part),
}

impl QueryLabel {
    /// Every label a PDQ query hash may have, plain first.
    pub fn all() -> impl Iterator<Item = QueryLabel> {
        let fixed = [
            QueryLabel::Plain,
            QueryLabel::Trim,
            QueryLabel::Uncaption,
            QueryLabel::Screen,
            QueryLabel::Straight,
        ];
        let turned = Dihedral::ALL[1..].iter().map(|&d| QueryLabel::Dihedral(d));
        fixed
            .into_iter()
            .chain(turned)
            .chain(Part::ALL.into_iter().map(QueryLabel::Part))
    }

    /// Its text label.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLabel::Plain => "pdq",
            QueryLabel::Dihedral(d) => d.label(),
            QueryLabel::Trim => "trim",
            QueryLabel::Uncaption => "uncaption",
            QueryLabel::Screen => "screen",
            QueryLabel::Straight => "straight",
            QueryLabel::Part(p) => p.label(),
        }
    }
}

/// A label that is not one of hashbank's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown hash label {0:?}")]
pub struct UnknownLabel(pub String);

impl FromStr for BankLabel {
    type Err = UnknownLabel;

    fn from_str(text: &str) -> Result<BankLabel, UnknownLabel> {
        BankLabel::all()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| UnknownLabel(text.to_owned()))
    }
}

impl FromStr for QueryLabel {
    type Err = UnknownLabel;

    fn from_str(text: &str) -> Result<QueryLabel, UnknownLabel> {
        QueryLabel::all()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| UnknownLabel(text.to_owned()))
    }
}

impl fmt::Display for BankLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for QueryLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_back() {
        for p in Part::ALL {
            let b = BankLabel::Part(p);
            assert_eq!(b.as_str().parse::<BankLabel>(), Ok(b));
            assert_eq!(b.role(), Role::Extra);
            let q = QueryLabel::Part(p);
            assert_eq!(q.as_str().parse::<QueryLabel>(), Ok(q));
        }
        assert_eq!("pdq".parse::<BankLabel>(), Ok(BankLabel::Plain));
        assert_eq!(BankLabel::Plain.role(), Role::Plain);
        assert_eq!("trim".parse::<BankLabel>(), Ok(BankLabel::Trim));
        for d in &Dihedral::ALL[1..] {
            let q = QueryLabel::Dihedral(*d);
            assert_eq!(q.as_str().parse::<QueryLabel>(), Ok(q));
        }
        assert!("orig".parse::<QueryLabel>().is_err());
        assert!("crop99".parse::<BankLabel>().is_err());
    }

    #[test]
    fn parts_lie_inside_the_image() {
        for p in Part::ALL {
            let [l, t, r, b] = p.bounds();
            assert!(0.0 <= l && l < r && r <= 1.0, "{p:?}");
            assert!(0.0 <= t && t < b && b <= 1.0, "{p:?}");
        }
        // The top-right corner crop cuts 12% off the left, 3% off the right.
        let [l, t, r, b] = Part::Corner85TopRight.bounds();
        assert!((l - 0.12).abs() < 1e-9 && (r - 0.97).abs() < 1e-9);
        assert!((t - 0.03).abs() < 1e-9 && (b - 0.88).abs() < 1e-9);
    }

    #[test]
    fn every_label_reads_back_once() {
        let bank: Vec<_> = BankLabel::all().collect();
        for l in &bank {
            assert_eq!(l.as_str().parse::<BankLabel>().as_ref(), Ok(l));
        }
        let query: Vec<_> = QueryLabel::all().collect();
        for l in &query {
            assert_eq!(l.as_str().parse::<QueryLabel>().as_ref(), Ok(l));
        }
        let mut names: Vec<_> = query.iter().map(|l| l.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!((bank.len(), names.len()), (11, 21));
    }
}
