//! A video hashed in the page: the browser demuxes and decodes it, this
//! module numbers, converts and hashes the frames vPDQ keeps
//! (`media::video`, as `hashbank hash` does), digests the file's bytes as
//! they stream by, and answers the hashes to submit for it.

use api::NewHash;
use md5::{Digest, Md5};
use media::video::{i420_to_rgb, FrameHasher, Parts};
use model::{hex, Kind, Role, VideoHash, VIDEO_QUALITY_THRESHOLD};
use serde::Serialize;
use sha2::Sha256;

use crate::refusal::{Refusal, RefusalCode};

/// The page's limits for a video, shown before she picks: the command
/// line's defaults for size and frame size; an hour at most, since a case
/// holds 10,000 frame hashes (one a second) over all its videos.
pub const MAX_VIDEO_BYTES: u64 = 4 << 30;
/// The longest video the page hashes, in seconds.
pub const MAX_VIDEO_SECONDS: f64 = 3600.0;
/// The most pixels a video frame may have (8K).
pub const MAX_VIDEO_FRAME_PIXELS: u64 = 7680 * 4320;

/// What `hashbank hash` prints of a video, less the frames.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoPrint {
    /// Frames hashed (the plain frames of the vPDQ hash).
    pub frames: usize,
    /// Frames decoded (only those the kept frames need, where the packets
    /// allowed planning it).
    pub decoded: u64,
    /// Width of the frames.
    pub width: usize,
    /// Height of the frames.
    pub height: usize,
    /// Frames a second, as the container states them.
    pub frame_rate: f64,
    /// Every how many frames one is hashed.
    pub step: u64,
    /// MD5 of the file's bytes.
    pub md5: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// The vPDQ hash in the reference's text form, its parts after it.
    pub vpdq: String,
}

/// What the page learns about one video.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VideoReport {
    /// The fingerprint, when frames were hashed.
    pub video: Option<VideoPrint>,
    /// The hashes to submit: the video's vPDQ hash (with its parts), MD5
    /// and SHA-256 of the file; none when it is refused.
    pub hashes: Vec<NewHash>,
    /// Why it cannot be used, if it cannot.
    pub refusal: Option<Refusal>,
}

/// Hashes one video from its decoded frames and its bytes.
pub struct VideoHasher {
    hasher: FrameHasher,
    width: usize,
    height: usize,
    frame_rate: f64,
    decoded: u64,
    rgb: Vec<u8>,
    md5: Md5,
    sha256: Sha256,
    bytes: u64,
}

