//! Frames out of FFmpeg and into PDQ.
//!
//! `ffmpeg` decodes the first video stream with one thread, keeps every
//! `step`-th decoded frame (its `select` filter counts frames as they leave
//! the decoder, as the vPDQ reference counts them), converts it to RGB24 at
//! the stream's size with swscale's area method and BT.601 matrix (what
//! the reference's `sws_getContext` gets by default), and writes the raw
//! frames to a pipe. Each frame read is hashed here while the next is
//! decoded.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::time::Duration;

use model::{VideoFrame, VideoPart, MAX_VIDEO_FRAMES};

use crate::child::{input, ChildLimits, Chunks, Contained, Next};
use crate::error::VideoError;
use crate::probe::Stream;
use crate::{Options, Parts, Pipeline};

/// The size frames are hashed at, and how their hashes are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Every `step`-th frame is hashed.
    pub step: u64,
    /// Width of the frames as written by the decoder.
    pub width: usize,
    /// Height of the frames as written by the decoder.
    pub height: usize,
    /// Source pixels per written pixel along each side (1 = full size).
    pub block: usize,
}

impl Plan {
    /// The plan for `stream` under `options`.
    pub fn new(stream: &Stream, options: &Options) -> Plan {
        let step = frame_step(options.seconds_per_hash, stream.frame_rate);
        let (width, height) = (stream.width as usize, stream.height as usize);
        let block = match options.pipeline {
            Pipeline::Canonical => 1,
            Pipeline::Fast => fast_block(width, height),
        };
        Plan {
            step,
            width: if block > 1 { width / block } else { width },
            height: if block > 1 { height / block } else { height },
            block,
        }
    }
}

/// Every how many frames one is hashed: `int(seconds_per_hash *
/// frame_rate)`, at least 1 (so 0 seconds hashes every frame), as the
/// reference computes it.
pub fn frame_step(seconds_per_hash: f64, frame_rate: f64) -> u64 {
    let step = (seconds_per_hash * frame_rate) as u64;
    step.max(1)
}

/// The fast pipeline's reduction: the largest whole block that leaves at
/// least [`FAST_MIN_SIDE`] pixels on the shorter side.
fn fast_block(width: usize, height: usize) -> usize {
    (width.min(height) / FAST_MIN_SIDE).clamp(1, 8)
}

/// The fast pipeline keeps frames at least this many pixels on the
/// shorter side: PDQ blurs down to 64x64, and a few source pixels per
/// output cell keep the hash within a few bits of the full-size one.
pub const FAST_MIN_SIDE: usize = 128;

