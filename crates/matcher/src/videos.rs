//! Stored videos, matched as vPDQ matches them, their frames in the
//! matcher's one PDQ index.
//!
//! Every frame hash of every stored video goes into the same
//! [`HammingIndex`] as the pictures' PDQ hashes, under a frame id: the top
//! bit set (a bank's hash ids are 63-bit, so they never collide), the rest
//! counted up, one video's frames in a row. A frame id leads back to its
//! video and frame. So a picture finds the videos that show it, and a
//! video's frames find the pictures it shows, in one search.
//!
//! A query video's comparable frames (quality at least the rule's, each
//! distinct hash once) are each searched within the rule's radius; the
//! frames found give, per stored video, which query frames were found in it
//! and which of its frames were found in the query. The shares are exactly
//! those of [`model::compare_videos`] against each stored video in turn, at
//! the cost of one search per query frame instead of a comparison with
//! every frame in the bank.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use hashbank_index::{Hash256, Match};
use model::{BankLabel, Category, QueryLabel, VideoFrame, VideoHash, VideoRule, VideoShares};

use crate::sets::{Found, Matcher};
use crate::stored::HashMeta;

/// The bit that marks a frame id in the PDQ index.
pub(crate) const FRAME_BIT: u64 = 1 << 63;

/// Whether index id `id` is a video frame's.
pub(crate) fn is_frame(id: u64) -> bool {
    id & FRAME_BIT != 0
}

/// A stored video: the id of its first frame, and its hash (with only the
/// parts whose labels this build knows).
#[derive(Clone, Debug)]
pub(crate) struct StoredVideo {
    pub(crate) first: u64,
    pub(crate) hash: Arc<VideoHash>,
    /// Each part's label, in the order of `hash.parts`.
    labels: Vec<BankLabel>,
}

impl StoredVideo {
    fn new(first: u64, hash: Arc<VideoHash>) -> StoredVideo {
        let labels = hash
            .parts
            .iter()
            .map(|p| p.label.parse().expect("parts checked by known()"))
            .collect();
        StoredVideo {
            first,
            hash,
            labels,
        }
    }

    /// The frame at `offset` among all its frame hashes (plain, then each
    /// part's), with its label.
    fn at(&self, offset: usize) -> Option<(BankLabel, &VideoFrame)> {
        if let Some(frame) = self.hash.frames.get(offset) {
            return Some((BankLabel::Plain, frame));
        }
        let mut rest = offset - self.hash.frames.len();
        for (part, &label) in self.hash.parts.iter().zip(&self.labels) {
            match part.frames.get(rest) {
                Some(frame) => return Some((label, frame)),
                None => rest -= part.frames.len(),
            }
        }
        None
    }

    /// The PDQ hash of its plain frame `number`.
    fn plain_hash(&self, number: u32) -> Option<Hash256> {
        let frames = &self.hash.frames;
        let at = frames.binary_search_by_key(&number, |f| f.number).ok()?;
        Some(frames[at].hash)
    }
}

/// `hash` with only the parts whose labels are stored labels this build
/// knows (a newer bank's are left out), and none labelled `pdq`.
pub(crate) fn known(hash: Arc<VideoHash>) -> Arc<VideoHash> {
    let fits = |label: &str| {
        label
            .parse::<BankLabel>()
            .is_ok_and(|l| l != BankLabel::Plain)
    };
    if hash.parts.iter().all(|p| fits(&p.label)) {
        return hash;
    }
    let mut kept = (*hash).clone();
    kept.parts.retain(|p| fits(&p.label));
    Arc::new(kept)
}

/// The stored videos and where their frames are in the index.
#[derive(Clone, Debug, Default)]
pub(crate) struct VideoFrames {
    pub(crate) videos: HashMap<u64, StoredVideo>,
    /// First frame id → video id.
    pub(crate) starts: BTreeMap<u64, u64>,
    /// The next frame id to give (with [`FRAME_BIT`]).
    pub(crate) next: u64,
    pub(crate) frames: usize,
}

