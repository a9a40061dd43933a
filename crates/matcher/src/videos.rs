//! Stored videos, matched as vPDQ matches them, through one Hamming index
//! of all their frames.
//!
//! Every frame hash of every stored video goes into one
//! [`HammingIndex`] under a frame id that leads back to its video and frame.
//! A query video's comparable frames (quality at least the rule's, each
//! distinct hash once) are each searched within the rule's radius; the
//! frames found give, per stored video, which query frames were found in it
//! and which of its frames were found in the query. The shares are exactly
//! those of [`model::compare_videos`] against each stored video in turn, at
//! the cost of one search per query frame instead of a comparison with
//! every frame in the bank. A still image is a query of one frame.

use std::collections::{BTreeMap, HashMap, HashSet};

use hashbank_index::{HammingIndex, Hash256};
use model::{VideoFrame, VideoHash, VideoRule, VideoShares};

/// A stored frame: its video, and the frame itself.
#[derive(Clone, Copy, Debug)]
struct StoredFrame {
    video: u64,
    frame: VideoFrame,
}

/// Stored videos and the index of their frames.
#[derive(Default)]
pub struct VideoSet {
    index: HammingIndex,
    frames: HashMap<u64, StoredFrame>,
    /// Each video's frame ids, in frame order.
    videos: HashMap<u64, Vec<u64>>,
    next_frame: u64,
}

/// A query frame found in a stored video: the nearest of that video's
/// frames to it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FramePair {
    /// The query's frame.
    pub query: VideoFrame,
    /// The stored video's nearest frame within the radius.
    pub stored: VideoFrame,
    /// Their distance.
    pub distance: u32,
}

/// A stored video found by a query.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoMatch {
    /// The stored video's id.
    pub video: u64,
    /// The two shares.
    pub shares: VideoShares,
    /// Whether the shares make a match by the rule.
    pub is_match: bool,
    /// Each query frame found, with the stored frame nearest to it, in
    /// query frame order.
    pub frames: Vec<FramePair>,
}

impl VideoSet {
    /// An empty set.
    pub fn new() -> VideoSet {
        VideoSet::default()
    }

    /// Stores `hash` as video `video`, replacing what was stored under it.
    pub fn insert(&mut self, video: u64, hash: &VideoHash) {
        self.remove(video);
        let mut ids = Vec::with_capacity(hash.frames.len());
        let mut entries = Vec::with_capacity(hash.frames.len());
        for frame in &hash.frames {
            let id = self.next_frame;
            self.next_frame += 1;
            self.frames.insert(
                id,
                StoredFrame {
                    video,
                    frame: *frame,
                },
            );
            entries.push((id, frame.hash));
            ids.push(id);
        }
        self.index.insert_many(entries);
        self.videos.insert(video, ids);
    }

    /// Removes video `video`; whether it was stored.
    pub fn remove(&mut self, video: u64) -> bool {
        let Some(ids) = self.videos.remove(&video) else {
            return false;
        };
        self.index.remove_many(ids.iter().copied());
        for id in ids {
            self.frames.remove(&id);
        }
        true
    }

    /// Videos stored.
    pub fn len(&self) -> usize {
        self.videos.len()
    }

    /// Whether no video is stored.
    pub fn is_empty(&self) -> bool {
        self.videos.is_empty()
    }

    /// Frame hashes stored, over all videos.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// The stored videos that share a frame with `query` under `rule`,
    /// matches first (by query share, then stored share), then the others
    /// found, by the same order; ties by video id.
    pub fn search(&self, query: &VideoHash, rule: &VideoRule) -> Vec<VideoMatch> {
        let comparable = query.comparable(rule.min_quality);
        if comparable.is_empty() {
            return Vec::new();
        }
        // Per stored video: the nearest pair for each query frame found,
        // and the distinct stored hashes found.
        let mut pairs: BTreeMap<u64, BTreeMap<usize, FramePair>> = BTreeMap::new();
        let mut found: HashMap<u64, HashSet<Hash256>> = HashMap::new();
        for (i, q) in comparable.iter().enumerate() {
            for hit in self.index.search(&q.hash, rule.radius) {
                let Some(stored) = self.frames.get(&hit.id) else {
                    continue;
                };
                if stored.frame.quality < rule.min_quality {
                    continue;
                }
                found
                    .entry(stored.video)
                    .or_default()
                    .insert(stored.frame.hash);
                let pair = FramePair {
                    query: **q,
                    stored: stored.frame,
                    distance: hit.distance,
                };
                pairs
                    .entry(stored.video)
                    .or_default()
                    .entry(i)
                    .and_modify(|best| {
                        if (pair.distance, pair.stored.number) < (best.distance, best.stored.number)
                        {
                            *best = pair;
                        }
                    })
                    .or_insert(pair);
            }
        }
        let mut out: Vec<VideoMatch> = pairs
            .into_iter()
            .map(|(video, by_query)| {
                let stored_comparable = self.comparable_count(video, rule.min_quality);
                let shares = VideoShares {
                    query: by_query.len() as f64 / comparable.len() as f64,
                    stored: found[&video].len() as f64 / stored_comparable.max(1) as f64,
                };
                VideoMatch {
                    video,
                    shares,
                    is_match: rule.is_match(shares),
                    frames: by_query.into_values().collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.is_match
                .cmp(&a.is_match)
                .then(b.shares.query.total_cmp(&a.shares.query))
                .then(b.shares.stored.total_cmp(&a.shares.stored))
                .then(a.video.cmp(&b.video))
        });
        out
    }

    /// Distinct hashes of quality at least `min_quality` in video `video`.
    fn comparable_count(&self, video: u64, min_quality: u8) -> usize {
        let Some(ids) = self.videos.get(&video) else {
            return 0;
        };
        ids.iter()
            .filter_map(|id| self.frames.get(id))
            .filter(|s| s.frame.quality >= min_quality)
            .map(|s| s.frame.hash)
            .collect::<HashSet<_>>()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::compare_videos;

    /// A small deterministic generator (xorshift), for repeatable tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn hash(&mut self) -> Hash256 {
            Hash256([self.next(), self.next(), self.next(), self.next()])
        }

        /// `base` with `bits` random bits flipped.
        fn near(&mut self, base: Hash256, bits: u32) -> Hash256 {
            let mut h = base;
            for _ in 0..bits {
                let b = (self.next() % 256) as usize;
                h.0[b / 64] ^= 1 << (b % 64);
            }
            h
        }
    }

