//! The decision: which candidates found by range search are matches.
//!
//! Each query hash is searched in the bank out to [`SEARCH_RADIUS`]; every
//! stored hash found is a [`Candidate`]. Not every pair of labels is
//! compared: a pair is a match only when its distance is within the radius
//! [`radius`] gives for that pair of labels, and pairs without a radius
//! (a mirrored query against a crop, say) are never matches. Every pair
//! compared is one more chance of a false match, so only pairs that stand
//! for a real way of copying an image are.
//!
//! A copy that was filtered as well as re-encoded (brightened, say) can land
//! a little beyond the radius on every pair. Such a near miss is taken as a
//! match when it is *corroborated*: two different stored hashes of the same
//! bank image (two views of the original, such as the whole and its top
//! part) each lie within [`CORROBORATION_RADIUS`] of the query. Unrelated
//! images lie about 128 bits apart on every pair, so two views both this
//! close by chance are far rarer than one; such matches are marked, for a
//! reviewer to see how they were made.

use pdq::MATCH_DISTANCE;

use crate::labels::{BankLabel, Part, QueryLabel};

/// The radius of pairs of hashes of the same pixels (the whole image
/// against the whole image, a part against the same part): PDQ's standard
/// match distance, 31 bits.
pub const SAME_PICTURE_RADIUS: u32 = MATCH_DISTANCE;

/// How close two different stored hashes of one bank image must both be to
/// the query for a corroborated match. Set between the radius and the
/// closest non-matching pairs measured (BENCHMARKS.md, about 84 bits at
/// the least): well clear of chance, close enough to take in the filtered
/// copies that land just beyond the radius.
pub const CORROBORATION_RADIUS: u32 = 40;

/// The largest distance any decision looks at: how far a search that
/// does not know the query hash's label must go ([`search_radius`] gives
/// it per label).
pub const SEARCH_RADIUS: u32 = CORROBORATION_RADIUS;

/// How far the index must search around a query hash with label `query`:
/// [`CORROBORATION_RADIUS`] for the labels that can corroborate
/// ([`corroborates`]), the radius of its pairs for the others. Searches
/// out to 40 bits cost several times more than to 31, so only the views
/// that need it go that far.
pub fn search_radius(query: QueryLabel) -> u32 {
    if corroborating_query(query) {
        CORROBORATION_RADIUS
    } else {
        SAME_PICTURE_RADIUS
    }
}

/// Whether a pair of labels can take part in a corroborated match: the
/// query as it is against the original whole or a crop of it, and an end
/// part of the query against the same part of the original. Those are the
/// pairs on which a copy that was only filtered (brightened, blurred,
/// recompressed) lands near its original: its pixels are the original's.
/// Views the query side makes (turned, trimmed, found inside a screenshot)
/// already move pixels, so their pairs count only within their radius.
pub fn corroborates(query: QueryLabel, bank: BankLabel) -> bool {
    corroborating_query(query) && radius(query, bank).is_some()
}

/// The query labels of [`corroborates`].
fn corroborating_query(query: QueryLabel) -> bool {
    matches!(query, QueryLabel::Plain | QueryLabel::Part(_))
}

/// The largest distance at which a query hash with label `query` matches a
/// stored hash with label `bank`, or `None` when the two are not compared.
///
/// * the whole query picture as it is, without borders, without a caption
///   band, inside a screenshot or straightened, against the whole original
///   and the original without borders;
/// * the query mirrored or turned, against the whole original and the
///   original without borders;
/// * the whole query picture as it is, without borders or inside a
///   screenshot, against the original's fixed crops (the copy is a crop);
/// * a fixed end part of the query against the same part of the original
///   (the rest of the copy is covered by a caption or a watermark).
pub fn radius(query: QueryLabel, bank: BankLabel) -> Option<u32> {
    use BankLabel as B;
    use QueryLabel as Q;
    let whole_bank = matches!(bank, B::Plain | B::Trim);
    match (query, bank) {
        (Q::Plain | Q::Trim | Q::Uncaption | Q::Screen | Q::Straight, _) if whole_bank => {
            Some(SAME_PICTURE_RADIUS)
        }
        (Q::Dihedral(_), _) if whole_bank => Some(SAME_PICTURE_RADIUS),
        (Q::Plain | Q::Trim | Q::Screen, B::Part(p)) if is_crop(p) => Some(SAME_PICTURE_RADIUS),
        (Q::Part(q), B::Part(b)) if q == b && !is_crop(q) => Some(SAME_PICTURE_RADIUS),
        _ => None,
    }
}