impl VideoHasher {
    /// A hasher for frames of `width` x `height` at `frame_rate`, one
    /// hashed a second, bank parts with each; refused over the limits.
    pub fn new(
        width: u32,
        height: u32,
        frame_rate: f64,
        duration: f64,
        size: f64,
    ) -> Result<VideoHasher, Refusal> {
        let refuse = |code, message: String| Refusal { code, message };
        if size > MAX_VIDEO_BYTES as f64 {
            return Err(refuse(
                RefusalCode::TooLarge,
                format!("the file is {size} bytes, over the limit of {MAX_VIDEO_BYTES} bytes"),
            ));
        }
        if !(duration.is_finite() && duration <= MAX_VIDEO_SECONDS) {
            return Err(refuse(
                RefusalCode::TooLong,
                format!("the video lasts {duration} s, over the limit of {MAX_VIDEO_SECONDS} s"),
            ));
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > MAX_VIDEO_FRAME_PIXELS {
            return Err(refuse(
                RefusalCode::TooManyPixels,
                format!("frames of {width}x{height}, over {MAX_VIDEO_FRAME_PIXELS} pixels"),
            ));
        }
        if width == 0 || height == 0 || !(frame_rate.is_finite() && frame_rate > 0.0) {
            return Err(refuse(
                RefusalCode::Corrupt,
                format!("frames of {width}x{height} at {frame_rate} a second"),
            ));
        }
        Ok(VideoHasher {
            hasher: FrameHasher::new(frame_rate, 1.0, Parts::Bank),
            width: width as usize,
            height: height as usize,
            frame_rate,
            decoded: 0,
            rgb: Vec::new(),
            md5: Md5::new(),
            sha256: Sha256::new(),
            bytes: 0,
        })
    }

    /// Every how many frames one is hashed.
    pub fn step(&self) -> u64 {
        self.hasher.step()
    }

    /// How many frames are hashed so far.
    pub fn hashed(&self) -> usize {
        self.hasher.len()
    }

    /// Whether frame `number` (in presentation order, from 0) is hashed.
    pub fn keeps(&self, number: u64) -> bool {
        self.hasher.keeps(number)
    }

    /// The next piece of the file's bytes, in order.
    pub fn add_bytes(&mut self, chunk: &[u8]) {
        self.md5.update(chunk);
        self.sha256.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    /// That frame `number` was decoded (kept or not; once each), for the
    /// count and the duration limit.
    pub fn decoded(&mut self, number: u64) -> Result<(), Refusal> {
        self.decoded += 1;
        let seconds = number as f64 / self.frame_rate;
        if seconds > MAX_VIDEO_SECONDS {
            return Err(Refusal {
                code: RefusalCode::TooLong,
                message: format!("frame {number} is past the limit of {MAX_VIDEO_SECONDS} s"),
            });
        }
        Ok(())
    }

    /// Hashes kept frame `number` from its I420 planes.
    #[allow(clippy::too_many_arguments)]
    pub fn add_i420(
        &mut self,
        number: u64,
        y: &[u8],
        y_stride: usize,
        u: &[u8],
        v: &[u8],
        uv_stride: usize,
    ) -> Result<(), Refusal> {
        self.decoded(number)?;
        let mut rgb = std::mem::take(&mut self.rgb);
        let converted = i420_to_rgb(
            self.width,
            self.height,
            y,
            y_stride,
            u,
            v,
            uv_stride,
            &mut rgb,
        );
        let result = converted
            .map_err(|e| corrupt(format!("frame {number}: {e}")))
            .and_then(|()| self.add(number, &rgb));
        self.rgb = rgb;
        result
    }

    /// Hashes kept frame `number` from its RGBA pixels (four bytes a pixel,
    /// rows packed), for frames the browser gives in no YUV layout.
    pub fn add_rgba(&mut self, number: u64, rgba: &[u8]) -> Result<(), Refusal> {
        self.decoded(number)?;
        if rgba.len() != self.width * self.height * 4 {
            return Err(corrupt(format!("frame {number} is not its size")));
        }
        let mut rgb = std::mem::take(&mut self.rgb);
        rgb.clear();
        rgb.extend(rgba.chunks_exact(4).flat_map(|px| [px[0], px[1], px[2]]));
        let result = self.add(number, &rgb);
        self.rgb = rgb;
        result
    }

    fn add(&mut self, number: u64, rgb: &[u8]) -> Result<(), Refusal> {
        self.hasher
            .add_rgb(number, self.width, self.height, rgb)
            .map_err(|e| corrupt(e.to_string()))
    }

    /// The report: the hashes to submit, or why the video is refused.
    pub fn finish(self) -> VideoReport {
        let step = self.hasher.step();
        let mut video: VideoHash = self.hasher.finish();
        let frames = video.frames.len();
        let print = VideoPrint {
            frames,
            decoded: self.decoded,
            width: self.width,
            height: self.height,
            frame_rate: self.frame_rate,
            step,
            md5: hex(&self.md5.finalize()),
            sha256: hex(&self.sha256.finalize()),
            vpdq: video.to_text(),
        };
        // Frames that can never match are left out, as the bank leaves
        // them out; a video with none left is refused.
        video
            .frames
            .retain(|f| f.quality >= VIDEO_QUALITY_THRESHOLD);
        for part in &mut video.parts {
            part.frames.retain(|f| f.quality >= VIDEO_QUALITY_THRESHOLD);
        }
        video.parts.retain(|p| !p.frames.is_empty());
        if video.frames.is_empty() {
            return VideoReport {
                video: Some(print),
                hashes: Vec::new(),
                refusal: Some(Refusal {
                    code: if frames == 0 {
                        RefusalCode::Corrupt
                    } else {
                        RefusalCode::LowQuality
                    },
                    message: format!(
                        "none of its {frames} hashed frames has PDQ quality {VIDEO_QUALITY_THRESHOLD} or more"
                    ),
                }),
            };
        }
        let plain = |kind, value: &str| NewHash {
            kind,
            value: value.to_string(),
            quality: None,
            role: Role::Plain,
            label: None,
        };
        VideoReport {
            hashes: vec![
                plain(Kind::Vpdq, &video.to_text()),
                plain(Kind::Md5, &print.md5),
                plain(Kind::Sha256, &print.sha256),
            ],
            video: Some(print),
            refusal: None,
        }
    }
}

fn corrupt(message: String) -> Refusal {
    Refusal {
        code: RefusalCode::Corrupt,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An I420 frame of a moving pattern.
    fn frame(w: usize, h: usize, t: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let y = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w + t * 3, i / w);
                (40 + (x * 5 + y * 3) % 150 + ((x / 16 + y / 12) % 2) * 30) as u8
            })
            .collect();
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let u = (0..cw * ch).map(|i| (100 + i % 50) as u8).collect();
        let v = (0..cw * ch).map(|i| (110 + (i / cw) % 40) as u8).collect();
        (y, u, v)
    }