    fn video(rng: &mut Rng, scenes: &[Hash256], frames: usize, noise: u32) -> VideoHash {
        VideoHash {
            frames: (0..frames)
                .map(|i| VideoFrame {
                    hash: rng.near(scenes[i % scenes.len()], noise),
                    quality: [100, 90, 40, 70][i % 4],
                    number: i as u32 * 30,
                    timestamp: i as f64,
                })
                .collect(),
        }
    }

    #[test]
    fn shares_equal_the_brute_force_comparison_with_every_stored_video() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let scenes: Vec<Hash256> = (0..40).map(|_| rng.hash()).collect();
        let mut set = VideoSet::new();
        let mut stored = BTreeMap::new();
        for v in 0..30u64 {
            let start = (rng.next() % 30) as usize;
            let len = 3 + (rng.next() % 12) as usize;
            let hash = video(
                &mut rng,
                &scenes[start..start + len.min(40 - start)],
                len * 2,
                4,
            );
            set.insert(v, &hash);
            stored.insert(v, hash);
        }
        assert_eq!(set.len(), 30);
        let (mut matched, mut partial) = (0, 0);
        for radius in [10, 31, 40] {
            let rule = VideoRule {
                radius,
                ..VideoRule::default()
            };
            for q in 0..20 {
                let start = (q * 2) % 36;
                let query = video(&mut rng, &scenes[start..start + 4], 6, 12);
                let results = set.search(&query, &rule);
                for (id, hash) in &stored {
                    let brute = compare_videos(&query, hash, &rule);
                    match results.iter().find(|m| m.video == *id) {
                        Some(m) => {
                            if m.is_match {
                                matched += 1;
                            } else {
                                partial += 1;
                            }
                            assert_eq!(m.shares, brute, "video {id}, radius {radius}");
                            assert_eq!(m.is_match, rule.is_match(brute));
                            assert!(m.frames.iter().all(|p| p.distance <= radius
                                && p.query.hash.distance(&p.stored.hash) == p.distance));
                        }
                        None => assert_eq!(brute.query, 0.0, "video {id} missed"),
                    }
                }
            }
        }
        assert!(
            matched > 20 && partial > 20,
            "{matched} matches, {partial} partial"
        );
    }

    #[test]
    fn a_still_image_finds_its_video_and_removal_forgets_it() {
        let mut rng = Rng(7);
        let scenes: Vec<Hash256> = (0..5).map(|_| rng.hash()).collect();
        let mut set = VideoSet::new();
        let film = video(&mut rng, &scenes, 20, 2);
        set.insert(11, &film);
        let other = [rng.hash()];
        set.insert(12, &video(&mut rng, &other, 3, 0));
        // One frame reposted as a picture: a query of one frame.
        let picture = VideoHash {
            frames: vec![VideoFrame {
                hash: rng.near(film.frames[5].hash, 6),
                quality: 100,
                number: 0,
                timestamp: 0.0,
            }],
        };
        let found = set.search(&picture, &VideoRule::default());
        assert_eq!(found[0].video, 11);
        assert!(found[0].is_match);
        assert_eq!(found[0].shares.query, 1.0);
        assert_eq!(found[0].frames.len(), 1);
        assert_eq!(found[0].frames[0].stored.number % 30, 0);
        assert!(found.iter().all(|m| m.video != 12));
        assert!(set.remove(11));
        assert!(!set.remove(11));
        assert!(set.search(&picture, &VideoRule::default()).is_empty());
        assert_eq!(set.frame_count(), 3);
        // Low-quality query frames are left out, as the reference does.
        let dim = VideoHash {
            frames: vec![VideoFrame {
                quality: 10,
                ..picture.frames[0]
            }],
        };
        assert!(set.search(&dim, &VideoRule::default()).is_empty());
    }
}
