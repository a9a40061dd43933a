//! The decision: which stored hashes found near a file's query hashes are
//! matches of the file.
//!
//! Digests match exactly. PDQ hashes are judged by
//! [`model::decide_stored`]: each pair of a query label and a
//! stored label that stands for a real way of copying an image is compared
//! with its own radius ([`model::radius`]), other pairs never; when
//! no stored hash is within its radius, near misses (a filtered copy) are
//! taken when two stored hashes of different labels are both within
//! [`model::CORROBORATION_RADIUS`]. The decision is per stored hash:
//! a local bank, like the bank's feed and match API, does not know which
//! stored hashes come from one image.

use model::Evidence;

use crate::hashes::{Category, HashValue, Kind, Role};
use crate::query::{Label, Query};
use matcher::Found;

/// A stored hash found for one of a query's hashes.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Which of the query's hashes found it (index into `Query::hashes`).
    pub query: usize,
    /// What was found.
    pub found: Found,
}

/// A stored hash the file matches.
#[derive(Clone, Debug, PartialEq)]
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
    /// The label of the query hash of the deciding pair.
    pub label: Label,
    /// How the match was made: a pair within its radius (every digest
    /// match), or corroborated.
    pub evidence: Evidence,
    /// The file's hash of the deciding pair (sent with a report, so the
    /// bank can check the match).
    pub value: HashValue,
    /// A stored video: its frame found.
    pub frame: Option<model::VideoFrame>,
}

/// The stored hashes `query` matches among `candidates`, one per stored
/// hash (its deciding pair), minor first, then nearest, then by id.
pub fn decide(query: &Query, candidates: &[Candidate]) -> Vec<FileMatch> {
    let mut out: Vec<FileMatch> = Vec::new();
    let mut pdq = Vec::new();
    for c in candidates {
        let Some(hash) = query.hashes.get(c.query) else {
            continue;
        };
        let meta = c.found.meta;
        // A stored video is found by a picture through one of its frames.
        let video_frame = meta.kind == Kind::Vpdq && hash.value.kind() == Kind::Pdq;
        if meta.kind != hash.value.kind() && !video_frame {
            continue;
        }
        match (hash.label, meta.label) {
            (Label::Pdq(query), label) => pdq.push(model::Candidate {
                query,
                image: c.found.hash_id,
                stored: c.found.hash_id,
                label: model::stored_label(label),
                distance: c.found.distance,
            }),
            (Label::Md5 | Label::Sha256, _)
                if c.found.distance == 0 && !out.iter().any(|m| m.hash_id == c.found.hash_id) =>
            {
                out.push(FileMatch {
                    hash_id: c.found.hash_id,
                    kind: meta.kind,
                    role: meta.role,
                    category: meta.category,
                    distance: 0,
                    label: hash.label,
                    evidence: Evidence::Pair,
                    value: hash.value.clone(),
                    frame: None,
                });
            }
            _ => {}
        }
    }
    for m in model::decide_stored(&pdq) {
        let Some((meta, frame)) = candidates
            .iter()
            .find(|c| {
                c.found.hash_id == m.stored && matches!(c.found.meta.kind, Kind::Pdq | Kind::Vpdq)
            })
            .map(|c| (c.found.meta, c.found.frame))
        else {
            continue;
        };
        let Some(value) = query
            .hashes
            .iter()
            .find(|h| h.label == Label::Pdq(m.query))
            .map(|h| h.value.clone())
        else {
            continue;
        };
        out.push(FileMatch {
            hash_id: m.stored,
            kind: meta.kind,
            role: meta.role,
            category: meta.category,
            distance: m.distance,
            label: Label::Pdq(m.query),
            evidence: m.evidence,
            value,
            frame,
        });
    }
    out.sort_by_key(|m| (m.category.is_none(), m.distance, m.hash_id));
    out
}

#[cfg(test)]
mod tests {
    use model::{BankLabel, Part, QueryLabel};
    use pdq::{Dihedral, Hash256};

    use super::*;
    use crate::hashes::{HashMeta, HashValue};
    use crate::query::QueryHash;

    /// A query with the plain hash, a turned one, the top part and an MD5.
    fn query() -> Query {
        let pdq = |label| QueryHash {
            label: Label::Pdq(label),
            value: HashValue::Pdq(Hash256::ZERO),
        };
        Query {
            video: None,
            hashes: vec![
                pdq(QueryLabel::Plain),
                pdq(QueryLabel::Dihedral(Dihedral::Rotate90)),
                pdq(QueryLabel::Part(Part::Top80)),
                QueryHash {
                    label: Label::Md5,
                    value: HashValue::Md5([1; 16]),
                },
            ],
            weak_pdq: false,
        }
    }

    fn found(query: usize, hash_id: u64, label: Option<BankLabel>, distance: u32) -> Candidate {
        let kind = if label.is_some() {
            Kind::Pdq
        } else {
            Kind::Md5
        };
        Candidate {
            query,
            found: Found {
                frame: None,
                hash_id,
                value: match kind {
                    Kind::Pdq => HashValue::Pdq(pdq::Hash256::ZERO),
                    _ => HashValue::Md5([0; 16]),
                },
                meta: HashMeta {
                    kind,
                    role: label.map_or(Role::Plain, |l| l.role()),
                    category: (hash_id == 7).then_some(Category::Minor),
                    quality: None,
                    label,
                },
                distance,
            },
        }
    }

    fn summary(matches: &[FileMatch]) -> Vec<(u64, &'static str, u32, Evidence)> {
        matches
            .iter()
            .map(|m| (m.hash_id, m.label.as_str(), m.distance, m.evidence))
            .collect()
    }

    #[test]
    fn pairs_within_their_radius_and_exact_digests() {
        let plain = Some(BankLabel::Plain);
        let crop = Some(BankLabel::Part(Part::Crop90));
        let candidates = [
            found(0, 5, plain, 31),
            found(0, 6, plain, 32),
            found(0, 7, plain, 20),
            found(3, 8, None, 0),
            // A turned query against a crop is never compared.
            found(1, 9, crop, 3),
            // The closest pair of a stored hash decides.
            found(1, 5, plain, 10),
            // A digest query against a PDQ hash: kinds differ.
            found(3, 10, plain, 0),
        ];
        assert_eq!(
            summary(&decide(&query(), &candidates)),
            vec![
                (7, "pdq", 20, Evidence::Pair),
                (8, "md5", 0, Evidence::Pair),
                (5, "rot90", 10, Evidence::Pair),
            ]
        );
    }

    #[test]
    fn near_misses_are_taken_when_two_views_corroborate() {
        let top = Some(BankLabel::Part(Part::Top80));
        let near = [
            found(0, 20, Some(BankLabel::Plain), 36),
            found(2, 21, top, 39),
        ];
        assert_eq!(
            summary(&decide(&query(), &near)),
            vec![
                (20, "pdq", 36, Evidence::Corroborated),
                (21, "top80", 39, Evidence::Corroborated),
            ]
        );
        // One view alone: nothing. A stored hash without a label counts as
        // the plain one, which a `top80` query hash is not compared with.
        assert!(decide(&query(), &near[..1]).is_empty());
        let unlabelled = [near[0].clone(), found(2, 21, None, 39)];
        assert!(decide(&query(), &unlabelled).is_empty());
    }
}
