//! The flags that say how videos are hashed, shared by `hash` and `scan`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

/// How videos are hashed: vPDQ through FFmpeg's libraries, in a child
/// process with limits.
#[derive(Args, Debug, Clone)]
pub struct VideoArgs {
    /// Hash one video frame every this many seconds (0: every frame).
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    pub seconds_per_hash: f64,

    /// Also hash parts of each kept frame, as the bank stores a picture's
    /// (the frame without borders, its crops, corners, top and bottom): a
    /// video filed with them is found in cropped, letterboxed, sped-up and
    /// watermarked copies too (docs/matching.md, Videos). About ten times
    /// the frame hashes.
    #[arg(long)]
    pub video_parts: bool,

    /// Largest video file to read, in bytes.
    #[arg(long, default_value_t = video::DEFAULT_MAX_FILE_BYTES, value_name = "BYTES")]
    max_video_size: u64,

    /// Longest video to hash, in seconds.
    #[arg(long, default_value_t = video::DEFAULT_MAX_DURATION, value_name = "SECONDS")]
    max_duration: f64,

    /// Largest video frame to decode, in pixels (width x height).
    #[arg(long, default_value_t = video::DEFAULT_MAX_FRAME_PIXELS, value_name = "PIXELS")]
    max_frame_pixels: u64,

    /// Longest a video's decoding may take, in seconds.
    #[arg(long, default_value_t = video::DEFAULT_MAX_DECODE_SECONDS, value_name = "SECONDS")]
    max_decode_seconds: u64,

    /// Most memory the video decoder may map, in bytes.
    #[arg(long, default_value_t = video::DEFAULT_MAX_DECODER_MEMORY, value_name = "BYTES")]
    max_decoder_memory: u64,

    /// The program that decodes videos, started as a contained child with
    /// `__video-decoder` and the file on its stdin (default: `hashbank-decoder`
    /// beside this program).
    #[arg(long, env = "HASHBANK_VIDEO_DECODER", value_name = "PATH", hide = true)]
    video_decoder: Option<PathBuf>,
}

/// The video decoder program, installed beside `hashbank`.
pub const DECODER: &str = "hashbank-decoder";

impl VideoArgs {
    /// The video crate's options; `fast` picks the fast pipeline.
    pub fn options(&self, fast: bool) -> Result<video::Options> {
        if !(self.seconds_per_hash.is_finite() && self.seconds_per_hash >= 0.0) {
            anyhow::bail!("--seconds-per-hash must be 0 or more");
        }
        Ok(video::Options {
            seconds_per_hash: self.seconds_per_hash,
            limits: video::Limits {
                max_file_bytes: self.max_video_size,
                max_duration: self.max_duration,
                max_frame_pixels: self.max_frame_pixels,
                max_decode_seconds: self.max_decode_seconds,
                max_decoder_memory: self.max_decoder_memory,
            },
            pipeline: if fast {
                video::Pipeline::Fast
            } else {
                video::Pipeline::Canonical
            },
            decoder: match &self.video_decoder {
                Some(path) => path.clone(),
                None => std::env::current_exe()
                    .context("cannot find this program, beside which the video decoder is")?
                    .with_file_name(DECODER),
            },
            skipping: true,
            // Another decoder program may not serve as a spawner: it is
            // started for each file.
            spawner: self.video_decoder.is_none(),
            parts: if self.video_parts {
                video::Parts::Bank
            } else {
                video::Parts::None
            },
        })
    }
}
