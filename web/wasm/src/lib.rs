//! The victim's page hashes her images on her own device with this crate:
//! crates/media and crates/pdq compiled to WebAssembly, so the page computes
//! exactly the hashes `hashbank hash` computes.
//!
//! One function crosses into JavaScript, [`fingerprint`]: the bytes of one
//! file in, a JSON text out (a [`Report`]): the fingerprint, the hashes to
//! submit for it (the bank's own [`api::NewHash`], as `POST /v1/cases`
//! reads them), and, when the image cannot be used, a refusal with a
//! stable code that the page turns into a plain message in the reader's
//! language. Everything else here is ordinary Rust, tested natively.
//!
//! ```
//! let report: serde_json::Value =
//!     serde_json::from_str(&hashbank_wasm::fingerprint(b"plain text")).unwrap();
//! assert_eq!(report["refusal"]["code"], "not_an_image");
//! assert_eq!(report["hashes"].as_array().unwrap().len(), 0);
//! ```

mod refusal;
mod report;
mod submission;
mod video;

pub use refusal::{Refusal, RefusalCode};
pub use report::{fingerprint_report, Print, Report};
pub use submission::submission;
pub use video::{VideoHasher, VideoPrint, VideoReport, MAX_VIDEO_BYTES, MAX_VIDEO_SECONDS};

use media::video::nal::Codec;
use media::video::select::{select, Choice, Scanned};
use wasm_bindgen::prelude::wasm_bindgen;

/// Fingerprints one image file held in memory, with the command line's
/// default limits (64 MiB, 100 megapixels), and answers a [`Report`] as
/// JSON.
#[wasm_bindgen]
pub fn fingerprint(bytes: &[u8]) -> String {
    serde_json::to_string(&fingerprint_report(bytes)).expect("a report always serialises")
}

/// Every how many frames of a video at `frame_rate` one is hashed, at one
/// a second (`media::video::frame_step`).
#[wasm_bindgen]
pub fn video_step(frame_rate: f64) -> u32 {
    u32::try_from(media::video::frame_step(1.0, frame_rate)).unwrap_or(u32::MAX)
}

/// Which packets of a video to decode for the kept frames, planned from
/// the packets as the demuxer gives them, in decoding order: for H.264 and
/// HEVC from their NAL headers, exactly as `hashbank hash` plans
/// (`media::video::select`: reference pictures back to the last IDR
/// picture, nothing no one refers to); for other codecs by groups of
/// pictures (`media::video::plan_packets`).
#[wasm_bindgen]
pub struct VideoPlanner {
    codec: Option<Codec>,
    timestamps: Vec<f64>,
    keys: Vec<bool>,
    pictures: Option<Vec<Scanned>>,
}

#[wasm_bindgen]
impl VideoPlanner {
    /// A planner for packets of `codec`, as Mediabunny names it (`avc`,
    /// `hevc`, `vp9`, ...).
    #[wasm_bindgen(constructor)]
    pub fn new(codec: &str) -> VideoPlanner {
        let codec = match codec {
            "avc" => Some(Codec::H264),
            "hevc" => Some(Codec::Hevc),
            _ => None,
        };
        VideoPlanner {
            codec,
            timestamps: Vec::new(),
            keys: Vec::new(),
            pictures: codec.map(|_| Vec::new()),
        }
    }

    /// Whether the packets' data is read ([`VideoPlanner::add`]'s `data`).
    pub fn reads_data(&self) -> bool {
        self.pictures.is_some()
    }

    /// The next packet: its timestamp in microseconds, as its chunk carries
    /// it, whether it is a key frame, and its data when the planner reads
    /// it (else empty).
    pub fn add(&mut self, timestamp: f64, key: bool, data: &[u8]) {
        self.timestamps.push(timestamp);
        self.keys.push(key);
        if let (Some(codec), Some(pictures)) = (self.codec, &mut self.pictures) {
            match media::video::nal::picture(codec, data) {
                Some(picture) if timestamp.is_finite() => pictures.push(Scanned {
                    pts: timestamp as i64,
                    picture,
                }),
                _ => self.pictures = None,
            }
        }
    }

    /// For each packet, its frame number when it is decoded, else -1;
    /// nothing when every packet must be decoded.
    pub fn plan(&self, step: u32) -> Option<Vec<i32>> {
        let step = u64::from(step);
        let plan = match &self.pictures {
            Some(pictures) => {
                let selection = select(pictures, Choice::Every(step))?;
                let mut order: Vec<usize> = (0..pictures.len()).collect();
                order.sort_by_key(|&i| pictures[i].pts);
                let mut rank = vec![0u32; pictures.len()];
                for (r, &i) in order.iter().enumerate() {
                    rank[i] = u32::try_from(r).ok()?;
                }
                selection
                    .send
                    .iter()
                    .zip(rank)
                    .map(|(&send, rank)| send.then_some(rank))
                    .collect()
            }
            None => media::video::plan_packets(&self.timestamps, &self.keys, step)?,
        };
        plan.into_iter()
            .map(|p| match p {
                Some(n) => i32::try_from(n).ok(),
                None => Some(-1),
            })
            .collect()
    }
}

/// A video hashed frame by frame as the page decodes it ([`VideoHasher`]).
/// A refusal (over a limit, a frame that is not its size) ends it: every
/// later call is refused too, and [`VideoFingerprint::finish`] answers it.
#[wasm_bindgen]
pub struct VideoFingerprint {
    hasher: Option<VideoHasher>,
    refusal: Option<Refusal>,
}

