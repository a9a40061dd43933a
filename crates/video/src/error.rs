//! What can go wrong between a video file and its hash.

use std::path::PathBuf;

/// Why a video could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is larger than the size limit; it was not read.
    #[error("the file is {size} bytes, over the limit of {limit} bytes")]
    FileTooLarge {
        /// File size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The decoder child could not be started.
    #[error("cannot run {tool}: {detail}")]
    Tool {
        /// The program.
        tool: PathBuf,
        /// Why.
        detail: String,
    },
    /// FFmpeg found no video in the file, or could not read it.
    #[error("not a video FFmpeg can read: {0}")]
    NotAVideo(String),
    /// The stream states a frame larger than the limit; nothing was decoded.
    #[error("the frames are {width}x{height} ({pixels} pixels), over the limit of {limit} pixels")]
    FrameTooLarge {
        /// Width.
        width: u64,
        /// Height.
        height: u64,
        /// Their product.
        pixels: u64,
        /// The limit in pixels.
        limit: u64,
    },
    /// The video is longer than the limit (stated, or found while decoding).
    #[error("the video lasts {seconds:.1} s, over the limit of {limit:.0} s")]
    TooLong {
        /// Its duration, as far as known.
        seconds: f64,
        /// The limit in seconds.
        limit: f64,
    },
    /// More frames would be hashed than a video hash may hold.
    #[error("the video would give more than {limit} frame hashes; hash fewer frames a second")]
    TooManyFrames {
        /// The limit.
        limit: usize,
    },
    /// Decoding took longer than the time limit; the decoder was stopped.
    #[error("decoding took over {limit} s and was stopped")]
    Timeout {
        /// The limit in seconds.
        limit: u64,
    },
    /// The decoder failed, crashed or was stopped by a limit (memory, CPU).
    #[error("the decoder failed: {0}")]
    Decoder(String),
}