impl VideoFrames {
    /// Stores video `video` (not held); returns the index entries of its
    /// frames, plain and parts.
    pub(crate) fn add(&mut self, video: u64, hash: Arc<VideoHash>) -> Vec<(u64, Hash256)> {
        let hash = known(hash);
        let first = self.next.max(FRAME_BIT);
        let entries: Vec<(u64, Hash256)> = hash
            .frames
            .iter()
            .chain(hash.parts.iter().flat_map(|p| &p.frames))
            .enumerate()
            .map(|(i, f)| (first + i as u64, f.hash))
            .collect();
        let n = entries.len();
        self.next = first + n as u64;
        self.frames += n;
        if n > 0 {
            self.starts.insert(first, video);
        }
        self.videos.insert(video, StoredVideo::new(first, hash));
        entries
    }

    /// Forgets video `video`; the ids of its frames.
    pub(crate) fn remove(&mut self, video: u64) -> Vec<u64> {
        let Some(stored) = self.videos.remove(&video) else {
            return Vec::new();
        };
        self.starts.remove(&stored.first);
        let n = stored.hash.hash_count() as u64;
        self.frames -= n as usize;
        (stored.first..stored.first + n).collect()
    }

    /// A video read from a file, at the frame ids it had, given in order of
    /// their first frame id; false when its frames would overlap the
    /// previous video's or run past [`next`](Self::next), it holds a part
    /// this build does not know, or it is held.
    pub(crate) fn restore(&mut self, video: u64, first: u64, hash: Arc<VideoHash>) -> bool {
        let n = hash.hash_count() as u64;
        let after_previous = match self.starts.last_key_value() {
            Some((&start, previous)) => {
                first >= start + self.videos[previous].hash.hash_count() as u64
            }
            None => true,
        };
        let fits = n > 0
            && is_frame(first)
            && after_previous
            && first.checked_add(n).is_some_and(|end| end <= self.next)
            && Arc::ptr_eq(&known(hash.clone()), &hash);
        if !fits || self.videos.contains_key(&video) {
            return false;
        }
        self.starts.insert(first, video);
        self.frames += n as usize;
        self.videos.insert(video, StoredVideo::new(first, hash));
        true
    }

    /// The video, label and frame of frame id `id`.
    pub(crate) fn frame(&self, id: u64) -> Option<(u64, BankLabel, &VideoFrame)> {
        let (&first, &video) = self.starts.range(..=id).next_back()?;
        let (label, frame) = self.videos.get(&video)?.at((id - first) as usize)?;
        Some((video, label, frame))
    }

    /// Videos stored.
    pub(crate) fn len(&self) -> usize {
        self.videos.len()
    }

    /// Frame hashes stored, over all videos, plain and parts.
    pub(crate) fn frame_count(&self) -> usize {
        self.frames
    }
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

/// A stored video found by a query video.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoMatch {
    /// The stored video's id.
    pub video: u64,
    /// What the bank says about it.
    pub meta: HashMeta,
    /// The two shares.
    pub shares: VideoShares,
    /// Whether the shares make a match by the rule.
    pub is_match: bool,
    /// Each query frame found, with the stored frame nearest to it, in
    /// query frame order.
    pub frames: Vec<FramePair>,
}

/// A stored picture found in a query video: a frame of the video shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureInVideo {
    /// The stored picture's hash, at its nearest to a frame.
    pub found: Found,
    /// The query frames it was found in, with their distances, in frame
    /// order.
    pub frames: Vec<(VideoFrame, u32)>,
}

/// What a query video found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoSearch {
    /// Stored videos that share a frame with it: matches first (minor
    /// first, then by query share, then stored share), then the others
    /// found in the same order; ties by id.
    pub videos: Vec<VideoMatch>,
    /// Stored pictures shown in one of its frames (plain or trimmed whole
    /// pictures, within the rule's radius and their own): minor first, then
    /// nearest, then by id.
    pub pictures: Vec<PictureInVideo>,
}

impl Matcher {
    /// Videos stored.
    pub fn video_count(&self) -> usize {
        self.videos().len()
    }

    /// Frame hashes stored, over all videos.
    pub fn frame_count(&self) -> usize {
        self.videos().frame_count()
    }

    /// The hash of stored video `id`.
    pub fn video(&self, id: u64) -> Option<Arc<VideoHash>> {
        self.videos().videos.get(&id).map(|v| v.hash.clone())
    }

