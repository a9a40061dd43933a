//! A video's kept frames to its vPDQ hash, wherever the frames come from:
//! FFmpeg in `hashbank hash` (crates/video) or the browser's decoder on the
//! victim's page (web/wasm). Which frames are kept and how each is
//! numbered, stamped and hashed is decided here once, so both give the
//! same frame numbers and, from the same pixels, the same hashes.

pub mod nal;
pub mod select;

use model::{VideoFrame, VideoHash, VideoHashError, VideoPart, MAX_VIDEO_FRAMES};

use crate::pixels::{Decoded, PixelData};

/// Every how many frames one is hashed: `int(seconds_per_hash *
/// frame_rate)`, at least 1 (so 0 seconds hashes every frame), as the
/// reference computes it.
pub fn frame_step(seconds_per_hash: f64, frame_rate: f64) -> u64 {
    let step = (seconds_per_hash * frame_rate) as u64;
    step.max(1)
}

/// A frame's timestamp in seconds: its number over the frame rate,
/// divided in single precision as the reference divides.
pub fn frame_timestamp(number: u64, frame_rate: f64) -> f64 {
    f64::from(number as f32 / frame_rate as f32)
}

/// The hash of kept frame `number`, from its pixels.
pub fn hash_frame(image: &pdq::Image<'_>, number: u64, frame_rate: f64) -> VideoFrame {
    let hashed = pdq::hash(image);
    VideoFrame {
        hash: hashed.hash,
        quality: hashed.quality,
        number: u32::try_from(number).unwrap_or(u32::MAX),
        timestamp: frame_timestamp(number, frame_rate),
    }
}

/// Hashes of parts or views of each kept frame, as a picture's
/// (`crate::robust`), added to the video hash as its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parts {
    /// None: the reference's vPDQ hash alone.
    #[default]
    None,
    /// What a bank stores of a picture: the frame without its borders, its
    /// crops, corners, top and bottom (`crate::robust::bank_hashes`).
    Bank,
    /// What a scan looks a picture up by: the frame turned and mirrored,
    /// without borders or a caption band, inside a screenshot,
    /// straightened, its top and bottom (`crate::robust::query_hashes`).
    Query,
}

/// The longest side parts are hashed at, about: a frame is reduced by a
/// whole factor (the mean of each block) until it is no longer than this.
/// Parts and views at this size match those of the same frame filmed or
/// shared at another size better than at full size (bench/video/robustness:
/// at full size, 1 of 4 watermarked and 0 of 4 sped-up copies were found;
/// at 480 or 640, all), and cost a sixteenth at 1080p.
pub const PARTS_SIDE: usize = 480;

/// An RGB frame reduced by the whole factor that brings its longer side to
/// about [`PARTS_SIDE`] (each pixel the mean of its block), or as it is.
fn reduced_for_parts(pixels: &[u8], width: usize, height: usize) -> (usize, usize, Vec<u8>) {
    let k = width.max(height) / PARTS_SIDE;
    if k < 2 {
        return (width, height, pixels.to_vec());
    }
    let (w, h) = (width / k, height / k);
    let mut out = vec![0u8; w * h * 3];
    let area = (k * k) as u32;
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for dy in 0..k {
                let row = ((y * k + dy) * width + x * k) * 3;
                for px in pixels[row..row + k * 3].chunks_exact(3) {
                    sum[0] += u32::from(px[0]);
                    sum[1] += u32::from(px[1]);
                    sum[2] += u32::from(px[2]);
                }
            }
            let at = (y * w + x) * 3;
            for c in 0..3 {
                out[at + c] = ((sum[c] + area / 2) / area) as u8;
            }
        }
    }
    (w, h, out)
}

/// The parts' frames gathered so far, by label, labels in the order first
/// met.
#[derive(Debug, Default)]
pub struct PartFrames {
    parts: Vec<VideoPart>,
}

impl PartFrames {
    /// The parts or views `which` asks for of the kept frame `frame`, whose
    /// RGB pixels (`width` x `height`, full size) are `pixels`; the plain
    /// hash is the frame's own.
    pub fn add(
        &mut self,
        which: Parts,
        pixels: &[u8],
        width: usize,
        height: usize,
        frame: &VideoFrame,
    ) {
        let hashes: Vec<(&'static str, pdq::Hash256, u8)> = match which {
            Parts::None => return,
            Parts::Bank | Parts::Query => {
                let (width, height, rgb) = reduced_for_parts(pixels, width, height);
                let image = Decoded::full(width, height, PixelData::Rgb(rgb));
                if which == Parts::Bank {
                    crate::robust::bank_hashes(&image)
                        .into_iter()
                        .filter(|h| h.label != model::BankLabel::Plain)
                        .map(|h| (h.label.as_str(), h.hash, h.quality))
                        .collect()
                } else {
                    crate::robust::query_hashes(&image)
                        .into_iter()
                        .filter(|h| h.label != model::QueryLabel::Plain)
                        .map(|h| (h.label.as_str(), h.hash, h.quality))
                        .collect()
                }
            }
        };
        for (label, hash, quality) in hashes {
            let at = match self.parts.iter().position(|p| p.label == label) {
                Some(at) => at,
                None => {
                    self.parts.push(VideoPart {
                        label: label.to_string(),
                        frames: Vec::new(),
                    });
                    self.parts.len() - 1
                }
            };
            self.parts[at].frames.push(VideoFrame {
                hash,
                quality,
                ..*frame
            });
        }
    }