/// Whether a part is a crop (a copy may be cut to it), rather than an end
/// part (the rest of a copy may be covered).
fn is_crop(p: Part) -> bool {
    !matches!(p, Part::Top80 | Part::Bottom80)
}

/// A stored hash found near one of a query's hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The label of the query hash that found it.
    pub query: QueryLabel,
    /// The bank image the stored hash belongs to: every hash from one call
    /// of `media::robust::bank_hashes` shares it. A hash imported alone (a plain
    /// PDQ hash from another hash list) is an image of its own.
    pub image: u64,
    /// The stored hash's own id.
    pub stored: u64,
    /// The stored hash's label.
    pub label: BankLabel,
    /// Hamming distance between the two hashes.
    pub distance: u32,
}

/// How a match was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Evidence {
    /// A pair within its radius.
    Pair,
    /// Two stored hashes of the image both within
    /// [`CORROBORATION_RADIUS`], neither within its radius.
    Corroborated,
}

impl Evidence {
    /// `pair` or `corroborated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Pair => "pair",
            Evidence::Corroborated => "corroborated",
        }
    }
}

/// A bank image the query matches, with the pair that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// The bank image (for [`decide_stored`], as the candidate gave it).
    pub image: u64,
    /// The stored hash of the deciding pair.
    pub stored: u64,
    /// Its label.
    pub label: BankLabel,
    /// The query hash of the deciding pair.
    pub query: QueryLabel,
    /// Their distance.
    pub distance: u32,
    /// How the match was made.
    pub evidence: Evidence,
}

/// The bank images the candidates of one query file match, one [`Match`]
/// per image, in order of image id.
///
/// An image matches on a pair within its radius (the one furthest inside
/// its radius decides, then the closest), or, failing that, when
/// corroborated: pairs that can corroborate ([`corroborates`]) within
/// [`CORROBORATION_RADIUS`] involve at least two different stored hashes
/// of the image (the closest pair is reported). Candidates of pairs that
/// are not compared are ignored.
pub fn decide(candidates: &[Candidate]) -> Vec<Match> {
    let mut images: Vec<u64> = candidates.iter().map(|c| c.image).collect();
    images.sort_unstable();
    images.dedup();
    let mut out = Vec::new();
    for image in images {
        let compared = candidates
            .iter()
            .filter(|c| c.image == image)
            .filter_map(|c| radius(c.query, c.label).map(|r| (r, c)));
        let mut direct: Option<(u32, &Candidate)> = None;
        let mut near: Vec<&Candidate> = Vec::new();
        for (r, c) in compared {
            if c.distance <= r {
                let margin = r - c.distance;
                let better = direct.is_none_or(|(m, d)| {
                    (margin, std::cmp::Reverse(c.distance)) > (m, std::cmp::Reverse(d.distance))
                });
                if better {
                    direct = Some((margin, c));
                }
            }
            if c.distance <= CORROBORATION_RADIUS && corroborates(c.query, c.label) {
                near.push(c);
            }
        }
        let decided = match direct {
            Some((_, c)) => Some((c, Evidence::Pair)),
            None => {
                near.sort_by_key(|c| (c.distance, c.stored));
                let two_views = near.iter().any(|c| c.stored != near[0].stored);
                (two_views).then(|| (near[0], Evidence::Corroborated))
            }
        };
        if let Some((c, evidence)) = decided {
            out.push(Match {
                image,
                stored: c.stored,
                label: c.label,
                query: c.query,
                distance: c.distance,
                evidence,
            });
        }
    }
    out
}

