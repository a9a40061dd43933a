//! What a scan found: matches, skipped files and counts.

use std::collections::BTreeMap;
use std::time::Duration;

use model::Evidence;

use crate::decide::FileMatch;
use crate::hashes::{Category, HashValue, Kind, Role};
use crate::query::Label;
use crate::skip::SkipKind;

/// A file that matches a stored hash.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchRecord {
    /// The file: a path, or a path inside archives (`a.zip!/b/c.jpg`).
    pub path: String,
    /// The bank's id of the stored hash.
    pub hash_id: u64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    pub role: Role,
    /// Bits that differ (0 for digests).
    pub distance: u32,
    /// The label of the file's hash that matched (`pdq`, `rot90`, `trim`,
    /// ..., `md5`, `sha256`).
    pub label: Label,
    /// How the match was made: a pair within its radius, or corroborated.
    pub evidence: Evidence,
    /// Its case's category.
    pub category: Option<Category>,
    /// The file's hash of the deciding pair: for a video found whole, its
    /// vPDQ hash; for a stored picture found in a video, the PDQ hash of
    /// the video's frame.
    pub value: HashValue,
    /// Where a video is involved, the moments found: the file's frame (a
    /// video file), the stored video's frame (a stored video), or both; in
    /// the file's frame order.
    pub frames: Vec<api::MatchedFrame>,
    /// A video file that matched a stored video: how much of each was
    /// found in the other.
    pub shares: Option<api::Shares>,
}

impl MatchRecord {
    pub(crate) fn new(path: &str, m: &FileMatch) -> MatchRecord {
        MatchRecord {
            path: path.to_string(),
            hash_id: m.hash_id,
            kind: m.kind,
            role: m.role,
            distance: m.distance,
            label: m.label,
            evidence: m.evidence,
            category: m.category,
            value: m.value.clone(),
            frames: m
                .frame
                .iter()
                .map(|f| api::MatchedFrame {
                    query: None,
                    stored: Some(api::FrameAt {
                        frame: f.number,
                        timestamp: f.timestamp,
                    }),
                    distance: m.distance,
                })
                .collect(),
            shares: None,
        }
    }

    /// A match of video file `path` (its vPDQ hash `video`) as the match
    /// API words it.
    pub(crate) fn of_video(
        path: &str,
        video: &std::sync::Arc<model::VideoHash>,
        m: api::MatchedHash,
    ) -> Option<MatchRecord> {
        let hash_id = u64::try_from(m.hash_id).ok()?;
        let (label, value) = match m.kind {
            Kind::Vpdq => (Label::Vpdq, HashValue::Vpdq(video.clone())),
            _ => {
                // A stored picture: the file's hash is the nearest frame's.
                let first = m.frames.iter().min_by_key(|f| f.distance)?.query?;
                let frame = video.frames.iter().find(|f| f.number == first.frame)?;
                (
                    Label::Pdq(model::QueryLabel::Plain),
                    HashValue::Pdq(frame.hash),
                )
            }
        };
        Some(MatchRecord {
            path: path.to_string(),
            hash_id,
            kind: m.kind,
            role: m.role,
            distance: m.distance,
            label,
            evidence: Evidence::Pair,
            category: m.category,
            value,
            frames: m.frames,
            shares: m.shares,
        })
    }
}

/// A file skipped, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipRecord {
    /// The file, or the archive whose rest was skipped.
    pub path: String,
    /// The kind of reason.
    pub kind: SkipKind,
    /// The reason in words.
    pub detail: String,
}

/// Counts and times of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Images and videos hashed.
    pub hashed: u64,
    /// Of them, videos.
    pub videos: u64,
    /// Of the pictures, animated GIFs and WebPs matched as videos too.
    pub animations: u64,
    /// Files skipped, by kind of reason.
    pub skipped: BTreeMap<SkipKind, u64>,
    /// Files that are neither images nor archives, passed over.
    pub other: u64,
    /// Archives opened (nested ones too).
    pub archives: u64,
    /// Hashed images whose PDQ hash was too weak to match on (their MD5
    /// and SHA-256 were still matched).
    pub weak_pdq: u64,
    /// Files with at least one match.
    pub matched_files: u64,
    /// Wall time of the scan.
    pub elapsed: Duration,
    /// Time spent reading and hashing, summed over threads.
    pub hashing: Duration,
    /// Time spent matching, summed over threads.
    pub matching: Duration,
}

impl Stats {
    /// Files skipped in all.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Every file looked at: hashed, skipped or passed over.
    pub fn files(&self) -> u64 {
        self.hashed + self.skipped_total() + self.other
    }

    /// Files looked at per second of wall time.
    pub fn files_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.files() as f64 / seconds
        } else {
            0.0
        }
    }

    /// Matching's share of the work (matching over hashing plus matching).
    pub fn matching_share(&self) -> f64 {
        let work = (self.hashing + self.matching).as_secs_f64();
        if work > 0.0 {
            self.matching.as_secs_f64() / work
        } else {
            0.0
        }
    }
}

/// Everything a scan found.
#[derive(Clone, Debug, Default)]
pub struct ScanOutcome {
    /// Matches: minor first, then in walk order, then by hash id.
    pub matches: Vec<MatchRecord>,
    /// Skipped files, in walk order.
    pub skips: Vec<SkipRecord>,
    /// Counts and times.
    pub stats: Stats,
    /// Failures that stopped the scan or made it incomplete (the bank could
    /// not be asked, say). Skipped files are not failures.
    pub errors: Vec<String>,
}