    /// The parts, labels in the order first met.
    pub fn into_parts(self) -> Vec<VideoPart> {
        self.parts
    }
}

/// A video hash built frame by frame from full-size RGB frames given in
/// presentation order: each frame is numbered as it comes, and every
/// `step`-th one is hashed (the page gives every decoded frame; which to
/// convert to RGB it asks [`FrameHasher::keeps`]).
#[derive(Debug)]
pub struct FrameHasher {
    frame_rate: f64,
    step: u64,
    parts: Parts,
    frames: Vec<VideoFrame>,
    part_frames: PartFrames,
    last: Option<u64>,
}

impl FrameHasher {
    /// A hasher for a stream of `frame_rate` frames a second, hashing one
    /// frame every `seconds_per_hash` (0: every frame), with `parts`.
    pub fn new(frame_rate: f64, seconds_per_hash: f64, parts: Parts) -> FrameHasher {
        FrameHasher {
            frame_rate,
            step: frame_step(seconds_per_hash, frame_rate),
            parts,
            frames: Vec::new(),
            part_frames: PartFrames::default(),
            last: None,
        }
    }

    /// Every how many frames one is hashed.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Whether frame `number` is hashed.
    pub fn keeps(&self, number: u64) -> bool {
        number.is_multiple_of(self.step)
    }

    /// Hashes kept frame `number` from its RGB pixels (`width` x `height`,
    /// three bytes a pixel, rows packed). Numbers must rise.
    pub fn add_rgb(
        &mut self,
        number: u64,
        width: usize,
        height: usize,
        rgb: &[u8],
    ) -> Result<(), VideoHashError> {
        let index = self.frames.len() + 1;
        if let Some(previous) = self.last.filter(|&last| number <= last) {
            return Err(VideoHashError::Order {
                index,
                number: u32::try_from(number).unwrap_or(u32::MAX),
                previous: u32::try_from(previous).unwrap_or(u32::MAX),
            });
        }
        if self.frames.len() >= MAX_VIDEO_FRAMES {
            return Err(VideoHashError::TooManyFrames {
                limit: MAX_VIDEO_FRAMES,
            });
        }
        let image = pdq::Image::rgb(width, height, rgb).map_err(|e| VideoHashError::Frame {
            index,
            problem: e.to_string(),
        })?;
        self.last = Some(number);
        let frame = hash_frame(&image, number, self.frame_rate);
        self.part_frames.add(self.parts, rgb, width, height, &frame);
        self.frames.push(frame);
        Ok(())
    }

    /// How many frames are hashed so far.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether no frame is hashed yet.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The video hash.
    pub fn finish(self) -> VideoHash {
        VideoHash {
            frames: self.frames,
            parts: self.part_frames.into_parts(),
        }
    }
}

/// Which packets to decode when only the kept frames are wanted and the
/// packets say no more than their presentation timestamp and whether each
/// is a key frame (as a browser's demuxer gives them), in decoding order.
/// A kept frame needs the packets from its group's key frame up to itself
/// in decoding order; the rest of a group after its last kept frame is not
/// decoded. For each packet: its frame number (its timestamp's rank) when
/// it is decoded, else `None`. `None` overall when the stream can't be
/// planned safely so: no packets, a first packet that is not a key frame,
/// timestamps repeated or not numbers, or a group with pictures shown
/// before its key frame (an open group, which refers to the group before).
pub fn plan_packets(timestamps: &[f64], keys: &[bool], step: u64) -> Option<Vec<Option<u32>>> {
    if timestamps.is_empty() || timestamps.len() != keys.len() || !keys[0] {
        return None;
    }
    if timestamps.iter().any(|t| !t.is_finite()) {
        return None;
    }
    let mut order: Vec<usize> = (0..timestamps.len()).collect();
    order.sort_by(|&a, &b| timestamps[a].total_cmp(&timestamps[b]));
    if order
        .windows(2)
        .any(|w| timestamps[w[0]] == timestamps[w[1]])
    {
        return None;
    }
    let mut rank = vec![0u32; timestamps.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = u32::try_from(r).ok()?;
    }
    let step = step.max(1);
    let mut plan = vec![None; timestamps.len()];
    let mut start = 0;
    while start < timestamps.len() {
        let end = (start + 1..timestamps.len())
            .find(|&i| keys[i])
            .unwrap_or(timestamps.len());
        if (start + 1..end).any(|i| timestamps[i] < timestamps[start]) {
            return None;
        }
        if let Some(last) = (start..end).rev().find(|&i| u64::from(rank[i]) % step == 0) {
            for i in start..=last {
                plan[i] = Some(rank[i]);
            }
        }
        start = end;
    }
    Some(plan)
}

