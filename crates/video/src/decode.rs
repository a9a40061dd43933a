//! Frames out of the decoder child and into PDQ.
//!
//! The child ([`crate::libav`]) decodes the first video stream with one
//! thread and writes the kept frames (every `step`-th, numbered in
//! presentation order as the vPDQ reference numbers them) in RGB24 at the
//! plan's size, converted as the reference converts them. Each frame read
//! is hashed here while the next is decoded.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use media::video::{frame_step, PartFrames};
use model::{VideoFrame, VideoPart, MAX_VIDEO_FRAMES};

use crate::child::{ChildLimits, Chunks, Contained, Next};
use crate::error::VideoError;
use crate::libav::{Request, DECODER_COMMAND, EXIT_REPLAN, HEADER_BYTES};
use crate::probe::{self, Stream};
use crate::{Options, Parts, Pipeline, Planned};

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
            // Parts and views need the whole frame: reduced, the borders,
            // crops and screenshots they look for are too few pixels to
            // find (a screen recording's app frame at half size is missed).
            Pipeline::Fast if options.parts != Parts::None => 1,
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

/// The fast pipeline's reduction: the largest whole block that leaves at
/// least [`FAST_MIN_SIDE`] pixels on the shorter side.
fn fast_block(width: usize, height: usize) -> usize {
    (width.min(height) / FAST_MIN_SIDE).clamp(1, 8)
}

/// The fast pipeline keeps frames at least this many pixels on the
/// shorter side: PDQ blurs down to 64x64, and a few source pixels per
/// output cell keep the hash within a few bits of the full-size one.
pub const FAST_MIN_SIDE: usize = 128;

/// What the decoder child gave for one file.
pub(crate) struct Decoded {
    /// The stream, as the child described it.
    pub stream: Stream,
    /// The plan both sides derived from it.
    pub plan: Plan,
    /// How many pictures were decoded, when not all.
    pub planned: Option<Planned>,
    /// The kept frames' hashes.
    pub frames: Vec<VideoFrame>,
    /// Hashes of their parts or views.
    pub parts: Vec<VideoPart>,
}

/// Decodes and hashes the frames of `path` in the decoder child: only the
/// packets the kept frames need where that can be planned, else (or when
/// the plan fails) every packet.
pub(crate) fn hash_frames(path: &Path, options: &Options) -> Result<Decoded, VideoError> {
    if options.skipping {
        if let Some(decoded) = run_child(path, options, true)? {
            return Ok(decoded);
        }
    }
    run_child(path, options, false)?
        .ok_or_else(|| VideoError::Decoder("the decoder asked again to decode every frame".into()))
}

/// Why reading the child's output stopped.
enum Stop {
    /// The child ended before describing a video.
    NoHeader,
    /// Anything else.
    Error(VideoError),
}

