//! `hashbank hash`: fingerprint image files and folders on all cores.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use media::{Fingerprint, Limits, MediaError, Options, Pipeline};
use rayon::prelude::*;

use crate::output::{Format, Record, Writer};
use crate::walk::{walk, WalkOptions};

/// Hash image files: PDQ (with quality), MD5 and SHA-256, one record per file.
///
/// Folders are walked recursively; in them only files with an image
/// extension (jpg, jpeg, jfif, png, webp, gif, bmp, tif, tiff) are read,
/// unless --all-files. Files named on the command line are always read.
/// The content decides the format, never the name. EXIF orientation is
/// ignored, as in the PDQ reference: a photo hashes as stored.
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
}

/// Files hashed between two writes of the output, so output keeps the walk
/// order while the work is spread over the cores.
const BATCH: usize = 256;

/// Runs the command; the exit status is 0 when every file was hashed and 1
/// when some failed.
pub fn run(args: HashArgs) -> Result<u8> {
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
    };
    let stdout = io::stdout().lock();
    let mut writer = Writer::new(io::BufWriter::new(stdout), format, args.dihedral)?;
    let mut failed = 0usize;
    for batch in walked.chunks(BATCH) {
        let results: Vec<Record> = pool.install(|| {
            batch
                .par_iter()
                .map(|entry| {
                    let record = match entry {
                        Ok(path) => record(path, media::fingerprint_file(path, &options)),
                        Err(walk_error) => {
                            Record::failed(&walk_error.path, walk_error.message.clone())
                        }
                    };
                    progress.inc(1);
                    record
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