/// The RGB24 pixels of a frame in 4:2:0 YUV (I420: full-size luma, chroma
/// planes at half width and height, rounded up), converted as FFmpeg
/// converts for the vPDQ reference when nothing else is said: BT.601
/// coefficients, limited range (luma 16 to 235), each chroma sample for its
/// 2x2 block of pixels. A browser's own conversion follows the stream's
/// colour space instead, which is why the page converts here.
#[allow(clippy::too_many_arguments)]
pub fn i420_to_rgb(
    width: usize,
    height: usize,
    y: &[u8],
    y_stride: usize,
    u: &[u8],
    v: &[u8],
    uv_stride: usize,
    out: &mut Vec<u8>,
) -> Result<(), &'static str> {
    let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
    if width == 0 || height == 0 || y_stride < width || uv_stride < cw {
        return Err("the frame's planes are not its size");
    }
    if y.len() < (height - 1) * y_stride + width
        || u.len() < (ch - 1) * uv_stride + cw
        || v.len() < (ch - 1) * uv_stride + cw
    {
        return Err("the frame's planes are shorter than its size");
    }
    out.clear();
    out.resize(width * height * 3, 0);
    for row in 0..height {
        let luma = &y[row * y_stride..row * y_stride + width];
        let chroma = (row / 2) * uv_stride;
        let (u, v) = (&u[chroma..chroma + cw], &v[chroma..chroma + cw]);
        let line = &mut out[row * width * 3..(row + 1) * width * 3];
        for (x, (px, &l)) in line.chunks_exact_mut(3).zip(luma).enumerate() {
            let [r, g, b] = yuv_to_rgb(l, u[x / 2], v[x / 2]);
            px[0] = r;
            px[1] = g;
            px[2] = b;
        }
    }
    Ok(())
}

