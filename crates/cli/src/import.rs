//! `hashbank import`: loads a list of hashes into the bank as cases of up to
//! 500 hashes, and writes each new case's number and PIN to a file.
//!
//! The list is JSON lines: either what `hashbank hash` prints (fields `pdq`,
//! `quality`, `md5`, `sha256`; lines with an `error` are skipped), or one
//! hash per line as the API takes it (`{"kind": "pdq", "value": ...,
//! "quality": ...}`). PDQ hashes of quality below 50 are skipped and
//! counted; a hash given twice is imported once.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;
use hashbank_bank::{
    check_hex, check_new_hashes, check_pdq_value, Category, Kind, NewHash, Role, Settings,
    MAX_HASHES_PER_CASE,
};
use serde_json::Value;

use crate::bank_args::{runtime, DatabaseArgs};

/// Options of `hashbank import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// JSON lines of hashes (see above).
    file: PathBuf,
    /// Where to write each new case's number, PIN and hash count (created
    /// with owner-only permissions).
    #[arg(long, value_name = "FILE")]
    cases_out: PathBuf,
    /// Hashes per case.
    #[arg(long, default_value_t = MAX_HASHES_PER_CASE)]
    per_case: usize,
    /// Mark every imported case `minor` (images taken before 18).
    #[arg(long)]
    minor: bool,
}

/// Runs the import.
pub fn run(args: ImportArgs) -> anyhow::Result<u8> {
    let (hashes, skipped) = read_hashes(&args.file)?;
    if hashes.is_empty() {
        bail!("{} holds no hash to import", args.file.display());
    }
    let checked = check_new_hashes(&hashes, &HashSet::new())
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let mut out = create_private(&args.cases_out)?;
    writeln!(out, "# case_number pin hashes")?;
    let total = checked.len();
    let cases = runtime()?.block_on(async {
        let bank = args.db.open(Settings::default()).await?;
        let mut written = 0;
        let cases = bank
            .import(
                checked,
                args.per_case,
                args.minor.then_some(Category::Minor),
                |made| {
                    for case in &made[written..] {
                        let _ = writeln!(out, "{} {} {}", case.number, case.pin, case.hashes);
                    }
                    written = made.len();
                    let _ = out.flush();
                },
            )
            .await?;
        bank.db().close().await;
        anyhow::Ok(cases.len())
    })?;
    out.flush()?;
    eprintln!(
        "hashbank: imported {total} hashes as {cases} cases ({skipped} skipped: quality below {}, blank-picture pdq hashes or duplicates); numbers and PINs in {}",
        pdq::QUALITY_THRESHOLD,
        args.cases_out.display()
    );
    Ok(0)
}

/// The hashes in `path`, and how many were skipped.
fn read_hashes(path: &PathBuf) -> anyhow::Result<(Vec<NewHash>, usize)> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hashes = Vec::new();
    let mut seen = HashSet::new();
    let mut skipped = 0;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not JSON", path.display(), n + 1))?;
        let found = if value.get("kind").is_some() {
            vec![serde_json::from_value::<NewHash>(value)
                .with_context(|| format!("{} line {}", path.display(), n + 1))?]
        } else {
            image_record(&value)
        };
        for hash in found {
            let quality_ok = hash.kind != Kind::Pdq
                || hash.quality.unwrap_or(0) >= u32::from(pdq::QUALITY_THRESHOLD);
            // A PDQ hash of a blank picture, or with far too few or too
            // many bits set, is skipped like one of low quality (a
            // malformed one is left for the check below to name).
            let degenerate = hash.kind == Kind::Pdq
                && check_hex(Kind::Pdq, &hash.value, "hash").is_ok()
                && check_pdq_value(&hash.value.to_ascii_lowercase(), "hash").is_err();
            if quality_ok
                && !degenerate
                && seen.insert((hash.kind, hash.value.to_ascii_lowercase()))
            {
                hashes.push(hash);
            } else {
                skipped += 1;
            }
        }
    }
    Ok((hashes, skipped))
}

/// The hashes of one `hashbank hash` record (none for a failed file).
fn image_record(value: &Value) -> Vec<NewHash> {
    if value.get("error").is_some() {
        return Vec::new();
    }
    let text = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_string);
    let mut hashes = Vec::new();
    if let Some(pdq) = text("pdq") {
        hashes.push(NewHash {
            kind: Kind::Pdq,
            value: pdq,
            quality: value
                .get("quality")
                .and_then(Value::as_u64)
                .map(|q| q as u32),
            role: Role::Plain,
            label: None,
        });
    }
    for (field, kind) in [("md5", Kind::Md5), ("sha256", Kind::Sha256)] {
        if let Some(v) = text(field) {
            hashes.push(NewHash {
                kind,
                value: v,
                quality: None,
                role: Role::Plain,
                label: None,
            });
        }
    }
    hashes
}

/// Creates `path` readable by its owner only (it will hold PINs).
fn create_private(path: &PathBuf) -> anyhow::Result<BufWriter<File>> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        /// Owner read and write only.
        const OWNER_ONLY: u32 = 0o600;
        options.mode(OWNER_ONLY);
    }
    let file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(BufWriter::new(file))
}
