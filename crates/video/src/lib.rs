//! Video files to vPDQ hashes, compatible with Meta's vPDQ reference.
//!
//! A video is decoded by FFmpeg's libraries (Debian's packages) in a child
//! process under limits ([`Limits`]): the program itself, started again
//! with [`DECODER_COMMAND`] (a program that hashes videos hands that case
//! to [`decoder_main`]), once as a spawner that forks a fresh child for
//! each file ([`Options::spawner`]). Its size, duration and frame size are checked
//! before anything is decoded, and the decoder runs with a memory cap, a
//! CPU cap and a deadline, so a hostile file that crashes or hangs it ends
//! only its own hashing. Frames are kept as the reference keeps them (every
//! `int(seconds_per_hash * frame_rate)`-th decoded frame), converted to RGB
//! as the reference converts them, and hashed with PDQ at full size
//! ([`Pipeline::Canonical`]) or reduced ([`Pipeline::Fast`]). For H.264 and
//! HEVC only the pictures the kept frames need are decoded. The file's MD5
//! and SHA-256 are computed as it streams past, never holding it in memory.
//!
//! Animated WebP, which FFmpeg 5.1 does not decode, is decoded in process
//! by the pure Rust `image-webp` ([`hash_animated_webp`]).
//!
//! What the hash is and when two videos match is the `model` crate's
//! ([`model::VideoHash`], [`model::compare_videos`]); this crate only makes
//! hashes. It needs FFmpeg's shared libraries (and util-linux's `prlimit` for
//! a decoder started per file).
//!
//! ```no_run
//! let print = video::hash_file("clip.mp4".as_ref(), &video::Options::default()).unwrap();
//! println!("{} s at {} frames/s", print.duration, print.stream.frame_rate);
//! print!("{}", print.hash.to_text());
//! ```

mod child;
mod decode;
mod error;
mod libav;
mod probe;
mod sniff;
mod spawner;
mod webp;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use md5::Md5;
use model::{VideoHash, MAX_VIDEO_FRAMES};
use sha2::{Digest, Sha256};

pub use decode::FAST_MIN_SIDE;
pub use error::VideoError;
pub use libav::{decoder_main, DECODER_COMMAND};
pub use media::video::frame_step;
pub use probe::Stream;
pub use sniff::{gif_is_animated, sniff, Container, SNIFF_BYTES};
pub use webp::{hash_animated_webp, webp_is_animated};

use media::digests;

/// Largest video file read by default: 4 GiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 << 30;
/// Longest video hashed by default: 3 hours.
pub const DEFAULT_MAX_DURATION: f64 = 3.0 * 3600.0;
/// Largest frame decoded by default: 8K UHD, 7680x4320.
pub const DEFAULT_MAX_FRAME_PIXELS: u64 = 7680 * 4320;
/// Longest a video's decoding may take by default, wall clock and CPU.
pub const DEFAULT_MAX_DECODE_SECONDS: u64 = 3600;
/// Most memory the decoder may map by default: 4 GiB.
pub const DEFAULT_MAX_DECODER_MEMORY: u64 = 4 << 30;

/// Bounds on what a video may cost. Each is checked before decoding where
/// the file states it, and again while decoding.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file, bytes.
    pub max_file_bytes: u64,
    /// Longest video, seconds.
    pub max_duration: f64,
    /// Largest frame, pixels.
    pub max_frame_pixels: u64,
    /// Longest decoding, seconds (wall clock and the decoder's CPU time).
    pub max_decode_seconds: u64,
    /// Most memory the decoder may map, bytes.
    pub max_decoder_memory: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_duration: DEFAULT_MAX_DURATION,
            max_frame_pixels: DEFAULT_MAX_FRAME_PIXELS,
            max_decode_seconds: DEFAULT_MAX_DECODE_SECONDS,
            max_decoder_memory: DEFAULT_MAX_DECODER_MEMORY,
        }
    }
}

/// How frames become hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pipeline {
    /// Full-size frames, as the reference hashes them.
    #[default]
    Canonical,
    /// Frames reduced by whole blocks before hashing, decoded without the
    /// deblocking filter: a few bits from the canonical hashes. Where an
    /// H.264 or HEVC stream has an IDR picture within one step of a frame
    /// the reference would keep, that picture is hashed instead (it alone
    /// needs decoding), so the frame numbers may differ from the
    /// reference's.
    Fast,
}

