//! `hashbank hash`: fingerprint image and video files and folders on all
//! cores.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use media::{Fingerprint, Limits, MediaError, Options, Pipeline};
use rayon::prelude::*;

use crate::output::{Format, Record, Writer};
use crate::walk::{walk, WalkOptions};

/// Hash image and video files: PDQ (with quality), MD5 and SHA-256 of each
/// image; vPDQ (the PDQ hash of a frame every --seconds-per-hash seconds,
/// with its quality, number and timestamp), MD5 and SHA-256 of each video.
/// One record per file; an animated GIF or WebP gives two, as an image (its
/// first frame) and as a video.
///
/// Folders are walked recursively; in them only files with an image
/// extension (jpg, jpeg, jfif, png, webp, gif, bmp, tif, tiff) or a video
/// extension (mp4, mov, m4v, 3gp, 3g2, webm, mkv, avi, ts, mts, m2ts, mpg,
/// mpeg, flv, wmv, ogv) are read, unless --all-files. Files named on the
/// command line are always read. The content decides the format, never the
/// name. EXIF orientation is ignored, as in the PDQ reference: a photo
/// hashes as stored.
///
/// Videos are decoded by FFmpeg's libraries in a child process with limits
/// on memory, CPU time and wall-clock time: a file that crashes or hangs
/// the decoder fails alone. For H.264 and HEVC only the pictures the kept
/// frames need are decoded.
///
/// Exit status: 0 when every file was hashed, 1 when some failed (each
/// failure is a record with an `error`), 2 on usage errors.
#[derive(Args, Debug)]
pub struct HashArgs {
    /// Files and folders to hash.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Jsonl)]
    format: OutputFormat,

    /// Add the 8 dihedral PDQ hashes (rotations and mirrors).
    #[arg(long)]
    dihedral: bool,

    /// Use the fast pipeline: scale first (JPEG in the DCT domain), then
    /// hash; a few bits from the canonical full-resolution hash.
    #[arg(long)]
    fast: bool,

    /// Follow symbolic links inside folders.
    #[arg(long)]
    follow_links: bool,

    /// In folders, read every file, not only those with image extensions.
    #[arg(long)]
    all_files: bool,

    /// Largest file to read, in bytes.
    #[arg(long, default_value_t = media::DEFAULT_MAX_FILE_BYTES, value_name = "BYTES")]
    max_file_size: u64,

    /// Largest image to decode, in pixels (width x height).
    #[arg(long, default_value_t = media::DEFAULT_MAX_PIXELS, value_name = "PIXELS")]
    max_pixels: u64,

    /// How videos are hashed.
    #[command(flatten)]
    video: crate::video_args::VideoArgs,

    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,

    /// Never show a progress bar (it is shown only when stderr is a terminal).
    #[arg(long)]
    no_progress: bool,
}

/// How records are written.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputFormat {
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// A readable table.
    Text,
    /// The vPDQ reference's text form (`frame,quality,hex,timestamp`) of
    /// each video; images are left out.
    Vpdq,
}

/// Files hashed between two writes of the output, so output keeps the walk
/// order while the work is spread over the cores.
const BATCH: usize = 256;

/// Runs the command; the exit status is 0 when every file was hashed and 1
/// when some failed.
pub fn run(args: HashArgs) -> Result<u8> {
    let video_options = args.video.options(args.fast)?;
    let options = Options {
        limits: Limits {
            max_file_bytes: args.max_file_size,
            max_pixels: args.max_pixels,
        },
        pipeline: if args.fast {
            Pipeline::Fast
        } else {
            Pipeline::Canonical
        },
        dihedral: args.dihedral,
    };
    let walked = walk(
        &args.paths,
        &WalkOptions {
            follow_links: args.follow_links,
            all_files: args.all_files,
            videos: true,
            ..WalkOptions::default()
        },
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()?;

    let progress = if !args.no_progress && io::stderr().is_terminal() {
        let bar = ProgressBar::new(walked.len() as u64);
        bar.set_style(ProgressStyle::with_template(
            "{bar:40} {pos}/{len} files  {per_sec}  eta {eta}  {msg}",
        )?);
        bar
    } else {
        ProgressBar::hidden()
    };

    let format = match args.format {
        OutputFormat::Jsonl => Format::Jsonl,
        OutputFormat::Csv => Format::Csv,
        OutputFormat::Text => Format::Text,
        OutputFormat::Vpdq => Format::Vpdq,
    };
    let stdout = io::stdout().lock();
    let mut writer = Writer::new(io::BufWriter::new(stdout), format, args.dihedral)?;
    if walked.len() == 1 {
        writer = writer.without_headings();
    }
    let mut failed = 0usize;
    for batch in walked.chunks(BATCH) {
        let results: Vec<Record> = pool.install(|| {
            batch
                .par_iter()
                .flat_map_iter(|entry| {
                    let records = match entry {
                        Ok(path) => hash_one(path, &options, &video_options),
                        Err(walk_error) => {
                            vec![Record::failed(&walk_error.path, walk_error.message.clone())]
                        }
                    };
                    progress.inc(1);
                    records
                })
                .collect()
        });
        for r in &results {
            if r.error.is_some() {
                failed += 1;
            }
            writer.write(r)?;
        }
        writer.flush()?;
    }
    writer.finish()?;
    progress.finish_and_clear();
    if failed > 0 {
        tracing::warn!("{failed} of {} files could not be hashed", walked.len());
    }
    io::stderr().flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}

/// The records of one file: a video's, an image's, or both for an animated
/// GIF. The first bytes decide.
fn hash_one(path: &Path, options: &Options, video_options: &video::Options) -> Vec<Record> {
    let head = match read_head(path) {
        Ok(head) => head,
        Err(e) => return vec![Record::failed(path, format!("cannot read the file: {e}"))],
    };
    if video::sniff(&head).is_some() {
        return vec![video_record(path, video_options)];
    }
    let animated_gif = head.starts_with(b"GIF8");
    let animated_webp = video::webp_is_animated(&head);
    if !animated_gif && !animated_webp {
        return vec![record(path, media::fingerprint_file(path, options))];
    }
    // Read once: hashed as an image, then as a video if it moves.
    let bytes = match media::read_file(path, options.limits.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(err) => return vec![record(path, Err(err))],
    };
    let image = record(
        path,
        media::fingerprint(&bytes, options).map_err(|kind| MediaError::at(path, kind)),
    );
    if image.error.is_some() {
        return vec![image];
    }
    if animated_gif {
        if !video::gif_is_animated(&bytes) {
            return vec![image];
        }
        return vec![image, video_record(path, video_options)];
    }
    let video = match video::hash_animated_webp(&bytes, video_options) {
        Ok(print) => Record::video(path, print),
        Err(e) => Record::failed(path, e.to_string()),
    };
    vec![image, video]
}

fn video_record(path: &Path, options: &video::Options) -> Record {
    match video::hash_file(path, options) {
        Ok(print) => Record::video(path, print),
        Err(e) => Record::failed(path, e.to_string()),
    }
}

/// The first bytes of a file, enough to tell its format.
fn read_head(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(video::SNIFF_BYTES);
    std::fs::File::open(path)?
        .take(video::SNIFF_BYTES as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

fn record(path: &Path, result: Result<Fingerprint, MediaError>) -> Record {
    match result {
        Ok(print) => Record::hashed(path, print),
        Err(err) => {
            // The error already names the file; the record carries it in `path`.
            let message = match err.path {
                Some(_) => err.kind.to_string(),
                None => err.to_string(),
            };
            Record::failed(path, message)
        }
    }
}
