//! The fast search layout of a local bank's PDQ hashes: one
//! [`FrozenIndex`] per group of bank labels, so that a query hash is
//! searched only among the stored hashes it can be compared with (a turned
//! copy among whole pictures, a top part among top parts).

use hashbank_index::{FrozenIndex, Hash256, Match};
use model::{BankLabel, Part, QueryLabel};

use crate::table::MetaTable;

/// Groups of bank labels that queries are compared with alike: whole
/// pictures (the plain hash, the trimmed picture, and hashes without a
/// label, which count as plain), crops, top parts, bottom parts.
const GROUPS: usize = 4;

/// The group of a stored hash's label.
fn group_of(label: BankLabel) -> usize {
    match label {
        BankLabel::Plain | BankLabel::Trim => 0,
        BankLabel::Part(Part::Top80) => 2,
        BankLabel::Part(Part::Bottom80) => 3,
        BankLabel::Part(_) => 1,
    }
}

/// One group: its index and the labels it holds.
struct Group {
    index: FrozenIndex,
    labels: Vec<BankLabel>,
}

/// The PDQ hashes of a local bank, grouped by label, each group laid out
/// for fast search.
pub(super) struct FastSearch {
    groups: Vec<Group>,
}

impl FastSearch {
    /// Memory taken per stored hash.
    pub(super) const BYTES_PER_HASH: u64 = FrozenIndex::BYTES_PER_HASH as u64;

    /// The layout of `entries`, whose labels `meta` gives.
    pub(super) fn build(entries: Vec<(u64, Hash256)>, meta: &MetaTable) -> FastSearch {
        let mut split: Vec<Vec<(u64, Hash256)>> = vec![Vec::new(); GROUPS];
        let mut labels: Vec<Vec<BankLabel>> = vec![Vec::new(); GROUPS];
        for (id, hash) in entries {
            let label = stored_label(meta, id);
            let g = group_of(label);
            split[g].push((id, hash));
            if !labels[g].contains(&label) {
                labels[g].push(label);
            }
        }
        let groups = split
            .into_iter()
            .zip(labels)
            .map(|(entries, labels)| Group {
                index: FrozenIndex::build(entries),
                labels,
            })
            .collect();
        FastSearch { groups }
    }

    /// The stored hashes within `radius` of `hash` in the groups holding a
    /// label that `query` is compared with, nearest first, then by id.
    pub(super) fn search(&self, query: QueryLabel, hash: &Hash256, radius: u32) -> Vec<Match> {
        let mut out: Vec<Match> = Vec::new();
        for group in &self.groups {
            let compared = group
                .labels
                .iter()
                .any(|&label| model::radius(query, label).is_some());
            if compared {
                out.extend(group.index.search(hash, radius));
            }
        }
        out.sort_unstable();
        out
    }
}

/// The label a stored PDQ hash is compared by: its own, or plain when it
/// has none.
fn stored_label(meta: &MetaTable, id: u64) -> BankLabel {
    model::stored_label(meta.get(id).and_then(|m| m.label))
}
