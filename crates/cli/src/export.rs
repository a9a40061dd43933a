//! `hashbank export`: writes the active hashes a platform may see (the
//! released additions of the feed) to a file or standard output, as JSON
//! lines `hashbank import` reads back, or as python-threatexchange's
//! `<signal_type> <hash>` lines (its file exchange, `threatexchange
//! dataset`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hashbank_bank::{BankLabel, FeedEntry, Kind, QueryLabel};
use serde_json::json;

use crate::bank_args::{runtime, DatabaseArgs};

/// Hashes read from the database per step.
const PAGE: i64 = 10_000;

/// What `hashbank export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One hash per line as the API takes it (`kind`, `value`, `quality`,
    /// `role`, `label`, and `category` for a minor case's).
    Jsonl,
    /// python-threatexchange's lines, `<signal_type> <hash>`: `pdq` (the
    /// plain hash, its trim and its crops), `video_md5`, `video_sha256`;
    /// videos and the top and bottom parts are left out.
    Pytx,
}

/// Options of `hashbank export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// The format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    /// Where to write (created owner-only); standard output when not given.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The python-threatexchange line of a hash, if it has one.
pub fn pytx_line(entry: &FeedEntry) -> Option<String> {
    let value = entry.value.as_deref()?;
    let name = match entry.kind? {
        Kind::Pdq => {
            let label = entry.label.unwrap_or(BankLabel::Plain);
            model::radius(QueryLabel::Plain, label)?;
            "pdq"
        }
        Kind::Md5 => "video_md5",
        Kind::Sha256 => "video_sha256",
        Kind::Vpdq => return None,
    };
    Some(format!("{name} {value}"))
}

/// The JSON line of a hash.
pub fn jsonl_line(entry: &FeedEntry) -> Option<String> {
    let mut line = json!({
        "kind": entry.kind?.as_str(),
        "value": entry.value.as_deref()?,
        "role": entry.role?.as_str(),
    });
    if let Some(quality) = entry.quality {
        line["quality"] = json!(quality);
    }
    if let Some(label) = entry.label {
        line["label"] = json!(label.as_str());
    }
    if let Some(category) = entry.category {
        line["category"] = json!(category.as_str());
    }
    Some(line.to_string())
}

/// Runs the export.
pub fn run(args: ExportArgs) -> anyhow::Result<u8> {
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(crate::import::create_private(path)?),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let (written, left_out) = runtime()?.block_on(async {
        let bank = args.db.open_to_read().await?;
        let (mut written, mut left_out) = (0u64, 0u64);
        let mut after = 0;
        loop {
            let page = bank.released_additions(after, PAGE).await?;
            for entry in &page {
                let line = match args.format {
                    ExportFormat::Jsonl => jsonl_line(entry),
                    ExportFormat::Pytx => pytx_line(entry),
                };
                match line {
                    Some(line) => {
                        writeln!(out, "{line}").context("writing the export")?;
                        written += 1;
                    }
                    None => left_out += 1,
                }
            }
            match page.last() {
                Some(last) if page.len() as i64 == PAGE => after = last.cursor,
                _ => break,
            }
        }
        bank.db().close().await;
        anyhow::Ok((written, left_out))
    })?;
    out.flush().context("writing the export")?;
    eprintln!(
        "hashbank: exported {written} active hashes{}",
        if left_out > 0 {
            format!(" ({left_out} left out: no {:?} form)", args.format)
        } else {
            String::new()
        }
    );
    Ok(0)
}