    #[test]
    fn kept_frames_are_hashed_and_submitted_with_the_file_digests() {
        let (w, h) = (160usize, 120usize);
        let mut hasher = VideoHasher::new(w as u32, h as u32, 10.0, 3.0, 1000.0).unwrap();
        assert_eq!(hasher.step(), 10);
        hasher.add_bytes(b"the file, ");
        hasher.add_bytes(b"in two pieces");
        for number in 0..30u64 {
            if hasher.keeps(number) {
                let (y, u, v) = frame(w, h, number as usize);
                hasher.add_i420(number, &y, w, &u, &v, w / 2).unwrap();
            } else {
                hasher.decoded(number).unwrap();
            }
        }
        let report = hasher.finish();
        assert!(report.refusal.is_none());
        let print = report.video.unwrap();
        assert_eq!((print.frames, print.decoded, print.step), (3, 30, 10));
        let (md5, sha256) = media::digests(b"the file, in two pieces");
        assert_eq!(print.md5, hex(&md5));
        assert_eq!(print.sha256, hex(&sha256));
        let kinds: Vec<_> = report.hashes.iter().map(|h| h.kind).collect();
        assert_eq!(kinds, [Kind::Vpdq, Kind::Md5, Kind::Sha256]);
        let video = VideoHash::from_text(&report.hashes[0].value).unwrap();
        let numbers: Vec<_> = video.frames.iter().map(|f| f.number).collect();
        assert_eq!(numbers, [0, 10, 20]);
        assert_eq!(video.frames[1].timestamp, 1.0);
        assert!(!video.parts.is_empty(), "bank parts go with the frames");
        // The first frame, converted and hashed natively.
        let (y, u, v) = frame(w, h, 0);
        let mut rgb = Vec::new();
        i420_to_rgb(w, h, &y, w, &u, &v, w / 2, &mut rgb).unwrap();
        let image = pdq::Image::rgb(w, h, &rgb).unwrap();
        assert_eq!(video.frames[0].hash, pdq::hash(&image).hash);
    }

    #[test]
    fn limits_and_bad_frames_are_refused() {
        let code = |r: Result<VideoHasher, Refusal>| r.err().map(|r| r.code);
        assert_eq!(
            code(VideoHasher::new(8, 8, 30.0, 3601.0, 1.0)),
            Some(RefusalCode::TooLong)
        );
        assert_eq!(
            code(VideoHasher::new(8, 8, 30.0, f64::NAN, 1.0)),
            Some(RefusalCode::TooLong)
        );
        assert_eq!(
            code(VideoHasher::new(8, 8, 30.0, 1.0, 5e9)),
            Some(RefusalCode::TooLarge)
        );
        assert_eq!(
            code(VideoHasher::new(10_000, 10_000, 30.0, 1.0, 1.0)),
            Some(RefusalCode::TooManyPixels)
        );
        assert_eq!(
            code(VideoHasher::new(8, 8, 0.0, 1.0, 1.0)),
            Some(RefusalCode::Corrupt)
        );
        let mut hasher = VideoHasher::new(16, 16, 30.0, 10.0, 1.0).unwrap();
        assert_eq!(
            hasher
                .add_i420(0, &[0; 10], 16, &[0; 64], &[0; 64], 8)
                .err()
                .map(|r| r.code),
            Some(RefusalCode::Corrupt)
        );
        assert_eq!(
            hasher.decoded(30 * 3601).err().map(|r| r.code),
            Some(RefusalCode::TooLong)
        );
        // Flat grey frames have no detail: refused for their quality.
        let mut flat = VideoHasher::new(16, 16, 30.0, 10.0, 1.0).unwrap();
        flat.add_i420(0, &[120; 256], 16, &[128; 64], &[128; 64], 8)
            .unwrap();
        let report = flat.finish();
        assert_eq!(
            report.refusal.map(|r| r.code),
            Some(RefusalCode::LowQuality)
        );
        assert!(report.hashes.is_empty());
        // No frame at all.
        let none = VideoHasher::new(16, 16, 30.0, 10.0, 1.0).unwrap().finish();
        assert_eq!(none.refusal.map(|r| r.code), Some(RefusalCode::Corrupt));
    }
}