/// What to compute, and with which tools.
#[derive(Debug, Clone)]
pub struct Options {
    /// One frame is hashed every this many seconds (0: every frame).
    pub seconds_per_hash: f64,
    /// Bounds.
    pub limits: Limits,
    /// Canonical or fast.
    pub pipeline: Pipeline,
    /// The program run as the decoder child, with [`DECODER_COMMAND`] as
    /// its first argument: by default the running program.
    pub decoder: PathBuf,
    /// Decode only the pictures the kept frames need, where the stream
    /// allows it to be planned (H.264 and HEVC in MP4, MOV or Matroska);
    /// `false` decodes every frame, as the reference does. The hashes are
    /// the same.
    pub skipping: bool,
    /// Which hashes of parts or views of each kept frame to add.
    pub parts: Parts,
    /// Fork each decoder child from a spawner: the decoder program started
    /// once and kept waiting with FFmpeg loaded (about 30 ms less a file;
    /// see `spawner.rs`). The decoder must then also take
    /// [`DECODER_COMMAND`] `spawner` (as [`decoder_main`] does); where it
    /// can't, each child is started instead. `false`: started per file.
    pub spawner: bool,
}

pub use media::video::Parts;

impl Default for Options {
    fn default() -> Options {
        Options {
            seconds_per_hash: 1.0,
            limits: Limits::default(),
            pipeline: Pipeline::Canonical,
            decoder: std::env::current_exe().unwrap_or_else(|_| PathBuf::from("hashbank")),
            skipping: true,
            parts: Parts::None,
            spawner: true,
        }
    }
}

/// The hashes of one video file.
#[derive(Debug, Clone)]
pub struct VideoPrint {
    /// The vPDQ hash: the kept frames' PDQ hashes.
    pub hash: VideoHash,
    /// The stream that was hashed.
    pub stream: Stream,
    /// Seconds: the stated duration, else the frames decoded over the
    /// frame rate.
    pub duration: f64,
    /// MD5 of the file's bytes.
    pub md5: [u8; 16],
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// When only the pictures the kept frames need were decoded: how many.
    pub planned: Option<Planned>,
}

/// How much of a stream was decoded when the decoding was planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub struct Planned {
    /// Pictures sent to the decoder.
    pub decoded: u64,
    /// Pictures in the stream.
    pub pictures: u64,
}

/// Hashes the video file at `path`.
pub fn hash_file(path: &Path, options: &Options) -> Result<VideoPrint, VideoError> {
    let limits = &options.limits;
    if !(options.seconds_per_hash.is_finite() && options.seconds_per_hash >= 0.0) {
        return Err(VideoError::Decoder(
            "seconds per hash must be 0 or more".into(),
        ));
    }
    let size = std::fs::metadata(path)?.len();
    if size > limits.max_file_bytes {
        return Err(VideoError::FileTooLarge {
            size,
            limit: limits.max_file_bytes,
        });
    }
    let (decoded, digests) = std::thread::scope(|scope| {
        let digests = scope.spawn(|| file_digests(path, limits.max_file_bytes));
        let decoded = decode::hash_frames(path, options);
        (decoded, digests.join())
    });
    let decode::Decoded {
        stream,
        plan,
        planned,
        frames,
        parts,
    } = decoded?;
    let (md5, sha256) =
        digests.map_err(|_| VideoError::Decoder("digest thread failed".into()))??;
    let last = frames.last().map_or(0, |f| u64::from(f.number));
    let decoded_seconds = (last + plan.step) as f64 / stream.frame_rate;
    Ok(VideoPrint {
        hash: VideoHash { frames, parts },
        duration: stream.duration.unwrap_or(decoded_seconds),
        stream,
        md5,
        sha256,
        planned,
    })
}

/// Refuses a stream whose frame size, stated duration or number of frame
/// hashes is over the limits, before anything is decoded.
pub(crate) fn check_stream(stream: &Stream, options: &Options) -> Result<(), VideoError> {
    let limits = &options.limits;
    let pixels = u64::from(stream.width) * u64::from(stream.height);
    if pixels > limits.max_frame_pixels {
        return Err(VideoError::FrameTooLarge {
            width: stream.width.into(),
            height: stream.height.into(),
            pixels,
            limit: limits.max_frame_pixels,
        });
    }
    if let Some(seconds) = stream.duration {
        if seconds > limits.max_duration {
            return Err(VideoError::TooLong {
                seconds,
                limit: limits.max_duration,
            });
        }
        let step = frame_step(options.seconds_per_hash, stream.frame_rate);
        let expected = seconds * stream.frame_rate / step as f64;
        if expected > MAX_VIDEO_FRAMES as f64 + 1.0 {
            return Err(VideoError::TooManyFrames {
                limit: MAX_VIDEO_FRAMES,
            });
        }
    }
    Ok(())
}

/// The MD5 and SHA-256 of a file, read in 1 MiB pieces; a file that grew
/// past `max_bytes` since it was measured is refused.
pub fn file_digests(path: &Path, max_bytes: u64) -> Result<([u8; 16], [u8; 32]), VideoError> {
    let mut file = File::open(path)?;
    let mut md5 = Md5::new();
    let mut sha256 = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > max_bytes {
            return Err(VideoError::FileTooLarge {
                size: total,
                limit: max_bytes,
            });
        }
        md5.update(&buf[..n]);
        sha256.update(&buf[..n]);
    }
    Ok((md5.finalize().into(), sha256.finalize().into()))
}