    pub(crate) fn videos(&self) -> std::sync::RwLockReadGuard<'_, VideoFrames> {
        self.videos.read().expect("matcher videos")
    }

    /// What `query`, a video, finds under `rule`: stored videos as vPDQ
    /// matches them, and stored pictures one of its frames shows.
    ///
    /// A query frame (quality at least the rule's, each distinct hash once)
    /// is found in a stored video when it, or one of its views (the query's
    /// parts labelled with `QueryLabel` names), is within the rule's radius
    /// of one of the video's frames or parts whose label is compared with
    /// it ([`model::radius`], within the smaller of the two radii). A stored
    /// frame is found when it or one of its parts is. Without parts and
    /// views, this is vPDQ's comparison exactly.
    pub fn search_video(&self, query: &VideoHash, rule: &VideoRule) -> VideoSearch {
        let comparable = query.comparable(rule.min_quality);
        if comparable.is_empty() {
            return VideoSearch::default();
        }
        // Every view of every comparable frame: (its frame's place among
        // the comparable ones, its label, the view's hash).
        let place: HashMap<u32, usize> = comparable
            .iter()
            .enumerate()
            .map(|(i, f)| (f.number, i))
            .collect();
        let mut views: Vec<(usize, QueryLabel, Hash256)> = comparable
            .iter()
            .enumerate()
            .map(|(i, f)| (i, QueryLabel::Plain, f.hash))
            .collect();
        for part in &query.parts {
            let Ok(label) = part.label.parse::<QueryLabel>() else {
                continue;
            };
            if label == QueryLabel::Plain {
                continue;
            }
            for f in &part.frames {
                if let (Some(&i), true) = (place.get(&f.number), f.quality >= rule.min_quality) {
                    views.push((i, label, f.hash));
                }
            }
        }
        // With vPDQ's radius, each pair of labels within its own radius, or
        // near misses corroborated by two hashes of one stored frame (its
        // whole and a part, say), as pictures are decided ([`model::decide`]);
        // with another radius, every compared pair within it.
        let pair_radii = rule.radius == model::VIDEO_FRAME_RADIUS;
        let hits: Vec<Vec<Match>> = views
            .iter()
            .map(|&(_, label, hash)| {
                let reach = if pair_radii {
                    model::search_radius(label)
                } else {
                    rule.radius
                };
                self.pdq.search(&hash, reach)
            })
            .collect();
        let table = self.table();
        let videos = self.videos();
        // Per stored video: the nearest pair for each query frame found,
        // and the distinct stored plain hashes found.
        let mut pairs: BTreeMap<u64, BTreeMap<usize, FramePair>> = BTreeMap::new();
        let mut found: HashMap<u64, HashSet<Hash256>> = HashMap::new();
        let mut pictures: BTreeMap<u64, (PictureInVideo, BTreeMap<usize, u32>)> = BTreeMap::new();
        // Per query frame: the stored video frames near one of its views,
        // as candidates of `model::decide` whose "image" is the video's id
        // (so two of a video's hashes may corroborate a near miss).
        let mut near: Vec<Vec<model::Candidate>> = vec![Vec::new(); comparable.len()];
        for (&(i, label, _), hits) in views.iter().zip(hits) {
            for hit in hits {
                if !is_frame(hit.id) {
                    let Some(meta) = table.get(hit.id) else {
                        continue;
                    };
                    let pair = model::radius(label, model::stored_label(meta.label)).map(|r| {
                        if pair_radii {
                            r
                        } else {
                            rule.radius
                        }
                    });
                    if pair.is_none_or(|r| hit.distance > r) {
                        continue;
                    }
                    let (entry, at) = pictures.entry(hit.id).or_insert_with(|| {
                        let found = Found {
                            hash_id: hit.id,
                            value: model::HashValue::Pdq(hit.hash),
                            meta,
                            distance: hit.distance,
                            frame: None,
                        };
                        (
                            PictureInVideo {
                                found,
                                frames: Vec::new(),
                            },
                            BTreeMap::new(),
                        )
                    });
                    entry.found.distance = entry.found.distance.min(hit.distance);
                    at.entry(i)
                        .and_modify(|d| *d = (*d).min(hit.distance))
                        .or_insert(hit.distance);
                    continue;
                }
                let Some((video, stored_label, stored)) = videos.frame(hit.id) else {
                    continue;
                };
                if stored.quality < rule.min_quality {
                    continue;
                }
                near[i].push(model::Candidate {
                    query: label,
                    image: video,
                    stored: hit.id,
                    label: stored_label,
                    distance: hit.distance,
                });
            }
        }
        for (i, candidates) in near.iter().enumerate() {
            // Every stored frame within its pair's radius of this frame's
            // views is found in the query, as vPDQ counts the stored share.
            for c in candidates {
                let within = model::radius(c.query, c.label)
                    .is_some_and(|r| c.distance <= if pair_radii { r } else { rule.radius });
                if !within {
                    continue;
                }
                let video = c.image;
                if let Some((_, _, stored)) = videos.frame(c.stored) {
                    if let Some(plain) = videos.videos[&video].plain_hash(stored.number) {
                        found.entry(video).or_default().insert(plain);
                    }
                }
            }
            // Whether the frame is found in each video: one decision per
            // video, a near miss taken when two of its hashes corroborate.
            let decided: Vec<(u64, u64, u32)> = if pair_radii {
                model::decide(candidates)
                    .into_iter()
                    .map(|m| (m.image, m.stored, m.distance))
                    .collect()
            } else {
                candidates
                    .iter()
                    .filter(|c| {
                        model::radius(c.query, c.label).is_some() && c.distance <= rule.radius
                    })
                    .map(|c| (c.image, c.stored, c.distance))
                    .collect()
            };
            for (video, frame_id, distance) in decided {
                let Some((_, _, stored)) = videos.frame(frame_id) else {
                    continue;
                };
                let number = stored.number;
                let Some(plain) = videos.videos[&video].plain_hash(number) else {
                    continue;
                };
                found.entry(video).or_default().insert(plain);
                let pair = FramePair {
                    query: *comparable[i],
                    stored: *stored,
                    distance,
                };
                pairs
                    .entry(video)
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
            .filter_map(|(video, by_query)| {
                let meta = table.get(video)?;
                let stored_comparable = videos
                    .videos
                    .get(&video)
                    .map_or(0, |v| v.hash.comparable(rule.min_quality).len());
                let shares = VideoShares {
                    query: by_query.len() as f64 / comparable.len() as f64,
                    stored: (found[&video].len() as f64 / stored_comparable.max(1) as f64).min(1.0),
                };
                Some(VideoMatch {
                    video,
                    meta,
                    shares,
                    is_match: rule.is_match(shares),
                    frames: by_query.into_values().collect(),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.is_match
                .cmp(&a.is_match)
                .then(minor(&b.meta).cmp(&minor(&a.meta)))
                .then(b.shares.query.total_cmp(&a.shares.query))
                .then(b.shares.stored.total_cmp(&a.shares.stored))
                .then(a.video.cmp(&b.video))
        });
        let mut pictures: Vec<PictureInVideo> = pictures
            .into_values()
            .map(|(mut p, at)| {
                p.frames = at.into_iter().map(|(i, d)| (*comparable[i], d)).collect();
                p
            })
            .collect();
        pictures.sort_by_key(|p| (!minor(&p.found.meta), p.found.distance, p.found.hash_id));
        VideoSearch {
            videos: out,
            pictures,
        }
    }
}

fn minor(meta: &HashMeta) -> bool {
    meta.category == Some(Category::Minor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sets::Change;
    use model::{compare_videos, BankLabel, HashValue, Kind, Role};

    fn video_meta() -> HashMeta {
        HashMeta {
            kind: Kind::Vpdq,
            role: Role::Plain,
            category: None,
            quality: None,
            label: None,
        }
    }

    fn add(matcher: &Matcher, id: u64, hash: &VideoHash) {
        matcher.apply(&[Change::Add {
            id,
            value: HashValue::Vpdq(Arc::new(hash.clone())),
            meta: video_meta(),
        }]);
    }

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
            parts: Vec::new(),
        }
    }

    #[test]
    fn shares_equal_the_brute_force_comparison_with_every_stored_video() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let scenes: Vec<Hash256> = (0..40).map(|_| rng.hash()).collect();
        let set = Matcher::new();
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
            add(&set, v, &hash);
            stored.insert(v, hash);
        }
        assert_eq!(set.video_count(), 30);
        assert!(set.consistent());
        let (mut matched, mut partial) = (0, 0);
        for radius in [10, 31, 40] {
            let rule = VideoRule {
                radius,
                ..VideoRule::default()
            };
            for q in 0..20 {
                let start = (q * 2) % 36;
                let query = video(&mut rng, &scenes[start..start + 4], 6, 12);
                let results = set.search_video(&query, &rule).videos;
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
    fn pictures_and_videos_find_each_other_and_removal_forgets() {
        let mut rng = Rng(7);
        let scenes: Vec<Hash256> = (0..5).map(|_| rng.hash()).collect();
        let set = Matcher::new();
        let film = video(&mut rng, &scenes, 20, 2);
        add(&set, 11, &film);
        let other = [rng.hash()];
        add(&set, 12, &video(&mut rng, &other, 3, 0));
        // A picture stored as a plain PDQ hash: scene 3, slightly changed.
        let picture = rng.near(scenes[3], 5);
        set.apply(&[Change::Add {
            id: 40,
            value: HashValue::Pdq(picture),
            meta: HashMeta {
                kind: Kind::Pdq,
                role: Role::Plain,
                category: None,
                quality: Some(100),
                label: Some(BankLabel::Plain),
            },
        }]);
        assert_eq!(set.per_kind(), [1, 0, 0, 2]);
        assert_eq!((set.video_count(), set.frame_count()), (2, 23));
        assert!(set.consistent());

        // One frame reposted as a picture finds its video once, at the
        // nearest frame.
        let still = rng.near(film.frames[5].hash, 6);
        let found = set.matches(&HashValue::Pdq(still), QueryLabel::Plain, None);
        let in_film: Vec<&Found> = found.iter().filter(|f| f.hash_id == 11).collect();
        assert_eq!(in_film.len(), 1, "{found:?}");
        let frame = in_film[0].frame.expect("the frame found");
        assert_eq!(frame.hash.distance(&still), in_film[0].distance);
        assert!(film.frames.contains(&frame));
        assert_eq!(in_film[0].meta.kind, Kind::Vpdq);
        assert!(found.iter().all(|f| f.hash_id != 12));

        // A video finds the stored picture in its frames, with the moments.
        let search = set.search_video(&film, &VideoRule::default());
        assert_eq!(search.pictures.len(), 1);
        assert_eq!(search.pictures[0].found.hash_id, 40);
        assert!(search.pictures[0]
            .frames
            .iter()
            .all(|(f, d)| f.hash.distance(&picture) == *d && *d <= 31));
        assert!(!search.pictures[0].frames.is_empty());
        assert_eq!(search.videos[0].video, 11);
        assert!(search.videos[0].is_match);

        // Saved and read back, it finds the same.
        let mut file = std::io::Cursor::new(Vec::new());
        set.write_to(&mut file).unwrap();
        let len = file.get_ref().len() as u64;
        file.set_position(0);
        let read = Matcher::read_from(&mut file, len, std::path::Path::new("m")).unwrap();
        assert_eq!(read.search_video(&film, &VideoRule::default()), search);
        assert_eq!(read.video(11).as_deref(), Some(&film));

        // Removed, it is found no more; the others stay.
        set.apply(&[Change::Delete { id: 11 }]);
        assert!(set.consistent());
        assert_eq!(set.frame_count(), 3);
        let found = set.matches(&HashValue::Pdq(still), QueryLabel::Plain, None);
        assert!(found.iter().all(|f| f.hash_id != 11));
        assert!(set
            .search_video(&film, &VideoRule::default())
            .videos
            .is_empty());
        // Low-quality query frames are left out, as the reference does.
        let dim = VideoHash {
            frames: vec![VideoFrame {
                quality: 10,
                ..film.frames[0]
            }],
            parts: Vec::new(),
        };
        assert_eq!(
            set.search_video(&dim, &VideoRule::default()),
            VideoSearch::default()
        );
    }

    /// Parts of a stored video and views of a query are compared as a
    /// picture's labels are: a cropped copy's frames find the stored
    /// crops, a mirrored copy's turned-back views find the plain frames; a
    /// pair of labels never compared finds nothing; and shares still count
    /// frames, not hashes.
    #[test]
    fn parts_and_views_are_compared_by_their_labels() {
        let mut rng = Rng(11);
        let n = 10;
        let plain: Vec<Hash256> = (0..n).map(|_| rng.hash()).collect();
        let crops: Vec<Hash256> = (0..n).map(|_| rng.hash()).collect();
        let tops: Vec<Hash256> = (0..n).map(|_| rng.hash()).collect();
        let frames = |hashes: &[Hash256]| -> Vec<VideoFrame> {
            hashes
                .iter()
                .enumerate()
                .map(|(i, &hash)| VideoFrame {
                    hash,
                    quality: 90,
                    number: i as u32 * 30,
                    timestamp: i as f64,
                })
                .collect()
        };
        let part = |label: &str, hashes: &[Hash256]| model::VideoPart {
            label: label.into(),
            frames: frames(hashes),
        };
        let stored = VideoHash {
            frames: frames(&plain),
            parts: vec![
                part("crop90", &crops),
                part("top80", &tops),
                // A label this build does not know: left out.
                part("zoom50", &(0..n).map(|_| rng.hash()).collect::<Vec<_>>()),
            ],
        };
        let set = Matcher::new();
        add(&set, 5, &stored);
        assert_eq!(set.frame_count(), 3 * n);
        assert!(set.consistent());
        let rule = VideoRule::default();
        let near = |rng: &mut Rng, hashes: &[Hash256]| -> Vec<Hash256> {
            hashes.iter().map(|&h| rng.near(h, 8)).collect()
        };

        // A cropped copy: its plain frames are near the stored crops.
        let cropped = VideoHash {
            frames: frames(&near(&mut rng, &crops)),
            parts: Vec::new(),
        };
        let found = set.search_video(&cropped, &rule);
        assert_eq!(found.videos.len(), 1);
        assert!(found.videos[0].is_match);
        assert_eq!(found.videos[0].shares.query, 1.0);
        assert_eq!(found.videos[0].shares.stored, 1.0, "frames, not hashes");
        // The stored frame given is the part's, at the frame's moment.
        assert_eq!(found.videos[0].frames[3].stored.number, 90);

        // A mirrored copy: nothing by its plain frames, all by its view
        // turned back.
        let mirrored = VideoHash {
            frames: frames(&(0..n).map(|_| rng.hash()).collect::<Vec<_>>()),
            parts: vec![part("flipx", &near(&mut rng, &plain))],
        };
        assert!(set.search_video(&mirrored.plain(), &rule).videos.is_empty());
        let found = set.search_video(&mirrored, &rule);
        assert!(found.videos[0].is_match, "{found:?}");
        assert_eq!(found.videos[0].shares.query, 1.0);

        // A query's top80 view finds the stored top80 part; its plain
        // frames never do (whole against part of the top).
        let by_top = VideoHash {
            frames: frames(&near(&mut rng, &tops)),
            parts: Vec::new(),
        };
        assert!(set.search_video(&by_top, &rule).videos.is_empty());
        let with_view = VideoHash {
            frames: frames(&(0..n).map(|_| rng.hash()).collect::<Vec<_>>()),
            parts: vec![part("top80", &near(&mut rng, &tops))],
        };
        assert!(set.search_video(&with_view, &rule).videos[0].is_match);

        // A picture finds the video through a part, labelled by it.
        let found = set.matches(
            &HashValue::Pdq(rng.near(crops[4], 5)),
            QueryLabel::Plain,
            None,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].meta.label,
            Some(BankLabel::Part(model::Part::Crop90))
        );
        assert_eq!(found[0].frame.map(|f| f.number), Some(120));

        // Saved and read back, the parts are there.
        let mut file = std::io::Cursor::new(Vec::new());
        set.write_to(&mut file).unwrap();
        let len = file.get_ref().len() as u64;
        file.set_position(0);
        let read = Matcher::read_from(&mut file, len, std::path::Path::new("m")).unwrap();
        assert_eq!(
            read.search_video(&cropped, &rule),
            set.search_video(&cropped, &rule)
        );
        assert_eq!(read.frame_count(), 3 * n);
    }
}
