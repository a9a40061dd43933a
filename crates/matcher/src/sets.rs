//! The matcher: every hash held in a PDQ index or a digest set, with what
//! the bank says of it in a table beside them. Changes and searches may run
//! from several threads at once.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use hashbank_index::{HammingIndex, Hash256, Match, Md5Set, Sha256Set};
use model::{BankLabel, Category, HashValue, Kind, QueryLabel, VideoFrame};

use crate::stored::HashMeta;
use crate::table::MetaTable;
use crate::videos::{is_frame, VideoFrames};

/// One change to the set of hashes held, as the bank's feed gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A hash to match from now on.
    Add {
        /// The bank's id of the hash.
        id: u64,
        /// The hash.
        value: HashValue,
        /// What the bank says about it.
        meta: HashMeta,
    },
    /// A hash to forget (withdrawn or suspended).
    Delete {
        /// The bank's id of the hash.
        id: u64,
    },
}

/// What applying changes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Hashes added (an id held already counts too: its metadata is
    /// replaced).
    pub added: u64,
    /// Hashes deleted that were held (or had just been given).
    pub deleted: u64,
}

/// A stored hash found for a query hash.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The bank's id of the stored hash.
    pub hash_id: u64,
    /// The stored hash; for a frame of a stored video, the frame's PDQ
    /// hash.
    pub value: HashValue,
    /// What the bank says about it.
    pub meta: HashMeta,
    /// Bits that differ (0 for digests).
    pub distance: u32,
    /// When the stored hash is a video (kind `vpdq`): the frame found, the
    /// nearest of the video's frames (the first of them on a tie).
    pub frame: Option<VideoFrame>,
}

/// The hashes held, searchable.
#[derive(Default)]
pub struct Matcher {
    pub(crate) pdq: HammingIndex,
    pub(crate) md5: Md5Set,
    pub(crate) sha256: Sha256Set,
    pub(crate) table: RwLock<MetaTable>,
    pub(crate) videos: RwLock<VideoFrames>,
}

impl Matcher {
    /// An empty matcher.
    pub fn new() -> Matcher {
        Matcher::default()
    }

    /// Hashes held.
    pub fn len(&self) -> usize {
        self.table().len()
    }

    /// Whether no hash is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hashes held of each kind, in [`Kind::ALL`] order (a video counts
    /// once, whatever its frames).
    pub fn per_kind(&self) -> [u64; Kind::COUNT] {
        self.table().per_kind()
    }

    /// What the matcher holds about hash `id`.
    pub fn meta(&self, id: u64) -> Option<HashMeta> {
        self.table().get(id)
    }