/// The stored hashes the candidates of one query file match, one [`Match`]
/// per stored hash, in order of stored id: the decision that needs nothing
/// but the stored hashes and their labels.
///
/// [`decide`] groups stored hashes by bank image, and only the victim's
/// side knows which hashes come from one image. The bank does not tell
/// (its hash ids are random), and must not: a list that grouped hashes by
/// image would group them by case, and platforms must never hold that. So
/// the bank's match API, its feed and a platform's local copy of it can
/// only decide per stored hash, and this is the decision `hashbank scan`
/// ships:
///
/// * every stored hash with a compared pair within its radius ([`radius`])
///   is a match ([`Evidence::Pair`]; the pair furthest inside its radius
///   decides, then the closest);
/// * when no stored hash has such a pair, the near misses are taken when
///   they are corroborated: pairs that can corroborate ([`corroborates`])
///   within [`CORROBORATION_RADIUS`] involve at least two different stored
///   hashes with different labels
///   (two different views, such as a whole and a part; any image, since
///   images are not known). Each of those stored hashes is a match
///   ([`Evidence::Corroborated`], its closest pair reported).
///
/// [`Candidate::image`] is not looked at; it is copied into each match.
/// Candidates of pairs that are not compared are ignored.
pub fn decide_stored(candidates: &[Candidate]) -> Vec<Match> {
    let compared: Vec<(u32, &Candidate)> = candidates
        .iter()
        .filter_map(|c| radius(c.query, c.label).map(|r| (r, c)))
        .collect();
    let mut stored: Vec<u64> = compared.iter().map(|(_, c)| c.stored).collect();
    stored.sort_unstable();
    stored.dedup();
    let pairs: Vec<Match> = stored
        .iter()
        .filter_map(|&id| {
            compared
                .iter()
                .filter(|(r, c)| c.stored == id && c.distance <= *r)
                .max_by_key(|(r, c)| (r - c.distance, std::cmp::Reverse(c.distance)))
                .map(|(_, c)| found(c, Evidence::Pair))
        })
        .collect();
    if !pairs.is_empty() {
        return pairs;
    }
    let near: Vec<Match> = stored
        .iter()
        .filter_map(|&id| {
            compared
                .iter()
                .filter(|(_, c)| {
                    c.stored == id
                        && c.distance <= CORROBORATION_RADIUS
                        && corroborates(c.query, c.label)
                })
                .min_by_key(|(_, c)| c.distance)
                .map(|(_, c)| found(c, Evidence::Corroborated))
        })
        .collect();
    let two_views = near.iter().any(|m| m.label != near[0].label);
    if two_views {
        near
    } else {
        Vec::new()
    }
}