/// Decodes and hashes the frames of `path` by `plan`.
pub(crate) fn hash_frames(
    path: &Path,
    stream: &Stream,
    plan: &Plan,
    options: &Options,
) -> Result<(Vec<VideoFrame>, Vec<VideoPart>), VideoError> {
    let limits = &options.limits;
    let mut filters = Vec::new();
    if plan.step > 1 {
        filters.push(format!("select=not(mod(n\\,{}))", plan.step));
    }
    if plan.block > 1 {
        // Whole blocks only, so each written pixel is the mean of one
        // block (a partial last block is dropped, as `reduced_from` takes).
        filters.push(format!(
            "crop={}:{}:0:0",
            plan.width * plan.block,
            plan.height * plan.block
        ));
    }
    filters.push(format!(
        "scale={}:{}:flags=area:in_color_matrix=bt601",
        plan.width, plan.height
    ));
    let mut args: Vec<OsString> = [
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-threads",
        "1",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    if options.pipeline == Pipeline::Fast {
        // Skip the in-loop deblocking filter: the frames are reduced at
        // once, and deblocking changes little that survives the reduction.
        args.extend(["-skip_loop_filter", "all"].map(OsString::from));
    }
    args.extend(input(path));
    args.extend(
        [
            "-map",
            "0:v:0",
            "-an",
            "-sn",
            "-dn",
            "-filter_threads",
            "1",
            "-vf",
            &filters.join(","),
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ]
        .map(OsString::from),
    );
    let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
    let child_limits = ChildLimits {
        memory: limits.max_decoder_memory,
        cpu_seconds: limits.max_decode_seconds,
        wall: Duration::from_secs(limits.max_decode_seconds),
    };
    let (mut child, stdout) = Contained::start(&options.ffmpeg, &args, child_limits)?;
    let frame_bytes = plan.width * plan.height * 3;
    let most_frames = MAX_VIDEO_FRAMES.min(max_frames(limits.max_duration, stream, plan));
    let mut chunks = Chunks::new(
        stdout,
        frame_bytes,
        2,
        frame_bytes as u64 * (most_frames as u64 + 1),
    );
    let result = read_frames(&mut chunks, &mut child, stream, plan, options, most_frames);
    if result.is_err() {
        // Stopped early: the child may still be writing. Killing it closes
        // its stdout, which ends the reader thread.
        child.kill();
    }
    drop(chunks);
    let (frames, parts) = result?;
    let ended = child.finish()?;
    if !ended.status.success() {
        return Err(VideoError::Decoder(ended.failure()));
    }
    if frames.is_empty() {
        return Err(VideoError::NotAVideo("no frame could be decoded".into()));
    }
    Ok((frames, parts))
}

/// Frames the duration limit allows at this plan's step, plus one.
fn max_frames(max_duration: f64, stream: &Stream, plan: &Plan) -> usize {
    let frames = (max_duration * stream.frame_rate / plan.step as f64).ceil();
    if frames.is_finite() && frames < usize::MAX as f64 {
        frames as usize + 1
    } else {
        usize::MAX
    }
}

fn read_frames(
    chunks: &mut Chunks,
    child: &mut Contained,
    stream: &Stream,
    plan: &Plan,
    options: &Options,
    most_frames: usize,
) -> Result<(Vec<VideoFrame>, Vec<VideoPart>), VideoError> {
    let frame_bytes = plan.width * plan.height * 3;
    let mut frames = Vec::new();
    let mut parts = PartFrames::default();
    loop {
        match chunks.next(frame_bytes, child.time_left())? {
            Next::Chunk(pixels) => {
                let number = frames.len() as u64 * plan.step;
                if frames.len() >= most_frames {
                    let seconds = number as f64 / stream.frame_rate;
                    if seconds > options.limits.max_duration {
                        return Err(VideoError::TooLong {
                            seconds,
                            limit: options.limits.max_duration,
                        });
                    }
                    return Err(VideoError::TooManyFrames {
                        limit: MAX_VIDEO_FRAMES,
                    });
                }
                let frame = hash_frame(&pixels, number, stream, plan);
                parts.add(options.parts, &pixels, plan, &frame);
                frames.push(frame);
            }
            Next::End { partial: 0 } => return Ok((frames, parts.into_parts())),
            Next::End { partial } => {
                return Err(VideoError::Decoder(format!(
                    "the decoder stopped {partial} bytes into a frame"
                )))
            }
            Next::Timeout => {
                return Err(VideoError::Timeout {
                    limit: child.wall_seconds(),
                })
            }
        }
    }
}

/// The longest side parts are hashed at, about: a frame is reduced by a
/// whole factor (the mean of each block) until it is no longer than this.
/// Parts and views at this size match those of the same frame filmed or
/// shared at another size better than at full size (bench/video/robustness:
/// at full size, 1 of 4 watermarked and 0 of 4 sped-up copies were found;
/// at 480 or 640, all), and cost a sixteenth at 1080p.
const PARTS_SIDE: usize = 480;

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
#[derive(Default)]
struct PartFrames {
    parts: Vec<VideoPart>,
}

impl PartFrames {
    /// The parts or views `which` asks for of the kept frame `frame`, whose
    /// RGB pixels at the plan's size are `pixels` (`media::robust`, as a
    /// picture's); the plain hash is the frame's own.
    fn add(&mut self, which: Parts, pixels: &[u8], plan: &Plan, frame: &VideoFrame) {
        let hashes: Vec<(&'static str, pdq::Hash256, u8)> = match which {
            Parts::None => return,
            Parts::Bank | Parts::Query => {
                let (width, height, rgb) = reduced_for_parts(pixels, plan.width, plan.height);
                let image = media::Decoded::full(width, height, media::PixelData::Rgb(rgb));
                if which == Parts::Bank {
                    media::robust::bank_hashes(&image)
                        .into_iter()
                        .filter(|h| h.label != model::BankLabel::Plain)
                        .map(|h| (h.label.as_str(), h.hash, h.quality))
                        .collect()
                } else {
                    media::robust::query_hashes(&image)
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

    fn into_parts(self) -> Vec<VideoPart> {
        self.parts
    }
}

fn hash_frame(pixels: &[u8], number: u64, stream: &Stream, plan: &Plan) -> VideoFrame {
    let image = pdq::Image::rgb(plan.width, plan.height, pixels).expect("a whole frame was read");
    let image = if plan.block > 1 {
        image
            .reduced_from(stream.width as usize, stream.height as usize, plan.block)
            .expect("the plan's size is the stream's reduced by its block")
    } else {
        image
    };
    let hashed = pdq::hash(&image);
    VideoFrame {
        hash: hashed.hash,
        quality: hashed.quality,
        number: u32::try_from(number).unwrap_or(u32::MAX),
        // The reference divides in single precision.
        timestamp: f64::from(number as f32 / stream.frame_rate as f32),
    }
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
    fn the_fast_block_keeps_the_shorter_side_above_the_minimum() {
        assert_eq!(fast_block(1920, 1080), 8);
        assert_eq!(fast_block(640, 360), 2);
        assert_eq!(fast_block(320, 240), 1);
        assert_eq!(fast_block(100, 4000), 1);
    }
}
