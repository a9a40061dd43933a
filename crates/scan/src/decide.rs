//! The decision: which stored hashes found near a file's query hashes are
//! matches of the file. One function, so that better rules (hashes of
//! altered views of the picture, each compared with its own radius) change
//! this file and nothing else.

use crate::bankfile::Found;
use crate::hashes::{Category, Kind, Role};
use crate::query::{Label, Query};

/// A stored hash found for one of a query's hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Which of the query's hashes found it (index into `Query::hashes`).
    pub query: usize,
    /// What was found.
    pub found: Found,
}

/// A stored hash the file matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileMatch {
    /// The bank's id of the stored hash.
    pub hash_id: u64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    pub role: Role,
    /// Its case's category.
    pub category: Option<Category>,
    /// Bits that differ (0 for digests).
    pub distance: u32,
    /// The label of the query hash that matched it.
    pub label: Label,
}

/// The stored hashes `query` matches among `candidates`, one per stored
/// hash (its closest pair), minor first, then nearest, then by id.
///
/// Plain rules: a PDQ hash matches a stored PDQ hash within `radius` bits;
/// a digest matches a stored digest of its kind exactly.
pub fn decide(query: &Query, candidates: &[Candidate], radius: u32) -> Vec<FileMatch> {
    let mut out: Vec<FileMatch> = Vec::new();
    for c in candidates {
        let Some(hash) = query.hashes.get(c.query) else {
            continue;
        };
        let kind = hash.value.kind();
        let matches = c.found.meta.kind == kind
            && match kind {
                Kind::Pdq => c.found.distance <= radius,
                Kind::Md5 | Kind::Sha256 => c.found.distance == 0,
            };
        if !matches {
            continue;
        }
        let candidate = FileMatch {
            hash_id: c.found.hash_id,
            kind,
            role: c.found.meta.role,
            category: c.found.meta.category,
            distance: c.found.distance,
            label: hash.label,
        };
        match out.iter_mut().find(|m| m.hash_id == candidate.hash_id) {
            Some(m) if candidate.distance < m.distance => *m = candidate,
            Some(_) => {}
            None => out.push(candidate),
        }
    }
    out.sort_by_key(|m| (m.category.is_none(), m.distance, m.hash_id));
    out
}

#[cfg(test)]
mod tests {
    use pdq::Hash256;

    use super::*;
    use crate::hashes::{HashMeta, HashValue};
    use crate::query::QueryHash;

    fn query() -> Query {
        Query {
            hashes: vec![
                QueryHash {
                    label: Label::Plain,
                    value: HashValue::Pdq(Hash256::ZERO),
                },
                QueryHash {
                    label: Label::Plain,
                    value: HashValue::Md5([1; 16]),
                },
            ],
            weak_pdq: false,
        }
    }

    fn found(query: usize, hash_id: u64, kind: Kind, distance: u32, minor: bool) -> Candidate {
        Candidate {
            query,
            found: Found {
                hash_id,
                meta: HashMeta {
                    kind,
                    role: Role::Plain,
                    category: minor.then_some(Category::Minor),
                    quality: None,
                },
                distance,
            },
        }
    }

    #[test]
    fn plain_rules() {
        let candidates = [
            found(0, 5, Kind::Pdq, 31, false),
            found(0, 6, Kind::Pdq, 32, false),
            found(0, 7, Kind::Pdq, 20, true),
            found(1, 8, Kind::Md5, 0, false),
            found(1, 9, Kind::Pdq, 0, false),
            found(0, 5, Kind::Pdq, 10, false),
        ];
        let got: Vec<(u64, u32)> = decide(&query(), &candidates, 31)
            .iter()
            .map(|m| (m.hash_id, m.distance))
            .collect();
        assert_eq!(got, vec![(7, 20), (8, 0), (5, 10)]);
        assert!(decide(&query(), &candidates, 5)
            .iter()
            .all(|m| m.kind == Kind::Md5));
    }
}