    pub(crate) fn table(&self) -> std::sync::RwLockReadGuard<'_, MetaTable> {
        self.table.read().expect("matcher table")
    }

    /// The PDQ hashes in the index, with their ids: pictures' and video
    /// frames'.
    pub fn pdq_entries(&self) -> Vec<(u64, Hash256)> {
        self.pdq.entries()
    }

    /// PDQ hashes in the index: pictures' and video frames'.
    pub fn pdq_len(&self) -> usize {
        self.pdq.len()
    }

    /// Takes the hashes of `other` in place of its own (a matcher read
    /// from a file, say); a search while it happens may find fewer.
    pub fn replace_with(&self, other: Matcher) {
        let mut table = self.table.write().expect("matcher table");
        *table = other.table.into_inner().expect("matcher table");
        *self.videos.write().expect("matcher videos") =
            other.videos.into_inner().expect("matcher videos");
        self.pdq.replace_with(other.pdq);
        self.md5.replace_with(other.md5);
        self.sha256.replace_with(other.sha256);
    }

    /// Folds recent changes into the indexes' compact layout (after a
    /// large load).
    pub fn compact(&self) {
        self.pdq.compact();
        self.md5.compact();
        self.sha256.compact();
    }

    /// Applies changes in their order. Idempotent: an id held and added
    /// again keeps its value (a bank never gives an id another value) and
    /// takes the new metadata; deleting an id not held does nothing.
    pub fn apply(&self, changes: &[Change]) -> Applied {
        let mut adds: HashMap<u64, (HashValue, HashMeta)> = HashMap::new();
        let mut deletes: HashSet<u64> = HashSet::new();
        let mut applied = Applied::default();
        let mut table = self.table.write().expect("matcher table");
        for change in changes {
            match change {
                Change::Add { id, value, meta } => {
                    adds.insert(*id, (value.clone(), *meta));
                    applied.added += 1;
                }
                Change::Delete { id } => {
                    let pending = adds.remove(id).is_some();
                    let held = table.get(*id).is_some() && deletes.insert(*id);
                    if pending || held {
                        applied.deleted += 1;
                    }
                }
            }
        }
        // Out of the indexes: ids deleted, and ids whose value moves to
        // another kind. Into them: ids not held, or held no longer.
        let mut out: [Vec<u64>; Kind::COUNT] = Default::default();
        let mut into_pdq = Vec::new();
        let mut into_md5 = Vec::new();
        let mut into_sha256 = Vec::new();
        let mut into_videos = Vec::new();
        for &id in &deletes {
            if let Some(held) = table.get(id) {
                out[usize::from(held.kind.code())].push(id);
            }
        }
        let mut removed = deletes;
        for (&id, (value, _)) in &adds {
            let held = table.get(id).filter(|_| !removed.contains(&id));
            match held {
                Some(held) if held.kind == value.kind() => continue,
                Some(held) => {
                    out[usize::from(held.kind.code())].push(id);
                    removed.insert(id);
                }
                None => {}
            }
            match value {
                HashValue::Pdq(h) => into_pdq.push((id, *h)),
                HashValue::Md5(d) => into_md5.push((id, *d)),
                HashValue::Sha256(d) => into_sha256.push((id, *d)),
                HashValue::Vpdq(v) => into_videos.push((id, v.clone())),
            }
        }
        table.update(
            &removed,
            adds.into_iter().map(|(id, (_, meta))| (id, meta)).collect(),
        );
        let [mut pdq_out, md5_out, sha256_out, videos_out] = out;
        {
            // Under the table's lock, so that a search never sees a frame
            // without its video.
            let mut videos = self.videos.write().expect("matcher videos");
            for id in videos_out {
                pdq_out.extend(videos.remove(id));
            }
            for (id, hash) in into_videos {
                into_pdq.extend(videos.add(id, hash));
            }
        }
        drop(table);
        if !pdq_out.is_empty() {
            self.pdq.remove_many(pdq_out);
        }
        if !md5_out.is_empty() {
            self.md5.remove_many(md5_out);
        }
        if !sha256_out.is_empty() {
            self.sha256.remove_many(sha256_out);
        }
        if !into_pdq.is_empty() {
            self.pdq.insert_many(into_pdq);
        }
        if !into_md5.is_empty() {
            self.md5.insert_many(into_md5);
        }
        if !into_sha256.is_empty() {
            self.sha256.insert_many(into_sha256);
        }
        applied
    }

    /// The stored hashes `value` is near: PDQ hashes within `radius` bits
    /// whatever their labels (nearest first, then by id; a stored video
    /// once, at its nearest frame of quality at least
    /// [`model::VIDEO_QUALITY_THRESHOLD`]), digests exactly. A video is
    /// searched with [`search_video`](Matcher::search_video); here it finds
    /// nothing.
    pub fn search(&self, value: &HashValue, radius: u32) -> Vec<Found> {
        match value {
            HashValue::Pdq(h) => self.found(self.pdq.search(h, radius), None),
            HashValue::Md5(d) => self.exact(value, self.md5.ids_of(d)),
            HashValue::Sha256(d) => self.exact(value, self.sha256.ids_of(d)),
            HashValue::Vpdq(_) => Vec::new(),
        }
    }

    /// The stored PDQ hashes within `radius` bits of `hash`, a query hash
    /// labelled `query`, that are compared with it ([`model::radius`]; a
    /// stored hash without a label counts as plain), nearest first, then by
    /// id.
    pub fn search_compared(&self, query: QueryLabel, hash: &Hash256, radius: u32) -> Vec<Found> {
        self.found(self.pdq.search(hash, radius), Some(query))
    }

    /// The match decision the bank's match API gives: for a PDQ query hash
    /// labelled `label`, the stored hashes compared with it within their
    /// pair's radius ([`model::radius`]), or within `radius` bits when
    /// given; digests exactly, whatever the label. Minor first, then
    /// nearest, then by id.
    pub fn matches(&self, value: &HashValue, label: QueryLabel, radius: Option<u32>) -> Vec<Found> {
        let mut found = match value {
            HashValue::Pdq(h) => {
                let Some(reach) = reach(label, radius) else {
                    return Vec::new();
                };
                self.search_compared(label, h, reach)
                    .into_iter()
                    .filter(|f| {
                        let stored = model::stored_label(f.meta.label);
                        model::radius(label, stored)
                            .is_some_and(|pair| f.distance <= radius.unwrap_or(pair))
                    })
                    .collect()
            }
            _ => self.search(value, 0),
        };
        found.sort_by_key(|f| {
            (
                f.meta.category != Some(Category::Minor),
                f.distance,
                f.hash_id,
            )
        });
        found
    }

    /// Index matches (nearest first) with what the table says of each,
    /// those compared with `query` when one is given. A frame of a stored
    /// video stands for its video, once, at the first of its frames found;
    /// frames under [`model::VIDEO_QUALITY_THRESHOLD`] are left out, as
    /// vPDQ leaves them out.
    pub(crate) fn found(&self, matches: Vec<Match>, query: Option<QueryLabel>) -> Vec<Found> {
        let table = self.table();
        let videos = self.videos();
        let mut seen_videos = HashSet::new();
        matches
            .into_iter()
            .filter_map(|m| {
                let (id, frame, part) = if is_frame(m.id) {
                    let (video, label, frame) = videos.frame(m.id)?;
                    if frame.quality < model::VIDEO_QUALITY_THRESHOLD {
                        return None;
                    }
                    if let Some(query) = query {
                        model::radius(query, label)?;
                    }
                    if !seen_videos.insert(video) {
                        return None;
                    }
                    (video, Some(*frame), Some(label))
                } else {
                    (m.id, None, None)
                };
                let mut meta = table.get(id)?;
                // A video found by a part of a frame: the part's label says
                // what was compared.
                if let Some(label) = part.filter(|&l| l != BankLabel::Plain) {
                    meta.label = Some(label);
                    meta.role = label.role();
                }
                if let Some(query) = query {
                    model::radius(query, model::stored_label(meta.label))?;
                }
                Some(Found {
                    hash_id: id,
                    value: HashValue::Pdq(m.hash),
                    meta,
                    distance: m.distance,
                    frame,
                })
            })
            .collect()
    }

    fn exact(&self, value: &HashValue, ids: Vec<u64>) -> Vec<Found> {
        let table = self.table();
        ids.into_iter()
            .filter_map(|id| {
                Some(Found {
                    hash_id: id,
                    value: value.clone(),
                    meta: table.get(id)?,
                    distance: 0,
                    frame: None,
                })
            })
            .collect()
    }

    /// Whether every set holds exactly the hashes the table lists by kind.
    pub(crate) fn consistent(&self) -> bool {
        let [pdq, md5, sha256, vpdq] = self.per_kind();
        let videos = self.videos();
        self.pdq.len() as u64 == pdq + videos.frame_count() as u64
            && self.md5.len() as u64 == md5
            && self.sha256.len() as u64 == sha256
            && videos.len() as u64 == vpdq
    }
}

/// How far around a PDQ query hash labelled `label` the index is searched:
/// `radius` when given, else the largest radius of a pair with the query's
/// label; `None` when no stored label is compared with it.
fn reach(label: QueryLabel, radius: Option<u32>) -> Option<u32> {
    let widest = BankLabel::all()
        .filter_map(|stored| model::radius(label, stored))
        .max()?;
    Some(radius.unwrap_or(widest))
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("hashes", &self.len())
            .finish()
    }
}
