//! What the matcher found, in the match API's words (`hashbank-api`):
//! the one place a found hash, a video found and a picture found in a
//! video become the answer the bank sends and a local bank's scan reports.

use std::borrow::Cow;

use api::{FrameAt, MatchedFrame, MatchedHash, Shares};
use model::VideoFrame;

use crate::sets::Found;
use crate::videos::VideoSearch;

/// A frame's moment.
fn at(frame: &VideoFrame) -> FrameAt {
    FrameAt {
        frame: frame.number,
        timestamp: frame.timestamp,
    }
}

impl Found {
    /// As the match API gives it: for a stored video, the PDQ hash of its
    /// frame found and that frame's moment.
    pub fn to_matched(&self) -> MatchedHash {
        MatchedHash {
            hash_id: self.hash_id as i64,
            kind: self.meta.kind,
            role: self.meta.role,
            label: self.meta.label.map(|l| Cow::Borrowed(l.as_str())),
            hash: self.value.to_text(),
            distance: self.distance,
            category: self.meta.category,
            frames: self
                .frame
                .map(|stored| MatchedFrame {
                    query: None,
                    stored: Some(at(&stored)),
                    distance: self.distance,
                })
                .into_iter()
                .collect(),
            shares: None,
        }
    }
}

impl VideoSearch {
    /// The matches as the match API gives them: the stored videos whose
    /// shares make a match (with the shares and the frames found in each
    /// other; `hash` is the PDQ hash of the stored frame nearest to the
    /// query), then the stored pictures a frame shows (with the query's
    /// frames).
    pub fn to_matched(&self) -> Vec<MatchedHash> {
        let videos = self.videos.iter().filter(|v| v.is_match).map(|v| {
            let nearest = v.frames.iter().min_by_key(|p| p.distance);
            MatchedHash {
                hash_id: v.video as i64,
                kind: v.meta.kind,
                role: v.meta.role,
                label: None,
                hash: nearest.map(|p| p.stored.hash.to_hex()).unwrap_or_default(),
                distance: nearest.map_or(0, |p| p.distance),
                category: v.meta.category,
                frames: v
                    .frames
                    .iter()
                    .map(|p| MatchedFrame {
                        query: Some(at(&p.query)),
                        stored: Some(at(&p.stored)),
                        distance: p.distance,
                    })
                    .collect(),
                shares: Some(Shares {
                    query: v.shares.query,
                    stored: v.shares.stored,
                }),
            }
        });
        let pictures = self.pictures.iter().map(|p| MatchedHash {
            frames: p
                .frames
                .iter()
                .map(|(frame, distance)| MatchedFrame {
                    query: Some(at(frame)),
                    stored: None,
                    distance: *distance,
                })
                .collect(),
            ..p.found.to_matched()
        });
        videos.chain(pictures).collect()
    }
}