/// One pixel, BT.601 limited range, computed as FFmpeg's converter for x86
/// computes it (Debian's libswscale 5.1, the one `hashbank hash` decodes
/// with): each term scaled by 8 and multiplied by its coefficient in 3.13
/// fixed point, keeping the high 16 bits (rounding down), then summed and
/// clamped. This gives the very bytes FFmpeg gives (tested on every luma
/// value with varied chroma), so the page hashes the frames `hashbank hash`
/// hashes.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    // round(8192 x): 255/219, and 1.402, 1.772, 0.344136, 0.714136 by 255/224.
    const CY: i32 = 9539;
    const CRV: i32 = 13075;
    const CBU: i32 = 16525;
    const CGU: i32 = 3209;
    const CGV: i32 = 6660;
    let term = |value: i32, coefficient: i32| (value * 8 * coefficient) >> 16;
    let luma = term(i32::from(y) - 16, CY);
    let (u, v) = (i32::from(u) - 128, i32::from(v) - 128);
    let clamp = |x: i32| x.clamp(0, 255) as u8;
    [
        clamp(luma + term(v, CRV)),
        clamp(luma + term(u, -CGU) + term(v, -CGV)),
        clamp(luma + term(u, CBU)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_truncates_and_is_at_least_one() {
        assert_eq!(frame_step(1.0, 29.97), 29);
        assert_eq!(frame_step(1.0, 30.0), 30);
        assert_eq!(frame_step(0.0, 30.0), 1);
        assert_eq!(frame_step(1.0, 0.5), 1);
        assert_eq!(frame_step(2.5, 24.0), 60);
    }

    #[test]
    fn limited_range_grey_and_primaries() {
        assert_eq!(yuv_to_rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(yuv_to_rgb(235, 128, 128), [255, 255, 255]);
        assert_eq!(yuv_to_rgb(126, 128, 128), [128, 128, 128]);
        // BT.601 red, green and blue at limited range.
        let red = yuv_to_rgb(81, 90, 240);
        assert!(red[0] >= 253 && red[1] <= 2 && red[2] <= 2, "{red:?}");
        let green = yuv_to_rgb(145, 54, 34);
        assert!(
            green[0] <= 2 && green[1] >= 253 && green[2] <= 2,
            "{green:?}"
        );
        let blue = yuv_to_rgb(41, 240, 110);
        assert!(blue[0] <= 2 && blue[1] <= 2 && blue[2] >= 253, "{blue:?}");
    }

    #[test]
    fn odd_sizes_take_the_chroma_of_their_block_and_short_planes_are_refused() {
        let (w, h) = (3, 3);
        let y = [16u8, 126, 235, 16, 126, 235, 16, 126, 235];
        let u = [128u8, 128, 128, 128];
        let v = [128u8, 255, 128, 128];
        let mut out = Vec::new();
        i420_to_rgb(w, h, &y, 3, &u, &v, 2, &mut out).unwrap();
        assert_eq!(out.len(), 27);
        assert_eq!(&out[0..3], &[0, 0, 0]);
        // The third pixel of the first row is in the second chroma block.
        assert_eq!(out[6], 255, "red from V = 255");
        assert_eq!(&out[24..27], &[255, 255, 255], "the last row's third pixel");
        assert!(i420_to_rgb(w, h, &y[..8], 3, &u, &v, 2, &mut out).is_err());
        assert!(i420_to_rgb(w, h, &y, 2, &u, &v, 2, &mut out).is_err());
    }

    #[test]
    fn frames_are_numbered_kept_and_checked() {
        let (w, h) = (64, 48);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| ((i * 37) % 251) as u8).collect();
        let mut hasher = FrameHasher::new(25.0, 1.0, Parts::None);
        assert_eq!(hasher.step(), 25);
        assert!(hasher.keeps(0) && hasher.keeps(50) && !hasher.keeps(26));
        hasher.add_rgb(0, w, h, &rgb).unwrap();
        hasher.add_rgb(25, w, h, &rgb).unwrap();
        assert!(matches!(
            hasher.add_rgb(25, w, h, &rgb),
            Err(VideoHashError::Order { .. })
        ));
        assert!(hasher.add_rgb(50, w, h, &rgb[..10]).is_err());
        let video = hasher.finish();
        assert_eq!(video.frames.len(), 2);
        assert_eq!(video.frames[1].number, 25);
        assert_eq!(video.frames[1].timestamp, 1.0);
        let image = pdq::Image::rgb(w, h, &rgb).unwrap();
        assert_eq!(video.frames[0].hash, pdq::hash(&image).hash);
    }

    #[test]
    fn packets_after_a_groups_last_kept_frame_are_not_decoded() {
        // Two groups of six, in decoding order with B-frames: I0 P3 B1 B2
        // P5 B4 | I6 P9 B7 B8 P11 B10 (timestamps in frames).
        let ts = [0.0, 3.0, 1.0, 2.0, 5.0, 4.0, 6.0, 9.0, 7.0, 8.0, 11.0, 10.0];
        let keys = [
            true, false, false, false, false, false, true, false, false, false, false, false,
        ];
        let plan = plan_packets(&ts, &keys, 4).unwrap();
        // Kept: frames 0, 4 and 8. Frame 4 (the sixth packet) needs its
        // whole group; frame 8 (the tenth) the second group up to it.
        let sent: Vec<Option<u32>> = plan;
        assert_eq!(
            sent,
            [
                Some(0),
                Some(3),
                Some(1),
                Some(2),
                Some(5),
                Some(4),
                Some(6),
                Some(9),
                Some(7),
                Some(8),
                None,
                None
            ]
        );
        // One a group, at the key frames: each group's key frame alone.
        let plan = plan_packets(&ts, &keys, 6).unwrap();
        let decoded: Vec<usize> = (0..12).filter(|&i| plan[i].is_some()).collect();
        assert_eq!(decoded, [0, 6]);
        // A group with nothing kept is skipped whole.
        let plan = plan_packets(&ts, &keys, 100).unwrap();
        assert_eq!(plan.iter().filter(|p| p.is_some()).count(), 1);
    }

    #[test]
    fn streams_that_cannot_be_planned_are_decoded_whole() {
        assert_eq!(plan_packets(&[], &[], 30), None);
        assert_eq!(plan_packets(&[0.0, 1.0], &[false, true], 30), None);
        assert_eq!(plan_packets(&[0.0, 0.0], &[true, false], 30), None);
        assert_eq!(plan_packets(&[0.0, f64::NAN], &[true, false], 30), None);
        assert_eq!(plan_packets(&[0.0, 1.0], &[true], 30), None);
        // An open group: a picture shown before its key frame.
        assert_eq!(
            plan_packets(&[0.0, 1.0, 3.0, 2.0], &[true, false, true, false], 2),
            None
        );
    }
}