impl From<VideoError> for Stop {
    fn from(e: VideoError) -> Stop {
        Stop::Error(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Stop {
        Stop::Error(e.into())
    }
}

/// One run of the decoder child; `None` when its plan failed.
fn run_child(
    path: &Path,
    options: &Options,
    skipping: bool,
) -> Result<Option<Decoded>, VideoError> {
    let limits = &options.limits;
    if !options.decoder.is_file() {
        return Err(VideoError::Tool {
            tool: options.decoder.clone(),
            detail: "the video decoder is not there (it is installed beside hashbank)".into(),
        });
    }
    let file = std::fs::File::open(path)?;
    let request = Request {
        seconds_per_hash: options.seconds_per_hash,
        pipeline: options.pipeline,
        skipping,
        max_frame_pixels: limits.max_frame_pixels,
        max_duration: limits.max_duration,
        parts: options.parts,
    };
    let mut args = vec![OsString::from(DECODER_COMMAND)];
    args.extend(request.to_args());
    let child_limits = ChildLimits {
        memory: limits.max_decoder_memory,
        cpu_seconds: limits.max_decode_seconds,
        wall: Duration::from_secs(limits.max_decode_seconds),
    };
    let (mut child, stdout) =
        Contained::start(&options.decoder, &args, file, child_limits, options.spawner)?;
    let pixels = usize::try_from(limits.max_frame_pixels).unwrap_or(usize::MAX / 8);
    let largest = pixels.saturating_mul(3).saturating_add(8);
    let limit = (largest as u64)
        .saturating_mul(MAX_VIDEO_FRAMES as u64 + 1)
        .saturating_add(HEADER_BYTES as u64);
    let mut chunks = Chunks::new(stdout, HEADER_BYTES, largest, 2, limit);
    let result =
        read_header(&mut chunks, &mut child, options).and_then(|(stream, plan, planned)| {
            let (frames, parts) = read_frames(&mut chunks, &mut child, &stream, &plan, options)?;
            Ok(Decoded {
                stream,
                plan,
                planned,
                frames,
                parts,
            })
        });
    let decoded = match result {
        Ok(decoded) => decoded,
        Err(Stop::NoHeader) => {
            drop(chunks);
            let ended = child.finish()?;
            return Err(VideoError::NotAVideo(if ended.status.success() {
                "the decoder described no video".into()
            } else {
                ended.failure()
            }));
        }
        Err(Stop::Error(e)) => {
            // Stopped early: the child may still be writing. Killing it
            // closes its stdout, which ends the reader thread.
            child.kill();
            return Err(e);
        }
    };
    drop(chunks);
    let ended = child.finish()?;
    if ended.status.code() == Some(EXIT_REPLAN) {
        return Ok(None);
    }
    if !ended.status.success() {
        return Err(VideoError::Decoder(ended.failure()));
    }
    if decoded.frames.is_empty() {
        return Err(VideoError::NotAVideo("no frame could be decoded".into()));
    }
    Ok(Some(decoded))
}

/// The child's header: the stream, checked against the limits, and the
/// plan both sides derive from it.
fn read_header(
    chunks: &mut Chunks,
    child: &mut Contained,
    options: &Options,
) -> Result<(Stream, Plan, Option<Planned>), Stop> {
    let header = match chunks.next(HEADER_BYTES, child.time_left())? {
        Next::Chunk(header) => header,
        Next::End { .. } => return Err(Stop::NoHeader),
        Next::Timeout => {
            return Err(Stop::Error(VideoError::Timeout {
                limit: child.wall_seconds(),
            }))
        }
    };
    let stream = probe::parse(&header[8..])?;
    #[derive(serde::Deserialize)]
    struct Note {
        plan: Option<Planned>,
    }
    let planned = serde_json::from_slice::<Note>(&header[8..])
        .ok()
        .and_then(|n| n.plan);
    crate::check_stream(&stream, options)?;
    let plan = Plan::new(&stream, options);
    let mut stated = [0u8; 8];
    stated.copy_from_slice(&header[..8]);
    if u64::from_le_bytes(stated) != (8 + plan.width * plan.height * 3) as u64 {
        return Err(Stop::Error(VideoError::Decoder(
            "the decoder's frames are not the planned size".into(),
        )));
    }
    Ok((stream, plan, planned))
}

fn read_frames(
    chunks: &mut Chunks,
    child: &mut Contained,
    stream: &Stream,
    plan: &Plan,
    options: &Options,
) -> Result<(Vec<VideoFrame>, Vec<VideoPart>), Stop> {
    let record = 8 + plan.width * plan.height * 3;
    let mut frames: Vec<VideoFrame> = Vec::new();
    let mut parts = PartFrames::default();
    let mut last: Option<u64> = None;
    loop {
        match chunks.next(record, child.time_left())? {
            Next::Chunk(chunk) => {
                let mut number = [0u8; 8];
                number.copy_from_slice(&chunk[..8]);
                let number = u64::from_le_bytes(number);
                if last.is_some_and(|last| number <= last) {
                    return Err(Stop::Error(VideoError::Decoder(
                        "the decoder wrote frames out of order".into(),
                    )));
                }
                last = Some(number);
                let seconds = number as f64 / stream.frame_rate;
                if seconds > options.limits.max_duration {
                    return Err(Stop::Error(VideoError::TooLong {
                        seconds,
                        limit: options.limits.max_duration,
                    }));
                }
                if frames.len() >= MAX_VIDEO_FRAMES {
                    return Err(Stop::Error(VideoError::TooManyFrames {
                        limit: MAX_VIDEO_FRAMES,
                    }));
                }
                let pixels = &chunk[8..];
                let frame = hash_frame(pixels, number, stream, plan);
                parts.add(options.parts, pixels, plan.width, plan.height, &frame);
                frames.push(frame);
            }
            Next::End { partial: 0 } => return Ok((frames, parts.into_parts())),
            Next::End { partial } => {
                return Err(Stop::Error(VideoError::Decoder(format!(
                    "the decoder stopped {partial} bytes into a frame"
                ))))
            }
            Next::Timeout => {
                return Err(Stop::Error(VideoError::Timeout {
                    limit: child.wall_seconds(),
                }))
            }
        }
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
    media::video::hash_frame(&image, number, stream.frame_rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_block_keeps_the_shorter_side_above_the_minimum() {
        assert_eq!(fast_block(1920, 1080), 8);
        assert_eq!(fast_block(640, 360), 2);
        assert_eq!(fast_block(320, 240), 1);
        assert_eq!(fast_block(100, 4000), 1);
    }

    #[test]
    fn fast_frames_with_parts_keep_the_whole_frame() {
        let stream = Stream {
            width: 1920,
            height: 1080,
            frame_rate: 30.0,
            duration: None,
            codec: "h264".into(),
            container: "mp4".into(),
        };
        let fast = Options {
            pipeline: Pipeline::Fast,
            ..Options::default()
        };
        assert_eq!(Plan::new(&stream, &fast).block, 8);
        let with_parts = Options {
            parts: Parts::Query,
            ..fast
        };
        let plan = Plan::new(&stream, &with_parts);
        assert_eq!((plan.block, plan.width, plan.height), (1, 1920, 1080));
    }
}
