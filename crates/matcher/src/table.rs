//! Per-hash metadata: ids sorted with their attributes beside them, looked
//! up by binary search (nothing to build when a file opens), plus the
//! changes since the columns were last merged, in a map. The map is merged
//! into the columns once it holds an eighth of them, so that a change costs
//! amortised constant time however large the table.

use std::collections::{HashMap, HashSet};

use model::Kind;

use crate::stored::{decode, encode, Attrs, HashMeta};

/// Changes held in the map before a merge, at least.
const MIN_MERGE: usize = 4096;

/// Ids and their metadata.
#[derive(Debug, Default, Clone)]
pub(crate) struct MetaTable {
    /// Merged ids, strictly increasing.
    ids: Vec<u64>,
    /// Their attributes.
    attrs: Vec<Attrs>,
    /// Changes since the merge: `None` for an id removed.
    recent: HashMap<u64, Option<Attrs>>,
    /// Ids held.
    len: usize,
    /// Ids held of each kind, in [`model::Kind::ALL`] order.
    per_kind: [u64; Kind::COUNT],
}

impl MetaTable {
    /// A table from columns read from a file; `None` unless the ids
    /// strictly increase and every attribute is valid.
    pub(crate) fn from_columns(ids: Vec<u64>, attrs: Vec<Attrs>) -> Option<MetaTable> {
        let increasing = ids.windows(2).all(|w| w[0] < w[1]);
        let valid = attrs.iter().all(|a| decode(*a).is_some());
        if !(increasing && valid && ids.len() == attrs.len()) {
            return None;
        }
        let mut per_kind = [0u64; Kind::COUNT];
        for a in &attrs {
            per_kind[usize::from(a[0])] += 1;
        }
        Some(MetaTable {
            len: ids.len(),
            ids,
            attrs,
            recent: HashMap::new(),
            per_kind,
        })
    }

    /// The columns, every change merged.
    #[cfg(test)]
    pub(crate) fn columns(&mut self) -> (&[u64], &[Attrs]) {
        self.merge();
        self.merged().expect("merged")
    }

    /// The columns, when every change is merged into them.
    pub(crate) fn merged(&self) -> Option<(&[u64], &[Attrs])> {
        self.recent
            .is_empty()
            .then_some((&self.ids[..], &self.attrs[..]))
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The attribute bytes of hash `id`.
    fn attrs_of(&self, id: u64) -> Option<Attrs> {
        match self.recent.get(&id) {
            Some(changed) => *changed,
            None => {
                let at = self.ids.binary_search(&id).ok()?;
                Some(self.attrs[at])
            }
        }
    }

    /// The metadata of hash `id`.
    pub(crate) fn get(&self, id: u64) -> Option<HashMeta> {
        decode(self.attrs_of(id)?)
    }

    /// Hashes held of each kind, in [`model::Kind::ALL`] order.
    pub(crate) fn per_kind(&self) -> [u64; Kind::COUNT] {
        self.per_kind
    }

    /// Drops `remove`, then adds or replaces `add`.
    pub(crate) fn update(&mut self, remove: &HashSet<u64>, add: Vec<(u64, HashMeta)>) {
        for &id in remove {
            if let Some(old) = self.attrs_of(id) {
                self.len -= 1;
                self.per_kind[usize::from(old[0])] -= 1;
                self.recent.insert(id, None);
            }
        }
        for (id, meta) in add {
            match self.attrs_of(id) {
                Some(old) => self.per_kind[usize::from(old[0])] -= 1,
                None => self.len += 1,
            }
            let attrs = encode(&meta);
            self.per_kind[usize::from(attrs[0])] += 1;
            self.recent.insert(id, Some(attrs));
        }
        if self.recent.len() >= MIN_MERGE.max(self.ids.len() / 8) {
            self.merge();
        }
    }

    /// Merges the recent changes into the columns: one pass over both.
    pub(crate) fn merge(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        let mut recent: Vec<(u64, Option<Attrs>)> = self.recent.drain().collect();
        recent.sort_unstable_by_key(|(id, _)| *id);
        let old_ids = std::mem::take(&mut self.ids);
        let old_attrs = std::mem::take(&mut self.attrs);
        let mut ids = Vec::with_capacity(self.len);
        let mut attrs = Vec::with_capacity(self.len);
        let mut changes = recent.into_iter().peekable();
        for (id, a) in old_ids.into_iter().zip(old_attrs) {
            while let Some((new_id, new)) = changes.next_if(|(c, _)| *c < id) {
                if let Some(new) = new {
                    ids.push(new_id);
                    attrs.push(new);
                }
            }
            match changes.next_if(|(c, _)| *c == id) {
                Some((_, Some(newer))) => {
                    ids.push(id);
                    attrs.push(newer);
                }
                Some((_, None)) => {}
                None => {
                    ids.push(id);
                    attrs.push(a);
                }
            }
        }
        for (new_id, new) in changes {
            if let Some(new) = new {
                ids.push(new_id);
                attrs.push(new);
            }
        }
        self.ids = ids;
        self.attrs = attrs;
        debug_assert_eq!(self.ids.len(), self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::tests::meta;

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
        assert_eq!(table.columns().0, &[1, 3, 9]);
        assert_eq!(table.get(9), Some(meta(Kind::Pdq, true)));
        assert_eq!(table.get(5), None);
        assert_eq!(table.per_kind(), [1, 1, 1, 0]);
        table.update(&HashSet::new(), vec![(3, meta(Kind::Sha256, true))]);
        assert_eq!(table.columns().0, &[1, 3, 9]);
        assert_eq!(table.get(3), Some(meta(Kind::Sha256, true)));
        assert!(MetaTable::from_columns(vec![2, 2], vec![[0, 0, 0, 50, 0]; 2]).is_none());
        assert!(MetaTable::from_columns(vec![1, 2], vec![[0, 0, 0, 50, 0]; 2]).is_some());
    }

    /// Many changes, merged and not, give what a plain map of the same
    /// changes gives.
    #[test]
    fn agrees_with_a_map_across_merges() {
        let mut table = MetaTable::default();
        let mut map: HashMap<u64, HashMeta> = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for round in 0..40 {
            let mut remove = HashSet::new();
            let mut add = Vec::new();
            for _ in 0..700 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let id = x % 20_000;
                if x.is_multiple_of(3) {
                    remove.insert(id);
                } else if !remove.contains(&id) {
                    add.push((id, meta(Kind::ALL[(x % 3) as usize], x.is_multiple_of(5))));
                }
            }
            for id in &remove {
                map.remove(id);
            }
            for (id, m) in &add {
                map.insert(*id, *m);
            }
            table.update(&remove, add);
            assert_eq!(table.len(), map.len(), "round {round}");
            for id in (0..20_000).step_by(37) {
                assert_eq!(table.get(id), map.get(&id).copied(), "{id}");
            }
        }
        let mut per_kind = [0u64; Kind::COUNT];
        for m in map.values() {
            per_kind[usize::from(m.kind.code())] += 1;
        }
        assert_eq!(table.per_kind(), per_kind);
        let (ids, _) = table.columns();
        assert_eq!(ids.len(), map.len());
    }
}