#[wasm_bindgen]
impl VideoFingerprint {
    /// A video of `width` x `height` frames at `frame_rate`, lasting
    /// `duration` seconds, in a file of `size` bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(
        width: u32,
        height: u32,
        frame_rate: f64,
        duration: f64,
        size: f64,
    ) -> VideoFingerprint {
        match VideoHasher::new(width, height, frame_rate, duration, size) {
            Ok(hasher) => VideoFingerprint {
                hasher: Some(hasher),
                refusal: None,
            },
            Err(refusal) => VideoFingerprint {
                hasher: None,
                refusal: Some(refusal),
            },
        }
    }

    /// Whether the video is refused.
    pub fn refused(&self) -> bool {
        self.refusal.is_some()
    }

    /// Every how many frames one is hashed (0 once refused).
    pub fn step(&self) -> u32 {
        self.hasher
            .as_ref()
            .map_or(0, |h| u32::try_from(h.step()).unwrap_or(u32::MAX))
    }

    /// How many frames are hashed so far.
    pub fn hashed(&self) -> u32 {
        self.hasher
            .as_ref()
            .map_or(0, |h| u32::try_from(h.hashed()).unwrap_or(u32::MAX))
    }

    /// Whether frame `number` (presentation order, from 0) is hashed.
    pub fn keeps(&self, number: u32) -> bool {
        self.hasher
            .as_ref()
            .is_some_and(|h| h.keeps(u64::from(number)))
    }

    /// The next piece of the file's bytes, in order.
    pub fn add_bytes(&mut self, chunk: &[u8]) {
        if let Some(hasher) = &mut self.hasher {
            hasher.add_bytes(chunk);
        }
    }

    /// Frame `number` was decoded and is not hashed; false once refused.
    pub fn decoded(&mut self, number: u32) -> bool {
        self.apply(|h| h.decoded(u64::from(number)))
    }

    /// Kept frame `number` from its I420 planes; false once refused.
    pub fn add_i420(
        &mut self,
        number: u32,
        y: &[u8],
        y_stride: u32,
        u: &[u8],
        v: &[u8],
        uv_stride: u32,
    ) -> bool {
        self.apply(|h| {
            h.add_i420(
                u64::from(number),
                y,
                y_stride as usize,
                u,
                v,
                uv_stride as usize,
            )
        })
    }

    /// Kept frame `number` from its RGBA pixels; false once refused.
    pub fn add_rgba(&mut self, number: u32, rgba: &[u8]) -> bool {
        self.apply(|h| h.add_rgba(u64::from(number), rgba))
    }

    /// The report as JSON ([`VideoReport`]).
    pub fn finish(self) -> String {
        let report = match (self.hasher, self.refusal) {
            (Some(hasher), None) => hasher.finish(),
            (_, refusal) => VideoReport {
                video: None,
                hashes: Vec::new(),
                refusal,
            },
        };
        serde_json::to_string(&report).expect("a report always serialises")
    }

    fn apply(&mut self, step: impl FnOnce(&mut VideoHasher) -> Result<(), Refusal>) -> bool {
        let Some(hasher) = &mut self.hasher else {
            return false;
        };
        match step(hasher) {
            Ok(()) => true,
            Err(refusal) => {
                self.hasher = None;
                self.refusal = Some(refusal);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A length-prefixed packet of one H.264 slice with this NAL header.
    fn slice(header: u8) -> Vec<u8> {
        let mut out = 2u32.to_be_bytes().to_vec();
        out.extend([header, 0x88]);
        out
    }

    #[test]
    fn h264_packets_are_planned_as_hashbank_hash_plans_them() {
        // IDR, P (shown third), B (second, not a reference), P, B; a frame
        // kept every 2: frames 0 and 2 (the P packet) and 4 (the last P).
        let mut planner = VideoPlanner::new("avc");
        assert!(planner.reads_data());
        let packets = [
            (0.0, 0x65),
            (2.0, 0x41),
            (1.0, 0x01),
            (4.0, 0x41),
            (3.0, 0x01),
        ];
        for (i, (ts, header)) in packets.into_iter().enumerate() {
            planner.add(ts * 33_333.0, i == 0, &slice(header));
        }
        // The B pictures no one refers to are not decoded.
        assert_eq!(planner.plan(2), Some(vec![0, 2, -1, 4, -1]));
        assert_eq!(
            planner.plan(1).map(|p| p.iter().all(|&n| n >= 0)),
            Some(true)
        );
    }

    #[test]
    fn other_codecs_are_planned_by_groups_and_unreadable_packets_by_groups_too() {
        let mut vp9 = VideoPlanner::new("vp9");
        assert!(!vp9.reads_data());
        for (i, key) in [true, false, false, true, false].into_iter().enumerate() {
            vp9.add(i as f64 * 40_000.0, key, &[]);
        }
        assert_eq!(vp9.plan(3), Some(vec![0, -1, -1, 3, -1]));
        // H.264 packets in Annex B form are not understood: by groups.
        let mut annex_b = VideoPlanner::new("avc");
        annex_b.add(0.0, true, &[0, 0, 0, 1, 0x65, 0x88]);
        annex_b.add(40_000.0, false, &[0, 0, 0, 1, 0x41, 0x88]);
        assert_eq!(annex_b.plan(2), Some(vec![0, -1]));
        // A first packet that is no key frame: decoded whole.
        let mut late = VideoPlanner::new("vp8");
        late.add(0.0, false, &[]);
        assert_eq!(late.plan(1), None);
    }
}
