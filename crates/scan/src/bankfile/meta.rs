//! Per-hash metadata of a local bank: ids sorted, attributes beside them,
//! looked up by binary search (nothing to build when a file opens).

use std::collections::HashSet;

use model::{BankLabel, Part};

use crate::hashes::{Category, HashMeta, Kind, Role};

/// The quality byte of hashes without a quality (digests).
const NO_QUALITY: u8 = u8::MAX;

/// Highest PDQ quality.
const MAX_QUALITY: u8 = 100;

/// Bytes of metadata per hash.
pub(crate) const ATTR_LEN: usize = 5;

/// Metadata bytes of one hash.
pub(crate) type Attrs = [u8; ATTR_LEN];

/// The label byte of hashes without a label (digests).
const NO_LABEL: u8 = u8::MAX;

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

/// Ids and their metadata, in increasing id order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct MetaTable {
    ids: Vec<u64>,
    attrs: Vec<Attrs>,
}

/// Metadata as five bytes: kind, role, category, quality, label.
pub(crate) fn encode(meta: &HashMeta) -> Attrs {
    [
        meta.kind.code(),
        match meta.role {
            Role::Plain => 0,
            Role::Extra => 1,
        },
        u8::from(meta.category.is_some()),
        meta.quality.unwrap_or(NO_QUALITY),
        meta.label.map_or(NO_LABEL, label_code),
    ]
}

/// The metadata five bytes hold, or `None` when a byte is out of range or
/// they disagree (a PDQ hash without a label, a role its label does not
/// have, a digest with a label or a quality).
pub(crate) fn decode(raw: Attrs) -> Option<HashMeta> {
    let kind = Kind::from_code(raw[0])?;
    let role = match raw[1] {
        0 => Role::Plain,
        1 => Role::Extra,
        _ => return None,
    };
    let category = match raw[2] {
        0 => None,
        1 => Some(Category::Minor),
        _ => return None,
    };
    let quality = match (kind, raw[3]) {
        (Kind::Pdq, q) if q <= MAX_QUALITY => Some(q),
        (Kind::Md5 | Kind::Sha256, NO_QUALITY) => None,
        _ => return None,
    };
    let label = match (kind, raw[4]) {
        (Kind::Pdq, code) => Some(label_of(code).filter(|l| l.role() == role)?),
        (Kind::Md5 | Kind::Sha256, NO_LABEL) => None,
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

impl MetaTable {
    /// A table from columns read from a file; `None` unless the ids
    /// strictly increase and every attribute is valid.
    pub(crate) fn from_columns(ids: Vec<u64>, attrs: Vec<Attrs>) -> Option<MetaTable> {
        let increasing = ids.windows(2).all(|w| w[0] < w[1]);
        let valid = attrs.iter().all(|a| decode(*a).is_some());
        (increasing && valid && ids.len() == attrs.len()).then_some(MetaTable { ids, attrs })
    }

    pub(crate) fn ids(&self) -> &[u64] {
        &self.ids
    }

    pub(crate) fn attrs(&self) -> &[Attrs] {
        &self.attrs
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The metadata of hash `id`.
    pub(crate) fn get(&self, id: u64) -> Option<HashMeta> {
        let at = self.ids.binary_search(&id).ok()?;
        decode(self.attrs[at])
    }

    /// Hashes held of each kind, in [`Kind::ALL`] order.
    pub(crate) fn per_kind(&self) -> [u64; 3] {
        let mut out = [0u64; 3];
        for a in &self.attrs {
            out[usize::from(a[0])] += 1;
        }
        out
    }

    /// Drops `remove`, then adds `add` (whose ids are not held after the
    /// removal); one pass over the table.
    pub(crate) fn update(&mut self, remove: &HashSet<u64>, mut add: Vec<(u64, HashMeta)>) {
        add.sort_unstable_by_key(|(id, _)| *id);
        add.dedup_by_key(|(id, _)| *id);
        let old_ids = std::mem::take(&mut self.ids);
        let old_attrs = std::mem::take(&mut self.attrs);
        let kept = old_ids
            .into_iter()
            .zip(old_attrs)
            .filter(|(id, _)| !remove.contains(id));
        let mut added = add.into_iter().map(|(id, m)| (id, encode(&m))).peekable();
        for (id, attrs) in kept {
            while let Some(next) = added.next_if(|(a, _)| *a < id) {
                self.push(next);
            }
            // An id held and added again keeps the newer metadata.
            match added.next_if(|(a, _)| *a == id) {
                Some(newer) => self.push(newer),
                None => self.push((id, attrs)),
            }
        }
        added.for_each(|next| self.push(next));
    }

    fn push(&mut self, (id, attrs): (u64, Attrs)) {
        self.ids.push(id);
        self.attrs.push(attrs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(kind: Kind, minor: bool) -> HashMeta {
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
        assert_eq!(decode([3, 0, 0, NO_QUALITY, NO_LABEL]), None);
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
    }

    #[test]
    fn updates_keep_ids_sorted() {
        let mut table = MetaTable::default();
        table.update(
            &HashSet::new(),
            vec![(5, meta(Kind::Pdq, false)), (1, meta(Kind::Md5, true))],
        );
        table.update(
            &HashSet::from([5]),
            vec![(3, meta(Kind::Sha256, false)), (9, meta(Kind::Pdq, true))],
        );
        assert_eq!(table.ids(), &[1, 3, 9]);
        assert_eq!(table.get(9), Some(meta(Kind::Pdq, true)));
        assert_eq!(table.get(5), None);
        assert_eq!(table.per_kind(), [1, 1, 1]);
        table.update(&HashSet::new(), vec![(3, meta(Kind::Sha256, true))]);
        assert_eq!(table.ids(), &[1, 3, 9]);
        assert_eq!(table.get(3), Some(meta(Kind::Sha256, true)));
        assert!(MetaTable::from_columns(vec![2, 2], vec![[0, 0, 0, 50, 0]; 2]).is_none());
        assert!(MetaTable::from_columns(vec![1, 2], vec![[0, 0, 0, 50, 0]; 2]).is_some());
    }
}
