//! The investigator's view: matches grouped by the bank hash they match,
//! so a seized collection shows which reported images it holds and how
//! many copies of each. Nothing in it names a person: the bank gives
//! platforms hash ids, never cases.

use crate::hashes::{Category, Kind, Role};
use crate::scan::MatchRecord;

/// The files matching one bank hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The bank's id of the hash.
    pub hash_id: u64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    pub role: Role,
    /// Its case's category.
    pub category: Option<Category>,
    /// The matching files, in report order.
    pub paths: Vec<String>,
}

/// Matches grouped by bank hash: minor first, then most files first, then
/// by id.
pub fn groups(matches: &[MatchRecord]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for m in matches {
        match out.iter_mut().find(|g| g.hash_id == m.hash_id) {
            Some(g) => g.paths.push(m.path.clone()),
            None => out.push(Group {
                hash_id: m.hash_id,
                kind: m.kind,
                role: m.role,
                category: m.category,
                paths: vec![m.path.clone()],
            }),
        }
    }
    out.sort_by_key(|g| {
        (
            g.category.is_none(),
            std::cmp::Reverse(g.paths.len()),
            g.hash_id,
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str, hash_id: u64, minor: bool) -> MatchRecord {
        MatchRecord {
            frames: Vec::new(),
            shares: None,
            path: path.into(),
            hash_id,
            kind: Kind::Pdq,
            role: Role::Plain,
            distance: 3,
            label: crate::Label::Pdq(model::QueryLabel::Plain),
            evidence: model::Evidence::Pair,
            category: minor.then_some(Category::Minor),
            value: crate::hashes::HashValue::Pdq(pdq::Hash256::ZERO),
        }
    }

    #[test]
    fn minor_first_then_most_files() {
        let got = groups(&[
            record("a", 1, false),
            record("b", 2, false),
            record("c", 2, false),
            record("d", 3, true),
        ]);
        let order: Vec<(u64, usize)> = got.iter().map(|g| (g.hash_id, g.paths.len())).collect();
        assert_eq!(order, vec![(3, 1), (2, 2), (1, 1)]);
        assert_eq!(got[1].paths, vec!["b", "c"]);
    }
}