/// The match a candidate makes.
fn found(c: &Candidate, evidence: Evidence) -> Match {
    Match {
        image: c.image,
        stored: c.stored,
        label: c.label,
        query: c.query,
        distance: c.distance,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pdq::Dihedral;

    fn candidate(query: QueryLabel, image: u64, label: BankLabel, distance: u32) -> Candidate {
        Candidate {
            query,
            image,
            stored: image * 100 + distance as u64,
            label,
            distance,
        }
    }

    #[test]
    fn plain_pairs_use_pdq_standard_radius() {
        assert_eq!(radius(QueryLabel::Plain, BankLabel::Plain), Some(31));
        let c = [
            candidate(QueryLabel::Plain, 1, BankLabel::Plain, 31),
            candidate(QueryLabel::Plain, 2, BankLabel::Plain, 32),
        ];
        let m = decide(&c);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].image, m[0].distance), (1, 31));
        assert_eq!(m[0].evidence, Evidence::Pair);
    }

    #[test]
    fn uncompared_pairs_never_match() {
        let mirrored = QueryLabel::Dihedral(Dihedral::FlipY);
        assert_eq!(radius(mirrored, BankLabel::Part(Part::Crop90)), None);
        assert_eq!(
            radius(
                QueryLabel::Part(Part::Top80),
                BankLabel::Part(Part::Bottom80)
            ),
            None
        );
        assert_eq!(
            radius(QueryLabel::Part(Part::Top80), BankLabel::Plain),
            None
        );
        let c = [candidate(mirrored, 1, BankLabel::Part(Part::Crop90), 0)];
        assert!(decide(&c).is_empty());
    }

    #[test]
    fn one_match_per_image_the_closest_pair() {
        let c = [
            candidate(QueryLabel::Plain, 7, BankLabel::Plain, 20),
            candidate(QueryLabel::Trim, 7, BankLabel::Plain, 4),
            candidate(QueryLabel::Plain, 3, BankLabel::Part(Part::Crop80), 10),
        ];
        let m = decide(&c);
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].image, m[0].label), (3, BankLabel::Part(Part::Crop80)));
        assert_eq!(
            (m[1].image, m[1].query, m[1].distance),
            (7, QueryLabel::Trim, 4)
        );
    }

    #[test]
    fn near_misses_need_two_stored_hashes() {
        let top = BankLabel::Part(Part::Top80);
        let near = |query, label, stored, distance| Candidate {
            query,
            image: 5,
            stored,
            label,
            distance,
        };
        // One stored hash near, twice: not enough.
        let alone = [
            near(QueryLabel::Plain, BankLabel::Plain, 50, 36),
            near(QueryLabel::Trim, BankLabel::Plain, 50, 38),
        ];
        assert!(decide(&alone).is_empty());
        // Two stored hashes near: corroborated.
        let two = [
            near(QueryLabel::Plain, BankLabel::Plain, 50, 36),
            near(QueryLabel::Part(Part::Top80), top, 51, 34),
        ];
        let m = decide(&two);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].stored, m[0].distance, m[0].evidence),
            (51, 34, Evidence::Corroborated)
        );
        // Beyond the corroboration radius: nothing.
        let far = [
            near(QueryLabel::Plain, BankLabel::Plain, 50, 36),
            near(QueryLabel::Part(Part::Top80), top, 51, 41),
        ];
        assert!(decide(&far).is_empty());
        // A pair that is not compared does not corroborate.
        let uncompared = [
            near(QueryLabel::Plain, BankLabel::Plain, 50, 36),
            near(QueryLabel::Part(Part::Bottom80), top, 51, 30),
        ];
        assert!(decide(&uncompared).is_empty());
    }

    fn stored(query: QueryLabel, stored: u64, label: BankLabel, distance: u32) -> Candidate {
        Candidate {
            query,
            image: 0,
            stored,
            label,
            distance,
        }
    }

    #[test]
    fn stored_hashes_within_their_radius_each_match() {
        let crop = BankLabel::Part(Part::Crop90);
        let c = [
            stored(QueryLabel::Plain, 4, BankLabel::Plain, 29),
            stored(QueryLabel::Trim, 4, BankLabel::Plain, 12),
            stored(QueryLabel::Plain, 9, crop, 31),
            stored(QueryLabel::Plain, 2, BankLabel::Plain, 32),
            // Near, but a pair is within radius elsewhere: not taken.
            stored(
                QueryLabel::Part(Part::Top80),
                3,
                BankLabel::Part(Part::Top80),
                35,
            ),
        ];
        let m = decide_stored(&c);
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.stored, m.query, m.distance, m.evidence))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, QueryLabel::Trim, 12, Evidence::Pair),
                (9, QueryLabel::Plain, 31, Evidence::Pair)
            ]
        );
    }

    #[test]
    fn stored_near_misses_need_two_views() {
        let top = BankLabel::Part(Part::Top80);
        let q_top = QueryLabel::Part(Part::Top80);
        // Two stored hashes with different labels, of any image: corroborated,
        // each reported with its closest pair.
        let two = [
            stored(QueryLabel::Plain, 50, BankLabel::Plain, 36),
            stored(QueryLabel::Trim, 50, BankLabel::Plain, 38),
            stored(q_top, 51, top, 34),
        ];
        let m = decide_stored(&two);
        let got: Vec<_> = m
            .iter()
            .map(|m| (m.stored, m.distance, m.evidence))
            .collect();
        assert_eq!(
            got,
            vec![
                (50, 36, Evidence::Corroborated),
                (51, 34, Evidence::Corroborated)
            ]
        );
        // One stored hash near, twice: not enough.
        assert!(decide_stored(&two[..2]).is_empty());
        // Two stored hashes with the same label (two originals' whole
        // pictures): one view, not two.
        let same = [
            stored(QueryLabel::Plain, 50, BankLabel::Plain, 36),
            stored(QueryLabel::Plain, 60, BankLabel::Plain, 37),
        ];
        assert!(decide_stored(&same).is_empty());
        // Beyond the corroboration radius, or not compared: nothing.
        let far = [
            stored(QueryLabel::Plain, 50, BankLabel::Plain, 36),
            stored(q_top, 51, top, 41),
        ];
        assert!(decide_stored(&far).is_empty());
        let uncompared = [
            stored(QueryLabel::Plain, 50, BankLabel::Plain, 36),
            stored(QueryLabel::Part(Part::Bottom80), 51, top, 30),
        ];
        assert!(decide_stored(&uncompared).is_empty());
        assert!(decide_stored(&[]).is_empty());
        // Views the query side made (turned, trimmed) count within their
        // radius only: they do not corroborate.
        let moved = [
            stored(
                QueryLabel::Dihedral(Dihedral::Rotate90),
                50,
                BankLabel::Plain,
                36,
            ),
            stored(QueryLabel::Trim, 52, BankLabel::Trim, 33),
            stored(q_top, 51, top, 34),
        ];
        assert!(decide_stored(&moved).is_empty());
        assert!(decide(&moved).is_empty());
    }

    #[test]
    fn every_radius_is_within_the_search_radius() {
        for q in QueryLabel::all() {
            for b in BankLabel::all() {
                if let Some(r) = radius(q, b) {
                    assert!(r <= SEARCH_RADIUS, "{q} {b}");
                    assert!(r <= search_radius(q), "{q} {b}");
                }
                if corroborates(q, b) {
                    assert_eq!(search_radius(q), CORROBORATION_RADIUS, "{q} {b}");
                }
            }
        }
    }
}
