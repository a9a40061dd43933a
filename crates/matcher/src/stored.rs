//! What the matcher keeps about each hash besides its value, and its five
//! bytes in memory and in files.

use model::{BankLabel, Category, Kind, Part, Role};

/// What the bank says about a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HashMeta {
    /// Its kind.
    pub kind: Kind,
    /// Plain or extra.
    pub role: Role,
    /// `Some(Minor)` for hashes of a minor case.
    pub category: Option<Category>,
    /// PDQ quality, 0..=100 (PDQ only; `None` when the bank did not say).
    pub quality: Option<u8>,
    /// What a stored PDQ hash is a hash of (the whole picture, or a part or
    /// view of it), which says what it is compared with. `None` for digests,
    /// and for PDQ hashes stored before labels, which count as plain
    /// ([`model::stored_label`]).
    pub label: Option<BankLabel>,
}

/// Bytes of metadata per hash.
pub(crate) const ATTR_LEN: usize = 5;

/// Metadata bytes of one hash: kind, role, category, quality, label.
pub(crate) type Attrs = [u8; ATTR_LEN];

/// The quality byte of hashes without a quality.
const NO_QUALITY: u8 = u8::MAX;

/// Highest PDQ quality.
const MAX_QUALITY: u8 = 100;

/// The label byte of digests, which have no label.
const NO_LABEL: u8 = u8::MAX;

/// The label byte of a PDQ hash stored before labels.
const UNLABELLED: u8 = u8::MAX - 1;

/// The label byte of a stored PDQ hash: 0 for the whole picture, 1 for it
/// without borders, then the parts in [`Part::ALL`] order.
fn label_code(label: BankLabel) -> u8 {
    match label {
        BankLabel::Plain => 0,
        BankLabel::Trim => 1,
        BankLabel::Part(p) => 2 + Part::ALL.iter().position(|&q| q == p).expect("a part") as u8,
    }
}

/// The label with byte `code`.
fn label_of(code: u8) -> Option<BankLabel> {
    match code {
        0 => Some(BankLabel::Plain),
        1 => Some(BankLabel::Trim),
        _ => Part::ALL
            .get(usize::from(code).checked_sub(2)?)
            .map(|&p| BankLabel::Part(p)),
    }
}

/// Metadata as five bytes.
pub(crate) fn encode(meta: &HashMeta) -> Attrs {
    let label = match (meta.kind, meta.label) {
        (_, Some(label)) => label_code(label),
        (Kind::Pdq, None) => UNLABELLED,
        (_, None) => NO_LABEL,
    };
    [
        meta.kind.code(),
        meta.role.code(),
        u8::from(meta.category.is_some()),
        meta.quality.unwrap_or(NO_QUALITY),
        label,
    ]
}

/// The metadata five bytes hold, or `None` when a byte is out of range or
/// they disagree (a role its label does not have, a digest with a label or
/// a quality).
pub(crate) fn decode(raw: Attrs) -> Option<HashMeta> {
    let kind = Kind::from_code(raw[0])?;
    let role = Role::from_code(raw[1])?;
    let category = match raw[2] {
        0 => None,
        1 => Some(Category::Minor),
        _ => return None,
    };
    let quality = match (kind, raw[3]) {
        (Kind::Pdq, NO_QUALITY) => None,
        (Kind::Pdq, q) if q <= MAX_QUALITY => Some(q),
        (Kind::Md5 | Kind::Sha256 | Kind::Vpdq, NO_QUALITY) => None,
        _ => return None,
    };
    let label = match (kind, raw[4]) {
        (Kind::Pdq, UNLABELLED) => None,
        (Kind::Pdq, code) => Some(label_of(code).filter(|l| l.role() == role)?),
        (Kind::Md5 | Kind::Sha256 | Kind::Vpdq, NO_LABEL) if role == Role::Plain => None,
        _ => return None,
    };
    Some(HashMeta {
        kind,
        role,
        category,
        quality,
        label,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn meta(kind: Kind, minor: bool) -> HashMeta {
        HashMeta {
            kind,
            role: Role::Plain,
            category: minor.then_some(Category::Minor),
            quality: (kind == Kind::Pdq).then_some(90),
            label: (kind == Kind::Pdq).then_some(BankLabel::Plain),
        }
    }

    #[test]
    fn attributes_read_back_and_bad_bytes_are_refused() {
        for kind in Kind::ALL {
            for minor in [false, true] {
                let m = meta(kind, minor);
                assert_eq!(decode(encode(&m)), Some(m));
            }
        }
        for label in [BankLabel::Plain, BankLabel::Trim]
            .into_iter()
            .chain(Part::ALL.map(BankLabel::Part))
        {
            let m = HashMeta {
                role: label.role(),
                label: Some(label),
                ..meta(Kind::Pdq, false)
            };
            assert_eq!(decode(encode(&m)), Some(m));
        }
        // A PDQ hash stored before labels, and one without a quality.
        let unlabelled = HashMeta {
            label: None,
            quality: None,
            ..meta(Kind::Pdq, false)
        };
        assert_eq!(decode(encode(&unlabelled)), Some(unlabelled));
        assert!(decode([3, 0, 0, NO_QUALITY, NO_LABEL]).is_some());
        assert_eq!(decode([3, 0, 0, 50, NO_LABEL]), None);
        assert_eq!(decode([3, 1, 0, NO_QUALITY, NO_LABEL]), None);
        assert_eq!(decode([4, 0, 0, NO_QUALITY, NO_LABEL]), None);
        assert_eq!(decode([0, 2, 0, 50, 0]), None);
        assert_eq!(decode([0, 0, 2, 50, 0]), None);
        assert_eq!(decode([0, 0, 0, 101, 0]), None);
        assert_eq!(decode([1, 0, 0, 50, NO_LABEL]), None);
        // A PDQ hash needs a label its role agrees with; a digest has none.
        assert_eq!(decode([0, 0, 0, 50, NO_LABEL]), None);
        assert_eq!(decode([0, 0, 0, 50, 11]), None);
        assert_eq!(decode([0, 1, 0, 50, 0]), None);
        assert_eq!(decode([0, 0, 0, 50, 1]), None);
        assert!(decode([0, 1, 0, 50, 1]).is_some());
        assert_eq!(decode([1, 0, 0, NO_QUALITY, 0]), None);
        assert_eq!(decode([1, 0, 0, NO_QUALITY, UNLABELLED]), None);
    }
}
